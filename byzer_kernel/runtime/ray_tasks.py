"""What runs inside a Ray task for `foreach` / `map_iter` (docs/design.md §4.4).

The partition arrives as an Arrow table from the object store, the user's function turns its rows
into result rows, and those go back as an Arrow table of the declared schema (by position).
Failures return as data (`UserFailure` / a schema message), never as the user's exception object.
"""
from __future__ import annotations

import pyarrow as pa

from ..lang.errors import SchemaError
from .output import ColumnBuilder
from .partitions import iter_rows
from .user_errors import describe_exception


def apply_to_partition(table: pa.Table, function, per_row: bool, schema: pa.Schema):
    """-> ("ok", table) | ("schema", message) | ("error", UserFailure)."""
    try:
        rows = iter_rows(table)
        produced = (function(row) for row in rows) if per_row else function(rows)
        builder = ColumnBuilder(schema)
        builder.add_rows(produced)
        return "ok", builder.table()
    except SchemaError as error:
        return "schema", error.message
    except (Exception, SystemExit) as error:  # the user's function failed (or called sys.exit)
        return "error", describe_exception(error)


_remote_apply = None


def remote_apply():
    """The Ray remote version, created on first use so that importing this module needs no Ray."""
    global _remote_apply
    if _remote_apply is None:
        import ray

        # No retries: Ray would silently rerun user code whose worker died.
        _remote_apply = ray.remote(max_retries=0)(apply_to_partition)
    return _remote_apply
