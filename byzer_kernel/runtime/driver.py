"""The Ray driver process: where the user's Python code runs and Ray is connected (docs/design.md §4.4).

Ray ties a driver's life to its raylet and GCS: when they go, the driver process exits, and with a
GCS address it takes up to a minute to do so. The kernel therefore never calls `ray.init` itself:
this process does, the way Byzer runs Python in a worker apart from its JVM. driver_client starts it
in a session of its own (its own process group), so a kernel interrupt never reaches Ray's
processes, and sends it one request at a time over an inherited socket:

    ("run", {...})            -> the result table of one `run command as Ray`
    ("start_embedded", {...}) -> start the embedded Ray now and hold it
    ("close_session", {...}), ("shutdown", {})

and, on a second socket served by a thread of its own, (number, "status", {...}) -> (number,
"ok", the cluster-status dict of a session), so that the status view refreshes while code runs.

While a request runs, events go back as ("event", name, args) and text the code prints as
("stream", "stdout"|"stderr", text); the answer is ("ok", value), ("interrupted", None),
("error", {kind, message, detail}) or ("internal", traceback).
"""
from __future__ import annotations

import io
import os
import signal
import sys
import threading
import traceback
from multiprocessing.connection import Connection

from ..lang.errors import ByzerError

PARENT_CHECK_SECONDS = 1.0


class Channel:
    """The connection to the kernel; events come from the main thread and Ray's log thread."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.lock = threading.Lock()

    def send(self, message) -> None:
        with self.lock:
            self.connection.send(message)


class ForwardedStream(io.TextIOBase):
    """sys.stdout / sys.stderr of this process: what the code (and Ray's worker log) prints goes to
    the kernel, which shows it in the running cell."""

    def __init__(self, channel: Channel, name: str):
        self.channel, self.name = channel, name

    def write(self, text: str) -> int:
        if text:
            try:
                self.channel.send(("stream", self.name, str(text)))
            except OSError:  # the kernel is gone; this process ends with it
                pass
        return len(text)

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return "utf-8"


class DriverEvents:
    """The observer a PythonRun reports to in this process; statements stay in the kernel."""

    def __init__(self, channel: Channel):
        self.channel = channel

    def _send(self, name: str, *args) -> None:
        self.channel.send(("event", name, args))

    def progress(self, statement, done, total, rows=0, *, phase=None, rows_total=None):
        self._send("progress", done, total, rows, phase, rows_total)

    def progress_ended(self, statement, ok):
        self._send("progress_ended", ok)

    def message(self, text):
        self._send("message", text)

    def ray_connecting(self):
        self._send("ray_connecting")

    def ray_connected(self, connection):
        self._send("ray_connected", connection_facts(connection))


class DriverSession:
    """What the runtime reads of a kernel Session (its `!python conf` items, owner, home)."""

    def __init__(self):
        self.python_conf: dict = {}
        self.close_hooks: list = []
        self.owner, self.home = "byzer", os.getcwd()
        self.cluster_manager = None  # cluster.ClusterManager: which Ray serves this session

    def update(self, request: dict) -> "DriverSession":
        self.python_conf = dict(request.get("python_conf") or {})
        self.owner, self.home = request.get("owner", self.owner), request.get("home", self.home)
        return self

    def close(self) -> None:
        while self.close_hooks:
            self.close_hooks.pop()()


def connection_facts(connection) -> dict:
    """What the kernel keeps of a RayConnection (picklable, never the token)."""
    return {"address": connection.address, "how": connection.how, "embedded": connection.embedded,
            "dashboard_url": connection.dashboard_url, "kind": connection.kind,
            "notice": connection.notice}


class Driver:
    def __init__(self, channel: Channel):
        self.channel = channel
        self.events = DriverEvents(channel)
        self.sessions: dict[str, DriverSession] = {}
        self.busy = False

    def session(self, request: dict) -> DriverSession:
        return self.sessions.setdefault(request["session_id"], DriverSession()).update(request)

    def run(self, request: dict):
        from .run import PythonRun
        from .served_partitions import ExecutorPartitions

        run_class = PythonRun
        if isinstance(request["input_table"], ExecutorPartitions):  # served by Spark's executors
            from .spark_fed_run import SparkFedRun as run_class
        run = run_class(self.session(request), None, self.events, request["conf"], request["env"],
                        request["schema"], request["input_table"],
                        keep_partition_num=request["keep_partition_num"],
                        model_table=request["model_table"], wait_timeout=request["wait_timeout"])
        return run.run(request["code"])

    def status(self, request: dict) -> dict:
        from .cluster import cluster_for

        return cluster_for(self.session(request)).status()

    def start_embedded(self, request: dict):
        from .cluster import start_embedded

        return start_embedded(**request.get("overrides", {}))

    def close_session(self, request: dict) -> None:
        session = self.sessions.pop(request["session_id"], None)
        if session is not None:
            session.close()

    def handle(self, kind: str, request: dict):
        _follow_kernel(request)
        handler = {"run": self.run, "start_embedded": self.start_embedded,
                   "close_session": self.close_session}.get(kind)
        if handler is None:
            raise ValueError(f"unknown driver request {kind!r}")
        return handler(request)

    def serve(self) -> None:
        from .run import INTERRUPT_REQUESTED

        while True:
            try:
                kind, request = self.channel.connection.recv()
            except KeyboardInterrupt:  # an interrupt that came after its run had ended
                continue
            except (EOFError, OSError):
                return
            if kind == "shutdown":
                return
            INTERRUPT_REQUESTED.clear()
            self.busy = True
            try:
                reply = ("ok", self.handle(kind, request))
            except KeyboardInterrupt:
                reply = ("interrupted", None)
            except ByzerError as error:
                reply = ("error", {"kind": type(error).__name__, "message": error.message,
                                   "detail": error.detail})
            except BaseException:  # a bug of ours: the kernel shows it as an internal error
                reply = ("internal", traceback.format_exc())
            finally:
                self.busy = False
            self.channel.send(reply)

    def serve_side(self, side: Connection) -> None:
        """Status reads, answered on their own thread while the main thread may run code."""
        while True:
            try:
                number, kind, request = side.recv()
            except (EOFError, OSError):
                return
            try:
                if kind != "status":
                    raise ValueError(f"unknown side request {kind!r}")
                answer, value = "ok", self.status(request)
            except Exception:  # a bug of ours; status reads guard Ray's own failures
                answer, value = "internal", traceback.format_exc()
            side.send((number, answer, value))


def _follow_kernel(request: dict) -> None:
    """Take on the kernel's folder and any sys.path entry it has and this process lacks."""
    if request.get("cwd") and os.path.isdir(request["cwd"]) and request["cwd"] != os.getcwd():
        os.chdir(request["cwd"])
    missing = [p for p in request.get("sys_path", ()) if p not in sys.path]
    sys.path.extend(missing)


def _interrupt_handler(driver: Driver):
    from .run import INTERRUPT_REQUESTED

    def on_sigint(signum, frame):
        if driver.busy:  # an interrupt between two requests has nothing to stop
            INTERRUPT_REQUESTED.set()
            raise KeyboardInterrupt

    return on_sigint


def _preload() -> None:
    """pyjava and pandas load while the kernel waits for its first Python cell (Ray does not:
    a kernel that never runs Python should not pay for it)."""
    try:
        from . import run  # noqa: F401
    except Exception:  # the first run reports any real problem itself
        pass


def _end_with_parent(parent: int) -> None:
    """The kernel died without a word (SIGKILL): end this process group, the embedded Ray too."""
    event = threading.Event()
    while not event.wait(PARENT_CHECK_SECONDS):
        if os.getppid() != parent:
            os.killpg(os.getpgrp(), signal.SIGKILL)


def main(argv: list) -> None:
    fd, side_fd, parent = int(argv[0]), int(argv[1]), int(argv[2])
    channel = Channel(Connection(fd))
    sys.stdout, sys.stderr = ForwardedStream(channel, "stdout"), ForwardedStream(channel, "stderr")
    driver = Driver(channel)
    signal.signal(signal.SIGINT, _interrupt_handler(driver))
    threading.Thread(target=_end_with_parent, args=(parent,), name="byzer-parent-watch",
                     daemon=True).start()
    channel.send(("ready", os.getpid()))
    threading.Thread(target=_preload, name="byzer-preload", daemon=True).start()
    threading.Thread(target=driver.serve_side, args=(Connection(side_fd),), name="byzer-status",
                     daemon=True).start()
    try:
        driver.serve()
    finally:
        for session in list(driver.sessions.values()):
            try:
                session.close()
            except Exception:  # closing must go on; the process ends anyway
                pass
        if "ray" in sys.modules:
            import ray

            ray.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
