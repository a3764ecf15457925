"""Statement kind -> executor. Other layers extend a Session through `session.ets` and
`session.commands`, never by editing this table."""
from __future__ import annotations

from ..lang.errors import UnsupportedStatementError
from ..lang.statements import (CommandStatement, LoadStatement, PassthroughStatement, RunStatement,
                               SaveStatement, SelectStatement, SetStatement, Statement)


def _unsupported(session, statement: Statement, events):
    raise UnsupportedStatementError(f"not supported by the local engine: {statement.describe()}")


def executor_for(statement: Statement):
    from . import commands, load_save, run_statement, select_statement, set_statement

    table = {
        SetStatement: set_statement.execute_set,
        LoadStatement: load_save.execute_load,
        SaveStatement: load_save.execute_save,
        SelectStatement: select_statement.execute_select,
        RunStatement: run_statement.execute_run,
        CommandStatement: commands.execute_command,
        PassthroughStatement: _unsupported,
    }
    return table[type(statement)]


def register_builtin(session) -> None:
    from . import commands

    commands.register(session)
