"""Starting and stopping Spark for a session (docs/reference/spark-engine.md): what must be there
before a JVM is launched (pyspark, a Java runtime, a master that answers), the SparkSession
itself (one Spark application per process, shared by the process's Sessions, each with a
SparkSession of its own), and Spark Connect sessions, which need neither a JVM nor a context."""
from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any, Optional

from ...lang.errors import SparkUnavailableError
from .choice import is_connect, is_local, probe_addresses
from .cluster_managers import resource_managers
from .conf import apply_runtime
from .pyspark_internals import active_context, current_gateway, end_jvm, forget_context, launch_jvm
from .watch import forget, watch

PROBE_DEADLINE_SECONDS = 20.0  # a master that does not answer fails well within 30 s
JAVA_HINT = ("install a Java 17 runtime (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`) "
             "or set JAVA_HOME to one; a Spark Connect server (`!engine spark where master=\"sc://HOST:PORT\"`) "
             "needs no local Java")

_lock = threading.Lock()
# SparkContexts of this process -> how many Sessions use them and whether we started them.
_contexts: dict[int, "_ContextUse"] = {}


@dataclass
class _ContextUse:
    context: Any
    users: int
    started_here: bool
    log_path: Optional[str]


@dataclass
class SparkHandle:
    """A Session's Spark: its own SparkSession, on a context it may share with other Sessions."""

    spark: Any
    master: str
    connect: bool
    adopted: bool  # a Spark application already running in this process, not started for us
    log_path: Optional[str] = None

    @property
    def version(self) -> str:
        return self.spark.version

    def application(self) -> dict:
        """Master, app id and UI link as far as the kind of session can tell."""
        if self.connect:
            return {"master": self.master, "app_id": None, "ui": None}
        context = self.spark.sparkContext
        return {"master": context.master, "app_id": context.applicationId, "ui": context.uiWebUrl}


def import_pyspark():
    """pyspark, imported quietly: it warns, at import and at each conversion, about pandas versions
    it has not been tested with, in the cell's output."""
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession  # noqa: F401
    except ImportError as error:
        raise SparkUnavailableError(
            f"the Spark engine needs pyspark, which is not installed ({error}): "
            "pip install 'byzer_kernel[spark]'") from None
    _quiet_pyspark_loggers()
    return pyspark


def _quiet_pyspark_loggers() -> None:
    """pyspark logs every failed query as JSON to the Python process's stderr, which in a kernel is
    the cell's output; the session reports the failure itself."""
    from pyspark.logger import PySparkLogger

    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True
    logging.getLogger("py4j").setLevel(logging.ERROR)
    root = logging.getLogger()
    if not any(isinstance(f, _InterruptedCallRecord) for f in root.filters):
        root.addFilter(_InterruptedCallRecord())


class _InterruptedCallRecord(logging.Filter):
    """py4j logs a traceback on the root logger when an interrupt cuts a call short; the cell
    shows the interrupt itself (interrupts.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.module == "java_gateway" and record.msg == "KeyboardInterrupt while sending command.")


def find_java() -> str:
    """The java Spark's launcher will run: JAVA_HOME's, else the first on PATH."""
    home = os.environ.get("JAVA_HOME", "").strip()
    if home:
        java = os.path.join(home, "bin", "java")
        if os.access(java, os.X_OK):
            return java
        raise SparkUnavailableError(f"JAVA_HOME is {home}, which holds no bin/java: {JAVA_HINT}")
    java = shutil.which("java")
    if java is None:
        raise SparkUnavailableError(f"Spark needs a Java runtime and none was found on PATH: {JAVA_HINT}")
    return java


def probe_master(master: str, deadline_seconds: float = PROBE_DEADLINE_SECONDS) -> None:
    """Fail within the deadline, naming the master, when none of its host:port pairs takes a TCP
    connection (Spark itself would retry for a minute or more): a standalone master, a Connect
    server, YARN's ResourceManager (from the Hadoop configuration, which yarn cannot do without),
    a Kubernetes API server."""
    pairs, source = probe_addresses(master), ""
    if master == "yarn":
        pairs, where = resource_managers()
        source = f"its ResourceManager, from {where}: "
    elif master.startswith("k8s://"):
        source = "its Kubernetes API server: "
    if not pairs:
        return
    deadline = time.monotonic() + deadline_seconds
    reasons = []
    for host, port in pairs:
        left = deadline - time.monotonic()
        if left <= 0:
            reasons.append(f"{host}:{port}: no answer in {deadline_seconds:.0f} s")
            continue
        try:
            with socket.create_connection((host, port), timeout=min(left, 10.0)):
                return
        except OSError as error:
            reasons.append(f"{host}:{port}: {error.strerror or error}")
    what = "Spark Connect server" if is_connect(master) else "Spark master"
    raise SparkUnavailableError(f"the {what} {master} does not answer ({source}{'; '.join(reasons)}): start it, "
                                "or choose another master (`!engine spark where master=\"local[*]\"`)")


def start(master: str, conf: dict[str, str]) -> SparkHandle:
    """A SparkSession of its own for one byzer Session on `master`: a Spark Connect session, or a
    new session on the process's SparkContext (started here when none runs). All of `conf` goes to
    a context started here; what a session can set (SQL settings) to the new session in every case."""
    import_pyspark()
    probe_master(master)
    if is_connect(master):
        return _connect(master, conf)
    with _lock:
        context = active_context()
        adopted = context is not None
        if context is None:
            find_java()
            context, log_path = _start_context(master, conf)
            _contexts[id(context)] = _ContextUse(context, 0, True, log_path)
        use = _contexts.setdefault(id(context), _ContextUse(context, 0, False, None))
        use.users += 1
        watch(context)  # a standalone cluster lost mid-statement must not hang it (watch.py)
    from pyspark.sql import SparkSession

    spark = SparkSession(context).newSession()
    apply_runtime(spark, conf)
    return SparkHandle(spark, context.master, connect=False, adopted=adopted and not use.started_here,
                       log_path=use.log_path)


def _start_context(master: str, conf: dict[str, str]):
    """A SparkContext whose JVM writes its output to a log file: in a kernel, the JVM's stdout and
    stderr would otherwise land in the cells."""
    from pyspark import SparkConf, SparkContext

    spark_conf = SparkConf(loadDefaults=False).setMaster(master).setAppName("byzer_kernel")
    for key, value in conf.items():
        spark_conf.set(key, value)
    log = tempfile.NamedTemporaryFile(prefix="byzer-spark-", suffix=".log", delete=False)
    try:
        gateway = launch_jvm(spark_conf, log)
    except Exception as error:
        log.close()
        raise SparkUnavailableError(f"Spark did not start on {master}: {_first_line(error)} "
                                    f"(Spark's output: {log.name})") from None
    log.close()
    try:
        context = SparkContext(conf=spark_conf, gateway=gateway)
    except Exception as error:
        end_jvm(gateway)
        raise SparkUnavailableError(f"Spark did not start on {master}: {_first_line(error)} "
                                    f"(Spark's log: {log.name})") from None
    context.setLogLevel("ERROR")
    if conf.get("spark.pyspark.python"):
        # Spark's launcher (spark-submit) makes this conf the workers' Python, before
        # PYSPARK_PYTHON; a context started from Python reads only PYSPARK_PYTHON (else `python3`).
        context.pythonExec = conf["spark.pyspark.python"]
    elif is_local(master) and not os.environ.get("PYSPARK_PYTHON") and "spark.pyspark.python" not in conf:
        # A local Spark's Python workers (registered functions) run in the kernel's own Python,
        # which has byzer_kernel and pyarrow; pyspark would otherwise run `python3` from PATH.
        context.pythonExec = sys.executable
    return context, log.name


def _connect(master: str, conf: dict[str, str]) -> SparkHandle:
    from pyspark.sql import SparkSession

    # Creating a Connect session marks the whole process as "Connect mode" through an environment
    # variable, after which pyspark refuses classic sessions; the session works without it.
    saved = os.environ.get("SPARK_CONNECT_MODE_ENABLED")
    try:
        spark = SparkSession.builder.remote(master).create()
    except Exception as error:
        raise SparkUnavailableError(f"cannot open a Spark Connect session on {master}: {_first_line(error)}") from None
    finally:
        if saved is None:
            os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
        else:
            os.environ["SPARK_CONNECT_MODE_ENABLED"] = saved
    apply_runtime(spark, conf)
    return SparkHandle(spark, master, connect=True, adopted=False)


def stop(handle: SparkHandle) -> None:
    """Leave Spark: a Connect session closes; a context started here stops with its last user."""
    if handle.connect:
        handle.spark.stop()
        return
    with _lock:
        context = handle.spark.sparkContext
        use = _contexts.get(id(context))
        if use is None:
            return
        use.users -= 1
        if use.users > 0:
            return
        del _contexts[id(context)]
        forget(context)
        if use.started_here:
            gateway = current_gateway()
            try:
                handle.spark.stop()  # the context, and pyspark's record of its default session
            except Exception:  # a JVM that died: pyspark's records of it are cleared below
                pass
            finally:
                end_jvm(gateway)
                forget_context(context)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)[:300]
