"""Cluster status and run progress: text/HTML rendering, the refresh thread, and the widget
mimebundles as a kernel sends them and as nbclient stores them."""
import threading
import time

import nbformat
from nbclient import NotebookClient

from byzer_kernel import widgets
from kernelspec_tools import jupyter_path_with_byzer

CONNECTED = {
    "connected": True, "address": "127.0.0.1:6379", "how": "BYZER_RAY_ADDRESS", "embedded": False,
    "dashboard_url": "http://127.0.0.1:8265", "nodes": {"alive": 1, "dead": 2},
    "resources": {"CPU": {"used": 1.0, "total": 2.0}, "memory": {"used": 1024 ** 3, "total": 4 * 1024 ** 3}},
    "tasks": {"running": 3}, "actors": {"alive": 4}, "errors": ["tasks: timeout"],
}


def test_status_text_and_html_name_every_fact():
    text = widgets.status_text(CONNECTED)
    assert text.splitlines()[:4] == ["Ray: 127.0.0.1:6379 (chosen by BYZER_RAY_ADDRESS)",
                                     "nodes: 1 alive, 2 dead", "CPU: 1 / 2 used", "memory: 1.0 GiB / 4.0 GiB used"]
    assert "running: 3 tasks, 4 actors" in text and "dashboard: http://127.0.0.1:8265" in text
    assert "unavailable: tasks: timeout" in text
    page = widgets.status_html(CONNECTED)
    assert "127.0.0.1:6379" in page and 'href="http://127.0.0.1:8265"' in page and "width: 50%" in page
    idle = {"connected": False, "configured_address": "ray://h:10001", "configured_by": "rayAddress"}
    assert widgets.status_text(idle) == ("Ray: not connected (Ray starts on the first run that needs it); "
                                         "configured: ray://h:10001 (rayAddress)")
    assert "not connected" in widgets.status_html(idle)


def test_progress_text_fallback_and_failure_mark():
    progress = widgets.RunProgress("run command as Ray", use_widget=False)
    progress.update(2, 4, 10)
    assert progress.bundle()["text/plain"] == "run command as Ray: 2/4 partitions, 10 rows (running)"
    progress.end(False)
    assert progress.bundle()["text/plain"].endswith("(failed)")
    progress.end(True)  # the first end wins
    assert progress.state == "failed"
    done = widgets.RunProgress("run", use_widget=False)
    done.update(1, 3, 5)
    done.end(True)
    assert done.bundle()["text/plain"] == "run: 3/3 partitions, 5 rows (done)"
    assert "#2e7d32" in done.bundle()["text/html"]


class FakeView:
    def __init__(self):
        self.comm, self.interval, self.refreshed_at, self.count = object(), 0.05, 0.0, 0

    def refresh(self):
        self.count += 1
        self.refreshed_at = time.monotonic()


def refresh_thread_running() -> bool:
    return any(t.name == "byzer-status-refresh" for t in threading.enumerate())


def wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_status_views_are_refreshed_until_closed_or_shut_down():
    view = FakeView()
    widgets.keep_refreshing(view)
    assert wait_until(lambda: view.count >= 3)
    view.comm = None  # closed: the thread ends by itself
    assert wait_until(lambda: not refresh_thread_running())
    other = FakeView()
    widgets.keep_refreshing(other)
    assert refresh_thread_running()
    widgets.stop_refreshing()  # kernel shutdown
    assert not refresh_thread_running()


def run_notebook(cells, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path_with_byzer(tmp_path / "spec"))
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "byzer", "display_name": "Byzer",
                                                           "language": "byzer"}})
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, timeout=120, kernel_name="byzer", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def test_status_widget_bundle_and_stored_widget_state(tmp_path, monkeypatch):
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    nb = run_notebook(["%byzer status", "!ray status;"], tmp_path, monkeypatch)
    for cell in nb.cells:
        (output,) = [o for o in cell.outputs if o.output_type == "display_data"]
        assert output.data["text/plain"].startswith("Ray: not connected")
        assert "not connected" in output.data["text/html"]
        model_id = output.data["application/vnd.jupyter.widget-view+json"]["model_id"]
        state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
        assert state[model_id]["model_name"] == "HTMLModel"
        assert "not connected" in state[model_id]["state"]["value"]
