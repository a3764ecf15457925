"""Internal errors are not user errors (issue 8, item 10): a bug of byzer_kernel is an InternalError
with a short message and a logged traceback; common user errors have types of their own, all
ByzerRuntimeError so that `except ByzerRuntimeError` keeps working."""
import logging

import pytest

from byzer_kernel.lang.errors import (ByzerRuntimeError, InternalError, TableNotFoundError,
                                      UndefinedVariableError, UnknownFormatError, UsageError)

BEFORE = "select 1 as a as kept;\n"


def raised_by(session, script: str) -> ByzerRuntimeError:
    with pytest.raises(ByzerRuntimeError) as info:
        session.execute(BEFORE + script)
    return info.value


@pytest.mark.parametrize("script", [
    "save overwrite nowhere as json.`out`;",
    "!desc nowhere;",
])
def test_a_missing_table_is_table_not_found(session, script):
    error = raised_by(session, script)
    assert isinstance(error, TableNotFoundError), type(error)
    assert (error.span.line, error.span.col) == (2, 1)
    assert "table `nowhere` does not exist" in str(error) and "known tables: kept" in str(error)


def test_a_missing_table_in_sql_is_table_not_found(session):
    assert isinstance(raised_by(session, "select * from nowhere as t;"), TableNotFoundError)


@pytest.mark.parametrize("script", ["load avro.`x` as t;", "save overwrite kept as avro.`x`;"])
def test_an_unknown_format_is_its_own_type(session, script):
    error = raised_by(session, script)
    assert "unknown format `avro`" in str(error)
    assert isinstance(error, UnknownFormatError), type(error)


def test_an_undefined_variable_is_its_own_type(session):
    error = raised_by(session, "load jsonStr.`undefinedVar` as t;")
    assert "variable `undefinedVar` is not defined" in str(error)
    assert isinstance(error, UndefinedVariableError), type(error)


@pytest.mark.parametrize("script, words", [
    ("!desc;", "usage: !desc TABLE"),
    ("!assert kept;", "usage: !assert TABLE"),
])
def test_a_command_used_wrongly_is_a_usage_error(session, script, words):
    error = raised_by(session, script)
    assert words in str(error)
    assert isinstance(error, UsageError), type(error)


def broken_command(session, statement, args, events):
    return len(None)  # a bug: TypeError


def test_a_broken_executor_is_an_internal_error_naming_its_statement(session, caplog):
    session.commands["broken"] = broken_command
    session.execute("select 2 as b as earlier;")
    with caplog.at_level(logging.ERROR, logger="byzer_kernel"):
        with pytest.raises(InternalError) as info:
            session.execute(BEFORE + 'set v="1" where scope="session";\n  !broken now;\nselect 3 as c as never;')
    error = info.value
    assert not isinstance(error, ByzerRuntimeError)  # not a user error
    assert isinstance(error.__cause__, TypeError)
    assert (error.span.line, error.span.col) == (3, 3)
    text = str(error)
    assert text.startswith("InternalError at line 3:3 in `!broken now`: TypeError: ")
    assert "object of type 'NoneType' has no len()" in text
    assert "(a bug in byzer_kernel; the traceback is in the kernel log)" in text
    assert len(text.splitlines()) == 1 and "Traceback" not in text
    assert "in broken_command" in error.traceback_text and "len(None)" in error.traceback_text
    [record] = [r for r in caplog.records if r.name == "byzer_kernel"]
    assert record.levelno == logging.ERROR and record.exc_info[0] is TypeError
    assert "line 3:3" in record.getMessage()
    # earlier statements keep their effects, later ones did not run, the session goes on
    assert "kept" in session.catalog and session.variables.get("v") == "1"
    assert "never" not in session.catalog
    assert session.execute("select a + b as s from kept, earlier as t;").table.to_pylist() == [{"s": 3}]


def test_an_unreadable_file_stays_a_user_error(session, tmp_path):
    (tmp_path / "notes.txt").write_bytes(b"caf\xe9\n")  # Latin-1, not UTF-8
    error = raised_by(session, "load text.`notes.txt` as t;")
    assert not isinstance(error, InternalError)
    assert "UnicodeDecodeError" in str(error) and "line 2:1" in str(error)


DRIVER_TRACEBACK = 'Traceback (most recent call last):\n  File "driver.py", line 9, in handle\nKeyError: \'k\'\n'


def test_an_internal_error_reported_by_another_process_is_named_and_logged_once(session, caplog):
    def driver_failed(session, statement, args, events):
        raise InternalError.from_traceback_text(DRIVER_TRACEBACK)

    session.commands["driver"] = driver_failed
    with caplog.at_level(logging.ERROR, logger="byzer_kernel"):
        with pytest.raises(InternalError) as info:
            session.execute(BEFORE + "!driver;")
    assert info.value.traceback_text == DRIVER_TRACEBACK
    assert str(info.value) == ("InternalError at line 2:1 in `!driver`: KeyError: 'k' "
                               "(a bug in byzer_kernel; the traceback is in the kernel log)")
    [record] = [r for r in caplog.records if r.name == "byzer_kernel"]
    assert 'File "driver.py", line 9, in handle' in record.getMessage()
