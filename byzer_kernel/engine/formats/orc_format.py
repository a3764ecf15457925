"""`load orc.`path`` and `save ... as orc.`path`` (docs/spec.md §3.6): pyarrow's ORC reader and writer
(the Apache ORC C++ library) under the same Spark folder layout as parquet: part files
`part-NNNNN-<job>-c000.snappy.orc`, `k=v` partition folders, `_SUCCESS`, the save modes.
`compression` takes Spark's orc codecs (snappy by default, zlib, lz4, zstd, none/uncompressed)."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError
from .layout import read_partitioned
from .options import option

_CODECS = {"snappy": "snappy", "zlib": "zlib", "lz4": "lz4", "zstd": "zstd", "none": "uncompressed",
           "uncompressed": "uncompressed"}


def load_orc(session, path: str, options: dict) -> pa.Table:
    return read_partitioned(path, session.resolve_path, _read_orc_file, list)


def _read_orc_file(file: Path) -> pa.Table:
    from pyarrow import orc

    try:
        return orc.read_table(str(file))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as error:
        raise ByzerRuntimeError(f"{file} is not an orc file: {error}") from None


def orc_codec(options: dict) -> str:
    codec = str(option(options, "compression", "snappy")).lower()
    if codec not in _CODECS:
        raise UsageError(f"orc: unknown compression \"{codec}\" (use one of: {', '.join(_CODECS)})")
    return _CODECS[codec]


def write_orc_file(table: pa.Table, path: Path, options: dict) -> None:
    from pyarrow import orc

    orc.write_table(table, str(path), compression=orc_codec(options))
