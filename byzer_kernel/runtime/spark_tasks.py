"""What runs in Spark's Python workers for a Spark-fed `run command as Ray` (docs/design.md §4.16).

Two functions for `DataFrame.mapInArrow`, each built by a factory in the kernel:

* `partition_server(...)`: one task per input partition opens a one-shot data server on its own
  host, tells the kernel's address book where it is, serves its partition to the one Ray reader
  as the batches come out of Spark (nothing is gathered first), and ends. Its output is one row
  saying what it did.
* `output_reader(...)`: one task per output partition reads the stream a Ray task serves and
  hands the batches to Spark.

Like arrow_sockets.py, this module imports only the standard library and pyarrow, and the kernel
ships both modules by value (spark_feed.py), so Spark's workers need no byzer_kernel installed.
"""
from __future__ import annotations

import json
import os
import socket

import pyarrow as pa

from .arrow_sockets import accept_once, close_quietly, listen, read_stream, write_stream

# One row per serving task: what the test and the log look at (docs/design.md §4.16).
SERVED_SCHEMA = pa.schema([("partition", pa.int64()), ("attempt", pa.int64()), ("host", pa.string()),
                           ("port", pa.int64()), ("pid", pa.int64()), ("workdir", pa.string()),
                           ("rows", pa.int64()), ("error", pa.string())])
SERVED_DDL = ("partition bigint, attempt bigint, host string, port bigint, pid bigint, "
              "workdir string, rows bigint, error string")
OUTPUT_LOST = "BYZER_RAY_OUTPUT_LOST"  # found by the kernel in Spark's wrapped error text
REPORT_TIMEOUT = 30.0


def partition_server(address_book: tuple, token: str, timeout: float, rows_per_batch: int,
                     schema: pa.Schema):
    """The mapInArrow function serving each partition once. `address_book` is the kernel's
    (host, port); `schema` is the stream's schema when a partition has no batch at all."""

    def serve(batches):
        from pyspark import TaskContext

        task = TaskContext.get()
        served = {"partition": task.partitionId(), "attempt": task.attemptNumber(), "host": "",
                  "port": 0, "pid": os.getpid(), "workdir": os.getcwd(), "rows": 0, "error": ""}
        lineage = _ancestors()  # the executor's processes, alive now
        batches = iter(batches)
        if served["attempt"] > 0:
            # A retry (its executor was lost): Ray has the first attempt's address, so nobody
            # reads this one. Computing the partition still ends the job with Spark's own error
            # when the failure was the input's.
            for _ in batches:
                pass
            served["error"] = "a retried task serves nobody"
            yield pa.RecordBatch.from_pylist([served], schema=SERVED_SCHEMA)
            return
        first = next(batches, None)  # Spark computes the first batch: its schema is the stream's
        try:
            with socket.create_connection(address_book, timeout=REPORT_TIMEOUT) as link:
                # The address this host reaches the kernel from is the one Ray's workers can use.
                served["host"] = link.getsockname()[0]
                listener = listen(served["host"], timeout)
                served["port"] = listener.getsockname()[1]
                report = {key: served[key] for key in ("partition", "attempt", "host", "port",
                                                       "pid", "workdir")}
                report.update(stage=task.stageId(), token=token)
                link.sendall((json.dumps(report) + "\n").encode())
        except OSError as error:  # the kernel stopped waiting: nobody will read
            served["error"] = f"could not report to {address_book[0]}:{address_book[1]}: {error}"
            yield pa.RecordBatch.from_pylist([served], schema=SERVED_SCHEMA)
            return
        try:
            connection = accept_once(listener)
        except OSError:  # timed out, or cancelled with the job: no reader came
            served["error"] = f"no reader came within {timeout:g} s"
        else:
            stream = _while_alive(batches if first is None else _chained(first, batches), lineage)
            try:
                with connection:
                    served["rows"] = write_stream(connection, first.schema if first else schema,
                                                  stream, rows_per_batch)
            except OSError as error:  # the reader went away; the Ray side says so
                served["error"] = f"the reader went away: {error}"
        finally:
            close_quietly(listener)
        # Never raise past here: a failed task would be retried, and a retry serves nobody.
        yield pa.RecordBatch.from_pylist([served], schema=SERVED_SCHEMA)

    return serve


def _chained(first, rest):
    yield first
    yield from rest


class ExecutorLost(RuntimeError):
    pass


def _while_alive(batches, lineage: list):
    """The batches, then a check that the executor still lives: Spark's input stream ends
    cleanly at a batch boundary when the executor's JVM dies, and the stream served from it
    must then be cut, never ended as if whole."""
    yield from batches
    dead = [pid for pid, started in lineage if _start_time(pid) != started]
    if dead:
        raise ExecutorLost(f"the executor's process {dead[0]} ended while its partition was served")


def _ancestors() -> list:
    """(pid, start time) of this Python worker's parent and grandparent (pyspark's daemon and
    the executor's JVM, or the JVM and what started it), from /proc; [] where there is none."""
    lineage, pid = [], os.getpid()
    for _ in range(2):
        pid = _parent(pid)
        started = _start_time(pid) if pid and pid > 1 else None
        if started is None:
            break
        lineage.append((pid, started))
    return lineage


def _stat(pid: int):
    """The fields of /proc/PID/stat after the command name, or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _parent(pid: int):
    fields = _stat(pid)
    return int(fields[1]) if fields else None


def _start_time(pid: int):
    """The process's start time (clock ticks since boot), None once it has ended (a zombie
    counts as ended): with the pid, it names one process even when pids are reused."""
    fields = _stat(pid)
    if not fields or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def output_reader(addresses: list, schema: pa.Schema, connect_timeout: float):
    """The mapInArrow function over `spark.range(n, numPartitions=n)`: the task holding id i
    reads the stream at addresses[i] and gives its batches as `schema` (Spark's Arrow types)."""

    def read(ids):
        for id_batch in ids:
            for index in id_batch.column(0).to_pylist():
                host, port = addresses[index]
                try:
                    for batch in read_stream(host, port, connect_timeout):
                        yield _as_schema(batch, schema)
                except OSError as error:
                    raise RuntimeError(
                        f"{OUTPUT_LOST}: output partition {index + 1} of {len(addresses)} at "
                        f"{host}:{port}: {error}") from None

    return read


def _as_schema(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """The batch under Spark's names and Arrow types (by position, as the run built it)."""
    columns = [column if column.type == field.type else column.cast(field.type)
               for column, field in zip(batch.columns, schema)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)
