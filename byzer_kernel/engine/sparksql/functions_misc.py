"""Spark's misc functions on DuckDB (see registry.py for how a function is declared): structs,
`stack`, grouping, the functions Spark answers from its runtime (ids, input files), and the
`java_method`/`reflect` calls Byzer scripts commonly make."""
from __future__ import annotations

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from . import functions_window, functions_xml, functions_crypto, query_shapes  # noqa: F401
from .query_shapes import GROUPING_ID_COLUMN, grouping_id
from .registry import duck, macro, spark_function, spark_node, udf  # noqa: F401
from .result_types import struct_field_name


@spark_node(exp.DataType)
def bare_decimal(node):
    """A bare `decimal` is Spark's decimal(10,0), not DuckDB's DECIMAL(18,3)."""
    if node.this == exp.DataType.Type.DECIMAL and not node.expressions:
        return exp.DataType.build("DECIMAL(10, 0)")
    return node


# --- structs ----------------------------------------------------------------------------------

@spark_function("struct")
def struct(*fields):
    """Fields are named by their alias, their column's name, or `col<position>`; `t.*` (or `*`)
    contributes every column of t under its own name."""
    return _struct_pack([(struct_field_name(field, i), field) for i, field in enumerate(fields)])


@spark_function("named_struct")
def named_struct(*names_and_values):
    if not names_and_values or len(names_and_values) % 2:
        raise ByzerRuntimeError("function `named_struct` expects an even, non-zero number of "
                                f"arguments (name, value, ...); {len(names_and_values)} given")
    pairs = list(zip(names_and_values[::2], names_and_values[1::2]))
    for name, _ in pairs:
        if not (isinstance(name, exp.Literal) and name.is_string):
            raise ByzerRuntimeError("function `named_struct`: field names must be string literals, "
                                    f"not {name.sql(dialect='spark')}")
    return _struct_pack([(name.this, value) for name, value in pairs])


def _struct_pack(fields: list) -> exp.Expression:
    arguments = []
    for name, value in fields:
        if name is None:
            arguments.append(exp.Columns(this=value.copy(), unpack=True))
        else:
            value = value.this if isinstance(value, exp.Alias) else value
            arguments.append(exp.PropertyEQ(this=exp.to_identifier(name, quoted=True),
                                            expression=value.copy()))
    return exp.Anonymous(this="struct_pack", expressions=arguments)


# --- stack ------------------------------------------------------------------------------------

@spark_function("stack")
def stack(rows, *values):
    """`stack(n, v1, ..., vk)`: n rows of ceil(k / n) columns col0, col1, ..., NULL-padded."""
    if not (isinstance(rows, exp.Literal) and not rows.is_string and rows.this.isdigit()
            and int(rows.this) > 0):
        raise ByzerRuntimeError("function `stack`: the number of rows must be a positive integer "
                                "literal")
    count = int(rows.this)
    if not values:
        raise ByzerRuntimeError("function `stack` needs at least one value after the row count")
    width = -(-len(values) // count)
    cells = list(values) + [exp.Null()] * (count * width - len(values))
    structs = [_struct_pack([(f"col{j}", cells[r * width + j]) for j in range(width)])
               for r in range(count)]
    return duck("UNNEST(_0, max_depth := 2)", exp.Array(expressions=structs))


# --- grouping ---------------------------------------------------------------------------------

@spark_function("grouping", result="tinyint")
def grouping(column):
    return duck("GROUPING(_0)", column)


@spark_function("grouping_id")
def grouping_id_function(*columns):
    """Without arguments: over all grouping columns, which the query rewrite fills in."""
    return grouping_id(list(columns)) if columns else exp.column(GROUPING_ID_COLUMN)


# --- runtime --------------------------------------------------------------------------------

@spark_function("monotonically_increasing_id", result="bigint")
def monotonically_increasing_id():
    """Unique and increasing, as Spark's are (one local partition: 0, 1, 2, ...)."""
    return duck("row_number() OVER () - 1")


@spark_function("spark_partition_id", result="int")
def spark_partition_id():
    return exp.Literal.number(0)


@spark_function("input_file_name", result="string")
def input_file_name():
    """Spark's answer outside a file scan; Byzer's loads read files before the query runs."""
    return exp.Literal.string("")


@spark_function("input_file_block_start", "input_file_block_length", result="bigint")
def input_file_block():
    return exp.Literal.number(-1)


@spark_node(exp.In)
def in_list(node: exp.In) -> exp.In:
    """Spark compares `x IN (...)` in the values' wider common type, which for strings mixed with
    numbers is string (`'a' IN (1, 2)` is false; DuckDB would fail to read 'a' as a number). Only
    literals show their type here, so only they decide."""
    values = [node.this, *node.expressions]
    literals = [v for v in values if isinstance(v, exp.Literal)]
    if any(v.is_string for v in literals) and any(not v.is_string for v in literals):
        node.set("this", exp.cast(node.this, "VARCHAR"))
        node.set("expressions", [exp.cast(v, "VARCHAR") for v in node.expressions])
    return node


@spark_function("try_element_at")
def try_element_at(collection, key):
    return exp.Bracket(this=collection, expressions=[key], offset=1, safe=True)


@spark_function("array_agg", result=None)
def array_agg(values):
    """Spark 3.3's alias of collect_list: the non-null values."""
    return duck("COALESCE(list(_0) FILTER (WHERE _0 IS NOT NULL), [])", values)


# --- java_method / reflect --------------------------------------------------------------------

_JAVA_STATIC = {
    ("java.util.UUID", "randomUUID"): (0, "CAST(uuid() AS VARCHAR)"),
    ("java.util.UUID", "fromString"): (1, "CAST(TRY_CAST(_0 AS UUID) AS VARCHAR)"),
    ("java.lang.Math", "abs"): (1, "CAST(abs(_0) AS VARCHAR)"),
    ("java.lang.Math", "sqrt"): (1, "CAST(sqrt(CAST(_0 AS DOUBLE)) AS VARCHAR)"),
    ("java.lang.Math", "pow"): (2, "CAST(pow(CAST(_0 AS DOUBLE), CAST(_1 AS DOUBLE)) AS VARCHAR)"),
    ("java.lang.Math", "max"): (2, "CAST(greatest(_0, _1) AS VARCHAR)"),
    ("java.lang.Math", "min"): (2, "CAST(least(_0, _1) AS VARCHAR)"),
    ("java.lang.Math", "random"): (0, "CAST(random() AS VARCHAR)"),
    ("java.lang.Math", "floorDiv"): (2, "CAST(_0 // _1 AS VARCHAR)"),
    ("java.lang.String", "valueOf"): (1, "CAST(_0 AS VARCHAR)"),
}


@spark_function("java_method", "reflect", result="string")
def java_method(class_name, method, *args):
    """Spark calls a static Java method by reflection; the local engine knows the common ones."""
    if not all(isinstance(a, exp.Literal) and a.is_string for a in (class_name, method)):
        raise ByzerRuntimeError("function `reflect`/`java_method`: class and method must be "
                                "string literals")
    known = _JAVA_STATIC.get((class_name.this, method.this))
    if known is None or known[0] != len(args):
        supported = ", ".join(f"{c}.{m}" for c, m in _JAVA_STATIC)
        raise ByzerRuntimeError(f"function `reflect`/`java_method`: {class_name.this}.{method.this} "
                                f"with {len(args)} argument(s) is not supported by the local "
                                f"engine (supported: {supported})")
    return duck(known[1], *args)
