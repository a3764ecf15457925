"""A server process of the tests' own (helpers, not tests): what tests/db_servers.py's servers share.

The server lives in its own temporary directory (data, unix socket, log), listens on 127.0.0.1 on a
free port (another port if something else takes it first), must become ready before a deadline,
and is stopped by its own pid, then its process group: nothing is ever found or ended by name.
"""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

HOST = "127.0.0.1"
START_DEADLINE_S = 60.0
STOP_DEADLINE_S = 30.0
# A server that dies because another process took its port between our pick and its bind is
# started again on another port; anything else is a real failure.
PORT_ATTEMPTS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class ServerStartError(RuntimeError):
    pass


class _PortTaken(Exception):
    pass


class ServerProcess:
    """Temp dir, free-port retries, readiness deadline, stop by pid.

    A server defines _initialise() (before the first launch), _launch(log) -> Popen (started in a
    session of its own, so its process group can be ended), _is_ready() and _on_ready()."""

    name = "server"
    # Log lines that mean "the port was taken before the server bound it".
    port_taken_markers: Sequence[str] = ()

    def __init__(self) -> None:
        self.host = HOST
        self.port: Optional[int] = None
        self.temp_dir: Optional[Path] = None
        self.process: Optional[subprocess.Popen] = None
        self.startup_seconds: Optional[float] = None

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process else None

    @property
    def log_path(self) -> Path:
        assert self.temp_dir is not None
        return self.temp_dir / "server.log"

    @property
    def data_dir(self) -> Path:
        assert self.temp_dir is not None
        return self.temp_dir / "data"

    def start(self) -> "ServerProcess":
        if self.process is not None:
            return self
        began = time.monotonic()
        self.temp_dir = Path(tempfile.mkdtemp(prefix=f"bk{self.name}", dir="/tmp"))
        # Registered before anything is started, so an interrupted start is cleaned up too.
        atexit.register(self.stop)
        try:
            self._initialise()
            self._start_on_a_free_port()
            self._on_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """End the server by its pid (then its process group after a deadline) and remove its
        temp dir. Safe to call twice."""
        atexit.unregister(self.stop)
        if self.process is not None:
            self._terminate(self.process)
            self.process = None
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            self.temp_dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        return tail_of(self.log_path, lines) if self.temp_dir else "(no log)"

    def _initialise(self) -> None:
        pass

    def _launch(self, log) -> subprocess.Popen:
        raise NotImplementedError

    def _is_ready(self) -> bool:
        raise NotImplementedError

    def _on_ready(self) -> None:
        pass

    def _shutdown_signal(self) -> int:
        return signal.SIGTERM

    def _start_on_a_free_port(self) -> None:
        for _ in range(PORT_ATTEMPTS):
            self.port = free_port()
            try:
                self._start_and_wait()
                return
            except _PortTaken:
                continue
        raise ServerStartError(f"{self.name}: every port tried was taken\n{self.log_tail()}")

    def _start_and_wait(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = self._launch(log)
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if _has_exited(self.process):
                code = _end_group_and_reap(self.process)
                self.process = None
                tail = self.log_tail()
                if any(marker in tail for marker in self.port_taken_markers):
                    raise _PortTaken()
                raise ServerStartError(f"{self.name} exited with code {code} while starting; "
                                       f"log tail:\n{tail}")
            if self._is_ready():
                return
            time.sleep(0.05)
        raise ServerStartError(f"{self.name} did not accept connections within "
                               f"{START_DEADLINE_S:.0f} s; log tail:\n{self.log_tail()}")

    def _terminate(self, process: subprocess.Popen) -> None:
        if not _has_exited(process):
            os.kill(process.pid, self._shutdown_signal())
            deadline = time.monotonic() + STOP_DEADLINE_S
            while not _has_exited(process) and time.monotonic() < deadline:
                time.sleep(0.02)
        _end_group_and_reap(process)


def _has_exited(process: subprocess.Popen) -> bool:
    """Whether the process has ended, without reaping it: while its zombie holds the pid, the
    pid cannot be reused, so its process group can still be killed safely."""
    if process.returncode is not None:
        return True
    return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _end_group_and_reap(process: subprocess.Popen) -> int:
    """SIGKILL to the server's process group (it was started in its own session, so the group
    id is its pid), which ends any worker that outlived it; then reap it."""
    if process.returncode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return process.wait()


def tail_of(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run_logged(args: list[str], what: str, log_path: Path, **kwargs) -> None:
    """Run a set-up command (initdb, mariadb-install-db) with its output appended to the log."""
    with open(log_path, "ab") as log:
        done = subprocess.run(args, stdout=log, stderr=subprocess.STDOUT, timeout=120, **kwargs)
    if done.returncode != 0:
        raise ServerStartError(f"{what} failed with code {done.returncode}; log tail:\n"
                               f"{tail_of(log_path)}")
