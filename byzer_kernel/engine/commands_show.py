"""`!show ...`: what the session knows, in the tables Byzer's ShowCommand gives (docs/spec.md §10.2).

Byzer joins the arguments with `/` and splits them again, so `!show et Ray` and `!show "et/Ray"`
are one command; each path names a system table with Byzer's columns.
"""
from __future__ import annotations

import inspect

import pyarrow as pa

from ..lang.errors import UnsupportedStatementError, UsageError
from ..lang.secrets import MASK, is_secret_key, mask_values, shown_python_value
from ..lang.suggest import did_you_mean
from .result_tables import known_row_count

# The forms `!show commands` lists (Byzer's help lists its own, some of which need a cluster).
SHOW_FORMS = [
    "!show version;",
    "!show commands;",
    "!show tables;",
    "!show tables named [tableName];",
    "!show jobs;",
    '!show "jobs/[jobName or groupId]";',
    "!show datasources;",
    "!show et;",
    '!show "et/[ETName]";',
    '!show "et/params/[ETName]";',
    "!show functions;",
    '!show "function/[functionName]";',
    "!show conf;",
]
UNKNOWN = "Unknown"  # what Byzer's MLSQLVersion says of a build fact it cannot read


def show_command(session, statement, args, events):
    parts = [part for part in "/".join(args).split("/") if part]
    head = parts[0].lower() if parts else "commands"
    if head in ("commands", "help", "-help") and len(parts) <= 1:
        return "commands", pa.table({"command": pa.array(SHOW_FORMS, pa.string())})
    if head == "tables":
        return show_tables(session, parts[1:])
    if head == "jobs":
        from .commands_jobs import jobs_table

        return "jobs", jobs_table(session, parts[1] if len(parts) > 1 else None)
    if parts == ["et"]:
        return "et", et_table(session)
    if head == "et" and len(parts) == 2:
        return "et", et_example(session, parts[1])
    if head == "et" and len(parts) == 3 and parts[1] == "params":
        return "et", et_params(session, parts[2])
    if parts == ["functions"]:
        return "functions", pa.table({"function": pa.array(function_names(session), pa.string())})
    if head == "function" and len(parts) == 2:
        return "function", describe_function(parts[1], session)
    shown = {
        ("version",): version_table,
        ("datasources",): datasources_table,
        ("conf",): conf_table,
        ("conf", "list"): conf_table,
    }.get(tuple(p.lower() for p in parts))
    if shown is None:
        raise UnsupportedStatementError(f"not supported by the local engine: {statement.describe()} "
                                        "(`!show commands;` lists what !show shows)")
    return parts[0], shown(session)


def show_tables(session, rest: list):
    """Spark's SHOW TABLES columns (Byzer's ShowTablesExt), plus each table's size."""
    if rest and rest[0].lower() == "from":
        raise UnsupportedStatementError("!show tables from DATABASE: the local engine has no databases, "
                                        "only the session's tables (`!show tables;`)")
    if rest and (len(rest) != 2 or rest[0] != "named"):
        raise UsageError("usage: !show tables [named OUTPUT]")
    entries = list(session.catalog.items())
    table = pa.table({
        "namespace": pa.array([""] * len(entries), pa.string()),
        "tableName": pa.array([name for name, _ in entries], pa.string()),
        "isTemporary": pa.array([True] * len(entries), pa.bool_()),
        "numRows": pa.array([known_row_count(t) for _, t in entries], pa.int64()),  # null: not counted (Spark)
        "numColumns": pa.array([t.num_columns for _, t in entries], pa.int64()),
    })
    if rest:
        session.catalog.register(rest[1], table)
        return rest[1], table
    return "tables", table


def et_table(session) -> pa.Table:
    """Byzer's modelList: name, algType, sparkCompatibility, doc, docType; sorted by name. An ET
    (a callable in `session.ets`) may say more through its attributes `alg_type` and `doc_type`."""
    names = sorted(session.ets)
    ets = [session.ets[name] for name in names]
    return pa.table({
        "name": pa.array(names, pa.string()),
        "algType": pa.array([getattr(et, "alg_type", "undefined") for et in ets], pa.string()),
        "sparkCompatibility": pa.array([""] * len(ets), pa.string()),
        "doc": pa.array([et_doc(et) for et in ets], pa.string()),
        "docType": pa.array([getattr(et, "doc_type", "text") for et in ets], pa.string()),
    })


def et_example(session, name: str) -> pa.Table:
    """Byzer's modelExample: rows (name, value) for name, codeExample, codeType, doc, docType."""
    et = find_et(session, name)
    facts = [("name", name), ("codeExample", getattr(et, "code_example", "")), ("codeType", "sql"),
             ("doc", et_doc(et)), ("docType", getattr(et, "doc_type", "text"))]
    return pa.table({"name": [k for k, _ in facts], "value": [v for _, v in facts]})


def et_params(session, name: str) -> pa.Table:
    """Byzer's `!show "et/params/NAME"` (load modelParams.`NAME`): columns param, description,
    value, extra. An ET that declares no parameter list (another layer's callable) gives Byzer's
    answer for an ET without explainParams: no rows, columns param and description."""
    et = find_et(session, name)
    if hasattr(et, "params_table"):
        return et.params_table()
    return pa.table({"param": pa.array([], pa.string()), "description": pa.array([], pa.string())})


def find_et(session, name: str):
    et = session.ets.get(name[:1].upper() + name[1:])
    if et is None:
        known = ", ".join(sorted(session.ets)) or "none"
        suggestion = did_you_mean(name, session.ets)
        raise UsageError(f"no ET named `{name}`{'; ' + suggestion if suggestion else ''} (ETs: {known})")
    return et


def et_doc(et) -> str:
    """An engine ET's `doc`, else the docstring of the callable (another layer's ET)."""
    doc = getattr(et, "doc", "")
    return (doc if isinstance(doc, str) and doc else inspect.getdoc(et)) or ""


def function_names(session) -> list[str]:
    """Spark 3.3's functions (spark_functions.txt), those the local translation adds (the registry)
    and the session's `register ScriptUDF` functions."""
    from .sparksql import FUNCTIONS
    from .sparksql.engine_errors import spark_function_names

    return sorted(set(spark_function_names()) | set(FUNCTIONS) | set(session.functions.names()))


def describe_function(name: str, session) -> pa.Table:
    """Spark's DESCRIBE FUNCTION column `function_desc`; the local engine knows no usage texts."""
    from .sparksql import FUNCTIONS
    from .sparksql.engine_errors import spark_function_names

    key = name.lower()
    if key in {n.lower() for n in session.functions.names()}:
        lines = [f"Function: {name}", "Class: registered in this session (register ScriptUDF)",
                 "Usage: N/A."]
    elif key not in FUNCTIONS and key not in spark_function_names():
        lines = [f"Function: {name} not found."]
    else:
        how = ("translated by the local engine" if key in FUNCTIONS
               else "Spark's, run by DuckDB under the same name where DuckDB has it")
        lines = [f"Function: {key}", f"Class: {how}", "Usage: N/A."]
    return pa.table({"function_desc": pa.array(lines, pa.string())})


def version_table(session) -> pa.Table:
    """Byzer's VersionInfo columns; `core`, Spark's version there, is the engine underneath here."""
    import duckdb

    from .. import __version__

    values = {"version": __version__, "buildBy": UNKNOWN, "date": UNKNOWN, "srcChecksum": UNKNOWN,
              "revision": UNKNOWN, "branch": UNKNOWN, "url": UNKNOWN,
              "core": f"duckdb {duckdb.__version__}, pyarrow {pa.__version__}"}
    return pa.table({key: pa.array([value], pa.string()) for key, value in values.items()})


def datasources_table(session) -> pa.Table:
    from .formats import known_formats

    return pa.table({"name": pa.array(known_formats(), pa.string())})


def conf_table(session) -> pa.Table:
    """Byzer's conf/list columns (name, value, doc) for what configures this session: where paths
    resolve, who runs, `set ... where type="conf"` items and `!python conf` items (secrets masked)."""
    rows = [("BYZER_HOME", str(session.home), "where relative paths resolve"),
            ("owner", session.owner, "the user the session runs as (PY_EXECUTE_USER, OWNER)")]
    rows += [(k, MASK if is_secret_key(k) else mask_values(v, session.secret_values), 'set ... where type="conf"')
             for k, v in session.spark_conf.items()]
    rows += [(k, shown_python_value("conf", k, v), "!python conf") for k, v in session.python_conf.items()]
    return pa.table({column: pa.array([row[i] for row in rows], pa.string())
                     for i, column in enumerate(("name", "value", "doc"))})
