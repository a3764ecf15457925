"""Tables whose column names differ only in case (`{"b":1,"B":2}` read by jsonStr), on DuckDB.

Spark keeps both columns: `select *` returns `B` and `b`, and a reference to either name, in any
case, is ambiguous (with the default spark.sql.caseSensitive=false). DuckDB's identifiers are
case-insensitive: it would rename the second column `b_1` and resolve `b` to `B` silently. So the
engine registers such a table with each colliding column under a private name (the name plus a
marker DuckDB can never confuse), gives results their names back, and reports a reference that
does not resolve to a private name as Spark's ambiguous reference.
"""
from __future__ import annotations

import collections
import re
from typing import Optional

import pyarrow as pa

_MARK = "\ue000"  # a private-use character: never in a name a user writes
_MARKED = re.compile(f"{_MARK}\\d+$")
_NOT_FOUND = re.compile(r'Referenced column "([^"]+)" not found|does not have a column named "([^"]+)"')


def colliding(names: list) -> dict:
    """lower-case name -> the names that share it, for names that collide ignoring case."""
    groups = collections.defaultdict(list)
    for name in names:
        groups[name.lower()].append(name)
    return {key: group for key, group in groups.items() if len(set(group)) > 1}


def registrable(table: pa.Table) -> pa.Table:
    """`table` with its case-colliding columns under private names (zero-copy)."""
    collisions = colliding(table.column_names)
    if not collisions:
        return table
    names = [f"{name}{_MARK}{index}" if name.lower() in collisions else name
             for index, name in enumerate(table.column_names)]
    return table.rename_columns(names)


def with_public_names(table: pa.Table) -> pa.Table:
    """A result's columns under the names the user's table had."""
    if not any(_MARK in name for name in table.column_names):
        return table
    return table.rename_columns([_MARKED.sub("", name) for name in table.column_names])


def ambiguity(message: str, tables: dict) -> Optional[str]:
    """Spark's message when DuckDB's `message` says a column of a case-colliding table (in
    `tables`, name -> Arrow table) was not found: the reference is ambiguous."""
    match = _NOT_FOUND.search(message)
    if not match:
        return None
    reference = match.group(1) or match.group(2)
    column = reference.rsplit(".", 1)[-1].lower()
    for table_name, table in tables.items():
        group = colliding(table.column_names).get(column)
        if group:
            candidates = ", ".join(f"{table_name}.{name}" for name in group)
            return f"Reference '{reference}' is ambiguous, could be: {candidates}."
    return None
