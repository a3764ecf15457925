"""Real Spark processes for the tests (helpers, not tests): a standalone cluster of one master and
two workers, and a Spark Connect server, all on 127.0.0.1 and all from the installed pyspark's own
jars and launcher (`pyspark/bin/spark-class`, which computes the JVM's module options and class
path and then replaces itself with the JVM, so the pid we hold is the JVM's).

Each process is a tests/server_process.py ServerProcess: a temp dir of its own (conf, logs, work
and local dirs), free ports (another port when one is taken before the JVM binds it: Spark's own
port retries are off, so the address we hand out is the one bound), a readiness deadline, and a
stop by pid, then by process group. A worker's executors and their Python workers are in the
worker's process group, so they end with it.

    with SparkStandaloneCluster() as cluster:
        cluster.master_url      # spark://127.0.0.1:PORT
        cluster.kill_worker(0)  # SIGKILL to the worker and its executors: a machine lost
        cluster.restore()       # back to two ALIVE workers (the master URL may change)

    with SparkConnectServer() as server:
        server.url              # sc://127.0.0.1:PORT (a local[2] Spark behind it)

Start-up cost: the fixtures in tests/conftest.py start each server once per test session, the
workers start side by side, and every JVM here runs with the JIT's first tier only and the serial
collector (LIGHT_JVM_OPTIONS), which halves the CPU a JVM spends starting (measured on 2 cores:
master + two workers 7 CPU-s instead of 14, the Connect server 4 instead of 8, a test driver's
executors 7 instead of 12): these JVMs run small test jobs, where the second JIT tier and parallel
GC threads cost more than they give.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from server_process import (HOST, START_DEADLINE_S, ServerProcess, ServerStartError,
                            _end_group_and_reap, _has_exited, free_port)

# Light JVM flags for processes that only coordinate (master, worker, the Connect server's
# driver for small test queries): the JIT's first tier and one GC thread start fastest.
LIGHT_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
DAEMON_MEMORY = "256m"
WORKER_MEMORY = "1g"       # what a worker offers its executors (an executor asks 512m–1g)
CONNECT_DRIVER_MEMORY = "768m"

# Spark's log4j2 configuration for our processes: INFO to stderr (the process's log file in its
# temp dir), in one plain layout whatever Spark's defaults are, so the readiness lines are there.
LOG4J2_PROPERTIES = """\
rootLogger.level = info
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex
logger.jetty.name = org.sparkproject.jetty
logger.jetty.level = warn
"""


def pyspark_home() -> Path:
    """The installed pyspark's directory, which is a Spark home (bin/, jars/), found without
    importing pyspark."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise ServerStartError("pyspark is not installed: pip install -e '.[test]' brings it "
                               "(the `spark` extra)")
    return Path(list(spec.submodule_search_locations)[0])


def driver_conf() -> dict[str, str]:
    """Spark conf for a test's own driver on these servers: loopback addresses, small memory, no
    UI, light JVMs for small jobs (not for benchmarks), and this interpreter for the Python
    workers (the default `python3` on PATH may lack pandas and pyarrow)."""
    return {
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
        "spark.driver.memory": "512m",
        "spark.executor.memory": "512m",
        "spark.driver.extraJavaOptions": LIGHT_JVM_OPTIONS,
        "spark.executor.extraJavaOptions": LIGHT_JVM_OPTIONS,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
    }


class _SparkProcess(ServerProcess):
    """One JVM started with pyspark's `spark-class`: the class and arguments come from
    _command(); the environment names our temp dirs and nothing of the caller's Spark setup."""

    port_taken_markers = ("Address already in use", "BindException")
    # The JVM's heap (-Xmx): spark-class takes it from SPARK_DAEMON_MEMORY for the master, the
    # worker and, like a Thrift server, the Connect server (over --driver-memory).
    heap = DAEMON_MEMORY

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _java_options(self) -> str:
        # spark-class gives these to the master, the worker and the Connect server's JVM.
        return f"{LIGHT_JVM_OPTIONS} -Dspark.port.maxRetries=0"

    def _initialise(self) -> None:
        assert self.temp_dir is not None
        for name in ("conf", "local", "logs"):
            (self.temp_dir / name).mkdir()
        (self.temp_dir / "conf" / "log4j2.properties").write_text(LOG4J2_PROPERTIES)

    def _environment(self) -> dict[str, str]:
        assert self.temp_dir is not None
        # The caller's SPARK_* and PYSPARK_* settings (SPARK_REMOTE, SPARK_CONNECT_MODE_ENABLED,
        # a SPARK_HOME of another Spark...) must not reach our JVMs.
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SPARK_", "PYSPARK_"))}
        env.update({
            "SPARK_HOME": str(pyspark_home()),
            "SPARK_CONF_DIR": str(self.temp_dir / "conf"),
            "SPARK_LOCAL_IP": HOST,
            "SPARK_LOCAL_DIRS": str(self.temp_dir / "local"),
            "SPARK_LOG_DIR": str(self.temp_dir / "logs"),
            "SPARK_DAEMON_MEMORY": self.heap,
            "SPARK_DAEMON_JAVA_OPTS": self._java_options(),
            "PYSPARK_PYTHON": sys.executable,
        })
        return env

    def _launch(self, log) -> subprocess.Popen:
        spark_class = pyspark_home() / "bin" / "spark-class"
        return subprocess.Popen(["bash", str(spark_class), *self._command()],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                cwd=str(self.temp_dir), env=self._environment(),
                                start_new_session=True)

    def is_running(self) -> bool:
        # Without reaping: the zombie keeps the pid, so stop() can still end the process group.
        return self.process is not None and not _has_exited(self.process)

    def kill(self) -> None:
        """SIGKILL to the process and its group (a worker's executors and their Python workers
        too), as when its machine is lost; then its temp dir goes."""
        if self.process is not None:
            _end_group_and_reap(self.process)
            self.process = None
        self.stop()


class SparkMaster(_SparkProcess):
    """The standalone master; its web UI serves the cluster's state as JSON."""

    name = "spark-master"

    def __init__(self) -> None:
        super().__init__()
        self.web_ui_port: Optional[int] = None

    @property
    def url(self) -> str:
        return f"spark://{HOST}:{self.port}"

    @property
    def web_ui_url(self) -> str:
        return f"http://{HOST}:{self.web_ui_port}"

    def _java_options(self) -> str:
        # No REST submission server: it would bind the fixed port 6066, which a second master
        # (a test's own cluster beside the shared one) cannot have.
        return f"{super()._java_options()} -Dspark.master.rest.enabled=false"

    def _command(self) -> list[str]:
        self.web_ui_port = free_port()
        return ["org.apache.spark.deploy.master.Master", "--host", HOST,
                "--port", str(self.port), "--webui-port", str(self.web_ui_port)]

    def state(self) -> dict:
        """The master's view: status, workers (id, host, port, state, cores...), applications."""
        with urllib.request.urlopen(f"{self.web_ui_url}/json/", timeout=5) as response:
            return json.load(response)

    def _is_ready(self) -> bool:
        try:
            return self.state().get("status") == "ALIVE"
        except (OSError, ValueError):
            return False


class SparkWorker(_SparkProcess):
    """A worker offering `cores` and `memory` to executors, registered with `master`; its work
    dir (one sub-dir per application and executor) is in its temp dir."""

    name = "spark-worker"

    def __init__(self, master: SparkMaster, cores: int = 1, memory: str = WORKER_MEMORY) -> None:
        super().__init__()
        self.master = master
        self.cores = cores
        self.memory = memory

    @property
    def work_dir(self) -> Path:
        assert self.temp_dir is not None
        return self.temp_dir / "work"

    def _command(self) -> list[str]:
        # Web UI on port 0: the kernel picks one, nobody needs to know it in advance.
        return ["org.apache.spark.deploy.worker.Worker", "--host", HOST, "--port", str(self.port),
                "--webui-port", "0", "--cores", str(self.cores), "--memory", self.memory,
                "--work-dir", str(self.work_dir), self.master.url]

    def master_entry(self) -> Optional[dict]:
        """This worker as the master lists it (matched by port), or None."""
        try:
            workers = self.master.state().get("workers", [])
        except (OSError, ValueError):
            return None
        return next((w for w in workers if w.get("port") == self.port and w.get("state") == "ALIVE"),
                    None)

    def _is_ready(self) -> bool:
        return self.master_entry() is not None


class SparkStandaloneCluster:
    """One master and `workers` workers of one core each on 127.0.0.1."""

    def __init__(self, workers: int = 2, worker_cores: int = 1,
                 worker_memory: str = WORKER_MEMORY) -> None:
        self.master = SparkMaster()
        self.workers = [SparkWorker(self.master, worker_cores, worker_memory)
                        for _ in range(workers)]

    @property
    def master_url(self) -> str:
        return self.master.url

    @property
    def web_ui_url(self) -> str:
        return self.master.web_ui_url

    @property
    def master_pid(self) -> Optional[int]:
        return self.master.pid

    @property
    def worker_pids(self) -> list[Optional[int]]:
        return [worker.pid for worker in self.workers]

    def start(self) -> "SparkStandaloneCluster":
        try:
            self.master.start()
            self._start_workers(self.workers)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.master.stop()

    def __enter__(self) -> "SparkStandaloneCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def alive_workers(self) -> list[dict]:
        """The workers the master lists as ALIVE (its JSON entries)."""
        return [w for w in self.master.state().get("workers", []) if w.get("state") == "ALIVE"]

    def active_applications(self) -> list[dict]:
        return list(self.master.state().get("activeapps", []))

    def kill_worker(self, index: int) -> None:
        """SIGKILL to worker `index` and its executors, as when its machine is lost. The master
        sees the connection drop and marks it DEAD; running tasks there are lost."""
        self.workers[index].kill()

    def kill_master(self) -> None:
        """SIGKILL to the master: the workers and running executors stay, but no new executors
        or applications can start."""
        self.master.kill()

    def is_whole(self) -> bool:
        return (self.master.is_running()
                and all(worker.is_running() for worker in self.workers)
                and len(self.alive_workers()) == len(self.workers))

    def restore(self) -> None:
        """Back to a whole cluster after kills: a lost master is started again (on a new port:
        read master_url again) with all its workers, a lost worker is started again."""
        if not self.master.is_running():
            for worker in self.workers:
                worker.stop()
            self.master.start()
            self._start_workers(self.workers)
            return
        self._start_workers([worker for worker in self.workers if not worker.is_running()])

    @staticmethod
    def _start_workers(workers: list[SparkWorker]) -> None:
        """Start the workers side by side: each JVM start is mostly single-threaded work."""
        if not workers:
            return
        with ThreadPoolExecutor(max_workers=len(workers)) as pool:
            for future in [pool.submit(worker.start) for worker in workers]:
                future.result()


class SparkConnectServer(_SparkProcess):
    """A Spark Connect server (gRPC on 127.0.0.1) whose Spark runs on `master` (local[2])."""

    name = "spark-connect"
    heap = CONNECT_DRIVER_MEMORY

    def __init__(self, master: str = "local[2]") -> None:
        super().__init__()
        self.master = master

    @property
    def url(self) -> str:
        return f"sc://{HOST}:{self.port}"

    def _command(self) -> list[str]:
        conf = {
            "spark.connect.grpc.binding.address": HOST,
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.connect.grpc.port.maxRetries": "0",
            "spark.port.maxRetries": "0",
            "spark.driver.host": HOST,
            "spark.driver.bindAddress": HOST,
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": "4",
            "spark.pyspark.python": sys.executable,
        }
        args = ["org.apache.spark.deploy.SparkSubmit", "--master", self.master,
                "--driver-memory", self.heap]
        for key, value in conf.items():
            args += ["--conf", f"{key}={value}"]
        return args + ["--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
                       "spark-internal"]

    def _is_ready(self) -> bool:
        # The server logs its address once its gRPC service is bound; the port is ours because
        # port retries are off, and the line is in our own log.
        tail = self.log_tail(200)
        return any("Spark Connect server started" in line and f":{self.port}" in line
                   for line in tail.splitlines())


def wait_for(condition, what: str, deadline_s: float = START_DEADLINE_S) -> None:
    """Poll `condition()` until it is true, or fail naming `what` after the deadline."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {deadline_s:.0f} s")
