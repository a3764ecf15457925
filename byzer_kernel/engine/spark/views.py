"""The catalog's tables as Spark temp views of a session (docs/reference/spark-engine.md, "Tables"):
a table made under Spark is its own DataFrame; an Arrow table (from an ET, Python, a command, the
embedded engine) becomes a DataFrame the first time a query names it, and again only when the
catalog holds another table under that name."""
from __future__ import annotations

import re
from typing import Any

from ...lang.errors import SparkError
from ..catalog import normalize_table_name
from .frame import SparkFrame

# Words of a query that may name a table; a word that is no table name costs a dict lookup.
_WORDS = re.compile(r"`((?:[^`]|``)+)`|([A-Za-z0-9_]+)")


def quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def arrow_to_spark(spark, table, name: str):
    try:
        return spark.createDataFrame(table)
    except Exception as error:
        text = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
        raise SparkError(f"table `{name}` cannot become a Spark table: {text.strip()}") from None


class SparkViews:
    def __init__(self) -> None:
        # catalog key -> (the catalog's table, the DataFrame Spark sees under that name)
        self._shown: dict[str, tuple[Any, Any]] = {}

    def dataframe(self, spark, name: str, table) -> Any:
        """The DataFrame of a catalog table, a temp view under its name from now on."""
        key = normalize_table_name(name)
        shown = self._shown.get(key)
        if shown is not None and shown[0] is table:
            return shown[1]
        frame = table.dataframe if isinstance(table, SparkFrame) else arrow_to_spark(spark, table, name)
        frame.createOrReplaceTempView(quoted(key))
        self._shown[key] = (table, frame)
        return frame

    def sync(self, spark, catalog, sql: str) -> None:
        """Before a query: views of tables the catalog no longer holds go, and every catalog table
        the query may name is a view of the catalog's current table."""
        for key, (table, _) in list(self._shown.items()):
            if catalog.get(key) is not table:
                del self._shown[key]
                spark.catalog.dropTempView(key)
        for match in _WORDS.finditer(sql):
            name = match.group(1).replace("``", "`") if match.group(1) is not None else match.group(2)
            table = catalog.get(name)
            if table is not None:
                self.dataframe(spark, name, table)

    def clear(self) -> None:
        self._shown.clear()
