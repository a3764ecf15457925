"""The two places where the MySQL dialect needs PyMySQL's private attributes, kept here and checked
by `check()` against a live connection (tests call it):

- the column metadata of a result: `cursor.description` leaves out the flags that say UNSIGNED and
  NOT NULL and the character set that tells BINARY from CHAR, which Spark's type mapping needs;
  PyMySQL keeps them on its result's field list;
- the read timeout: `read_timeout` bounds every read of a connection, the server's greeting
  included; `connect_timeout` bounds only the TCP connect. A connection is opened with a read
  timeout, so that a server that accepts but never greets fails in time, and loses it once the
  greeting is read, so that long statements may run.
"""
from __future__ import annotations

from pymysql.constants import FIELD_TYPE, FLAG

UNSIGNED = FLAG.UNSIGNED
NOT_NULL = FLAG.NOT_NULL
# FIELD_TYPE also names two codes twice (CHAR is TINY, INTERVAL is ENUM): the first names win.
field_codes = {value: name for name, value in vars(FIELD_TYPE).items()
               if name.isupper() and name not in ("CHAR", "INTERVAL")}


class Field:
    def __init__(self, name, type_code, flags, length, scale, charsetnr):
        self.name, self.type_code, self.flags = name, type_code, flags
        self.length, self.scale, self.charsetnr = length, scale, charsetnr


def describe_fields(cursor) -> list[Field]:
    result = getattr(cursor, "_result", None)
    fields = getattr(result, "fields", None) or []
    return [Field(f.name, f.type_code, f.flags, f.length, f.scale, f.charsetnr) for f in fields]


def without_read_timeout(connection):
    """`connection` with no bound on later reads (its greeting was read within the bound)."""
    connection._read_timeout = None
    return connection


def check(connection) -> None:
    """Fails when PyMySQL no longer keeps its fields or its read timeout where this module
    reads and writes them."""
    assert hasattr(connection, "_read_timeout"), "PyMySQL's read timeout moved"
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT CAST(1 AS UNSIGNED) AS u, CAST('a' AS BINARY) AS b")
        fields = describe_fields(cursor)
    finally:
        cursor.close()
    assert [f.name for f in fields] == ["u", "b"], "PyMySQL's result fields moved"
    assert fields[0].flags & UNSIGNED and fields[1].charsetnr == 63, "PyMySQL's field flags changed"
