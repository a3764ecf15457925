"""The databases dev/jdbc_golden.py records against, as Spark sees them and as they see themselves.

`Database` holds what Spark's JDBC source needs (url, driver, user) and runs statements through the
same JDBC driver in the Spark JVM; `columns` and `values` ask the database itself (its catalog, its
own text for stored values) what a Spark write produced.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field

DRIVERS = {"postgresql": "org.postgresql.Driver", "mysql": "org.mariadb.jdbc.Driver",
           "mariadb": "org.mariadb.jdbc.Driver", "sqlite": "org.sqlite.JDBC"}
BINARY_TYPES = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}


@dataclass
class Database:
    name: str  # postgresql, mysql (MariaDB server, jdbc:mysql:// URL), mariadb (jdbc:mariadb://), sqlite
    url: str
    spark: object
    user: str | None = None
    password: str | None = None
    sqlite_path: str | None = None
    secrets: dict = field(default_factory=dict)  # text -> placeholder, kept out of recorded messages

    @property
    def driver(self) -> str:
        return DRIVERS[self.name]

    def options(self, url_params: str = "") -> dict:
        url = self.url + (("&" if "?" in self.url else "?") + url_params if url_params else "")
        found = {"url": url, "driver": self.driver}
        if self.user is not None:
            found.update(user=self.user, password=self.password)
        return found

    def reader(self, url_params: str = ""):
        return self.spark.read.format("jdbc").options(**self.options(url_params))

    def connect(self):
        jvm = self.spark._jvm
        properties = jvm.java.util.Properties()
        if self.user is not None:
            properties.setProperty("user", self.user)
            properties.setProperty("password", self.password)
        return jvm.java.sql.DriverManager.getConnection(self.url, properties)

    def execute(self, *statements: str) -> None:
        connection = self.connect()
        try:
            statement = connection.createStatement()
            for sql in statements:
                statement.execute(sql)
        finally:
            connection.close()

    def query(self, sql: str) -> list[list[str | None]]:
        """Rows as the driver's getString gives them."""
        connection = self.connect()
        try:
            results = connection.createStatement().executeQuery(sql)
            width = results.getMetaData().getColumnCount()
            rows = []
            while results.next():
                rows.append([results.getString(i) for i in range(1, width + 1)])
            return rows
        finally:
            connection.close()

    def result_metadata(self, sql: str) -> dict:
        """What the driver tells Spark about the first column of a query (Spark maps from this)."""
        connection = self.connect()
        try:
            meta = connection.createStatement().executeQuery(sql).getMetaData()
            code = meta.getColumnType(1)
            jvm = self.spark._jvm
            try:
                type_name = jvm.java.sql.JDBCType.valueOf(code).getName()
            except Exception:  # vendor codes outside java.sql.Types
                type_name = str(code)
            return {"type": type_name, "type_name": meta.getColumnTypeName(1),
                    "precision": meta.getPrecision(1), "scale": meta.getScale(1),
                    "signed": meta.isSigned(1), "class": meta.getColumnClassName(1)}
        finally:
            connection.close()

    def versions(self) -> dict:
        connection = self.connect()
        try:
            meta = connection.getMetaData()
            return {"driver": f"{meta.getDriverName()} {meta.getDriverVersion()}",
                    "server": f"{meta.getDatabaseProductName()} {meta.getDatabaseProductVersion()}"}
        finally:
            connection.close()

    def drop(self, table: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {table}")

    def columns(self, table: str) -> list[dict]:
        """The table's columns from the database's own catalog."""
        if self.name == "sqlite":
            with sqlite3.connect(self.sqlite_path) as db:
                return [{"name": name, "type": declared, "notnull": bool(notnull)}
                        for _, name, declared, notnull, _, _ in db.execute(f"PRAGMA table_info({table})")]
        if self.name == "postgresql":
            sql = ("select c.column_name, format_type(a.atttypid, a.atttypmod), c.data_type, "
                   "c.character_maximum_length, c.numeric_precision, c.numeric_scale, c.is_nullable "
                   "from information_schema.columns c join pg_attribute a on a.attrelid = "
                   "(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass "
                   f"and a.attname = c.column_name where c.table_name = '{table}' "
                   "and c.table_schema = current_schema() order by c.ordinal_position")
        else:
            sql = ("select column_name, column_type, data_type, character_maximum_length, "
                   "numeric_precision, numeric_scale, is_nullable from information_schema.columns "
                   f"where table_schema = database() and table_name = '{table}' order by ordinal_position")
        keys = ["name", "type", "data_type", "length", "precision", "scale", "nullable"]
        return [{k: (int(v) if k in ("length", "precision", "scale") and v is not None else v)
                 for k, v in zip(keys, row) if v is not None} for row in self.query(sql)]

    def values(self, table: str, column: dict) -> list:
        """Column v of the table in id order, as the database's own text (hex for binaries).

        SQLite gives [storage class, value] pairs: its columns keep whatever each value was stored as.
        """
        if self.name == "sqlite":
            with sqlite3.connect(self.sqlite_path) as db:
                return [[kind, value.hex() if isinstance(value, bytes) else value]
                        for kind, value in db.execute(f"select typeof(v), v from {table} order by id")]
        if self.name == "postgresql":
            sql = f"select coalesce(json_agg(v::text order by id), '[]')::text from {table}"
        else:
            kind = column.get("data_type")
            text = "hex(v)" if kind in BINARY_TYPES else "v + 0" if kind == "bit" else "cast(v as char)"
            sql = f"select coalesce(json_arrayagg({text} order by id), '[]') from {table}"
        return json.loads(self.query(sql)[0][0])

    def clean(self, text: str) -> str:
        for secret, placeholder in self.secrets.items():
            text = text.replace(secret, placeholder)
        return text


def failure(error: Exception, database: Database | None = None) -> dict:
    """The first line of a Spark or driver error, with its innermost cause."""
    java = getattr(error, "_origin", None) or getattr(error, "java_exception", None)
    if java is None:
        return {"kind": type(error).__name__, "message": first_line(str(error), database)}
    out = {"kind": java.getClass().getName(), "message": first_line(java.getMessage(), database)}
    root = java
    while root.getCause() is not None and not root.getCause().equals(root):
        root = root.getCause()
    if not root.equals(java):
        out["cause"] = {"kind": root.getClass().getName(), "message": first_line(root.getMessage(), database)}
    return out


def first_line(text: str | None, database: Database | None) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    # Job and task numbers depend on what ran before; they are not part of the answer.
    line = re.sub(r"stage \d+\.\d+", "stage N", line)
    line = re.sub(r"task \d+\.\d+", "task N", line)
    line = re.sub(r"TID \d+", "TID N", line)
    line = re.sub(r"Task \d+", "Task N", line)
    line = re.sub(r"\(\S+ executor driver\)", "(HOST executor driver)", line)
    line = re.sub(r"\(conn=\d+\) ", "", line)
    return (database.clean(line) if database else line)[:400]
