"""Spark's names of operators and predicates: `(a + b)` in parentheses, `a LIKE b` without,
`x != y` as `(NOT (x = y))`, BETWEEN as the two comparisons Spark makes of it, CASE x WHEN v as
CASE WHEN (x = v), date arithmetic by the function Spark turns it into (`d + 1` is
`date_add(d, 1)`), and comparisons of integers with decimal literals after Spark's rounding.

Renderers take the `Namer` (naming.py) and the node."""
from __future__ import annotations

import decimal
import re

from sqlglot import exp

from .naming_literals import interval_literal, is_decimal_literal
from .naming_parser import INTERVAL_UNITS


def interval(namer, node: exp.Expression) -> str:
    return interval_literal(node) or node.sql(dialect="spark")


# operators ----------------------------------------------------------------------------------------

_OPERATORS = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.EQ: "=",
              exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.And: "AND", exp.Or: "OR",
              exp.NullSafeEQ: "<=>", exp.BitwiseAnd: "&", exp.BitwiseOr: "|",
              exp.BitwiseXor: "^", exp.IntDiv: "div", exp.Xor: "XOR"}
_INTERVALS = ("interval_day", "interval_dt", "interval_ym")
_FLIPPED = {exp.GT: exp.LT, exp.LT: exp.GT, exp.GTE: exp.LTE, exp.LTE: exp.GTE}  # a < b is b > a


def binary(namer, node: exp.Binary) -> str:
    operator = _OPERATORS.get(type(node), node.key.upper())
    return f"({namer.name(node.this)} {operator} {namer.name(node.expression)})"


def comparison(namer, node: exp.Binary) -> str:
    """Spark compares an integral value with a decimal literal as with the integer that gives the
    same answer (`2 > 1.1` is `(2 > 1)`), and names the comparison after that rewrite."""
    kind = type(node)
    left = _side(namer, node.this, node.expression, _FLIPPED[kind])
    right = _side(namer, node.expression, node.this, kind)
    return f"({left} {_OPERATORS[kind]} {right})"


def _side(namer, operand: exp.Expression, other: exp.Expression, comparison) -> str:
    """The name of `operand` in `other <comparison> operand`."""
    value = _decimal_literal_value(operand)
    if value is None or kind_of(namer, other) != "int":
        return namer.name(operand)
    down = comparison in (exp.GT, exp.LTE)  # i > d is i > floor(d); i >= d is i >= ceil(d)
    return str(int(value.to_integral_value(decimal.ROUND_FLOOR if down else decimal.ROUND_CEILING)))


def _decimal_literal_value(node: exp.Expression):
    if isinstance(node, exp.Neg) and is_decimal_literal(node.this):
        return -decimal.Decimal(node.this.this)
    return decimal.Decimal(node.this) if is_decimal_literal(node) else None


def addition(namer, node: exp.Binary) -> str:
    """Date and time arithmetic, which Spark names by the function it becomes."""
    if node.meta.get(INTERVAL_UNITS):
        return interval(namer, node)
    subtract = isinstance(node, exp.Sub)
    left, right = node.this, node.expression
    kinds = (kind_of(namer, left), kind_of(namer, right))
    if not subtract and kinds[1] == "date" and kinds[0] == "int":
        left, right, kinds = right, left, kinds[::-1]
    if not subtract and kinds[0] in _INTERVALS \
            and kinds[1] not in _INTERVALS:
        left, right, kinds = right, left, kinds[::-1]
    if kinds == ("date", "int"):
        return f"{'date_sub' if subtract else 'date_add'}({namer.name(left)}, {namer.name(right)})"
    if kinds == ("date", "interval_day"):
        days = f"extractansiintervaldays({namer.name(right)})"
        return f"date_add({namer.name(left)}, {f'(- {days})' if subtract else days})"
    if kinds[1] in _INTERVALS and kinds[0] not in _INTERVALS:
        return f"{namer.name(left)} {'-' if subtract else '+'} {namer.name(right)}"
    return binary(namer, node)


def product(namer, node: exp.Mul) -> str:
    """Spark writes an interval times a number with the interval first."""
    if kind_of(namer, node.expression) in _INTERVALS \
            and kind_of(namer, node.this) not in _INTERVALS:
        return f"({namer.name(node.expression)} * {namer.name(node.this)})"
    return binary(namer, node)


def kind_of(namer, node: exp.Expression):
    """What little of an expression's type its name depends on: 'int', 'date', 'timestamp',
    'interval_day', 'interval_dt', 'interval_ym', or None (another type, or not known)."""
    if isinstance(node, exp.Interval) or node.meta.get(INTERVAL_UNITS):
        return _syntactic_kind(node)  # the literal tells its kind; the schema-less type, less
    known = namer.type_of(node)
    if known is None:
        return _syntactic_kind(node)
    if known.this in _INTEGRAL_TYPES:
        return "int"
    if known.this == exp.DataType.Type.DATE:
        return "date"
    if known.is_type(*exp.DataType.TEMPORAL_TYPES):
        return "timestamp"
    if known.this == exp.DataType.Type.INTERVAL:
        return _interval_kind(known.sql().upper())
    return None


def _interval_kind(spelled: str) -> str:
    """An interval of whole days ('interval_day'), another day-time one, or a year-month one."""
    if re.search(r"(YEAR|MONTH)$", spelled):
        return "interval_ym"
    whole_days = re.search(r"\bDAY$", spelled) and " TO " not in spelled
    return "interval_day" if whole_days else "interval_dt"


_DATE_FUNCTIONS = {"to_date", "date_add", "date_sub", "current_date", "make_date", "last_day",
                   "next_day", "add_months", "date_from_unix_date", "date", "trunc"}
_TIMESTAMP_FUNCTIONS = {"to_timestamp", "current_timestamp", "now", "timestamp", "make_timestamp",
                        "date_trunc", "timestamp_seconds", "timestamp_millis", "timestamp_micros",
                        "from_utc_timestamp", "to_utc_timestamp"}
_INTEGRAL_TYPES = {exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT,
                   exp.DataType.Type.TINYINT}


def _syntactic_kind(node: exp.Expression):
    """The kind as far as the text shows it (without the tables' schemas)."""
    if isinstance(node, (exp.Paren, exp.Neg)):
        return _syntactic_kind(node.this)
    if isinstance(node, exp.Literal):
        return "int" if not node.is_string and re.fullmatch(r"\d+", node.this) else None
    if isinstance(node, (exp.Interval, exp.Add)) and (isinstance(node, exp.Interval)
                                                       or node.meta.get(INTERVAL_UNITS)):
        return _interval_kind(interval_literal(node) or "")
    if isinstance(node, (exp.Cast, exp.TryCast)):
        if node.to.this in _INTEGRAL_TYPES:
            return "int"
        if node.to.this == exp.DataType.Type.DATE:
            return "date"
        return "timestamp" if node.to.is_type(*exp.DataType.TEMPORAL_TYPES) else None
    if isinstance(node, exp.CurrentDate):
        return "date"
    if isinstance(node, exp.CurrentTimestamp):
        return "timestamp"
    if isinstance(node, exp.Anonymous):
        written = str(node.this).lower()
        return "date" if written in _DATE_FUNCTIONS else \
            "timestamp" if written in _TIMESTAMP_FUNCTIONS else None
    return None


# predicates ---------------------------------------------------------------------------------------

def negation_of(namer, node: exp.Not) -> str:
    child = node.this
    if isinstance(child, exp.Is) and isinstance(child.expression, exp.Null):
        return f"({namer.name(child.this)} IS NOT NULL)"
    return f"(NOT {namer.name(child)})"


def is_test(namer, node: exp.Is) -> str:
    if isinstance(node.expression, exp.Boolean):  # x IS TRUE is x <=> true
        return f"({namer.name(node.this)} <=> {namer.name(node.expression)})"
    return f"({namer.name(node.this)} IS NULL)"


def membership(namer, node: exp.In) -> str:
    values = "listquery()" if node.args.get("query") else namer.names(node.expressions)
    return f"({namer.name(node.this)} IN ({values}))"


def between(namer, node: exp.Between) -> str:
    """x BETWEEN a AND b is Spark's ((x >= a) AND (x <= b))."""
    value, low, high = node.this, node.args["low"], node.args["high"]
    return (f"(({namer.name(value)} >= {_side(namer, low, value, exp.GTE)}) AND "
            f"({namer.name(value)} <= {_side(namer, high, value, exp.LTE)}))")


def case(namer, node: exp.Case) -> str:
    subject = node.this
    parts = ["CASE"]
    for branch in node.args.get("ifs") or []:
        condition = namer.name(branch.this)
        if subject is not None:  # CASE x WHEN v is CASE WHEN (x = v)
            condition = f"({namer.name(subject)} = {condition})"
        parts.append(f"WHEN {condition} THEN {namer.name(branch.args['true'])}")
    if node.args.get("default") is not None:
        parts.append(f"ELSE {namer.name(node.args['default'])}")
    return " ".join(parts + ["END"])
