"""`EmptyTable` and `EmptyTableWithSchema` (byzer-lang: tech.mlsql.plugins.ets.EmptyTable,
tech.mlsql.ets.EmptyTableWithSchema): a table without rows, without columns or with the given schema."""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import SchemaError, UsageError
from . import builtin_et
from .base import ET, Param


@builtin_et
class EmptyTable(ET):
    name = "EmptyTable"
    doc = "An empty table: no columns, no rows (Spark's emptyDataFrame), whatever the input."
    alg_type = "process"
    code_example = "run command as EmptyTable.`` as empty;"
    params = ()

    def run(self, session, request, options, events) -> pa.Table:
        return pa.table({})

    train = predict = run  # Byzer's batchPredict is its train


@builtin_et
class EmptyTableWithSchema(ET):
    name = "EmptyTableWithSchema"
    doc = ("An empty table with the columns of `schema`: Spark DDL (`a string, b bigint`), Spark's "
           "JSON schema (`{\"type\":\"struct\",...}`), Byzer's simple schema (`st(field(a,string))`) "
           "or `file` (start long, offset long, value binary).")
    alg_type = "process"
    code_example = 'run command as EmptyTableWithSchema.`` where schema="id long, name string" as empty;'
    params = (Param("schema", "the columns of the empty table", required=True),)

    def run(self, session, request, options, events) -> pa.Table:
        from ...lang.schema import parse_schema

        text = options["schema"]
        if not text.strip():
            raise UsageError("EmptyTableWithSchema needs a non-empty `schema`")
        try:
            schema = parse_schema(text)
        except SchemaError as error:
            raise UsageError(f"EmptyTableWithSchema: bad schema {text!r}: {error}") from None
        return schema.empty_table()

    train = predict = run
