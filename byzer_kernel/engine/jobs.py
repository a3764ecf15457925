"""The jobs of a session, as `!show jobs` lists them and `!kill` names them (docs/spec.md §10.6).

Every `Session.execute` call (one cell, one `byzer run` script) is one job, recorded from its start
to its end: Byzer's JobManager keeps one MLSQLJobInfo per request the same way. The log keeps the
session's history (Byzer forgets a job when it ends), so a finished or failed run can still be seen.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..lang.errors import ByzerRuntimeError

RUNNING, FINISHED, FAILED, KILLED = "running", "finished", "failed", "killed"
KEEP_JOBS = 1000  # enough history for any notebook; the oldest ended jobs go first


@dataclass
class Job:
    name: str  # "1", "2", ...: what a user types after `!kill` (Byzer's jobName)
    group_id: str  # Byzer's groupId: a uuid, also accepted by `!kill`
    content: str  # the text's first non-blank line
    start_time: float  # seconds since the epoch
    thread_id: int
    state: str = RUNNING
    kill_requested: bool = False
    _started: float = field(default_factory=time.monotonic)
    _ended: Optional[float] = None

    @property
    def elapsed(self) -> float:
        """Seconds from start to end, or to now while the job runs."""
        return (self._ended if self._ended is not None else time.monotonic()) - self._started

    def end(self, state: str) -> None:
        self.state, self._ended = state, time.monotonic()


class JobLog:
    def __init__(self) -> None:
        self._jobs: deque = deque(maxlen=KEEP_JOBS)
        self._running: dict[int, list] = {}  # thread id -> its running jobs, innermost last
        self._lock = threading.Lock()
        self._count = 0
        # The table the last successful job left, for `!lastCommand` at the start of a later cell.
        self.last_table: Optional[tuple] = None

    def run(self, text: str, execute: Callable):
        """Run `execute()` (which returns the Session's Result) as one job of this log."""
        job = self._start(text)
        try:
            result = execute()
        except KeyboardInterrupt:  # the kernel's interrupt: the job was stopped
            self._finish(job, KILLED)
            raise
        except BaseException:
            self._finish(job, KILLED if job.kill_requested else FAILED)
            raise
        self._finish(job, FINISHED)
        if result is not None and result.has_table:
            self.last_table = (result.table_name, result.produced)  # a Spark table stays in Spark
        return result

    def _start(self, text: str) -> Job:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        with self._lock:
            self._count += 1
            job = Job(name=str(self._count), group_id=uuid.uuid4().hex, content=lines[0] if lines else "",
                      start_time=time.time(), thread_id=threading.get_ident())
            self._jobs.append(job)
            self._running.setdefault(job.thread_id, []).append(job)
        return job

    def _finish(self, job: Job, state: str) -> None:
        with self._lock:
            job.end(state)
            stack = self._running.get(job.thread_id, [])
            if job in stack:
                stack.remove(job)
            if not stack:
                self._running.pop(job.thread_id, None)

    def current(self) -> Optional[Job]:
        """The job running on this thread (the innermost when one runs inside another)."""
        with self._lock:
            stack = self._running.get(threading.get_ident())
            return stack[-1] if stack else None

    def all(self) -> list:
        with self._lock:
            return list(self._jobs)

    def find(self, key: str) -> Job:
        """The job named `key` (its number) or with groupId `key`; a clear error otherwise."""
        key = key.strip().strip("`")
        with self._lock:
            for job in self._jobs:
                if key in (job.name, job.group_id):
                    return job
            known = ", ".join(job.name for job in self._jobs) or "none"
        raise ByzerRuntimeError(f"no job `{key}` in this session (jobs: {known}; `!show jobs;` lists them)")
