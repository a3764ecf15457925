"""The kernel side of the result viewer: the results shown lately, by id, and their pages, sorts
and downloads, answered over the comm target `byzer.table` (docs/reference/results.md).

A result's bundle carries its first page; a viewer in the front-end asks for other pages, sorted
pages and the whole result as a file over a comm, so the browser never receives the whole table.
The registry keeps a reference to each shown table (the same Arrow table the session made, never a
copy) for the last KEPT_RESULTS results; older ones, and all of them after a restart, answer with
an error saying to run the cell again.
"""
from __future__ import annotations

import base64
import math
import threading
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Optional

from .lang.errors import log

# pyarrow and the engine load on first use: the kernel registers the comm target at start, before
# its warm-up thread has imported them.
if TYPE_CHECKING:
    import pyarrow as pa

TARGET = "byzer.table"
MIME_TYPE = "application/vnd.byzer.table+json"
VERSION = 1
KEPT_RESULTS = 50
MAX_PAGE_ROWS = 10_000
DOWNLOAD_LIMIT_BYTES = 256 * 1024 * 1024
JSON_TEXT_LIMIT = 1_000  # characters of one text value sent to the viewer
JS_SAFE_INTEGER = 2 ** 53 - 1  # larger integers go as text: JavaScript numbers would round them


class ViewerError(Exception):
    """A request the viewer cannot answer; its text is the answer's `error`."""


# -- values as the viewer receives them ---------------------------------------------------------

def columns(table: pa.Table) -> list[dict]:
    from .engine.types import spark_type_name

    return [{"name": field.name, "type": spark_type_name(field.type)} for field in table.schema]


def json_value(value: Any):
    """One value as JSON: numbers and booleans as themselves, null as null, everything else
    (dates, timestamps, decimals, intervals, nested values) as the text the table shows."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -JS_SAFE_INTEGER <= value <= JS_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if hasattr(value, "isoformat"):  # date, time, datetime
        return value.isoformat()
    if isinstance(value, (list, tuple, dict)):
        import json

        text = json.dumps(value, default=str, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= JSON_TEXT_LIMIT else text[: JSON_TEXT_LIMIT - 1] + "…"


def json_rows(table: pa.Table) -> list[list]:
    """The rows of a (small) table as lists of JSON values, in column order."""
    if table.num_columns == 0:
        return [[] for _ in range(table.num_rows)]
    values = [column.to_pylist() for column in table.columns]
    return [[json_value(v) for v in row] for row in zip(*values)]


def table_data(table: pa.Table, table_id: str, name: Optional[str], page_size: int) -> dict:
    """The `application/vnd.byzer.table+json` data of a result: its first page and its shape."""
    return {"version": VERSION, "table_id": table_id, "name": name, "columns": columns(table),
            "rows": json_rows(_rows(table, 0, page_size)), "total_rows": table.num_rows,
            "offset": 0, "page_size": page_size, "sort": []}


# -- the registry -------------------------------------------------------------------------------

class ResultRegistry:
    """The last `capacity` results shown, least recently used dropped first, and the order of
    the last sorted one (its row indices: 8 bytes per row, kept for one result only)."""

    def __init__(self, capacity: int = KEPT_RESULTS):
        self.capacity = capacity
        self._tables: OrderedDict[str, tuple[pa.Table, Optional[str]]] = OrderedDict()
        self._sorted: Optional[tuple[str, tuple, pa.Array]] = None
        self._lock = threading.RLock()

    def keep(self, table: pa.Table, name: Optional[str]) -> str:
        table_id = uuid.uuid4().hex
        with self._lock:
            self._tables[table_id] = (table, name)
            while len(self._tables) > self.capacity:
                dropped, _ = self._tables.popitem(last=False)
                if self._sorted is not None and self._sorted[0] == dropped:
                    self._sorted = None
        return table_id

    def get(self, table_id) -> tuple[pa.Table, Optional[str]]:
        with self._lock:
            if not isinstance(table_id, str) or table_id not in self._tables:
                raise ViewerError(
                    f"result {table_id!r} is no longer in the kernel (the kernel keeps the last "
                    f"{self.capacity} results it showed, and none from before a restart): run the cell again")
            self._tables.move_to_end(table_id)
            return self._tables[table_id]

    def clear(self) -> None:
        """Forget every kept result (their tables are freed once nothing else holds them)."""
        with self._lock:
            self._tables.clear()
            self._sorted = None

    def __len__(self) -> int:
        return len(self._tables)

    def answer(self, table_id, request: Any) -> dict:
        """The answer to one comm request; any failure is {"error": text}."""
        try:
            if not isinstance(request, dict):
                raise ViewerError("a request is a JSON object with a `request` field")
            kind = request.get("request")
            if kind == "page":
                reply = self.page(table_id, request)
            elif kind == "download":
                reply = self.download(table_id, request.get("format"))
            else:
                raise ViewerError(f"unknown request {kind!r} (one of: page, download)")
        except ViewerError as error:
            reply = {"error": str(error)}
        except Exception as error:  # a bug: the viewer shows one line, the kernel log the traceback
            log.exception("result viewer request %r failed", request)
            reply = {"error": f"{type(error).__name__}: {error}"}
        if isinstance(request, dict) and "request_id" in request:
            reply["request_id"] = request["request_id"]
        return reply

    def page(self, table_id, request: dict) -> dict:
        table, name = self.get(table_id)
        offset = _whole_number(request.get("offset", 0), "offset", 0)
        limit = _whole_number(request.get("limit", 20), "limit", 1)
        if limit > MAX_PAGE_ROWS:
            raise ViewerError(f"limit must be at most {MAX_PAGE_ROWS}, got {limit}")
        sort = _sort_keys(table, name, request.get("sort") or [])
        offset = min(offset, table.num_rows)
        if sort:
            rows = _rows_at(table, self._order(table_id, table, name, sort).slice(offset, limit))
        else:
            rows = _rows(table, offset, limit)
        return {"rows": json_rows(rows), "offset": offset, "total_rows": table.num_rows,
                "sort": [{"column": table.schema.names[i], "descending": d} for i, d in sort]}

    def _order(self, table_id: str, table: pa.Table, name, sort: tuple) -> pa.Array:
        """Row indices in sort order (stable; nulls last either way), reused while the viewer
        pages through the same sort."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from .engine.types import spark_type_name

        with self._lock:
            if self._sorted is not None and self._sorted[:2] == (table_id, sort):
                return self._sorted[2]
        keys = {}
        for n, (index, _) in enumerate(sort):
            column = table.column(index)
            if pa.types.is_dictionary(column.type):
                column = column.cast(column.type.value_type)
            keys[f"k{n}"] = column
        orders = [(f"k{n}", "descending" if descending else "ascending") for n, (_, descending) in enumerate(sort)]
        # pyarrow 25 places nulls per key; earlier versions only for the whole sort.
        options = ({"sort_keys": [key + ("at_end",) for key in orders]} if int(pa.__version__.split(".")[0]) >= 25
                   else {"sort_keys": orders, "null_placement": "at_end"})
        try:
            order = pc.sort_indices(pa.table(keys), **options)
        except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
            kinds = ", ".join(f"`{table.schema.names[i]}` ({spark_type_name(table.schema.types[i])})" for i, _ in sort)
            raise ViewerError(f"the viewer cannot sort {name or 'the result'} by {kinds}: "
                              "sort it with `order by` in a select instead") from None
        with self._lock:
            self._sorted = (table_id, sort, order)
        pa.default_memory_pool().release_unused()  # the sort's scratch memory, back to the system
        return order

    def download(self, table_id, file_format) -> dict:
        from .result_export import FORMATS, download_filename, export_table

        table, name = self.get(table_id)
        if file_format not in FORMATS:
            raise ViewerError(f"unknown download format {file_format!r} (one of: {', '.join(FORMATS)})")
        data = export_table(table, file_format)
        if len(data) > DOWNLOAD_LIMIT_BYTES:
            mb = 1024 * 1024
            raise ViewerError(
                f"the {file_format} file of {name or 'the result'} is {len(data) // mb} MB, more than a "
                f"download carries ({DOWNLOAD_LIMIT_BYTES // mb} MB): write it with "
                f"`save overwrite {name or 't'} as {file_format}.`/some/path`;` instead")
        return {"format": file_format, "filename": download_filename(name, file_format),
                "data_base64": base64.b64encode(data).decode("ascii")}


def _rows(table: pa.Table, offset: int, limit: int) -> pa.Table:
    """Rows offset..offset+limit (a zero-copy slice; bounded here because Arrow gives a table
    without columns as many rows as the slice asks for)."""
    return table.slice(offset, max(0, min(limit, table.num_rows - offset)))


def _rows_at(table: pa.Table, indices: pa.Array) -> pa.Table:
    """The rows at `indices` (one page): one zero-copy slice per row. Table.take would first
    join each column's chunks into one array, a copy of the whole column for every page."""
    import pyarrow as pa

    positions = indices.to_pylist()
    if not positions:
        return table.slice(0, 0)
    return pa.concat_tables([table.slice(i, 1) for i in positions])


def _whole_number(value, field: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ViewerError(f"{field} must be a whole number of at least {least}, got {value!r}")
    return value


def _sort_keys(table: pa.Table, name, sort) -> tuple:
    """The request's sort as ((column index, descending), ...), checked against the columns."""
    if not isinstance(sort, list):
        raise ViewerError('sort is a list of {"column": name, "descending": true|false}')
    names = table.schema.names
    keys = []
    for item in sort:
        column = item.get("column") if isinstance(item, dict) else None
        if column not in names:
            raise ViewerError(f"no column {column!r} in {name or 'the result'} (columns: {', '.join(names)})")
        descending = item.get("descending", False)
        if not isinstance(descending, bool):
            raise ViewerError(f"descending must be true or false, got {descending!r}")
        keys.append((names.index(column), descending))
    return tuple(keys)


registry = ResultRegistry()


# -- the comm -----------------------------------------------------------------------------------

def open_comm(comm, open_msg) -> None:
    """A viewer opened a comm for one result ({"table_id": ...}); each message is one request."""
    table_id = (open_msg.get("content", {}).get("data") or {}).get("table_id")

    def on_msg(msg):
        comm.send(registry.answer(table_id, msg.get("content", {}).get("data")))

    comm.on_msg(on_msg)


def register_comm_target(shell) -> bool:
    """Answer viewers in this kernel (the Byzer kernel, or any IPython kernel with the %%byzer
    magic). A terminal IPython has no kernel, hence no front-end to answer: False."""
    manager = getattr(getattr(shell, "kernel", None), "comm_manager", None)
    if manager is None:
        return False
    manager.register_target(TARGET, open_comm)
    return True
