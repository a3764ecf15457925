"""Cluster status and run progress as HTML + text outputs (widgets.py, progress_view.py): what
they say, that their styles are inline with theme variables and literal fallbacks, and how the
status view is refreshed. Through a kernel: test_kernel_outputs.py."""
import re
import threading
import time

from byzer_kernel import widgets
from byzer_kernel.engine.progress import ProgressState
from byzer_kernel.progress_view import progress_bundle

CONNECTED = {
    "connected": True, "address": "127.0.0.1:6379", "how": "BYZER_RAY_ADDRESS", "embedded": False,
    "dashboard_url": "http://127.0.0.1:8265", "versions": {"ray": "2.60.0", "python": "3.11.7"},
    "nodes": {"alive": 1, "dead": 1},
    "node_list": [
        {"node_id": "a", "address": "10.0.0.1", "alive": True, "head": True,
         "resources": {"CPU": {"used": 1.0, "total": 2.0}, "memory": {"used": 0.0, "total": 4 * 1024 ** 3},
                       "object_store_memory": {"used": 512 * 1024 ** 2, "total": 1024 ** 3}}},
        {"node_id": "b", "address": "10.0.0.2", "alive": False, "head": False,
         "resources": {"CPU": {"used": None, "total": 4.0}, "GPU": {"used": None, "total": 1.0}}}],
    "resources": {"CPU": {"used": 1.0, "total": 2.0}, "memory": {"used": 1024 ** 3, "total": 4 * 1024 ** 3}},
    "pending": {"tasks": 2, "demands": [{"kind": "task", "bundle": {"CPU": 1.0}, "count": 2}]},
    "tasks": {"running": 3}, "actors": {"alive": 4},
    "notice": "Ray at 127.0.0.1:10001 did not answer; using the embedded local Ray",
    "errors": ["tasks: timeout", "tasks: timeout"],
}


def test_status_text_names_versions_nodes_pending_demands_and_the_dashboard():
    lines = widgets.status_text(CONNECTED).splitlines()
    assert lines[:4] == ["Ray: 127.0.0.1:6379 (chosen by BYZER_RAY_ADDRESS)", "versions: Ray 2.60.0 · Python 3.11.7",
                         "nodes: 1 alive, 1 dead", "CPU: 1 / 2 used"]
    assert ("node 10.0.0.1 (head): CPU 1 / 2, GPU 0, memory 0 B / 4.0 GiB, object store 512.0 MiB / 1.0 GiB"
            in lines)
    assert "node 10.0.0.2 DEAD: CPU 4, GPU 1, memory 0, object store 0" in lines
    assert "running: 3 tasks, 4 actors" in lines and "pending: 2 tasks waiting: {CPU: 1} × 2" in lines
    assert "dashboard: http://127.0.0.1:8265" in lines
    # Each note once, and not the one the cell already printed.
    assert lines.count("unavailable: tasks: timeout") == 1
    assert sum("did not answer" in line for line in lines) == 1
    assert "did not answer" not in widgets.status_text(CONNECTED, omit=[CONNECTED["notice"]])
    idle = {"connected": False, "configured_address": "ray://h:10001", "configured_by": "rayAddress"}
    assert widgets.status_text(idle) == ("Ray: not connected (Ray starts on the first run that needs it); "
                                         "configured: ray://h:10001 (rayAddress)")


def inline_colours_have_literal_fallbacks(page: str) -> None:
    """Every theme variable follows a literal of the same property (kept where var() is not)."""
    for prop, variable, literal in re.findall(r"([a-z-]+):var\((--jp-[a-z0-9-]+),(#[0-9a-f]{6})\)", page):
        assert f"{prop}:{literal};{prop}:var({variable},{literal})" in page
    assert "<style" not in page and "class=\"byzer-" in page


def test_status_html_has_a_node_table_bars_and_a_styled_dashboard_link():
    page = widgets.status_html(CONNECTED)
    assert "Ray 2.60.0 · Python 3.11.7" in page and "127.0.0.1:6379" in page
    assert page.count("<tr>") == 3 and "10.0.0.2" in page and ">dead</span>" in page
    assert 'class="byzer-dashboard-link" href="http://127.0.0.1:8265"' in page
    assert "width:50%" in page and "{CPU: 1} × 2" in page and page.count("did not answer") == 1
    inline_colours_have_literal_fallbacks(page)
    idle = widgets.status_html({"connected": False, "versions": {"ray": "2.60.0", "python": "3.11.7"}})
    assert "not connected" in idle and "Ray 2.60.0" in idle


def test_progress_bundle_running_and_final():
    running = ProgressState("run command as Ray.``", 1, "running", elapsed=2.0, done=0, total=2, rows=500,
                            rows_total=2000, percent=25.0, rate=250.0, eta=6.0)
    bundle = progress_bundle(running)
    assert bundle["text/plain"] == ("run command as Ray.`` — running: 0/2 partitions · 500 of 2,000 rows (25%) · "
                                    "250 rows/s · 2.0 s elapsed · ETA 6.0 s")
    assert "width:25%" in bundle["text/html"] and "250 rows/s" in bundle["text/html"]
    assert "overflow-wrap:anywhere" in bundle["text/html"]  # the label wraps, it is never cut off
    inline_colours_have_literal_fallbacks(bundle["text/html"])
    interrupted = ProgressState("run command as Ray.``", 1, "running", "interrupted", 4.0, 0, 2, 500, 2000)
    page = progress_bundle(interrupted)["text/html"]
    assert "byzer-progress-interrupted" in page and "interrupted after 4.0 s (running)" in page
    assert "#fb8c00" in page and "failed" not in page


class CountingView:
    def __init__(self):
        self.count = 0

    def refresh(self):
        self.count += 1


def wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_the_refresh_thread_sleeps_while_cells_run_without_a_status_view():
    """A cell that shows no status leaves the thread asleep (it once spun a core at 100%)."""
    refresher = widgets._Refresher()
    refresher.cell_started()
    refresher.follow(CountingView(), 0.05)  # the thread runs, following this cell's view
    refresher.cell_ended()
    refresher.cell_started()  # a cell without a status view
    try:
        before = time.process_time()
        threading.Event().wait(1.0)  # this thread idle: the process's CPU time is the others'
        assert time.process_time() - before < 0.3
    finally:
        refresher.cell_ended()
        refresher.stop()


def test_a_status_view_follows_its_own_cell_then_keeps_its_state():
    refresher = widgets._Refresher()
    refresher.settle = 0.2
    outside = CountingView()
    refresher.follow(outside, 0.05)  # shown while no cell runs (`%byzer status`): a snapshot
    assert not wait_until(lambda: outside.count > 0, seconds=0.3)
    refresher.cell_started()
    view = CountingView()
    refresher.follow(view, 0.05)
    assert wait_until(lambda: view.count >= 3)
    refresher.cell_ended()
    ended = view.count
    # The state the cell left, then once more when Ray's counts settled (plus at most the refresh
    # that was under way when the cell ended), then nothing.
    assert wait_until(lambda: view.count >= ended + 2)
    assert not wait_until(lambda: view.count > ended + 3, seconds=0.6)
    settled = view.count
    refresher.cell_started()  # a later cell leaves it as it was
    assert not wait_until(lambda: view.count > settled or outside.count > 0, seconds=0.5)
    refresher.cell_ended()
    refresher.stop()
    assert wait_until(lambda: refresher.thread is None or not refresher.thread.is_alive())
