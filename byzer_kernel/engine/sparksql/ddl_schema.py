"""Spark's DDL schema strings (`'a INT, b STRING'`, `'STRUCT<a: INT>'`, `'array<int>'`,
`'map<string,int>'`) as small type tuples, written back as DuckDB types or as Spark's DDL text.

Types are tuples: ("int",), ("decimal", p, s), ("array", element), ("map", key, value),
("struct", ((name, type), ...)). Names keep their case: from_json matches JSON keys exactly.
"""
from __future__ import annotations

import re

from ...lang.errors import ByzerRuntimeError

# Spark's type keywords and their synonyms -> the one name used here.
_PRIMITIVES = {
    "boolean": "boolean", "tinyint": "tinyint", "byte": "tinyint", "smallint": "smallint",
    "short": "smallint", "int": "int", "integer": "int", "bigint": "bigint", "long": "bigint",
    "float": "float", "real": "float", "double": "double", "string": "string", "binary": "binary",
    "date": "date", "timestamp": "timestamp", "timestamp_ltz": "timestamp",
    "timestamp_ntz": "timestamp_ntz", "void": "void",
}
_DUCK = {"boolean": "BOOLEAN", "tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INTEGER",
         "bigint": "BIGINT", "float": "FLOAT", "double": "DOUBLE", "string": "VARCHAR",
         "binary": "BLOB", "date": "DATE", "timestamp": "TIMESTAMP", "timestamp_ntz": "TIMESTAMP",
         "void": "INTEGER"}
_TOKEN = re.compile(r"\s*(`(?:[^`]|``)*`|[A-Za-z_][A-Za-z0-9_]*|\d+|'(?:[^'\\]|\\.)*'|[<>(),:])")


def _tokens(text: str) -> list:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ByzerRuntimeError(f"cannot parse the schema {text!r} at position {pos}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text, self.tokens, self.pos = text, _tokens(text), 0

    def peek(self, ahead: int = 0):
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, expected=None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token.lower() != expected):
            raise ByzerRuntimeError(f"cannot parse the schema {self.text!r}: expected "
                                    f"{expected or 'more'}, found {token or 'the end'}")
        self.pos += 1
        return token

    def data_type(self) -> tuple:
        word = self.take().lower()
        if word in _PRIMITIVES:
            return (_PRIMITIVES[word],)
        if word in ("decimal", "dec", "numeric"):
            precision, scale = 10, 0
            if self.peek() == "(":
                self.take("(")
                precision = int(self.take())
                if self.peek() == ",":
                    self.take(",")
                    scale = int(self.take())
                self.take(")")
            return ("decimal", precision, scale)
        if word in ("varchar", "char"):
            self.take("(")
            self.take()
            self.take(")")
            return ("string",)
        if word == "array":
            self.take("<")
            element = self.data_type()
            self.take(">")
            return ("array", element)
        if word == "map":
            self.take("<")
            key = self.data_type()
            self.take(",")
            value = self.data_type()
            self.take(">")
            return ("map", key, value)
        if word == "struct":
            self.take("<")
            fields = [] if self.peek() == ">" else self.fields(":")
            self.take(">")
            return ("struct", tuple(fields))
        raise ByzerRuntimeError(f"cannot parse the schema {self.text!r}: unknown type {word}")

    def fields(self, separator: str) -> list:
        fields = [self.field(separator)]
        while self.peek() == ",":
            self.take(",")
            fields.append(self.field(separator))
        return fields

    def field(self, separator: str) -> tuple:
        name = self.take()
        if name.startswith("`"):
            name = name[1:-1].replace("``", "`")
        if self.peek() == ":":
            self.take(":")
        field_type = self.data_type()
        while self.peek() is not None and self.peek().lower() in ("not", "null", "comment"):
            if self.take().lower() == "comment":
                self.take()
        return (name, field_type)


def parse_ddl(text: str) -> tuple:
    """Spark's `DataType.fromDDL`: a field list (`a INT, b STRING`) is a struct; otherwise one type."""
    parser = _Parser(text)
    is_type = parser.peek() is not None and parser.peek().lower() in ("struct", "array", "map") \
        and parser.peek(1) == "<"
    if is_type or (len(parser.tokens) > 0 and parser.peek(1) in (None, "(")):
        result = parser.data_type()
    else:
        result = ("struct", tuple(parser.fields(" ")))
    if parser.peek() is not None:
        raise ByzerRuntimeError(f"cannot parse the schema {text!r}: unexpected {parser.peek()}")
    return result


def duck_type(t: tuple) -> str:
    """The DuckDB type that holds Spark type t."""
    kind = t[0]
    if kind == "decimal":
        return f"DECIMAL({t[1]},{t[2]})"
    if kind == "array":
        return f"{duck_type(t[1])}[]"
    if kind == "map":
        return f"MAP({duck_type(t[1])}, {duck_type(t[2])})"
    if kind == "struct":
        return "STRUCT(" + ", ".join(f"{quote_name(n)} {duck_type(ft)}" for n, ft in t[1]) + ")"
    return _DUCK[kind]


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def spark_ddl(t: tuple) -> str:
    """Spark's `DataType.sql`: `STRUCT<a: BIGINT, `a b`: ARRAY<DOUBLE>>`."""
    kind = t[0]
    if kind == "decimal":
        return f"DECIMAL({t[1]},{t[2]})"
    if kind == "array":
        return f"ARRAY<{spark_ddl(t[1])}>"
    if kind == "map":
        return f"MAP<{spark_ddl(t[1])}, {spark_ddl(t[2])}>"
    if kind == "struct":
        return "STRUCT<" + ", ".join(f"{_ddl_name(n)}: {spark_ddl(ft)}" for n, ft in t[1]) + ">"
    return {"long": "BIGINT", "int": "INT"}.get(kind, kind.upper())


def _ddl_name(name: str) -> str:
    return name if _PLAIN_NAME.match(name) else "`" + name.replace("`", "``") + "`"
