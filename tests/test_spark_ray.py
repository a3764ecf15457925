"""`run command as Ray` over a Spark table (docs/design.md §4.16): the executors serve each
partition, Ray reads it where it lives, and the output comes back as a Spark table.

local[2] runs in this process (tests/spark_local.py's shared Spark); the standalone cluster of
tests/spark_servers.py needs a Spark application of its own, so that part runs in a child
process (tests/spark_ray_standalone.py) and reports what it saw."""
from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from unittest.mock import ANY

import pyarrow as pa
import pytest
from seed import SEED_RESULT
from spark_local import local_spark, spark_session  # noqa: F401  (fixtures: one local[2] Spark)
from spark_servers import wait_for

from byzer_kernel.engine.observer import Observer
from byzer_kernel.engine.spark.frame import SparkFrame
from byzer_kernel.lang.errors import ByzerError
from byzer_kernel.runtime import arrow_sockets, install, spark_tasks

pytestmark = pytest.mark.ray

SCHEMA = "st(field(ProductName,string),field(SubProduct,string))"
ECHO = """
from pyjava.api.mlsql import PythonContext, RayContext
ray_context = RayContext.connect(globals(), "127.0.0.1:10001")
def echo(row):
    return {"ProductName": str(row['Busn_A']) + '_jackm', "SubProduct": str(row['Busn_B']) + '_product'}
ray_context.foreach(echo)
"""


def ray_statement(code: str, input_table: str = "data", output: str = "out", schema: str = SCHEMA) -> str:
    return (f'!python conf "schema={schema}";\n!python conf "dataMode=data";\n'
            f'run command as Ray.`` where inputTable="{input_table}" and outputTable="{output}" '
            f"and code='''{code}''';")


def echoed(rows: int) -> list:
    return sorted((f"{a}_jackm", f"{2 * a}_product") for a in range(rows))


def rows_of(table: SparkFrame) -> list:
    return sorted(tuple(row) for row in table.dataframe.collect())


class Heard(Observer):
    def __init__(self):
        self.messages = []

    def message(self, text):
        self.messages.append(text)


@pytest.fixture
def session(spark_session, embedded_ray):
    """A Session under the Spark engine (local[2]) with the Ray ET."""
    install(spark_session)
    return spark_session


@pytest.fixture
def served(caplog):
    """The serving reports of the runs of a test: one per Spark partition served to Ray."""
    caplog.set_level(logging.INFO, logger="byzer_kernel")
    return lambda: [r.spark_served for r in caplog.records if hasattr(r, "spark_served")]


def spark_table(session, rows: int, partitions: int, name: str = "data") -> None:
    session.execute(f"select id as Busn_A, id * 2 as Busn_B from range(0, {rows}, 1, {partitions}) as {name};")


def test_foreach_reads_each_partition_from_its_executor_and_gives_a_spark_table(session, served):
    spark_table(session, 5000, partitions=5)  # more partitions than local[2]'s two slots
    result = session.execute(ray_statement(ECHO))
    out = session.catalog.get("out")
    assert isinstance(out, SparkFrame) and result.produced is out
    assert rows_of(out) == echoed(5000)
    assert [f.name for f in out.dataframe.schema.fields] == ["ProductName", "SubProduct"]
    reports = served()
    # Coalesced to the two slots, each served by a Python worker of Spark, never by the kernel.
    assert sorted(r["partition"] for r in reports) == [0, 1]
    assert all(r["host"] == "127.0.0.1" and r["pid"] != os.getpid() for r in reports)
    # The output is usable by the next statements, on Spark, without Ray serving it again.
    again = session.execute("select count(*) as n from out as counted;").table
    assert again.to_pylist() == [{"n": 5000}]


def test_data_servers_read_inside_ray_tasks_then_the_driver_result_is_a_spark_table(session):
    spark_table(session, 300, partitions=2)
    code = """
import ray
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)
@ray.remote
def count(server):
    return sum(1 for _ in RayContext.collect_from([server]))
counts = ray.get([count.remote(s) for s in ray_context.data_servers()])
context.build_result([{"servers": len(counts), "rows": sum(counts)}])
"""
    session.execute(ray_statement(code, schema="st(field(servers,long),field(rows,long))"))
    assert rows_of(session.catalog.get("out")) == [(2, 300)]


def test_map_iter_and_collect_read_the_served_partitions(session):
    spark_table(session, 1000, partitions=3)
    map_iter = """
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)
def evens(rows):
    for row in rows:
        if row["Busn_A"] % 2 == 0:
            yield {"a": row["Busn_A"]}
ray_context.map_iter(evens)
"""
    session.execute(ray_statement(map_iter, output="evens", schema="st(field(a,long))"))
    assert rows_of(session.catalog.get("evens")) == [(a,) for a in range(0, 1000, 2)]
    collect = """
rows = list(context.rayContext.collect())
context.build_result([{"n": len(rows), "top": max(r["Busn_B"] for r in rows)}])
"""
    session.execute(ray_statement(collect, output="summary", schema="st(field(n,long),field(top,long))"))
    assert rows_of(session.catalog.get("summary")) == [(1000, 1998)]


def test_to_dataset_reads_the_served_partitions_in_ray(session):
    spark_table(session, 500, partitions=2)
    code = """
ds = context.rayContext.to_dataset()
context.build_result([{"rows": ds.count(), "top": ds.max("Busn_A")}])
"""
    session.execute(ray_statement(code, schema="st(field(rows,long),field(top,long))"))
    assert rows_of(session.catalog.get("out")) == [(500, 499)]


def test_over_spark_connect_the_input_comes_through_the_kernel(session, spark_connect):
    """Spark Connect has no job groups or status tracker to run the feed: the table comes as
    Arrow, said in one line, and the output is still a Spark table of that Spark."""
    session.execute(f'!engine spark where master="{spark_connect}";')
    spark_table(session, 50, partitions=2)
    heard = Heard()
    session.execute(ray_statement(ECHO), heard)
    assert "the input table comes to the Python code through the kernel (Spark Connect)" in heard.messages
    out = session.catalog.get("out")
    assert isinstance(out, SparkFrame) and rows_of(out) == echoed(50)


def test_partitions_are_read_once_and_the_session_stays_usable(session):
    spark_table(session, 100, partitions=2)
    code = """
ray_context = context.rayContext
first = list(ray_context.collect())
ray_context.foreach(lambda row: {"ProductName": "x", "SubProduct": "y"})
"""
    with pytest.raises(ByzerError) as caught:
        session.execute(ray_statement(code))
    assert "foreach() cannot read the input: collect() has read it" in caught.value.message
    session.execute(ray_statement(ECHO))
    assert rows_of(session.catalog.get("out")) == echoed(100)


def test_an_empty_spark_table_gives_an_empty_spark_table_of_the_schema(session):
    session.execute("select id as Busn_A, id * 2 as Busn_B from range(0) as data;")
    session.execute(ray_statement(ECHO))
    out = session.catalog.get("out")
    assert rows_of(out) == []
    assert [f.name for f in out.dataframe.schema.fields] == ["ProductName", "SubProduct"]


def test_output_types_follow_the_declared_schema(session):
    spark_table(session, 10, partitions=2)
    code = """
def typed(row):
    a = row["Busn_A"]
    return {"i": a, "d": a / 2, "s": None if a == 3 else str(a), "b": a % 2 == 0}
context.rayContext.foreach(typed)
"""
    schema = "st(field(i,integer),field(d,double),field(s,string),field(b,boolean))"
    session.execute(ray_statement(code, schema=schema))
    frame = session.catalog.get("out").dataframe
    assert [(f.name, f.dataType.simpleString()) for f in frame.schema.fields] == [
        ("i", "int"), ("d", "double"), ("s", "string"), ("b", "boolean")]
    assert sorted(tuple(r) for r in frame.collect())[3] == (3, 1.5, None, False)


def test_a_failing_input_query_is_sparks_message_and_the_session_stays_usable(session):
    session.execute("select raise_error(concat('no row ', id)) as Busn_A, id as Busn_B "
                    "from range(0, 4, 1, 2) as data;")
    with pytest.raises(ByzerError) as caught:
        session.execute(ray_statement(ECHO))
    assert "no row" in caught.value.message
    spark_table(session, 10, partitions=2)
    session.execute(ray_statement(ECHO))
    assert rows_of(session.catalog.get("out")) == echoed(10)


def test_a_failing_function_is_the_codes_error_with_its_line_and_leaves_no_file(session, tmp_path):
    spark_table(session, 4000, partitions=2)
    spooled = set(Path(tempfile.gettempdir()).glob("byzer-ray-output-*"))
    done = tmp_path / "first partition done"
    code = f"""
import os, time
def boom(rows):
    for row in rows:
        if row["Busn_A"] == 3999:  # the other partition's end first: its rows are spooled
            deadline = time.monotonic() + 60
            while not os.path.exists({str(done)!r}) and time.monotonic() < deadline:
                time.sleep(0.05)
            raise ValueError("bad row " + str(row["Busn_A"]))
        yield {{"ProductName": "x", "SubProduct": "y"}}
    open({str(done)!r}, "w").close()
context.rayContext.map_iter(boom)
"""
    with pytest.raises(ByzerError) as caught:
        session.execute(ray_statement(code))
    assert caught.value.message.startswith("ValueError: bad row 3999")
    assert 'raise ValueError("bad row "' in caught.value.detail
    # The rows spooled for Spark by either partition are deleted (the finished one's by a task).
    wait_for(lambda: set(Path(tempfile.gettempdir()).glob("byzer-ray-output-*")) <= spooled,
             "the spooled output deleted", deadline_s=30)


# --- streams cut half-way are never taken for whole ------------------------------------------
def test_a_stream_whose_source_fails_reaches_its_reader_cut():
    table = pa.table({"x": list(range(2500))})

    def failing_source():
        yield table.to_batches()[0].slice(0, 1500)
        raise RuntimeError("the source died")

    listener = arrow_sockets.listen("127.0.0.1", 10.0)
    failures = []

    def serve():
        connection = arrow_sockets.accept_once(listener)
        try:
            arrow_sockets.write_stream(connection, table.schema, failing_source(), 1000)
        except RuntimeError as error:
            failures.append(str(error))

    server = threading.Thread(target=serve)
    server.start()
    read = []
    with pytest.raises(OSError):
        for batch in arrow_sockets.read_stream("127.0.0.1", listener.getsockname()[1]):
            read.append(batch.num_rows)
    server.join()
    assert failures == ["the source died"] and sum(read) <= 1500


def test_a_served_partition_ends_cut_when_its_executor_process_has_ended():
    """Spark's input ends cleanly at a batch boundary when the executor's JVM dies; the serving
    task must then cut its stream (spark_tasks._while_alive)."""
    batch = pa.record_batch({"x": [1, 2]})
    process = subprocess.Popen(["sleep", "60"])
    lineage = [(process.pid, spark_tasks._start_time(process.pid))]
    assert lineage[0][1] is not None
    assert list(spark_tasks._while_alive(iter([batch]), lineage)) == [batch]
    process.kill()
    process.wait()
    with pytest.raises(spark_tasks.ExecutorLost, match=f"process {process.pid} ended"):
        list(spark_tasks._while_alive(iter([batch]), lineage))
    assert spark_tasks._ancestors()[0][0] == os.getppid()


# --- a standalone cluster: both workers serve; a worker lost mid-run ---------------------------
STANDALONE_SCRIPT = Path(__file__).with_name("spark_ray_standalone.py")


def test_standalone_seed_both_workers_serve_and_a_lost_worker_or_cluster_is_one_message(
        breakable_spark_standalone, tmp_path):
    """One Spark application (a child process) for the whole story, to start its JVMs once: the
    seed verbatim, runs over both workers, a worker lost mid-run, the cluster lost mid-statement."""
    cluster = breakable_spark_standalone
    work_dirs = [str(worker.work_dir) for worker in cluster.workers]
    started, marker, log = tmp_path / "started", tmp_path / "marker", tmp_path / "child.log"
    stage = tmp_path / "stage"
    with log.open("w") as stderr:  # Spark and Ray talk a lot: a file, never a pipe that fills
        child = subprocess.Popen(
            [sys.executable, str(STANDALONE_SCRIPT), cluster.master_url, str(tmp_path / "home"),
             str(started), str(marker), str(stage)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True,
            cwd=str(Path(__file__).parent), env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    child.log = log
    read_lines(child)

    def served_by_both_workers(reports: list) -> bool:
        workdirs = [report["workdir"] for report in reports]
        hosts = {next(w for w in work_dirs if d.startswith(w)) for d in workdirs}
        return len(workdirs) == 2 and hosts == set(work_dirs)

    try:
        seed = said(child)  # the seed's cell verbatim, its 7 rows in the two partitions of its jsonStr table
        assert seed["embedded"] == SEED_RESULT, seed
        # A Spark table's rows come in no set order (its partitions as the Ray tasks gave them back).
        assert sorted(seed["rows"], key=repr) == sorted(SEED_RESULT, key=repr), seed
        assert served_by_both_workers(seed["served"]), seed["served"]
        first = said(child)  # the run over both workers
        assert first.get("rows") == first.get("expected") == 4000, first
        assert served_by_both_workers(first["served"]), first["served"]
        # The second run waits in its function, reading both workers' streams, until one is lost.
        wait_for(started.exists, "the Ray tasks reading", deadline_s=180)
        cluster.kill_worker(0)
        marker.write_text("killed")
        lost = said(child)
        assert lost.get("error") and "went away" in lost["error"], lost
        assert "\n" not in lost["error"]
        after = said(child)  # the same session goes on, on the worker left
        assert after.get("rows") == after.get("expected"), after
        # The cluster lost while a statement's stage runs: Spark itself would wait for a master for
        # ever; the statement fails, one message naming it and what was lost, in bounded time.
        wait_for(stage.exists, "a running stage of the slow save", deadline_s=120)
        cluster.kill_master()
        cluster.kill_worker(1)
        lost = said(child, deadline_s=60)  # Spark alone would never say
        assert lost["error"].startswith("SparkUnavailable at line 2:1 in `save overwrite slow as parquet."), lost
        assert f"the Spark cluster {cluster.master_url} was lost while the statement ran: its master" in lost["error"]
        assert "no executor is left" in lost["error"] and "`!engine duckdb`" in lost["error"]
        assert "\n" not in lost["error"] and "Py4J" not in lost["error"] and "Traceback" not in lost["error"]
        assert said(child) == {"after": [{"two": 2}], "at": ANY}  # back on the embedded engine
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=120)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


def read_lines(child: subprocess.Popen) -> None:
    """The child's output lines into child.lines, read by a thread ("" at its end), so that a
    step that hangs fails at its deadline instead of blocking a read."""
    child.lines = queue.Queue()

    def read():
        for line in child.stdout:
            child.lines.put(line)
        child.lines.put("")

    threading.Thread(target=read, daemon=True).start()


def said(child: subprocess.Popen, deadline_s: float = 600) -> dict:
    """The child's next JSON line; its stderr when it ended or said nothing within the deadline."""
    try:
        line = child.lines.get(timeout=deadline_s)
    except queue.Empty:
        raise AssertionError(f"the child said nothing within {deadline_s:.0f} s: "
                             f"{child.log.read_text()[-4000:]}") from None
    if not line:
        child.wait(timeout=60)
        raise AssertionError(f"the child ended ({child.returncode}): {child.log.read_text()[-4000:]}")
    return json.loads(line)
