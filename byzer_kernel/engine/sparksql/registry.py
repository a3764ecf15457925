"""The Spark function registry: how each Spark function the local engine rewrites becomes DuckDB.

A family module declares a function with `@spark_function("name", ...)`: the builder receives the
call's arguments (sqlglot expressions, already rewritten, in Spark's order) and returns the DuckDB
expression. `inputs` names the Spark type each argument is implicitly cast to (Spark's
ImplicitCastInputTypes), `result` the Spark type of the result. DuckDB macros and Python UDFs the
builders call are declared here too and installed once per connection (`prepare`).
"""
from __future__ import annotations

import functools
import re
import inspect
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import sqlglot
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError


@dataclass(frozen=True)
class SparkFunction:
    name: str
    build: Callable[..., exp.Expression]
    inputs: Optional[tuple]  # Spark type per argument (the last repeats), None: no implicit casts
    result: Optional[str]  # Spark type of the result, None: whatever the builder gives
    min_args: int
    max_args: Optional[int]  # None: any number

    def call(self, args: list) -> exp.Expression:
        if len(args) < self.min_args or (self.max_args is not None and len(args) > self.max_args):
            expected = (str(self.min_args) if self.max_args == self.min_args
                        else f"{self.min_args} or more" if self.max_args is None
                        else f"{self.min_args} to {self.max_args}")
            raise ByzerRuntimeError(f"function `{self.name}` takes {expected} arguments; "
                                    f"{len(args)} given")
        return self.build(*args)


FUNCTIONS: dict[str, SparkFunction] = {}
NODES: dict[type, Callable[[exp.Expression], exp.Expression]] = {}  # sqlglot node class -> rewrite
NAMES: dict = {}  # registered function name or sqlglot node class -> Spark's name of the column
MACROS: list[str] = []  # CREATE MACRO statements, in dependency order
UDFS: list[dict] = []  # keyword arguments of DuckDBPyConnection.create_function


def spark_function(*names: str, inputs: Optional[Sequence] = None, result: Optional[str] = None):
    """Register a builder for Spark functions `names` (aliases share one builder)."""

    def register(build):
        parameters = inspect.signature(build).parameters.values()
        positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        variadic = any(p.kind is p.VAR_POSITIONAL for p in parameters)
        required = sum(1 for p in positional if p.default is p.empty)
        for name in names:
            FUNCTIONS[name.lower()] = SparkFunction(
                name.lower(), build, tuple(inputs) if inputs is not None else None, result,
                required, None if variadic else len(positional))
        return build

    return register


def spark_node(*classes: type):
    """Register a rewrite for sqlglot's own node classes (syntax such as TRIM(BOTH x FROM y))."""

    def register(rewrite):
        for cls in classes:
            NODES[cls] = rewrite
        return rewrite

    return register


def spark_name(*keys):
    """Register how Spark names an unaliased column of a registered function (by name) or of a
    sqlglot node class, where it differs from `name(arg, ...)` (Spark shows the default arguments
    it adds, and prints some functions as operators): `naming(node) -> str`."""

    def register(naming):
        for key in keys:
            NAMES[key.lower() if isinstance(key, str) else key] = naming
        return naming

    return register


def macro(sql: str) -> None:
    """A DuckDB macro a builder calls (`CREATE MACRO name(args) AS ...`)."""
    MACROS.append(sql)


def udf(name: str, function: Callable, parameters: list, return_type, **options) -> None:
    """A Python function DuckDB calls (vectorised with `type="arrow"` where it matters)."""
    UDFS.append(dict(name=name, function=function, parameters=parameters, return_type=return_type,
                     **options))


@functools.lru_cache(maxsize=None)
def _template(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="duckdb")


def duck(template: str, *args: exp.Expression) -> exp.Expression:
    """A DuckDB expression from SQL text whose columns `_0`, `_1`, ... stand for `args`."""
    tree = _template(template).copy()

    def fill(node):
        if isinstance(node, exp.Column) and not node.table and node.name.startswith("_") \
                and node.name[1:].isdigit():
            return args[int(node.name[1:])].copy()
        return node

    return tree.transform(fill, copy=False)


_MACRO_NAME = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?MACRO\s+(\w+)", re.I)
_CALLED = re.compile(r"\b(\w+)\s*\(")


@functools.lru_cache(maxsize=1)
def _definitions() -> dict:
    """name -> (how to install it, the names of other definitions its body calls). A macro may
    be declared in several statements (overloads): they install together, in order."""
    found: dict = {}
    for options in UDFS:
        found[options["name"].lower()] = [("udf", options)]
    for sql in MACROS:
        match = _MACRO_NAME.search(sql)
        found.setdefault(match.group(1).lower() if match else sql, []).append(("macro", sql))
    calls = {}
    for name, parts in found.items():
        bodies = " ".join(part for kind, part in parts if kind == "macro")
        calls[name] = {called.lower() for called in _CALLED.findall(bodies)} & found.keys() - {name}
    return {name: (found[name], calls[name]) for name in found}


def prepare(connection, duck_sql: str, installed: set) -> None:
    """Install on `connection` the UDFs and macros `duck_sql` calls, with those they call first
    (DuckDB binds a macro's body when it is created); `installed` is what the connection already
    has, kept by its owner. On demand: a plain select pays for none of the hundred definitions."""
    definitions = _definitions()
    wanted = [name.lower() for name in _CALLED.findall(duck_sql)]
    for name in wanted:
        _install(connection, name, definitions, installed)


def _install(connection, name: str, definitions: dict, installed: set) -> None:
    if name in installed or name not in definitions:
        return
    installed.add(name)
    parts, calls = definitions[name]
    for called in sorted(calls):
        _install(connection, called, definitions, installed)
    for kind, part in parts:
        if kind == "udf":
            connection.create_function(**part)
        else:
            connection.execute(part)
