"""Offsets in a text -> what error messages show: 1-based line:col, a Span, a caret line.

Every layer that reports a place in user text (the lexer and parser, Velocity templates, the
magic's `{{name}}` interpolation, notebook cell headers) counts lines and columns here, so that
all of them agree on what "column" means: characters from the start of the line, tabs counting one.
"""
from __future__ import annotations

from typing import Tuple

from .statements import Span


def line_col(text: str, offset: int, known: Tuple[int, int] = (0, 1)) -> Tuple[int, int]:
    """1-based (line, col) of ``offset``. ``known`` is an (offset, line) pair already counted at or
    before ``offset``, so that a caller looking up many increasing offsets counts each newline once."""
    known_offset, known_line = known if known[0] <= offset else (0, 1)
    line = known_line + text.count("\n", known_offset, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def point_span(text: str, offset: int) -> Span:
    """The empty Span at ``offset``: an error about one place rather than a statement."""
    line, col = line_col(text, offset)
    return Span(line=line, col=col, start=offset, end=offset)


class Locator:
    """`line_col` for many offsets of one text (a parser's tokens, mostly in increasing order):
    remembers the last place counted so a big text is scanned about once."""

    def __init__(self, text: str):
        self.text = text
        self._known = (0, 1)

    def line_col(self, offset: int) -> Tuple[int, int]:
        line, col = line_col(self.text, offset, self._known)
        self._known = (offset, line)
        return line, col

    def span(self, start: int, end: int) -> Span:
        line, col = self.line_col(start)
        return Span(line=line, col=col, start=start, end=end)


def caret_detail(text: str, offset: int) -> str:
    """The source line holding ``offset`` and a caret under its column (tabs kept so it lines up)."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if line_end < 0:
        line_end = len(text)
    line = text[line_start:line_end].rstrip("\r")
    column = offset - line_start
    window_start = max(0, column - 100)
    shown = line[window_start:window_start + 200]
    prefix = "..." if window_start else ""
    suffix = "..." if window_start + 200 < len(line) else ""
    pad = "".join("\t" if c == "\t" else " " for c in shown[: column - window_start])
    return f"{prefix}{shown}{suffix}\n{' ' * len(prefix)}{pad}^"
