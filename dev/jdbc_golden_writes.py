"""The write, save-mode and partitioned-read sections of dev/jdbc_golden.py."""
from __future__ import annotations

import datetime
import decimal
import re

from pyspark.sql.functions import lit, spark_partition_id
from pyspark.sql.types import ArrayType, BinaryType, DataType, DecimalType, IntegerType, StringType

from jdbc_golden_cases import WRITES, sampled
from jdbc_golden_db import Database, failure
from spark_golden import canonical


def save(frame, db: Database, table: str, mode: str, **options) -> None:
    (frame.write.format("jdbc").options(**db.options()).options(**options)
     .option("dbtable", table).mode(mode).save())


def spark_literal(value, kind: DataType) -> str:
    """Spark SQL text for a value of a type (frames come from SQL: pyspark 3.3 cannot pickle
    functions on Python 3.11, which createDataFrame from Python rows needs)."""
    name = kind.simpleString()
    if value is None:
        return f"CAST(NULL AS {name})"
    if isinstance(kind, ArrayType):
        items = ", ".join(spark_literal(item, kind.elementType) for item in value)
        return f"CAST(array({items}) AS {name})"
    if isinstance(kind, BinaryType):
        return f"X'{value.hex()}'"
    if isinstance(value, datetime.datetime):
        return f"TIMESTAMP'{value.isoformat(sep=' ')}'"
    if isinstance(value, datetime.date):
        return f"DATE'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"
    return f"CAST('{value!r}' AS {name})" if isinstance(value, float) else f"CAST({value} AS {name})"


def frame_of(spark, columns: list[tuple[str, DataType]], rows: list[tuple]):
    """A DataFrame with exactly these column types, in one partition."""
    values = ", ".join("(" + ", ".join(spark_literal(v, kind) for v, (_, kind) in zip(row, columns)) + ")"
                       for row in rows)
    names = ", ".join(name for name, _ in columns)
    frame = spark.sql(f"SELECT * FROM VALUES {values} AS t({names})").coalesce(1)
    assert [t for _, t in frame.dtypes] == [kind.simpleString() for _, kind in columns], frame.dtypes
    return frame


def write_cases(db: Database) -> list[dict]:
    records = []
    for case, spark_type, values in WRITES:
        if not sampled(db.name, "write", case):
            continue
        table = "w_" + re.sub(r"\W+", "_", case).strip("_")
        db.drop(table)
        frame = frame_of(db.spark, [("id", IntegerType()), ("v", spark_type)], list(enumerate(values, 1)))
        # Spark declares a column NOT NULL when its DataFrame field is not nullable.
        record = {"section": "write", "database": db.name, "case": case,
                  "spark_type": spark_type.simpleString(), "written": [canonical(v) for v in values],
                  "spark_nullable": frame.schema["v"].nullable}
        try:
            save(frame, db, table, "overwrite")
        except Exception as error:  # Spark's or the database's refusal is the answer to record
            record["error"] = failure(error, db)
        try:
            column = next(c for c in db.columns(table) if c["name"] == "v")
        except StopIteration:  # no table was left behind
            column = None
        if column is not None:
            # After an error this is what the failed save left behind.
            record["db_column"] = column
            record["db_values"] = db.values(table, column)
        records.append(record)
    return records


TABLE = "id bigint, name varchar(20), amount decimal(12,3)"
KEYED_TABLE = "id bigint primary key, name varchar(20), amount decimal(12,3)"
OLD_ROW = "(2, 'old', 9.5)"
COLUMNS = [("id", IntegerType()), ("name", StringType()), ("amount", DecimalType(10, 2))]

# case, what it asks, table before (None: no table), frame change, mode, options
MODES = [
    ("errorifexists", "mode errorifexists on an existing table", TABLE, None, "errorifexists", {}),
    ("ignore", "mode ignore on an existing table", TABLE, None, "ignore", {}),
    ("ignore_new_table", "mode ignore when the table does not exist", None, None, "ignore", {}),
    ("overwrite", "mode overwrite on a table with its own column types", TABLE, None, "overwrite", {}),
    ("overwrite_truncate", "mode overwrite with truncate=true: are the table's own types kept?",
     TABLE, None, "overwrite", {"truncate": "true"}),
    ("overwrite_column_types", "mode overwrite with createTableColumnTypes",
     TABLE, None, "overwrite", {"createTableColumnTypes": "name varchar(5), amount decimal(6,1)"}),
    ("append", "mode append, same column order", TABLE, None, "append", {}),
    ("append_reordered", "mode append, DataFrame columns in another order: by name or position?",
     TABLE, lambda f: f.select("amount", "name", "id"), "append", {}),
    ("append_upper_case_names", "mode append, DataFrame column names in upper case",
     TABLE, lambda f: f.toDF("ID", "NAME", "AMOUNT"), "append", {}),
    ("append_missing_column", "mode append, DataFrame lacks the table's column amount",
     TABLE, lambda f: f.select("id", "name"), "append", {}),
    ("append_extra_column", "mode append, DataFrame has a column the table lacks",
     TABLE, lambda f: f.withColumn("extra", lit(1)), "append", {}),
    ("append_new_table", "mode append when the table does not exist", None, None, "append", {}),
    ("append_constraint_violation", "mode append of ids 1, 2, 3 (one partition) into a table "
     "whose primary key already holds 2: what is left?", KEYED_TABLE,
     lambda f: f.union(frame_of(f.sparkSession, COLUMNS, [(3, "c", decimal.Decimal("3.00"))])).coalesce(1),
     "append", {}),
]


def mode_cases(db: Database) -> list[dict]:
    base = frame_of(db.spark, COLUMNS, [(1, "a", decimal.Decimal("1.50")), (2, "b", decimal.Decimal("2.25"))])
    records = []
    for case, description, ddl, change, mode, options in MODES:
        if not sampled(db.name, "mode", case):
            continue
        table = f"m_{case}"
        db.drop(table)
        if ddl is not None:
            db.execute(f"CREATE TABLE {table} ({ddl})", f"INSERT INTO {table} VALUES {OLD_ROW}")
        frame = change(base) if change else base
        record = {"section": "mode", "database": db.name, "case": case, "description": description,
                  "mode": mode, "options": options,
                  "frame_columns": [f"{f.name} {f.dataType.simpleString()}" + ("" if f.nullable else " not null")
                                    for f in frame.schema.fields],
                  "rows_written": [[canonical(v) for v in row] for row in frame.collect()]}
        if ddl is not None:
            record["columns_before"] = db.columns(table)
            record["rows_before"] = rows(db, table)
        try:
            save(frame, db, table, mode, **options)
        except Exception as error:
            record["error"] = failure(error, db)
        record["columns_after"] = db.columns(table)
        record["rows_after"] = rows(db, table) if record["columns_after"] else None
        records.append(record)
    return records


def rows(db: Database, table: str) -> list:
    return db.query(f"SELECT * FROM {table} ORDER BY 1, 2")


TIMESTAMP_COLUMN = {"postgresql": "timestamp", "mysql": "datetime", "mariadb": "datetime",
                    "sqlite": "TIMESTAMP"}
PARTITIONED_READS = [
    ("int", {"partitionColumn": "id", "lowerBound": "10", "upperBound": "50", "numPartitions": "4"}),
    ("date", {"partitionColumn": "d", "lowerBound": "2024-01-10", "upperBound": "2024-02-19",
              "numPartitions": "4"}),
    ("timestamp", {"partitionColumn": "ts", "lowerBound": "2024-01-01 10:00:00",
                   "upperBound": "2024-01-03 02:00:00", "numPartitions": "4"}),
    ("int_range_below_partitions", {"partitionColumn": "id", "lowerBound": "1", "upperBound": "3",
                                    "numPartitions": "4"}),
    ("int_one_partition", {"partitionColumn": "id", "lowerBound": "10", "upperBound": "50",
                           "numPartitions": "1"}),
    ("int_bounds_reversed", {"partitionColumn": "id", "lowerBound": "50", "upperBound": "10",
                             "numPartitions": "4"}),
    ("int_subquery", {"partitionColumn": "id", "lowerBound": "10", "upperBound": "50",
                      "numPartitions": "4", "dbtable": "(select k, id from p where k > 5) t"}),
]


def partition_table(db: Database) -> None:
    """p(k, id, d, ts): k 1..103; id = k, d and ts step from 2024-01-01 by k - 1 days / hours, NULL past 100."""
    start = datetime.datetime(2024, 1, 1)
    values = []
    for k in range(1, 104):
        if k <= 100:
            day = (start + datetime.timedelta(days=k - 1)).date().isoformat()
            hour = (start + datetime.timedelta(hours=k - 1)).isoformat(sep=" ")
            values.append(f"({k}, {k}, '{day}', '{hour}')")
        else:
            values.append(f"({k}, NULL, NULL, NULL)")
    db.drop("p")
    db.execute(f"CREATE TABLE p (k int, id int, d date, ts {TIMESTAMP_COLUMN[db.name]})",
               "INSERT INTO p VALUES " + ", ".join(values))


def partition_cases(db: Database) -> list[dict]:
    if db.name != "mariadb":  # the mariadb URL reads the table the mysql pass made
        partition_table(db)
    records = []
    for case, options in PARTITIONED_READS:
        if not sampled(db.name, "partition", case):
            continue
        options = {"dbtable": "p", **options}
        record = {"section": "partition", "database": db.name, "case": case, "options": options}
        try:
            frame = db.reader().options(**options).load()
            jvm_partitions = frame._jdf.queryExecution().toRdd().partitions()
            wheres = {p.index(): p.whereClause() for p in jvm_partitions}
            keys = {index: [] for index in wheres}
            for part, k in frame.select(spark_partition_id().alias("part"), "k").collect():
                keys[part].append(k)
            record["partitions"] = [{"index": i, "where": wheres[i], "keys": sorted(keys[i])}
                                    for i in sorted(wheres)]
        except Exception as error:
            record["error"] = failure(error, db)
        records.append(record)
    return records
