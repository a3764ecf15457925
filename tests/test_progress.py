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


class Reports(Observer):
    """Every raw report of a statement, before the tracker times and throttles them."""

    def __init__(self):
        self.reports = []

    def progress(self, statement, done, total, rows=0, **details):
        self.reports.append((done, total, rows, details.get("rows_total"), details.get("parts")))


def test_saves_and_loads_report_the_files_written_and_read(session):
    from byzer_kernel.engine.load_save import execute_load, execute_save
    from byzer_kernel.lang import parse

    session.execute("select id from range(1000) as numbers;")
    saving, loading = Reports(), Reports()
    (save,) = parse("save overwrite numbers as parquet.`/tmp/p` where fileNum=\"4\";".replace(
        "/tmp/p", str(session.home / "numbers"))).statements
    execute_save(session, save, saving)
    assert saving.reports == [(1, 4, 250, 1000, "files"), (2, 4, 500, 1000, "files"),
                              (3, 4, 750, 1000, "files"), (4, 4, 1000, 1000, "files")]
    (load,) = parse(f"load parquet.`{session.home / 'numbers'}` as again;").statements
    execute_load(session, load, loading)
    assert [(done, total, parts) for done, total, _, _, parts in loading.reports] == [
        (1, 4, "files"), (2, 4, "files"), (3, 4, "files"), (4, 4, "files")]
    assert session.table("again").num_rows == 1000
    state = ProgressState("save overwrite numbers as parquet.`numbers`", 1, "saving", elapsed=2.0, done=3,
                          total=4, rows=750, rows_total=1000, percent=75.0, parts="files")
    assert state.text().startswith("save overwrite numbers as parquet.`numbers` — saving: 3/4 files · "
                                   "750 of 1,000 rows (75%)")


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
