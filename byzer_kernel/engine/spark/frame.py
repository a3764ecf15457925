"""A table of the catalog that lives in Spark (docs/reference/spark-engine.md, "Tables"): a Spark
DataFrame with what the rest of the project asks of a table without moving its rows (schema,
columns), and the conversions at the edges (its first rows for a display, every row for `-o`,
ETs and commands). Every action goes through `_run`, so Spark's failures leave as ByzerErrors
pointed at the statement that made the table."""
from __future__ import annotations

from typing import Any, Callable, Optional

import pyarrow as pa

from ..result_tables import with_more_rows
from .failures import SqlOrigin, spark_failure
from .intervals import IntervalColumns


class SparkFrame:
    def __init__(self, dataframe: Any, origin: Optional[SqlOrigin] = None, master: str = ""):
        self.dataframe = dataframe
        self.origin = origin
        self.master = master
        # The row count once something has counted it cheaply (a preview that held every row).
        self.known_rows: Optional[int] = None
        self._schema: Optional[pa.Schema] = None
        self._collectable: Optional[IntervalColumns] = None
        self._previews: dict[Optional[int], pa.Table] = {}

    # -- what a table tells without its rows ---------------------------------------------------
    @property
    def schema(self) -> pa.Schema:
        """The Arrow schema toArrow() gives (timestamps in UTC), from Spark's schema."""
        if self._schema is None:
            from pyspark.sql.pandas.types import to_arrow_schema

            collectable = self._intervals()
            spark_schema = self._run(lambda: collectable.dataframe.schema)
            self._schema = collectable.schema(self._run(lambda: to_arrow_schema(
                spark_schema, error_on_duplicated_field_names_in_struct=True, timezone="UTC")))
        return self._schema

    def _intervals(self) -> IntervalColumns:
        """The DataFrame whose rows Arrow can carry (interval columns replaced: intervals.py)."""
        if self._collectable is None:
            self._collectable = self._run(lambda: IntervalColumns(self.dataframe))
        return self._collectable

    @property
    def column_names(self) -> list[str]:
        return list(self.schema.names)

    @property
    def num_columns(self) -> int:
        return len(self.schema)

    # -- rows, at the edges --------------------------------------------------------------------
    def to_arrow(self) -> pa.Table:
        """Every row (collected through the driver)."""
        collectable = self._intervals()
        table = collectable.restored(self._run(collectable.dataframe.toArrow))
        self.known_rows = table.num_rows
        return table

    def to_pandas(self):
        return self.to_arrow().to_pandas()

    def preview(self, rows: Optional[int]) -> pa.Table:
        """At most `rows` first rows (None: all), marked when the table has more (result_tables)."""
        if rows is None:
            return self.to_arrow()
        if rows not in self._previews:
            collectable = self._intervals()
            head = collectable.restored(self._run(lambda: collectable.dataframe.limit(rows + 1).toArrow()))
            if head.num_rows > rows:
                head = with_more_rows(head.slice(0, rows))
            else:
                self.known_rows = head.num_rows
            self._previews[rows] = head
        return self._previews[rows]

    def count(self) -> int:
        if self.known_rows is None:
            self.known_rows = self._run(self.dataframe.count)
        return self.known_rows

    def _run(self, action: Callable):
        try:
            return action()
        except Exception as error:
            failure = spark_failure(error, self.origin, self.master)
            if failure is None:
                raise
            if self.origin is not None:  # the statement that made the table, wherever its rows are read
                failure.attach(self.origin.statement)
            raise failure from None

    def __repr__(self) -> str:
        return f"SparkFrame({', '.join(self.dataframe.columns)})"
