"""Cutting a table into ordered pieces. Two places want the same cut: `save ... where fileNum=N`
writes one part file per piece, and the runtime gives each piece to one Python partition."""
from __future__ import annotations

import pyarrow as pa


def split_table(table: pa.Table, count: int) -> list[pa.Table]:
    """Up to `count` zero-copy slices in row order whose sizes differ by one row at most. Never
    more slices than rows (no empty part file, no idle partition); a table without rows is one
    empty slice, so a save still writes a part file with the schema."""
    count = max(1, min(count, table.num_rows))
    size, extra = divmod(table.num_rows, count)
    slices, start = [], 0
    for index in range(count):
        length = size + (1 if index < extra else 0)
        slices.append(table.slice(start, length))
        start += length
    return slices
