"""A kernel interrupt (Ctrl-C: SIGINT, a KeyboardInterrupt in the main thread) while Spark works
for a session: the session's Spark jobs are cancelled, the cell gets the KeyboardInterrupt, and the
session stays usable (docs/reference/spark-engine.md, "Starting and stopping").

Python stops waiting when the interrupt comes, but Spark does not know: its jobs would run on,
holding the executors' slots. Nor may the interrupt be raised inside a py4j call: pyspark's row
fetches wait in a `finally` for the JVM's serving thread, which ends only with the job (the
interrupt would hang until the query ends), and py4j's clean-up of an interrupted call shuts the
other threads' connections down (the JVM's gateway then took no new ones in the tests). So the
first SIGINT raises nothing: it cancels this session's operations from a thread of its own
(SparkSession.interruptAll, not the whole context's jobs as pyspark's own SIGINT handler does:
other sessions of the process may share the SparkContext), the waiting call returns with the
cancelled job's failure, and that failure leaves as the KeyboardInterrupt. A second SIGINT goes
to the handler that was there (the kernel's, Python's), for a Spark that does not answer.
"""
from __future__ import annotations

import logging
import signal
import threading
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("byzer_kernel")


@contextmanager
def cancelled_on_interrupt(spark: Any):
    """Around a call into Spark from any thread: on an interrupt, cancel the session's jobs and
    raise KeyboardInterrupt. `spark` is the SparkSession, or a callable giving it (or None)."""
    interrupted = threading.Event()
    with _cancel_on_sigint(spark, interrupted):
        try:
            yield
        except KeyboardInterrupt:
            if not interrupted.is_set():  # raised by other means than our handler: cancel here
                cancel(spark)
            raise
        except Exception:
            if interrupted.is_set():  # the cancelled job's failure
                raise KeyboardInterrupt from None
            raise
        if interrupted.is_set():  # it finished before the cancel reached it: still the user's stop
            raise KeyboardInterrupt


@contextmanager
def _cancel_on_sigint(spark: Any, interrupted: threading.Event):
    """While in the main thread: the first SIGINT starts the cancel and lets the call return."""
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if not callable(previous):  # another thread, or interrupts ignored / not Python's to handle
        yield
        return

    def on_sigint(signum, frame):
        session = _resolved(spark)
        if session is None or interrupted.is_set():  # nothing to cancel, or a second interrupt
            if _is_pysparks_handler(previous):  # it cancels every session's jobs, over a busy connection
                raise KeyboardInterrupt
            previous(signum, frame)
            return
        interrupted.set()
        threading.Thread(target=cancel, args=(session,), name="byzer-spark-cancel", daemon=True).start()

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _resolved(spark: Any) -> Any:
    try:
        return spark() if callable(spark) else spark
    except Exception:  # noqa: BLE001 (a table without a session: nothing to cancel)
        return None


def _is_pysparks_handler(handler: Any) -> bool:
    return "SparkContext" in getattr(handler, "__qualname__", "")


def cancel(spark: Any) -> None:
    """Stop every operation `spark` (a SparkSession, or a callable giving it) runs now; never
    fails (a Spark that went away has nothing left to stop, and the interrupt must reach the user
    as itself)."""
    try:
        spark = _resolved(spark)
        if spark is not None:
            spark.interruptAll()
    except Exception as error:  # noqa: BLE001 (see the docstring)
        log.debug("cancelling Spark's jobs after an interrupt: %s", error)
