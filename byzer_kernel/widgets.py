"""The cluster status (`!ray status`, `%byzer status`, and once when a session connects to Ray) as
`text/html` + `text/plain` outputs updated through a display handle, never an ipywidget: the
output's last state is what a saved notebook, nbconvert, VS Code and GitHub show (docs/design.md
§2.5 says why). Run progress is progress_view.py.

The status data comes from `runtime.driver_client.cluster_for(session).status()`
(runtime/cluster_status.py). A status view stays live while its own cell runs: it is read again
every `interval` seconds, and twice after the cell ends (at once, and when Ray's own counts have
settled); then it keeps that state. An idle kernel sends nothing.
"""
from __future__ import annotations

import atexit
import threading
from typing import Iterable, Optional

from .output_style import FAINT, FONT, MONO, bar, colour, escape

RESOURCE_NAMES = {"CPU": "CPU", "GPU": "GPU", "memory": "memory", "object_store_memory": "object store"}


def in_jupyter_kernel() -> bool:
    """Outputs update in place only in a kernel talking to a Jupyter front-end; a terminal IPython
    or the `byzer` command prints what it is given."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


# -- facts ----------------------------------------------------------------------------------------

def amount(name: str, value: Optional[float]) -> str:
    if value is None:
        return "?"
    if "memory" in name.lower() or "store" in name.lower():
        for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
            if abs(value) < 1024 or unit == "TiB":
                return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
            value /= 1024
    return f"{value:g}"


def usage(name: str, entry: Optional[dict]) -> str:
    """"1 / 2", "1.0 GiB / 4.0 GiB", or "2" when only the total is known."""
    if not entry:
        return "0"
    total = amount(name, entry.get("total"))
    return total if entry.get("used") is None else f"{amount(name, entry['used'])} / {total}"


def resource_rows(status: dict) -> list:
    """(name, used, total) for CPU, GPU, memory and object store (runtime/cluster_status.py)."""
    return [(name, float(entry["used"]), float(entry["total"]))
            for name, entry in (status.get("resources") or {}).items()]


def _count(status: dict, group: str, key: str, default="?"):
    value = (status.get(group) or {}).get(key)
    return default if value is None else value


def notes(status: dict, omit: Iterable[str] = ()) -> list:
    """The connection's notice and the unreadable parts, each once, leaving out what the cell has
    already said (the notice printed while connecting)."""
    seen, found = set(omit), []
    for note in [status.get("notice")] + [f"unavailable: {e}" for e in status.get("errors") or []]:
        if note and note not in seen:
            seen.add(note)
            found.append(str(note))
    return found


def versions_text(status: dict) -> str:
    found = status.get("versions") or {}
    return f"Ray {found.get('ray') or '?'} · Python {found.get('python') or '?'}"


def demands_text(status: dict) -> str:
    """"2 tasks waiting: {CPU: 1} × 2" or "none"."""
    pending = status.get("pending") or {}
    demands = pending.get("demands") or []
    if pending.get("tasks") is None and not demands:
        return "?"
    if not demands:
        return "none"
    shapes = ", ".join("{" + ", ".join(f"{k}: {v:g}" for k, v in d["bundle"].items()) + "}"
                       + f" × {d['count']}" + ("" if d["kind"] == "task" else f" ({d['kind']})")
                       for d in demands)
    return f"{pending.get('tasks') or 0} tasks waiting: {shapes}"


def node_text(node: dict) -> str:
    head = " (head)" if node.get("head") else ""
    dead = "" if node.get("alive", True) else " DEAD"
    parts = [f"{RESOURCE_NAMES[n]} {usage(n, node['resources'].get(n))}" for n in RESOURCE_NAMES]
    return f"node {node.get('address') or '?'}{head}{dead}: " + ", ".join(parts)


def spark_text(spark: Optional[dict]) -> list:
    """The session's Spark beside Ray (engine/spark/status.py); nothing under duckdb."""
    if not spark:
        return []
    if not spark.get("started"):
        return [f"Spark: not started (starts on {spark.get('master') or '?'} at the first statement that needs it)"]
    lines = [f"Spark {spark.get('version') or '?'}: {spark.get('master') or '?'}"
             + (f", application {spark['app_id']}" if spark.get("app_id") else "")
             + (" (Spark Connect)" if spark.get("connect") else "")]
    executors = spark.get("executors")
    if executors:
        lines.append(f"Spark executors: {executors['count']}, {executors['cores']} cores, "
                     f"{amount('memory', executors['memory'])} storage memory")
    lines.append(f"Spark UI: {spark.get('ui') or 'not running'}")
    lines += [f"unavailable: {error}" for error in spark.get("errors") or []]
    return lines


def status_text(status: dict, omit: Iterable[str] = ()) -> str:
    return "\n".join([_ray_text(status, omit), *spark_text(status.get("spark"))])


def _ray_text(status: dict, omit: Iterable[str] = ()) -> str:
    if not status.get("connected"):
        configured = status.get("configured_address")
        where = f"; configured: {configured} ({status.get('configured_by')})" if configured else ""
        return f"Ray: not connected (Ray starts on the first run that needs it){where}"
    lines = [f"Ray: {status.get('address') or '?'} (chosen by {status.get('how') or '?'})",
             f"versions: {versions_text(status)}",
             f"nodes: {_count(status, 'nodes', 'alive')} alive, {_count(status, 'nodes', 'dead', 0)} dead"]
    lines += [f"{name}: {amount(name, used)} / {amount(name, total)} used" for name, used, total in resource_rows(status)]
    lines += [node_text(node) for node in status.get("node_list") or []]
    lines.append(f"running: {_count(status, 'tasks', 'running')} tasks, {_count(status, 'actors', 'alive')} actors")
    lines.append(f"pending: {demands_text(status)}")
    lines.append(f"dashboard: {status.get('dashboard_url') or 'not running'}")
    lines += [note if note.startswith("unavailable: ") else f"note: {note}" for note in notes(status, omit)]
    return "\n".join(lines)


# -- HTML -----------------------------------------------------------------------------------------

CELL = "padding:2px 12px 2px 0;text-align:left;vertical-align:middle;white-space:nowrap;border:none"


def _usage_cell(name: str, entry: Optional[dict]) -> str:
    text = escape(usage(name, entry))
    if entry and entry.get("used") is not None and entry.get("total"):
        percent = min(100.0, 100.0 * entry["used"] / entry["total"])
        return (f'<td style="{CELL}"><div style="display:inline-block;width:64px;vertical-align:middle;'
                f'margin-right:6px">{bar(percent, "running", "64px", 6)}</div>{text}</td>')
    return f'<td style="{CELL}">{text}</td>'


def _nodes_table(status: dict) -> str:
    nodes = status.get("node_list") or []
    if not nodes:
        return ""
    head = "".join(f'<th style="{CELL};font-weight:600">{escape(label)}</th>'
                   for label in ["node", *RESOURCE_NAMES.values()])
    rows = []
    for node in nodes:
        badge = ' <span style="{}">head</span>'.format(FAINT) if node.get("head") else ""
        if not node.get("alive", True):
            badge += ' <span style="{}">dead</span>'.format(colour("color", "failed"))
        cells = "".join(_usage_cell(name, node["resources"].get(name)) for name in RESOURCE_NAMES)
        rows.append(f'<tr><td style="{CELL}"><code style="{MONO}">{escape(node.get("address") or "?")}'
                    f'</code>{badge}</td>{cells}</tr>')
    return (f'<table class="byzer-status-nodes" style="border-collapse:collapse;margin:4px 0;'
            f'border:none"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _link(css_class: str, url: str, label: str) -> str:
    return (f'<a class="{css_class}" href="{escape(url)}" target="_blank" rel="noopener" '
            f'style="display:inline-block;padding:1px 10px;border:1px solid;border-radius:12px;'
            f'text-decoration:none;{colour("color", "link")}">{escape(label)} ↗</a> '
            f'<span style="{FAINT}">{escape(url)}</span>')


def spark_html(spark: Optional[dict]) -> str:
    if not spark:
        return ""
    box = 'class="byzer-status-spark" style="margin-top:4px"'
    if not spark.get("started"):
        return f'<div {box}>{escape(spark_text(spark)[0])}</div>'
    where = (f'<b>Spark</b> <code style="{MONO}">{escape(spark.get("master") or "?")}</code> '
             f'<span style="{FAINT}">Spark {escape(spark.get("version") or "?")}'
             + (f' · application {escape(spark["app_id"])}' if spark.get("app_id") else "")
             + (" · Spark Connect" if spark.get("connect") else "") + "</span>")
    executors = spark.get("executors")
    facts = "" if not executors else (
        f'<div>executors: <b>{executors["count"]}</b> · cores: <b>{executors["cores"]}</b> · '
        f'storage memory: <b>{escape(amount("memory", executors["memory"]))}</b></div>')
    ui = spark.get("ui")
    link = _link("byzer-spark-ui-link", ui, "Spark UI") if ui else f'<span style="{FAINT}">Spark UI not running</span>'
    errors = "".join(f'<div style="{FAINT}"><small>unavailable: {escape(e)}</small></div>'
                     for e in spark.get("errors") or [])
    return f'<div {box}><div>{where}</div>{facts}<div>{link}</div>{errors}</div>'


def _dashboard(url: Optional[str]) -> str:
    if not url:
        return f'<span style="{FAINT}">dashboard not running</span>'
    return _link("byzer-dashboard-link", url, "Ray dashboard")


def status_html(status: dict, omit: Iterable[str] = ()) -> str:
    box = f'class="byzer-status" style="{FONT};margin:2px 0"'
    if not status.get("connected"):
        return (f'<div {box}><div>{escape(_ray_text(status))}</div>'
                f'<div style="{FAINT}">{escape(versions_text(status))}</div>{spark_html(status.get("spark"))}</div>')
    facts = (f'nodes: <b>{_count(status, "nodes", "alive")}</b> alive, <b>{_count(status, "nodes", "dead", 0)}</b> dead'
             f' · running: <b>{_count(status, "tasks", "running")}</b> tasks, '
             f'<b>{_count(status, "actors", "alive")}</b> actors · pending: {escape(demands_text(status))}')
    found = "".join(f'<div style="{FAINT}"><small>{escape(n)}</small></div>' for n in notes(status, omit))
    return (f'<div {box}>'
            f'<div><b>Ray</b> <code style="{MONO}">{escape(status.get("address") or "?")}</code> '
            f'<span style="{FAINT}">chosen by {escape(status.get("how") or "?")} · '
            f'{escape(versions_text(status))}</span></div>'
            f'<div>{facts}</div>{_nodes_table(status)}<div>{_dashboard(status.get("dashboard_url"))}</div>'
            f'{found}{spark_html(status.get("spark"))}</div>')


# -- the view ---------------------------------------------------------------------------------------

def read_status(session) -> dict:
    from .runtime.driver_client import cluster_for

    try:
        return session_status(cluster_for(session))
    except Exception as error:  # a status read must never break a cell
        return {"connected": False, "errors": [f"{type(error).__name__}: {error}"]}


def session_status(view) -> dict:
    """Ray's status (read where Ray runs: the kernel or its driver process) and the session's
    Spark, which runs in this process."""
    from .engine.spark.status import spark_facts

    status = dict(view.status())
    status["spark"] = spark_facts(getattr(view.session, "spark", None))
    return status


def status_bundle(session, omit: Iterable[str] = ()) -> dict:
    status = read_status(session)
    return {"text/html": status_html(status, omit), "text/plain": status_text(status, omit)}


METADATA = {"byzer": {"status": True}}  # lets `byzer run` tell the status among a cell's outputs


class StatusView:
    """One status output; `refresh()` reads the status again and updates the output in place."""

    def __init__(self, session, omit: Iterable[str] = ()):
        self.session, self.omit = session, tuple(omit)
        self.handle = None
        self.cell = 0  # the cell that showed it (_Refresher)

    def show(self) -> "StatusView":
        from IPython.display import display

        self.handle = display(status_bundle(self.session, self.omit), raw=True, metadata=METADATA,
                              display_id=True)
        return self

    def refresh(self) -> None:
        if self.handle is not None:
            self.handle.update(status_bundle(self.session, self.omit), raw=True, metadata=METADATA)


class _Refresher:
    """One daemon thread refreshing the status view of the running cell. A view follows the
    cluster while its own cell runs and settles after it; a later cell never changes it, so a
    saved notebook shows each status as it was when its cell ended."""

    def __init__(self) -> None:
        self.view: Optional[StatusView] = None
        self.cell = 0  # counts the Byzer cells run; a view belongs to the cell that showed it
        self.interval = 2.0
        self.settle = 5.0  # seconds after its cell's end for a view's last refresh
        self.busy = threading.Event()
        self.wake = threading.Event()  # a cell started, a view was shown, or the kernel is ending
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.thread: Optional[threading.Thread] = None

    def cell_started(self) -> None:
        with self.lock:
            self.cell += 1
            self.busy.set()
            self.wake.set()

    def cell_ended(self) -> None:
        self.busy.clear()

    def follow(self, view: StatusView, interval: float) -> None:
        with self.lock:
            view.cell, self.view, self.interval = self.cell, view, interval
            self.wake.set()
            if interval > 0 and (self.thread is None or not self.thread.is_alive()) and not self.stopped.is_set():
                self.thread = threading.Thread(target=self._run, name="byzer-status-refresh", daemon=True)
                self.thread.start()

    def _current(self) -> Optional[StatusView]:
        view = self.view
        return view if view is not None and view.cell == self.cell else None

    def _run(self) -> None:
        while not self.stopped.is_set():
            self.wake.clear()
            view = self._current() if self.busy.is_set() else None
            if view is None:  # asleep until a cell shows a view: never a loop that spins
                self.wake.wait()
                continue
            while self.busy.is_set() and self._current() is view and not self.stopped.wait(self.interval):
                _refresh(view)
            if self._current() is not view or self.stopped.is_set():
                continue  # a newer view of the same cell took over, or the kernel is ending
            if self.busy.is_set():
                continue
            _refresh(view)  # the state its cell left
            # Ray counts a finished task as running for a moment: once more when that has passed.
            if not self.stopped.wait(self.settle) and not self.busy.is_set() and self._current() is view:
                _refresh(view)
            with self.lock:
                if self.view is view:
                    self.view = None

    def stop(self) -> None:
        self.stopped.set()
        self.busy.clear()
        self.wake.set()
        thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=35)  # a status read waits at most 30 s


def _refresh(view: StatusView) -> None:
    try:
        view.refresh()
    except Exception:  # a refresh must never disturb the kernel
        pass


_refresher = _Refresher()
atexit.register(_refresher.stop)


def cell_running(running: bool) -> None:
    """A Byzer cell started (True) or ended (False): the status view it shows follows it."""
    if running:
        _refresher.cell_started()
    else:
        _refresher.cell_ended()


def stop_refreshing() -> None:
    """Called on kernel shutdown: no status thread outlives the kernel."""
    _refresher.stop()


def show_cluster_status(session, interval: float = 2.0, omit: Iterable[str] = ()) -> None:
    """Display the status (live in a Jupyter kernel, as text elsewhere), leaving out notes the
    cell has already shown."""
    view = StatusView(session, omit).show()
    if in_jupyter_kernel():
        _refresher.follow(view, interval)
