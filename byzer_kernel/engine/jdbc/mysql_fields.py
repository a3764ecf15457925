"""The column metadata PyMySQL received for a query. `cursor.description` leaves out the flags that
say UNSIGNED and the character set that tells BINARY from CHAR, which Spark's type mapping needs;
PyMySQL keeps them on its result's field list, a private attribute: read here only, and checked
by `check()` against a query whose answer is known (tests call it)."""
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


def check(connection) -> None:
    """Fails when PyMySQL no longer keeps its fields where describe_fields reads them."""
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT CAST(1 AS UNSIGNED) AS u, CAST('a' AS BINARY) AS b")
        fields = describe_fields(cursor)
    finally:
        cursor.close()
    assert [f.name for f in fields] == ["u", "b"], "PyMySQL's result fields moved"
    assert fields[0].flags & UNSIGNED and fields[1].charsetnr == 63, "PyMySQL's field flags changed"
