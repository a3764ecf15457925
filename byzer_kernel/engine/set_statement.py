"""`set key = value [where type=... and mode=... and scope=... and visible=...]` (docs/spec.md §2.1-§2.3, §1.7).

A script's sets run twice, as in Byzer: once in the pre-process pass (`preprocess_sets`, before any
statement runs, so `!commands` see every variable) and again in order with the other statements.
"""
from __future__ import annotations

import datetime as _dt
import subprocess
from decimal import Decimal

from ..lang.errors import ByzerError, ByzerRuntimeError
from ..lang.statements import SetStatement
from ..lang.java_values import java_str

PREPROCESS, PHYSICAL = "preprocess", "physical"


def execute_set(session, statement: SetStatement, events) -> None:
    """Run a set in the physical pass; a set leaves no table behind (docs/spec.md §1.8)."""
    run_set(session, statement, PHYSICAL)
    if "type" in statement.options and session.render(statement.options["type"].text) == "conf":
        notice = session.spark.conf_changed(statement.key, session.spark_conf[statement.key])
        if notice:  # a Spark setting that waits for Spark's next start
            events.message(notice)
    return None


def preprocess_sets(session, statements) -> None:
    """The pre-process pass: every set of the script, in order, before anything runs (docs/spec.md §1.7)."""
    for statement in statements:
        if isinstance(statement, SetStatement):
            try:
                run_set(session, statement, PREPROCESS)
            except ByzerError as error:
                raise error.attach(statement)


def run_set(session, statement: SetStatement, stage: str) -> None:
    variables = session.variables
    options = session.rendered_options(statement.options)
    kind = options.get("type", "text")
    mode = options.get("mode", "runtime")
    key, command = statement.key, statement.value.text

    if kind == "sql":
        if mode == "compile" and stage == PHYSICAL and key in variables:
            return  # executed in the pre-process pass and not overwritten (docs/spec.md §2.2)
        if mode != "compile" and stage == PREPROCESS:
            value = ""  # a runtime sql set is empty until the statement itself runs
        else:
            value = _first_value(session.sql(session.render(command)))
    elif kind == "shell":
        value = _run_shell(session, session.render(command))
    elif kind == "conf":
        session.spark_conf[key] = session.render(command)
        value = ""
    elif kind == "defaultParam":
        if key in variables:
            return
        value = command
    else:  # text, and anything unknown, keep the value as written (rendered by the loop below)
        value = command

    variables.set(key, value, scope=options.get("scope", "request"), visible=options.get("visible", True))
    variables.rerender_all()


def _first_value(table) -> str:
    """First column of the first row as Spark's Row.get(0).toString shows it; "" when no row."""
    if table.num_rows == 0 or table.num_columns == 0:
        return ""
    value = table.column(0)[0].as_py()
    if value is None:
        return "null"
    if isinstance(value, _dt.datetime):  # java.sql.Timestamp: 2024-01-02 03:04:05.0
        fraction = f"{value.microsecond:06d}".rstrip("0") or "0"
        return value.strftime("%Y-%m-%d %H:%M:%S") + "." + fraction
    if isinstance(value, Decimal):
        return str(value)
    return java_str(value)


def _run_shell(session, command: str) -> str:
    cwd = session.home
    try:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                              cwd=str(cwd) if cwd and cwd.is_dir() else None)
    except OSError as error:
        raise ByzerRuntimeError(f"cannot run the shell command: {error}") from error
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip() or "no output"
        raise ByzerRuntimeError(f"shell command failed with exit code {done.returncode}: {detail}")
    return done.stdout.strip()
