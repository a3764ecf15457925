"""Read the first JSON value of a line the way Spark's Jackson parser is configured by default
(docs/spec.md §3.1): single quotes allowed, NaN/Infinity allowed, no comments, no unquoted names, no leading
zeros, no trailing commas. Whatever follows the first value is never looked at.

`first_value` tries the C-accelerated `json` decoder first (it accepts a subset of that grammar)
and only falls back to the hand-written reader for the rest (single quotes, `+INF`, options).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

_WHITESPACE = " \t\r\n"


@dataclass(frozen=True)
class JacksonFeatures:
    allow_single_quotes: bool = True
    allow_non_numeric_numbers: bool = True
    allow_comments: bool = False
    allow_unquoted_field_names: bool = False
    allow_backslash_escaping_any_character: bool = False
    allow_numeric_leading_zeros: bool = False

    @property
    def is_default(self) -> bool:
        return self == JacksonFeatures()


class JsonSyntaxError(ValueError):
    pass


def _reject_constant(name):
    raise JsonSyntaxError(f"non-numeric number {name} not allowed")


_DECODER = json.JSONDecoder()
_STRICT_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def first_value(line: str, features: JacksonFeatures):
    """The first JSON value of the line. Raises JsonSyntaxError when Jackson would fail before the
    value is complete, and LookupError when the line holds no value at all (blank)."""
    start = 0
    end = len(line)
    while start < end and line[start] in _WHITESPACE:
        start += 1
    if start == end:
        raise LookupError("blank line")
    if not features.allow_comments and not features.allow_unquoted_field_names:
        decoder = _DECODER if features.allow_non_numeric_numbers else _STRICT_DECODER
        try:
            return decoder.raw_decode(line, start)[0]
        except (ValueError, RecursionError):
            pass
    try:
        return _Reader(line, features).read_root(start)
    except (IndexError, RecursionError) as error:
        raise JsonSyntaxError(str(error)) from None


class _Reader:
    def __init__(self, text: str, features: JacksonFeatures):
        self.text, self.features, self.pos = text, features, 0

    def fail(self, what: str):
        raise JsonSyntaxError(f"{what} at column {self.pos + 1}")

    def skip_space(self) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in _WHITESPACE:
                self.pos += 1
            elif ch == "/" and self.features.allow_comments and text.startswith("//", self.pos):
                newline = text.find("\n", self.pos)
                self.pos = n if newline < 0 else newline + 1
            elif ch == "/" and self.features.allow_comments and text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2)
                if close < 0:
                    self.fail("unterminated comment")
                self.pos = close + 2
            else:
                return

    def read_root(self, start: int):
        self.pos = start
        self.skip_space()
        if self.pos >= len(self.text):
            raise LookupError("blank line")
        return self.value()

    def value(self):
        self.skip_space()
        ch = self.text[self.pos]
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.array()
        if ch == '"' or (ch == "'" and self.features.allow_single_quotes):
            return self.string(ch)
        if ch == "-" or ch == "+" or ch.isdigit():
            return self.number()
        for word, result in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                return self.literal(word, result)
        if self.features.allow_non_numeric_numbers:
            for word in ("NaN", "Infinity"):
                if self.text.startswith(word, self.pos):
                    return self.literal(word, math.nan if word == "NaN" else math.inf)
        self.fail(f"unexpected character {ch!r}")

    def literal(self, word: str, result):
        end = self.pos + len(word)
        if end < len(self.text) and (self.text[end].isalnum() or self.text[end] == "_"):
            self.fail("unrecognized token")
        self.pos = end
        return result

    def number(self):
        text, start = self.text, self.pos
        sign = text[start]
        if sign in "+-" and self.features.allow_non_numeric_numbers:
            for word in ("Infinity", "INF"):
                if text.startswith(word, start + 1):
                    self.pos = start + 1
                    value = self.literal(word, math.inf)
                    return -value if sign == "-" else value
        if sign == "+":
            self.fail("leading plus sign")
        digits_start = start + 1 if sign == "-" else start
        pos = self.digits(digits_start, "number without digits")
        if (text[digits_start] == "0" and pos - digits_start > 1
                and not self.features.allow_numeric_leading_zeros):
            self.pos = digits_start
            self.fail("leading zeros")
        is_float = False
        if pos < len(text) and text[pos] == ".":
            pos = self.digits(pos + 1, "decimal point without digits")
            is_float = True
        if pos < len(text) and text[pos] in "eE":
            pos += 1
            if pos < len(text) and text[pos] in "+-":
                pos += 1
            pos = self.digits(pos, "exponent without digits")
            is_float = True
        self.pos = pos
        literal = text[start:pos]
        return float(literal) if is_float else int(literal)

    def digits(self, pos: int, what: str) -> int:
        """Where the run of ASCII digits starting at `pos` ends; an empty run fails with `what`."""
        text, start = self.text, pos
        while pos < len(text) and text[pos].isdigit() and text[pos].isascii():
            pos += 1
        if pos == start:
            self.pos = pos
            self.fail(what)
        return pos

    def string(self, quote: str) -> str:
        text, pos = self.text, self.pos + 1
        parts = []
        while True:
            end = pos
            while end < len(text) and text[end] != quote and text[end] != "\\" and text[end] >= " ":
                end += 1
            parts.append(text[pos:end])
            if end >= len(text):
                self.pos = end
                self.fail("unterminated string")
            ch = text[end]
            if ch == quote:
                self.pos = end + 1
                return "".join(parts)
            if ch < " ":
                self.pos = end
                self.fail("unescaped control character in string")
            escaped = text[end + 1]
            pos = end + 2
            simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
            if escaped in simple:
                parts.append(simple[escaped])
            elif escaped == "u":
                code = text[pos:pos + 4]
                if len(code) != 4 or any(c not in "0123456789abcdefABCDEF" for c in code):
                    self.pos = pos
                    self.fail("bad unicode escape")
                parts.append(chr(int(code, 16)))
                pos += 4
            elif escaped == "'" and self.features.allow_single_quotes:
                parts.append("'")
            elif self.features.allow_backslash_escaping_any_character:
                parts.append(escaped)
            else:
                self.pos = end
                self.fail(f"unrecognized escape \\{escaped}")

    def name(self) -> str:
        self.skip_space()
        ch = self.text[self.pos]
        if ch == '"' or (ch == "'" and self.features.allow_single_quotes):
            return self.string(ch)
        if self.features.allow_unquoted_field_names and (ch.isalnum() or ch in "_$"):
            start = self.pos
            while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] in "_$"):
                self.pos += 1
            return self.text[start:self.pos]
        self.fail("expected a field name")

    def obj(self) -> dict:
        self.pos += 1
        result = {}
        self.skip_space()
        if self.text[self.pos] == "}":
            self.pos += 1
            return result
        while True:
            key = self.name()
            self.skip_space()
            if self.text[self.pos] != ":":
                self.fail("expected ':'")
            self.pos += 1
            result[key] = self.value()
            self.skip_space()
            ch = self.text[self.pos]
            self.pos += 1
            if ch == "}":
                return result
            if ch != ",":
                self.pos -= 1
                self.fail("expected ',' or '}'")

    def array(self) -> list:
        self.pos += 1
        result = []
        self.skip_space()
        if self.text[self.pos] == "]":
            self.pos += 1
            return result
        while True:
            result.append(self.value())
            self.skip_space()
            ch = self.text[self.pos]
            self.pos += 1
            if ch == "]":
                return result
            if ch != ",":
                self.pos -= 1
                self.fail("expected ',' or ']'")
