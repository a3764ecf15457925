"""What DataSummary (byzer-extension SQLDataSummaryV2) shows and how it prints each cell: the metric
names and their fixed column order, Spark's typeName of a column, which columns are "numeric", the
SQL of each metric group over DuckDB, and `dataFormat`'s rounding (BigDecimal HALF_UP, then
Double.toString; whole-number metrics as longs; text that is not a number left as it is)."""
from __future__ import annotations

import datetime as dt
import decimal
import re

import pyarrow as pa

from ...lang.java_values import java_double

# SQLDataSummaryV2.processSelectedMetrics: the output's metric columns, always in this order.
ALL_METRICS = ("%25,median,%75,blankValueRatio,dataLength,dataType,max,maximumLength,mean,min,"
               "minimumLength,nonNullCount,nullValueRatio,skewness,totalCount,standardDeviation,"
               "standardError,uniqueValueRatio,categoryCount,primaryKeyCandidate,mode").split(",")
# SQLDataSummaryV2.train's default `metrics`.
DEFAULT_METRICS = ("dataType,dataLength,max,min,maximumLength,minimumLength,mean,standardDeviation,"
                   "standardError,nullValueRatio,blankValueRatio,nonNullCount,uniqueValueRatio,"
                   "primaryKeyCandidate,median,mode,totalCount")
PERCENTILES = {"%25": 0.25, "median": 0.5, "%75": 0.75}
# dataFormat: printed as whole numbers; printed as they are; the rest rounded to roundAt digits
# (roundAt + 2 for the *Ratio metrics).
WHOLE_METRICS = {"primaryKeyCandidate", "ordinalPosition", "dataLength", "maximumLength",
                 "minimumLength", "nonNullCount", "categoryCount", "totalCount"}
TEXT_METRICS = {"columnName", "dataType"}


def selected_metrics(text: str) -> list[str]:
    """The `metrics` parameter (comma-separated; spaces around names allowed) as output columns."""
    chosen = {name.strip() for name in text.split(",") if name.strip()}
    return [name for name in ALL_METRICS if name in chosen]


# Spark's DataType.typeName, which Byzer's dataType column shows (not simpleString: "integer", "long").
_TYPE_NAMES = [(pa.types.is_boolean, "boolean"), (pa.types.is_int8, "byte"), (pa.types.is_int16, "short"),
               (pa.types.is_int32, "integer"), (pa.types.is_int64, "long"), (pa.types.is_float32, "float"),
               (pa.types.is_float64, "double"), (pa.types.is_date, "date"),
               (pa.types.is_timestamp, "timestamp"), (pa.types.is_null, "void"),
               (pa.types.is_binary, "binary"), (pa.types.is_large_binary, "binary"),
               (pa.types.is_struct, "struct"), (pa.types.is_map, "map")]


def type_name(dtype: pa.DataType) -> str:
    for test, name in _TYPE_NAMES:
        if test(dtype):
            return name
    if is_string(dtype):
        return "string"
    if pa.types.is_decimal(dtype):
        return f"decimal({dtype.precision},{dtype.scale})"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_fixed_size_list(dtype):
        return "array"
    return str(dtype)


def is_string(dtype: pa.DataType) -> bool:
    return pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype)


def is_numeric(dtype: pa.DataType) -> bool:
    """Byzer's numericCols: integer, short, long, float, double, decimal (a byte column is not)."""
    return (pa.types.is_int16(dtype) or pa.types.is_int32(dtype) or pa.types.is_int64(dtype)
            or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype))


def fixed_length(dtype: pa.DataType):
    """getTypeLength: bytes of a fixed-size type (None: a string's is its longest value; "": unknown)."""
    for test, size in [(pa.types.is_int8, 1), (pa.types.is_int16, 2), (pa.types.is_int32, 4),
                       (pa.types.is_int64, 8), (pa.types.is_float32, 4), (pa.types.is_float64, 8),
                       (pa.types.is_date, 8), (pa.types.is_timestamp, 8), (pa.types.is_boolean, 1),
                       (pa.types.is_decimal, 16)]:
        if test(dtype):
            return size
    return None if is_string(dtype) else ""


# -- SQL (DuckDB) of one column's aggregates -------------------------------------------------------
def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def valid_condition(column: str, dtype: pa.DataType) -> str:
    """colWithFilterBlank: not null, not NaN (float/double), not blank after trim (strings)."""
    if pa.types.is_floating(dtype):
        return f"({column} IS NOT NULL AND NOT isnan({column}))"
    if is_string(dtype):
        return f"({column} IS NOT NULL AND trim({column}) <> '')"
    return f"({column} IS NOT NULL)"


def null_condition(column: str, dtype: pa.DataType) -> str:
    """nullValueCount: null, or NaN for float/double."""
    if pa.types.is_floating(dtype):
        return f"({column} IS NULL OR isnan({column}))"
    return f"({column} IS NULL)"


# -- printing --------------------------------------------------------------------------------------
def spark_text(value) -> str:
    """A value as Byzer's row holds it before formatting: Spark's cast to string / Java's toString."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, dt.datetime):
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        fraction = f"{value.microsecond:06d}".rstrip("0")
        return f"{text}.{fraction}" if fraction else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# java.math.BigDecimal(String)'s syntax (Python's Decimal also takes NaN, spaces and underscores).
_BIG_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_WIDE = decimal.Context(prec=1000)


def formatted(metric: str, text: str, round_at: int) -> str:
    """dataFormat of one cell: `text` is the value's string (spark_text)."""
    if metric in TEXT_METRICS or not _BIG_DECIMAL.fullmatch(text):
        return text
    number = decimal.Decimal(text)
    if metric in WHOLE_METRICS:
        return str(int(number.quantize(decimal.Decimal(1), decimal.ROUND_HALF_UP, _WIDE)))
    digits = round_at + 2 if metric.endswith("Ratio") else round_at
    rounded = number.quantize(decimal.Decimal(1).scaleb(-digits), decimal.ROUND_HALF_UP, _WIDE)
    return java_double(float(rounded))
