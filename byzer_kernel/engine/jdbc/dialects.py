"""The dialect of a database address."""
from __future__ import annotations

from .dialect import Dialect
from .mysql import MySQLDialect
from .postgres import PostgresDialect
from .sqlite import SQLiteDialect
from .urls import JdbcUrl

_BY_KIND = {d.kind: d for d in (PostgresDialect, MySQLDialect, SQLiteDialect)}


def dialect_for(url: JdbcUrl) -> Dialect:
    return _BY_KIND[url.kind](url)
