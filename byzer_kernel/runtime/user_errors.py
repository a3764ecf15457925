"""Failures of the user's Python code, shown with the code's own lines (docs/spec.md §6.8, docs/design.md §4.7).

The code is compiled as `<string>` like pyjava's worker does, so frames read
`File "<string>", line N`; linecache cannot find that source, so the code line is added here.
A failure inside a Ray task comes back as plain data (frames and the exception line) so that the
driver does not depend on unpickling the user's exception class.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from ..lang.errors import first_line

CODE_FILENAME = "<string>"


@dataclass
class UserFailure:
    """A user-code exception reduced to what the message needs; picklable."""

    exception_line: str
    frames: list = field(default_factory=list)  # [(lineno, function name)] inside <string>


def error_line(error: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message, or its type's name when it says nothing."""
    return first_line(str(error), limit) or type(error).__name__


def describe_exception(error: BaseException) -> UserFailure:
    frames = [(f.lineno, f.name) for f in traceback.extract_tb(error.__traceback__)
              if f.filename == CODE_FILENAME]
    line = traceback.format_exception_only(type(error), error)[-1].strip()
    return UserFailure(line, frames)


class RemoteCodeError(Exception):
    """Raised in the driver (through the user's code) when a Ray task running user code failed."""

    def __init__(self, failure: UserFailure, partition: int):
        super().__init__(failure.exception_line)
        self.failure, self.partition = failure, partition


REPEATS_SHOWN = 3  # as Python's traceback: a frame repeated more often is summarised in one line


def format_frames(frames: list, code_lines: list) -> list:
    """Traceback lines for (lineno, function) frames of the user's code; a run of identical frames
    (recursion) shows its first three and `[Previous line repeated N more times]`, as Python does."""
    lines, previous, repeats = [], None, 0
    for frame in [*frames, None]:  # None flushes the last run
        if frame == previous:
            repeats += 1
            if repeats <= REPEATS_SHOWN:
                lines.extend(_frame_lines(frame, code_lines))
            continue
        if repeats > REPEATS_SHOWN:
            more = repeats - REPEATS_SHOWN
            lines.append(f"  [Previous line repeated {more} more time{'s' if more > 1 else ''}]")
        previous, repeats = frame, 1
        if frame is not None:
            lines.extend(_frame_lines(frame, code_lines))
    return lines


def _frame_lines(frame: tuple, code_lines: list) -> list:
    lineno, name = frame
    lines = [f'  File "{CODE_FILENAME}", line {lineno}, in {name}']
    if 1 <= lineno <= len(code_lines) and code_lines[lineno - 1].strip():
        lines.append(f"    {code_lines[lineno - 1].strip()}")
    return lines


def user_traceback(error: BaseException, code: str) -> tuple[str, str]:
    """(headline, traceback text) for an exception that escaped the user's code in the driver."""
    code_lines = code.splitlines()
    local = describe_exception(error)
    frames, headline = list(local.frames), local.exception_line
    if isinstance(error, RemoteCodeError):
        frames += error.failure.frames
        headline = error.failure.exception_line
    text = ["Traceback (most recent call last):", *format_frames(frames, code_lines), headline]
    return headline, "\n".join(text)


def syntax_error_text(error: SyntaxError, code: str) -> tuple[str, str]:
    lines = code.splitlines()
    lineno = error.lineno or 0
    headline = f"SyntaxError: {error.msg} (line {lineno})"
    text = [f'  File "{CODE_FILENAME}", line {lineno}']
    if 1 <= lineno <= len(lines):
        source = lines[lineno - 1]
        stripped = source.lstrip()
        text.append(f"    {stripped}")
        if error.offset:
            text.append("    " + " " * max(0, error.offset - 1 - (len(source) - len(stripped))) + "^")
    text.append(headline)
    return headline, "\n".join(text)
