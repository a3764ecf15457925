"""Python values as Java shows and handles them, for Velocity templates and Spark's text output.

Byzer runs on the JVM, so a template's `$x` prints Java's `toString`, `$s.length()` calls
`String.length`, `==` compares as Velocity does, and Spark writes a double as `Double.toString`.
This module is that Java behaviour over Python values (str, int, float, bool, None, list, dict, and
objects with Java-named methods such as `ByzerDate`); the template renderer and the engine's text
formats both use it, so there is one answer to "how does Java print this".
"""
from __future__ import annotations

import inspect
import math
import re
from decimal import Decimal

from .errors import TemplateError

# "No such variable, property, method or element": unlike None (Java's null), a reference that
# resolves to MISSING is shown as written by the template.
MISSING = object()


# -- printing ------------------------------------------------------------------------------------
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
        return java_double(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(java_str(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{java_str(k)}={java_str(v)}" for k, v in value.items()) + "}"
    to_string = getattr(value, "toString", None)
    if callable(to_string):
        return str(to_string())
    return str(value)


def java_double(x: float) -> str:
    """Java's Double.toString: Python's shortest round-trip digits in Java's layout (plain between
    10^-3 and 10^7, else d.dddEn; NaN, Infinity, -0.0)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        text = repr(x)  # positional in this range
        return text if "." in text else text + ".0"
    _, digits, exponent = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits))
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{'-' if x < 0 else ''}{mantissa}E{exponent + len(digits) - 1}"


# -- comparing -----------------------------------------------------------------------------------
def is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def java_equals(a, b) -> bool:
    """Velocity's `==`: numbers by value, same classes by equals(), other classes by toString()."""
    if a is None or b is None:
        return a is None and b is None
    if is_number(a) and is_number(b):
        return a == b
    if type(a) is type(b):
        return a == b
    return java_str(a) == java_str(b)


# -- methods and properties ----------------------------------------------------------------------
def _java_replace_all(s, pattern, replacement):
    return re.sub(pattern, re.sub(r"\$(\d)", r"\\g<\1>", replacement), s)


def _java_split(s, pattern):
    parts = re.split(pattern, s)
    while parts and parts[-1] == "":  # Java drops trailing empty strings
        parts.pop()
    return parts


class _Entry:
    """A Map.Entry of `$map.entrySet()`."""

    def __init__(self, key, value):
        self.key, self.value = key, value

    def getKey(self):
        return self.key

    def getValue(self):
        return self.value


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
_COMMON_METHODS: dict = {"toString": java_str, "equals": java_equals}


def call_method(obj, name: str, args: list):
    """Call a Java-style method on a value; MISSING when there is no such method/signature."""
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
        return MISSING
    bound_args = [obj, *args] if table is not None else list(args)
    try:
        inspect.signature(fn).bind(*bound_args)
    except TypeError:
        return MISSING
    except ValueError:  # builtins without a signature: just try
        pass
    try:
        return fn(*bound_args)
    except Exception as error:  # Velocity's MethodInvocationException fails the whole render
        raise TemplateError(f"method {name}() failed: {type(error).__name__}: {error}") from error


def get_property(obj, name: str):
    """`$obj.name`: a map's key, else the getter getName()/isName(), else a plain attribute."""
    if isinstance(obj, dict):
        return obj[name] if name in obj else MISSING
    cap = name[:1].upper() + name[1:]
    for getter in ("get" + cap, "is" + cap):
        value = call_method(obj, getter, [])
        if value is not MISSING:
            return value
    if not isinstance(obj, (str, int, float, list, tuple)) and not name.startswith("_"):
        value = getattr(obj, name, MISSING)
        if value is not MISSING and not callable(value):
            return value
    return MISSING


def get_index(obj, key):
    """`$obj[key]`: a list element in range or a map's value; MISSING otherwise."""
    if isinstance(obj, (list, tuple)) and isinstance(key, int) and 0 <= key < len(obj):
        return obj[key]
    if isinstance(obj, dict):
        return obj.get(key, MISSING)
    return MISSING
