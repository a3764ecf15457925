"""A standalone cluster lost while a statement runs (docs/reference/spark-engine.md, "Errors").

A standalone Spark application outlives its master: it waits for a new one to take it over (the
masters' high availability), and its jobs wait for executors, for ever. With the master and every
executor gone, the statement that runs would hang. A watch thread per SparkContext on a
`spark://` master sees that state (jobs running, no executor left, no master address taking a
connection) and, once it has lasted GRACE_SECONDS, cancels the context's jobs: the statement then
fails, and failures.spark_failure says the cluster was lost (lost_reason) instead of "cancelled"."""
from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Any, Optional

from .choice import probe_addresses
from .pyspark_internals import scala_context

POLL_SECONDS = 0.5
# A worker restarting or a master failing over leaves a gap of a moment; a lost cluster stays lost.
GRACE_SECONDS = 5.0
PROBE_TIMEOUT_SECONDS = 1.0

log = logging.getLogger("byzer_kernel")
_lock = threading.Lock()
_watches: dict[int, "ClusterWatch"] = {}  # id(SparkContext) -> its watch
_lost: dict[str, str] = {}  # master URL -> what was lost, while its context lives


class ClusterWatch:
    def __init__(self, context: Any, master: str) -> None:
        self.context, self.master = context, master
        self.addresses = probe_addresses(master)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="byzer-spark-cluster-watch", daemon=True)

    def start(self) -> "ClusterWatch":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()

    def _watch(self) -> None:
        stranded_since: Optional[float] = None
        while not self._stopped.wait(POLL_SECONDS):
            try:
                stranded = self._stranded()
            except Exception as error:  # noqa: BLE001 (the JVM went away: the statement's own failure says so)
                log.debug("the Spark cluster watch ends: %s", error)
                return
            if not stranded:
                stranded_since = None
                continue
            now = time.monotonic()
            stranded_since = stranded_since or now
            lost = _lost.get(self.master)
            if lost is None and now - stranded_since < GRACE_SECONDS:
                continue
            if lost is None:
                shown = ", ".join(f"{host}:{port}" for host, port in self.addresses)
                _lost[self.master] = (f"its master ({shown}) does not answer and no executor is left "
                                      f"(for {GRACE_SECONDS:.0f} s), so Spark's running jobs were cancelled")
            self._cancel()

    def _stranded(self) -> bool:
        """Jobs are running, yet no executor and no master are there to run them."""
        tracker = scala_context(self.context).statusTracker()
        if len(tracker.getActiveJobIds()) == 0:
            return False
        if len(tracker.getExecutorInfos()) > 1:  # the driver is listed too
            return False
        return not any(_answers(host, port) for host, port in self.addresses)

    def _cancel(self) -> None:
        try:
            self.context.cancelAllJobs()
        except Exception as error:  # noqa: BLE001 (nothing left to cancel)
            log.debug("cancelling the jobs of a lost Spark cluster: %s", error)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
            return True
    except OSError:
        return False


def watch(context: Any) -> None:
    """Watch `context` when it runs on a standalone master (once per context)."""
    master = str(context.master)
    if not master.startswith("spark://"):
        return
    with _lock:
        if id(context) not in _watches:
            _lost.pop(master, None)
            _watches[id(context)] = ClusterWatch(context, master).start()


def forget(context: Any) -> None:
    """The context stopped: its watch ends, and what it found lost with it."""
    with _lock:
        found = _watches.pop(id(context), None)
        if found is not None:
            found.stop()
            _lost.pop(found.master, None)


def lost_reason(master: str) -> Optional[str]:
    """What was lost of `master`'s cluster while a statement ran, or None."""
    return _lost.get(master)
