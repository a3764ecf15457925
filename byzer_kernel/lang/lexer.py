"""Byzer's lexical rules (SPEC §1.3): text -> tokens, plus line:col and caret helpers for errors.

Follows DSLSQL.g4 token for token: keywords are case-insensitive but reserved (a keyword is never an
identifier unless backquoted), whitespace and comments are dropped, every character that starts no
token becomes an ``other`` token (legal only inside `select`/`insert`/... text). Big tokens (block
strings, quoted strings, comments) are found with ``str.find`` / one regex match so a 30 MB ``'''``
value is scanned at C speed.
"""
from __future__ import annotations

import re
from typing import List, Tuple

from .errors import ByzerSyntaxError
from .statements import Span

# Token kinds.
IDENT = "identifier"  # IDENTIFIER that is not a keyword
KEYWORD = "keyword"  # IDENTIFIER whose lower-cased text is a grammar keyword
QUOTED = "quoted"  # `backquoted`
STRING = "string"  # '...' or "..."
BLOCK = "block"  # '''...'''
COMMAND = "command"  # !name
PUNCT = "punct"  # one of ; . = , - / > < ~ !
OTHER = "other"  # any other single character (Byzer's UNRECOGNIZED)
EOF = "end of input"

KEYWORDS = frozenset(
    "as into load save select insert create drop refresh set connect train run predict register "
    "unregister include options where partitionby overwrite append errorifexists ignore and".split()
)

_WHITESPACE = re.compile(r"[ \r\n\t]+")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_]+")
_COMMAND = re.compile(r"![A-Za-z0-9_]+")
# Unrolled loops (no per-character alternation) so long strings stay fast; DOTALL lets `\` escape a newline.
_STRINGS = {
    "'": re.compile(r"'[^'\\]*(?:\\.[^'\\]*)*'", re.S),
    '"': re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S),
}
_BACKQUOTED = re.compile(r"`[^`]*(?:``[^`]*)*`")
_PUNCTUATION = frozenset(";.=,-/><~")


class Token:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end

    @property
    def lower(self) -> str:
        return self.text.lower()

    def is_keyword(self, *words: str) -> bool:
        return self.kind == KEYWORD and self.text.lower() in words

    def is_punct(self, char: str) -> bool:
        return self.kind == PUNCT and self.text == char

    def show(self) -> str:
        """How an error message names this token."""
        if self.kind == EOF:
            return "end of input"
        text = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        if self.kind == OTHER:
            return f"unexpected character {text!r}"
        return f"'{text}'" if "'" not in text else f'"{text}"'

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.kind}, {self.text[:30]!r}, {self.start})"


class Locator:
    """Offsets -> 1-based (line, col). Counts newlines incrementally so many lookups on a big text stay
    linear."""

    def __init__(self, text: str):
        self.text = text
        self._offset = 0
        self._line = 1

    def line_col(self, offset: int) -> Tuple[int, int]:
        text = self.text
        if offset < self._offset:
            self._offset, self._line = 0, 1
        self._line += text.count("\n", self._offset, offset)
        self._offset = offset
        return self._line, offset - (text.rfind("\n", 0, offset) + 1) + 1

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


def syntax_error(text: str, offset: int, message: str, locator: "Locator | None" = None) -> ByzerSyntaxError:
    locator = locator or Locator(text)
    return ByzerSyntaxError(message, span=locator.span(offset, offset), detail=caret_detail(text, offset))


def tokenize(text: str, locator: "Locator | None" = None) -> List[Token]:
    """All significant tokens of ``text`` followed by one EOF token. Raises ByzerSyntaxError for an
    unterminated string, backquote, block string or comment, naming where it started."""
    locator = locator or Locator(text)
    tokens: List[Token] = []
    append = tokens.append
    position, length = 0, len(text)

    def fail(offset: int, message: str) -> ByzerSyntaxError:
        return syntax_error(text, offset, message, locator)

    while position < length:
        char = text[position]
        if char in " \r\n\t":
            position = _WHITESPACE.match(text, position).end()
            continue
        if char.isascii() and (char.isalnum() or char == "_"):
            end = _IDENTIFIER.match(text, position).end()
            word = text[position:end]
            append(Token(KEYWORD if word.lower() in KEYWORDS else IDENT, word, position, end))
        elif char == "'" and text.startswith("'''", position):
            end = _block_string_end(text, position, fail)
            append(Token(BLOCK, text[position:end], position, end))
        elif char in _STRINGS:
            match = _STRINGS[char].match(text, position)
            if match is None:
                raise fail(position, f"unterminated string: the {char} opened here is never closed")
            end = match.end()
            append(Token(STRING, text[position:end], position, end))
        elif char == "`":
            match = _BACKQUOTED.match(text, position)
            if match is None:
                raise fail(position, "unterminated backquoted name: the ` opened here is never closed")
            end = match.end()
            append(Token(QUOTED, text[position:end], position, end))
        elif char == "-" and text.startswith("--", position):
            end = text.find("\n", position)
            position = length if end < 0 else end + 1
            continue
        elif char == "/" and text.startswith("/*", position) and not text.startswith("/*+", position):
            position = _comment_end(text, position, fail)
            continue
        elif char == "!":
            match = _COMMAND.match(text, position)
            end = match.end() if match else position + 1
            append(Token(COMMAND if match else PUNCT, text[position:end], position, end))
        elif char in _PUNCTUATION:
            end = position + 1
            append(Token(PUNCT, char, position, end))
        else:
            end = position + 1
            append(Token(OTHER, char, position, end))
        position = end
    append(Token(EOF, "", length, length))
    return tokens


def _block_string_end(text: str, start: int, fail) -> int:
    """End offset of the BLOCK_STRING at ``start``: ''' + one char that is not '+' + shortest run + '''."""
    first = start + 3
    if first >= len(text):
        raise fail(start, "unterminated block string: the ''' opened here is never closed")
    if text[first] == "+":
        raise fail(start, "a block string cannot start with '+' ('''+...''' is not valid Byzer)")
    if text.startswith("'''", first) and not text.startswith("'", first + 3):
        raise fail(start, "empty block string '''''' is not allowed: it needs at least one character")
    close = text.find("'''", first + 1)
    if close < 0:
        raise fail(start, "unterminated block string: the ''' opened here is never closed")
    return close + 3


def _comment_end(text: str, start: int, fail) -> int:
    """End offset of the bracketed comment at ``start`` (not a /*+ hint */)."""
    if start + 2 < len(text):
        close = text.find("*/", start + 3)
        if close >= 0:
            return close + 2
    if text.startswith("/**/", start):
        return start + 4
    raise fail(start, "unterminated comment: the /* opened here is never closed")
