"""The kernel's side of the Ray driver process (driver.py says why the process exists).

    view = cluster_for(session)          # the session's window on Ray (no process started)
    view.run_python(statement, events, **request) -> pa.Table
    view.status() -> dict; view.connection -> facts of the Ray in use, or None
    start_embedded(**overrides); shutdown()   # tests, benchmarks, kernel exit

One driver process serves every session of this process and is started on first need. If it
ends while a run waits, the run gets one error: a RayConnectionError naming the address when its
remote cluster went away too, else a PythonCodeError (the code ended its process: exit, signal,
out of memory). The next request starts a new driver.
"""
from __future__ import annotations

import atexit
import collections
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from multiprocessing.connection import Connection
from typing import Optional

from ..lang import errors as error_types
from ..lang.errors import ByzerRuntimeError, PythonCodeError, RayConnectionError
from .driver_exchange import (ENDED, POLL_SECONDS, DriverLost, Exchange, exit_text, read_into,
                              remote_address_refuses)

# Ray's own waits for a lost GCS / Ray client server, shortened so a loss is reported within 30 s.
RAY_LOSS_SETTINGS = {"RAY_gcs_rpc_server_reconnect_timeout_s": "15",
                     "RAY_CLIENT_RECONNECT_GRACE_PERIOD": "10"}


class DriverProcess:
    def __init__(self):
        self.process: Optional[subprocess.Popen] = None
        self.connection: Optional[Connection] = None
        # Status reads travel apart from runs, so the status view can refresh while a run goes on.
        self.side: Optional[Connection] = None
        self.side_lock = threading.Lock()
        self.side_count = 0  # numbers side requests, so a late answer is never taken for another
        # Messages arrive through a reader thread, so a Ctrl-C in the kernel's main thread can
        # never cut one in half.
        self.inbox: collections.deque = collections.deque()
        self.arrived = threading.Event()
        self.log_path: Optional[str] = None
        self.ray: Optional[dict] = None  # connection facts of the Ray in use (driver.connection_facts)
        self.generation = 0  # counts driver processes, so views can tell a stale connection
        self.lock = threading.RLock()

    # -- life --------------------------------------------------------------------------------------
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        if self.alive():
            return
        self.stop()
        self.generation += 1
        ours, theirs = socket.socketpair()
        side_ours, side_theirs = socket.socketpair()
        folder = tempfile.mkdtemp(prefix="byzer-driver-")
        self.log_path = os.path.join(folder, "driver.log")
        env = {**os.environ, **{k: v for k, v in RAY_LOSS_SETTINGS.items() if k not in os.environ}}
        with open(self.log_path, "ab") as log:
            # Its own session: Ctrl-C in the kernel (sent to the kernel's process group) never
            # reaches the driver or the Ray processes it starts.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "byzer_kernel.runtime.driver", str(theirs.fileno()),
                 str(side_theirs.fileno()), str(os.getpid())],
                pass_fds=(theirs.fileno(), side_theirs.fileno()), stdin=subprocess.DEVNULL,
                stdout=log, stderr=log, env=env, start_new_session=True)
        theirs.close()
        side_theirs.close()
        self.connection, self.side = Connection(ours.detach()), Connection(side_ours.detach())
        self.inbox, self.arrived = collections.deque(), threading.Event()
        threading.Thread(target=read_into, args=(self.connection, self.inbox, self.arrived),
                         name="byzer-driver-reader", daemon=True).start()
        try:
            self._expect_ready()
        except BaseException:
            self.stop()
            raise

    def next_message(self):
        """The next message from the driver, or None after POLL_SECONDS; DriverLost when the
        driver process ended."""
        if not self.inbox:
            self.arrived.wait(POLL_SECONDS)
            self.arrived.clear()
        if self.inbox:
            message = self.inbox.popleft()
            if message is not ENDED:
                return message
        elif self.process.poll() is None:
            return None
        raise DriverLost(f"its driver process ended with {exit_text(self.process.wait())}")

    def _expect_ready(self) -> None:
        deadline = time.monotonic() + 120
        try:
            message = self.next_message()
            while message is None and time.monotonic() < deadline:
                message = self.next_message()
        except DriverLost as lost:
            message = (str(lost),)
        if message is None or message[0] != "ready":
            why = "it did not answer" if message is None else message[0]
            raise ByzerRuntimeError(f"the Python driver process did not start ({why}; see {self.log_path})")

    def stop(self) -> None:
        """End the driver and every process of its group (the embedded Ray included)."""
        process, connection, side = self.process, self.connection, self.side
        self.process, self.connection, self.side, self.ray = None, None, None, None
        if connection is not None:
            try:
                connection.send(("shutdown", {}))
            except OSError:
                pass
        if process is not None:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            _kill_group(process.pid)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for channel in (connection, side):
            if channel is not None:
                channel.close()
        if self.log_path is not None:
            shutil.rmtree(os.path.dirname(self.log_path), ignore_errors=True)
            self.log_path = None

    def kill(self) -> None:
        process = self.process
        if process is not None:
            _kill_group(process.pid)
            process.wait()
        self.stop()

    # -- one request ----------------------------------------------------------------------------------
    def request(self, kind: str, payload: dict, events=None, statement=None, on_connected=None):
        with self.lock:
            self.start()
            self.connection.send((kind, payload))
            try:
                return Exchange(self, events, statement, on_connected).wait()
            except DriverLost as lost:
                cluster_gone = lost.cluster_gone or remote_address_refuses(self.ray)
                where = self._where()
                self.kill()
                if cluster_gone:
                    raise RayConnectionError(
                        f"the Ray cluster at {where} stopped answering during the run ({lost}); "
                        "the next run connects again") from None
                # The cluster still answers (or was this process's own): the code ended it.
                raise PythonCodeError(
                    f"the Python process running the code ended ({lost.reason}); the next run "
                    "starts a new one" + (" with a new embedded Ray" if self._embedded() else "")
                ) from None

    def _embedded(self) -> bool:
        return self.ray is None or bool(self.ray.get("embedded"))

    def side_request(self, kind: str, payload: dict, timeout: float = 30.0):
        """A quick read (status) answered by the driver even while it runs code."""
        with self.side_lock:
            side, process = self.side, self.process
            if side is None or process is None or process.poll() is not None:
                raise DriverLost("the driver process is not running")
            self.side_count += 1
            deadline = time.monotonic() + timeout
            try:
                side.send((self.side_count, kind, payload))
                while True:  # an answer to an earlier read that timed out is skipped
                    if not side.poll(max(deadline - time.monotonic(), 0)):
                        raise DriverLost(f"the driver process gave no {kind} within {timeout:.0f} s")
                    number, answer, value = side.recv()
                    if number == self.side_count:
                        break
            except (EOFError, OSError) as error:
                raise DriverLost(f"the driver process went away ({error})") from None
            if answer != "ok":
                raise error_types.InternalError.from_traceback_text(value)
            return value

    def _where(self) -> str:
        return "embedded (the local Ray of this kernel)" if self._embedded() else str(self.ray["address"])


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # the driver leads its own group (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass


_driver = DriverProcess()
atexit.register(_driver.stop)


def driver() -> DriverProcess:
    return _driver


def prestart() -> None:
    """Start the driver process (not Ray) ahead of the first Python cell."""
    with _driver.lock:
        _driver.start()


def start_embedded(**overrides) -> Optional[str]:
    """Start the embedded Ray in the driver now and hold it for the life of the driver (test
    suites, benchmarks). overrides: num_cpus, include_dashboard, object_store_mb."""
    return _driver.request("start_embedded", {"overrides": overrides})


def shutdown() -> None:
    with _driver.lock:
        _driver.stop()


# -- the session's view ---------------------------------------------------------------------------
class ClusterView:
    """A kernel session's window on the driver: runs, status, and which Ray it is using."""

    def __init__(self, session):
        self.session = session
        self.id = uuid.uuid4().hex
        self._connected: tuple = (0, None)  # (driver generation, connection facts)

    def _payload(self, payload: dict) -> dict:
        # The kernel's sys.path and folder, so code and Ray workers import and open what they
        # would in the kernel.
        return {"session_id": self.id, "python_conf": dict(self.session.python_conf),
                "owner": self.session.owner, "home": str(self.session.home),
                "sys_path": list(sys.path), "cwd": os.getcwd(), **payload}

    def _request(self, kind: str, payload: dict, events=None, statement=None):
        return _driver.request(kind, self._payload(payload), events, statement, self._remember)

    def _remember(self, facts: dict) -> None:
        self._connected = (_driver.generation, facts)

    def run_python(self, statement, events, **request):
        return self._request("run", request, events, statement)

    @property
    def connection(self) -> Optional[dict]:
        generation, facts = self._connected
        return facts if _driver.alive() and generation == _driver.generation else None

    def status(self) -> dict:
        from .cluster_status import idle_status

        if _driver.alive():
            try:
                return _driver.side_request("status", self._payload({}))
            except DriverLost:
                pass
        return idle_status(*self.configured_address())

    def configured_address(self) -> tuple:
        from .cluster import ADDRESS_ENV

        conf = (self.session.python_conf.get("rayAddress") or "").strip()
        if conf:
            return conf, "rayAddress"
        env = os.environ.get(ADDRESS_ENV, "").strip()
        return (env, ADDRESS_ENV) if env else (None, None)

    def close(self) -> None:
        if _driver.alive():
            try:
                self._request("close_session", {})
            except (ByzerRuntimeError, OSError):  # closing must go on whatever the driver does
                pass


def cluster_for(session) -> ClusterView:
    view = session.cluster_view
    if view is None:
        view = session.cluster_view = ClusterView(session)
        session.close_hooks.append(view.close)
    return view
