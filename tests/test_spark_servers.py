"""The tests' own Spark processes (tests/spark_servers.py), checked with plain pyspark: a job on the
standalone cluster runs tasks on both workers, a Spark Connect session runs SQL and Python, the
kill helpers lose what a lost machine loses, and stopping leaves no process behind.

pyspark drivers and Connect clients run in subprocesses of their own: a classic driver holds the
one SparkContext a process may have, and a Connect session marks its whole process as
Connect-only, so neither may touch the test process that other Spark tests share."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
from spark_servers import (SparkConnectServer, SparkStandaloneCluster, driver_conf, wait_for)

# A classic pyspark driver: waits until `executors` executors have registered, runs one task per
# executor, prints what it saw as one JSON line, then waits for a line on stdin before stopping.
DRIVER_SCRIPT = r"""
import json, os, sys, time
from pyspark import SparkConf, SparkContext

master, executors, conf = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
spark_conf = SparkConf(loadDefaults=False).setMaster(master).setAppName("spark-servers-test")
for key, value in conf.items():
    spark_conf.set(key, value)
sc = SparkContext(conf=spark_conf)
sc.setLogLevel("WARN")
jsc = sc._jsc.sc()

def executor_ids():
    return list(sc._jvm.scala.jdk.javaapi.CollectionConverters.asJava(jsc.getExecutorIds()))

deadline = time.monotonic() + 90
while len(executor_ids()) < executors and time.monotonic() < deadline:
    time.sleep(0.1)
task_dirs = sc.parallelize(range(executors), executors).map(lambda _: os.getcwd()).collect()
# The block managers' addresses: the driver's and one per executor.
addresses = [f"{i.host()}:{i.port()}" for i in jsc.statusTracker().getExecutorInfos()]
print(json.dumps({"app_id": sc.applicationId, "executor_ids": executor_ids(),
                  "block_managers": addresses, "task_dirs": task_dirs}), flush=True)
sys.stdin.readline()
sc.stop()
"""

# A Spark Connect client: SQL that shuffles, and a pandas UDF that runs in the server's Python.
CONNECT_SCRIPT = r"""
import json, sys, warnings
warnings.simplefilter("ignore", FutureWarning)
import pandas as pd
from pyspark.sql import SparkSession
from pyspark.sql.functions import pandas_udf

spark = SparkSession.builder.remote(sys.argv[1]).create()
groups = spark.sql("select id % 3 as k, count(*) as n, sum(id) as total from range(100) "
                   "group by id % 3 order by k").collect()

@pandas_udf("long")
def plus_one(values: pd.Series) -> pd.Series:
    return values + 1

plus = [row[0] for row in spark.range(3).select(plus_one("id")).collect()]
print(json.dumps({"version": spark.version, "groups": [list(row) for row in groups],
                  "plus_one": plus}), flush=True)
spark.stop()
"""

DRIVER_DEADLINE_S = 180.0


class Driver:
    """A pyspark driver subprocess (in a process group of its own) with its stderr in a file."""

    def __init__(self, master: str, executors: int, log_path: Path) -> None:
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", DRIVER_SCRIPT, master, str(executors),
                 json.dumps(driver_conf())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                start_new_session=True, env=_env_without_spark())

    def report(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=60)
            raise AssertionError(f"the driver ended with code {self.process.returncode}:\n"
                                 f"{_tail(self.log_path)}")
        return json.loads(line)

    def finish(self) -> None:
        """Let the driver stop its SparkContext and exit."""
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        assert self.process.wait(timeout=DRIVER_DEADLINE_S) == 0, _tail(self.log_path)

    def kill(self) -> None:
        """End the driver and its JVM (its master may be gone, so no clean stop)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)


def _env_without_spark() -> dict[str, str]:
    return {key: value for key, value in os.environ.items()
            if not key.startswith(("SPARK_", "PYSPARK_"))}


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def processes_of(group_id: int) -> list[psutil.Process]:
    """Every live process of a process group and everything they started: a worker's JVM, the
    executors it started and their Python daemons (which move to process groups of their own),
    even those re-parented after their parent died."""
    found: dict[int, psutil.Process] = {}
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == group_id:
                found[process.pid] = process
                for child in process.children(recursive=True):
                    found[child.pid] = child
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return [process for process in found.values() if _alive(process)]


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_for_end(processes: list[psutil.Process], what: str) -> None:
    wait_for(lambda: not any(_alive(p) for p in processes), what)


def is_python_worker(process: psutil.Process) -> bool:
    return any("pyspark.daemon" in part or "pyspark.worker" in part for part in process.cmdline())


def worker_of(cluster: SparkStandaloneCluster, task_dir: str) -> int:
    """Which worker ran a task: a task's working dir is <worker work dir>/<app id>/<executor id>."""
    for index, worker in enumerate(cluster.workers):
        if Path(task_dir).parent.parent == worker.work_dir:
            return index
    raise AssertionError(f"{task_dir} is in no worker's work dir")


def test_standalone_cluster_has_two_one_core_workers(spark_standalone):
    state = spark_standalone.master.state()
    assert state["url"] == spark_standalone.master_url
    assert spark_standalone.master_url.startswith("spark://127.0.0.1:")
    assert spark_standalone.web_ui_url.startswith("http://127.0.0.1:")
    workers = [w for w in state["workers"] if w["state"] == "ALIVE"]
    assert sorted(w["port"] for w in workers) == sorted(w.port for w in spark_standalone.workers)
    assert all(w["host"] == "127.0.0.1" and w["cores"] == 1 and w["memory"] == 1024
               for w in workers)
    assert len(set(spark_standalone.worker_pids)) == 2


def test_a_job_runs_tasks_on_both_workers(spark_standalone, tmp_path):
    driver = Driver(spark_standalone.master_url, executors=2, log_path=tmp_path / "driver.log")
    try:
        seen = driver.report()
        apps = spark_standalone.active_applications()
        assert [(a["id"], a["cores"]) for a in apps] == [(seen["app_id"], 2)]
        driver.finish()
    finally:
        driver.kill()
    # The driver's block manager and one per executor, all on the loopback address.
    assert len(set(seen["block_managers"])) == 3
    assert all(address.startswith("127.0.0.1:") for address in seen["block_managers"])
    assert sorted(worker_of(spark_standalone, d) for d in seen["task_dirs"]) == [0, 1]
    # One executor per worker, each with its own id (the last part of the task's dir).
    assert sorted(Path(d).name for d in seen["task_dirs"]) == sorted(seen["executor_ids"])
    assert len(set(seen["executor_ids"])) == 2
    assert {Path(d).parent.name for d in seen["task_dirs"]} == {seen["app_id"]}
    wait_for(lambda: not spark_standalone.active_applications(), "the application's end")


def test_spark_connect_runs_sql_and_python(spark_connect):
    assert spark_connect.startswith("sc://127.0.0.1:")
    done = subprocess.run([sys.executable, "-c", CONNECT_SCRIPT, spark_connect],
                          capture_output=True, text=True, timeout=DRIVER_DEADLINE_S,
                          env=_env_without_spark())
    assert done.returncode == 0, done.stderr[-4000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["groups"] == [[0, 34, 1683], [1, 33, 1617], [2, 33, 1650]]
    assert seen["plus_one"] == [1, 2, 3]
    import pyspark

    assert seen["version"] == pyspark.__version__


def test_kill_worker_loses_its_executors_and_restore_brings_it_back(breakable_spark_standalone,
                                                                    tmp_path):
    cluster = breakable_spark_standalone
    driver = Driver(cluster.master_url, executors=2, log_path=tmp_path / "driver.log")
    try:
        driver.report()
        lost = cluster.workers[0]
        lost_pid, lost_port = lost.pid, lost.port
        started = processes_of(lost_pid)
        # The worker's JVM, the executor JVM it started for the driver, and that executor's
        # Python daemon.
        assert [p.name() for p in started].count("java") == 2, started
        assert any(is_python_worker(p) for p in started), started
        cluster.kill_worker(0)
        wait_for_end(started, "the end of the lost worker's processes")
        wait_for(lambda: [w["port"] for w in cluster.alive_workers()] == [cluster.workers[1].port],
                 "the master seeing one worker left")
    finally:
        driver.kill()
    cluster.restore()
    assert cluster.is_whole()
    assert cluster.workers[0].pid != lost_pid
    assert lost_port not in [w["port"] for w in cluster.alive_workers()]


def test_kill_master_leaves_workers_and_restore_starts_a_new_master(breakable_spark_standalone):
    cluster = breakable_spark_standalone
    master_pid, old_url = cluster.master_pid, cluster.master_url
    worker_pids = cluster.worker_pids
    started = processes_of(master_pid)
    cluster.kill_master()
    wait_for_end(started, "the end of the master's processes")
    assert all(psutil.pid_exists(pid) for pid in worker_pids)
    cluster.restore()
    assert cluster.is_whole()
    assert cluster.master_pid != master_pid
    assert cluster.master.state()["url"] == cluster.master_url
    assert cluster.master_url != old_url or cluster.worker_pids != worker_pids


def test_stopping_leaves_no_process(tmp_path):
    """A cluster stopped while an application holds an executor, and a Connect server stopped
    after running Python: nothing of either is left, nor their temp dirs."""
    cluster = SparkStandaloneCluster(workers=1)
    connect = SparkConnectServer()
    driver = None
    try:
        cluster.start()
        connect.start()
        driver = Driver(cluster.master_url, executors=1, log_path=tmp_path / "driver.log")
        driver.report()
        done = subprocess.run([sys.executable, "-c", CONNECT_SCRIPT, connect.url],
                              capture_output=True, text=True, timeout=DRIVER_DEADLINE_S,
                              env=_env_without_spark())
        assert done.returncode == 0, done.stderr[-4000:]
        started = [p for pid in [cluster.master_pid, *cluster.worker_pids, connect.pid]
                   for p in processes_of(pid)]
        # Beside the three JVMs: the executor's JVM, its Python daemon, the Connect server's.
        assert [p.name() for p in started].count("java") == 4, started
        assert sum(is_python_worker(p) for p in started) >= 2, started
        temp_dirs = [cluster.master.temp_dir, cluster.workers[0].temp_dir, connect.temp_dir]
    finally:
        cluster.stop()
        connect.stop()
        if driver is not None:
            driver.kill()
    assert [p for p in started if _alive(p)] == []
    assert not any(path.exists() for path in temp_dirs)
    assert cluster.master_pid is None and cluster.worker_pids == [None] and connect.pid is None

