"""Spark's interval columns through Arrow, typed as the embedded engine types them.

pyspark's Arrow conversion carries day-time intervals only (as durations); a year-month or a
calendar interval column fails it ("not supported in conversion to Arrow"), and `collect()` has
no Python value for them either. So before rows are collected, each such column is replaced by
what Arrow carries (year-month: its months as an int; calendar: Spark's own text of it, parsed
here), and the Arrow table gets the column back as a month_day_nano column of SparkIntervalType
(types.py), the type the embedded engine gives the same query. Top-level columns and arrays of
intervals keep their type; an interval inside a struct or a map comes as its text (a string)."""
from __future__ import annotations

import decimal
import re
from typing import Any

import numpy as np
import pyarrow as pa

from ..types import SparkIntervalType, spark_interval_column

_CALENDAR_UNIT = re.compile(r"(-?[0-9.]+) (years|months|days|hours|minutes|seconds)")
_MICROS = {"hours": 3_600_000_000, "minutes": 60_000_000, "seconds": 1_000_000}


class IntervalColumns:
    """A DataFrame made collectable through Arrow, and the way back to interval columns."""

    def __init__(self, dataframe: Any):
        fields = dataframe.schema.fields
        # column index -> Spark type, for the columns that need carrying
        self.carried = {i: f.dataType for i, f in enumerate(fields) if _contains_interval(f.dataType)}
        if not self.carried:
            self.dataframe = dataframe
            return
        # Positional names first: a result may hold two columns of one name.
        temporary = [f"__byzer_column_{i}" for i in range(len(fields))]
        expressions = []
        for index, (field, name) in enumerate(zip(fields, temporary)):
            expression = f"`{name}`"
            if index in self.carried:
                expression = _carrier(expression, field.dataType)
            expressions.append(f"{expression} AS {_quoted(field.name)}")
        # selectExpr, a DataFrame method: the same call for a JVM session and a Spark Connect one.
        self.dataframe = dataframe.toDF(*temporary).selectExpr(*expressions)

    def schema(self, carrier_schema: pa.Schema) -> pa.Schema:
        """The Arrow schema of the restored table, from the carrier DataFrame's."""
        fields = list(carrier_schema)
        for index, spark_type in self.carried.items():
            fields[index] = fields[index].with_type(_restored_type(spark_type))
        return pa.schema(fields)

    def restored(self, table: pa.Table) -> pa.Table:
        """The collected carrier table with its interval columns typed back."""
        if not self.carried:
            return table
        columns = list(table.columns)
        for index, spark_type in self.carried.items():
            columns[index] = _restored_column(columns[index], spark_type)
        return pa.table(columns, names=table.column_names)


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _is_interval(spark_type) -> bool:
    from pyspark.sql.types import CalendarIntervalType, DayTimeIntervalType, YearMonthIntervalType

    return isinstance(spark_type, (CalendarIntervalType, DayTimeIntervalType, YearMonthIntervalType))


def _contains_interval(spark_type) -> bool:
    from pyspark.sql.types import ArrayType, MapType, StructType

    if _is_interval(spark_type):
        return True
    if isinstance(spark_type, ArrayType):
        return _contains_interval(spark_type.elementType)
    if isinstance(spark_type, MapType):
        return _contains_interval(spark_type.keyType) or _contains_interval(spark_type.valueType)
    if isinstance(spark_type, StructType):
        return any(_contains_interval(f.dataType) for f in spark_type.fields)
    return False


def _typed(spark_type) -> bool:
    """An interval, or arrays of them: kept as interval columns (elsewhere: their text)."""
    from pyspark.sql.types import ArrayType

    if isinstance(spark_type, ArrayType):
        return _typed(spark_type.elementType)
    return _is_interval(spark_type)


def _carrier(expression: str, spark_type) -> str:
    """Spark SQL giving what Arrow can carry of `expression`, of type `spark_type`."""
    from pyspark.sql.types import ArrayType, CalendarIntervalType, DayTimeIntervalType, YearMonthIntervalType

    if not _typed(spark_type):
        return f"cast({expression} as string)"
    if isinstance(spark_type, ArrayType):
        return f"transform({expression}, x -> {_carrier('x', spark_type.elementType)})"
    if isinstance(spark_type, DayTimeIntervalType):
        return expression  # Arrow's duration[us]
    if isinstance(spark_type, CalendarIntervalType):
        return f"cast({expression} as string)"
    assert isinstance(spark_type, YearMonthIntervalType)
    year, month = YearMonthIntervalType.YEAR, YearMonthIntervalType.MONTH
    if spark_type.startField == spark_type.endField == month:
        return f"cast({expression} as int)"
    if spark_type.startField == spark_type.endField == year:
        return f"cast({expression} as int) * 12"
    return f"extract(YEAR FROM {expression}) * 12 + extract(MONTH FROM {expression})"


def _restored_type(spark_type) -> pa.DataType:
    from pyspark.sql.types import ArrayType

    if not _typed(spark_type):
        return pa.string()
    if isinstance(spark_type, ArrayType):
        return pa.list_(_restored_type(spark_type.elementType))
    return SparkIntervalType(spark_type.simpleString())


def _restored_column(column: pa.ChunkedArray, spark_type) -> pa.ChunkedArray:
    if not _typed(spark_type):
        return column
    storage = pa.chunked_array([_storage(chunk, spark_type) for chunk in column.chunks],
                               type=_storage_type(spark_type))
    return spark_interval_column(storage, spark_type.simpleString())


def _storage_type(spark_type) -> pa.DataType:
    from pyspark.sql.types import ArrayType

    if isinstance(spark_type, ArrayType):
        return pa.list_(_storage_type(spark_type.elementType))
    return pa.month_day_nano_interval()


def _storage(chunk: pa.Array, spark_type) -> pa.Array:
    """One carried chunk as month_day_nano values (lists of them for arrays)."""
    from pyspark.sql.types import ArrayType, CalendarIntervalType, DayTimeIntervalType

    if isinstance(spark_type, ArrayType):
        values = _storage(chunk.values, spark_type.elementType)
        offsets = chunk.offsets
        mask = chunk.is_null() if chunk.null_count else None
        return pa.ListArray.from_arrays(offsets, values, mask=mask)
    if isinstance(spark_type, CalendarIntervalType):
        return pa.array([None if text is None else _calendar_value(text) for text in chunk.to_pylist()],
                        type=pa.month_day_nano_interval())
    zeros = np.zeros(len(chunk), dtype=np.int64)
    if isinstance(spark_type, DayTimeIntervalType):  # duration[us]
        micros = chunk.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        return _month_day_nano(chunk, zeros, zeros, micros * 1000)
    months = chunk.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    return _month_day_nano(chunk, months, zeros, zeros)


def _month_day_nano(source: pa.Array, months, days, nanos) -> pa.Array:
    """month_day_nano values from their parts, null where `source` is (built without a Python loop)."""
    packed = np.zeros(len(source), dtype=[("months", "<i4"), ("days", "<i4"), ("nanos", "<i8")])
    packed["months"], packed["days"], packed["nanos"] = months, days, nanos
    validity = None
    if source.null_count:
        validity = pa.array(source.is_valid().to_numpy(zero_copy_only=False)).buffers()[1]
    return pa.Array.from_buffers(pa.month_day_nano_interval(), len(source),
                                 [validity, pa.py_buffer(packed.tobytes())], null_count=source.null_count)


def _calendar_value(text: str) -> pa.MonthDayNano:
    """Spark's text of a calendar interval (`1 years 2 months 3 days 4.5 seconds`) as its parts."""
    months = days = micros = 0
    for amount, unit in _CALENDAR_UNIT.findall(text):
        if unit == "years":
            months += 12 * int(amount)
        elif unit == "months":
            months += int(amount)
        elif unit == "days":
            days += int(amount)
        else:
            micros += int(decimal.Decimal(amount) * _MICROS[unit])
    return pa.MonthDayNano([months, days, micros * 1000])
