"""Apache Velocity 1.7 compatible rendering of statement text (SPEC §2.4).

Byzer renders every statement with Velocity, so `${x}`/`$x` interpolate and `##`, `#*`, `#set`, `#if`,
`#foreach`, `#macro`... are live, with Velocity's quirks kept: undefined references stay verbatim,
escapes depend on whether the reference is defined, a stray `#end` fails the statement, newlines after
directives are swallowed. This module parses; `templates_eval` evaluates.
"""
from __future__ import annotations

import re
from typing import Mapping

from .errors import TemplateError
from .templates_eval import (Call, Define, Directive, Evaluate, Foreach, If, Index, Macro, MacroCall, Prop, Ref,
                             Renderer, SetVar, java_str)

__all__ = ["render", "java_str"]

_SPECIAL = re.compile(r"[$#]")
# Velocity 1.7 identifiers may contain '-' (so `$a-b` looks up `a-b`).
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_DIRECTIVE = re.compile(r"#(?:\{([A-Za-z][A-Za-z0-9_]*)\}|([A-Za-z][A-Za-z0-9_]*))")
_EOL = re.compile(r"[ \t]*(?:\r\n|\n|\r)")
_WS = re.compile(r"\s*")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_OPERATOR = re.compile(r"\|\||&&|==|!=|<=|>=|[<>+\-*/%!]|(?:and|or|not|eq|ne|lt|gt|le|ge)(?![A-Za-z0-9_])")
_WORD_OPS = {"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=",
             "ge": ">="}
_BINARY_LEVELS = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]
_BLOCK_DIRECTIVES = {"if", "foreach", "macro", "define"}
_ARG_DIRECTIVES = _BLOCK_DIRECTIVES | {"elseif", "evaluate", "include", "parse"}
_KNOWN = _ARG_DIRECTIVES | {"set", "else", "end", "break", "stop"}


def render(text: str, context: Mapping[str, object]) -> str:
    """Render ``text`` with the variables in ``context``; raises TemplateError on a parse error."""
    if "$" not in text and "#" not in text:  # fast path: nothing Velocity would touch
        return text
    return Renderer(context, parse_template).render(parse_template(text))


def parse_template(text: str, nested: bool = False) -> list:
    """Nodes of ``text``; ``nested`` for the inside of a "string" (a trailing lone '#' is fine there)."""
    parser = _Parser(text)
    parser.nested = nested
    return parser.parse()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.macros: set = set()
        self.nested = False

    # -- errors ------------------------------------------------------------------------------
    def error(self, message: str, at: int) -> TemplateError:
        line = self.text.count("\n", 0, at) + 1
        col = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return TemplateError(f"Velocity template error at line {line}, column {col}: {message}")

    # -- template body -------------------------------------------------------------------------
    def parse(self) -> list:
        nodes, closer, at = self.block(())
        if closer:  # a block terminator with nothing open
            raise self.error(f"#{closer} without a matching #if/#foreach/#macro/#define", at)
        return nodes

    def block(self, closers: tuple):
        """Nodes up to one of ``closers`` (else/elseif/end). Returns (nodes, closer word or "", position)."""
        text, out = self.text, []
        run_start = self.pos  # where the current run of plain text began (for #set's whitespace rule)
        while True:
            m = _SPECIAL.search(text, self.pos)
            if m is None:
                out.append(text[self.pos:])
                self.pos = len(text)
                if closers:
                    raise self.error("missing #end: a #if/#foreach/#macro/#define block is not closed", len(text))
                return out, "", len(text)
            i = m.start()
            j = i
            while j > self.pos and text[j - 1] == "\\":
                j -= 1
            slashes = i - j
            if text[i] == "$":
                ref, end = self.reference(i)
                if ref is None:
                    self.lone_special_at_end(i)
                    out.append(text[self.pos:i + 1])
                    self.pos = i + 1
                    continue
                out.append(text[self.pos:j])
                ref.slashes = slashes
                out.append(ref)
                self.pos = run_start = end
                continue
            # '#': comment, raw block or directive
            if text.startswith("##", i):
                out.append(text[self.pos:i])
                nl = text.find("\n", i)
                self.pos = run_start = len(text) if nl < 0 else nl + 1
                continue
            if text.startswith("#*", i):
                out.append(text[self.pos:i])
                close = text.find("*#", i + 2)
                self.pos = run_start = len(text) if close < 0 else close + 2
                continue
            if text.startswith("#[[", i):
                close = text.find("]]#", i + 3)
                if close < 0:
                    raise self.error("#[[ raw block is not closed with ]]#", i)
                out.append(text[self.pos:i])
                out.append(text[i + 3:close])
                self.pos = run_start = close + 3
                continue
            dm = _DIRECTIVE.match(text, i)
            word = dm and (dm.group(1) or dm.group(2))
            if not word or not (word in _KNOWN or word in self.macros):
                self.lone_special_at_end(i)
                out.append(text[self.pos:i + 1])
                self.pos = i + 1
                continue
            if word == "set" and not re.match(r" *\(", text[dm.end():dm.end() + 200]):
                out.append(text[self.pos:i + 1])  # `#set x`: plain text
                self.pos = i + 1
                continue
            lead = text[run_start:j]
            if word == "set" and slashes == 0 and lead.strip(" \t") == "" and self.pos == run_start:
                out.append("")  # Velocity's lexer swallows blanks that start a text run before #set
            else:
                out.append(text[self.pos:j])
            if slashes:
                out.append("\\" * (slashes // 2))
                if slashes % 2:  # escaped directive: its word is plain text
                    out.append(dm.group(0))
                    self.pos = dm.end()
                    continue
            self.pos = dm.end()
            if word in ("else", "elseif", "end"):
                if word not in closers:
                    raise self.error(f"#{word} without a matching #if" if word != "end" else
                                     "#end without a matching #if/#foreach/#macro/#define", i)
                if word != "elseif":
                    self.eat_eol()
                return out, word, i
            out.append(self.directive(word, i))
            run_start = self.pos

    def lone_special_at_end(self, i: int) -> None:
        if i == len(self.text) - 1 and not self.nested:  # Velocity's lexer fails on a '$' or '#' that ends the text
            raise self.error(f"the text ends with a lone '{self.text[i]}' (Velocity cannot parse it; "
                             "add a character after it)", i)

    def eat_eol(self) -> None:
        m = _EOL.match(self.text, self.pos)
        if m:
            self.pos = m.end()

    def open_paren(self, word: str, at: int) -> None:
        self.skip_ws()
        if not self.text.startswith("(", self.pos):
            raise self.error(f"#{word} must be followed by '('", at)
        self.pos += 1

    def close_paren(self, word: str, at: int) -> None:
        self.skip_ws()
        if not self.text.startswith(")", self.pos):
            raise self.error(f"expected ')' to close #{word}(", at)
        self.pos += 1
        self.eat_eol()

    def directive(self, word: str, at: int):
        if word in ("break", "stop"):
            return Directive(word)
        if word in ("include", "parse"):
            raise self.error(f"#{word} is not supported (no template files in Byzer scripts)", at)
        self.open_paren(word, at)
        if word == "set":
            self.skip_ws()
            target = self.target_ref(word, at)
            self.skip_ws()
            if not self.text.startswith("=", self.pos):
                raise self.error("expected '=' in #set", at)
            self.pos += 1
            value = self.expression()
            self.close_paren(word, at)
            return SetVar(target, value)
        if word == "evaluate":
            value = self.expression()
            self.close_paren(word, at)
            return Evaluate(value)
        if word in self.macros and word not in _KNOWN:
            args = self.arguments(")")
            self.eat_eol()
            return MacroCall(word, args)
        if word == "if":
            branches, otherwise = [], []
            cond = self.expression()
            self.close_paren(word, at)
            while True:
                body, closer, where = self.block(("else", "elseif", "end"))
                if closer == "elseif":
                    branches.append((cond, body))
                    self.open_paren("elseif", where)
                    cond = self.expression()
                    self.close_paren("elseif", where)
                    continue
                branches.append((cond, body))
                if closer == "else":
                    otherwise, _, _ = self.block(("end",))
                return If(branches, otherwise)
        if word == "foreach":
            self.skip_ws()
            var = self.target_ref(word, at)
            self.skip_ws()
            if not self.text.startswith("in", self.pos):
                raise self.error("expected 'in' in #foreach", at)
            self.pos += 2
            items = self.expression()
            self.close_paren(word, at)
            body, _, _ = self.block(("end",))
            return Foreach(var.root, items, body)
        if word == "macro":
            self.skip_ws()
            m = _IDENT.match(self.text, self.pos)
            if not m:
                raise self.error("a macro declaration requires a name", at)
            name, self.pos = m.group(), m.end()
            params = []
            while True:
                self.skip_ws()
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                    continue
                if not self.text.startswith("$", self.pos):
                    break
                params.append(self.target_ref(word, at).root)
            self.close_paren(word, at)
            self.macros.add(name)  # known from here on, as in Velocity's parse-time registration
            body, _, _ = self.block(("end",))
            return Macro(name, params, body)
        # define
        self.skip_ws()
        target = self.target_ref(word, at)
        self.close_paren(word, at)
        body, _, _ = self.block(("end",))
        return Define(target.root, body)

    # -- references ----------------------------------------------------------------------------
    def reference(self, i: int):
        """Parse `$name...`, `${name...}`, `$!name...` at i; None when the `$` is plain text."""
        text, k = self.text, i + 1
        quiet = text.startswith("!", k)
        k += quiet
        formal = text.startswith("{", k)
        k += formal
        m = _IDENT.match(text, k)
        if not m:
            return None, i + 1
        root, k, chain = m.group(), m.end(), []
        while k < len(text):
            c = text[k]
            if c == "." and (nm := _IDENT.match(text, k + 1)):
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
                    self.skip_ws()
                    if not text.startswith("]", self.pos):
                        raise self.error("expected ']'", k)
                    chain.append(Index(index))
                    k = self.pos + 1
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

    def arguments(self, closer: str) -> list:
        """Expressions separated by commas or blanks, up to ``closer`` (consumed)."""
        args = []
        while True:
            self.skip_ws()
            if self.text.startswith(closer, self.pos):
                self.pos += len(closer)
                return args
            if self.text.startswith(",", self.pos):
                self.pos += 1
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
            left = ("bin", op, left, self.expression(level + 1))

    def unary(self):
        self.skip_ws()
        m = _OPERATOR.match(self.text, self.pos)
        if m and _WORD_OPS.get(m.group(), m.group()) == "!":
            self.pos = m.end()
            return ("not", self.unary())
        return self.primary()

    def primary(self):
        text, at = self.text, self.pos
        c = text[at:at + 1]
        if c == "$":
            ref, end = self.reference(at)
            if ref is None:
                raise self.error("expected a reference after '$'", at)
            self.pos = end
            return ("ref", ref)
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
                return ("lit", body) if c == "'" or ("$" not in body and "#" not in body) else ("str", body)
        if m := _NUMBER.match(text, at):  # `1..3` stops at the first dot, so ranges parse too
            self.pos = m.end()
            return ("lit", float(m.group()) if m.group(1) or m.group(2) else int(m.group()))
        if c == "(":
            self.pos += 1
            inner = self.expression()
            self.skip_ws()
            if not text.startswith(")", self.pos):
                raise self.error("expected ')'", at)
            self.pos += 1
            return inner
        if c == "[":
            self.pos += 1
            self.skip_ws()
            if text.startswith("]", self.pos):
                self.pos += 1
                return ("list", [])
            first = self.expression()
            self.skip_ws()
            if text.startswith("..", self.pos):
                self.pos += 2
                last = self.expression()
                self.skip_ws()
                if not text.startswith("]", self.pos):
                    raise self.error("expected ']' to close the range", at)
                self.pos += 1
                return ("range", first, last)
            return ("list", [first] + self.arguments("]"))
        if c == "{":
            self.pos += 1
            pairs = []
            while True:
                self.skip_ws()
                if text.startswith("}", self.pos):
                    self.pos += 1
                    return ("map", pairs)
                if text.startswith(",", self.pos):
                    self.pos += 1
                    continue
                key = self.expression()
                self.skip_ws()
                if not text.startswith(":", self.pos):
                    raise self.error("expected ':' in map literal", at)
                self.pos += 1
                pairs.append((key, self.expression()))
        for word, value in (("true", True), ("false", False)):
            if text.startswith(word, at) and not re.match(r"[A-Za-z0-9_]", text[at + len(word):at + len(word) + 1]):
                self.pos = at + len(word)
                return ("bool", value)
        raise self.error(f"unexpected {text[at:at + 10]!r} in expression" if c else "unexpected end of text", at)
