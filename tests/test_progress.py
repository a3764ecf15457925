"""Progress of long statements as every front-end hears it (engine/progress.py), and the counters
the runtime measures it with (run_meter.py, data_servers.py). Ray runs: test_runtime_contexts.py;
the notebook outputs: test_kernel_outputs.py."""
import socket
import threading
import time

import pyarrow as pa
import pytest

from byzer_kernel.engine import Observer
from byzer_kernel.engine.progress import ProgressState, duration
from byzer_kernel.lang.errors import ByzerRuntimeError
from byzer_kernel.runtime.data_servers import DataServerPool
from byzer_kernel.runtime.run_meter import RunMeter

LONG_QUERY = "select count(*) as n from range(1500000000) r where r.id % 7 = 3 as counted;"


class Heard(Observer):
    def __init__(self):
        self.states, self.ended, self.times = [], [], []
        self.shown = threading.Event()

    def progress(self, statement, done, total, rows=0, *, phase=None, rows_total=None, state=None):
        self.states.append(state)
        self.times.append(time.monotonic())
        self.shown.set()

    def progress_ended(self, statement, ok):
        self.ended.append(ok)


def test_a_long_duckdb_query_shows_duckdbs_own_progress_once_a_second(session):
    heard = Heard()
    started = time.monotonic()
    session.execute(LONG_QUERY, heard)
    *running, final = heard.states
    assert running, "a query of several seconds shows progress"
    assert heard.times[0] - started >= 0.9  # nothing for the first second
    gaps = [b - a for a, b in zip(heard.times, heard.times[1:-1])]
    assert all(0.6 <= gap <= 1.6 for gap in gaps), gaps  # about once a second, never a flood
    assert {s.phase for s in running} == {"querying"}
    measured = [s.percent for s in running if s.percent is not None]
    assert measured and measured == sorted(measured)  # DuckDB's own percentage, moving forward
    assert all("elapsed" in s.text() for s in running)
    assert final.outcome == "done" and final.rows == 1 and heard.ended == [True]
    assert final.text().startswith("select count(*) as n from range(1500000000) r — done in ")


def test_short_statements_show_nothing(session):
    heard = Heard()
    session.execute("select 1 as a as t; select a + 1 as b from t as u;", heard)
    assert heard.states == [] and heard.ended == []


@pytest.mark.parametrize("error, outcome", [(KeyboardInterrupt(), "interrupted"),
                                            (ByzerRuntimeError("broken"), "failed")])
def test_a_statement_ended_by_an_interrupt_or_an_error_says_so(session, error, outcome):
    heard = Heard()

    def command(session, statement, args, events):
        assert heard.shown.wait(30), "no progress shown"
        raise error

    session.commands["nap"] = command
    with pytest.raises(type(error)):
        session.execute("select 1 as a as t;\n!nap;", heard)
    final = heard.states[-1]
    assert final.outcome == outcome and heard.ended == [False]
    assert final.line == 2 and final.text().startswith(f"!nap — {outcome} after ")
    assert all(s.outcome == "running" for s in heard.states[:-1])


def test_state_text_names_rows_rate_elapsed_and_eta():
    state = ProgressState("run command as Ray.``", 8, "running", elapsed=3.04, done=1, total=2,
                          rows=120000, rows_total=500000, percent=24.0, rate=40000.0, eta=9.5)
    assert state.text() == ("run command as Ray.`` — running: 1/2 partitions · 120,000 of 500,000 rows "
                            "(24%) · 40,000 rows/s · 3.0 s elapsed · ETA 9.5 s")
    done = ProgressState("run command as Ray.``", 1, "running", "done", 12.3, 2, 2, 500000, rate=40650.4)
    assert done.text() == "run command as Ray.`` — done in 12 s: 2/2 partitions · 500,000 rows · 40,650 rows/s"
    stopped = ProgressState("load csv.`x`", 1, "loading", "interrupted", 65.0)
    assert stopped.text() == "load csv.`x` — interrupted after 1 min 05 s (loading)"
    assert duration(7260) == "2 h 01 min"


def read_stream(server) -> int:
    with socket.create_connection((server.host, server.port)) as connection:
        with connection.makefile("rb") as stream:
            return pa.ipc.open_stream(stream).read_all().num_rows


def test_data_servers_count_the_rows_they_ship_and_the_meter_reports_shipping():
    table = pa.table({"n": list(range(2500))})
    pool = DataServerPool()
    try:
        (server,) = pool.serve([table], "UTC", inputs=True)
        pool.serve([table.slice(0, 10)], "UTC")  # a model's server: not the run's input
        assert pool.shipped() == (0, 2500)
        sent = []

        class Events:
            def progress(self, statement, done, total, rows, *, phase, rows_total):
                sent.append((phase, rows, rows_total))

        meter = RunMeter(Events(), None)
        meter.shipping = pool.shipped
        meter.send()
        assert read_stream(pool.inputs[0]) == 2500
        deadline = time.monotonic() + 10
        while pool.shipped() != (2500, 2500) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool.shipped() == (2500, 2500)
        meter.send()
        assert sent == [("shipping data", 0, 2500), ("running", None, None)]
    finally:
        pool.close()
