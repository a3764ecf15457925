"""What a parsed Velocity template is made of: text (plain ``str``), references, directives and the
expressions inside them. `templates` builds these, `templates_eval` renders them; both dispatch on
the class, so every node and every expression is a class here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Tuple


# -- references: $name, ${name.prop}, $!name.method(args)[index] --------------------------------
@dataclass(slots=True)
class Prop:
    name: str


@dataclass(slots=True)
class Call:
    name: str
    args: list


@dataclass(slots=True)
class Index:
    expr: Any


@dataclass(slots=True)
class Ref:
    """A reference as text (``source``, shown as written when undefined) and as a lookup: ``root``
    then ``chain`` of Prop/Call/Index steps. ``quiet`` for `$!x`; ``slashes`` are the backslashes
    written before it (escapes, whose meaning depends on whether the reference is defined)."""

    source: str
    root: str
    chain: list
    quiet: bool
    slashes: int = 0


# -- expressions (a Ref is one too) --------------------------------------------------------------
@dataclass(slots=True)
class Literal:
    """'single-quoted' text, a number, true or false."""

    value: Any


@dataclass(slots=True)
class Interpolated:
    """"double-quoted" text holding `$` or `#`: rendered each time it is evaluated."""

    text: str


@dataclass(slots=True)
class ListLiteral:
    items: list


@dataclass(slots=True)
class Range:
    """[first..last], either way round."""

    first: Any
    last: Any


@dataclass(slots=True)
class MapLiteral:
    pairs: List[Tuple[Any, Any]]


@dataclass(slots=True)
class Not:
    operand: Any


@dataclass(slots=True)
class Binary:
    op: str  # the symbol: word operators (and, eq, ...) are read as &&, ==, ...
    left: Any
    right: Any


# -- directives ----------------------------------------------------------------------------------
@dataclass(slots=True)
class SetVar:
    target: Ref
    value: Any


@dataclass(slots=True)
class If:
    branches: List[Tuple[Any, list]]  # (condition, body) of #if and each #elseif
    otherwise: list


@dataclass(slots=True)
class Foreach:
    var: str
    items: Any
    body: list


@dataclass(slots=True)
class Macro:
    name: str
    params: List[str]
    body: list


@dataclass(slots=True)
class MacroCall:
    name: str
    args: list


@dataclass(slots=True)
class Define:
    name: str
    body: list


@dataclass(slots=True)
class Evaluate:
    expr: Any


@dataclass(slots=True)
class Directive:
    word: str  # "break" or "stop"
