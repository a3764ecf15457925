"""Schema strings of `!python conf "schema=..."` -> pyarrow Schema (docs/spec.md §5.4).

Four kinds, chosen on the trimmed text as Byzer's `Ray.schemaFromStr` does:
``{...}`` Spark JSON schema, ``st(...)`` Byzer's simple schema, ``file`` and otherwise Spark DDL.
One difference on purpose: only ``st(`` (not any text starting with ``st``) selects the simple
parser, so a DDL such as ``status string`` works.
"""
from __future__ import annotations

import json
import re

import pyarrow as pa

from .errors import SchemaError

FILE_SCHEMA = pa.schema([("start", pa.int64()), ("offset", pa.int64()), ("value", pa.binary())])

# st(...) types; `decimal` is a double in Byzer's simple schema.
_SIMPLE_TYPES = {
    "string": pa.string(), "integer": pa.int32(), "long": pa.int64(), "double": pa.float64(),
    "float": pa.float32(), "boolean": pa.bool_(), "binary": pa.binary(), "date": pa.date32(),
    "byte": pa.int8(), "short": pa.int16(), "decimal": pa.float64(),
}

# Spark DDL / JSON primitive names (lower-cased).
_SPARK_TYPES = {
    "string": pa.string(), "varchar": pa.string(), "char": pa.string(), "text": pa.string(),
    "int": pa.int32(), "integer": pa.int32(), "bigint": pa.int64(), "long": pa.int64(),
    "smallint": pa.int16(), "short": pa.int16(), "tinyint": pa.int8(), "byte": pa.int8(),
    "double": pa.float64(), "float": pa.float32(), "real": pa.float32(), "boolean": pa.bool_(),
    "bool": pa.bool_(), "binary": pa.binary(), "date": pa.date32(),
    "timestamp": pa.timestamp("us"), "timestamp_ltz": pa.timestamp("us"),
    "timestamp_ntz": pa.timestamp("us"), "null": pa.null(), "void": pa.null(),
}


def parse_schema(text: str) -> pa.Schema:
    """Parse a Byzer schema string; raises SchemaError naming the position of the problem."""
    stripped = text.strip()
    if not stripped:
        raise SchemaError("the schema is empty")
    if stripped.startswith("{"):
        return _parse_json_schema(stripped)
    if re.match(r"st\s*\(", stripped):
        return _SimpleSchemaParser(stripped).parse()
    if stripped == "file":
        return FILE_SCHEMA
    return _DdlParser(stripped).parse()


def parse_simple_type(text: str) -> pa.DataType:
    """One type of Byzer's simple schema (`integer`, `map(string,array(long))`, `st(field(a,string))`),
    as SparkSimpleSchemaParser.parse reads a ScriptUDF's dataType."""
    parser = _SimpleSchemaParser(text.strip())
    if parser.at_end():
        raise SchemaError("the type is empty")
    dtype = parser.type()
    if not parser.at_end():
        raise parser.error("unexpected text after the type")
    return dtype


class _Cursor:
    """Shared scanning helpers; positions in messages are 0-based offsets into the schema text."""

    # How a grammar brackets the element types of array and map: `array(int)` or `array<int>`.
    type_brackets = "()"

    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def error(self, what: str, pos=None) -> SchemaError:
        pos = self.pos if pos is None else pos
        caret = f"  {self.text}\n  {' ' * pos}^"
        return SchemaError(f"{what} at position {pos} of schema `{self.text}`", detail=caret)

    def skip_ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = f"`{self.text[self.pos]}`" if self.pos < len(self.text) else "the end"
            raise self.error(f"expected `{char}` but found {found}")
        self.pos += 1

    def accept(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def word(self, what: str, extra: str = "") -> str:
        """An identifier, or a backquoted name (backquotes removed)."""
        self.skip_ws()
        if self.pos < len(self.text) and self.text[self.pos] == "`":
            end = self.text.find("`", self.pos + 1)
            if end < 0:
                raise self.error("unclosed backquote")
            name, self.pos = self.text[self.pos + 1:end], end + 1
            return name
        match = re.compile(r"[A-Za-z0-9_" + re.escape(extra) + r"]+").match(self.text, self.pos)
        if not match:
            raise self.error(f"expected {what}")
        self.pos = match.end()
        return match.group(0)

    def at_end(self) -> bool:
        self.skip_ws()
        return self.pos >= len(self.text)

    def type(self) -> pa.DataType:
        """One type of this grammar at the cursor (each grammar's own)."""
        raise NotImplementedError

    def collection_type(self, name: str):
        """The rest of `array<T>` / `map<K,V>` (in this grammar's brackets) after the type name
        ``name``; None when ``name`` is neither."""
        if name not in ("array", "map"):
            return None
        opening, closing = self.type_brackets
        self.expect(opening)
        element = self.type()  # a map's key type
        if name == "array":
            self.expect(closing)
            return pa.list_(element)
        self.expect(",")
        value = self.type()
        self.expect(closing)
        return pa.map_(element, value)


class _SimpleSchemaParser(_Cursor):
    """`st(field(name,TYPE),...)` with TYPE in _SIMPLE_TYPES, array(T), map(K,V) or st(...)."""

    def parse(self) -> pa.Schema:
        fields = self.struct_fields()
        if not self.at_end():
            raise self.error("unexpected text after the schema")
        return pa.schema(fields)

    def struct_fields(self) -> list:
        start = self.pos
        if self.word("`st(`") != "st":
            raise self.error("expected `st(`", start)
        self.expect("(")
        fields = []
        while True:
            start = self.pos
            self.skip_ws()
            if self.word("`field(`") != "field":
                raise self.error("expected `field(`", start)
            self.expect("(")
            name = self.word("a field name", extra="-.$")
            self.expect(",")
            fields.append(pa.field(name, self.type()))
            self.expect(")")
            if self.accept(")"):
                return fields
            self.expect(",")

    def type(self) -> pa.DataType:
        self.skip_ws()
        start = self.pos
        name = self.word("a type").lower()
        if name == "st":
            self.pos = start
            return pa.struct(self.struct_fields())
        collection = self.collection_type(name)
        if collection is not None:
            return collection
        if name in _SIMPLE_TYPES:
            return _SIMPLE_TYPES[name]
        known = ", ".join(list(_SIMPLE_TYPES) + ["array(T)", "map(K,V)", "st(...)"])
        raise self.error(f"unknown type `{name}` (st() types are: {known})", start)


class _DdlParser(_Cursor):
    """Spark DDL: `a bigint, b array<int>, c map<string,int>, d struct<x:int,y:string>, e decimal(10,2)`."""

    type_brackets = "<>"

    def parse(self) -> pa.Schema:
        fields = []
        while True:
            name = self.word("a column name")
            self.accept(":")
            fields.append(self.field_rest(name))
            if self.at_end():
                return pa.schema(fields)
            self.expect(",")

    def field_rest(self, name: str) -> pa.Field:
        dtype = self.type()
        nullable = True
        while True:
            save = self.pos
            self.skip_ws()
            match = re.compile(r"(?i)(not\s+null|comment)\b").match(self.text, self.pos)
            if not match:
                self.pos = save
                return pa.field(name, dtype, nullable=nullable)
            self.pos = match.end()
            if match.group(1).lower() == "comment":
                self.skip_ws()
                quote = self.text[self.pos:self.pos + 1]
                end = self.text.find(quote, self.pos + 1) if quote in ("'", '"') else -1
                if end < 0:
                    raise self.error("expected a quoted comment")
                self.pos = end + 1
            else:
                nullable = False

    def type(self) -> pa.DataType:
        self.skip_ws()
        start = self.pos
        name = self.word("a type").lower()
        collection = self.collection_type(name)
        if collection is not None:
            return collection
        if name == "struct":
            self.expect("<")
            fields = []
            if not self.accept(">"):
                while True:
                    field_name = self.word("a field name")
                    self.accept(":")
                    fields.append(self.field_rest(field_name))
                    if self.accept(">"):
                        break
                    self.expect(",")
            return pa.struct(fields)
        if name in ("decimal", "dec", "numeric"):
            precision, scale = 10, 0
            if self.accept("("):
                precision = self.number()
                scale = self.number() if self.accept(",") else 0
                self.expect(")")
            return _decimal(precision, scale, lambda msg: self.error(msg, start))
        if name in ("varchar", "char") and self.accept("("):
            self.number()
            self.expect(")")
        if name in _SPARK_TYPES:
            return _SPARK_TYPES[name]
        raise self.error(f"unknown type `{name}`", start)

    def number(self) -> int:
        return int(self.word("a number"))


def _decimal(precision: int, scale: int, error) -> pa.DataType:
    if not 1 <= precision <= 38 or not 0 <= scale <= precision:
        raise error(f"invalid decimal({precision},{scale})")
    return pa.decimal128(precision, scale)


def _parse_json_schema(text: str) -> pa.Schema:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Cursor(text).error(f"invalid JSON schema ({error.msg})", error.pos) from None
    dtype = _json_type(doc, "the schema")
    if not pa.types.is_struct(dtype):
        raise SchemaError(f"a JSON schema must be a struct, got `{text}`")
    return pa.schema(list(dtype))


_DECIMAL_JSON = re.compile(r"decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$")


def _json_type(node, where: str) -> pa.DataType:
    if isinstance(node, str):
        name = node.lower()
        if name in _SPARK_TYPES:
            return _SPARK_TYPES[name]
        match = _DECIMAL_JSON.match(name)
        if match:
            return _decimal(int(match.group(1)), int(match.group(2)), SchemaError)
        if name == "decimal":
            return pa.decimal128(10, 0)
        raise SchemaError(f"unknown type `{node}` in {where} of the JSON schema")
    if not isinstance(node, dict) or "type" not in node:
        raise SchemaError(f"expected a type in {where} of the JSON schema, got `{json.dumps(node)}`")
    kind = node["type"]
    if kind == "struct":
        fields = []
        for item in node.get("fields", []):
            if not isinstance(item, dict) or "name" not in item or "type" not in item:
                raise SchemaError(f"a field of {where} needs `name` and `type`: `{json.dumps(item)}`")
            fields.append(pa.field(item["name"], _json_type(item["type"], f"field `{item['name']}`"),
                                   nullable=item.get("nullable", True)))
        return pa.struct(fields)
    if kind == "array":
        return pa.list_(_json_type(node.get("elementType"), f"the elements of {where}"))
    if kind == "map":
        return pa.map_(_json_type(node.get("keyType"), f"the keys of {where}"),
                       _json_type(node.get("valueType"), f"the values of {where}"))
    return _json_type(kind, where)
