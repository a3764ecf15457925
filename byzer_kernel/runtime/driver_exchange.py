"""One request's wait on the driver process (driver_client.py starts the process).

While the driver works on a request, the kernel's main thread waits here: it passes on the
driver's events (progress, messages, "connecting to Ray"), writes what the code prints, shows a
live "starting Ray… N s" notice, forwards Ctrl-C to the driver (a second one, or one while Ray is
half-started, ends the driver), and watches for a driver or a remote cluster that went away.
"""
from __future__ import annotations

import collections
import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Connection
from typing import Optional

from ..lang import errors as error_types
from ..lang.errors import ByzerRuntimeError, RayConnectionError
from .ray_address import parse_ray_address, tcp_reachable

POLL_SECONDS = 0.25
NOTICE_AFTER_SECONDS = 1.0  # a connect that takes longer shows "starting Ray… N s"
INTERRUPT_GRACE_SECONDS = 30.0  # time the driver gets to stop a run before it is killed
PROBE_EVERY_SECONDS = 2.0
LOST_AFTER_SECONDS = 10.0  # a remote cluster that refuses TCP this long has stopped answering


class DriverLost(Exception):
    """The driver process ended, or its cluster went away, while a request waited for it."""

    def __init__(self, reason: str, cluster_gone: bool = False):
        super().__init__(reason)
        self.reason, self.cluster_gone = reason, cluster_gone


class Exchange:
    """Waits for the driver's answer to one request, passing on its events, prints and notices,
    forwarding Ctrl-C, and watching for a driver or cluster that went away."""

    def __init__(self, driver, events, statement, on_connected=None):
        self.driver, self.events, self.statement = driver, events, statement
        self.on_connected = on_connected
        self.connecting_since: Optional[float] = None
        self.notice_shown: Optional[str] = None
        self.interrupted_at: Optional[float] = None
        self.unreachable_since: Optional[float] = None
        self.next_probe = time.monotonic() + PROBE_EVERY_SECONDS

    def wait(self):
        while True:
            try:
                message = self.driver.next_message()
                if message is None:
                    self._tick()
                elif message[0] in ("event", "stream"):
                    self._dispatch(message)
            except KeyboardInterrupt:
                self._interrupt()
                continue
            if message is not None and message[0] not in ("event", "stream"):
                return self._answer(message)

    def _tick(self) -> None:
        now = time.monotonic()
        if self.connecting_since is not None and now - self.connecting_since >= NOTICE_AFTER_SECONDS:
            self._notice(f"starting Ray… {int(now - self.connecting_since)} s")
        if self.interrupted_at is not None and now - self.interrupted_at > INTERRUPT_GRACE_SECONDS:
            self._interrupt()  # the driver did not stop the run in time: end it
        if now >= self.next_probe:
            self.next_probe = now + PROBE_EVERY_SECONDS
            self._probe(now)

    def _probe(self, now: float) -> None:
        """A remote cluster whose address refuses connections for LOST_AFTER_SECONDS is gone,
        whatever Ray's own (longer) waits say."""
        if self.connecting_since is not None or not remote_address_refuses(self.driver.ray):
            self.unreachable_since = None
        elif self.unreachable_since is None:
            self.unreachable_since = now
        elif now - self.unreachable_since >= LOST_AFTER_SECONDS:
            raise DriverLost(f"{self.driver.ray['address']} refused connections for "
                             f"{int(LOST_AFTER_SECONDS)} s", cluster_gone=True)

    def _notice(self, text: Optional[str]) -> None:
        waiting = getattr(self.events, "waiting", None)
        if waiting is not None and text != self.notice_shown:
            waiting(text)
            self.notice_shown = text

    def _interrupt(self) -> None:
        if self.connecting_since is not None or self.interrupted_at is not None:
            # Ray half-started, or a second Ctrl-C: end the driver and what it started, now.
            self._notice(None)
            self.driver.kill()
            raise KeyboardInterrupt
        self.interrupted_at = time.monotonic()
        os.kill(self.driver.process.pid, signal.SIGINT)

    def _dispatch(self, message) -> None:
        if message[0] == "stream":
            stream = sys.stderr if message[1] == "stderr" else sys.stdout
            stream.write(message[2])
            stream.flush()
            return
        _, name, args = message
        if name == "ray_connecting":
            self.connecting_since = time.monotonic()
        elif name == "ray_connected":
            self.connecting_since = None
            self._notice(None)
            self.driver.ray = args[0]
            if self.on_connected is not None:
                self.on_connected(args[0])
        elif self.events is not None and name == "progress":
            done, total, rows, phase, rows_total = args
            self.events.progress(self.statement, done, total, rows, phase=phase, rows_total=rows_total)
        elif self.events is not None and name == "progress_ended":
            self.events.progress_ended(self.statement, *args)
        elif self.events is not None and name == "message":
            self.events.message(*args)

    def _answer(self, message):
        self._notice(None)
        kind, value = message
        if kind == "ok":
            return value
        if kind == "interrupted":
            raise KeyboardInterrupt
        if kind == "error":
            error_class = getattr(error_types, value["kind"], ByzerRuntimeError)
            if not (isinstance(error_class, type) and issubclass(error_class, error_types.ByzerError)):
                error_class = ByzerRuntimeError
            raise error_class(value["message"], detail=value.get("detail") or "")
        raise error_types.InternalError.from_traceback_text(value)  # a bug of ours in the driver


ENDED = object()  # the reader's last word: the connection closed


def read_into(connection: Connection, inbox: collections.deque, arrived: threading.Event) -> None:
    try:
        while True:
            inbox.append(connection.recv())
            arrived.set()
    except (EOFError, OSError):
        inbox.append(ENDED)
        arrived.set()


def exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def remote_address_refuses(facts: Optional[dict]) -> bool:
    """True when the Ray in use is a remote cluster whose address refuses connections."""
    if facts is None or facts.get("embedded"):
        return False
    try:
        target = parse_ray_address(str(facts.get("address")))
    except RayConnectionError:
        return True
    return bool(target.port) and not tcp_reachable(target.host, target.port, timeout=1.0)
