"""Evaluation half of the Velocity renderer (parsing is in `templates`): nodes, the renderer, and
Java-like behaviour of values (toString, String/List/Map methods) that Velocity templates rely on."""
from __future__ import annotations

import inspect
import math
import re
from decimal import Decimal
from typing import Callable, Mapping

from .errors import TemplateError

_MISSING = object()


# -- nodes (built by templates._Parser) ------------------------------------------------------------
class Ref:
    __slots__ = ("source", "root", "chain", "quiet", "slashes")

    def __init__(self, source, root, chain, quiet):
        self.source, self.root, self.chain, self.quiet, self.slashes = source, root, chain, quiet, 0


class Prop:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class Call:
    __slots__ = ("name", "args")

    def __init__(self, name, args):
        self.name, self.args = name, args


class Index:
    __slots__ = ("expr",)

    def __init__(self, expr):
        self.expr = expr


class SetVar:
    def __init__(self, target, value):
        self.target, self.value = target, value


class If:
    def __init__(self, branches, otherwise):
        self.branches, self.otherwise = branches, otherwise


class Foreach:
    def __init__(self, var, items, body):
        self.var, self.items, self.body = var, items, body


class Macro:
    def __init__(self, name, params, body):
        self.name, self.params, self.body = name, params, body


class MacroCall:
    def __init__(self, name, args):
        self.name, self.args = name, args


class Define:
    def __init__(self, name, body):
        self.name, self.body = name, body


class Evaluate:
    def __init__(self, expr):
        self.expr = expr


class Directive:  # #break / #stop
    def __init__(self, word):
        self.word = word


class _Break(Exception):
    pass


class _Stop(Exception):
    pass


# -- Java-like text of values -----------------------------------------------------------------------
def java_str(value) -> str:
    """How Java's toString shows a value: true/false, 1.0, 1.0E7, [a, b], {k=v}."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _java_double(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_str(k)}={java_str(v)}" for k, v in value.items()) + "}"
    to_string = getattr(value, "toString", None)
    if callable(to_string):
        return str(to_string())
    return str(value)


def _java_double(x: float) -> str:
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(x)
        return text if "." in text else text + ".0"
    _, digits, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits))
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{'-' if x < 0 else ''}{mantissa}E{exponent + len(digits) - 1}"


def _java_replace_all(s, pattern, replacement):
    return re.sub(pattern, re.sub(r"\$(\d)", r"\\g<\1>", replacement), s)


def _java_split(s, pattern):
    parts = re.split(pattern, s)
    while parts and parts[-1] == "":  # Java drops trailing empty strings
        parts.pop()
    return parts


_STRING_METHODS: dict = {
    "length": len, "toUpperCase": str.upper, "toLowerCase": str.lower, "trim": str.strip,
    "substring": lambda s, b, e=None: s[b:e], "replace": lambda s, a, b: s.replace(java_str(a), java_str(b)),
    "replaceAll": _java_replace_all, "replaceFirst": lambda s, p, r: re.sub(p, r, s, count=1),
    "contains": lambda s, x: java_str(x) in s, "startsWith": str.startswith, "endsWith": str.endswith,
    "indexOf": lambda s, x: s.find(java_str(x)), "lastIndexOf": lambda s, x: s.rfind(java_str(x)),
    "split": _java_split, "equalsIgnoreCase": lambda s, x: isinstance(x, str) and s.lower() == x.lower(),
    "isEmpty": lambda s: s == "", "concat": lambda s, x: s + x, "charAt": lambda s, i: s[i],
    "matches": lambda s, p: re.fullmatch(p, s) is not None,
}
_LIST_METHODS: dict = {
    "size": len, "get": lambda l, i: l[i], "isEmpty": lambda l: not l, "contains": lambda l, x: x in l,
    "add": lambda l, x: l.append(x) or True, "indexOf": lambda l, x: l.index(x) if x in l else -1,
}
_MAP_METHODS: dict = {
    "get": lambda m, k: m.get(k), "containsKey": lambda m, k: k in m, "keySet": lambda m: list(m),
    "values": lambda m: list(m.values()), "size": len, "isEmpty": lambda m: not m,
    "put": lambda m, k, v: (m.get(k), m.__setitem__(k, v))[0],
    "entrySet": lambda m: [_Entry(k, v) for k, v in m.items()],
}
_NUMBER_METHODS: dict = {"intValue": int, "longValue": int, "doubleValue": float}
_COMMON_METHODS: dict = {"toString": java_str, "equals": lambda a, b: _equal(a, b)}


class _Entry:
    def __init__(self, key, value):
        self.key, self.value = key, value

    def getKey(self):
        return self.key

    def getValue(self):
        return self.value


class _LoopInfo:
    """`$foreach` of Velocity 1.7."""

    def __init__(self, index, size):
        self.index, self.count = index, index + 1
        self.hasNext, self.first, self.last = index < size - 1, index == 0, index == size - 1


def _is_number(v) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if _is_number(a) and _is_number(b):
        return a == b
    if type(a) is type(b):
        return a == b
    return java_str(a) == java_str(b)  # Velocity compares toString() of different classes


def call_method(obj, name: str, args: list):
    """Call a Java-style method on a value; _MISSING when there is no such method/signature."""
    table = None
    if isinstance(obj, str):
        table = _STRING_METHODS
    elif isinstance(obj, list):
        table = _LIST_METHODS
    elif isinstance(obj, dict):
        table = _MAP_METHODS
    elif isinstance(obj, (int, float, tuple)):
        table = _NUMBER_METHODS
    if table is not None:
        fn = table.get(name) or _COMMON_METHODS.get(name)
    else:
        fn = None if name.startswith("_") else getattr(obj, name, None)
        if fn is None and name in _COMMON_METHODS:
            fn = lambda *a: _COMMON_METHODS[name](obj, *a)  # noqa: E731
    if not callable(fn):
        return _MISSING
    bound_args = [obj, *args] if table is not None else list(args)
    try:
        inspect.signature(fn).bind(*bound_args)
    except TypeError:
        return _MISSING
    except ValueError:  # builtins without a signature: just try
        pass
    try:
        return fn(*bound_args)
    except Exception as error:  # Velocity's MethodInvocationException fails the whole render
        raise TemplateError(f"method {name}() failed: {type(error).__name__}: {error}") from error


def get_property(obj, name: str):
    if isinstance(obj, dict):
        return obj[name] if name in obj else _MISSING
    cap = name[:1].upper() + name[1:]
    for getter in ("get" + cap, "is" + cap):
        value = call_method(obj, getter, [])
        if value is not _MISSING:
            return value
    if not isinstance(obj, (str, int, float, list, tuple)) and not name.startswith("_"):
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING and not callable(value):
            return value
    return _MISSING


def _get_index(obj, key):
    if isinstance(obj, (list, tuple)) and isinstance(key, int) and 0 <= key < len(obj):
        return obj[key]
    if isinstance(obj, dict):
        return obj.get(key, _MISSING)
    return _MISSING


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
    def __init__(self, context: Mapping[str, object], parse: Callable[[str], list]):
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
            if value is _MISSING:  # escaping an undefined reference changes nothing
                out.append("\\" * ref.slashes + ref.source)
                return
            out.append("\\" * (ref.slashes // 2))
            if ref.slashes % 2:
                out.append(ref.source)
                return
        if value is None or value is _MISSING:
            out.append("" if ref.quiet else ref.source)
        else:
            out.append(java_str(value))

    def resolve(self, ref: Ref, steps=None):
        """The reference's value; _MISSING if its root is undefined, None if a later step fails."""
        if ref.root not in self.scope:
            return _MISSING
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
                value = _get_index(value, self.value(step.expr))
            if value is _MISSING:
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
        elif owner not in (None, _MISSING) and type(last) is Prop:
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
        saved = {name: local.get(name, _MISSING) for name in names}
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
        saved = {name: local.get(name, _MISSING) for name in macro.params}
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
            if value is _MISSING:
                local.pop(name, None)
            else:
                local[name] = value

    # -- expressions --------------------------------------------------------------------------------
    def value(self, expr):
        kind = expr[0]
        if kind in ("lit", "bool"):
            return expr[1]
        if kind == "str":
            return self.render_nested(expr[1])
        if kind == "ref":
            value = self.resolve(expr[1])
            return None if value is _MISSING else value
        if kind == "list":
            return [self.value(e) for e in expr[1]]
        if kind == "range":
            first, last = self.value(expr[1]), self.value(expr[2])
            if not (isinstance(first, int) and isinstance(last, int)):
                return None
            return list(range(first, last + 1)) if first <= last else list(range(first, last - 1, -1))
        if kind == "map":
            return {self.value(k): self.value(v) for k, v in expr[1]}
        if kind == "not":
            return not self.truth(expr[1])
        return self.binary(expr[1], expr[2], expr[3])

    def truth(self, expr) -> bool:
        kind = expr[0]
        if kind == "bool":
            return expr[1]
        if kind == "ref":
            value = self.value(expr)
            return value is not None and value is not False
        if kind == "not":
            return not self.truth(expr[1])
        if kind == "bin" and expr[1] in ("&&", "||", "==", "!=", "<", ">", "<=", ">="):
            return bool(self.binary(expr[1], expr[2], expr[3]))
        return False  # Velocity 1.7: literals and arithmetic are false as a condition

    def binary(self, op, left, right):
        if op == "&&":
            return self.truth(left) and self.truth(right)
        if op == "||":
            return self.truth(left) or self.truth(right)
        a, b = self.value(left), self.value(right)
        if op == "==":
            return _equal(a, b)
        if op == "!=":
            return not _equal(a, b)
        numbers = _is_number(a) and _is_number(b)
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
