"""`save ... as jdbc` against the real databases (issue 13): the four modes, Spark's `truncate`,
appends matched by column name in any case, Byzer's `idCol` upsert, `createTableColumnTypes`,
`batchsize`, the column types a new table gets (Spark 3.3's, from tests/jdbc/golden_types.jsonl),
and transactions: a save that fails half-way leaves the table exactly as it was."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from byzer_kernel.lang.errors import ByzerError, DatabaseError, UsageError
import test_jdbc_load as shared
from test_jdbc_load import GOLDEN

D = Decimal

database, connected = shared.database, shared.connected  # the fixtures all three files share


def golden_write_type(kind: str, spark_type: str) -> str:
    """The column type Spark 3.3's writer created for a column of `spark_type`."""
    found = [r["db_column"]["type"] for r in GOLDEN
             if r["section"] == "write" and r["database"] == kind and r["case"] == spark_type]
    assert len(found) == 1, (kind, spark_type)
    return found[0].lower()


def as_text(database, column: str) -> str:
    return f"CAST({column} AS {'CHAR' if database.kind == 'mysql' else 'TEXT'})"


def rows(database, table: str) -> list[tuple]:
    """(id, name, amount) of every row, by id; the amount as the Decimal of its text (SQLite keeps a
    DECIMAL column's values as numbers: 9.5, where the others say 9.500)."""
    found = database.run(f"SELECT id, name, {as_text(database, 'amount')} FROM {table} ORDER BY id, name")
    return [(i, name, None if amount is None else D(amount)) for i, name, amount in found]


def people(ids, names=None, amounts=None) -> pa.Table:
    names = names or [f"n{i}" for i in ids]
    amounts = amounts or [D(i) / 4 for i in ids]
    return pa.table({"id": pa.array(ids, pa.int32()), "name": pa.array(names, pa.string()),
                     "amount": pa.array(amounts, pa.decimal128(10, 2))})


def make_people(database, table: str, *values: str) -> None:
    """A table of the database's own column types (not Spark's), holding `values`."""
    database.drop(table)
    database.run(f"CREATE TABLE {table} (id BIGINT, name VARCHAR(20), amount DECIMAL(12,3))")
    if values:
        database.run(f"INSERT INTO {table} VALUES {', '.join(values)}")


ALL_TYPES = pa.table({
    "i": pa.array([1, None], pa.int32()), "big": pa.array([2 ** 62, None], pa.int64()),
    "amount": pa.array([D("12345678.91"), None], pa.decimal128(10, 2)), "flag": pa.array([True, None]),
    "name": pa.array(["héllo 😀", None]), "data": pa.array([b"\x00\xff", None], pa.binary()),
    "day": pa.array([dt.date(2024, 2, 29), None], pa.date32()),
    "at": pa.array([dt.datetime(2024, 1, 2, 3, 4, 5), None], pa.timestamp("us")),
    "dbl": pa.array([0.1, None], pa.float64())})
SPARK_TYPES = {"i": "int", "big": "bigint", "amount": "decimal(10,2)", "flag": "boolean", "name": "string",
               "data": "binary", "day": "date", "at": "timestamp", "dbl": "double"}


def test_overwrite_creates_the_table_with_spark_types(database, connected):
    database.drop("typed")
    connected.catalog.register("all_types", ALL_TYPES)
    result = connected.execute("save overwrite all_types as jdbc.`db.typed`;")
    assert result.table.to_pylist() == [{"path": "db.typed", "format": "jdbc", "mode": "overwrite",
                                         "status": "written", "rows": 2, "files": 0}]
    assert database.column_types("typed") == {c: golden_write_type(database.kind, t) for c, t in SPARK_TYPES.items()}
    connected.execute("load jdbc.`db.typed` as back;")
    assert connected.table("back").sort_by("i").to_pylist() == ALL_TYPES.to_pylist()
    connected.catalog.register("other", people([7]))  # overwrite again: the new columns and rows only
    connected.execute("save overwrite other as jdbc.`db.typed`;")
    assert list(database.column_types("typed")) == ["id", "name", "amount"]
    assert rows(database, "typed") == [(7, "n7", D("1.75"))]


QUALIFIED = {"postgresql": "public", "mysql": "byzer_test", "sqlite": "main"}


def test_save_to_a_schema_qualified_table_with_odd_column_names(database, connected):
    database.drop("qualified")
    connected.catalog.register("odd", pa.table({"My Col": pa.array([1, 2], pa.int32()), "Name": ["a", "b"]}))
    target = f"db.{QUALIFIED[database.kind]}.qualified"
    connected.execute(f"save overwrite odd as jdbc.`{target}`;\nsave append odd as jdbc.`{target}`;")
    assert list(database.column_types("qualified")) == ["My Col", "Name"]
    assert database.count("qualified") == 4
    connected.execute(f"load jdbc.`{target}` as back;")
    assert connected.table("back").column_names == ["My Col", "Name"]


def test_append_adds_rows_and_creates_a_missing_table(database, connected):
    make_people(database, "appended", "(1, 'old', 9.5)")
    database.drop("fresh")
    connected.catalog.register("new", people([2, 3]))
    connected.execute("save append new as jdbc.`db.appended`;\nsave append new as jdbc.`db.fresh`;")
    assert rows(database, "appended") == [(1, "old", D("9.500")), (2, "n2", D("0.500")), (3, "n3", D("0.750"))]
    assert [r[:2] for r in rows(database, "fresh")] == [(2, "n2"), (3, "n3")]


def test_ignore_leaves_an_existing_table_untouched(database, connected):
    make_people(database, "kept", "(1, 'old', 9.5)")
    database.drop("made")
    connected.catalog.register("new", people([2]))
    result = connected.execute("save ignore new as jdbc.`db.kept`;")
    assert result.table.column("status").to_pylist()[0].startswith("skipped")
    assert rows(database, "kept") == [(1, "old", D("9.500"))]
    assert database.column_types("kept")["name"] in ("varchar(20)", "character varying(20)")
    connected.execute("save ignore new as jdbc.`db.made`;")  # a missing table is written
    assert [r[:2] for r in rows(database, "made")] == [(2, "n2")]


def test_error_if_exists_fails_and_leaves_the_table(database, connected):
    make_people(database, "taken", "(1, 'old', 9.5)")
    connected.catalog.register("new", people([2]))
    with pytest.raises(ByzerError, match="already exists") as failure:
        connected.execute("select 1 as x as first;\nsave errorIfExists new as jdbc.`db.taken`;")
    assert failure.value.location == "line 2:1" and failure.value.kind != "InternalError"
    assert rows(database, "taken") == [(1, "old", D("9.500"))]
    assert connected.table("first").num_rows == 1


def test_overwrite_with_truncate_keeps_the_table_definition(database, connected):
    database.drop("narrow")
    database.run("CREATE TABLE narrow (id BIGINT, name VARCHAR(5), amount DECIMAL(12,3))",
                 "INSERT INTO narrow VALUES (1, 'old', 9.5)")
    connected.catalog.register("new", people([2, 3]))
    connected.execute('save overwrite new as jdbc.`db.narrow` where truncate="true";')
    types = database.column_types("narrow")
    if database.kind == "sqlite":  # no Spark dialect: truncate is not cascade-safe, so drop and create
        assert types == {"id": "integer", "name": "text", "amount": "decimal(10,2)"}
        assert rows(database, "narrow") == [(2, "n2", D("0.5")), (3, "n3", D("0.75"))]
        return
    assert types["name"] in ("varchar(5)", "character varying(5)")
    assert types["amount"] in ("decimal(12,3)", "numeric(12,3)")
    assert rows(database, "narrow") == [(2, "n2", D("0.500")), (3, "n3", D("0.750"))]


def test_append_matches_columns_by_name_in_any_order_and_case(database, connected):
    make_people(database, "mixed", "(1, 'old', 9.5)")
    data = people([2]).select(["amount", "name", "id"]).rename_columns(["AMOUNT", "Name", "ID"])
    connected.catalog.register("shuffled", data)
    connected.execute("save append shuffled as jdbc.`db.mixed`;")
    assert rows(database, "mixed") == [(1, "old", D("9.500")), (2, "n2", D("0.500"))]
    connected.catalog.register("extra", people([3]).append_column("nope", pa.array([1])))
    with pytest.raises(UsageError, match="nope"):
        connected.execute("save append extra as jdbc.`db.mixed`;")
    assert len(rows(database, "mixed")) == 2


def test_id_col_upserts_and_gives_a_new_table_its_primary_key(database, connected):
    database.drop("keyed")
    connected.catalog.register("first", people([1, 2]))
    connected.execute('save append first as jdbc.`db.keyed` where idCol="id";')
    assert database.primary_key("keyed") == ["id"]
    connected.catalog.register("second", people([2, 3], ["two", "three"], [D("20.5"), D("30")]))
    result = connected.execute('save append second as jdbc.`db.keyed` where idCol="id";')
    assert result.table.column("status").to_pylist() == ["upserted"]
    assert [r[:2] for r in rows(database, "keyed")] == [(1, "n1"), (2, "two"), (3, "three")]
    assert rows(database, "keyed")[1][2] == D("20.5")


def test_create_table_column_types(database, connected):
    database.drop("custom")
    connected.catalog.register("new", people([1]))
    connected.execute('save overwrite new as jdbc.`db.custom` where '
                      'createTableColumnTypes="name varchar(5), amount decimal(6,1)";')
    types = database.column_types("custom")
    assert types["name"] in ("varchar(5)", "character varying(5)")
    assert types["amount"] in ("decimal(6,1)", "numeric(6,1)")
    with pytest.raises(UsageError, match="nope"):
        connected.execute('save overwrite new as jdbc.`db.custom` where createTableColumnTypes="nope int";')


def test_batchsize(database, connected):
    database.drop("batched")
    connected.catalog.register("many", people(list(range(1, 21))))
    connected.execute('save overwrite many as jdbc.`db.batched` where batchsize="7";')
    assert database.count("batched") == 20
    with pytest.raises(UsageError, match="batchsize"):
        connected.execute('save overwrite many as jdbc.`db.batched` where batchsize="0";')
    assert database.count("batched") == 20


# --- transactions: a failed save leaves the table as it was ---------------------------------------
CONSTRAINTS = {  # the table's constraint, and what the 500th of 1000 new rows holds to break it
    "check": ("amount DECIMAL(12,3) CHECK (amount < 1000)", 5000),
    "not_null": ("amount DECIMAL(12,3) NOT NULL", None),
    "unique": ("amount DECIMAL(12,3) UNIQUE", 9.5),
}


# MySQL's ON DUPLICATE KEY UPDATE takes any unique key as the row to update: no failure to test.
@pytest.mark.parametrize("constraint,mode", [(c, m) for c in CONSTRAINTS for m in ("append", "overwrite_truncate", "upsert")
                                             if (c, m) != ("unique", "upsert")])
def test_a_failing_save_leaves_the_table_as_it_was(database, connected, constraint, mode):
    ddl, bad = CONSTRAINTS[constraint]
    database.drop("guarded")
    database.run(f"CREATE TABLE guarded (id BIGINT PRIMARY KEY, name VARCHAR(20), {ddl})",
                 "INSERT INTO guarded VALUES (-1, 'old', 9.5), (-2, 'older', 8.25)")
    before = rows(database, "guarded")
    ids = list(range(1, 1001))
    amounts = [D(i) / 4 for i in ids]
    amounts[499] = None if bad is None else D(bad)
    connected.catalog.register("new", people(ids, amounts=amounts))
    options = {"append": "", "overwrite_truncate": ' where truncate="true"', "upsert": ' where idCol="id"'}[mode]
    save = "overwrite" if mode == "overwrite_truncate" else "append"
    if database.kind == "sqlite" and mode == "overwrite_truncate":  # Spark: no dialect, no truncate:
        connected.execute(f"save {save} new as jdbc.`db.guarded`{options};")  # a new table, no constraint
        assert database.count("guarded") == 1000 and database.primary_key("guarded") == []
        return
    with pytest.raises(DatabaseError) as failure:
        connected.execute(f"select 1 as x as earlier;\nsave {save} new as jdbc.`db.guarded`{options};")
    error = failure.value
    assert error.location == "line 2:1" and "guarded" in error.message, error.user_message()
    assert rows(database, "guarded") == before
    assert connected.table("earlier").num_rows == 1
    assert connected.execute("select 2 as y as later;").table.num_rows == 1


def test_a_failing_overwrite_keeps_the_old_table(database, connected):
    """The new table's column is NOT NULL (the data says so) and its 500th value is NULL."""
    make_people(database, "replaced", "(1, 'old', 9.5)")
    tables_before = table_names(database)
    values = [f"v{i}" for i in range(1000)]
    values[499] = None
    data = pa.table({"id": pa.array(range(1000), pa.int32()), "name": pa.array(values)},
                    schema=pa.schema([pa.field("id", pa.int32()), pa.field("name", pa.string(), nullable=False)]))
    connected.catalog.register("new", data)
    with pytest.raises(DatabaseError) as failure:
        connected.execute("save overwrite new as jdbc.`db.replaced`;")
    assert failure.value.location == "line 1:1" and "replaced" in failure.value.message
    assert rows(database, "replaced") == [(1, "old", D("9.500"))]
    assert database.column_types("replaced")["name"] in ("varchar(20)", "character varying(20)")
    assert table_names(database) == tables_before  # nothing left behind (MySQL builds beside the old)


def table_names(database) -> set[str]:
    if database.kind == "sqlite":
        return {r[0] for r in database.run("SELECT name FROM sqlite_master WHERE type = 'table'")}
    schema = "current_schema()" if database.kind == "postgresql" else "DATABASE()"
    return {r[0] for r in database.run(
        f"SELECT table_name FROM information_schema.tables WHERE table_schema = {schema}")}
