"""Input partitions and the rows Python code sees (docs/spec.md §6.2 step 3, §6.6).

A partition is a zero-copy slice of the input Arrow table. Rows are handed to user code the way
pyjava hands them over (Arrow -> pandas -> `to_dict('records')`), with a faster path that gives the
same Python values when every column is a plain type without nulls.
"""
from __future__ import annotations

from typing import Iterator

import pyarrow as pa

from ..engine.commands_tables import recorded_partitions
from ..engine.table_slices import split_table as balanced_slices

ROWS_PER_BATCH = 1000  # Byzer's data servers send batches of 1000 rows


def partition_count(num_rows: int, cpus: int) -> int:
    """As many partitions as CPUs, at least 1, at most one per row."""
    return max(1, min(int(cpus), num_rows))


def split_table(table: pa.Table, count: int) -> list:
    """The partitions of an input table (run.py and python_exec.py cut with this): `count` balanced
    slices, or the pieces of a table cut by `!tableRepartition` (docs/spec.md §10.4)."""
    if recorded_partitions(table) is not None:
        return keep_partitions(table)
    return balanced_slices(table, count)


def keep_partitions(table: pa.Table) -> list:
    """`keepPartitionNum=true`: the table's own record batches are the partitions."""
    batches = [b for b in table.to_batches() if b.num_rows] or [None]
    if batches == [None]:
        return [table]
    return [pa.Table.from_batches([b], schema=table.schema) for b in batches]


def _plain(dtype: pa.DataType) -> bool:
    return (pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_boolean(dtype)
            or pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
            or pa.types.is_string_view(dtype))


def batch_rows(batch) -> list:
    """Rows (dicts) of a RecordBatch or Table, with pyjava's value conversions."""
    if batch.num_columns == 0:
        return [{} for _ in range(batch.num_rows)]
    if all(_plain(column.type) and column.null_count == 0 for column in batch.columns):
        names = batch.schema.names
        columns = [column.to_pylist() for column in batch.columns]
        return [dict(zip(names, values)) for values in zip(*columns)]
    return batch.to_pandas().to_dict("records")


def iter_rows(table: pa.Table, rows_per_batch: int = ROWS_PER_BATCH, counted=None) -> Iterator[dict]:
    """`counted(n)` hears the size of each batch as it is handed over (the run's progress)."""
    for batch in table.to_batches(max_chunksize=rows_per_batch):
        rows = batch_rows(batch)
        if counted is not None:
            counted(len(rows))
        yield from rows
