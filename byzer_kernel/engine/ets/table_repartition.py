"""`TableRepartition` (byzer-lang: tech.mlsql.plugins.ets.TableRepartition): the table cut into
`partitionNum` partitions. As `!tableRepartition` (commands_tables.py), the pieces are the table's
record batches and the count is kept in its schema metadata, which the runtime's Ray ET reads.

- hash without partitionCols: Spark's round-robin `repartition(n)`; locally n balanced pieces in row order.
- hash with partitionCols: Spark's HashPartitioning, row -> pmod(hash(cols), n) (Spark's murmur3 `hash`,
  computed by the project's Spark SQL), rows keeping their order inside a piece.
- range (partitionCols required): rows sorted by the columns (Spark's ascending, nulls first), cut into
  n balanced pieces, which is what Spark's sampled RangePartitioner gives on small tables.
- shuffle="false" (hash only): Spark's `coalesce(n)`, which never adds partitions.
"""
from __future__ import annotations

import uuid

import pyarrow as pa

from ...lang.errors import UsageError
from ..commands_tables import PARTITIONS_KEY, recorded_partitions, with_partitions
from . import builtin_et
from .base import ET, Param, flag


@builtin_et
class TableRepartition(ET):
    name = "TableRepartition"
    doc = ("Change the number of partitions, e.g. before saving files or so that Python workers run "
           "in parallel (`run command as Ray`).")
    alg_type = "process"
    code_example = '''set jsonStr =\'\'\'
{"id":0,"parentId":null}
{"id":1,"parentId":null}
{"id":2,"parentId":1}
{"id":3,"parentId":3}
{"id":7,"parentId":0}
{"id":199,"parentId":1}
{"id":200,"parentId":199}
{"id":201,"parentId":199}
\'\'\';
load jsonStr.`jsonStr` as data;
run data as TableRepartition.`` where partitionNum="3" and partitionType="range" and partitionCols="id" as simpleData;'''
    params = (
        Param("partitionNum", "Required. Number of repartition. e.g. partitionNum = \"3\"", required=True,
              value_type="int"),
        Param("partitionType", "Type of repartition. Available values: hash, range. Default: hash.",
              default="hash", values=("hash", "range")),
        Param("partitionCols", "Column used for repartition, must be specified when partitionType is range. "
              "e.g. partitionCols = \"col1\""),
        Param("shuffle", "Whether to start shuffle during the repartition. e.g. shuffle = \"true\"",
              default="true"),
    )

    def run(self, session, request, options, events) -> pa.Table:
        count = partition_number(options["partitionNum"])
        table = session.table(request.input_table)
        columns = [c.strip() for c in options.get("partitionCols", "").split(",") if c.strip()]
        if options["partitionType"] == "range":
            if not columns:
                raise UsageError("TableRepartition: At least one partition-by expression must be specified "
                                 "(partitionCols, with partitionType=\"range\")")
            if "shuffle" in request.options:
                events.message("TableRepartition: shuffle is not supported when partitionType is range "
                               "(ignored, as Byzer logs it)")
            return with_partitions(sort_by(table, columns), count)
        if not flag(options["shuffle"], "shuffle", self.name):
            if columns:
                events.message("TableRepartition: partitionCols is not used when shuffle is false "
                               "(ignored, as Byzer logs it)")
            current = recorded_partitions(table)
            return table if current is not None and current <= count else with_partitions(table, count)
        if not columns:
            return with_partitions(table, count)
        return hash_partitions(session, table, columns, count)

    train = predict = run


def partition_number(text: str) -> int:
    try:
        count = int(str(text).strip())
    except ValueError:
        raise UsageError(f"TableRepartition: partitionNum is a number of partitions; got {text!r}") from None
    if count < 1:
        raise UsageError(f"TableRepartition: partitionNum must be positive; got {count}")
    return count


def quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def column_named(table: pa.Table, name: str) -> str:
    """The table's column called `name`, compared without regard to case as Spark resolves it."""
    for column in table.column_names:
        if column.lower() == name.lower():
            return column
    raise UsageError(f"TableRepartition: no column `{name}` in the input table "
                     f"(columns: {', '.join(table.column_names)})")


def sort_by(table: pa.Table, columns: list) -> pa.Table:
    keys = [(column_named(table, c), "ascending", "at_start") for c in columns]  # Spark: nulls first
    return table.sort_by(keys)


def hash_partitions(session, table: pa.Table, columns: list, count: int) -> pa.Table:
    """Rows grouped by Spark's partition id pmod(hash(cols), count): piece i holds partition i's rows."""
    import pyarrow.compute as pc

    names = [column_named(table, c) for c in columns]
    temp = f"__table_repartition_{uuid.uuid4().hex}__"
    session.catalog.register(temp, table)
    try:
        ids = session.sql(f"select pmod(hash({', '.join(map(quoted, names))}), {count}) as p "
                          f"from {temp}").column("p")
    finally:
        session.catalog.drop(temp)
    pieces = [table.filter(pc.equal(ids, index)) for index in range(count)]
    batches = [batch for piece in pieces for batch in piece.combine_chunks().to_batches()]
    metadata = {**(table.schema.metadata or {}), PARTITIONS_KEY: str(count).encode()}
    return pa.Table.from_batches(batches, schema=table.schema.with_metadata(metadata))
