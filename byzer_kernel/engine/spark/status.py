"""What the cluster status view says about a session's Spark (docs/reference/progress.md, "The
cluster status"): a small dict of facts, read without starting Spark and never raising. The
runtime and the front-ends render it (widgets.py).

    None                                        the session's engine is duckdb
    {"started": False, "master"}                Spark is chosen and starts at the first statement
    {"started": True, "master", "version", "app_id", "ui", "connect",
     "executors": {"count", "cores", "memory"}, "errors": [...]}

Executors come from the Spark UI's REST API when the UI runs (cores and storage memory of each
live executor), else from the SparkContext's status tracker (memory only; the cores are Spark's
default parallelism). In local mode the driver is the one executor.
"""
from __future__ import annotations

import json
import urllib.request
from typing import Optional

from ...lang.errors import first_line
from .pyspark_internals import scala_context

REST_TIMEOUT_SECONDS = 3


def spark_facts(engine) -> Optional[dict]:
    if engine is None or not engine.chosen:
        return None
    handle = engine.handle
    if handle is None:
        return {"started": False, "master": engine.master}
    facts = {"started": True, "master": engine.master, "version": None, "app_id": None, "ui": None,
             "connect": handle.connect, "executors": None, "errors": []}
    try:
        facts["version"] = handle.version
        facts.update({key: value for key, value in handle.application().items() if value})
    except Exception as error:  # a Spark that went away still shows what the session knows
        facts["errors"].append(f"spark: {type(error).__name__}: {first_line(str(error), 200)}")
        return facts
    if handle.connect:
        return facts  # a Connect client sees no executors
    context = handle.spark.sparkContext
    local = str(facts["master"]).startswith("local")
    try:
        facts["executors"] = (_from_ui(facts["ui"], facts["app_id"], local) if facts["ui"] else None) \
            or _from_tracker(context, local)
    except Exception as error:
        facts["errors"].append(f"executors: {type(error).__name__}: {first_line(str(error), 200)}")
    return facts


def _from_ui(ui: str, app_id: str, local: bool) -> Optional[dict]:
    """Live executors from the UI's REST API; None when it does not answer (the tracker then)."""
    url = f"{ui.rstrip('/')}/api/v1/applications/{app_id}/executors"
    try:
        with urllib.request.urlopen(url, timeout=REST_TIMEOUT_SECONDS) as reply:
            executors = json.load(reply)
    except (OSError, ValueError):
        return None
    working = [e for e in executors if e.get("isActive", True) and (local or e.get("id") != "driver")]
    return {"count": len(working), "cores": sum(int(e.get("totalCores") or 0) for e in working),
            "memory": sum(float(e.get("maxMemory") or 0) for e in working)}


def _from_tracker(context, local: bool) -> dict:
    """The JVM's SparkStatusTracker lists the driver with the executors; the driver is the one
    whose block manager is the driver's own. In local mode the driver runs the tasks."""
    jvm_context = scala_context(context)
    infos = list(jvm_context.statusTracker().getExecutorInfos())
    if local:
        working = infos
    else:
        driver = jvm_context.env().blockManager().blockManagerId()
        working = [info for info in infos
                   if (info.host(), info.port()) != (driver.host(), driver.port())]
    memory = sum(float(info.totalOnHeapStorageMemory()) + float(info.totalOffHeapStorageMemory())
                 for info in working)
    return {"count": len(working), "cores": int(context.defaultParallelism), "memory": memory}
