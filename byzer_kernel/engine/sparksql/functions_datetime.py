"""Spark's datetime functions on DuckDB (see registry.py for how a function is declared).

Dates are DuckDB DATEs and Spark's timestamps DuckDB TIMESTAMPs read in UTC, the session time
zone the engine pins. Java patterns (`date_format`, `to_timestamp`, ...) are translated once, at
translation time, by datetime_patterns.py; fields, units and day names are read there too when
they are constants, so each row costs one vectorised DuckDB call.
"""
from __future__ import annotations

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from . import datetime_patterns as patterns
from .literals import under_casts
from .registry import duck, macro, spark_function

DEFAULT_PATTERN = "yyyy-MM-dd HH:mm:ss"
TIMESTAMP = "timestamp_ntz"  # Spark's timestamp in DuckDB terms: TIMESTAMP, read as UTC


def constant_text(arg: exp.Expression, function: str, what: str) -> str | None:
    """The value of a string literal argument (None for NULL); a column is refused, since the
    local engine translates patterns, units and fields before the query runs."""
    value = under_casts(arg)
    if isinstance(value, exp.Null):
        return None
    if isinstance(value, exp.Literal) and value.is_string:
        return value.this
    raise ByzerRuntimeError(f"{function}: the {what} must be a constant string in the local engine")


def null_of(spark_type: str) -> exp.Expression:
    return exp.cast(exp.Null(), exp.DataType.build(spark_type, dialect="spark"))


# ------------------------------------------------------------------------------ fields of a date

def _field(template: str, *names: str):
    # read from a TIMESTAMP even for the date fields: a timestamp column then needs no cast
    spark_function(*names, inputs=[TIMESTAMP], result="int")(lambda d: duck(template, d))


_field("year(_0)", "year")
_field("month(_0)", "month")
_field("day(_0)", "day", "dayofmonth")
_field("dayofyear(_0)", "dayofyear")
_field("quarter(_0)", "quarter")
_field("weekofyear(_0)", "weekofyear")
_field("dayofweek(_0) + 1", "dayofweek")  # Spark counts Sunday = 1
_field("isodow(_0) - 1", "weekday")  # Monday = 0
_field("hour(_0)", "hour")
_field("minute(_0)", "minute")
_field("second(_0)", "second")


# ---------------------------------------------------------------------------- date arithmetic

@spark_function("date_add", "dateadd", inputs=["date", "int"], result="date")
def date_add(start, days):
    return duck("_0 + _1", start, days)


@spark_function("date_sub", inputs=["date", "int"], result="date")
def date_sub(start, days):
    return duck("_0 - _1", start, days)


@spark_function("add_months", inputs=["date", "int"], result="date")
def add_months(start, months):
    """DuckDB clamps to the month's last day, as Spark 3 does (2016-08-31 + 1 -> 2016-09-30)."""
    return duck("_0 + to_months(_1)", start, months)


@spark_function("datediff", inputs=["date", "date"], result="int")
def datediff(end, start):
    return duck("_0 - _1", end, start)


@spark_function("date_from_unix_date", inputs=["int"], result="date")
def date_from_unix_date(days):
    return duck("DATE '1970-01-01' + _0", days)


@spark_function("unix_date", inputs=["date"], result="int")
def unix_date(date):
    return duck("_0 - DATE '1970-01-01'", date)


@spark_function("last_day", inputs=["date"], result="date")
def last_day(date):
    return duck("last_day(_0)", date)


_DAY_NAMES = {"SU": 7, "SUN": 7, "SUNDAY": 7, "MO": 1, "MON": 1, "MONDAY": 1, "TU": 2, "TUE": 2,
              "TUESDAY": 2, "WE": 3, "WED": 3, "WEDNESDAY": 3, "TH": 4, "THU": 4, "THURSDAY": 4,
              "FR": 5, "FRI": 5, "FRIDAY": 5, "SA": 6, "SAT": 6, "SATURDAY": 6}
macro("CREATE MACRO spark_iso_day(name) AS CASE upper(name) "
      + " ".join(f"WHEN '{k}' THEN {v}" for k, v in _DAY_NAMES.items()) + " END")


@spark_function("next_day", inputs=["date", "string"], result="date")
def next_day(start, day_name):
    """The first later date on that day of the week; an unknown day name gives NULL."""
    return duck("_0 + CAST((spark_iso_day(_1) - isodow(_0) + 6) % 7 + 1 AS INTEGER)", start, day_name)


# Spark's months_between: the seconds between the two times of day count too (31-day months).
macro("""CREATE MACRO spark_months_between_parts(months, whole, seconds, round_off) AS
    CASE WHEN whole THEN CAST(months AS DOUBLE)
         WHEN round_off THEN round(months + seconds / 2678400.0, 8)
         ELSE months + seconds / 2678400.0 END""")
macro("""CREATE MACRO spark_months_between(t1, t2, round_off) AS spark_months_between_parts(
    12 * (year(t1) - year(t2)) + month(t1) - month(t2),
    day(t1) = day(t2) OR (day(t1) = day(last_day(t1)) AND day(t2) = day(last_day(t2))),
    (day(t1) - day(t2)) * 86400 + (epoch_us(t1) % 86400000000 + 86400000000) % 86400000000 // 1000000
        - (epoch_us(t2) % 86400000000 + 86400000000) % 86400000000 // 1000000,
    round_off)""")


@spark_function("months_between", inputs=[TIMESTAMP, TIMESTAMP, "boolean"], result="double")
def months_between(later, earlier, round_off=exp.true()):
    """Whole months when both days of month match or both are month ends; otherwise the rest
    counts in 31-day months, rounded to 8 digits unless round_off is false."""
    return duck("spark_months_between(_0, _1, _2)", later, earlier, round_off)


# ------------------------------------------------------------------------------ making values

@spark_function("make_date", inputs=["int", "int", "int"], result="date")
def make_date(year, month, day):
    return duck("try(make_date(_0, _1, _2))", year, month, day)


macro("""CREATE MACRO spark_make_timestamp(y, mo, d, h, mi, sec) AS
    CASE WHEN sec = 60 THEN try(make_timestamp(y, mo, d, h, mi, 0)) + INTERVAL 1 MINUTE
         WHEN sec >= 0 AND sec < 60 THEN try(make_timestamp(y, mo, d, h, mi, sec)) END""")


@spark_function("make_timestamp", "make_timestamp_ltz",
                inputs=["int", "int", "int", "int", "int", "decimal(8,6)", "string"], result=TIMESTAMP)
def make_timestamp(year, month, day, hour, minute, second, zone=None):
    """Seconds may be 60 (the next minute) but nothing above; fields in `zone` when given."""
    local = duck("spark_make_timestamp(_0, _1, _2, _3, _4, CAST(_5 AS DOUBLE))",
                 year, month, day, hour, minute, second)
    return local if zone is None else duck("timezone('UTC', timezone(_1, _0))", local, zone)


@spark_function("make_timestamp_ntz", inputs=["int", "int", "int", "int", "int", "decimal(8,6)"],
                result=TIMESTAMP)
def make_timestamp_ntz(year, month, day, hour, minute, second):
    return make_timestamp(year, month, day, hour, minute, second)


@spark_function("timestamp_seconds", result=TIMESTAMP)
def timestamp_seconds(seconds):
    return duck("make_timestamp(CAST(trunc(CAST(_0 AS DECIMAL(38, 6)) * 1000000) AS BIGINT))", seconds)


@spark_function("timestamp_millis", inputs=["bigint"], result=TIMESTAMP)
def timestamp_millis(millis):
    return duck("make_timestamp(_0 * 1000)", millis)


@spark_function("timestamp_micros", inputs=["bigint"], result=TIMESTAMP)
def timestamp_micros(micros):
    return duck("make_timestamp(_0)", micros)


@spark_function("unix_seconds", inputs=[TIMESTAMP], result="bigint")
def unix_seconds(timestamp):
    return duck("floor(epoch_us(_0) / 1000000)", timestamp)


@spark_function("unix_millis", inputs=[TIMESTAMP], result="bigint")
def unix_millis(timestamp):
    return duck("epoch_ms(_0)", timestamp)


@spark_function("unix_micros", inputs=[TIMESTAMP], result="bigint")
def unix_micros(timestamp):
    return duck("epoch_us(_0)", timestamp)


@spark_function("from_utc_timestamp", inputs=[TIMESTAMP, "string"], result=TIMESTAMP)
def from_utc_timestamp(timestamp, zone):
    """The wall-clock time in `zone` of a UTC instant."""
    return duck("timezone(_1, timezone('UTC', _0))", timestamp, zone)


@spark_function("to_utc_timestamp", inputs=[TIMESTAMP, "string"], result=TIMESTAMP)
def to_utc_timestamp(timestamp, zone):
    """The UTC instant of a wall-clock time in `zone`."""
    return duck("timezone('UTC', timezone(_1, _0))", timestamp, zone)


@spark_function("current_timezone", result="string")
def current_timezone():
    return exp.Literal.string("UTC")


# ------------------------------------------------------------------------------- truncation

_TRUNC_UNITS = {"YEAR": "year", "YYYY": "year", "YY": "year", "QUARTER": "quarter",
                "MONTH": "month", "MM": "month", "MON": "month", "WEEK": "week"}
_TIME_UNITS = {"DAY": "day", "DD": "day", "HOUR": "hour", "MINUTE": "minute", "SECOND": "second",
               "MILLISECOND": "millisecond", "MICROSECOND": "microsecond"}


@spark_function("date_trunc", inputs=[None, TIMESTAMP], result=TIMESTAMP)
def date_trunc(unit, timestamp):
    """An unknown unit gives NULL, as in Spark."""
    name = constant_text(unit, "date_trunc", "unit")
    duck_unit = {**_TRUNC_UNITS, **_TIME_UNITS}.get((name or "").upper())
    if duck_unit is None:
        return null_of(TIMESTAMP)
    return _truncated(duck_unit, timestamp)


@spark_function("trunc", inputs=["date", None], result="date")
def trunc(date, unit):
    """Dates truncate to a year, quarter, month or week only; other units give NULL."""
    name = constant_text(unit, "trunc", "unit")
    duck_unit = _TRUNC_UNITS.get((name or "").upper())
    if duck_unit is None:
        return null_of("date")
    return _truncated(duck_unit, date)


def _truncated(unit: str, value: exp.Expression) -> exp.Expression:
    # a plain call: sqlglot's own date_trunc node would rewrite the unit
    return exp.Anonymous(this="date_trunc", expressions=[exp.Literal.string(unit), value])
