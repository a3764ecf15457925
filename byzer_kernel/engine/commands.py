"""`!command` statements run by the engine: `!python conf|env`, `!assert`, `!desc` here; `!show`,
`!kill`, `!fs`, `!profiler`, the table commands and the charts (`!plot`, `!visualize`) in the
commands_*.py modules (docs/spec.md §10).

Names are looked up with their original case, as Byzer does (docs/spec.md §1.6); other layers add their own
commands to `session.commands` (the runtime adds `!ray`).
"""
from __future__ import annotations

import json
import re

import pyarrow as pa

from ..lang.errors import ByzerError, ByzerRuntimeError, UnsupportedStatementError, UsageError
from ..lang.secrets import shown_python_pair, shown_python_value
from ..lang.statements import CommandStatement, ValueKind
from ..lang.suggest import did_you_mean
from . import commands_delta, commands_tables
from .commands_fs import fs_command
from .commands_jobs import kill_command
from .commands_show import show_command
from .result_tables import row_count
from .spark.command import engine_command
from .types import spark_type_name

CONF_CATEGORY = {"conf": "python_runner_conf_cl", "env": "python_env_cl"}


def execute_command(session, statement: CommandStatement, events):
    handler = session.commands.get(statement.name)
    if handler is None:
        suggestion = did_you_mean(f"!{statement.name}", [f"!{name}" for name in session.commands])
        raise UnsupportedStatementError(f"not supported by the local engine: {statement.describe()}"
                                        + (f" ({suggestion})" if suggestion else ""))
    try:
        return handler(session, statement, command_args(session, statement), events)
    except ByzerError as error:
        if statement.name == "python" and not error.statement_text:
            # The headline would quote the statement as written, secret value included.
            error.statement_text = statement.describe()
        raise


def command_args(session, statement: CommandStatement) -> list[str]:
    """Quoted arguments are rendered then unquoted; raw token runs stay as written (docs/spec.md §5.1)."""
    return [session.render(arg.text) if arg.kind != ValueKind.NAME else arg.text for arg in statement.args]


def decode_env_value(value: str, variables) -> str:
    """Byzer's ScriptEnvDecode: in each space-separated token containing `:`, `:key` (the text after
    the first `:`) becomes the variable's value when such a variable exists (docs/spec.md §2.5)."""
    tokens = []
    for token in value.split(" "):
        if ":" in token:
            key = token.split(":", 1)[1]
            if key in variables:
                token = token.replace(":" + key, str(variables.get(key)))
        tokens.append(token)
    return " ".join(tokens)


def python_command(session, statement, args, events):
    if len(args) != 2 or args[0] not in CONF_CATEGORY:
        raise UnsupportedStatementError(
            f"not supported by the local engine: {statement.describe()} "
            "(supported: !python conf \"key=value\" and !python env \"KEY=VALUE\")")
    kind, pair = args
    decoded = decode_env_value(pair, session.variables)
    if "=" not in decoded:
        raise UsageError(f"!python {kind} expects \"key=value\", got \"{shown_python_pair(kind, decoded)}\"")
    key, value = decoded.split("=", 1)  # no trimming, as in Byzer
    if kind == "env":
        check_env_variable(key, value)
    store = session.python_conf if kind == "conf" else session.python_env
    store[key] = value
    return f"python_{kind}", conf_table(store, kind)


def check_env_variable(name: str, value: str) -> None:
    """Refuse what the OS cannot take as an environment variable: once stored, it would make every
    later Python run of the session fail (OSError 22) instead of this one statement."""
    if not name or "=" in name or "\x00" in name:
        raise ByzerRuntimeError(f"!python env: {json.dumps(name)} is not a valid environment variable name "
                                "(a name is not empty and holds no \"=\" and no NUL character)")
    if "\x00" in value:
        raise ByzerRuntimeError(f"!python env: the value of {name} holds a NUL character, which an "
                                "environment variable cannot hold")


def conf_table(store: dict, kind: str) -> pa.Table:
    """The session's `!python conf|env` settings as Byzer lists them, secret values masked."""
    config = json.dumps({"__mlsql_cl__": CONF_CATEGORY[kind]})
    return pa.table({
        "k": pa.array(list(store.keys()), pa.string()),
        "v": pa.array([shown_python_value(kind, k, v) for k, v in store.items()], pa.string()),
        "config": pa.array([config] * len(store), pa.string()),
    })


def assert_command(session, statement, args, events):
    """`!assert TABLE '''EXPR''' "message"`: every row must satisfy EXPR; `:col` names a column."""
    if len(args) not in (2, 3):
        raise UsageError("usage: !assert TABLE '''EXPR''' \"message\"")
    name, expression = args[0].strip("`"), args[1]
    message = args[2] if len(args) == 3 else ""
    table = session.catalog.get(name)  # as it is: a Spark table stays in Spark
    if table is None:
        raise session.catalog.not_found(name)
    condition = re.sub(r":([A-Za-z_][A-Za-z0-9_]*)", r"`\1`", expression)
    failed = session.sql(f"select count(*) as n from `{name}` where not coalesce(({condition}), false)")
    count = failed.column(0)[0].as_py()
    if count:
        total = row_count(table)
        raise ByzerRuntimeError(message or f"{count} of {total} rows of `{name}` fail `{expression}`")
    return name, table


def desc_command(session, statement, args, events):
    if len(args) != 1:
        raise UsageError("usage: !desc TABLE")
    schema = session.table_schema(args[0].strip("`"))
    return "desc", pa.table({
        "col_name": pa.array(schema.names, pa.string()),
        "data_type": pa.array([spark_type_name(f.type) for f in schema], pa.string()),
        "nullable": pa.array([f.nullable for f in schema], pa.bool_()),
    })


# What every Session starts with in `session.commands` (each Session gets its own copy to extend).
def profiler_command(session, statement, args, events):
    from .commands_profiler import profiler_command as profile  # loads DuckDB and sqlglot: on first use

    return profile(session, statement, args, events)


BUILTIN_COMMANDS = {
    "python": python_command,
    "assert": assert_command,
    "show": show_command,
    "desc": desc_command,
    "kill": kill_command,
    "lastCommand": commands_tables.last_command,
    "emptyTable": commands_tables.empty_table,
    "println": commands_tables.println,
    "tableRepartition": commands_tables.table_repartition,
    "cache": commands_tables.cache,
    "unCache": commands_tables.uncache,
    "uncache": commands_tables.uncache,  # Byzer knows both spellings
    "profiler": profiler_command,
    "fs": fs_command,
    "hdfs": fs_command,  # the same command in Byzer
    "delta": commands_delta.delta_command,
    "jdbc": lambda *args: _jdbc_command(*args),
    "plot": lambda *args: _plot_command(*args),
    "visualize": lambda *args: _visualize_command(*args),
    "engine": engine_command,
}


def _jdbc_command(session, statement, args, events):
    from .jdbc.statements import jdbc_command  # the database libraries load on first use
    return jdbc_command(session, statement, args, events)


def _plot_command(session, statement, args, events):
    from .commands_plot import plot_command  # charts load on first use (docs/reference/charts.md)
    return plot_command(session, statement, args, events)


def _visualize_command(session, statement, args, events):
    from .commands_visualize import visualize_command  # plotly.express loads on first use
    return visualize_command(session, statement, args, events)
