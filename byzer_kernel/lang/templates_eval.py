"""Rendering of parsed Velocity templates (`templates` parses): the variables in scope, #set,
#if, #foreach, macros and #define, and the value of expressions. What values print as, how they
compare and which Java methods they have is `java_values`.
"""
from __future__ import annotations

import math
from typing import Callable, Mapping

from .java_values import MISSING, call_method, get_index, get_property, is_number, java_equals, java_str
from .templates_nodes import (Binary, Call, Define, Evaluate, Foreach, If, Interpolated, ListLiteral, Literal, Macro,
                              MacroCall, MapLiteral, Not, Prop, Range, Ref, SetVar)


class _Break(Exception):
    """#break: leaves the innermost #foreach (or the whole render outside one)."""


class _Stop(Exception):
    """#stop: ends the render, keeping what was written so far."""


class _LoopInfo:
    """`$foreach` of Velocity 1.7."""

    def __init__(self, index, size):
        self.index, self.count = index, index + 1
        self.hasNext, self.first, self.last = index < size - 1, index == 0, index == size - 1


class _Block:
    """Value of `#define($x)...#end`: rendered when shown."""

    def __init__(self, renderer, body):
        self.renderer, self.body = renderer, body

    def toString(self):
        out: list = []
        self.renderer.emit(self.body, out)
        return "".join(out)


# -- the renderer -------------------------------------------------------------------------------
class Renderer:
    """One render of one statement: its variables (a copy of the context), the macros declared so
    far, and ``parse`` for the "strings" and #evaluate text that are templates themselves."""

    def __init__(self, context: Mapping[str, object], parse: Callable[[str, bool], list]):
        # A copy: `#set` and loop variables never change the caller's variables.
        self.scope = dict(context)
        self.parse = parse
        self.macros: dict = {}

    def render(self, nodes: list) -> str:
        out: list = []
        try:
            self.emit(nodes, out)
        except (_Stop, _Break):
            pass
        return "".join(out)

    def render_nested(self, text: str) -> str:
        """Interpolated "strings" and #evaluate share this render's variables and macros."""
        if "$" not in text and "#" not in text:
            return text
        out: list = []
        self.emit(self.parse(text, True), out)
        return "".join(out)

    def emit(self, nodes: list, out: list) -> None:
        for node in nodes:
            kind = type(node)
            if kind is str:
                out.append(node)
            elif kind is Ref:
                self.emit_ref(node, out)
            elif kind is SetVar:
                self.assign(node)
            elif kind is If:
                for cond, body in node.branches:
                    if self.truth(cond):
                        self.emit(body, out)
                        break
                else:
                    self.emit(node.otherwise, out)
            elif kind is Foreach:
                self.loop(node, out)
            elif kind is Macro:
                self.macros[node.name] = node
            elif kind is MacroCall:
                self.call_macro(node, out)
            elif kind is Define:
                self.scope[node.name] = _Block(self, node.body)
            elif kind is Evaluate:
                value = self.value(node.expr)
                if value is not None:
                    out.append(self.render_nested(java_str(value)))
            else:
                raise _Break() if node.word == "break" else _Stop()

    def emit_ref(self, ref: Ref, out: list) -> None:
        value = self.resolve(ref)
        if ref.slashes:
            if value is MISSING:  # escaping an undefined reference changes nothing
                out.append("\\" * ref.slashes + ref.source)
                return
            out.append("\\" * (ref.slashes // 2))
            if ref.slashes % 2:
                out.append(ref.source)
                return
        if value is None or value is MISSING:
            out.append("" if ref.quiet else ref.source)
        else:
            out.append(java_str(value))

    def resolve(self, ref: Ref, steps=None):
        """The reference's value; MISSING if its root is undefined, None if a later step fails."""
        if ref.root not in self.scope:
            return MISSING
        value = self.scope[ref.root]
        for step in ref.chain if steps is None else steps:
            if value is None:
                return None
            kind = type(step)
            if kind is Prop:
                value = get_property(value, step.name)
            elif kind is Call:
                value = call_method(value, step.name, [self.value(a) for a in step.args])
            else:
                value = get_index(value, self.value(step.expr))
            if value is MISSING:
                return None
        return value

    def assign(self, node: SetVar) -> None:
        value = self.value(node.value)
        if value is None:  # Velocity 1.7: a null right side leaves the target unchanged
            return
        target = node.target
        if not target.chain:
            self.scope[target.root] = value
            return
        owner = self.resolve(target, target.chain[:-1])
        last = target.chain[-1]
        if isinstance(owner, dict) and type(last) is Prop:
            owner[last.name] = value
        elif owner not in (None, MISSING) and type(last) is Prop:
            call_method(owner, "set" + last.name[:1].upper() + last.name[1:], [value])

    def loop(self, node: Foreach, out: list) -> None:
        items = self.value(node.items)
        if isinstance(items, dict):
            items = list(items.values())
        elif items is None or isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
            items = []
        items = list(items)
        names = (node.var, "velocityCount", "velocityHasNext", "foreach")
        local = self.scope
        saved = {name: local.get(name, MISSING) for name in names}
        try:
            for index, item in enumerate(items):
                local[node.var] = item
                local["velocityCount"], local["velocityHasNext"] = index + 1, index < len(items) - 1
                local["foreach"] = _LoopInfo(index, len(items))
                try:
                    self.emit(node.body, out)
                except _Break:
                    break
        finally:
            self._restore(saved)

    def call_macro(self, node: MacroCall, out: list) -> None:
        macro = self.macros.get(node.name)
        if macro is None:
            return
        args = [self.value(a) for a in node.args]
        local = self.scope
        saved = {name: local.get(name, MISSING) for name in macro.params}
        try:
            for name, value in zip(macro.params, args):
                if value is not None:
                    local[name] = value
            self.emit(macro.body, out)
        finally:
            self._restore(saved)

    def _restore(self, saved: dict) -> None:
        local = self.scope
        for name, value in saved.items():
            if value is MISSING:
                local.pop(name, None)
            else:
                local[name] = value

    # -- expressions --------------------------------------------------------------------------------
    def value(self, expr):
        kind = type(expr)
        if kind is Literal:
            return expr.value
        if kind is Interpolated:
            return self.render_nested(expr.text)
        if kind is Ref:
            value = self.resolve(expr)
            return None if value is MISSING else value
        if kind is ListLiteral:
            return [self.value(e) for e in expr.items]
        if kind is Range:
            first, last = self.value(expr.first), self.value(expr.last)
            if not (isinstance(first, int) and isinstance(last, int)):
                return None
            return list(range(first, last + 1)) if first <= last else list(range(first, last - 1, -1))
        if kind is MapLiteral:
            return {self.value(k): self.value(v) for k, v in expr.pairs}
        if kind is Not:
            return not self.truth(expr.operand)
        return self.binary(expr.op, expr.left, expr.right)

    def truth(self, expr) -> bool:
        kind = type(expr)
        if kind is Literal:
            return expr.value is True  # Velocity 1.7: only `true` among literals holds as a condition
        if kind is Ref:
            value = self.value(expr)
            return value is not None and value is not False
        if kind is Not:
            return not self.truth(expr.operand)
        if kind is Binary and expr.op in ("&&", "||", "==", "!=", "<", ">", "<=", ">="):
            return bool(self.binary(expr.op, expr.left, expr.right))
        return False  # Velocity 1.7: arithmetic is false as a condition

    def binary(self, op, left, right):
        if op == "&&":
            return self.truth(left) and self.truth(right)
        if op == "||":
            return self.truth(left) or self.truth(right)
        a, b = self.value(left), self.value(right)
        if op == "==":
            return java_equals(a, b)
        if op == "!=":
            return not java_equals(a, b)
        numbers = is_number(a) and is_number(b)
        if op in ("<", ">", "<=", ">="):
            if not numbers:
                return False
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        if op == "+" and not numbers:
            return None if a is None or b is None else java_str(a) + java_str(b)
        if not numbers:
            return None
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return None
        if isinstance(a, int) and isinstance(b, int):  # Java integer division truncates toward zero
            quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            return quotient if op == "/" else a - b * quotient
        return a / b if op == "/" else math.fmod(a, b)
