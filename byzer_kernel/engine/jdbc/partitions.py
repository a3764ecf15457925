"""Spark's partitioned JDBC read (JDBCRelation.columnPartition, Spark 3.3): `partitionColumn`,
`lowerBound`, `upperBound`, `numPartitions` cut the column's range into strides, one WHERE clause
per partition. The bounds only size the strides: the first partition also takes every row below
its stride and the NULLs, the last every row above, so no row is filtered out. Byzer's
`prePtnArray` (split by `prePtnDelimiter`, default `,`) gives the WHERE clauses directly."""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

import pyarrow as pa

from ...lang.errors import UsageError
from ..formats.options import option

_EPOCH = dt.datetime(1970, 1, 1)


def partition_predicates(options: dict, columns, quote) -> list:
    """The WHERE clause of each partition; [None] for one unpartitioned read."""
    explicit = option(options, "prePtnArray")
    if explicit is not None:
        # Byzer splits with Java's String.split: the delimiter is a regular expression ("\\|").
        delimiter = str(option(options, "prePtnDelimiter", ",") or ",")
        try:
            pieces = re.split(delimiter, str(explicit))
        except re.error as error:
            raise UsageError(f"prePtnDelimiter \"{delimiter}\" is not a regular expression: {error}") from None
        return [p.strip() for p in pieces if p.strip()] or [None]
    column_name = option(options, "partitionColumn")
    lower, upper, count = (option(options, k) for k in ("lowerBound", "upperBound", "numPartitions"))
    if column_name is None:
        if lower is not None or upper is not None:
            raise UsageError("When 'partitionColumn' is not specified, 'lowerBound' and 'upperBound' "
                             "are expected to be empty")
        return [None]
    if lower is None or upper is None or count is None:
        raise UsageError("When reading JDBC data sources with 'partitionColumn', 'lowerBound', "
                         "'upperBound' and 'numPartitions' are all required")
    column = _find(columns, str(column_name))
    kind = _kind(column)
    low, high = _internal(str(lower), kind, "lowerBound"), _internal(str(upper), kind, "upperBound")
    try:
        wanted = int(str(count).strip())
    except ValueError:
        raise UsageError(f"numPartitions must be a whole number, got \"{count}\"") from None
    if wanted <= 1 or low == high:
        return [None]
    if low > high:
        raise UsageError("Operation not allowed: the lower bound of partitioning column is larger than "
                         f"the upper bound. Lower bound: {low}; Upper bound: {high}")
    partitions = wanted if (high - low) >= wanted else high - low
    with localcontext() as context:  # Scala's BigDecimal: enough digits for microsecond bounds
        context.prec = 60
        stride_exact = (Decimal(high) / partitions).quantize(Decimal(10) ** -18, ROUND_HALF_EVEN) - \
            (Decimal(low) / partitions).quantize(Decimal(10) ** -18, ROUND_HALF_EVEN)
        stride = int(stride_exact)
        lost = (stride_exact - stride) * partitions / stride
        current = low + int(((lost / 2) * stride).quantize(Decimal(1), ROUND_HALF_UP))
    name = quote(column.name)
    clauses = []
    for index in range(partitions):
        lower_clause = f"{name} >= {_shown(current, kind)}" if index != 0 else None
        current += stride
        upper_clause = f"{name} < {_shown(current, kind)}" if index != partitions - 1 else None
        if upper_clause is None:
            clauses.append(lower_clause)
        elif lower_clause is None:
            clauses.append(f"{upper_clause} or {name} is null")
        else:
            clauses.append(f"{lower_clause} AND {upper_clause}")
    return clauses


def _find(columns, name: str):
    for column in columns:
        if column.name.lower() == name.strip().strip("`\"").lower():
            return column
    raise UsageError(f"User-defined partition column {name} not found in the JDBC relation: "
                     f"{', '.join(c.name for c in columns)}")


def _kind(column) -> str:
    target = column.spark
    if pa.types.is_integer(target) or pa.types.is_decimal(target) or pa.types.is_floating(target):
        return "number"  # Spark's NumericType: the bounds are whole numbers whatever the column
    if pa.types.is_date(target):
        return "date"
    if pa.types.is_timestamp(target):
        return "timestamp"
    raise UsageError(f"Partition column type should be numeric, date, or timestamp, but "
                     f"{column.name} is {column.db_type}")


def _internal(text: str, kind: str, what: str) -> int:
    """A bound as Spark holds it: the number, days or microseconds since 1970-01-01."""
    try:
        if kind == "number":
            return int(text.strip())
        if kind == "date":
            return (dt.date.fromisoformat(text.strip()) - _EPOCH.date()).days
        moment = dt.datetime.fromisoformat(text.strip())
        return (moment.replace(tzinfo=None) - _EPOCH) // dt.timedelta(microseconds=1)
    except ValueError:
        raise UsageError(f"{what} \"{text}\" is not a {'whole number' if kind == 'number' else kind}") from None


def _shown(value: int, kind: str) -> str:
    if kind == "number":
        return str(value)
    if kind == "date":
        return f"'{_EPOCH.date() + dt.timedelta(days=value)}'"
    moment = _EPOCH + dt.timedelta(microseconds=value)
    fraction = f"{moment.microsecond:06d}".rstrip("0")  # Spark's fraction formatter: only the digits needed
    return f"'{moment.strftime('%Y-%m-%d %H:%M:%S')}{'.' + fraction if fraction else ''}'"
