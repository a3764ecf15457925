"""Child process of tests/test_spark_ray.py (not a test): a Session under the Spark engine on a
standalone cluster (one Spark application per process, so not the tests' own local Spark) runs
`run command as Ray` three times and prints one JSON line after each:

1. foreach over a table of two partitions: {"rows", "expected", "served"} (the serving reports:
   which executor's Python worker served which partition);
2. the same over a large table whose function waits, at its first row, for the file MARKER: the
   test sees STARTED appear, kills a worker, writes MARKER: {"error"} (the message of the lost run);
3. the first again, in the same session on the worker left: {"rows", "expected"}.

Then it waits for its stdin to close. usage: spark_ray_standalone.py MASTER_URL HOME STARTED MARKER
"""
from __future__ import annotations

import json
import logging
import sys
import time

from spark_servers import driver_conf

from byzer_kernel.lang.errors import ByzerError
from byzer_kernel.runtime import create_session, driver_client

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


def main(master: str, home: str, started: str, marker: str) -> None:
    reports = Reports()
    logger = logging.getLogger("byzer_kernel")
    logger.addHandler(reports)
    logger.setLevel(logging.INFO)
    driver_client.start_embedded(num_cpus=2, include_dashboard=False)
    session = create_session(home=home)
    session.spark_conf.update(driver_conf())
    session.execute(f'!engine spark where master="{master}";')
    wait_for_executors(session, 2)

    ray_run(session, 4000, ECHO)
    say(rows=count_out(session), expected=4000, served=reports.served)

    try:
        ray_run(session, 4_000_000, WAITING % {"started": started, "marker": marker})
        say(error=None, rows=count_out(session))
    except ByzerError as error:
        say(error=error.message)

    ray_run(session, 4000, ECHO)
    say(rows=count_out(session), expected=4000)
    sys.stdin.read()
    session.close()
    driver_client.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:5])
