"""What front-ends get of a statement's table. Under the embedded engine it is an Arrow table; under
Spark a lazy table (engine/spark/frame.py) whose rows stay in Spark until asked for: a display gets
its first rows, marked when there are more, and `-o`/`to_pandas` every row.

Imports nothing heavy: front-ends load it before any table exists."""
from __future__ import annotations

from typing import Any, Optional

# Rows fetched from a lazy table for a display: enough for the result viewer to page through.
PREVIEW_ROWS = 1000
# Schema metadata of a table holding only the first rows of a longer result.
MORE_ROWS_KEY = b"byzer.more_rows"


def is_arrow(table: Any) -> bool:
    return hasattr(table, "num_rows") and hasattr(table, "slice")


def arrow_table(table: Any):
    """Every row as an Arrow table (a lazy table collects)."""
    if table is None or is_arrow(table):
        return table
    with _cancelled_on_interrupt(table):
        return table.to_arrow()


def shown_table(table: Any, limit: Optional[int]):
    """What a display of `limit` rows (None or <= 0: all) needs: an Arrow table as it is, the first
    max(limit, PREVIEW_ROWS) rows of a lazy one."""
    if table is None or is_arrow(table):
        return table
    with _cancelled_on_interrupt(table):
        return table.preview(max(limit, PREVIEW_ROWS) if limit is not None and limit > 0 else None)


def row_count(table: Any) -> int:
    """Every row counted (a lazy table counts in Spark)."""
    if is_arrow(table):
        return table.num_rows
    with _cancelled_on_interrupt(table):
        return table.count()


def _cancelled_on_interrupt(table: Any):
    """A lazy table's rows are computed while they are fetched: a kernel interrupt meanwhile
    cancels the Spark jobs computing them (engine/spark/interrupts.py)."""
    from .spark.interrupts import cancelled_on_interrupt

    return cancelled_on_interrupt(lambda: table.dataframe.sparkSession)


def known_row_count(table: Any) -> Optional[int]:
    """The row count when it costs nothing to know (never runs a Spark job)."""
    if table is None:
        return None
    if is_arrow(table):
        return None if has_more_rows(table) else table.num_rows
    return table.known_rows


def with_more_rows(table):
    """`table` marked as the first rows of a longer result."""
    metadata = dict(table.schema.metadata or {})
    metadata[MORE_ROWS_KEY] = b"true"
    return table.replace_schema_metadata(metadata)


def has_more_rows(table) -> bool:
    metadata = table.schema.metadata
    return bool(metadata) and MORE_ROWS_KEY in metadata
