"""Progress and status outputs of a real Byzer kernel (jupyter_client): display_data then
update_display_data of one display id, with rows, rows/s and elapsed time, a final state, never
an ipywidget; the status view; and `nbconvert --to html` of an executed notebook keeping their
final states. One kernel (and so one embedded Ray) serves the module. Interrupts:
test_kernel_interrupt.py."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from kernel_cells import run_cell
from kernelspec_tools import jupyter_path_with_byzer

pytestmark = pytest.mark.ray

ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def slow_run(rows: int, address: str = "None") -> str:
    """A `run command as Ray` of `rows` rows at about 1 ms a row on each partition."""
    return f"""!python conf "schema=st(field(n,long))";
!python conf "dataMode=data";
select id as n from range({rows}) as numbers;
run command as Ray.`` where inputTable="numbers" and outputTable="doubled" and code='''
import time
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), {address})
def slow(row):
    time.sleep(0.001)
    return {{"n": row["n"] * 2}}
ray_context.foreach(slow)
''';"""


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    base = tmp_path_factory.mktemp("outputs")
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "BYZER_HOME", "BYZER_RAY_ADDRESS")}
    os.environ["JUPYTER_PATH"] = jupyter_path_with_byzer(base / "spec")
    os.environ["BYZER_HOME"] = str(base)
    os.environ.pop("BYZER_RAY_ADDRESS", None)
    manager, client = start_new_kernel(kernel_name="byzer")
    client.stop_channels()  # each test talks through a client of its own
    try:
        yield manager
    finally:
        manager.shutdown_kernel(now=True)
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


@pytest.fixture
def client(kernel):
    client = kernel.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    yield client
    client.stop_channels()


def outputs(messages, kind: str) -> list:
    """display_data / update_display_data messages whose metadata says `kind` (progress, status)."""
    return [m for m in messages if m["msg_type"] in ("display_data", "update_display_data")
            and kind in m["content"].get("metadata", {}).get("byzer", {})]


def text(msg) -> str:
    return msg["content"]["data"]["text/plain"]


def page(msg) -> str:
    return msg["content"]["data"]["text/html"]


def test_a_long_duckdb_query_shows_duckdbs_progress_and_an_interrupt_says_interrupted(kernel, client):
    """The module's first cell: the kernel's warm-up may still be making the SQL engine."""
    msg_id = client.execute("select count(*) as n from range(100000000000) r where r.id % 7 = 3 as counted;")
    messages, interrupted = [], False
    while True:
        msg = client.get_iopub_msg(timeout=300)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if not interrupted and "progress" in msg["content"].get("metadata", {}).get("byzer", {}) \
                and "ETA" in text(msg):
            kernel.interrupt_kernel()  # DuckDB's own percentage gave an ETA: enough seen
            interrupted = True
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    progress = outputs(messages, "progress")
    assert interrupted, [text(m) for m in progress]
    running = [m for m in progress if "— querying: " in text(m)]
    assert running and re.search(r"querying: \d+% · [\d.]+ s elapsed · ETA ", text(running[-1])), text(running[-1])
    final = progress[-1]
    assert final["content"]["metadata"]["byzer"]["progress"] == "interrupted"
    assert "— interrupted after " in text(final) and "(querying)" in text(final)
    (error,) = [m for m in messages if m["msg_type"] == "error"]
    assert error["content"]["traceback"][0].startswith("KeyboardInterrupt at line 1:1 in `select count(*)")
    # DuckDB's own progress bar (an ipywidget in Jupyter) stays off: ours is the only output.
    assert not any(WIDGET_VIEW in m["content"].get("data", {}) for m in messages)
    assert not any(m["msg_type"].startswith("comm_") for m in messages)
    assert run_cell(client, "select 1 as a as t;")  # the session goes on


def test_a_long_ray_run_shows_its_progress_updated_in_place(client):
    dead = f"127.0.0.1:{free_port()}"
    messages = run_cell(client, slow_run(4000, repr(dead)))
    progress = outputs(messages, "progress")
    first, *updates = progress
    assert first["msg_type"] == "display_data" and updates
    assert {m["msg_type"] for m in updates} == {"update_display_data"}
    assert {m["content"]["transient"]["display_id"] for m in progress} == {first["content"]["transient"]["display_id"]}
    texts = [text(m) for m in progress]
    assert any("— starting Ray: " in t for t in texts), texts  # the embedded Ray's start is shown
    running = [m for m in progress if "— running: " in text(m) and "rows/s" in text(m)]
    assert running, texts
    for msg in running:
        for needle in ("of 4,000 rows", "rows/s", "elapsed", "partitions"):
            assert needle in text(msg) and needle in page(msg), (needle, text(msg))
    final = progress[-1]
    assert final["content"]["metadata"]["byzer"]["progress"] == "done"
    assert "— done in " in text(final) and "4,000 rows" in text(final) and "byzer-progress-done" in page(final)
    # About one update a second, not one per report.
    seconds = (progress[-1]["header"]["date"] - progress[0]["header"]["date"]).total_seconds()
    assert len(progress) <= 2 * seconds + 4, (len(progress), seconds)
    assert not any(WIDGET_VIEW in m["content"].get("data", {}) for m in messages)
    assert not any(m["msg_type"].startswith("comm_") for m in messages)
    # The fallback notice shows once: printed, then left out of the status view shown on connect.
    status = outputs(messages, "status")
    (connected,) = [m for m in status if m["msg_type"] == "display_data"]
    assert "versions: Ray " in text(connected)  # and refreshed in place while the cell ran:
    assert {m["content"]["transient"]["display_id"] for m in status} == {connected["content"]["transient"]["display_id"]}
    seen = [m["content"].get("text", "") for m in messages if m["msg_type"] == "stream"]
    seen += [text(m) for m in messages if m["msg_type"] == "display_data"]
    assert sum(s.count("did not answer") for s in seen) == 1, seen


def test_the_status_view_names_versions_nodes_pending_work_and_the_dashboard(client):
    messages = run_cell(client, "!ray status;")
    (view,) = outputs(messages, "status")
    assert view["msg_type"] == "display_data"
    lines = text(view).splitlines()
    assert lines[0].startswith("Ray: embedded") and lines[1].startswith("versions: Ray 2.")
    assert "nodes: 1 alive, 0 dead" in lines and "pending: none" in lines
    (node,) = [line for line in lines if line.startswith("node ")]
    assert "(head): CPU " in node and "object store " in node and " / " in node
    assert any(line.startswith("dashboard: http://") for line in lines), lines
    assert sum("did not answer" in line for line in lines) == 1  # the connection's notice, once
    html = page(view)
    assert "byzer-status-nodes" in html and "byzer-dashboard-link" in html and "Python 3." in html


SLEEPING_RUN = """!python conf "schema=st(field(n,long))";
run command as Ray.`` where inputTable="command" and outputTable="slept" and code='''
import time
time.sleep(3)
context.build_result([{"n": 1}])
''';"""


def test_a_kernel_waiting_on_a_run_stays_idle(kernel, client):
    """While the code runs in the driver process, the kernel's own threads (the wait, progress,
    the status refresh, which once spun a core while a cell ran) leave the CPU alone."""
    import psutil

    process = psutil.Process(kernel.provisioner.pid)
    before, started = sum(process.cpu_times()[:2]), time.monotonic()
    messages = run_cell(client, SLEEPING_RUN)
    spent, elapsed = sum(process.cpu_times()[:2]) - before, time.monotonic() - started
    assert "— done in " in text(outputs(messages, "progress")[-1])
    assert spent < 0.4 * elapsed, (spent, elapsed)


def test_nbconvert_html_of_an_executed_notebook_keeps_the_final_progress_and_status(kernel, tmp_path):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "byzer", "display_name": "Byzer",
                                                           "language": "byzer"}})
    nb.cells = [nbformat.v4.new_code_cell(slow_run(3000)), nbformat.v4.new_code_cell("!ray status;")]
    NotebookClient(nb, km=kernel, timeout=300).execute()
    ray_cell, status_cell = nb.cells
    (progress,) = [o for o in ray_cell.outputs if "progress" in o.get("metadata", {}).get("byzer", {})]
    assert progress.metadata["byzer"]["progress"] == "done" and "— done in " in progress.data["text/plain"]
    path = tmp_path / "progress-status.ipynb"
    nbformat.write(nb, path)
    done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    html = path.with_suffix(".html").read_text()
    os.makedirs(ARTIFACTS, exist_ok=True)
    shutil.copy(path.with_suffix(".html"), os.path.join(ARTIFACTS, "byzer-progress-status.html"))
    assert "byzer-progress byzer-progress-done" in html and "done in " in html and "3,000 rows" in html
    assert "byzer-status" in html and "byzer-status-nodes" in html and "Ray dashboard" in html
    assert "widget-view" not in html and "widget-state" not in html and "Error displaying widget" not in html
    assert "byzer-progress-running" not in html  # only final states were kept


def test_queries_run_in_a_kernel_without_ipywidgets(tmp_path):
    """DuckDB refuses its progress setting in a Jupyter kernel without ipywidgets: queries still
    run (without DuckDB's percentage)."""
    (tmp_path / "ipywidgets.py").write_text("raise ImportError('no ipywidgets here')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    manager, client = start_new_kernel(kernel_name="byzer", env=env)
    try:
        (result,) = [m for m in run_cell(client, "select 1 as a as t;") if m["msg_type"] == "execute_result"]
        assert "t: 1 row" in text(result)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

