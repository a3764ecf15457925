"""`UniqueIdentifier` (byzer-extension: tech.mlsql.plugins.mllib.ets.fe.SQLUniqueIdentifier): a column
of consecutive ids 1, 2, 3... in row order, new (first column) or replacing an existing column in place.
`mode="inferSchema"` answers the output's columns (col_name, data_type) from `inputSchema` instead."""
from __future__ import annotations

import json

import pyarrow as pa

from ...lang.errors import UsageError
from . import builtin_et
from .base import ET, Param
from .example_data import PEOPLE

DEFAULT_COLUMN = "Unique_ID"


@builtin_et
class UniqueIdentifier(ET):
    name = "UniqueIdentifier"
    doc = ("Generates a column of globally unique ids (1, 2, 3... in row order): a new first column "
           "(source=\"new\") or in place of an existing one (source=\"replace\").")
    alg_type = "feature engineer"
    code_example = PEOPLE + """
load jsonStr.`abc` as table1;
select age, income from table1 as table2;
run table2 as UniqueIdentifier.`` where source="replace" and columnName="income" as uniqueIdentifier;"""
    params = (
        Param("source", "When the value is `new`, create a new column named columnName (an error if it "
              "exists); when `replace`, replace the existing column (a new one if it is missing). "
              "e.g. source = \"new\"", default="new"),
        Param("columnName", "Column names that need to be replaced or created. e.g. columnName = \"age\"",
              default=DEFAULT_COLUMN),
        Param("mode", "Get output table structure and type by inference. e.g. mode = \"inferSchema\"",
              default="data", values=("data", "inferSchema")),
        Param("inputSchema", "with mode=\"inferSchema\": the input's columns as JSON {\"name\": \"type\"}",
              default="{}"),
    )

    def run(self, session, request, options, events) -> pa.Table:
        source = options["source"].lower()
        if source not in ("new", "replace"):
            raise UsageError(f"UniqueIdentifier: Illegal source parameter: {source}")
        column = options["columnName"]
        if options["mode"] == "inferSchema":
            return inferred_schema(session, request, source, column, options["inputSchema"])
        table = session.table(request.input_table)
        ids = pa.array(range(1, table.num_rows + 1), pa.int64())
        if source == "replace" and column in table.column_names:  # Spark's Row field names: exact case
            index = table.column_names.index(column)
            return table.set_column(index, pa.field(column, pa.int64(), nullable=False), ids)
        if column in table.column_names:
            raise UsageError(f"UniqueIdentifier: The newly created column name `{column}` already exists.")
        return table.add_column(0, pa.field(column, pa.int64(), nullable=False), ids)

    train = predict = run


def inferred_schema(session, request, source: str, column: str, text: str) -> pa.Table:
    """Byzer's inferSchema mode: rows (col_name, data_type) of the output, from `inputSchema`."""
    try:
        given = json.loads(text)
    except ValueError as error:
        raise UsageError(f"UniqueIdentifier: inputSchema is a JSON object of column types: {error}") from None
    if not isinstance(given, dict):
        raise UsageError("UniqueIdentifier: inputSchema is a JSON object of column types")
    names = session.table(request.input_table).column_names if source == "replace" else []
    rows = list(given.items()) if column in names else [(column, "bigint"), *given.items()]
    rows = [(name, kind) for name, kind in dict(rows).items()]  # a repeated name keeps its first place
    return pa.table({"col_name": pa.array([r[0] for r in rows], pa.string()),
                     "data_type": pa.array([None if r[1] is None else str(r[1]) for r in rows], pa.string())})
