"""`JsonExpandExt` (byzer-lang: tech.mlsql.plugins.ets.JsonExpandExt): a JSON string column expanded into
one column per top-level field.

As Byzer: the fields are those Spark's JSON reader infers over the column (`spark.read.json` of the
column's strings: the project's reader, formats/json_reader.py, fields in Spark's order); the values are
`json_tuple`'s (strings; a nested object or array as its JSON text), run by the project's Spark SQL. The
output is the other columns, then the fields, and the JSON column is dropped (by name, so a field named
as it goes too, as Spark's `drop`). A cell Spark cannot read (bad JSON, or NULL, which Spark's reader
also counts as corrupt) fails the statement with Byzer's "Corrupted JSON in column X".
`structColumn="true"` keeps the column instead, as a struct parsed by `from_json` with that schema, last.
`samplingRatio` <= 0.99 infers from a sample (Spark's JsonUtils.sample reads every row above 0.99):
Spark draws a Bernoulli sample with the JVM's XORShift generator, which is not reproduced; the local
sample is systematic instead, ceil(n * ratio) rows evenly spread from the first, so it is
deterministic and never empty (Byzer's own example, one row at 0.5, expands that row)."""
from __future__ import annotations

import math
import uuid

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError
from . import builtin_et
from .base import ET, Param, flag, input_column

CORRUPT_COLUMN = "_corrupt_record"  # spark.sql.columnNameOfCorruptRecord's default


@builtin_et
class JsonExpandExt(ET):
    name = "JsonExpandExt"
    doc = ("JsonExpandExt is used to expand json strings, please see the codeExample to learn its usage.")
    doc_type = "markdown"
    alg_type = "process"
    code_example = """## Generate a table named "table_1" with one json column "col_1"
SELECT '{"city": "hangzhou", "country":"China"}' AS col_1 AS table_1;

##  Expand json from col_1, please note that there are 2 columns
##  in the result set
run table_1 as JsonExpandExt.`` where inputCol="col_1" AND samplingRatio = "0.5" as A2;"""
    params = (
        Param("inputCol", "Json column to be expanded", required=True),
        Param("samplingRatio", "SamplingRatio used by Spark to infer schema from json", default="1.0",
              value_type="double"),
        Param("structColumn", "turning the json string into Struct object", default="false",
              value_type="boolean"),
    )

    def run(self, session, request, options, events) -> pa.Table:
        table = session.table(request.input_table)
        column = column_named(table, options["inputCol"])
        ratio = sampling_ratio(options["samplingRatio"])
        as_struct = flag(options["structColumn"], "structColumn", self.name)
        schema = inferred_schema(json_cells(table, column), ratio)
        if CORRUPT_COLUMN in schema.names:
            raise ByzerRuntimeError(f"Corrupted JSON in column {options['inputCol']}")
        temp = f"__json_expand_{uuid.uuid4().hex}__"
        session.catalog.register(temp, table)
        try:
            if as_struct:
                return struct_column(session, temp, table, column, schema)
            return expanded(session, temp, table, column, schema)
        finally:
            session.catalog.drop(temp)

    train = predict = run


def column_named(table: pa.Table, name: str) -> str:
    return input_column("JsonExpandExt", "inputCol", table, name)


def sampling_ratio(text: str) -> float:
    try:
        ratio = float(text)
    except ValueError:
        raise UsageError(f'JsonExpandExt: samplingRatio is a number; For input string: "{text}"') from None
    if not ratio > 0:
        raise UsageError(f"JsonExpandExt: samplingRatio ({ratio}) should be greater than 0")
    return ratio


def json_cells(table: pa.Table, column: str) -> list:
    """The column's values as strings (Spark's `.as[String]` up-casts atomic types), NULL kept as None."""
    import pyarrow.compute as pc

    values = table.column(column)
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        try:
            values = pc.cast(values, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise UsageError(f"JsonExpandExt: inputCol `{column}` is a {values.type} column, not JSON text") from None
    return values.to_pylist()


def inferred_schema(cells: list, ratio: float) -> pa.Schema:
    """Spark's JSON schema of the cells (of a sample when ratio < 1); a NULL cell is a corrupt record."""
    from ..formats.json_exact import read_lines_exact
    from ..formats.json_options import JsonReadOptions
    from ..formats.json_reader import read_json_text

    if ratio <= 0.99 and cells:
        # row i is drawn when it takes the running count ceil(i * ratio) one further
        cells = [cell for i, cell in enumerate(cells) if math.ceil((i + 1) * ratio) > math.ceil(i * ratio)]
    if any(cell is None for cell in cells):
        return pa.schema([(CORRUPT_COLUMN, pa.string())])
    if any("\n" in cell or "\r" in cell for cell in cells):  # one record per cell, whatever it holds
        return read_lines_exact(cells, JsonReadOptions.parse({})).schema
    return read_json_text("\n".join(cells)).schema


def quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def expanded(session, temp: str, table: pa.Table, column: str, schema: pa.Schema) -> pa.Table:
    """Byzer's select(df("*"), json_tuple(col, fields...)).toDF(original ++ fields).drop(col)."""
    fields = schema.names
    if fields:
        aliases = ", ".join(f"c{i}" for i in range(len(fields)))
        query = (f"select *, json_tuple({quoted(column)}, {', '.join(map(literal, fields))}) "
                 f"as ({aliases}) from {temp}")
        result = session.sql(query)
    else:
        result = table
    result = result.rename_columns(table.column_names + fields)
    keep = [i for i, name in enumerate(result.column_names) if name.lower() != column.lower()]
    return result.select(keep)


def struct_column(session, temp: str, table: pa.Table, column: str, schema: pa.Schema) -> pa.Table:
    """Byzer's structColumn: the other columns, then the JSON column as from_json's struct."""
    others = [quoted(name) for name in table.column_names if name != column]
    query = (f"select {', '.join(others + [''])}from_json({quoted(column)}, {literal(struct_ddl(schema))}) "
             f"as {quoted(column)} from {temp}")
    return session.sql(query)


def struct_ddl(schema: pa.Schema) -> str:
    from ..types import spark_type_name

    return ", ".join(f"{quoted(field.name)} {spark_type_name(field.type)}" for field in schema)
