"""`DataTranspose` (byzer-extension: tech.mlsql.plugins.mllib.ets.fe.DataTranspose).
  * method="pivot": Spark's `groupBy(indexCols).pivot(inputCol).sum(aggCol)`: the index columns, then
    one column per distinct value of inputCol (sorted, null first and named "null") holding the sum
    of aggCol (bigint for whole numbers, double otherwise, decimal stays decimal).
  * method="unpivot": `stack(n, 'c1', c1, ...) as (mergedCol, aggCol)`: each row becomes one row per
    unPivotCols column (in the order given), with the column's name and value; nulls are kept.
Rows come in the order their index values first appear (Spark's group-by order is a hash order)."""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import UsageError
from ...lang.java_values import java_double
from . import builtin_et
from .base import ET, Param

MAX_PIVOT_VALUES = 10000  # spark.sql.pivotMaxValues


@builtin_et
class DataTranspose(ET):
    name = "DataTranspose"
    doc = "Transposes data: pivot (rows to columns, summing aggCol) or unpivot (columns to rows)."
    alg_type = "feature engineer"
    code_example = '''set jsonStr=\'\'\'
{"subject":"数学","name":"张三","score":88},
{"subject":"语文","name":"张三","score":92}
{"subject":"英语","name":"张三","score":77}
{"subject":"数学","name":"王五","score":65}
{"subject":"语文","name":"王五","score":87}
{"subject":"英语","name":"王五","score":90}
{"subject":"数学","name":"李雷","score":67}
{"subject":"语文","name":"李雷","score":33}
{"subject":"英语","name":"李雷","score":24}
{"subject":"数学","name":"宫九","score":77}
{"subject":"语文","name":"宫九","score":87}
{"subject":"英语","name":"宫九","score":90}
\'\'\';
load jsonStr.`jsonStr` as data;
run data as DataTranspose.`` where method='pivot'
and indexCols='name'
and inputCol='subject'
and aggCol='score'
as data1;


-- try to unpivot
run data1 as DataTranspose.`` where method='unpivot'
and indexCols='name'
and mergedCol='sbject'
and unPivotCols='数学,英语,语文'
and aggCol='score'
as res;'''
    params = (
        Param("method", "pivot (rows to columns) or unpivot (columns to rows)", required=True,
              values=("pivot", "unpivot")),
        Param("indexCols", "The index columns for transposing data (comma-separated)", required=True),
        Param("inputCol", "pivot: The column for transposition as new multiple columns"),
        Param("aggCol", "pivot: the column summed into the new columns; unpivot: the name of the "
              "values' column"),
        Param("unPivotCols", "unpivot: The columns for merging together as an unpivot one (comma-separated)"),
        Param("mergedCol", "unpivot: the name of the column holding the merged columns' names"),
    )

    def run(self, session, request, options, events) -> pa.Table:
        table = session.table(request.input_table)
        index = [_column(table, name) for name in _names(options["indexCols"])]
        if options["method"] == "pivot":
            return pivot(table, index, _column(table, _needed(options, "inputCol")),
                         _column(table, _needed(options, "aggCol")))
        return unpivot(table, index, [_column(table, n) for n in _names(_needed(options, "unPivotCols"))],
                       _needed(options, "mergedCol"), _needed(options, "aggCol"))

    train = predict = run


def pivot(table: pa.Table, index: list[str], input_col: str, agg_col: str) -> pa.Table:
    import duckdb

    q = _quoted
    con = duckdb.connect()
    con.register("t", table.append_column("__row", pa.array(range(table.num_rows), pa.int64())))
    keys = [row[0] for row in con.execute(
        f"SELECT DISTINCT {q(input_col)} FROM t ORDER BY 1 NULLS FIRST LIMIT {MAX_PIVOT_VALUES + 1}").fetchall()]
    if len(keys) > MAX_PIVOT_VALUES:
        raise UsageError(f"DataTranspose: the pivot column {input_col} has more than {MAX_PIVOT_VALUES} "
                         "distinct values (Spark's spark.sql.pivotMaxValues)")
    agg_type = table.schema.field(agg_col).type
    cells = []
    for key in keys:
        match = f"{q(input_col)} IS NULL" if key is None else f"{q(input_col)} = $k{len(cells)}"
        cells.append(f"{_sum_expression(agg_type, q(agg_col), match)} AS {q(_value_name(key))}")
    parameters = {f"k{i}": key for i, key in enumerate(keys) if key is not None}
    groups = ", ".join(q(c) for c in index)
    sql = (f"SELECT {groups}{''.join(', ' + c for c in cells)} FROM t GROUP BY {groups} "
           "ORDER BY min(__row)")
    relation = con.sql(sql, params=parameters)
    return (getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table)()


def unpivot(table: pa.Table, index: list[str], columns: list[str], merged: str, agg_col: str) -> pa.Table:
    if not columns:
        raise UsageError("DataTranspose: unPivotCols names no column")
    types = {str(table.schema.field(c).type) for c in columns if not pa.types.is_null(table.schema.field(c).type)}
    if len(types) > 1:
        listed = ", ".join(f"{c} {table.schema.field(c).type}" for c in columns)
        raise UsageError(f"DataTranspose: the unPivotCols must have one type, as Spark's stack requires: {listed}")
    target = table.schema.field(next((c for c in columns if not pa.types.is_null(table.schema.field(c).type)),
                                     columns[0])).type
    import numpy as np

    rows, k = table.num_rows, len(columns)
    repeat = pa.array(np.repeat(np.arange(rows, dtype=np.int64), k))  # row i, k times
    values = pa.concat_arrays([table.column(c).combine_chunks().cast(target) for c in columns])
    # row i's j-th value sits at j * rows + i of the concatenated columns
    order = pa.array((np.arange(k, dtype=np.int64)[None, :] * rows
                      + np.arange(rows, dtype=np.int64)[:, None]).ravel())
    out = {name: table.column(name).take(repeat) for name in index}
    out[merged] = pa.array(np.tile(np.array(columns, dtype=object), rows), pa.string())
    out[agg_col] = values.take(order)
    return pa.table(out)


def _sum_expression(dtype: pa.DataType, column: str, match: str) -> str:
    """The sum over the rows matching; Spark's type: bigint for whole numbers (DuckDB's sum would be
    a hugeint), decimal for decimals, double for the rest."""
    if pa.types.is_integer(dtype) or pa.types.is_boolean(dtype):
        return f"CAST(sum(CAST({column} AS BIGINT)) FILTER (WHERE {match}) AS BIGINT)"
    if pa.types.is_decimal(dtype):
        return f"sum({column}) FILTER (WHERE {match})"
    return f"sum(TRY_CAST({column} AS DOUBLE)) FILTER (WHERE {match})"


def _value_name(value) -> str:
    """The new column's name: the value's toString."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    return str(value)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _needed(options: dict, name: str) -> str:
    if not options.get(name):
        raise UsageError(f"DataTranspose method={options['method']} needs the parameter `{name}`")
    return options[name]


def _column(table: pa.Table, name: str) -> str:
    """The table's column named `name` (Spark resolves names without regard to case)."""
    for column in table.column_names:
        if column.lower() == name.lower():
            return column
    raise UsageError(f"DataTranspose: no column `{name}` (columns: {', '.join(table.column_names)})")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
