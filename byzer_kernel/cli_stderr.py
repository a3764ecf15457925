"""What `byzer run` writes on stderr while it runs: notices, the cluster status as text and, when
stderr is a terminal, one line redrawn in place with `\\r` for the Ray start ("starting Ray… 4 s")
and for each long statement (phase, partitions and rows done, rows/s, elapsed).

Nothing is redrawn when stderr is a file or a pipe: a log gets the notices alone, never a stream
of half-lines.
"""
from __future__ import annotations

import os
import re
import sys
import time
from typing import Optional, TextIO

from .engine.observer import Observer

CLEAR_LINE = "\r\033[K"
REDRAW_EVERY = 0.1  # seconds between redraws of a progress line (its first and last state always show)
RATE_AFTER = 0.5  # seconds of running before rows/s means something


class LiveLine:
    """One line of a terminal stream, replaced by each `show`; inert on anything else."""

    def __init__(self, stream: Optional[TextIO] = None):
        self.stream = stream or sys.stderr
        self.enabled = _isatty(self.stream)
        self.shown = False

    def show(self, text: str) -> None:
        if self.enabled:
            self.stream.write(CLEAR_LINE + self._fit(text))
            self.stream.flush()
            self.shown = True

    def keep(self, text: str) -> None:
        """Show `text` as the line's final state and move below it (so that it stays visible)."""
        if self.enabled:
            self.show(text)
            self.stream.write("\n")
            self.stream.flush()
            self.shown = False

    def clear(self) -> None:
        if self.shown:
            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.shown = False

    def _fit(self, text: str) -> str:
        """The first line of `text`, cut to the terminal's width: a wrapped line cannot be redrawn."""
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            width = 0
        if width <= 0:  # a terminal that does not say its size (a fresh pseudo-terminal)
            width = int(os.environ.get("COLUMNS", "0") or 0) if os.environ.get("COLUMNS", "").isdigit() else 0
            width = width or 80
        line = (text or "").splitlines()[0] if text and text.strip() else ""
        return line if len(line) < width else line[:max(width - 2, 1)] + "…"


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def statement_label(statement) -> str:
    """The statement's words up to its `where` (the options are long code), at most 60 characters."""
    if statement is None:
        return "running"
    words = " ".join(statement.text.split())
    label = re.split(r"\s+where\s", words, maxsplit=1, flags=re.I)[0]
    return label if len(label) <= 60 else label[:59] + "…"


class StatementProgress:
    """The progress of one statement, as the runtime reports it, and its one-line text. Elapsed
    counts from the statement's start; rows/s from its first progress report (after Ray started)."""

    def __init__(self, statement, started: float, now: float):
        self.statement, self.started, self.running_since = statement, started, now
        self.label = statement_label(statement)
        self.done = self.total = self.rows = 0
        self.drawn_at: Optional[float] = None

    def update(self, done: int, total: int, rows: int) -> None:
        self.done, self.total, self.rows = done, total, rows

    def due(self, now: float) -> bool:
        if self.drawn_at is None or now - self.drawn_at >= REDRAW_EVERY or (self.total and self.done >= self.total):
            self.drawn_at = now
            return True
        return False

    def text(self, phase: str, now: Optional[float] = None) -> str:
        now = time.monotonic() if now is None else now
        parts = [f"{self.label}: {phase}"]
        if self.total:
            parts.append(f"{self.done}/{self.total} partitions")
        parts.append(f"{self.rows:,} rows")
        running = now - self.running_since
        if self.rows and running >= RATE_AFTER:
            rate = self.rows / running
            parts.append(f"{rate:,.1f} rows/s" if rate < 10 else f"{rate:,.0f} rows/s")
        parts.append(f"{max(now - self.started, 0.0):.1f} s")
        return ", ".join(parts)


class StderrEvents(Observer):
    """The Observer of `byzer run SCRIPT`: notices (e.g. which Ray is used) go to stderr so that
    stdout stays the result; on a terminal, progress and the Ray start are a live line."""

    def __init__(self, stream: Optional[TextIO] = None):
        self.stream = stream or sys.stderr
        self.line = LiveLine(self.stream)
        self.started_at: Optional[float] = None
        self.running: Optional[StatementProgress] = None  # the statement whose progress is shown
        self.notice: Optional[str] = None  # the live "starting Ray… N s" notice, when one is up

    def statement_started(self, statement) -> None:
        self.started_at = time.monotonic()

    def progress(self, statement, done, total, rows=0, *more, **details) -> None:
        # *more/**details: a runtime may report more than these; the line shows what it knows.
        if not self.line.enabled:
            return
        now = time.monotonic()
        if self.running is None or self.running.statement is not statement:
            self.finish("failed")  # a previous statement that ended without saying so
            self.running = StatementProgress(statement, self.started_at or now, now)
        self.running.update(done, total, rows)
        if self.notice is None and self.running.due(now):
            self.line.show(self.running.text("running", now))

    def progress_ended(self, statement, ok) -> None:
        """A statement that ended well keeps its final line; one that did not is finished by the
        caller, who knows whether it failed or was interrupted (`finish`)."""
        if ok and self.running is not None and self.running.statement is statement:
            self.finish("done")

    def finish(self, phase: str) -> None:
        """Leave the running statement's line in its final state ("done", "failed", "interrupted")."""
        running, self.running = self.running, None
        if running is not None:
            if running.total and phase == "done":
                running.done = running.total
            self.line.keep(running.text(phase))

    def message(self, text: str) -> None:
        self.line.clear()
        print(text, file=self.stream, flush=True)
        self._redraw()

    def waiting(self, text) -> None:
        """Live notices ("starting Ray… N s"): redrawn in place on a terminal; elsewhere the first
        one is a line of its own and the rest stay quiet."""
        if self.line.enabled:
            self.notice = text
            if text is None:
                self.line.clear()
                self._redraw()
            else:
                self.line.show(text)
            return
        if text is not None and self.notice is None:
            self.stream.write(text.split("…")[0] + "…\n")
            self.stream.flush()
        self.notice = text

    def cluster_status(self, view) -> None:
        """`!ray status`: the status as text."""
        from .widgets import session_status, status_text

        self.message(status_text(session_status(view)))

    def _redraw(self) -> None:
        if self.running is not None and self.notice is None:
            self.line.show(self.running.text("running"))
