"""What runs inside a Ray task for `foreach` / `map_iter` (docs/design.md §4.4).

The partition arrives as an Arrow table from the object store, the user's function turns its rows
into result rows, and those go back as an Arrow table of the declared schema (by position).
Failures return as data (`UserFailure` / a schema message), never as the user's exception object.

The task is a Ray streaming generator: while it works it yields ("progress", rows consumed) about
every REPORT_SECONDS, so the run's progress moves while partitions run (runtime/run_meter.py),
then its one result.
"""
from __future__ import annotations

import time

import pyarrow as pa

from ..lang.errors import SchemaError
from .output import BLOCK_SIZE, ColumnBuilder
from .partitions import ROWS_PER_BATCH, batch_rows
from .user_errors import describe_exception

REPORT_SECONDS = 0.5


CHECK_EVERY = 32  # rows between looks at the clock: cheap for fast functions, often enough for slow ones


class CountedRows:
    """The partition's rows, counting those the function has taken (map_iter)."""

    def __init__(self, table: pa.Table):
        self.table, self.taken = table, 0

    def __iter__(self):
        for batch in self.table.to_batches(max_chunksize=ROWS_PER_BATCH):
            for row in batch_rows(batch):
                self.taken += 1
                yield row


def apply_to_partition(table: pa.Table, function, per_row: bool, schema: pa.Schema, builder=None):
    """Yields ("progress", rows consumed) now and then, then ("ok", table) | ("schema", message) |
    ("error", UserFailure). `builder` takes the result rows (a ColumnBuilder of `schema` unless
    given: a Spark-fed run's writes them to disk as they come); "ok" carries its `table()`."""
    try:
        builder = builder if builder is not None else ColumnBuilder(schema)
        yield from (_foreach(table, function, builder) if per_row else _map_iter(table, function, builder))
        result = "ok", builder.table()
    except SchemaError as error:
        result = "schema", error.message
    except (Exception, SystemExit) as error:  # the user's function failed (or called sys.exit)
        result = "error", describe_exception(error)
    yield result


def _foreach(table: pa.Table, function, builder: ColumnBuilder):
    """The function called on each row right here (no generator in between: it is the hot loop),
    its results added in chunks of BLOCK_SIZE as ColumnBuilder.add_rows cuts them."""
    chunk, reported, taken = [], time.monotonic(), 0
    for batch in table.to_batches(max_chunksize=ROWS_PER_BATCH):
        for row in batch_rows(batch):
            chunk.append(function(row))
            taken += 1
            if len(chunk) == BLOCK_SIZE:
                builder.add_chunk(chunk)
                chunk = []
            if taken % CHECK_EVERY == 0:
                now = time.monotonic()
                if now - reported >= REPORT_SECONDS:
                    reported = now
                    yield "progress", taken
    if chunk:
        builder.add_chunk(chunk)


def _map_iter(table: pa.Table, function, builder: ColumnBuilder):
    """The function given the rows as an iterator; progress counts the rows it has taken."""
    rows = CountedRows(table)
    chunk, reported = [], time.monotonic()
    for row in function(iter(rows)):
        chunk.append(row)
        if len(chunk) == BLOCK_SIZE:
            builder.add_chunk(chunk)
            chunk = []
        now = time.monotonic()
        if now - reported >= REPORT_SECONDS:
            reported = now
            yield "progress", rows.taken
    if chunk:
        builder.add_chunk(chunk)


_remote_apply = None


def remote_apply():
    """The Ray remote version, created on first use so that importing this module needs no Ray."""
    global _remote_apply
    if _remote_apply is None:
        import ray

        # No retries: Ray would silently rerun user code whose worker died.
        _remote_apply = ray.remote(max_retries=0, num_returns="streaming")(apply_to_partition)
    return _remote_apply
