"""The two sqlglot dialects of the pipeline, as small subclasses of sqlglot's own (docs/design.md §4.2):
`ByzerSpark` reads Spark 3.3 SQL, keeping each function's name as written and leaving the functions
of the registry as plain calls in Spark's argument order; `LocalDuckDB` writes what DuckDB runs."""
from __future__ import annotations

from sqlglot.dialects.duckdb import DuckDB
from sqlglot.dialects.spark import Spark
from sqlglot.generators.duckdb import DuckDBGenerator
from sqlglot.parsers.spark import SparkParser

ORIGINAL_NAME = "spark_name"


class ByzerSparkParser(SparkParser):
    FUNCTIONS = dict(SparkParser.FUNCTIONS)  # narrowed by use_registry()


class ByzerSpark(Spark):
    ORIGINAL_NAME_META_KEY = ORIGINAL_NAME
    Parser = ByzerSparkParser


class LocalDuckDBGenerator(DuckDBGenerator):
    pass


class LocalDuckDB(DuckDB):
    Generator = LocalDuckDBGenerator


def use_registry(names) -> None:
    """Functions the registry rewrites parse as plain calls (exp.Anonymous) with their arguments
    in Spark's order, rather than as sqlglot's typed nodes."""
    ByzerSparkParser.FUNCTIONS = {name: build for name, build in SparkParser.FUNCTIONS.items()
                                  if name.lower() not in names}
