"""`run ... as Ray` over a Spark DataFrame: the executors serve the partitions, Ray reads them
where they live, and the output comes back as a Spark DataFrame (docs/design.md §4.16).

The kernel side of the run, in order:

1. `SparkFeed.start` coalesces the input to at most the executors' task slots (every server must be
   up at once, as `data_servers()` hands all of them to the code) and starts, on a thread of its
   own, a Spark job whose tasks run `spark_tasks.partition_server`: each opens a one-shot server
   on its executor's host and reports its address to the kernel's `AddressBook`.
2. Once every partition of that job's stage has reported, the driver process runs the code with
   those addresses as its input (served_partitions.ExecutorPartitions, spark_fed_run.py).
3. The feed closes: tasks whose partition nobody read are cancelled with their job group.
4. The answer becomes a Spark DataFrame (spark_output.py).

Rows never pass through the kernel or the Spark driver: only addresses do.
"""
from __future__ import annotations

import json
import logging
import socket
import threading
import time
import uuid
from typing import Callable, Optional

from ..engine.spark.frame import SparkFrame
from ..engine.spark.pyspark_internals import scala_context
from ..lang.errors import ByzerError, ByzerRuntimeError

log = logging.getLogger("byzer_kernel")
CLOSE_GRACE = 2.0  # seconds for serving tasks that are finishing on their own before the cancel
JOB_END_WAIT = 10.0  # seconds a failed run waits for the serving job's own failure
POLL = 0.2


def is_spark_table(value) -> bool:
    """A catalog table that lives in Spark (the Spark engine's SparkFrame, engine/spark/frame.py)."""
    return isinstance(value, SparkFrame)


def is_classic(frame) -> bool:
    """Spark Connect DataFrames have no SparkContext: no job groups, no status tracker."""
    return not type(frame).__module__.startswith("pyspark.sql.connect")


class AddressBook:
    """A socket on the Spark driver's host where each serving task reports, in one JSON line,
    the address of the server it opened. The first report of a partition counts; a later one
    comes from a retried task (its executor was lost) and is only kept aside."""

    def __init__(self, bind_host: str, token: str):
        self.token = token
        self.listener = socket.create_server((bind_host, 0))
        self.port = self.listener.getsockname()[1]
        self.reports: dict = {}
        self.late: list = []
        self.changed = threading.Condition()
        self._thread = threading.Thread(target=self._accept, name="byzer-spark-address-book",
                                        daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            try:
                with connection, connection.makefile("rb") as lines:
                    connection.settimeout(10.0)
                    report = json.loads(lines.readline(65536) or b"{}")
            except (OSError, ValueError):
                continue
            if report.pop("token", None) != self.token:
                continue
            with self.changed:
                if report["partition"] in self.reports:
                    self.late.append(report)
                else:
                    self.reports[report["partition"]] = report
                self.changed.notify_all()

    def wait(self, expected: Callable[[], Optional[int]], job_ended: Callable[[], bool],
             timeout: float) -> list:
        """The reports in partition order once every partition reported. `expected()` is the
        partition count once known; the job ending first is the caller's to explain."""
        started = None
        with self.changed:
            while True:
                count = expected()
                if count is not None and len(self.reports) >= count:
                    return [self.reports[p] for p in sorted(self.reports)]
                if job_ended():
                    raise _JobEnded()
                if self.reports and started is None:
                    started = time.monotonic()
                if started is not None and time.monotonic() - started > timeout:
                    raise ByzerRuntimeError(
                        f"only {len(self.reports)} of {count or '?'} Spark partitions were served "
                        f"within {timeout:g} s of the first: Spark has fewer free task slots than "
                        "partitions (other jobs running?); run it again, or raise "
                        "dataWaitServerReadyTimeout")
                self.changed.wait(POLL)

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self._thread.join(5.0)


class _JobEnded(Exception):
    pass


def executor_slots(context) -> int:
    """The tasks the executors can run at once now (local[N]'s N, a cluster's registered executor
    cores), as Spark counts them for barrier stages. defaultParallelism is no count of slots: it
    is at least 2 on a cluster, even of one core."""
    try:
        backend = scala_context(context)
        slots = backend.maxNumConcurrentTasks(backend.resourceProfileManager().defaultResourceProfile())
    except Exception:  # py4j: a Spark without that internal; its default is the next best guess
        slots = context.defaultParallelism
    return max(1, int(slots))


class SparkFeed:
    """The Spark job serving one run's input partitions from the executors."""

    def __init__(self, frame, wait_timeout: float):
        self.spark = frame.sparkSession
        self.context = self.spark.sparkContext
        self.frame = frame.coalesce(executor_slots(self.context))
        self.wait_timeout = wait_timeout
        self.group = f"byzer-ray-feed-{uuid.uuid4().hex}"
        self.book: Optional[AddressBook] = None
        self.thread: Optional[threading.Thread] = None
        self.served: Optional[list] = None  # the job's rows: what each task did
        self.failure: Optional[BaseException] = None
        self.reports: list = []

    def start(self):
        """Starts the serving job and returns the ExecutorPartitions once all are served."""
        from pyspark.sql.pandas.types import to_arrow_schema

        from .partitions import ROWS_PER_BATCH
        from .served_partitions import ExecutorPartitions
        from .spark_tasks import SERVED_DDL, partition_server

        ship_by_value()
        conf = self.context.getConf()
        host = conf.get("spark.driver.host", "127.0.0.1")
        self.book = AddressBook(conf.get("spark.driver.bindAddress", host), uuid.uuid4().hex)
        schema = to_arrow_schema(self.frame.schema, timezone=self._timezone())
        serve = partition_server((host, self.book.port), self.book.token, self.wait_timeout,
                                 ROWS_PER_BATCH, schema)
        job = self.frame.mapInArrow(serve, SERVED_DDL)
        self.thread = threading.Thread(target=self._run_job, args=(job,), daemon=True,
                                       name="byzer-spark-feed")
        self.thread.start()
        try:
            self.reports = self.book.wait(self._partition_count, self._job_ended, self.wait_timeout)
        except _JobEnded:
            raise self._ended_early()
        self._log_reports()
        return ExecutorPartitions([(r["host"], r["port"]) for r in self.reports], schema)

    def _timezone(self) -> str:
        return self.spark.conf.get("spark.sql.session.timeZone") or "UTC"

    def _run_job(self, job) -> None:
        try:
            self.context.setJobGroup(self.group, "byzer: serving partitions to Ray", True)
            self.served = [row.asDict() for row in job.collect()]
        except BaseException as error:  # cancelled at close, or the input failed
            self.failure = error

    def _job_ended(self) -> bool:
        return self.thread is not None and not self.thread.is_alive()

    def _partition_count(self) -> Optional[int]:
        """The serving stage's task count, from the status tracker once a task has reported (a
        plan's partition count can change at run time: adaptive query execution)."""
        if self.served is not None and not self.book.reports:
            return 0  # the job ended without a partition
        if not self.book.reports:
            return None
        stage = next(iter(self.book.reports.values()))["stage"]
        info = self.context.statusTracker().getStageInfo(stage)
        return None if info is None else info.numTasks

    def _ended_early(self) -> BaseException:
        if self.failure is not None:  # Spark's own error: the engine words it (engine/spark/failures.py)
            return self.failure
        errors = [row["error"] for row in self.served or () if row["error"]]
        return ByzerRuntimeError("the Spark partitions of the input table could not be served: "
                                 + (errors[0] if errors else "their tasks ended without a word"))

    def _log_reports(self) -> None:
        for report in self.reports:
            log.info("Spark partition %d of %d served from %s:%d (pid %d, %s)",
                     report["partition"] + 1, len(self.reports), report["host"], report["port"],
                     report["pid"], report["workdir"], extra={"spark_served": report})

    def check_no_task_lost(self) -> None:
        """A serving task that failed while the run read from it (its executor lost at a
        batch boundary) may have ended its stream looking whole: the run cannot be trusted."""
        stage = self.reports[0]["stage"] if self.reports else None
        info = None if stage is None else self.context.statusTracker().getStageInfo(stage)
        if info is not None and info.numFailedTasks:
            raise ByzerRuntimeError(
                f"{info.numFailedTasks} of the {len(self.reports)} Spark tasks serving the input "
                "went away while Ray read from them (an executor lost?): their partitions may "
                "have been cut; run the statement again")

    def job_failure(self, wait: float) -> Optional[BaseException]:
        """The serving job's own failure, if it ends failing within `wait` seconds."""
        if self.thread is not None:
            self.thread.join(wait)
            if not self.thread.is_alive():
                return self.failure
        return None

    def close(self) -> None:
        """Lets finishing tasks end, then cancels the job: a partition nobody read is not
        waited for."""
        if self.thread is not None:
            self.thread.join(CLOSE_GRACE)
            if self.thread.is_alive():
                self.context.cancelJobGroup(self.group)
                self.thread.join(30.0)
        if self.book is not None:
            self.book.close()


def ship_by_value() -> None:
    """Spark's workers get the executor-side modules' code in the task itself."""
    from pyspark import cloudpickle

    from . import arrow_sockets, spark_tasks

    cloudpickle.register_pickle_by_value(arrow_sockets)
    cloudpickle.register_pickle_by_value(spark_tasks)


def run_fed_by_spark(session, statement, events, interpreter, run_options: dict) -> SparkFrame:
    """`run_ray` for an input table that lives in Spark; the answer is a Spark table too. Spark's
    failures leave worded by the engine (SparkError, SparkUnavailableError)."""
    engine = session.spark
    frame = run_options["input_table"].dataframe

    def run():
        from .spark_output import to_spark_dataframe

        if interpreter is not None or not is_classic(frame):
            # pythonExec runs the code from the kernel, and Spark Connect has no job groups: the
            # input comes through here as one Arrow table.
            events.message("the input table comes to the Python code through the kernel "
                           + ("(pythonExec)" if interpreter is not None else "(Spark Connect)"))
            answer = _run_elsewhere(session, statement, events, interpreter,
                                    {**run_options, "input_table": frame.toArrow()})
        else:
            feed = SparkFeed(frame, run_options["wait_timeout"])
            try:
                partitions = feed.start()
                answer = _run_elsewhere(session, statement, events, None,
                                        {**run_options, "input_table": partitions})
                feed.check_no_task_lost()
            except ByzerError:
                # A partition cut by its Spark task's failure: Spark's own error says more.
                failure = feed.job_failure(JOB_END_WAIT)
                if failure is not None:
                    raise failure from None
                raise
            finally:
                feed.close()
        return to_spark_dataframe(frame.sparkSession, answer, run_options["schema"])

    return SparkFrame(engine.run(run, interruptible=False), None, engine.master)  # Ray's run handles interrupts


def _run_elsewhere(session, statement, events, interpreter, run_options: dict):
    if interpreter is not None:
        from .python_exec import run_with_interpreter

        return run_with_interpreter(interpreter=interpreter, **run_options)
    from .driver_client import cluster_for

    return cluster_for(session).run_python(statement, events, **run_options)
