"""Spark's `xpath*` functions on DuckDB, as Arrow-vectorised Python UDFs over the standard
library's ElementTree (see registry.py). Spark evaluates full XPath 1.0; ElementTree knows the
location paths Byzer scripts use (`a/b`, `//b`, `a/b[2]`, `a/b[@id="x"]`), and this module adds
a trailing `text()` or `@attribute` step and the wrappers `count()`, `sum()`, `string()`,
`number()`, `boolean()`. Other expressions are refused when the query is translated."""
from __future__ import annotations

import functools
import math
import re
import xml.etree.ElementTree as ElementTree

import pyarrow as pa
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .registry import duck, spark_function, udf

_WRAPPED = re.compile(r"^\s*(count|sum|string|number|boolean)\s*\((.*)\)\s*$", re.S)
_LOCATION_PATH = re.compile(r"[\w.*/@:-]*(\[[^\]]*\][\w.*/@:-]*)*")
_XPATH_NUMBER = re.compile(r"^\s*-?(\d+(\.\d*)?|\.\d+)\s*$")  # XPath 1.0: no exponent, no '+'


class XPath:
    """One compiled expression: an optional wrapper function around a location path."""

    def __init__(self, text: str):
        match = _WRAPPED.match(text)
        self.wrapper, path = (match.group(1), match.group(2)) if match else (None, text)
        path = path.strip()
        self.last = None  # 'text()' or '@name': the value taken from each selected element
        step = re.search(r"/(text\(\)|@[\w:.-]+)$", path)
        if step:
            self.last, path = step.group(1), path[:step.start()]
        if path.startswith("//"):
            path = ".//" + path[2:]
        elif path.startswith("/"):
            path = path[1:]
        self.path = path
        if not _LOCATION_PATH.fullmatch(path):
            raise ValueError(f"{text}: not a location path")
        try:
            ElementTree.Element("document").findall(path)
        except (SyntaxError, KeyError, TypeError) as error:
            raise ValueError(f"{text}: {error}") from None

    def nodes(self, document: str) -> list:
        root = ElementTree.fromstring(document)
        holder = ElementTree.Element("document")  # a location path starts at the document node
        holder.append(root)
        found = holder.findall(self.path) if self.path else [holder]
        if self.last == "text()":
            return [node.text for node in found if node.text is not None]
        if self.last is not None:
            name = self.last[1:]
            return [node.get(name) for node in found if node.get(name) is not None]
        return found

    def number(self, document: str) -> float:
        if self.wrapper == "count":
            return float(len(self.nodes(document)))
        if self.wrapper == "sum":
            return math.fsum(_to_number(_string_value(node)) for node in self.nodes(document))
        return _to_number(self.string(document))

    def string(self, document: str) -> str:
        if self.wrapper in ("count", "sum"):
            return _number_to_string(self.number(document))
        if self.wrapper == "boolean":
            return "true" if self.boolean(document) else "false"
        nodes = self.nodes(document)
        return _string_value(nodes[0]) if nodes else ""

    def boolean(self, document: str) -> bool:
        if self.wrapper in ("count", "sum", "number"):
            value = self.number(document)
            return value != 0 and not math.isnan(value)
        if self.wrapper == "string":
            return self.string(document) != ""
        return bool(self.nodes(document))

    def strings(self, document: str) -> list:
        """`xpath`: each selected node's value (text and attributes; elements have none)."""
        return [node if isinstance(node, str) else None for node in self.nodes(document)]


def _string_value(node) -> str:
    return node if isinstance(node, str) else "".join(node.itertext())


def _to_number(text: str) -> float:
    return float(text) if _XPATH_NUMBER.match(text) else math.nan


def _number_to_string(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if value == int(value) else repr(value)


@functools.lru_cache(maxsize=256)
def _compiled(path: str) -> XPath:
    return XPath(path)


def _java_int(value: float, bits: int) -> int:
    """Java's double -> int/long narrowing (NaN is 0, out of range saturates), then for short
    Spark's further wrap-around from int."""
    if math.isnan(value):
        return 0
    limit = 2 ** (63 if bits == 64 else 31)
    whole = max(-limit, min(limit - 1, int(value))) if math.isfinite(value) else \
        (limit - 1 if value > 0 else -limit)
    if bits == 16:
        whole = (whole + 2 ** 15) % 2 ** 16 - 2 ** 15
    return whole


_RESULTS = {
    # Spark name: (DuckDB type, Arrow type, value from (XPath, document))
    "xpath": ("VARCHAR[]", pa.list_(pa.string()), lambda x, d: x.strings(d)),
    "xpath_string": ("VARCHAR", pa.string(), lambda x, d: x.string(d)),
    "xpath_boolean": ("BOOLEAN", pa.bool_(), lambda x, d: x.boolean(d)),
    "xpath_short": ("SMALLINT", pa.int16(), lambda x, d: _java_int(x.number(d), 16)),
    "xpath_int": ("INTEGER", pa.int32(), lambda x, d: _java_int(x.number(d), 32)),
    "xpath_long": ("BIGINT", pa.int64(), lambda x, d: _java_int(x.number(d), 64)),
    "xpath_float": ("FLOAT", pa.float32(), lambda x, d: x.number(d)),
    "xpath_double": ("DOUBLE", pa.float64(), lambda x, d: x.number(d)),
    "xpath_number": ("DOUBLE", pa.float64(), lambda x, d: x.number(d)),
}


def _vectorised(arrow_type, evaluate):
    def run(documents: pa.Array, paths: pa.Array) -> pa.Array:
        out = []
        for document, path in zip(documents.to_pylist(), paths.to_pylist()):
            # Spark: NULL or empty XML gives NULL; malformed XML fails the query
            if document is None or path is None or document == "":
                out.append(None)
                continue
            try:
                out.append(evaluate(_compiled(path), document))
            except ElementTree.ParseError as error:
                raise ValueError(f"xpath: invalid XML document: {error}") from None
        return pa.array(out, arrow_type)

    return run


def _register(spark_name: str, duck_type: str, arrow_type, evaluate) -> None:
    udf_name = f"spark_{spark_name}"
    udf(udf_name, _vectorised(arrow_type, evaluate), ["VARCHAR", "VARCHAR"], duck_type,
        type="arrow", null_handling="special")

    @spark_function(spark_name, inputs=["string", "string"])
    def build(document, path):
        literal = path.this if isinstance(path, exp.TryCast) else path
        if isinstance(literal, exp.Literal) and literal.is_string:
            try:
                _compiled(literal.this)
            except ValueError as error:
                raise ByzerRuntimeError(f"function `{spark_name}`: the XPath expression {error} is "
                                        "beyond what the local engine evaluates") from None
        return duck(f"{udf_name}(_0, _1)", document, path)


for _name, (_duck_type, _arrow_type, _evaluate) in _RESULTS.items():
    _register(_name, _duck_type, _arrow_type, _evaluate)
