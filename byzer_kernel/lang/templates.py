"""Apache Velocity 1.7 compatible rendering of statement text (docs/spec.md §2.4).

Byzer renders every statement with Velocity, so `${x}`/`$x` interpolate and `##`, `#*`, `#set`, `#if`,
`#foreach`, `#macro`... are live, with Velocity's quirks kept: undefined references stay verbatim,
escapes depend on whether the reference is defined, a stray `#end` fails the statement, newlines after
directives are swallowed. This module parses the template body and its directives (references and
expressions: `templates_expressions`); `templates_eval` renders the nodes (`templates_nodes`).
"""
from __future__ import annotations

import re
from typing import Mapping

from .templates_eval import Renderer
from .templates_expressions import IDENTIFIER, ExpressionParser
from .templates_nodes import Define, Directive, Evaluate, Foreach, If, Macro, MacroCall, SetVar

_SPECIAL = re.compile(r"[$#]")
_DIRECTIVE = re.compile(r"#(?:\{([A-Za-z][A-Za-z0-9_]*)\}|([A-Za-z][A-Za-z0-9_]*))")
_EOL = re.compile(r"[ \t]*(?:\r\n|\n|\r)")
_DIRECTIVE_WORDS = {"if", "elseif", "else", "end", "foreach", "macro", "define", "set", "evaluate", "include",
                    "parse", "break", "stop"}


def render(text: str, context: Mapping[str, object]) -> str:
    """Render ``text`` with the variables in ``context``; raises TemplateError on a parse error."""
    if "$" not in text and "#" not in text:  # fast path: nothing Velocity would touch
        return text
    return Renderer(context, parse_template).render(parse_template(text))


def parse_template(text: str, nested: bool = False) -> list:
    """Nodes of ``text``; ``nested`` for the inside of a "string" (a trailing lone '#' is fine there)."""
    return _Parser(text, nested).parse()


class _Parser(ExpressionParser):
    def __init__(self, text: str, nested: bool):
        super().__init__(text)
        self.macros: set = set()  # names of the macros declared so far: `#name(...)` calls them
        self.nested = nested

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
            if not word or not (word in _DIRECTIVE_WORDS or word in self.macros):
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
        self.expect("(", f"#{word} must be followed by '('", at)

    def close_paren(self, word: str, at: int) -> None:
        self.expect(")", f"expected ')' to close #{word}(", at)
        self.eat_eol()

    def directive(self, word: str, at: int):
        if word in ("break", "stop"):
            return Directive(word)
        if word in ("include", "parse"):
            raise self.error(f"#{word} is not supported (no template files in Byzer scripts)", at)
        self.open_paren(word, at)
        if word == "set":
            target = self.target_ref(word, at)
            self.expect("=", "expected '=' in #set", at)
            value = self.expression()
            self.close_paren(word, at)
            return SetVar(target, value)
        if word == "evaluate":
            value = self.expression()
            self.close_paren(word, at)
            return Evaluate(value)
        if word in self.macros and word not in _DIRECTIVE_WORDS:
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
            var = self.target_ref(word, at)
            self.expect("in", "expected 'in' in #foreach", at)
            items = self.expression()
            self.close_paren(word, at)
            body, _, _ = self.block(("end",))
            return Foreach(var.root, items, body)
        if word == "macro":
            self.skip_ws()
            m = IDENTIFIER.match(self.text, self.pos)
            if not m:
                raise self.error("a macro declaration requires a name", at)
            name, self.pos = m.group(), m.end()
            params = []
            while True:
                if self.accept(","):
                    continue
                if not self.text.startswith("$", self.pos):
                    break
                params.append(self.target_ref(word, at).root)
            self.close_paren(word, at)
            self.macros.add(name)  # known from here on, as in Velocity's parse-time registration
            body, _, _ = self.block(("end",))
            return Macro(name, params, body)
        # define
        target = self.target_ref(word, at)
        self.close_paren(word, at)
        body, _, _ = self.block(("end",))
        return Define(target.root, body)
