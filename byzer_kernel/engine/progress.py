"""Progress of the statement running now, the same for every front-end (docs/design.md §4.15).

`Session.execute` puts a ProgressTracker between the engine and the front-end's observer. The
tracker hears the runtime's reports (phase, parts and rows done, rows expected), asks DuckDB how far
its running query is, keeps the elapsed time, rows/s and ETA, and passes a `ProgressState` on to
the front-end's `progress` about once a second, for statements that run longer than about a
second; a statement that showed progress gets a last state ("done", "failed", "interrupted")
before `progress_ended`. A timer thread makes the updates keep coming while the engine's thread
is busy in DuckDB or waiting on Ray.
"""
from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from .observer import Observer
from .result_tables import known_row_count

SHOW_AFTER_SECONDS = 1.0  # a statement shows progress once it has run this long
EVERY_SECONDS = 1.0  # one update a second while it runs: cheap for the front-end, never stale
TICK_SECONDS = 0.25  # how often the timer thread looks
RATE_WINDOW_SECONDS = 10.0  # rows/s and ETA follow the last seconds, not the whole run
LABEL_LIMIT = 80

log = logging.getLogger("byzer_kernel")

# What a statement is doing before anything reports: its kind says it.
_DEFAULT_PHASES = {"load": "loading", "save": "saving", "select": "querying"}


def statement_label(statement) -> str:
    """The statement as written up to its `where` (options hold code and secrets), one line."""
    if statement is None:
        return "running"
    words = " ".join(statement.text[:4 * LABEL_LIMIT].split())
    label = re.split(r"\s+where\s", words, maxsplit=1, flags=re.I)[0]
    return label if len(label) <= LABEL_LIMIT else label[:LABEL_LIMIT - 1] + "…"


def duration(seconds: float) -> str:
    """4.2 s, 42 s, 3 min 05 s, 1 h 02 min."""
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def rate_text(rate: float) -> str:
    return f"{rate:,.1f} rows/s" if rate < 10 else f"{rate:,.0f} rows/s"


@dataclass(frozen=True)
class ProgressState:
    """One statement's progress at one moment, as front-ends show it."""

    label: str  # statement_label()
    line: int  # the statement's line in its cell
    phase: str  # "starting Ray", "shipping data", "running", "collecting", "querying", ...
    outcome: str = "running"  # then "done", "failed" or "interrupted"
    elapsed: float = 0.0  # seconds since the statement started
    done: int = 0  # parts (partitions) done ...
    total: int = 0  # ... of total; 0: the work is not cut in parts
    rows: Optional[int] = None  # rows done in this phase (None: not counted)
    rows_total: Optional[int] = None  # rows this phase has to do (None: unknown)
    percent: Optional[float] = None  # 0-100 when known (rows, parts or DuckDB's own measure)
    rate: Optional[float] = None  # rows/s over the last seconds
    eta: Optional[float] = None  # seconds left, while running
    parts: str = "partitions"  # what `done` of `total` counts: "partitions", or "files" for loads and saves

    @property
    def running(self) -> bool:
        return self.outcome == "running"

    def headline(self) -> str:
        """"running", "done in 12 s", "interrupted after 4.1 s (running)"."""
        if self.running:
            return self.phase
        if self.outcome == "done":
            return f"done in {duration(self.elapsed)}"
        return f"{self.outcome} after {duration(self.elapsed)} ({self.phase})"

    def facts(self) -> list:
        """The numbers, each a short phrase: parts, rows, rate, elapsed, ETA."""
        facts = [f"{self.done:,}/{self.total:,} {self.parts}"] if self.total else []
        percent = f"{self.percent:.0f}%" if self.percent is not None else None
        if self.rows is not None:
            rows = (f"{self.rows:,} of {self.rows_total:,} rows" if self.rows_total is not None
                    else f"{self.rows:,} row" + ("" if self.rows == 1 else "s"))
            facts.append(f"{rows} ({percent})" if percent and self.running else rows)
        elif percent and self.running:
            facts.append(percent)
        if self.rate:
            facts.append(rate_text(self.rate))
        if self.running:
            facts.append(f"{duration(self.elapsed)} elapsed")
            if self.eta is not None:
                facts.append(f"ETA {duration(self.eta)}")
        return facts

    def text(self) -> str:
        """One line: the statement, what it is doing (or how it ended), the numbers."""
        facts = " · ".join(self.facts())
        return f"{self.label} — {self.headline()}" + (f": {facts}" if facts else "")


class _Watch:
    """What the tracker knows of the statement running now."""

    def __init__(self, statement, now: float):
        self.statement, self.started = statement, now
        self.label = statement_label(statement)
        self.line = getattr(getattr(statement, "span", None), "line", 1) or 1
        self.phase = _DEFAULT_PHASES.get(getattr(statement, "keyword", ""), "running")
        self.phase_started = now
        self.done = self.total = 0
        self.parts = "partitions"
        self.rows: Optional[int] = None
        self.rows_total: Optional[int] = None
        self.duckdb: Optional[float] = None
        self.samples: deque = deque()  # (time, rows or DuckDB's percent) in this phase
        self.shown, self.emitted_at, self.failed = False, 0.0, False
        self.quiet = False  # a statement whose output is the cluster status shows no progress

    def enter(self, phase: Optional[str], now: float) -> None:
        if phase and phase != self.phase:
            self.phase, self.phase_started, self.duckdb = phase, now, None
            self.samples.clear()

    def report(self, phase, done, total, rows, rows_total, now: float, parts: Optional[str] = None) -> None:
        self.enter(phase, now)
        self.done, self.total, self.rows, self.rows_total = done or 0, total or 0, rows, rows_total
        self.parts = parts or self.parts
        if rows is not None:
            self._sample(now, rows)

    def measure(self, percent: float, now: float) -> None:
        """DuckDB's own percentage of the query it runs now."""
        self.enter("querying", now)
        if self.duckdb is not None and percent < self.duckdb:
            self.samples.clear()  # the next query of the statement
        self.duckdb = percent
        if self.rows is None:
            self._sample(now, percent)

    def _sample(self, now: float, amount: float) -> None:
        self.samples.append((now, amount))
        while len(self.samples) > 2 and self.samples[1][0] < now - RATE_WINDOW_SECONDS:
            self.samples.popleft()

    def _speed(self, now: float) -> Optional[float]:
        """Amount per second over the window (rows, or percent points for DuckDB)."""
        if len(self.samples) < 2:
            return None
        (t0, a0), (_, a1) = self.samples[0], self.samples[-1]
        return (a1 - a0) / (now - t0) if now - t0 >= 0.5 and a1 >= a0 else None

    def state(self, now: float, outcome: str = "running", rows: Optional[int] = None) -> ProgressState:
        speed = self._speed(now) if outcome == "running" else None
        percent = eta = None
        if self.rows is not None and self.rows_total:
            percent = min(100.0, 100.0 * self.rows / self.rows_total)
            if speed:
                eta = max(self.rows_total - self.rows, 0) / speed
        elif self.total:
            percent = 100.0 * self.done / self.total
        elif self.duckdb is not None:
            percent = self.duckdb
            if speed and self.rows is None:
                eta = (100.0 - percent) / speed
        rate = speed if self.rows is not None else None
        if outcome != "running":
            counted, spent = self.rows, now - self.phase_started
            rate = counted / spent if counted and spent > 0 and outcome == "done" else None
            rows = counted if rows is None else rows
        else:
            rows = self.rows
        done = self.total if outcome == "done" and self.total else self.done
        return ProgressState(self.label, self.line, self.phase, outcome, now - self.started, done,
                             self.total, rows, self.rows_total if outcome != "done" else None,
                             percent, rate, eta, self.parts)


class ProgressTracker(Observer):
    """Stands between the engine and a front-end's observer for one `Session.execute`: every event
    passes through; progress is tracked, timed and throttled as the module says."""

    def __init__(self, forward: Observer, poll: Optional[Callable[[], Optional[float]]] = None):
        self.forward, self.poll = forward, poll
        self.lock = threading.RLock()
        self.current: Optional[_Watch] = None
        self.closed = False

    # -- events ---------------------------------------------------------------------------------
    def statement_started(self, statement):
        with self.lock:
            self._end(self.current, "failed")  # one that ended without a word
            self.current = _Watch(statement, time.monotonic())
            if not self.closed:
                _timer.watch(self)
        self.forward.statement_started(statement)

    def statement_finished(self, statement, table):
        with self.lock:
            watch = self.current
            if watch is not None and watch.statement is statement:
                rows = known_row_count(table) if table is not None and table.num_columns else None
                self._end(watch, "failed" if watch.failed else "done", rows)
        self.forward.statement_finished(statement, table)

    def progress(self, statement, done, total, rows=0, *, phase=None, rows_total=None, state=None, parts=None):
        with self.lock:
            watch = self.current
            if watch is None or watch.statement is not statement:
                return
            now = time.monotonic()
            before = watch.phase
            watch.report(phase, done, total, rows, rows_total, now, parts)
            if watch.shown and watch.phase != before and now - watch.emitted_at >= 0.3:
                self._emit(watch, now)  # a new phase shows at once

    def progress_ended(self, statement, ok):
        with self.lock:
            watch = self.current
            if watch is not None and watch.statement is statement and not ok:
                watch.failed = True  # the statement's end (or the cell's) says failed or interrupted

    def message(self, text):
        self.forward.message(text)

    def cluster_status(self, view):
        with self.lock:
            if self.current is not None and not self.current.shown:
                self.current.quiet = True
        self.forward.cluster_status(view)

    def waiting(self, text):
        self.forward.waiting(text)

    # -- the end of the cell ----------------------------------------------------------------------
    def close(self, error: Optional[BaseException]) -> None:
        """The cell ended (with `error`, if it failed): no timer left, no progress left running."""
        _timer.forget(self)
        outcome = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
        with self.lock:  # a tick under way ends first; none comes after
            self.closed = True
            self._end(self.current, outcome)

    # -- inner workings ---------------------------------------------------------------------------
    def _end(self, watch: Optional[_Watch], outcome: str, rows: Optional[int] = None) -> None:
        if watch is None:
            return
        if self.current is watch:
            self.current = None
        if watch.shown:
            self._emit(watch, time.monotonic(), outcome, rows)
            self.forward.progress_ended(watch.statement, outcome == "done")

    def _emit(self, watch: _Watch, now: float, outcome: str = "running", rows=None) -> None:
        state = watch.state(now, outcome, rows)
        watch.shown, watch.emitted_at = True, now
        # `rows` stays a number for observers written before it could be unknown (state.rows: None).
        self.forward.progress(watch.statement, state.done, state.total, state.rows or 0, phase=state.phase,
                              rows_total=state.rows_total, state=state)

    def tick(self) -> None:
        with self.lock:
            watch = self.current
            if watch is None or self.closed:
                return
            now = time.monotonic()
            if watch.quiet or now - watch.started < SHOW_AFTER_SECONDS - TICK_SECONDS:
                return
            if self.poll is not None:
                percent = self.poll()
                if percent is not None:
                    watch.measure(percent, now)
            if now - watch.started >= SHOW_AFTER_SECONDS and now - watch.emitted_at >= EVERY_SECONDS - TICK_SECONDS / 2:
                self._emit(watch, now)


class _Timer:
    """One daemon thread for the process, ticking the trackers of the cells running now (a thread
    per cell would cost every cell its start); asleep while none runs."""

    def __init__(self) -> None:
        self.trackers: set = set()
        self.lock = threading.Lock()
        self.work = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def watch(self, tracker: ProgressTracker) -> None:
        with self.lock:
            self.trackers.add(tracker)
            self.work.set()
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="byzer-progress", daemon=True)
                self.thread.start()

    def forget(self, tracker: ProgressTracker) -> None:
        with self.lock:
            self.trackers.discard(tracker)
            if not self.trackers:
                self.work.clear()

    def _run(self) -> None:
        while True:
            self.work.wait()
            time.sleep(TICK_SECONDS)  # the timer's period, not a wait for something to happen
            with self.lock:
                trackers = list(self.trackers)
            for tracker in trackers:
                try:
                    tracker.tick()
                except Exception:  # a front-end's failure to draw must never stop the statement
                    log.exception("progress display failed")


_timer = _Timer()


# The reporter of the statement running on this thread: loads and saves report the files they have
# read or written from deep inside the formats, which are not handed the statement's events.
_FILE_REPORTER: contextvars.ContextVar = contextvars.ContextVar("byzer_file_progress", default=None)


@contextmanager
def reporting_files(events: Optional[Observer], statement) -> Iterator[None]:
    """While a load or save runs, `report_files` goes to its events as that statement's progress."""
    if events is None:
        yield
        return
    token = _FILE_REPORTER.set(lambda **facts: events.progress(statement, parts="files", **facts))
    try:
        yield
    finally:
        _FILE_REPORTER.reset(token)


def report_files(done: int, total: int, rows: Optional[int] = None, rows_total: Optional[int] = None) -> None:
    """`done` of `total` files read or written, with the rows so far (of `rows_total` when known)."""
    reporter = _FILE_REPORTER.get()
    if reporter is not None:
        reporter(done=done, total=total, rows=rows, rows_total=rows_total)


def wants_progress(events) -> bool:
    """An observer that does nothing with progress needs no tracker (nor its thread)."""
    return events is not None and getattr(type(events), "progress", None) is not Observer.progress


@contextmanager
def watch_progress(events: Optional[Observer], poll=None) -> Iterator[Optional[Observer]]:
    """`events` with a ProgressTracker in front of it for the time of one cell."""
    if not wants_progress(events):
        yield events
        return
    tracker = ProgressTracker(events, poll)
    try:
        yield tracker
    except BaseException as error:
        tracker.close(error)
        raise
    tracker.close(None)
