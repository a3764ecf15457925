"""Statement kind -> executor, built once; under the Spark engine, Spark's executors first
(engine/spark/statements.py). An executor runs one statement kind:
`(session, statement, events) -> (name, table)`, or None when the statement leaves no table.
Other layers extend a Session through `session.ets` and `session.commands`, never this table."""
from __future__ import annotations

from ..lang.errors import UnsupportedStatementError
from ..lang.statements import (CommandStatement, ConnectStatement, LoadStatement, PassthroughStatement, RegisterStatement,
                               RunStatement, SaveStatement, SelectStatement, SetStatement, Statement)
from .commands import execute_command
from .jdbc.connections import execute_connect
from .load_save import execute_load, execute_save
from .run_statement import execute_run
from .script_udf import execute_register
from .select_statement import execute_select
from .set_statement import execute_set


def _unsupported(session, statement: Statement, events):
    raise UnsupportedStatementError(f"not supported by the local engine: {statement.describe()}")


EXECUTORS = {
    SetStatement: execute_set,
    LoadStatement: execute_load,
    SaveStatement: execute_save,
    SelectStatement: execute_select,
    RunStatement: execute_run,
    CommandStatement: execute_command,
    PassthroughStatement: _unsupported,
    RegisterStatement: execute_register,
    ConnectStatement: execute_connect,
}


def executor_for(statement: Statement, engine: str = "duckdb"):
    """The executor of a statement under the session's engine: Spark's own where it has one
    (engine/spark/statements.py), else the shared one, the same on both engines."""
    if engine == "spark":
        from .spark.statements import SPARK_EXECUTORS  # loads no pyspark; only under Spark

        spark_executor = SPARK_EXECUTORS.get(type(statement))
        if spark_executor is not None:
            return spark_executor
    return EXECUTORS[type(statement)]
