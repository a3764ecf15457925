"""Byzer's lexical rules (docs/spec.md §1.3): text -> tokens, and the syntax errors that point into the text.

Follows DSLSQL.g4 token for token: keywords are case-insensitive but reserved (a keyword is never an
identifier unless backquoted), whitespace and comments are dropped, every character that starts no
token becomes an ``OTHER`` token (legal only inside `select`/`insert`/... text). Big tokens (block
strings, quoted strings, comments) are found with ``str.find`` / one regex match so a 30 MB ``'''``
value is scanned at C speed.
"""
from __future__ import annotations

import re
from enum import Enum
from typing import List

from .errors import ByzerSyntaxError
from .positions import Locator, caret_detail


class TokenKind(str, Enum):
    """What a token is; the value is how an error message or a debugger names it."""

    IDENT = "identifier"  # IDENTIFIER that is not a keyword
    KEYWORD = "keyword"  # IDENTIFIER whose lower-cased text is a grammar keyword
    QUOTED = "quoted"  # `backquoted`
    STRING = "string"  # '...' or "..."
    BLOCK = "block"  # '''...'''
    COMMAND = "command"  # !name
    PUNCT = "punct"  # one of ; . = , - / > < ~ !
    OTHER = "other"  # any other single character (Byzer's UNRECOGNIZED)
    EOF = "end of input"

    def __str__(self) -> str:  # the value, as a plain string constant would print
        return self.value


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

    def __init__(self, kind: TokenKind, text: str, start: int, end: int):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end

    @property
    def lower(self) -> str:
        return self.text.lower()

    def is_keyword(self, *words: str) -> bool:
        return self.kind == TokenKind.KEYWORD and self.text.lower() in words

    def is_punct(self, char: str) -> bool:
        return self.kind == TokenKind.PUNCT and self.text == char

    def show(self) -> str:
        """How an error message names this token."""
        if self.kind == TokenKind.EOF:
            return "end of input"
        text = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        if self.kind == TokenKind.OTHER:
            return f"unexpected character {text!r}"
        return f"'{text}'" if "'" not in text else f'"{text}"'

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.kind}, {self.text[:30]!r}, {self.start})"


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
            append(Token(TokenKind.KEYWORD if word.lower() in KEYWORDS else TokenKind.IDENT, word, position, end))
        elif char == "'" and text.startswith("'''", position):
            end = _block_string_end(text, position, fail)
            append(Token(TokenKind.BLOCK, text[position:end], position, end))
        elif char in _STRINGS:
            match = _STRINGS[char].match(text, position)
            if match is None:
                raise fail(position, f"unterminated string: the {char} opened here is never closed")
            end = match.end()
            append(Token(TokenKind.STRING, text[position:end], position, end))
        elif char == "`":
            match = _BACKQUOTED.match(text, position)
            if match is None:
                raise fail(position, "unterminated backquoted name: the ` opened here is never closed")
            end = match.end()
            append(Token(TokenKind.QUOTED, text[position:end], position, end))
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
            append(Token(TokenKind.COMMAND if match else TokenKind.PUNCT, text[position:end], position, end))
        elif char in _PUNCTUATION:
            end = position + 1
            append(Token(TokenKind.PUNCT, char, position, end))
        else:
            end = position + 1
            append(Token(TokenKind.OTHER, char, position, end))
        position = end
    append(Token(TokenKind.EOF, "", length, length))
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
