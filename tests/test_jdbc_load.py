"""`load jdbc` against the real databases (issue 13): whole tables, directQuery run in the database,
every common type in one table per database (Spark's types from tests/jdbc/golden_types.jsonl, which
dev/record-jdbc-golden recorded from Spark 3.3), partitioned reads with their WHERE clauses and row
counts checked in the database, prePtnArray, fetchsize, customSchema, and an interrupted long load.

`Database` and the `database` fixture (one per database: PostgreSQL, MariaDB through a jdbc:mysql
URL, SQLite in tmp_path) are shared with test_jdbc_save.py and test_jdbc_statements.py."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import pytest

from byzer_kernel.engine.jdbc.reader import PARTITIONS_KEY
from byzer_kernel.engine.types import spark_type_name
from byzer_kernel.lang.errors import UsageError
from interrupting import interrupt_once_running, wait_until

KINDS = ("postgresql", "mysql", "sqlite")
GOLDEN = [json.loads(line) for line in (Path(__file__).parent / "jdbc" / "golden_types.jsonl").open()]


def golden_spark_type(kind: str, ddl_type: str) -> str:
    """The Spark type Spark 3.3 read a column of `ddl_type` as (default URL parameters)."""
    found = {r["spark_type"] for r in GOLDEN if r["section"] == "read" and r["database"] == kind
             and r["ddl_type"] == ddl_type and not r.get("url_params") and not r.get("error")}
    assert len(found) == 1, f"no single golden answer for {kind} {ddl_type}: {found}"
    return found.pop()


class Database:
    """One database for the tests: how the engine connects to it and how to set it up directly."""

    def __init__(self, kind: str, server=None, path: Path | None = None):
        self.kind, self.server, self.path = kind, server, path

    @property
    def driver(self) -> str:
        return {"postgresql": "org.postgresql.Driver", "mysql": "com.mysql.jdbc.Driver",
                "sqlite": "org.sqlite.JDBC"}[self.kind]

    def url(self, params: str = "") -> str:
        if self.kind == "sqlite":
            return f"jdbc:sqlite:{self.path}"
        url = self.server.jdbc_url
        return url + ("&" if "?" in url else "?") + params if params else url

    def connect_statement(self, name: str = "db", params: str = "", password: str | None = None) -> str:
        text = f'connect jdbc where url="{self.url(params)}" and driver="{self.driver}"'
        if self.server is not None:
            text += f' and user="{self.server.user}" and password="{password or self.server.password}"'
        return text + (f" as {name};" if name else ";")

    def run(self, *statements: str) -> list[tuple]:
        """Run each statement committed; the rows of the last one."""
        rows: list[tuple] = []
        if self.kind == "sqlite":
            connection = sqlite3.connect(self.path, isolation_level=None)
            try:
                for statement in statements:
                    rows = [tuple(r) for r in connection.execute(statement).fetchall()]
            finally:
                connection.close()
            return rows
        for statement in statements:
            rows = self.server.execute(statement)
        return rows

    def drop(self, *tables: str) -> None:
        self.run(*[f"DROP TABLE IF EXISTS {t}" for t in tables])

    def count(self, table: str, where: str = "") -> int:
        return self.run(f"SELECT COUNT(*) FROM {table}" + (f" WHERE {where}" if where else ""))[0][0]

    def column_types(self, table: str) -> dict[str, str]:
        """Each column's type as the database's catalog names it, lower case."""
        if self.kind == "sqlite":
            rows = [(r[1], r[2]) for r in self.run(f"PRAGMA table_info({table})")]
        elif self.kind == "postgresql":
            rows = self.run("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                            f"WHERE a.attrelid = '{table}'::regclass AND a.attnum > 0 AND NOT a.attisdropped "
                            "ORDER BY a.attnum")
        else:
            rows = self.run("SELECT column_name, column_type FROM information_schema.columns WHERE "
                            f"table_schema = DATABASE() AND table_name = '{table}' ORDER BY ordinal_position")
        return {name: kind.lower() for name, kind in rows}

    def primary_key(self, table: str) -> list[str]:
        if self.kind == "sqlite":
            return [r[1] for r in sorted(self.run(f"PRAGMA table_info({table})"), key=lambda r: r[5]) if r[5]]
        schema = "current_schema()" if self.kind == "postgresql" else "DATABASE()"
        return [r[0] for r in self.run(
            "SELECT k.column_name FROM information_schema.table_constraints c JOIN "
            "information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND "
            "k.table_schema = c.table_schema AND k.table_name = c.table_name WHERE c.constraint_type = "
            f"'PRIMARY KEY' AND c.table_name = '{table}' AND c.table_schema = {schema} ORDER BY k.ordinal_position")]


@pytest.fixture(params=KINDS)
def database(request, tmp_path) -> Database:
    if request.param == "sqlite":
        return Database("sqlite", path=tmp_path / "lite.db")
    fixture = "postgres_server" if request.param == "postgresql" else "mariadb_server"
    return Database(request.param, server=request.getfixturevalue(fixture))


@pytest.fixture
def connected(database, session):
    """The session with `connect ... as db` run."""
    session.execute(database.connect_statement("db"))
    return session


# --- whole tables and directQuery ---------------------------------------------------------------
def test_whole_table_with_nulls(database, connected):
    database.drop("people")
    database.run("CREATE TABLE people (id INTEGER, name VARCHAR(20))",
                 "INSERT INTO people VALUES (1, 'ann'), (2, NULL), (NULL, 'bo')")
    result = connected.execute("load jdbc.`db.people` as people;")
    assert result.table_name == "people"
    rows = sorted(connected.table("people").to_pylist(), key=lambda r: (r["id"] is None, r["id"]))
    assert rows == [{"id": 1, "name": "ann"}, {"id": 2, "name": None}, {"id": None, "name": "bo"}]
    assert connected.table("people").column_names == ["id", "name"]


DATABASE_ONLY = {  # a query only the database itself can answer
    "postgresql": ("SELECT g, current_database() AS d FROM generate_series(1, 3) AS g", "byzer_test"),
    "mysql": ("SELECT 1 AS g, DATABASE() AS d UNION ALL SELECT 2, DATABASE() UNION ALL SELECT 3, DATABASE()",
              "byzer_test"),
    "sqlite": ("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 3) "
               "SELECT g, typeof(g) || '/' || printf('%03d', g) AS d FROM s WHERE g = 2", "integer/002"),
}


def test_direct_query_runs_in_the_database(database, connected):
    query, expected = DATABASE_ONLY[database.kind]
    connected.execute(f"load jdbc.`db` where directQuery='''{query}''' as q;")
    table = connected.table("q")
    if database.kind == "sqlite":
        assert table.column("d").to_pylist() == [expected]
        return
    assert sorted(int(v) for v in table.column("g").to_pylist()) == [1, 2, 3]
    assert set(table.column("d").to_pylist()) == {expected}


def test_empty_results_keep_the_spark_types(database, connected):
    database.drop("empty")
    timestamp = "TIMESTAMP NULL" if database.kind == "mysql" else "TIMESTAMP"  # MariaDB: no auto default
    database.run(f"CREATE TABLE empty (id INTEGER, d DATE, ts {timestamp}, b BOOLEAN, n DECIMAL(10,2), v VARCHAR(10))")
    database.run("INSERT INTO empty VALUES (1, '2024-01-01', '2024-01-01 00:00:00', true, 1.5, 'a')")
    wanted = ["int", "date", "timestamp", "boolean", "decimal(10,2)", "string"]
    connected.execute("load jdbc.`db.empty` where directQuery='SELECT * FROM empty WHERE id > 5' as none;"
                      "load jdbc.`db.empty` where partitionColumn='id' and lowerBound='0' and "
                      "upperBound='9' and numPartitions='3' as parts;")
    database.run("DELETE FROM empty")
    connected.execute("load jdbc.`db.empty` as whole;")
    for name, rows in (("none", 0), ("parts", 1), ("whole", 0)):
        table = connected.table(name)
        assert [spark_type_name(f.type) for f in table.schema] == wanted and table.num_rows == rows, name


# --- every common type, NULLs included ------------------------------------------------------------
# (column, DDL type, SQL literal, expected value); a second row holds NULL everywhere.
D = Decimal
TS = dt.datetime
TYPES = {
    "postgresql": [
        ("i2", "smallint", "7", 7), ("i4", "integer", "-2147483648", -2147483648),
        ("i8", "bigint", "9223372036854775807", 9223372036854775807),
        ("n", "numeric(10,2)", "12345678.91", D("12345678.91")),
        ("nu", "numeric", "3.14159", D("3.141590000000000000")),
        ("r", "real", "1.5", 1.5), ("d", "double precision", "0.1", 0.1), ("b", "boolean", "true", True),
        ("c", "char(3)", "'ab'", "ab "), ("vc", "varchar(10)", "'héllo'", "héllo"),
        ("tx", "text", "'line\nbreak'", "line\nbreak"), ("by", "bytea", "'\\x00ff10'", b"\x00\xff\x10"),
        ("dt", "date", "'2024-02-29'", dt.date(2024, 2, 29)),
        ("ts", "timestamp", "'2024-01-02 03:04:05.123456'", TS(2024, 1, 2, 3, 4, 5, 123456)),
        ("tz", "timestamptz", "'2024-01-02 03:04:05+05:30'", TS(2024, 1, 1, 21, 34, 5)),
        ("tm", "time", "'12:34:56'", TS(1970, 1, 1, 12, 34, 56)),
        ("js", "json", "'{\"a\": 1}'", '{"a": 1}'),
        ("u", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ("ia", "integer[]", "'{1,2}'", [1, 2]), ("ta", "text[]", "'{\"a\",\"b c\"}'", ["a", "b c"]),
        ("na", "numeric(5,2)[]", "'{1.5,2.25}'", [D("1.50"), D("2.25")]),
    ],
    "mysql": [
        ("ti", "tinyint", "-5", -5), ("tu", "tinyint unsigned", "255", 255), ("t1", "tinyint(1)", "1", True),
        ("si", "smallint", "-32768", -32768), ("su", "smallint unsigned", "65535", 65535),
        ("mu", "mediumint unsigned", "16777215", 16777215), ("i", "int", "-2147483648", -2147483648),
        ("iu", "int unsigned", "4294967295", 4294967295), ("bi", "bigint", "9223372036854775807", 2 ** 63 - 1),
        ("bu", "bigint unsigned", "18446744073709551615", D("18446744073709551615")),
        ("de", "decimal(10,2)", "12345678.91", D("12345678.91")),
        ("dw", "decimal(30,5)", "1234567890123456789012345.5", D("1234567890123456789012345.50000")),
        ("f", "float", "1.5", 1.5), ("db", "double", "0.1", 0.1), ("b1", "bit(1)", "b'1'", True),
        ("bo", "bool", "true", True), ("ch", "char(3)", "'ab'", "ab"), ("vc", "varchar(10)", "'héllo'", "héllo"),
        ("tx", "text", "'line\\nbreak'", "line\nbreak"), ("bn", "binary(4)", "x'00ff10'", b"\x00\xff\x10\x00"),
        ("vb", "varbinary(10)", "x'00ff'", b"\x00\xff"), ("bl", "blob", "x'0102'", b"\x01\x02"),
        ("dt", "date", "'2024-02-29'", dt.date(2024, 2, 29)),
        ("dtm", "datetime(6)", "'2024-01-02 03:04:05.123456'", TS(2024, 1, 2, 3, 4, 5, 123456)),
        ("ts", "timestamp NULL", "'2024-01-02 03:04:05'", TS(2024, 1, 2, 3, 4, 5)),
        ("tm", "time", "'12:34:56'", TS(1970, 1, 1, 12, 34, 56)), ("yr", "year", "2024", dt.date(2024, 1, 1)),
        ("js", "json", "'{\"a\": 1}'", '{"a": 1}'),
        ("u", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ],
    "sqlite": [
        ("ig", "INTEGER", "-2147483648", -2147483648), ("i", "INT", "2147483648", 2147483648),
        ("bi", "BIGINT", "9223372036854775807", D("9223372036854775807")), ("si", "SMALLINT", "-32768", -32768),
        ("r", "REAL", "1.5", 1.5), ("db", "DOUBLE", "0.1", 0.1), ("f", "FLOAT", "1.5", 1.5),
        ("nm", "NUMERIC", "12", D("12.000000000000000000")),
        ("de", "DECIMAL(10,2)", "12345678.91", D("12345678.91")), ("tx", "TEXT", "'héllo'", "héllo"),
        ("vc", "VARCHAR(10)", "'longer than ten'", "longer than ten"), ("bl", "BLOB", "x'00ff10'", b"\x00\xff\x10"),
        ("b", "BOOLEAN", "1", True), ("dt", "DATE", "1709164800000", dt.date(2024, 2, 29)),
        ("ts", "TIMESTAMP", "1704164645123", TS(2024, 1, 2, 3, 4, 5, 123000)),
    ],
}


def test_every_common_type_round_trips_with_spark_types(database, connected):
    columns = TYPES[database.kind]
    database.drop("all_types")
    database.run(f"CREATE TABLE all_types (id INTEGER, {', '.join(f'{c} {t}' for c, t, _, _ in columns)})",
                 f"INSERT INTO all_types VALUES (1, {', '.join(v for _, _, v, _ in columns)})",
                 "INSERT INTO all_types (id) VALUES (2)")
    connected.execute("load jdbc.`db.all_types` as all_types;")
    table = connected.table("all_types").sort_by("id")
    assert table.column_names == ["id"] + [c for c, _, _, _ in columns]
    for name, ddl, _, expected in columns:
        spark = golden_spark_type(database.kind, ddl)
        assert (name, spark_type_name(table.schema.field(name).type)) == (name, spark)
        assert table.column(name).to_pylist() == [expected, None], name


# --- partitioned reads ------------------------------------------------------------------------------
def make_numbered(database, table="numbered"):
    """ids 1..100 (day d = 2024-01-01 + id - 1) and three rows whose id and day are NULL."""
    database.drop(table)
    database.run(f"CREATE TABLE {table} (id INTEGER, d DATE, v VARCHAR(10))")
    rows = [f"({i}, '{dt.date(2024, 1, 1) + dt.timedelta(days=i - 1)}', 'v{i}')" for i in range(1, 101)]
    database.run(f"INSERT INTO {table} VALUES {', '.join(rows)}, (NULL, NULL, 'n1'), (NULL, NULL, 'n2'), "
                 "(NULL, NULL, 'n3')")


def partitions(table) -> list[dict]:
    return json.loads(table.schema.metadata[PARTITIONS_KEY])


def test_partitioned_read_takes_every_row_in_spark_partitions(database, connected):
    make_numbered(database)
    connected.execute('load jdbc.`db.numbered` where partitionColumn="id" and lowerBound="10" '
                      'and upperBound="50" and numPartitions="4" and fetchsize="7" as p;')
    table = connected.table("p")
    assert sorted(table.column("v").to_pylist()) == sorted([f"v{i}" for i in range(1, 101)] + ["n1", "n2", "n3"])
    q = "`" if database.kind == "mysql" else '"'
    wheres = [f"{q}id{q} < 20 or {q}id{q} is null", f"{q}id{q} >= 20 AND {q}id{q} < 30",
              f"{q}id{q} >= 30 AND {q}id{q} < 40", f"{q}id{q} >= 40"]
    found = partitions(table)
    assert [p["where"] for p in found] == wheres
    assert [p["rows"] for p in found] == [database.count("numbered", w) for w in wheres] == [22, 10, 10, 61]


def test_partitioned_read_on_a_date_column(database, connected):
    make_numbered(database, "dated")
    connected.execute('load jdbc.`db.dated` where partitionColumn="d" and lowerBound="2024-01-10" '
                      'and upperBound="2024-02-19" and numPartitions="4" as p;')
    table = connected.table("p")
    assert table.num_rows == 103 and spark_type_name(table.schema.field("d").type) == "date"
    found = partitions(table)
    assert [p["rows"] for p in found] == [database.count("dated", p["where"]) for p in found] == [22, 10, 10, 61]
    assert "'2024-01-20'" in found[0]["where"] and found[-1]["where"].endswith(">= '2024-02-09'")
    assert sum(1 for d in table.column("d").to_pylist() if d is None) == 3


def test_pre_partition_array_gives_the_where_clauses(database, connected):
    make_numbered(database)
    connected.execute('load jdbc.`db.numbered` where prePtnArray="id <= 30,id > 30" as p;')
    table = connected.table("p")
    assert [(p["where"], p["rows"]) for p in partitions(table)] == [("id <= 30", 30), ("id > 30", 70)]
    assert table.num_rows == 100  # the NULL ids match neither clause, as in Byzer


def test_partitions_are_read_in_parallel(postgres_server, session):
    """Four partitions of a query that sleeps 1.5 s each take far less than 4 x 1.5 s."""
    database = Database("postgresql", server=postgres_server)
    make_numbered(database)
    session.execute(database.connect_statement("db"))
    began = time.monotonic()
    session.execute("load jdbc.`db` where directQuery='''SELECT n.id FROM numbered n CROSS JOIN "
                    "(SELECT pg_sleep(1.5)) s''' and partitionColumn='id' and lowerBound='10' and "
                    "upperBound='50' and numPartitions='4' as p;")
    assert session.table("p").num_rows == 103
    assert time.monotonic() - began < 4.5


def test_fetchsize_must_be_a_whole_number(database, connected):
    make_numbered(database)
    connected.execute('load jdbc.`db.numbered` where fetchsize="-2147483648" as ok;')
    assert connected.table("ok").num_rows == 103
    with pytest.raises(UsageError, match="fetchsize"):
        connected.execute('load jdbc.`db.numbered` where fetchsize="lots" as bad;')


def test_custom_schema_overrides_a_type(database, connected):
    make_numbered(database)
    connected.execute('load jdbc.`db.numbered` where customSchema="id DECIMAL(38, 0), v STRING" as c;')
    table = connected.table("c")
    assert spark_type_name(table.schema.field("id").type) == "decimal(38,0)"
    assert sorted(v for v in table.column("id").to_pylist() if v is not None)[:2] == [D(1), D(2)]


# --- an interrupted long load --------------------------------------------------------------------
SLOW = [  # MariaDB runs the first MySQL query already when it probes the result's columns
    ("postgresql", "SELECT pg_sleep(30) AS slept, 1 AS x"), ("mysql", "SELECT SLEEP(30) AS slept, 1 AS x"),
    ("mysql", "SELECT id, SLEEP(30) AS slept FROM numbered WHERE id = 1")]
RUNNING = {"postgresql": ("pg_stat_activity", "query"), "mysql": ("information_schema.processlist", "info")}


def running(database, view, column) -> int:
    return database.run(f"SELECT COUNT(*) FROM {view} WHERE LOWER({column}) LIKE '%sleep(30)%' "
                        f"AND {column} NOT LIKE '%{view}%'")[0][0]


@pytest.mark.parametrize("kind,query", SLOW, ids=["postgresql", "mysql-in_probe", "mysql-in_read"])
def test_interrupted_load_cancels_the_query_and_keeps_the_session(kind, query, request, session):
    """SIGINT to this process (what a kernel interrupt is) once the query runs in the database."""
    database = Database(kind, server=request.getfixturevalue(
        "postgres_server" if kind == "postgresql" else "mariadb_server"))
    view, column = RUNNING[kind]
    make_numbered(database)
    session.execute(database.connect_statement("db") + "\nload jdbc.`db.numbered` as before;")
    took = interrupt_once_running(
        lambda: running(database, view, column),
        lambda: session.execute(f"load jdbc.`db` where directQuery='''{query}''' as slow;"), 20)
    assert took < 25
    wait_until(lambda: running(database, view, column) == 0, 5, "the query cancelled in the database")
    assert session.table("before").num_rows == 103
    session.execute("load jdbc.`db.numbered` as after;")
    assert session.table("after").num_rows == 103 and "slow" not in session.catalog.names()
