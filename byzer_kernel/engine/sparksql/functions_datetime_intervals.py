"""Spark's intervals on DuckDB: interval literals, make_interval / make_dt_interval /
make_ym_interval, and date_part / extract over dates, timestamps and intervals.

DuckDB has one INTERVAL type (months, days, microseconds); Spark has three kinds. A year-month
interval is kept as months only, a day-time interval as microseconds only, and a calendar
interval (make_interval) as all three, as Spark keeps them. The kind is known at translation
time and recorded on the rewritten node (`meta["spark_type"]`): date_part reads it, and the
engine gives a result column of that kind Spark's type and text (engine/types.py).
"""
from __future__ import annotations

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import SPARK_TYPE as SPARK_DATA_TYPE
from .functions_datetime import constant_text
from .dialect import ORIGINAL_NAME
from .interval_kinds import CALENDAR, DAY_TIME, YEAR_MONTH, family, kind_of_type, read_literal, widest
from .naming import pretty
from .registry import duck, spark_function, spark_name, spark_node

SPARK_TYPE = "spark_type"  # node meta: the Spark type DuckDB's type cannot tell


def interval_kind(node: exp.Expression):
    """The Spark interval type of a rewritten expression, when the query shows it: a sum of
    day-time intervals spans the fields of both (`interval 5 days 3 hours` is DAY TO HOUR); a
    column, by the type the type phase found for it (an interval literal in VALUES)."""
    if SPARK_TYPE in node.meta:
        recorded = node.meta[SPARK_TYPE]
        return recorded if recorded.startswith("interval") else None
    if isinstance(node, (exp.Paren, exp.Neg, exp.Alias)):
        return interval_kind(node.this)
    if isinstance(node, (exp.Add, exp.Sub)):
        left, right = interval_kind(node.this), interval_kind(node.expression)
        if left is None or right is None:
            return None
        return left if left == right else widest([left, right])
    return kind_of_type(node.meta.get(SPARK_DATA_TYPE))


def declared_type(node: exp.Expression):
    """A result column's Spark type where DuckDB's cannot tell it: an interval kind, or an array of
    intervals (`array<interval second>`), else None."""
    recorded = node.meta.get(SPARK_TYPE)
    if recorded is not None:
        return recorded
    if isinstance(node, exp.Alias):
        return declared_type(node.this)
    known = node.meta.get(SPARK_DATA_TYPE)
    if isinstance(known, exp.DataType) and known.this == exp.DataType.Type.ARRAY and known.expressions:
        element = kind_of_type(known.expressions[0])
        return f"array<{element}>" if element else None
    return interval_kind(node)


def tagged(node: exp.Expression, spark_type: str) -> exp.Expression:
    """`node`, known to be of the Spark type `spark_type` (an interval kind or array of one)."""
    node.meta[SPARK_TYPE] = spark_type
    return node



# ------------------------------------------------------------------------------------ literals

@spark_node(exp.Interval)
def interval_literal(node):
    """`INTERVAL '3-1' YEAR TO MONTH`, `INTERVAL 5 DAYS`, ...: months or microseconds."""
    try:
        found = read_literal(node)
    except (ArithmeticError, ValueError, KeyError, AttributeError):
        raise ByzerRuntimeError(f"cannot read the interval literal {node.sql(dialect='spark')}") from None
    if found is None:
        return node
    kind, amount = found
    return interval_of(kind, exp.Literal.number(amount))


def interval_of(kind: str, amount: exp.Expression) -> exp.Expression:
    """A DuckDB INTERVAL of `amount` months (year-month) or microseconds (day-time)."""
    template = "to_months(_0)" if family(kind) == YEAR_MONTH else "to_microseconds(_0)"
    return tagged(duck(template, amount), kind)


# --------------------------------------------------------------------------------- constructors

@spark_function("make_ym_interval", inputs=["int", "int"])
def make_ym_interval(years=exp.Literal.number(0), months=exp.Literal.number(0)):
    return interval_of(YEAR_MONTH, duck("_0 * 12 + _1", years, months))


@spark_function("make_dt_interval", inputs=["bigint", "int", "int", "decimal(18,6)"])
def make_dt_interval(days=exp.Literal.number(0), hours=exp.Literal.number(0),
                     minutes=exp.Literal.number(0), seconds=exp.Literal.number(0)):
    micros = duck("_0 * 86400000000 + _1 * 3600000000 + _2 * 60000000 + CAST(_3 * 1000000 AS BIGINT)",
                  days, hours, minutes, seconds)
    return interval_of(DAY_TIME, micros)


@spark_function("make_interval", inputs=["int", "int", "int", "int", "int", "int", "decimal(18,6)"])
def make_interval(years=exp.Literal.number(0), months=exp.Literal.number(0), weeks=exp.Literal.number(0),
                  days=exp.Literal.number(0), hours=exp.Literal.number(0), minutes=exp.Literal.number(0),
                  seconds=exp.Literal.number(0)):
    built = duck("to_months(_0 * 12 + _1) + to_days(_2 * 7 + _3) + to_microseconds("
                 "_4 * 3600000000 + _5 * 60000000 + CAST(_6 * 1000000 AS BIGINT))",
                 years, months, weeks, days, hours, minutes, seconds)
    return tagged(built, CALENDAR)


def _with_defaults(*defaults: str):
    """Spark names these functions with every argument, the defaults it filled in included."""

    def naming(node):
        args = [pretty(arg) for arg in node.expressions]
        return f"{str(node.this).lower()}({', '.join(args + list(defaults[len(args):]))})"

    return naming


spark_name("make_ym_interval")(_with_defaults("0", "0"))
spark_name("make_dt_interval")(_with_defaults("0", "0", "0", "0.000000"))
spark_name("make_interval")(_with_defaults("0", "0", "0", "0", "0", "0", "0.000000"))
spark_name("months_between")(_with_defaults("", "", "true"))
spark_name("from_unixtime")(_with_defaults("", "yyyy-MM-dd HH:mm:ss"))
spark_name("unix_timestamp")(_with_defaults("current_timestamp()", "yyyy-MM-dd HH:mm:ss"))
spark_name("to_unix_timestamp")(_with_defaults("", "yyyy-MM-dd HH:mm:ss"))


# ------------------------------------------------------------------------------ date_part

_FIELDS = {"YEAR": "Y YEARS YR YRS", "YEAROFWEEK": "", "QUARTER": "QTR", "MONTH": "MON MONS MONTHS",
           "WEEK": "W WEEKS", "DAY": "D DAYS", "DAYOFWEEK": "DOW", "DAYOFWEEK_ISO": "DOW_ISO",
           "DOY": "", "HOUR": "H HOURS HR HRS", "MINUTE": "M MIN MINS MINUTES",
           "SECOND": "S SEC SECONDS SECS"}
_FIELD_OF = {alias: field for field, aliases in _FIELDS.items() for alias in [field, *aliases.split()]}

_OF_DATETIME = {  # field -> DuckDB over a TIMESTAMP `_0`, Spark type
    "YEAR": "year(_0)", "YEAROFWEEK": "isoyear(_0)", "QUARTER": "quarter(_0)", "MONTH": "month(_0)",
    "WEEK": "weekofyear(_0)", "DAY": "day(_0)", "DAYOFWEEK": "dayofweek(_0) + 1",
    "DAYOFWEEK_ISO": "isodow(_0)", "DOY": "dayofyear(_0)", "HOUR": "hour(_0)", "MINUTE": "minute(_0)",
    "SECOND": "CAST(microsecond(_0) AS DECIMAL(8, 0)) / 1000000"}  # microsecond(): of the minute
_OF_INTERVAL = {  # (kind, field) -> DuckDB over an INTERVAL `_0`, Spark type
    (YEAR_MONTH, "YEAR"): ("to_months_total(_0) // 12", "int"),
    (YEAR_MONTH, "MONTH"): ("to_months_total(_0) % 12", "tinyint"),
    (DAY_TIME, "DAY"): ("epoch_us(_0) // 86400000000", "int"),
    (DAY_TIME, "HOUR"): ("epoch_us(_0) // 3600000000 % 24", "tinyint"),
    (DAY_TIME, "MINUTE"): ("epoch_us(_0) // 60000000 % 60", "tinyint"),
    (DAY_TIME, "SECOND"): ("CAST(epoch_us(_0) % 60000000 AS DECIMAL(8, 0)) / 1000000", "decimal(8,6)"),
    (CALENDAR, "YEAR"): ("datepart('year', _0)", "int"),
    (CALENDAR, "MONTH"): ("datepart('month', _0)", "tinyint"),
    (CALENDAR, "DAY"): ("datepart('day', _0)", "int"),
    (CALENDAR, "HOUR"): ("datepart('hour', _0)", "tinyint"),
    (CALENDAR, "MINUTE"): ("datepart('minute', _0)", "tinyint"),
    (CALENDAR, "SECOND"): ("CAST(datepart('microseconds', _0) AS DECIMAL(8, 0)) / 1000000", "decimal(8,6)"),
}


@spark_function("date_part", "datepart")
def date_part(field, source):
    return _extract(constant_text(field, "date_part", "field") or "", source, "date_part")


@spark_node(exp.Extract)
def extract(node):
    return _extract(node.this.name, node.expression, "extract")


def _extract(field_text: str, source: exp.Expression, function: str) -> exp.Expression:
    field = _FIELD_OF.get(field_text.upper())
    kind = interval_kind(source)
    if kind is not None:
        found = _OF_INTERVAL.get((family(kind), field))
        if found is None:
            raise ByzerRuntimeError(f"{function}: the field '{field_text}' cannot be taken from an {kind}")
        template, spark_type = found
        return exp.cast(duck(template.replace("to_months_total(_0)", "(datepart('year', _0) * 12 "
                                              "+ datepart('month', _0))"), source),
                        exp.DataType.build(spark_type, dialect="spark"))
    if field is None:
        raise ByzerRuntimeError(f"{function}: '{field_text}' is not a field of a date or timestamp")
    timestamp = duck("TRY_CAST(_0 AS TIMESTAMP)", source)
    value = duck(_OF_DATETIME[field], timestamp)
    return exp.cast(value, exp.DataType.build("decimal(8,6)" if field == "SECOND" else "int"))


@spark_name(exp.Extract)
def extract_name(node):
    field = node.meta.get(ORIGINAL_NAME) or node.this.name
    return f"extract({field} FROM {pretty(node.expression)})"
