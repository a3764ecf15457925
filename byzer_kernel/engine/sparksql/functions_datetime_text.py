"""Spark's datetime functions that read or write text with a Java pattern (`date_format`,
`to_timestamp`, `unix_timestamp`, ...); datetime_patterns.py translates the patterns."""
from __future__ import annotations

from sqlglot import exp

from . import datetime_patterns as patterns
from .functions_datetime import DEFAULT_PATTERN, TIMESTAMP, constant_text, null_of
from .registry import duck, spark_function

_DATETIME_TYPES = {exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ,
                   exp.DataType.Type.TIMESTAMPLTZ, exp.DataType.Type.TIMESTAMPNTZ}


def _pattern(pattern: exp.Expression | None, function: str):
    """The pattern's tokens, or None when the pattern is NULL (the result is NULL then)."""
    text = DEFAULT_PATTERN if pattern is None else constant_text(pattern, function, "pattern")
    return None if text is None else patterns.tokenize(text, function)


def _is_datetime(value: exp.Expression) -> bool:
    return isinstance(value, (exp.Cast, exp.TryCast)) and value.to.this in _DATETIME_TYPES


def _is_text(value: exp.Expression) -> bool:
    return isinstance(value, exp.Literal) and value.is_string


def read_timestamp(value: exp.Expression, pattern, function: str) -> exp.Expression:
    """`value` as a TIMESTAMP: text is read with the pattern, dates and timestamps are taken as
    they are (Spark ignores the pattern for them). Where the type is only known when the query
    runs, DuckDB picks the branch from typeof(), which it folds to a constant."""
    tokens = _pattern(pattern, function)
    if tokens is None:
        return null_of(TIMESTAMP)
    as_timestamp = duck("TRY_CAST(_0 AS TIMESTAMP)", value)
    if _is_datetime(value):
        return as_timestamp
    parsed = patterns.parse_expression(duck("CAST(_0 AS VARCHAR)", value),
                                       patterns.parse_formats(tokens, function))
    if _is_text(value) or isinstance(value, exp.Null):
        return parsed
    return duck("CASE WHEN typeof(_0) = 'VARCHAR' THEN _1 ELSE _2 END", value, parsed, as_timestamp)


@spark_function("date_format", inputs=[TIMESTAMP, None], result="string")
def date_format(timestamp, pattern):
    tokens = _pattern(pattern, "date_format")
    return null_of("string") if tokens is None else patterns.format_expression(timestamp, tokens)


@spark_function("from_unixtime", inputs=["bigint", None], result="string")
def from_unixtime(seconds, pattern=None):
    tokens = _pattern(pattern, "from_unixtime")
    if tokens is None:
        return null_of("string")
    return patterns.format_expression(duck("make_timestamp(_0 * 1000000)", seconds), tokens)


@spark_function("to_timestamp", result=TIMESTAMP)
def to_timestamp(value, pattern=None):
    if pattern is None:
        return duck("TRY_CAST(_0 AS TIMESTAMP)", value)
    return read_timestamp(value, pattern, "to_timestamp")


@spark_function("to_date", result="date")
def to_date(value, pattern=None):
    if pattern is None:
        return duck("TRY_CAST(_0 AS DATE)", value)
    return read_timestamp(value, pattern, "to_date")


@spark_function("unix_timestamp", result="bigint")
def unix_timestamp(value=None, pattern=None):
    """Seconds since the epoch (rounded down); without arguments, of the current time."""
    if value is None:
        return duck("epoch(current_timestamp)")
    return _epoch_seconds(read_timestamp(value, pattern, "unix_timestamp"))


@spark_function("to_unix_timestamp", result="bigint")
def to_unix_timestamp(value, pattern=None):
    return _epoch_seconds(read_timestamp(value, pattern, "to_unix_timestamp"))


def _epoch_seconds(timestamp: exp.Expression) -> exp.Expression:
    return duck("floor(epoch_us(_0) / 1000000)", timestamp)
