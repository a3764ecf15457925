"""Messages stay short and clean (issue 8, item 7): every error message is bounded with a note of
what was cut, a huge exception message is shown once, recursion in user code is collapsed."""
import pytest

from byzer_kernel import display as show
from byzer_kernel.lang.errors import (MESSAGE_MAX_BYTES, MESSAGE_MAX_LINES, ByzerRuntimeError,
                                      PythonCodeError, bounded)
from byzer_kernel.runtime.user_errors import format_frames

MODEL_MODE = ('!python conf "schema=st(field(a,long))";\n!python conf "dataMode=model";\n'
              "run command as Ray.`` where inputTable=\"command\" and outputTable=\"o\" and code='''\n")


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def test_a_message_that_fits_is_unchanged():
    text = "\n".join(f"line {i}" for i in range(MESSAGE_MAX_LINES))
    assert bounded(text) == text


def test_many_lines_keep_the_beginning_and_the_end_with_a_note():
    text = "\n".join(f"line {i}" for i in range(5000))
    lines = bounded(text).splitlines()
    assert len(lines) <= MESSAGE_MAX_LINES
    assert lines[0] == "line 0" and lines[-1] == "line 4999"
    [note] = [line for line in lines if line.startswith("... (")]
    cut = 5000 - (len(lines) - 1)
    assert note.startswith(f"... ({cut:,} lines / ") and note.endswith(" kB cut)")


def test_one_huge_line_is_cut_by_size_and_never_splits_a_character():
    text = "headline\n" + "é" * 3_000_000 + "\nlast line"
    kept = bounded(text)
    assert utf8_size(kept) <= MESSAGE_MAX_BYTES
    assert kept.startswith("headline\né") and kept.endswith("é\nlast line")
    assert "... (5.9 MB cut)" in kept
    assert set(kept) <= set("headline\né.(5.9MBcut) last")


def test_a_huge_message_repeated_by_the_detail_is_shown_once():
    said = "ValueError: " + "x" * 10_000_000
    error = PythonCodeError(said, detail="Traceback (most recent call last):\n  File \"<string>\", line 2, "
                                         "in <module>\n" + said)
    text = str(error)
    assert utf8_size(text) <= MESSAGE_MAX_BYTES and "MB cut)" in text
    headline = text.splitlines()[0]
    assert headline.startswith("PythonError: ValueError: xxx") and len(headline) < 300
    assert show.error_lines(error)[0] == headline  # the kernel and the magic show the same lines


def test_every_error_message_is_bounded():
    error = ByzerRuntimeError("\n".join(["a line of the message"] * 10_000))
    assert len(str(error).splitlines()) <= MESSAGE_MAX_LINES
    assert len(show.error_lines(error)) <= MESSAGE_MAX_LINES
    assert "9,80" in str(error) and "lines /" in str(error)  # ~9,800 lines cut


def test_repeated_frames_are_collapsed_as_python_does():
    code = ["f(0)", "def f(n):", "    return f(n + 1)"]
    lines = format_frames([(1, "<module>")] + [(3, "f")] * 990 + [(1, "g")] + [(3, "f")] * 4, code)
    assert lines.count("  [Previous line repeated 987 more times]") == 1
    assert lines.count("  [Previous line repeated 1 more time]") == 1
    assert lines.count('  File "<string>", line 3, in f') == 6
    assert lines[-3:] == ['  File "<string>", line 3, in f', "    return f(n + 1)",
                          "  [Previous line repeated 1 more time]"]


@pytest.fixture
def runtime_session(tmp_path, monkeypatch):
    """A runtime Session; model mode with build_result does not need Ray."""
    from byzer_kernel.runtime import create_session

    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    monkeypatch.delenv("BYZER_RAY_ADDRESS", raising=False)
    session = create_session(home=str(tmp_path))
    yield session
    session.close()


def test_recursion_in_user_code_is_a_short_message(runtime_session):
    with pytest.raises(PythonCodeError) as info:
        runtime_session.execute(MODEL_MODE + "def f(n):\n    return f(n + 1)\nf(0)\n''';")
    text = str(info.value)
    assert len(text.splitlines()) < 20
    assert "[Previous line repeated" in text and "more times]" in text
    assert text.rstrip().endswith("RecursionError: maximum recursion depth exceeded")
    assert "line 3:1" in text.splitlines()[0]


def test_a_huge_exception_message_from_user_code_is_printed_once_bounded(runtime_session):
    with pytest.raises(PythonCodeError) as info:
        runtime_session.execute(MODEL_MODE + "raise ValueError('x' * 10_000_000)\n''';")
    text = str(info.value)
    assert utf8_size(text) <= MESSAGE_MAX_BYTES and "MB cut)" in text
    assert "raise ValueError('x' * 10_000_000)" in text  # the code line survives the cut
    assert text.count("ValueError: xxx") == 2  # the headline's short form and the traceback's
    assert len(text.splitlines()[0]) < 300
