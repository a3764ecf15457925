"""Cluster status and run progress: ipywidgets where a front-end renders them, with `text/html` and
`text/plain` in the same mimebundle so that executed notebooks stay readable (as Ray's widgets do).

The HTML comes from the templates in `byzer_kernel/templates/`; the status data comes from
`runtime.driver_client.cluster_for(session).status()`.
"""
from __future__ import annotations

import atexit
import html
import threading
import time
import weakref
from functools import lru_cache
from importlib import resources
from typing import Any, Optional

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@lru_cache(maxsize=None)
def template(name: str) -> str:
    return resources.files("byzer_kernel").joinpath("templates", name).read_text(encoding="utf-8")


def widgets_available() -> bool:
    """Widgets render only in a kernel talking to a Jupyter front-end (comms); a terminal IPython
    or the `byzer` command gets the text fallback."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


# -- cluster status -----------------------------------------------------------------------------

def _amount(name: str, value: float) -> str:
    if "memory" in name.lower() or "store" in name.lower():
        for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
            if abs(value) < 1024 or unit == "TiB":
                return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
            value /= 1024
    return f"{value:g}"


def resource_rows(status: dict) -> list[tuple[str, float, float]]:
    """(name, used, total) for CPU, GPU, memory and object store (runtime/cluster_status.py)."""
    return [(name, float(entry["used"]), float(entry["total"]))
            for name, entry in (status.get("resources") or {}).items()]


def _count(status: dict, group: str, key: str, default="?"):
    """Counts as the runtime gives them ({"nodes": {"alive": n}}); `default` when unreadable."""
    value = (status.get(group) or {}).get(key)
    return default if value is None else value


def _errors(status: dict) -> list:
    return list(status.get("errors") or [])


def status_facts(status: dict) -> dict:
    return {"address": status.get("address") or "?", "how": status.get("how") or "?",
            "nodes_alive": _count(status, "nodes", "alive"), "nodes_dead": _count(status, "nodes", "dead", 0),
            "tasks": _count(status, "tasks", "running"), "actors": _count(status, "actors", "alive"),
            "dashboard_url": status.get("dashboard_url"), "notice": status.get("notice") or ""}


def status_text(status: dict) -> str:
    if not status.get("connected"):
        configured = status.get("configured_address")
        where = f"; configured: {configured} ({status.get('configured_by')})" if configured else ""
        return f"Ray: not connected (Ray starts on the first run that needs it){where}"
    facts = status_facts(status)
    lines = [f"Ray: {facts['address']} (chosen by {facts['how']})",
             f"nodes: {facts['nodes_alive']} alive, {facts['nodes_dead']} dead"]
    for name, used, total in resource_rows(status):
        lines.append(f"{name}: {_amount(name, used)} / {_amount(name, total)} used")
    lines.append(f"running: {facts['tasks']} tasks, {facts['actors']} actors")
    lines.append(f"dashboard: {facts['dashboard_url'] or 'not running'}")
    lines += [f"note: {facts['notice']}"] if facts["notice"] else []
    lines += [f"unavailable: {error}" for error in _errors(status)]
    return "\n".join(lines)


def status_html(status: dict) -> str:
    if not status.get("connected"):
        return template("cluster_status_idle.html").format(text=html.escape(status_text(status)))
    facts = status_facts(status)
    rows = []
    for name, used, total in resource_rows(status):
        percent = 100.0 * used / total if total else 0.0
        rows.append(template("cluster_resource_row.html").format(
            name=html.escape(name), used=html.escape(_amount(name, used)),
            total=html.escape(_amount(name, total)), percent=f"{percent:.0f}"))
    url = facts["dashboard_url"]
    dashboard = f'<a href="{html.escape(url)}" target="_blank">{html.escape(url)}</a>' if url else "not running"
    notes = [facts["notice"]] if facts["notice"] else []
    notes += [f"unavailable: {error}" for error in _errors(status)]
    return template("cluster_status.html").format(
        address=html.escape(str(facts["address"])), how=html.escape(str(facts["how"])),
        nodes_alive=facts["nodes_alive"], nodes_dead=facts["nodes_dead"], resources="".join(rows),
        tasks=facts["tasks"], actors=facts["actors"], dashboard=dashboard,
        notes="".join(f"<div><small>{html.escape(str(n))}</small></div>" for n in notes))


def read_status(session) -> dict:
    from .runtime.driver_client import cluster_for

    try:
        return dict(cluster_for(session).status())
    except Exception as error:  # a status read must never break a cell
        return {"connected": False, "errors": [f"{type(error).__name__}: {error}"]}


def status_bundle(session) -> dict:
    status = read_status(session)
    return {"text/html": status_html(status), "text/plain": status_text(status)}


class _Refresher:
    """One daemon thread refreshing every open status view at its interval; stops when no view is
    left open or on kernel shutdown."""

    def __init__(self) -> None:
        self.views: "weakref.WeakSet[Any]" = weakref.WeakSet()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def add(self, view) -> None:
        with self.lock:
            self.views.add(view)
            self.stopped.clear()
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="byzer-status-refresh", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            with self.lock:
                views = [v for v in self.views if v.comm is not None]
                if not views:
                    self.thread = None
                    return
            interval = min(v.interval for v in views)
            if self.stopped.wait(interval):
                return
            now = time.monotonic()
            for view in views:
                if now - view.refreshed_at >= view.interval * 0.9:
                    view.refresh()

    def stop(self) -> None:
        self.stopped.set()
        thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)


_refresher = _Refresher()
atexit.register(_refresher.stop)


def keep_refreshing(view) -> None:
    """Refresh `view` (with `comm`, `interval`, `refreshed_at` and `refresh()`, as a status view
    has) every `interval` seconds until its comm closes or the kernel shuts down."""
    _refresher.add(view)


def stop_refreshing() -> None:
    """Called on kernel shutdown: no status thread outlives the kernel."""
    _refresher.stop()


@lru_cache(maxsize=None)
def _status_view_class():
    import ipywidgets

    class ClusterStatusView(ipywidgets.HTML):
        """An HTML widget whose value is refreshed from the cluster manager's status."""

        def setup(self, session, interval: float):
            self.session, self.interval, self.refreshed_at = session, interval, 0.0
            self.refresh()
            if interval > 0:
                keep_refreshing(self)
            return self

        def refresh(self):
            status = read_status(self.session)
            self.refreshed_at = time.monotonic()
            self.text, self.value = status_text(status), status_html(status)

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            bundle = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
            bundle.update({"text/html": self.value, "text/plain": self.text})
            return bundle

    return ClusterStatusView


def show_cluster_status(session, interval: float = 2.0) -> None:
    """Display the status: a live widget in Jupyter, HTML/text elsewhere."""
    from IPython.display import display

    if widgets_available():
        display(_status_view_class()(layout={"width": "100%"}).setup(session, interval))
    else:
        display(status_bundle(session), raw=True)


# -- run progress -------------------------------------------------------------------------------

class RunProgress:
    """One bar per `run ... as Ray` statement: partitions done of total, rows done; completed or
    marked failed at the end. Updates are throttled; the last state is always sent."""

    min_interval = 0.2  # between widget updates
    text_interval = 2.0  # between output updates when only text can be shown

    def __init__(self, label: str, use_widget: Optional[bool] = None, done: int = 0, total: int = 0,
                 rows: int = 0):
        from IPython.display import display

        self.label = label
        self.done, self.total, self.rows = done, total, rows
        self.state = "running"
        self.sent_at = 0.0
        self.bar = None
        if widgets_available() if use_widget is None else use_widget:
            import ipywidgets

            self.bar = ipywidgets.IntProgress(min=0, max=max(total, 1), value=min(done, max(total, 1)),
                                              description="Ray",
                                              bar_style="info", layout={"width": "60%"})
            self.caption = ipywidgets.Label(value=self.text())
            self.box = ipywidgets.HBox([self.bar, self.caption])
        self.handle = display(self.bundle(), raw=True, display_id=True)

    def text(self) -> str:
        partitions = f"{self.done}/{self.total} partitions" if self.total else "starting"
        return f"{self.label}: {partitions}, {self.rows} rows ({self.state})"

    def bundle(self) -> dict:
        text = self.text()
        percent = 100.0 * self.done / self.total if self.total else 0.0
        colour = {"running": "#1976d2", "done": "#2e7d32", "failed": "#c62828"}[self.state]
        bundle = {"text/plain": text, "text/html": template("progress.html").format(
            percent=f"{percent:.0f}", colour=colour, text=html.escape(text))}
        if self.bar is not None:
            bundle[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0, "model_id": self.box.model_id}
        return bundle

    def update(self, done: int, total: int, rows: int = 0) -> None:
        self.done, self.total, self.rows = done, total, rows
        now = time.monotonic()
        interval = self.min_interval if self.bar is not None else self.text_interval
        if now - self.sent_at >= interval:
            self._send()
            self.sent_at = now

    def end(self, ok: bool) -> None:
        if self.state != "running":
            return
        self.state = "done" if ok else "failed"
        if ok and self.total:
            self.done = self.total
        self._send()

    def _send(self) -> None:
        if self.bar is not None:
            self.bar.max = max(self.total, 1)
            self.bar.value = min(self.done, self.bar.max)
            self.bar.bar_style = {"running": "info", "done": "success", "failed": "danger"}[self.state]
            self.caption.value = self.text()
        if self.handle is not None and (self.bar is None or self.state != "running"):
            # The output itself keeps the final text for readers without widgets.
            self.handle.update(self.bundle(), raw=True)
