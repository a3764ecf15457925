"""DuckDB's complaints about a translated query, told in Spark's terms and about the SQL as the
user wrote it (DuckDB sees the translation: its positions and suggestions would mislead).

- a function DuckDB lacks: Spark knows it -> "function `f` is not supported by the local engine";
  Spark does not -> Spark's "Undefined function: f" (spark_functions.txt lists Spark 3.3's);
- a column the query names but no table has: Spark's "Column 'x' does not exist", with the
  position in the user's SQL.
Both suggest the closest names (Spark's "Did you mean one of the following? [...]"): functions
Spark and the session know, columns of the tables the query reads.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence

from ...lang.suggest import close_matches, did_you_mean

_FUNCTIONS_FILE = Path(__file__).with_name("spark_functions.txt")
_MISSING_FUNCTION = re.compile(r"(?:Scalar|Aggregate|Table) Function with name \"?([\w.]+)\"? does not exist")
_MISSING_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? not found')
_MISSING_QUALIFIED = re.compile(r'"([^"]+)" does not have a column named "([^"]+)"')
_CANDIDATES = re.compile(r'Candidate bindings: (.*)')
_PRIVATE = "\ue000"  # case_columns' marker: never shown, never suggested


@functools.lru_cache(maxsize=1)
def spark_function_names() -> frozenset:
    """Spark 3.3's built-in functions (regenerate: see dev notes in spark_functions.txt)."""
    lines = _FUNCTIONS_FILE.read_text().splitlines() if _FUNCTIONS_FILE.exists() else []
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def spark_message(duckdb_text: str, spark_sql: str,
                  table_columns: Optional[Callable[[str], Optional[Sequence[str]]]] = None,
                  functions: Iterable[str] = ()) -> Optional[str]:
    """Spark's wording of DuckDB's error, or None when there is nothing better to say.
    `table_columns(name)`: a catalog table's column names (None: no such table), for suggesting
    columns; `functions`: the session's own function names, suggested besides Spark's."""
    missing = _MISSING_FUNCTION.search(duckdb_text)
    if missing:
        return _function_message(missing.group(1), spark_sql, functions)
    unqualified = _MISSING_COLUMN.search(duckdb_text)
    qualified = _MISSING_QUALIFIED.search(duckdb_text)
    if unqualified:
        name = unqualified.group(1).split(".")[-1]
        # Spark names each proposal by its relation (`people.id`); DuckDB's own candidates
        # (columns of subqueries and CTEs) go unqualified.
        known = [(column, f"{written}.{column}")
                 for written, columns in _columns_in_scope(spark_sql, table_columns, name).values()
                 for column in columns]
        seen = {column.lower() for column, _ in known}
        known += [(column, column) for column in _duckdb_candidates(duckdb_text) if column.lower() not in seen]
        return _column_message(name, _proposals(name, known), spark_sql)
    if qualified:
        qualifier, name = qualified.groups()
        written = _written(f"{qualifier}.{name}", spark_sql)
        prefix = written.rsplit(".", 1)[0]
        scope = _columns_in_scope(spark_sql, table_columns, name, qualifier)
        columns = scope.get(qualifier.lower(), ("", []))[1]
        return _column_message(written, _proposals(name, [(c, f"{prefix}.{c}") for c in columns]), spark_sql)
    return None


def _proposals(name: str, known: list) -> list:
    """The shown names (second of each pair) whose column (first) is closest to `name`."""
    closest = {match.lower() for match in close_matches(name, [column for column, _ in known])}
    return [shown for column, shown in known if column.lower() in closest]


def _column_message(name: str, suggestions: list, spark_sql: str) -> str:
    """Spark 3.3's MISSING_COLUMN message, listing only the close names (Spark lists every one)."""
    proposal = f". Did you mean one of the following? [{', '.join(suggestions)}]" if suggestions else ""
    return f"Column '{name}' does not exist{proposal}{position(spark_sql, name)}"


def _columns_in_scope(spark_sql: str, table_columns, name: str, qualifier: str = "") -> dict:
    """lower-case alias or table name -> (that name as written, the columns of the catalog table
    it names), for the catalog tables of the select that holds the reference (not those of its
    subqueries, whose columns it cannot see)."""
    if table_columns is None:
        return {}
    import sqlglot
    from sqlglot import exp

    from .dialect import ByzerSpark

    try:
        tree = sqlglot.parse_one(spark_sql, dialect=ByzerSpark)
    except sqlglot.errors.SqlglotError:
        return {}
    reference = next((c for c in tree.find_all(exp.Column) if c.name.lower() == name.lower()
                      and c.table.lower() == qualifier.lower()), None)
    select = reference.parent_select if reference is not None else None
    scope = {}
    for table in tree.find_all(exp.Table):
        columns = table_columns(table.name)
        if columns is not None and (select is None or table.parent_select is select):
            written = table.alias or table.name
            scope[written.lower()] = (written, [c for c in columns if _PRIVATE not in c])
    return scope


def _duckdb_candidates(duckdb_text: str) -> list:
    """The names DuckDB offers (they include columns of subqueries and CTEs)."""
    found = _CANDIDATES.search(duckdb_text)
    names = re.findall(r'"([^"]+)"', found.group(1)) if found else []
    return [name.rsplit(".", 1)[-1] for name in names if _PRIVATE not in name]


def _function_message(name: str, spark_sql: str, functions: Iterable[str] = ()) -> str:
    written = _written_name(name, spark_sql)
    if written.lower() in spark_function_names():
        return f"function `{written}` is not supported by the local engine"
    known = [f for f in (*spark_function_names(), *functions) if re.fullmatch(r"[A-Za-z_]\w*", f)]
    suggestion = did_you_mean(written, known)
    return (f"Undefined function: {written}. This function is neither a built-in/temporary function, "
            f"nor a persistent function{position(spark_sql, written)}"
            + (f". {suggestion[0].upper()}{suggestion[1:]}" if suggestion else ""))


def _written(text: str, spark_sql: str) -> str:
    """`text` as the query spells it (DuckDB may report names in lower case)."""
    found = re.search(rf"(?<![\w.`]){re.escape(text)}(?!\w)", spark_sql, re.IGNORECASE)
    return found.group(0) if found else text


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
