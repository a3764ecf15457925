"""Arrow types named as Spark names them (for `!desc`, display and messages)."""
from __future__ import annotations

import pyarrow as pa

_SIMPLE = [
    (pa.types.is_boolean, "boolean"), (pa.types.is_int8, "tinyint"), (pa.types.is_int16, "smallint"),
    (pa.types.is_int32, "int"), (pa.types.is_int64, "bigint"), (pa.types.is_float32, "float"),
    (pa.types.is_float64, "double"), (pa.types.is_date, "date"), (pa.types.is_timestamp, "timestamp"),
    (pa.types.is_null, "void"),
]


def spark_type_name(dtype: pa.DataType) -> str:
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
