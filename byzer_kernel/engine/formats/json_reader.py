"""JSON text -> Arrow as Spark 3.3 reads it (docs/spec.md §3.1): `spark.read.json(Dataset[String])` for a
jsonStr variable, the file reader for JSON Lines files. The pyarrow fast path (`json_fast`) takes
what it can vouch for; the exact per-line reader (`json_exact`) takes everything else."""
from __future__ import annotations

import re
from typing import Optional

import numpy as np
import pyarrow as pa

from .json_exact import read_files_exact, read_lines_exact
from .json_fast import read_fast
from .json_options import JsonReadOptions

_NOT_BLANK = re.compile(r"[^ \t\r\n]")


def read_json_text(text: str, options: Optional[dict] = None) -> pa.Table:
    """Spark's `spark.read.json(text.split("\\n"))` as an Arrow table."""
    opts = JsonReadOptions.parse(options)
    if _NOT_BLANK.search(text) is None:
        return pa.table({})
    if opts.fast_path_allowed:
        table = read_fast(text)
        if table is not None:
            return table
    return read_lines_exact(text.split("\n"), opts)


def read_json_files(texts: list[str], options: Optional[dict] = None) -> list[pa.Table]:
    """JSON Lines files read as Spark reads a folder of them: one schema inferred over all files,
    returned as one table per file (each holding exactly that file's rows, so that partition values
    can be given per file whatever rows the mode drops). `\\n`, `\\r\\n` and `\\r` end a line."""
    opts = JsonReadOptions.parse(options)
    texts = [text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text for text in texts]
    joined = "\n".join(texts)
    if _NOT_BLANK.search(joined) is None:
        return [pa.table({}) for _ in texts]
    if opts.fast_path_allowed:
        table = read_fast(joined)
        if table is not None:  # the fast path vouches for one row per non-blank line, in order
            counts = [sum(1 for line in text.split("\n") if _NOT_BLANK.search(line)) for text in texts]
            starts = np.cumsum([0] + counts[:-1])
            return [table.slice(int(start), count) for start, count in zip(starts, counts)]
    return read_files_exact([text.split("\n") for text in texts], opts)
