"""`run command as JDBC.`db` where driver-statement-0="..."` (byzer-lang: SQLJDBC): statements run in
the database; the work is in engine/jdbc/statements.py, shared with `!jdbc`."""
from __future__ import annotations

import pyarrow as pa

from . import builtin_et
from .base import ET, Param


@builtin_et
class JDBC(ET):
    name = "JDBC"
    doc = ("Runs SQL statements in a database named by a `connect jdbc ... as db` (or url/driver/user/"
           "password options): driver-statement-0, driver-statement-1, ... in order, or `sqls` split at "
           "its semicolons; with sqlMode=\"query\", driver-statement-query's rows are the result.")
    alg_type = "process"
    code_example = 'run command as JDBC.`db` where `driver-statement-0`="create table t (a int)";'
    params = (Param("sqlMode", "ddl runs the statements; query returns driver-statement-query's rows",
                    default="ddl", values=("ddl", "query")),
              Param("sqls", "statements separated by ';'"),
              Param("driver-statement-[n]", "one statement, run in the order of n"))

    def checked(self, options: dict) -> dict:
        # The connection's options (url, driver, user, password, ...) and numbered statements are
        # open-ended, as in Byzer's SQLJDBC.
        return dict(options)

    def run(self, session, request, options, events) -> pa.Table:
        from ..jdbc.statements import run_statements

        return run_statements(session, request.path, options)

    train = run
