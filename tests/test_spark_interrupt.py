"""A kernel interrupt while Spark runs a session's query (engine/spark/interrupts.py): SIGINT to
this process, what the kernel's interrupt is, once Spark's status tracker shows the job running.
The job must be cancelled (it would otherwise run for hours) and the session must go on, its
next statements getting their own answers."""
import os
import signal
import threading
import time

import pytest

from spark_local import local_spark, spark_session  # noqa: F401  (fixtures: one local[2] Spark)

# Hours of work for two cores; Spark's range checks for a cancelled task as it goes.
ENDLESS = "select sum(id) as s from range(0, 100000000000000) as endless;"


def active_jobs(spark) -> list:
    return list(spark.sparkContext.statusTracker().getActiveJobsIds())


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def interrupted(spark, action) -> None:
    """Run `action` in this (the main) thread and interrupt it once a Spark job runs."""
    inside, seen = threading.Event(), threading.Event()

    def interrupt(signum, frame):  # Python's own handler, but only while the action runs: a
        if inside.is_set():        # signal that comes late must not stop the rest of the tests
            raise KeyboardInterrupt

    def interrupt_when_running():
        deadline = time.monotonic() + 60
        while inside.is_set() and time.monotonic() < deadline and not seen.is_set():
            if active_jobs(spark):
                seen.set()
            time.sleep(0.05)
        if inside.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, interrupt)
    timer = threading.Thread(target=interrupt_when_running, daemon=True)
    try:
        inside.set()
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                action()
        finally:
            inside.clear()
        timer.join(65)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen.is_set(), "the interrupt came before Spark ran a job"
    wait_until(lambda: not active_jobs(spark), 30, "Spark's job cancelled")


def still_usable(session) -> None:
    for value in ("one", "two"):  # each answer its own: no call reads the interrupted one's
        assert session.execute(f"select '{value}' as v as after").table.to_pylist() == [{"v": value}]


def test_an_interrupted_statement_cancels_its_spark_job(local_spark, spark_session, tmp_path):  # noqa: F811
    spark_session.execute(ENDLESS)  # lazy: nothing runs yet
    interrupted(local_spark, lambda: spark_session.execute(f"save overwrite endless as json.`{tmp_path / 'out'}`;"))
    still_usable(spark_session)


def test_interrupted_rows_of_a_result_cancel_its_spark_job(local_spark, spark_session):  # noqa: F811
    result = spark_session.execute(ENDLESS)
    interrupted(local_spark, lambda: result.shown_table(20))
    still_usable(spark_session)
