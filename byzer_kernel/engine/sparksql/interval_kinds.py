"""Spark's three interval types, as text and as sqlglot DataTypes, without any DuckDB: a year-month
interval (`interval year`, `interval year to month`, `interval month`) counts months, a day-time
one (`interval day` ... `interval second`) microseconds, a calendar interval (`interval`) all three.

A kind is Spark's type name (`interval day to hour`). The type phase (result_types.py) gives an
interval literal the DataType of its kind, so that the columns it feeds (VALUES, subqueries) keep
it; the rewrite reads it back with `kind_of_type`.
"""
from __future__ import annotations

import decimal
import re
from typing import Optional

from sqlglot import exp

YEAR_MONTH, DAY_TIME, CALENDAR = "interval year to month", "interval day to second", "interval"

MONTHS = {"YEAR": 12, "MONTH": 1}
MICROS = {"WEEK": 7 * 86_400_000_000, "DAY": 86_400_000_000, "HOUR": 3_600_000_000,
          "MINUTE": 60_000_000, "SECOND": 1_000_000, "MILLISECOND": 1_000, "MICROSECOND": 1}
DAY_TIME_FIELDS = ["DAY", "HOUR", "MINUTE", "SECOND"]
_YEAR_MONTH_FIELDS = ["YEAR", "MONTH"]


def family(kind: str) -> str:
    """YEAR_MONTH, DAY_TIME or CALENDAR: how the interval is kept in DuckDB."""
    if kind == CALENDAR:
        return CALENDAR
    return YEAR_MONTH if span_of(kind)[0] in MONTHS else DAY_TIME


def span_of(kind: str) -> tuple:
    """('DAY', 'HOUR') of 'interval day to hour'."""
    words = kind.upper().split()[1:]
    return words[0], words[-1]


def kind_name(start: str, end: str) -> str:
    return f"interval {start.lower()}" + ("" if start == end else f" to {end.lower()}")


def widest(kinds) -> Optional[str]:
    """The kind spanning all of `kinds` (Spark's wider type of intervals of one family), None when
    they are of different families or a calendar interval is among them."""
    families = {family(kind) for kind in kinds}
    if len(families) != 1 or CALENDAR in families:
        return None
    order = DAY_TIME_FIELDS if families == {DAY_TIME} else _YEAR_MONTH_FIELDS
    fields = [field for kind in kinds for field in span_of(kind)]
    return kind_name(min(fields, key=order.index), max(fields, key=order.index))


# -- as sqlglot DataTypes ------------------------------------------------------------------------
def data_type(kind: str) -> exp.DataType:
    """The DataType of a kind: INTERVAL with the fields as its argument (its `this` stays the
    INTERVAL type, which the type rules test)."""
    if kind == CALENDAR:
        return exp.DataType(this=exp.DataType.Type.INTERVAL)
    start, end = span_of(kind)
    unit = exp.var(start) if start == end else exp.IntervalSpan(this=exp.var(start), expression=exp.var(end))
    return exp.DataType(this=exp.DataType.Type.INTERVAL, expressions=[unit])


def kind_of_type(data_type_: Optional[exp.DataType]) -> Optional[str]:
    """The kind a DataType from `data_type` (or sqlglot's own `INTERVAL MONTH`) stands for."""
    if not isinstance(data_type_, exp.DataType):
        return None
    unit = None
    if data_type_.this == exp.DataType.Type.INTERVAL and data_type_.expressions:
        unit = data_type_.expressions[0]
    elif isinstance(data_type_.this, exp.Interval):  # exp.DataType.build("interval day", "spark")
        unit = data_type_.this.args.get("unit")
    if isinstance(unit, exp.IntervalSpan):
        return kind_name(unit.this.name.upper(), unit.expression.name.upper())
    if unit is not None:
        return kind_name(unit.name.upper(), unit.name.upper())
    return None


# -- literals ------------------------------------------------------------------------------------
def read_literal(node: exp.Interval) -> Optional[tuple]:
    """(kind, months or microseconds) of a Spark interval literal: `INTERVAL '3-1' YEAR TO MONTH`,
    `INTERVAL -'5' DAY`, `INTERVAL '1 day 2 hours'`; None when it is no constant. Raises ValueError
    (or an ArithmeticError) when the text does not read as the unit says."""
    value, unit = node.this, node.args.get("unit")
    if not isinstance(value, (exp.Literal, exp.Neg)):
        return None
    text = value.this.name if isinstance(value, exp.Neg) else value.name
    sign = -1 if isinstance(value, exp.Neg) else 1
    if isinstance(unit, exp.IntervalSpan):
        kind, amount = _span(text, unit.this.name.upper(), unit.expression.name.upper())
    elif unit is None and re.search(r"[a-zA-Z]", text):
        kind, amount = _unit_pairs(text)
    else:
        kind, amount = _single(text, _unit_name(unit.name if unit is not None else "DAY"))
    return kind, sign * amount


def literal_kind(node: exp.Interval) -> Optional[str]:
    try:
        found = read_literal(node)
    except (ArithmeticError, ValueError, KeyError, AttributeError):
        return None
    return found[0] if found else None


def _unit_name(unit: str) -> str:
    unit = unit.upper()
    return unit[:-1] if unit.endswith("S") else unit


def _single(text: str, unit: str):
    amount = decimal.Decimal(text.strip())
    if unit in MONTHS:
        return kind_name(unit, unit), int(amount * MONTHS[unit])
    field = {"WEEK": "DAY", "MILLISECOND": "SECOND", "MICROSECOND": "SECOND"}.get(unit, unit)
    return kind_name(field, field), int(amount * MICROS[unit])


def _unit_pairs(text: str):
    """`'1 day 2 hours'`: the sum of its value-unit pairs, spanning their fields (Spark rejects a
    mix of year-month and day-time units)."""
    words = text.split()
    if not words or len(words) % 2:
        raise ValueError(text)
    pairs = [_single(value, _unit_name(unit)) for value, unit in zip(words[::2], words[1::2])]
    kind = widest([kind for kind, _ in pairs])
    if kind is None:
        raise ValueError(text)
    return kind, sum(amount for _, amount in pairs)


def _span(text: str, start: str, end: str):
    text = text.strip()
    negative = text.startswith("-")
    body = text.lstrip("+-")
    if start in MONTHS:
        years, _, months = body.partition("-") if start != end else (body, "", "0")
        total = int(years) * MONTHS[start] + int(months or 0)
        return kind_name(start, end), -total if negative else total
    fields = DAY_TIME_FIELDS[DAY_TIME_FIELDS.index(start):DAY_TIME_FIELDS.index(end) + 1]
    values = re.split(r"[ :]", body)
    if len(values) != len(fields):
        raise ValueError(text)
    micros = sum(decimal.Decimal(v) * MICROS[f] for v, f in zip(values, fields))
    return kind_name(start, end), int(-micros if negative else micros)
