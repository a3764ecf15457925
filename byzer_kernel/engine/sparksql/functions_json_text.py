"""Spark's text writers and the CSV functions: to_json, to_csv, from_csv, schema_of_csv.

to_json and to_csv need the value's type to write it as Spark does (struct fields that are NULL
are left out, timestamps as `2020-01-02T03:04:05.000Z`, doubles as Java prints them, binary as
base64), so DuckDB hands an Arrow UDF the value as JSON text together with `typeof(value)`.
from_csv splits the line in an Arrow UDF (CSV quoting) and converts the fields in DuckDB.
"""
from __future__ import annotations

import base64
import csv
import datetime
import decimal
import functools
import io
import json
import math
import re

import pyarrow as pa
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from ...lang.java_values import java_double
from ..formats.spark_json import json_string
from .ddl_schema import parse_ddl, quote_name, spark_ddl
from .functions_json import literal_options, literal_text
from .functions_json_convert import parse_text
from .registry import duck, spark_function, udf

# -- DuckDB's type names (typeof) as type tuples -------------------------------------------------------
_DUCK_TOKEN = re.compile(r'\s*("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*|\d+|[(),\[\]])')


@functools.lru_cache(maxsize=256)
def duck_type_tuple(text: str) -> tuple:
    text = text.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ").replace("TIME WITH TIME ZONE", "TIMETZ")
    tokens = [m.group(1) for m in _DUCK_TOKEN.finditer(text)]
    return _read_type(tokens, 0)[0]


def _read_type(tokens: list, pos: int):
    word = tokens[pos].upper()
    pos += 1
    if word in ("STRUCT", "MAP"):
        pos += 1  # (
        members = []
        while tokens[pos] != ")":
            if word == "STRUCT":
                name = tokens[pos]
                name = name[1:-1].replace('""', '"') if name.startswith('"') else name
                member, pos = _read_type(tokens, pos + 1)
                members.append((name, member))
            else:
                member, pos = _read_type(tokens, pos)
                members.append(member)
            if tokens[pos] == ",":
                pos += 1
        pos += 1
        t = ("struct", tuple(members)) if word == "STRUCT" else ("map", members[0], members[1])
    elif word == "DECIMAL":
        t, pos = ("decimal", int(tokens[pos + 1]), int(tokens[pos + 3])), pos + 5
    else:
        t = (word.strip(),)
    while pos < len(tokens) and tokens[pos] == "[":
        pos += 2 if tokens[pos + 1] == "]" else 3
        t = ("array", t)
    return t, pos


# -- rendering values as Spark writes them ---------------------------------------------------------------
class _Writer:
    def __init__(self, options: dict):
        self.ignore_null_fields = options.get("ignorenullfields", "true").lower() != "false"
        self.timestamp_format = options.get("timestampformat")
        self.date_format = options.get("dateformat")

    def scalar_text(self, value, t: tuple) -> str:
        """A leaf as text (before JSON quoting): Spark's formatting of each type."""
        kind = t[0]
        if kind in ("DOUBLE", "FLOAT"):
            number = float(value)
            if kind == "FLOAT" and math.isfinite(number):
                return _java_float(number)
            return java_double(number)
        if kind == "decimal":
            return str(decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-t[2])))
        if kind.startswith("TIMESTAMP"):
            return self.timestamp(value)
        if kind == "DATE":
            return _java_format(datetime.date.fromisoformat(value), self.date_format) \
                if self.date_format else value
        if kind == "BLOB":
            return base64.b64encode(_blob_bytes(value)).decode()
        if kind == "BOOLEAN":
            return "true" if value else "false"
        return str(value)

    def timestamp(self, text: str) -> str:
        moment = datetime.datetime.fromisoformat(text.replace("+00", "+00:00") if text.endswith("+00") else text)
        if self.timestamp_format:
            return _java_format(moment, self.timestamp_format)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def json(self, value, t: tuple) -> str:
        if value is None:
            return "null"
        kind = t[0]
        if kind == "struct":
            parts = [json_string(name) + ":" + self.json(value.get(name), ft) for name, ft in t[1]
                     if not (self.ignore_null_fields and value.get(name) is None)]
            return "{" + ",".join(parts) + "}"
        if kind == "array":
            return "[" + ",".join(self.json(item, t[1]) for item in value) + "]"
        if kind == "map":
            return "{" + ",".join(json_string(self.map_key(k, t[1])) + ":" + self.json(v, t[2])
                                  for k, v in value.items()) + "}"
        if kind in ("DOUBLE", "FLOAT") and not math.isfinite(float(value)):
            return json_string(java_double(float(value)))
        text = self.scalar_text(value, t)
        if kind in ("VARCHAR", "DATE", "BLOB", "UUID") or kind.startswith("TIMESTAMP"):
            return json_string(text)
        return text

    def map_key(self, key: str, t: tuple) -> str:
        """DuckDB writes a struct key as `{'a': 1}`; Spark writes its values as `[1]`."""
        if t[0] == "struct":
            values = re.findall(r":\s*('(?:[^']|'')*'|[^,}]+)", key)
            return "[" + ",".join(v.strip().strip("'") for v in values) + "]"
        return key


def _java_float(number: float) -> str:
    """Java's Float.toString: the shortest digits that read back as the same float."""
    import numpy

    text = repr(float(numpy.float32(number).item()))
    shortest = numpy.format_float_positional(numpy.float32(number), trim="-")
    return java_double(float(shortest)) if "e" not in text else java_double(float(text))


def _blob_bytes(text: str) -> bytes:
    return re.sub(rb"\\x([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  text.encode("latin-1", "backslashreplace"))


_JAVA_DIRECTIVES = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"),
                    ("ss", "%S"), ("'T'", "T")]


def _java_format(moment, pattern: str) -> str:
    text = pattern
    for java, directive in _JAVA_DIRECTIVES:
        text = text.replace(java, directive)
    if "SSS" in text:
        text = text.replace("SSS", f"{getattr(moment, 'microsecond', 0) // 1000:03d}")
    return moment.strftime(text)


def _decode(text: str):
    return json.loads(text, parse_float=decimal.Decimal,
                      parse_constant=lambda name: float(name))


# -- to_json -----------------------------------------------------------------------------------------------
def _to_json_batch(values: pa.Array, types: pa.Array, options: pa.Array) -> pa.Array:
    out = []
    for text, type_text, option_text in zip(values.to_pylist(), types.to_pylist(), options.to_pylist()):
        if text is None:
            out.append(None)
            continue
        writer = _Writer(json.loads(option_text))
        out.append(writer.json(_decode(text), duck_type_tuple(type_text)))
    return pa.array(out, pa.string())


udf("spark_to_json", _to_json_batch, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR", type="arrow",
    null_handling="special")


@spark_function("to_json", result="string")
def to_json(value, options=None):
    if isinstance(value, (exp.Literal, exp.Boolean)):
        raise ByzerRuntimeError("function `to_json`: the input must be a struct, an array or a map")
    opts = json.dumps(literal_options(options, "to_json"))
    return duck("spark_to_json(CAST(to_json(_0) AS VARCHAR), typeof(_0), _1)", value,
                _string(opts))


def _string(text: str) -> exp.Expression:
    return exp.Literal.string(text)


# -- to_csv -------------------------------------------------------------------------------------------------
def _csv_field(writer: _Writer, value, t: tuple) -> str:
    if value is None:
        return ""
    if t[0] in ("struct", "array", "map"):
        return writer.json(value, t)
    text = writer.scalar_text(value, t).strip()
    if any(ch in text for ch in ',"\n\r') or text == "":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _to_csv_batch(values: pa.Array, types: pa.Array, options: pa.Array) -> pa.Array:
    out = []
    for text, type_text, option_text in zip(values.to_pylist(), types.to_pylist(), options.to_pylist()):
        t = duck_type_tuple(type_text)
        if text is None or t[0] != "struct":
            out.append(None)
            continue
        opts = json.loads(option_text)
        writer, row = _Writer(opts), _decode(text)
        out.append(opts.get("sep", ",").join(_csv_field(writer, row.get(n), ft) for n, ft in t[1]))
    return pa.array(out, pa.string())


udf("spark_to_csv", _to_csv_batch, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR", type="arrow",
    null_handling="special")


@spark_function("to_csv", result="string")
def to_csv(value, options=None):
    opts = json.dumps(literal_options(options, "to_csv"))
    return duck("spark_to_csv(CAST(to_json(_0) AS VARCHAR), typeof(_0), _1)", value, _string(opts))


# -- from_csv -----------------------------------------------------------------------------------------------
def _split_csv_batch(lines: pa.Array, options: pa.Array) -> pa.Array:
    """Each line's fields as a JSON array of strings (an empty field is NULL, as Spark reads it)."""
    out = []
    for line, option_text in zip(lines.to_pylist(), options.to_pylist()):
        if line is None:
            out.append(None)
            continue
        opts = json.loads(option_text)
        reader = csv.reader(io.StringIO(line), delimiter=opts.get("sep", opts.get("delimiter", ",")),
                            quotechar=opts.get("quote", '"'), escapechar=opts.get("escape", "\\"))
        fields = next(reader, [])
        out.append(json.dumps([field if field != "" else None for field in fields]))
    return pa.array(out, pa.string())


udf("spark_split_csv", _split_csv_batch, ["VARCHAR", "VARCHAR"], "VARCHAR", type="arrow",
    null_handling="special")


@spark_function("from_csv")
def from_csv(text, schema, options=None):
    spark_type = parse_ddl(literal_text(schema, "from_csv", "schema"))
    if spark_type[0] != "struct":
        raise ByzerRuntimeError(f"function `from_csv`: the schema {spark_ddl(spark_type).lower()} "
                                "must be a struct")
    opts = literal_options(options, "from_csv")
    fields = ", ".join(
        f"{quote_name(name)} := {parse_text(f'json_extract_string(csv_fields, {_index_path(i)})', ft, opts)}"
        for i, (name, ft) in enumerate(spark_type[1]))
    # The split fields are bound once per row through a one-element list_transform.
    return duck(f"CASE WHEN _0 IS NULL THEN NULL ELSE list_transform([spark_split_csv(_0, _1)], "
                f"lambda csv_fields: struct_pack({fields}))[1] END", text, _string(json.dumps(opts)))


def _index_path(index: int) -> str:
    return f"'$[{index}]'"


# -- schema_of_csv ------------------------------------------------------------------------------------------
_LONG = re.compile(r"^[+-]?\d+$")


def _csv_field_type(text: str) -> tuple:
    """Spark's CSVInferSchema for one field: int, bigint, decimal, double, boolean, timestamp, string."""
    if text == "":
        return ("string",)
    if _LONG.match(text):
        number = int(text)
        if -2**31 <= number < 2**31:
            return ("int",)
        if -2**63 <= number < 2**63:
            return ("bigint",)
        digits = len(text.lstrip("+-"))
        return ("decimal", digits, 0) if digits <= 38 else ("double",)
    try:
        float(text)
        return ("double",)
    except ValueError:
        pass
    if text.lower() in ("true", "false"):
        return ("boolean",)
    if re.match(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d+)?)?)?", text):
        return ("timestamp",)
    return ("string",)


@spark_function("schema_of_csv", result="string")
def schema_of_csv(text, options=None):
    line = literal_text(text, "schema_of_csv", "CSV text")
    opts = literal_options(options, "schema_of_csv")
    fields = next(csv.reader(io.StringIO(line), delimiter=opts.get("sep", ",")), [])
    struct = ("struct", tuple((f"_c{i}", _csv_field_type(f)) for i, f in enumerate(fields)))
    return exp.Literal.string(spark_ddl(struct))

