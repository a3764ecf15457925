"""The fast path of the JSON reader: the common input (one object per line, maybe indented, maybe
a trailing comma) is checked with a few vectorised byte operations and handed to `pyarrow.json` in
one piece; its result is then brought to Spark's types and column order (docs/spec.md §3.1).

`read_fast` returns None for anything the check or pyarrow cannot vouch for (single quotes, several
values or a root array on a line, malformed lines, type conflicts, big integers, NaN/Infinity,
field names equal but for case); the exact per-line reader (`json_exact`) takes those.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Optional

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from .spark_json import java_order

_SPACE, _TAB, _CR = 32, 9, 13
_BLANK = np.zeros(256, dtype=bool)
_BLANK[[_SPACE, _TAB, _CR]] = True
_TWO_POW_63 = float(1 << 63)
_SPLIT_BYTES = 4 << 20


def _advance_blanks(buf: np.ndarray, pos: np.ndarray, limit: np.ndarray, step: int) -> None:
    """Move each position over blanks (space, tab, CR) in direction `step`, not past `limit`."""
    inside = (pos < limit) if step > 0 else (pos > limit)
    todo = np.flatnonzero(inside)
    todo = todo[_BLANK[buf[pos[todo]]]]
    while todo.size:
        pos[todo] += step
        inside = (pos[todo] < limit[todo]) if step > 0 else (pos[todo] > limit[todo])
        todo = todo[inside]
        todo = todo[_BLANK[buf[pos[todo]]]]


def _irregular_lines(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> Optional[int]:
    """The general check for lines with blanks around the object: blank out one trailing comma;
    the number of non-blank lines, or None if one of them is not `{...}`."""
    first = starts.copy()
    _advance_blanks(buf, first, ends, 1)
    filled = first < ends
    first, ends = first[filled], ends[filled]
    if first.size == 0:
        return 0
    last = ends - 1
    _advance_blanks(buf, last, first, -1)
    comma = np.flatnonzero(buf[last] == 44)
    if comma.size:
        buf[last[comma]] = _SPACE
        tail = last[comma] - 1
        _advance_blanks(buf, tail, first[comma], -1)
        last[comma] = tail
    if not (buf[first] == 123).all() or not (buf[last] == 125).all():
        return None
    return int(first.size)


def _one_object_per_line(data: bytearray) -> Optional[int]:
    """`_check_lines` over the buffer; big buffers are cut at a newline into two halves checked in
    two threads (numpy releases the GIL), since lines never depend on each other."""
    middle = data.find(b"\n", len(data) // 2) if len(data) >= _SPLIT_BYTES else -1
    if middle < 0:
        return _check_lines(memoryview(data))
    view = memoryview(data)
    with ThreadPoolExecutor(max_workers=2) as pool:
        halves = list(pool.map(_check_lines, (view[:middle], view[middle + 1:])))
    return None if None in halves else sum(halves)


def _check_lines(data) -> Optional[int]:
    """Blank out one trailing comma per line and return the number of non-blank lines, if every
    non-blank line is `{...}` between blanks. Then pyarrow reading exactly that many rows proves
    each line holds exactly one object: after a `}` inside an open value only `,` `}` `]` may
    follow, never the `{` a line starts with, so no value can run over a line end."""
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.empty(newlines.size + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = newlines + 1
    ends = np.empty_like(starts)
    ends[:-1] = newlines
    ends[-1] = buf.size
    filled = starts < ends
    if not filled.all():
        starts, ends = starts[filled], ends[filled]
    if starts.size == 0:
        return 0
    # Most lines are exactly `{...}` or `{...},`: settle those with a few whole-array operations.
    last_char = buf[ends - 1]
    comma = last_char == 44
    closing = np.where(comma, buf[np.maximum(ends - 2, starts)], last_char) == 125
    regular = (buf[starts] == 123) & closing
    regular_commas = ends[regular & comma] - 1
    buf[regular_commas] = _SPACE
    if regular.all():
        return int(starts.size)
    odd = ~regular
    rest = _irregular_lines(buf, starts[odd], ends[odd])
    return None if rest is None else int(regular.sum()) + rest


def read_fast(text: str) -> Optional[pa.Table]:
    """The table Spark would read from `text`, or None where this path cannot vouch for it."""
    try:
        data = bytearray(text, "utf-8")
    except UnicodeEncodeError:  # lone surrogates: let the exact reader deal with them
        return None
    expected = _one_object_per_line(data)
    if expected is None:
        return None
    if expected == 0:
        return pa.table({})
    source = pa.py_buffer(data)
    try:
        table = pajson.read_json(pa.BufferReader(source))
        if _has_type(table.schema, pa.types.is_timestamp):  # Spark keeps date-like text as strings
            explicit = pa.schema([pa.field(f.name, _timestamps_as_text(f.type)) for f in table.schema])
            table = pajson.read_json(pa.BufferReader(source),
                                     parse_options=pajson.ParseOptions(explicit_schema=explicit))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if table.num_rows != expected or not _types_agree_with_spark(table):
        return None
    return _to_spark_layout(table)


def _has_type(schema_or_type, predicate) -> bool:
    if isinstance(schema_or_type, pa.Schema):
        return any(_has_type(f.type, predicate) for f in schema_or_type)
    t = schema_or_type
    if predicate(t):
        return True
    if pa.types.is_struct(t):
        return any(_has_type(t.field(i).type, predicate) for i in range(t.num_fields))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _has_type(t.value_type, predicate)
    return False


def _timestamps_as_text(t: pa.DataType) -> pa.DataType:
    if pa.types.is_timestamp(t):
        return pa.string()
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _timestamps_as_text(f.type)) for f in t])
    if pa.types.is_list(t):
        return pa.list_(_timestamps_as_text(t.value_type))
    return t


def _leaf_arrays(array: pa.Array, t: pa.DataType):
    """(type, array) for every nested child, so values deep in structs/lists can be checked."""
    yield t, array
    if pa.types.is_struct(t):
        for i in range(t.num_fields):
            yield from _leaf_arrays(array.field(i), t.field(i).type)
    elif pa.types.is_list(t):
        yield from _leaf_arrays(array.flatten(), t.value_type)


def _types_agree_with_spark(table: pa.Table) -> bool:
    """Where pyarrow's inference can differ from Spark's, decline the fast path."""
    if _has_type(table.schema, lambda t: pa.types.is_struct(t) and _names_clash(t)):
        return False
    if _names_clash(table.schema):
        return False
    for column, field in zip(table.columns, table.schema):
        if not _has_type(field.type, pa.types.is_floating):
            continue
        for chunk in column.chunks:
            for t, values in _leaf_arrays(chunk, field.type):
                if not pa.types.is_floating(t) or len(values) == 0:
                    continue
                # NaN/Inf spellings differ between RapidJSON and Jackson.
                if pc.all(pc.is_finite(values)).as_py() is False:
                    return False
                # pyarrow turns integers beyond int64 into doubles; Spark makes them decimals.
                largest = pc.max(pc.abs(values)).as_py()
                if largest is not None and largest >= _TWO_POW_63 and pc.all(
                        pc.equal(values, pc.floor(values))).as_py():
                    return False
    return True


def _names_clash(schema_or_struct) -> bool:
    names = [f.name for f in schema_or_struct]
    return len({n.lower() for n in names}) != len(names)


def _spark_type(t: pa.DataType) -> Optional[pa.DataType]:
    """Spark's canonical type for a pyarrow-inferred one: sorted struct fields, null -> string,
    empty structs and ""-named fields dropped (None = drop the field)."""
    if pa.types.is_null(t):
        return pa.string()
    if pa.types.is_struct(t):
        fields = []
        for f in sorted(t, key=lambda f: java_order(f.name)):
            kept = _spark_type(f.type) if f.name else None
            if kept is not None:
                fields.append(pa.field(f.name, kept))
        return pa.struct(fields) if fields else None
    if pa.types.is_list(t):
        element = _spark_type(t.value_type)
        return None if element is None else pa.list_(element)
    return t


def _to_spark_layout(table: pa.Table) -> pa.Table:
    names = sorted((f.name for f in table.schema if f.name), key=java_order)
    arrays, fields = [], []
    for name in names:
        column = table.column(name)
        target = _spark_type(column.type)
        if target is None:
            continue
        if target != column.type:
            column = column.cast(target)
        arrays.append(column)
        fields.append(pa.field(name, target))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
