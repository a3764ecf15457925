"""Every use of pyspark's private parts, in one place (pyspark has no public API for them):

- the JVM's own objects: the Scala SparkContext behind a Python one (its status tracker sees
  executors; its scheduler counts task slots) and the py4j view of the JVM (a JDBC driver class on
  the classpath);
- the JVM's process: started with its output sent to a log file (in a kernel it would land in the
  cells), and ended when a context of ours stops (pyspark keeps it for the next context, which
  would then run with this one's settings);
- pyspark's records of the running context and session, cleared when that JVM died.

`self_check()` says which of them the installed pyspark lacks; tests/test_spark_internals.py
runs it, so a pyspark that moved them fails there first, by name.
"""
from __future__ import annotations

import inspect


def scala_context(context):
    """The JVM's SparkContext behind pyspark's `context`."""
    return context._jsc.sc()


def jvm(spark):
    """py4j's view of the JVM a classic SparkSession runs in."""
    return spark.sparkContext._jvm


def launch_jvm(spark_conf, log):
    """A py4j gateway to a new JVM configured by `spark_conf`, its stdout and stderr in `log`."""
    from pyspark.java_gateway import launch_gateway

    return launch_gateway(spark_conf, popen_kwargs={"stdout": log, "stderr": log})


def active_context():
    """The SparkContext running in this process, or None (pyspark's getOrCreate would start one)."""
    from pyspark import SparkContext

    return SparkContext._active_spark_context


def current_gateway():
    from pyspark import SparkContext

    return SparkContext._gateway


def end_jvm(gateway) -> None:
    """End the JVM of `gateway`: shut py4j down, close its stdin (the JVM exits then), and drop
    pyspark's record of it."""
    from pyspark import SparkContext

    if gateway is None:
        return
    try:
        gateway.shutdown()
    except Exception:  # a JVM that already died
        pass
    process = getattr(gateway, "proc", None)
    if process is not None:
        try:
            process.stdin.close()
            process.wait(timeout=10)
        except Exception:
            process.kill()
    if SparkContext._gateway is gateway:
        SparkContext._gateway = None
        SparkContext._jvm = None


def forget_context(context) -> None:
    """Clear pyspark's records of a context that ended, so the next start does not take it for a
    running one (a JVM that died leaves them set)."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    with SparkContext._lock:
        if SparkContext._active_spark_context is context:
            SparkContext._active_spark_context = None
    for session in (SparkSession._instantiatedSession, SparkSession._activeSession):
        if session is not None and session._sc is context:
            SparkSession._instantiatedSession = SparkSession._activeSession = None


def self_check() -> list[str]:
    """The private parts above that the installed pyspark does not have (empty when all are there).
    The JVM-side ones (`_jsc`, `_jvm` of a running context) are checked by the tests that run Spark."""
    from pyspark import SparkContext, java_gateway
    from pyspark.sql import SparkSession

    missing = [f"SparkContext.{name}" for name in ("_gateway", "_jvm", "_lock", "_active_spark_context")
               if not hasattr(SparkContext, name)]
    missing += [f"SparkSession.{name}" for name in ("_instantiatedSession", "_activeSession")
                if not hasattr(SparkSession, name)]
    launcher = getattr(java_gateway, "launch_gateway", None)
    if launcher is None or "popen_kwargs" not in inspect.signature(launcher).parameters:
        missing.append("pyspark.java_gateway.launch_gateway(conf, popen_kwargs=...)")
    return missing
