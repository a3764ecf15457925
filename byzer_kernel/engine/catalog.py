"""The table catalog: Byzer views as pyarrow Tables (under the Spark engine also Spark tables,
engine/spark/frame.py, beside them), names case-insensitive as in Spark (docs/spec.md §1.5)."""
from __future__ import annotations

from typing import Any, Iterator, Optional

import pyarrow as pa

from ..lang.errors import TableNotFoundError
from ..lang.suggest import did_you_mean


def normalize_table_name(name: str) -> str:
    """Spark strips outer backquotes and compares view names case-insensitively."""
    name = name.strip()
    if len(name) >= 2 and name[0] == "`" and name[-1] == "`":
        name = name[1:-1]
    return name.lower()


class Catalog:
    def __init__(self) -> None:
        # Arrow tables, or SparkFrames made under the Spark engine
        self._tables: dict[str, tuple[str, Any]] = {}

    def register(self, name: str, table: pa.Table) -> None:
        display = name.strip().strip("`")
        self._tables[normalize_table_name(name)] = (display, table)

    def drop(self, name: str) -> None:
        """Forget a table (no error when it is not there)."""
        self._tables.pop(normalize_table_name(name), None)

    def get(self, name: str) -> Optional[pa.Table]:
        entry = self._tables.get(normalize_table_name(name))
        return entry[1] if entry else None

    def __contains__(self, name: str) -> bool:
        return normalize_table_name(name) in self._tables

    def names(self) -> list[str]:
        """Names as first written by the user, in registration order."""
        return [display for display, _ in self._tables.values()]

    def items(self) -> Iterator[tuple[str, pa.Table]]:
        yield from self._tables.values()

    def not_found(self, name: str) -> TableNotFoundError:
        """The error for a table name that is not in the catalog: the closest names, and every one."""
        written = name.strip().strip("`")
        suggestion = did_you_mean(written, self.names())
        known = ", ".join(self.names()) or "none"
        return TableNotFoundError(f"table `{written}` does not exist"
                                  f"{'; ' + suggestion if suggestion else ''} (known tables: {known})")
