"""A name that names nothing gets the closest known names in its error (issue 14, deliverable 6):
statements, tables, columns, formats, functions, ETs, commands and ET parameters. Each test checks
the error's type and the name suggested, not the whole message."""
import re

import pytest

from byzer_kernel.lang.errors import (ByzerRuntimeError, ByzerSyntaxError, TableNotFoundError,
                                      UnknownFormatError, UnsupportedStatementError, UsageError)
from byzer_kernel.lang.suggest import close_matches

SETUP = ("set people = '''{\"name\": \"Ana\", \"age\": 31, \"city\": \"Oslo\"}''';\n"
         "load jsonStr.`people` as data;\n"
         "select 1 as id, 'x' as label as other;\n")


def suggested(error: Exception) -> list:
    """The names an error suggests: `did you mean `x`?`, `did you mean one of `x`, `y`?` or
    Spark's `Did you mean one of the following? [x, y]`."""
    text = str(error)
    spark = re.search(r"Did you mean one of the following\? \[([^\]]*)\]", text)
    if spark:
        return [name.strip() for name in spark.group(1).split(",")]
    ours = re.search(r"[Dd]id you mean (?:one of )?(.*?)\?", text)
    return re.findall(r"[`']([^`']+)[`']", ours.group(1)) if ours else []


@pytest.fixture
def data(session):
    session.execute(SETUP)
    return session


def failure(session, script: str) -> Exception:
    with pytest.raises((ByzerRuntimeError, ByzerSyntaxError)) as info:
        session.execute(script)
    return info.value


def test_an_unknown_statement_keyword_suggests_the_keyword(data):
    error = failure(data, "lod jsonStr.`people` as t;")
    assert isinstance(error, ByzerSyntaxError)
    assert suggested(error) == ["load"]
    assert (error.span.line, error.span.col) == (1, 1)
    assert suggested(failure(data, "select 1 as a as t;\nSELCT 2 as b as u;")) == ["select"]


def test_an_unknown_table_suggests_the_table(data):
    error = failure(data, "select * from dta as t;")
    assert isinstance(error, TableNotFoundError)
    assert suggested(error) == ["data"]
    for script in ("!desc dta;", "run dta as DataSummary.`` as t;", "save overwrite dta as json.`out`;"):
        error = failure(data, script)
        assert isinstance(error, TableNotFoundError) and suggested(error) == ["data"], script


def test_a_table_nothing_resembles_gets_no_suggestion(data):
    error = failure(data, "select * from zzzz as t;")
    assert isinstance(error, TableNotFoundError) and suggested(error) == []
    assert "known tables: data, other" in str(error)


def test_an_unknown_column_is_sparks_message_with_the_close_columns(data):
    error = failure(data, "select nme from data as t;")
    assert isinstance(error, ByzerRuntimeError)
    assert "Column 'nme' does not exist" in str(error)
    assert suggested(error) == ["data.name"]
    assert "line 1:8 of the SQL" in str(error)
    assert suggested(failure(data, "select * from data where cty = 'Oslo' as t;")) == ["data.city"]


def test_an_unknown_column_after_an_alias_is_named_with_the_alias(data):
    error = failure(data, "select d.nme from data as d as t;")
    assert "Column 'd.nme' does not exist" in str(error)
    assert suggested(error) == ["d.name"]
    joined = failure(data, "select d.name, o.lable from data d join other o on d.age > o.id as t;")
    assert suggested(joined) == ["o.label"]


def test_an_unknown_column_of_a_subquery_uses_the_engines_candidates(data):
    error = failure(data, "select agee from (select age from data) as t;")
    assert suggested(error) == ["age"]


def test_an_unknown_format_suggests_the_format(data):
    error = failure(data, "load jsonstr.`people` as t;")
    assert isinstance(error, UnknownFormatError)
    assert suggested(error) == ["jsonStr"]
    error = failure(data, "save overwrite data as parqet.`out`;")
    assert isinstance(error, UnknownFormatError) and suggested(error) == ["parquet"]


def test_an_unknown_function_suggests_sparks_and_the_sessions_functions(data):
    error = failure(data, "select lenght(name) as n from data as t;")
    assert isinstance(error, ByzerRuntimeError)
    assert "Undefined function: lenght" in str(error)
    assert suggested(error) == ["length"]
    data.execute("register ScriptUDF.`` as shout where lang=\"python\" and dataType=\"string\" and "
                 "code='''\ndef apply(self, s):\n    return s.upper()\n''';")
    assert suggested(failure(data, "select shuot(name) as n from data as t;")) == ["shout"]


def test_an_unknown_et_suggests_the_et(data):
    error = failure(data, "run data as DataSumary.`` as t;")
    assert isinstance(error, UnsupportedStatementError)
    assert suggested(error) == ["DataSummary"]
    error = failure(data, "!show et/DataSumary;")
    assert isinstance(error, UsageError) and suggested(error) == ["DataSummary"]


def test_an_unknown_et_parameter_suggests_the_parameter(data):
    error = failure(data, "run data as DataSummary.`` where metric=\"mean\" as t;")
    assert isinstance(error, UsageError) and suggested(error) == ["metrics"]


def test_an_unknown_command_suggests_the_command(data):
    error = failure(data, "!shw tables;")
    assert isinstance(error, UnsupportedStatementError)
    assert suggested(error) == ["!show"]


def test_the_session_stays_usable_after_each_suggestion(data):
    failure(data, "select nme from data as t;")
    assert data.execute("select name from data as t;").table.column("name").to_pylist() == ["Ana"]


def test_close_matches_prefers_a_case_only_difference_and_keeps_near_ties():
    assert close_matches("jsonstr", ["json", "jsonStr", "csvStr"]) == ["jsonStr"]
    assert close_matches("collect_lst", ["collect_list", "collect_set", "count"]) == ["collect_list",
                                                                                      "collect_set"]
    assert close_matches("x", ["name", "age"]) == []
