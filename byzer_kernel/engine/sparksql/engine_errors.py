"""DuckDB's complaints about a translated query, told in Spark's terms and about the SQL as the
user wrote it (DuckDB sees the translation: its positions and suggestions would mislead).

- a function DuckDB lacks: Spark knows it -> "function `f` is not supported by the local engine";
  Spark does not -> Spark's "Undefined function: f" (spark_functions.txt lists Spark 3.3's);
- a column the query names but no table has: Spark's "Column 'x' does not exist", with the
  position in the user's SQL.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Optional

_FUNCTIONS_FILE = Path(__file__).with_name("spark_functions.txt")
_MISSING_FUNCTION = re.compile(r"(?:Scalar|Aggregate|Table) Function with name \"?([\w.]+)\"? does not exist")
_MISSING_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? not found')


@functools.lru_cache(maxsize=1)
def spark_function_names() -> frozenset:
    """Spark 3.3's built-in functions (regenerate: see dev notes in spark_functions.txt)."""
    lines = _FUNCTIONS_FILE.read_text().splitlines() if _FUNCTIONS_FILE.exists() else []
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def spark_message(duckdb_text: str, spark_sql: str) -> Optional[str]:
    """Spark's wording of DuckDB's error, or None when there is nothing better to say."""
    missing = _MISSING_FUNCTION.search(duckdb_text)
    if missing:
        return _function_message(missing.group(1), spark_sql)
    column = _MISSING_COLUMN.search(duckdb_text)
    if column:
        name = column.group(1).split(".")[-1]
        return f"Column '{name}' does not exist{position(spark_sql, name)}"
    return None


def _function_message(name: str, spark_sql: str) -> str:
    written = _written_name(name, spark_sql)
    if written.lower() in spark_function_names():
        return f"function `{written}` is not supported by the local engine"
    return (f"Undefined function: {written}. This function is neither a built-in/temporary function, "
            f"nor a persistent function{position(spark_sql, written)}")


def _written_name(name: str, spark_sql: str) -> str:
    """The function's name as the query spells it (DuckDB reports it lower case)."""
    found = re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", spark_sql, re.IGNORECASE)
    return found.group(0).rstrip("( \t\n").strip() if found else name


def position(spark_sql: str, word: str) -> str:
    """` (line L:C of the SQL)` where `word` first stands in the query, else ''."""
    found = re.search(rf"(?<![\w.`]){re.escape(word)}(?!\w)", spark_sql, re.IGNORECASE)
    if not found:
        return ""
    before = spark_sql[:found.start()]
    line = before.count("\n") + 1
    column = found.start() - (before.rfind("\n") + 1) + 1
    return f" (line {line}:{column} of the SQL)"
