"""Arrow types named as Spark names them (for `!desc`, display and messages)."""
from __future__ import annotations

import decimal

import pyarrow as pa

_SIMPLE = [
    (pa.types.is_boolean, "boolean"), (pa.types.is_int8, "tinyint"), (pa.types.is_int16, "smallint"),
    (pa.types.is_int32, "int"), (pa.types.is_int64, "bigint"), (pa.types.is_float32, "float"),
    (pa.types.is_float64, "double"), (pa.types.is_date, "date"), (pa.types.is_timestamp, "timestamp"),
    (pa.types.is_null, "void"),
    (pa.types.is_interval, "interval"),  # an interval of unknown kind: Spark's calendar interval
]


def spark_type_name(dtype: pa.DataType) -> str:
    if isinstance(dtype, SparkIntervalType):
        return dtype.spark_name
    for test, name in _SIMPLE:
        if test(dtype):
            return name
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or pa.types.is_string_view(dtype):
        return "string"
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return "binary"
    if pa.types.is_decimal(dtype):
        return f"decimal({dtype.precision},{dtype.scale})"
    if pa.types.is_map(dtype):
        return f"map<{spark_type_name(dtype.key_type)},{spark_type_name(dtype.item_type)}>"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype) or pa.types.is_fixed_size_list(dtype):
        return f"array<{spark_type_name(dtype.value_type)}>"
    if pa.types.is_struct(dtype):
        fields = ",".join(f"{f.name}:{spark_type_name(f.type)}" for f in dtype)
        return f"struct<{fields}>"
    return str(dtype)


# Intervals -----------------------------------------------------------------------------------
# DuckDB has one INTERVAL type, which reaches Arrow as month_day_nano; Spark has year-month,
# day-time and calendar intervals. The SQL layer knows which one a result column is and wraps the
# column in SparkIntervalType, whose values print as Spark prints them.

class SparkIntervalType(pa.ExtensionType):
    """A month_day_nano column holding one of Spark's interval types (`spark_name`)."""

    def __init__(self, spark_name: str):
        self.spark_name = spark_name
        super().__init__(pa.month_day_nano_interval(), "byzer.spark_interval")

    def __hash__(self):  # schemas holding it are cache keys (sql.py's table schemas)
        return hash((self.extension_name, self.spark_name))

    def __arrow_ext_serialize__(self) -> bytes:
        return self.spark_name.encode()

    @classmethod
    def __arrow_ext_deserialize__(cls, storage_type, serialized: bytes):
        return cls(serialized.decode())

    def __arrow_ext_scalar_class__(self):
        return SparkIntervalScalar


class SparkIntervalScalar(pa.ExtensionScalar):
    def as_py(self, **kwargs):
        value = self.value.as_py() if self.value is not None else None
        if value is None:
            return None
        return SparkInterval(self.type.spark_name, value.months, value.days, value.nanoseconds // 1000)


class SparkInterval:
    """One interval value, printed as Spark prints its type (`INTERVAL '3-1' YEAR TO MONTH`)."""

    def __init__(self, spark_name: str, months: int, days: int, micros: int):
        self.spark_name, self.months, self.days, self.micros = spark_name, months, days, micros

    def __eq__(self, other):
        return isinstance(other, SparkInterval) and str(self) == str(other)

    def __hash__(self):
        return hash(str(self))

    def __repr__(self):
        return str(self)

    def __str__(self):
        if self.spark_name.startswith("interval year") or self.spark_name == "interval month":
            return _year_month_text(self.months, self.spark_name)
        if self.spark_name == "interval":
            return _calendar_text(self.months, self.days, self.micros)
        return _day_time_text(self.days * 86_400_000_000 + self.micros, self.spark_name)


_MICROS = {"DAY": 86_400_000_000, "HOUR": 3_600_000_000, "MINUTE": 60_000_000, "SECOND": 1_000_000}
_DAY_TIME = ["DAY", "HOUR", "MINUTE", "SECOND"]


def _fields(spark_name: str) -> tuple:
    words = spark_name.upper().split()[1:]  # interval day to second -> DAY, SECOND
    return words[0], words[-1]


def _year_month_text(months: int, spark_name: str) -> str:
    start, end = _fields(spark_name)
    sign, months = ("-" if months < 0 else ""), abs(months)
    value = (f"{months // 12}-{months % 12}" if start != end
             else str(months // 12) if start == "YEAR" else str(months))
    return f"INTERVAL '{sign}{value}' {start if start == end else f'{start} TO {end}'}"


def _seconds(micros: int) -> str:
    """Seconds with the fraction Spark shows: none when whole, else without trailing zeros."""
    whole, fraction = divmod(micros, 1_000_000)
    return f"{whole:02d}" + (f".{fraction:06d}".rstrip("0") if fraction else "")


def _day_time_text(micros: int, spark_name: str) -> str:
    start, end = _fields(spark_name)
    sign, rest = ("-" if micros < 0 else ""), abs(micros)
    parts = []
    for field in _DAY_TIME[_DAY_TIME.index(start):_DAY_TIME.index(end) + 1]:
        if field == "SECOND":
            parts.append(_seconds(rest))
            break
        amount, rest = (divmod(rest, _MICROS[field]) if field != end else (rest // _MICROS[field], 0))
        parts.append(str(amount) if field == start and field == "DAY" else f"{amount:02d}")
    text = parts[0] + "".join((" " if i == 1 and start == "DAY" else ":") + p
                              for i, p in enumerate(parts[1:], 1))
    return f"INTERVAL '{sign}{text}' {start if start == end else f'{start} TO {end}'}"


def _calendar_text(months: int, days: int, micros: int) -> str:
    """Spark's CalendarInterval.toString (Java's truncating division and remainder)."""
    def java_div(a, b):
        return int(a / b)

    units = []
    if months:
        units += [(java_div(months, 12), "years"), (months - 12 * java_div(months, 12), "months")]
    units.append((days, "days"))
    hours = java_div(micros, _MICROS["HOUR"])
    rest = micros - hours * _MICROS["HOUR"]
    minutes = java_div(rest, _MICROS["MINUTE"])
    rest -= minutes * _MICROS["MINUTE"]
    units += [(hours, "hours"), (minutes, "minutes")]
    text = [f"{amount} {unit}" for amount, unit in units if amount]
    if rest:
        seconds = format((decimal.Decimal(rest) / 1_000_000).normalize(), "f")
        text.append(f"{seconds} seconds")
    return " ".join(text) or "0 seconds"


def spark_interval_column(column, spark_name: str):
    """`column` (month_day_nano, or a list of them) typed as the Spark interval `spark_name`
    (`interval month`), or an array of them (`array<interval second>`); None when the column's
    Arrow type does not hold that Spark type."""
    target = _interval_arrow_type(spark_name, column.type)
    if target is None:
        return None
    return pa.chunked_array([chunk.view(target) for chunk in column.chunks], type=target)


def _interval_arrow_type(spark_name: str, storage: pa.DataType):
    """The Arrow type with SparkIntervalType where `spark_name` has an interval (same layout)."""
    if spark_name.startswith("array<") and spark_name.endswith(">"):
        if not (pa.types.is_list(storage) or pa.types.is_large_list(storage)):
            return None
        element = _interval_arrow_type(spark_name[len("array<"):-1], storage.value_type)
        if element is None:
            return None
        field = storage.value_field.with_type(element)
        return pa.large_list(field) if pa.types.is_large_list(storage) else pa.list_(field)
    if spark_name.startswith("interval") and pa.types.is_interval(storage):
        return SparkIntervalType(spark_name)
    return None


try:
    pa.register_extension_type(SparkIntervalType("interval"))
except pa.ArrowKeyError:  # registered already (module reloaded)
    pass
