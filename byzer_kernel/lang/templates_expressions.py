"""References and expressions of Velocity templates: `$a.b(c)[d]`, and what #set, #if, #foreach and
macro calls take as arguments ('text', "text with $refs", 1, 2.5, [list], [1..3], {k: v}, !, &&,
==, +, ...). `templates` parses the template body and its directives on top of this.
"""
from __future__ import annotations

import re

from .errors import TemplateError
from .positions import line_col
from .templates_nodes import (Binary, Call, Index, Interpolated, ListLiteral, Literal, MapLiteral, Not, Prop, Range,
                              Ref)

# Velocity 1.7 identifiers may contain '-' (so `$a-b` looks up `a-b`).
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_WS = re.compile(r"\s*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_OPERATOR = re.compile(r"\|\||&&|==|!=|<=|>=|[<>+\-*/%!]|(?:and|or|not|eq|ne|lt|gt|le|ge)(?![A-Za-z0-9_])")
_WORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
             "ge": ">="}
# Binary operators from the loosest to the tightest binding.
_BINARY_LEVELS = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]


class ExpressionParser:
    """Scans ``text`` from ``pos``; errors name the line and column of the template text."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def error(self, message: str, at: int) -> TemplateError:
        line, col = line_col(self.text, at)
        return TemplateError(f"Velocity template error at line {line}, column {col}: {message}")

    # -- references ----------------------------------------------------------------------------
    def reference(self, i: int):
        """Parse `$name...`, `${name...}`, `$!name...` at i; None when the `$` is plain text."""
        text, k = self.text, i + 1
        quiet = text.startswith("!", k)
        k += quiet
        formal = text.startswith("{", k)
        k += formal
        m = IDENTIFIER.match(text, k)
        if not m:
            return None, i + 1
        root, k, chain = m.group(), m.end(), []
        while k < len(text):
            c = text[k]
            if c == "." and (nm := IDENTIFIER.match(text, k + 1)):
                name, after = nm.group(), nm.end()
                if text.startswith("(", after):
                    saved, self.pos = self.pos, after + 1
                    try:
                        args = self.arguments(")")
                        chain.append(Call(name, args))
                        k = self.pos
                        self.pos = saved
                        continue
                    except TemplateError:
                        self.pos = saved
                        if formal:
                            raise
                chain.append(Prop(name))
                k = after
                if text.startswith("(", after):
                    break
                continue
            if c == "[":
                saved, self.pos = self.pos, k + 1
                try:
                    index = self.expression()
                    self.expect("]", "expected ']'", k)
                    chain.append(Index(index))
                    k = self.pos
                    self.pos = saved
                    continue
                except TemplateError:
                    self.pos = saved
                    break
            break
        if formal:
            if not text.startswith("}", k):
                raise self.error(f"reference ${{{root}... is not closed with '}}'", i)
            k += 1
        return Ref(text[i:k], root, chain, quiet), k

    def target_ref(self, word: str, at: int) -> Ref:
        """The $reference a directive assigns or declares (#set, #foreach, #macro, #define)."""
        self.skip_ws()
        if not self.text.startswith("$", self.pos):
            raise self.error(f"expected a $reference in #{word}", at)
        ref, end = self.reference(self.pos)
        if ref is None:
            raise self.error(f"expected a $reference in #{word}", at)
        self.pos = end
        return ref

    # -- expressions -----------------------------------------------------------------------------
    def skip_ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()

    def accept(self, word: str) -> bool:
        """Skip blanks, then ``word`` if it comes next."""
        self.skip_ws()
        if self.text.startswith(word, self.pos):
            self.pos += len(word)
            return True
        return False

    def expect(self, word: str, message: str, at: int) -> None:
        """Skip blanks, then ``word``, or fail with ``message`` placed at ``at`` (the construct's start)."""
        if not self.accept(word):
            raise self.error(message, at)

    def arguments(self, closer: str) -> list:
        """Expressions separated by commas or blanks, up to ``closer`` (consumed)."""
        args = []
        while True:
            if self.accept(closer):
                return args
            if self.accept(","):
                continue
            if self.pos >= len(self.text):
                raise self.error(f"expected '{closer}'", self.pos)
            args.append(self.expression())

    def expression(self, level: int = 0):
        if level == len(_BINARY_LEVELS):
            return self.unary()
        left = self.expression(level + 1)
        while True:
            self.skip_ws()
            m = _OPERATOR.match(self.text, self.pos)
            op = m and _WORD_OPS.get(m.group(), m.group())
            if not op or op not in _BINARY_LEVELS[level]:
                return left
            self.pos = m.end()
            left = Binary(op, left, self.expression(level + 1))

    def unary(self):
        self.skip_ws()
        m = _OPERATOR.match(self.text, self.pos)
        if m and _WORD_OPS.get(m.group(), m.group()) == "!":
            self.pos = m.end()
            return Not(self.unary())
        return self.primary()

    def primary(self):
        text, at = self.text, self.pos
        c = text[at:at + 1]
        if c == "$":
            ref, end = self.reference(at)
            if ref is None:
                raise self.error("expected a reference after '$'", at)
            self.pos = end
            return ref
        if c in ("'", '"'):
            out, k = [], at + 1
            while True:  # Velocity has no backslash escapes; a doubled quote is one quote
                close = text.find(c, k)
                if close < 0:
                    raise self.error("string literal is not closed", at)
                out.append(text[k:close])
                if text.startswith(c, close + 1):
                    out.append(c)
                    k = close + 2
                    continue
                self.pos = close + 1
                body = "".join(out)
                if c == "'" or ("$" not in body and "#" not in body):
                    return Literal(body)
                return Interpolated(body)
        if m := _NUMBER.match(text, at):  # `1..3` stops at the first dot, so ranges parse too
            self.pos = m.end()
            return Literal(float(m.group()) if m.group(1) or m.group(2) else int(m.group()))
        if c == "(":
            self.pos += 1
            inner = self.expression()
            self.expect(")", "expected ')'", at)
            return inner
        if c == "[":
            self.pos += 1
            if self.accept("]"):
                return ListLiteral([])
            first = self.expression()
            if self.accept(".."):
                last = self.expression()
                self.expect("]", "expected ']' to close the range", at)
                return Range(first, last)
            return ListLiteral([first] + self.arguments("]"))
        if c == "{":
            self.pos += 1
            pairs = []
            while True:
                if self.accept("}"):
                    return MapLiteral(pairs)
                if self.accept(","):
                    continue
                key = self.expression()
                self.expect(":", "expected ':' in map literal", at)
                pairs.append((key, self.expression()))
        for word, value in (("true", True), ("false", False)):
            if text.startswith(word, at) and not re.match(r"[A-Za-z0-9_]", text[at + len(word):at + len(word) + 1]):
                self.pos = at + len(word)
                return Literal(value)
        raise self.error(f"unexpected {text[at:at + 10]!r} in expression" if c else "unexpected end of text", at)
