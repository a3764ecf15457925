"""Lines of JSON text -> Arrow table, one line at a time, exactly as Spark 3.3's
`spark.read.json(Dataset[String])` does (docs/spec.md §3.1). Used for every input the fast path declines."""
from __future__ import annotations

from typing import Iterable

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError
from .jackson_parser import JsonSyntaxError, first_value
from .json_options import JsonReadOptions
from .spark_json import (EMPTY_STRUCT, STRING, BadValue, MalformedInference, canonical, convert,
                         infer_type, merge_root, to_arrow_type)

_PARSED, _MALFORMED = 0, 1


def _failfast(line: str) -> ByzerRuntimeError:
    return ByzerRuntimeError("Malformed records are detected in record parsing. Parse Mode: FAILFAST. "
                             f"Malformed line: {line[:200]}")


def infer_lines(lines: Iterable[str], opts: JsonReadOptions):
    """Parse each line's first value and infer the root schema.
    Returns (records, root_type) where records are (state, value, raw_line)."""
    records = []
    root = EMPTY_STRUCT
    seen = set()
    corrupt_only = ("struct", ((opts.corrupt_column, STRING),))
    features, as_string, mode, corrupt = opts.features, opts.primitives_as_string, opts.mode, opts.corrupt_column
    try:
        for line in lines:
            try:
                value = first_value(line, features)
            except LookupError:
                continue  # blank line: no record at all
            except JsonSyntaxError:
                records.append((_MALFORMED, None, line))
                if mode == "FAILFAST":
                    raise _failfast(line) from None
                if mode == "PERMISSIVE" and corrupt_only not in seen:
                    seen.add(corrupt_only)
                    root = merge_root(root, corrupt_only, corrupt, mode)
                continue
            records.append((_PARSED, value, line))
            inferred = infer_type(value, as_string)
            if inferred not in seen:  # merging a type twice changes nothing
                seen.add(inferred)
                root = merge_root(root, inferred, corrupt, mode)
    except MalformedInference as error:
        raise ByzerRuntimeError(str(error)) from None
    return records, root


def read_lines_exact(lines: Iterable[str], opts: JsonReadOptions) -> pa.Table:
    records, root = infer_lines(lines, opts)
    schema = canonical(root, opts.drop_field_if_all_null) or EMPTY_STRUCT
    return build_table(records, schema, opts)


def read_files_exact(files_lines: list[list[str]], opts: JsonReadOptions) -> list[pa.Table]:
    """One table per file, all with the schema inferred over every file: each file's root type is
    inferred on its own and the roots merged, as Spark merges the schemas of its partitions."""
    per_file = [infer_lines(lines, opts) for lines in files_lines]
    root = EMPTY_STRUCT
    try:
        for _, file_root in per_file:
            root = merge_root(root, file_root, opts.corrupt_column, opts.mode)
    except MalformedInference as error:
        raise ByzerRuntimeError(str(error)) from None
    schema = canonical(root, opts.drop_field_if_all_null) or EMPTY_STRUCT
    return [build_table(records, schema, opts) for records, _ in per_file]


def build_table(records: list, schema: tuple, opts: JsonReadOptions) -> pa.Table:
    corrupt = opts.corrupt_column
    data_fields = [(name, t) for name, t in schema[1] if name != corrupt]
    keep_corrupt = any(name == corrupt for name, _ in schema[1])
    columns = {name: [] for name, _ in schema[1]}
    data_columns = [(name, t, columns[name]) for name, t in data_fields]
    corrupt_values = columns.get(corrupt) if keep_corrupt else None

    def emit(row: dict, raw):
        for name, _, column in data_columns:
            column.append(row.get(name))
        if corrupt_values is not None:
            corrupt_values.append(raw)

    def bad(row: dict, line: str):
        if opts.mode == "FAILFAST":
            raise _failfast(line)
        if opts.mode == "PERMISSIVE":
            emit(row, line)

    struct_type = ("struct", tuple(data_fields))
    for state, value, line in records:
        if state == _MALFORMED:
            bad({}, line)
        elif type(value) is dict:
            row, failed = {}, False
            for name, t, _ in data_columns:
                item = value.get(name)
                if item is None:
                    continue
                try:
                    row[name] = convert(item, t)
                except BadValue:  # Spark keeps the other fields of the row (partial result)
                    failed = True
            if failed:
                bad(row, line)
            else:
                emit(row, None)
        elif type(value) is list:
            if not value:
                continue
            if not all(item is None or type(item) is dict for item in value):
                bad({}, line)
                continue
            try:
                rows = [convert(item, struct_type) if item is not None else {} for item in value]
            except BadValue:
                bad({}, line)
                continue
            for row in rows:
                emit(row, None)
        else:  # a scalar (or null / "") where a record was expected
            bad({}, line)
    arrays, fields = [], []
    for name, t in schema[1]:
        arrow_type = to_arrow_type(t)
        arrays.append(pa.array(columns[name], type=arrow_type))
        fields.append(pa.field(name, arrow_type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
