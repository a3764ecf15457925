"""How far one `run command as Ray` is, measured where the work happens (the driver process) and
sent to the kernel twice a second while it changes (docs/design.md §4.15).

The parts of a run move plain counters (the data servers count the rows they have sent, the Ray
tasks of foreach/map_iter report the rows they have consumed, `collect()` and the result's
conversion count theirs); a thread of the meter reads them and sends
`events.progress(statement, done, total, rows, phase=..., rows_total=...)`. The kernel times,
throttles and shows them (engine/progress.py).
"""
from __future__ import annotations

import threading
from typing import Callable, Optional

REPORT_SECONDS = 0.5


class RunMeter:
    def __init__(self, events, statement):
        self.events, self.statement = events, statement
        self.phase = "running"
        self.done = self.total = 0
        self.rows: Optional[int] = None  # rows done in this phase; None: not counted
        self.rows_total: Optional[int] = None
        # The data servers' (rows sent, rows to send): while rows remain, the run is shipping data.
        self.shipping: Optional[Callable[[], tuple]] = None
        self.lock = threading.Lock()
        self.sent: Optional[tuple] = None
        self.stopped = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def set(self, phase: str, rows: Optional[int] = None, rows_total: Optional[int] = None,
            done: int = 0, total: int = 0) -> None:
        """Enter `phase` with its counters."""
        self.phase, self.rows, self.rows_total, self.done, self.total = phase, rows, rows_total, done, total

    def add_rows(self, count: int) -> None:
        self.rows = (self.rows or 0) + count

    def snapshot(self) -> tuple:
        if self.phase == "running" and self.shipping is not None:
            sent, to_send = self.shipping()
            if sent < to_send:
                return ("shipping data", 0, 0, sent, to_send)
        return (self.phase, self.done, self.total, self.rows, self.rows_total)

    def send(self) -> None:
        with self.lock:
            snapshot = self.snapshot()
            if snapshot != self.sent:
                self.sent = snapshot
                phase, done, total, rows, rows_total = snapshot
                self.events.progress(self.statement, done, total, rows, phase=phase, rows_total=rows_total)

    def start(self) -> None:
        self.send()
        self.thread = threading.Thread(target=self._run, name="byzer-run-meter", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopped.wait(REPORT_SECONDS):
            try:
                self.send()
            except OSError:  # the kernel went away; the driver ends with it
                return

    def stop(self) -> None:
        """The last counts go out before the run's end does."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join()
        self.send()
