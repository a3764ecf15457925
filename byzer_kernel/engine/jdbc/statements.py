"""`!jdbc db "sql"` and `run command as JDBC.`db` where ...` (docs/spec.md §3.8): statements that run
in the database itself, as Byzer's SQLJDBC ET (which `!jdbc` stands for) runs them.

The statements are Byzer's `driver-statement-0`, `driver-statement-1`, ... in number order, then
`sqls` split at its top-level `;`; with `sqlMode="query"`, `driver-statement-query` runs and its
rows are the result. All run in one transaction: a failure undoes them (where the database can
undo DDL) and names the statement. The result is the rows of the last statement that returned
rows, else one row per statement with the rows it changed.
"""
from __future__ import annotations

import re

import pyarrow as pa

from ...lang.errors import UsageError
from ...lang.statements import short_text
from ..formats.options import option
from .connections import resolve
from .dialects import dialect_for

_NUMBERED = re.compile(r"driver-statement-(\d+)$", re.IGNORECASE)
_SQLGLOT_DIALECT = {"postgresql": "postgres", "mysql": "mysql", "sqlite": "sqlite"}


def jdbc_command(session, statement, args, events):
    """`!jdbc db "statement" ["statement" ...]`."""
    if len(args) < 2:
        raise UsageError("usage: !jdbc <connection> \"<SQL statement>\" (e.g. !jdbc db \"create table t(a int)\")")
    table = run_statements(session, args[0], {"sqls": ";\n".join(args[1:])})
    return "jdbc_result", table


def run_statements(session, path: str, options: dict) -> pa.Table:
    target = resolve(session, path.strip("`"), options, table_required=False)
    dialect = dialect_for(target.url)
    texts = _statements(target.options, dialect.kind)
    if not texts:
        raise UsageError("JDBC: no statement to run (give driver-statement-0=\"...\" or sqls=\"...\")")
    connection = dialect.connect()
    try:
        return _run_all(dialect, connection, texts)
    finally:
        connection.close()


def _run_all(dialect, connection, texts: list[str]) -> pa.Table:
    result, changed = None, []
    cursor = connection.cursor()
    number = 0
    try:
        for number, text in enumerate(texts, start=1):
            cursor.execute(text)
            if cursor.description:
                result = _rows(cursor)
            changed.append(dialect.rows_changed(cursor))
        connection.commit()
    except Exception as error:
        connection.rollback()
        failure = dialect.failure(error, f"statement {number} of {len(texts)} (`{short_text(texts[number - 1], 60)}`)")
        if number > 1:
            failure.message += ("; the earlier statements were rolled back" if dialect.transactional_ddl
                                else "; the earlier statements were rolled back, except DDL, which MySQL "
                                "commits at once: earlier DDL statements stay")
        raise failure from None
    finally:
        cursor.close()
    if result is not None:
        return result
    return pa.table({"statement": pa.array([short_text(t, 120) for t in texts], pa.string()),
                     "rowsAffected": pa.array(changed, pa.int64())})


def _rows(cursor) -> pa.Table:
    """A statement's rows: ADBC gives Arrow (extension types as their storage), PyMySQL tuples."""
    if hasattr(cursor, "fetch_arrow_table"):
        table = cursor.fetch_arrow_table()
        columns = [c.cast(c.type.storage_type) if isinstance(c.type, pa.ExtensionType) else c
                   for c in table.columns]
        return pa.table(columns, names=table.column_names)
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return pa.table({name: pa.array([row[i] for row in rows]) for i, name in enumerate(names)})


def _statements(options: dict, kind: str) -> list[str]:
    if str(option(options, "sqlMode", "ddl")).lower() == "query":
        query = option(options, "driver-statement-query")
        if query is None:
            raise UsageError("JDBC with sqlMode=\"query\" needs driver-statement-query=\"select ...\"")
        return [str(query)]
    numbered = sorted((int(m.group(1)), value) for key, value in options.items()
                      if (m := _NUMBERED.match(str(key))))
    texts = [str(value) for _, value in numbered]
    sqls = option(options, "sqls")
    if sqls is not None:
        texts += split_statements(str(sqls), kind)
    return [t for t in (t.strip() for t in texts) if t]


def split_statements(text: str, kind: str) -> list[str]:
    """`text` cut at its top-level semicolons, read by sqlglot's tokenizer for the database's
    dialect (quotes, dollar quotes and comments keep theirs)."""
    from sqlglot.dialects.dialect import Dialect
    from sqlglot.tokens import TokenType

    tokens = Dialect.get_or_raise(_SQLGLOT_DIALECT[kind]).tokenize(text)
    pieces, start = [], 0
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            pieces.append(text[start:token.start])
            start = token.end + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]
