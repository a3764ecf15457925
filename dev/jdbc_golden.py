"""Records how Spark 3.3's JDBC source maps database types, for the project's JDBC reader and writer.

Re-record with `dev/record-jdbc-golden` (as root on Debian 12: it installs the JDBC driver jars and
the servers from Debian's packages, pyspark 3.3 and the test servers' client libraries in
.venv-spark, then runs this file). It starts a PostgreSQL 15 and a MariaDB server in temporary
directories on 127.0.0.1 (stopped at the end) with tests/db_servers.py, as the tests do, but with
server time zones far from UTC, and uses an SQLite file, with the JVM and Spark's session both in
UTC, and writes
tests/jdbc/golden_types.jsonl: one JSON object per line, keys sorted, every line with
`section`, `database` and `case`:

  * meta: versions of Spark, Java, drivers and servers, the servers' own time zones, the URLs.
  * read: table r_<case>(id int, v <ddl_type>) filled with `inserted` (SQL literals, id = 1, 2, ...);
    `jdbc` is what the driver reports for v (Spark maps from it), `spark_type` (simpleString) and
    `nullable` what Spark reads, `values` what it returns in id order (tagged as in
    dev/spark_golden.py: {"decimal": ...}, {"timestamp": ...}, {"binary": hex}, ...), or `error`.
    `url_params` marks a read with extra driver URL parameters.
  * direct_query: `dbtable` = "(<sql>) t"; `names`, `spark_types`, `rows`, or `error`.
  * write: a DataFrame (id int, v <spark_type>, `spark_nullable`) holding `written` saved with mode
    overwrite into a new table w_<case>; `db_column` is v in the database's catalog, `db_values` v as the database
    renders it (PostgreSQL v::text, MariaDB cast(v as char) / hex(v) / v+0 for bit, SQLite
    [typeof(v), v]), or `error`.
  * mode: save `mode` with `options` of a DataFrame (`frame_columns`, `rows_written`), mostly into
    an existing table m_<case> (`columns_before`/`columns_after` from the catalog,
    `rows_before`/`rows_after` via the driver's getString, ordered by the first two columns), and
    `error` where Spark or the database refused.
  * partition: a partitioned read (`options`); `partitions` lists each partition's WHERE clause
    (Spark's JDBCPartition.whereClause, null for none) and the keys k of the rows it read.

Databases: postgresql; mysql = the MariaDB server through MariaDB Connector/J with a jdbc:mysql://
URL (Spark picks its MySQL dialect, as for Byzer's usual URLs); mariadb = the same server and driver
with a jdbc:mariadb:// URL (Spark 3.3 has no dialect for it, and its generic one's double-quoted
names fail on MariaDB: recorded for a few cases only); sqlite (no dialect in Spark: the generic one).
The cases are in jdbc_golden_cases.py, the writes in jdbc_golden_writes.py.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ["TZ"] = "UTC"  # pyspark turns timestamps into the Python process's local time

from pyspark.sql import SparkSession  # noqa: E402

DEV = Path(__file__).resolve().parent
# tests/ is not a package: its server launcher is imported by path, as the tests import it.
sys.path[:0] = [str(DEV), str(DEV.parent / "tests")]
from db_servers import MariaDBServer, PostgresServer  # noqa: E402
from jdbc_golden_cases import DIRECT_QUERIES, MYSQL_URL_VARIANTS, READS, sampled  # noqa: E402
from jdbc_golden_db import Database, failure  # noqa: E402
from jdbc_golden_writes import mode_cases, partition_cases, write_cases  # noqa: E402
from spark_golden import canonical  # noqa: E402

OUT = DEV.parent / "tests" / "jdbc" / "golden_types.jsonl"
# Server zones far from UTC (and from each other), to show whether they leak into what Spark reads.
PG_SERVER_ZONE = "America/New_York"
MARIADB_SERVER_ZONE = "+08:00"
JARS = ["/usr/share/java/postgresql.jar", "/usr/share/java/mariadb-java-client.jar",
        "/usr/share/java/xerial-sqlite-jdbc.jar"]


def spark_session() -> SparkSession:
    classpath = ":".join(JARS)
    spark = (SparkSession.builder.master("local[2]").appName("byzer-jdbc-golden")
             .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.extraClassPath", classpath)
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("OFF")  # failed tasks are recorded, not logged
    return spark


def spark_schema(frame) -> list[tuple[str, str, bool]]:
    # From the JVM: pyspark 3.3 cannot parse every type name Spark may produce.
    return [(f.name(), f.dataType().simpleString(), f.nullable()) for f in frame._jdf.schema().fields()]


def read_cases(db: Database) -> list[dict]:
    records = []
    cases = READS[db.name]
    if db.name != "mariadb":  # the mariadb URL reads the tables the mysql pass made
        for case, ddl, literals in cases:
            table = f"r_{case}"
            db.drop(table)
            db.execute(f"CREATE TABLE {table} (id int, v {ddl})",
                       *[f"INSERT INTO {table} (id, v) VALUES ({i}, {value})"
                         for i, value in enumerate(literals, 1)])
    variants = [(case, "") for case, _, _ in cases if sampled(db.name, "read", case)]
    if db.name == "mysql":
        variants += MYSQL_URL_VARIANTS
    ddl_of = {case: (ddl, literals) for case, ddl, literals in cases}
    for case, params in variants:
        ddl, literals = ddl_of[case]
        table = f"r_{case}"
        record = {"section": "read", "database": db.name, "case": case, "ddl_type": ddl,
                  "inserted": literals,
                  "jdbc": db.result_metadata(f"SELECT v FROM {table} WHERE 1 = 0")}
        if params:
            record["url_params"] = params
        try:
            frame = db.reader(params).option("dbtable", table).load()
            (_, spark_type, nullable), = [f for f in spark_schema(frame) if f[0] == "v"]
            record.update(spark_type=spark_type, nullable=nullable)
            record["values"] = [canonical(row[0]) for row in frame.orderBy("id").select("v").collect()]
        except Exception as error:  # Spark's own refusal is the answer to record
            record["error"] = failure(error, db)
        records.append(record)
    return records


def direct_query_cases(db: Database) -> list[dict]:
    records = []
    for case, sql in DIRECT_QUERIES[db.name]:
        if not sampled(db.name, "direct_query", case):
            continue
        dbtable = f"({sql}) t"
        record = {"section": "direct_query", "database": db.name, "case": case, "dbtable": dbtable}
        try:
            frame = db.reader().option("dbtable", dbtable).load()
            schema = spark_schema(frame)
            record["names"] = [name for name, _, _ in schema]
            record["spark_types"] = [kind for _, kind, _ in schema]
            record["rows"] = [[canonical(value) for value in row] for row in frame.collect()]
        except Exception as error:
            record["error"] = failure(error, db)
        records.append(record)
    return records


def server_version(binary: Path | str) -> str:
    # mariadbd's answer starts with its argv[0]: the bare name keeps the machine's paths out of it.
    return subprocess.run([Path(binary).name, "--version"], executable=str(binary),
                          capture_output=True, text=True, check=True).stdout.strip()


def meta_record(spark, dbs: list[Database], servers: dict, zones: dict) -> dict:
    jvm = spark._jvm
    return {"section": "meta", "database": "all", "case": "versions", "spark": spark.version,
            "java": jvm.java.lang.System.getProperty("java.version"),
            "jvm_time_zone": jvm.java.util.TimeZone.getDefault().getID(),
            "session_time_zone": spark.conf.get("spark.sql.session.timeZone"),
            "server_time_zones": zones,
            "servers": servers,
            "databases": {db.name: {**db.versions(), "url": db.clean(db.url)} for db in dbs}}


def main() -> None:
    only = set(sys.argv[1:])  # section names, to re-run part of the recording while developing
    postgres = PostgresServer(time_zone=PG_SERVER_ZONE)
    mariadb = MariaDBServer(time_zone=MARIADB_SERVER_ZONE)
    sqlite_dir = Path(tempfile.mkdtemp(prefix="golden-sqlite-"))
    spark = None
    try:
        postgres.start()
        mariadb.start()
        spark = spark_session()
        sqlite_path = str(sqlite_dir / "golden.db")
        as_pg = {"spark": spark, "user": postgres.user, "password": postgres.password,
                 "secrets": {f":{postgres.port}/": ":PORT/"}}
        as_my = {"spark": spark, "user": mariadb.user, "password": mariadb.password,
                 "secrets": {f":{mariadb.port}/": ":PORT/", f":{mariadb.port}": ":PORT"}}
        # Not mariadb.jdbc_url: its characterEncoding/useSSL parameters are not what is recorded.
        my_url = f"{mariadb.host}:{mariadb.port}/{mariadb.database}"
        dbs = [Database("postgresql", postgres.jdbc_url, **as_pg),
               Database("mysql", f"jdbc:mysql://{my_url}", **as_my),
               Database("mariadb", f"jdbc:mariadb://{my_url}", **as_my),
               Database("sqlite", f"jdbc:sqlite:{sqlite_path}", spark=spark, sqlite_path=sqlite_path,
                        secrets={str(sqlite_dir): "TMP"})]
        servers = {"postgresql": server_version(postgres.bin_dir / "postgres"),
                   "mariadb": server_version(mariadb.server_binary)}
        zones = {"postgresql": postgres.time_zone, "mariadb": mariadb.time_zone}
        records = [meta_record(spark, dbs, servers, zones)]
        sections = {"read": read_cases, "direct_query": direct_query_cases, "write": write_cases,
                    "mode": mode_cases, "partition": partition_cases}
        for name, run in sections.items():
            for db in dbs:
                if not only or name in only or (name == "direct_query" and "read" in only):
                    found = run(db)
                    print(f"{name} {db.name}: {len(found)} records", file=sys.stderr)
                    records.extend(found)
        OUT.parent.mkdir(parents=True, exist_ok=True)
        with OUT.open("w") as out:
            for record in records:
                out.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
        print(f"{OUT}: {len(records)} records", file=sys.stderr)
    finally:
        if spark is not None:
            spark.stop()
        mariadb.stop()
        postgres.stop()
        shutil.rmtree(sqlite_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
