"""`!engine`: which engine runs the session's statements (docs/reference/spark-engine.md).

    !engine;                                     the engine in use, as a table
    !engine spark [where master="local[2]"];     Spark from the next statement that needs it
    !engine duckdb;                              the embedded engine (a running Spark stops)
"""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import UsageError
from .choice import SPARK

USAGE = 'usage: !engine [duckdb | spark [where master="local[*]|spark://HOST:PORT|yarn|k8s://URL|sc://HOST:PORT"]]'


def engine_command(session, statement, args, events):
    options = session.rendered_options(statement.options)
    unknown = [key for key in options if key != "master"]
    if len(args) > 1 or unknown or (options and not args):
        raise UsageError(USAGE)
    engine = session.spark
    if args:
        if options and args[0].strip().lower() != SPARK:
            raise UsageError(f"only spark takes a master ({USAGE})")
        lost = engine.choose(args[0], options.get("master"))
        if lost:
            events.message(f"Spark stopped; these Spark tables could not be kept: {', '.join(lost)}")
    return "engine", engine_table(engine)


def engine_table(engine) -> pa.Table:
    """One row: the engine, its master, and what the running Spark says of itself."""
    version = app_id = ui = None
    status = "embedded" if not engine.chosen else "starts at the first statement that needs it"
    if engine.chosen and engine.running:
        facts = engine.handle.application()
        version, app_id, ui = engine.handle.version, facts["app_id"], facts["ui"]
        status = "running (Spark Connect)" if engine.handle.connect else (
            "running (adopted: started before this session)" if engine.handle.adopted else "running")
    return pa.table({
        "engine": pa.array([engine.name]),
        "master": pa.array([engine.master if engine.chosen else None], pa.string()),
        "status": pa.array([status]),
        "spark_version": pa.array([version], pa.string()),
        "app_id": pa.array([app_id], pa.string()),
        "ui": pa.array([ui], pa.string()),
    })
