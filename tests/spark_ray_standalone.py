"""Child process of tests/test_spark_ray.py (not a test): a Session under the Spark engine on a
standalone cluster (one Spark application per process, so not the tests' own local Spark) runs
the seed and `run command as Ray` three times, then loses the cluster, printing one JSON line
after each step:

0. the seed document's cell verbatim: {"rows", "embedded", "served"} (its output table under Spark,
   the same cell's on the embedded engine in this process, the serving reports);
1. foreach over a table of two partitions: {"rows", "expected", "served"} (the serving reports:
   which executor's Python worker served which partition);
2. the same over a large table whose function waits, at its first row, for the file MARKER: the
   test sees STARTED appear, kills a worker, writes MARKER: {"error"} (the message of the lost run);
3. the first again, in the same session on the worker left: {"rows", "expected"};
4. a slow save whose stage, once running, makes this process write the file STAGE: the test kills
   the master and the workers: {"error"}; then `!engine duckdb` and a select: {"after"}.

Then it waits for its stdin to close.
usage: spark_ray_standalone.py MASTER_URL HOME STARTED MARKER STAGE
"""
from __future__ import annotations

import json
import logging
import sys
import threading
import time
from pathlib import Path

from seed import SEED
from spark_servers import driver_conf

from byzer_kernel.lang.errors import ByzerError
from byzer_kernel.runtime import create_session, driver_client

# Four partitions of 100 rows, each row a 100 ms sleep in the executor: a stage that runs for 20 s
# on two one-core executors unless the cluster goes.
SLOW_SAVE = ("select id, reflect('java.lang.Thread', 'sleep', cast(100 as bigint)) as slept "
             "from range(0, 400, 1, 4) as slow;\nsave overwrite slow as parquet.`out/slow`;")
SCHEMA = "st(field(ProductName,string),field(SubProduct,string))"
ECHO = """
def echo(row):
    return {"ProductName": str(row['Busn_A']) + '_jackm', "SubProduct": str(row['Busn_B']) + '_product'}
context.rayContext.foreach(echo)
"""
WAITING = """
import os, time
def echo(row):
    if not os.path.exists(%(started)r):
        open(%(started)r, "w").close()
    deadline = time.monotonic() + 120
    while not os.path.exists(%(marker)r) and time.monotonic() < deadline:
        time.sleep(0.05)
    return {"ProductName": str(row['Busn_A']), "SubProduct": str(row['Busn_B'])}
context.rayContext.foreach(echo)
"""


class Reports(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.served = []

    def emit(self, record):
        if hasattr(record, "spark_served"):
            self.served.append(record.spark_served)


def ray_run(session, rows: int, code: str) -> None:
    session.execute(f"select id as Busn_A, id * 2 as Busn_B from range(0, {rows}, 1, 2) as data;")
    session.execute(f'!python conf "schema={SCHEMA}";\n!python conf "dataMode=data";\n'
                    f'run command as Ray.`` where inputTable="data" and outputTable="out" '
                    f"and code='''{code}''';")


def count_out(session) -> int:
    return session.execute("select count(*) as n from out as counted;").table.column(0)[0].as_py()


START = time.monotonic()


def say(**values) -> None:
    print(json.dumps({**values, "at": round(time.monotonic() - START, 1)}), flush=True)


def wait_for_executors(session, count: int, deadline_s: float = 120.0) -> None:
    """The application's executors registered (the driver is listed too)."""
    context = session.spark.spark().sparkContext
    deadline = time.monotonic() + deadline_s
    while len(context.statusTracker().getExecutorInfos()) < count + 1:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} executors did not register within {deadline_s:.0f} s")
        time.sleep(0.2)


def seed_on_both_engines(home: str, session, reports: Reports) -> None:
    embedded = create_session(home=str(Path(home) / "embedded"))
    embedded_rows = embedded.execute(SEED).table.to_pylist()
    embedded.close()
    rows = session.execute(SEED).table.to_pylist()
    say(rows=rows, embedded=embedded_rows, served=reports.served[:])
    reports.served.clear()


def mark_a_running_stage(session, stage: str) -> None:
    """Write the file `stage` once a stage of the application runs (from a thread of its own)."""
    tracker = session.spark.spark().sparkContext.statusTracker()

    def watch():
        deadline = time.monotonic() + 120
        while not tracker.getActiveStageIds() and time.monotonic() < deadline:
            time.sleep(0.1)
        Path(stage).touch()

    threading.Thread(target=watch, daemon=True).start()


def main(master: str, home: str, started: str, marker: str, stage: str) -> None:
    reports = Reports()
    logger = logging.getLogger("byzer_kernel")
    logger.addHandler(reports)
    logger.setLevel(logging.INFO)
    driver_client.start_embedded(num_cpus=2, include_dashboard=False)
    session = create_session(home=home)
    session.spark_conf.update(driver_conf())
    session.execute(f'!engine spark where master="{master}";')
    wait_for_executors(session, 2)

    seed_on_both_engines(home, session, reports)

    ray_run(session, 4000, ECHO)
    say(rows=count_out(session), expected=4000, served=reports.served)

    try:
        ray_run(session, 4_000_000, WAITING % {"started": started, "marker": marker})
        say(error=None, rows=count_out(session))
    except ByzerError as error:
        say(error=error.message)

    ray_run(session, 4000, ECHO)
    say(rows=count_out(session), expected=4000)

    mark_a_running_stage(session, stage)
    try:
        session.execute(SLOW_SAVE)
        say(error=None)
    except ByzerError as error:
        say(error=str(error))
    say(after=session.execute("!engine duckdb;\nselect 1 + 1 as two as after_the_loss;").table.to_pylist())
    sys.stdin.read()
    session.close()
    driver_client.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:6])
