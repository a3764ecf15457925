"""A run whose input partitions are served by Spark's executors (docs/design.md §4.16): the
driver-process side of a Spark-fed `run command as Ray`.

It is a PythonRun whose partitions are addresses, not tables. Each is served once, as Byzer's
executors serve them, so one reader takes them all: `data_servers()` hands the addresses to the
code, `collect()`/`to_pandas()` read them here, `foreach`/`map_iter` read each in its own Ray task
(spark_ray_tasks.py), which spools its result rows on its node; tasks that take no CPU serve those
to Spark. The answer is then those servers' addresses (ServedOutput), not the rows.
"""
from __future__ import annotations

import time
from typing import Optional

import pyarrow as pa

from ..lang.errors import ByzerRuntimeError, SchemaError, UsageError
from .partitions import batch_rows
from .run import WAIT_SLICE, PythonRun
from .served_partitions import ExecutorPartitions, ServedOutput
from .spark_ray_tasks import ServedPartition, on_node, remote
from .user_errors import RemoteCodeError

SERVING_MARGIN = 60.0  # seconds an output server's task is kept referenced beyond its own timeout
_serving: list = []  # (until, generator): output servers outliving their run until Spark reads them


class SparkFedRun(PythonRun):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.served: ExecutorPartitions = self.input_table
        self.reader: Optional[str] = None
        self.output: Optional[ServedOutput] = None

    def _claim(self, reader: str) -> None:
        if self.reader is not None:
            raise UsageError(f"{reader} cannot read the input: {self.reader} has read it; a Spark "
                             "table's partitions are served once, to one reader")
        self.reader = reader

    def partitions(self) -> list:
        raise UsageError("the input partitions of a Spark table are served by its executors and "
                         "cannot be sliced here")

    # -- the readers ---------------------------------------------------------------------------
    def start_data_servers(self) -> list:
        from pyjava.api.mlsql import DataServer

        self._claim("data_servers()")
        return [DataServer(host, port, self.timezone) for host, port in self.served.addresses]

    def collect_rows(self):
        self._claim("collect()")
        self.meter.set("running", rows=0)
        count = len(self.served)
        for i, address in enumerate(self.served.addresses):
            partition = ServedPartition(address)
            try:
                for batch in partition.to_batches():
                    rows = batch_rows(batch)
                    self.meter.add_rows(len(rows))
                    yield from rows
            except (OSError, pa.ArrowException):
                raise ByzerRuntimeError(f"partition {i + 1} of {count}: {partition.lost}") from None

    def to_dataset(self):
        self._claim("to_dataset()")
        self.ensure_ray()
        import ray

        read = remote("read_served")
        refs = [read.remote(address, self.served.schema) for address in self.served.addresses]
        return ray.data.from_arrow_refs(refs)

    def distribute(self, function, per_row: bool):
        """One Ray task per partition reads it from its Spark task and runs the function, its
        rows spooled on its node; those are served for Spark to read (result_table)."""
        self._claim("foreach()" if per_row else "map_iter()")
        self.ensure_ray()
        import ray

        count, meter = len(self.served), self.meter
        meter.set("running", 0, None, 0, count)
        function_ref = ray.put(function)
        apply = remote("apply_to_served")
        tasks = [apply.remote(address, function_ref, per_row, self.schema)
                 for address in self.served.addresses]
        index = {id(task): i for i, task in enumerate(tasks)}
        spooled: list = [None] * count  # (node, path, rows) of each partition's result
        consumed = [0] * count
        pending, interrupted, served = list(tasks), False, False
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=WAIT_SLICE)
                for task in ready:
                    i = index[id(task)]
                    status, value = self._partition_result(task, i, count)
                    if status == "progress":
                        consumed[i] = value
                        pending.append(task)
                    elif status == "lost":
                        raise ByzerRuntimeError(f"partition {i + 1} of {count}: {value}")
                    elif status == "error":
                        raise RemoteCodeError(value, i)
                    elif status == "schema":
                        raise SchemaError(value)
                    else:
                        spooled[i], consumed[i] = value, value[2]
                        meter.done += 1
                    meter.rows = sum(consumed)
            self.output = self._serve(spooled)
            served = True
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            for ref in pending:  # as PythonRun.distribute: stop what still runs
                ray.cancel(ref, force=interrupted)
            if not served:  # the results nobody will read
                discard = remote("discard_spooled")
                for node, path, _ in filter(None, spooled):
                    on_node(discard, node).remote(path)

    def _serve(self, spooled: list) -> ServedOutput:
        serve, timeout = remote("serve_spooled"), self.pool.timeout
        servers = [on_node(serve, node).remote(path, timeout) for node, path, _ in spooled]
        keep_serving(servers, timeout)
        addresses = [tuple(self._partition_result(server, i, len(servers)))
                     for i, server in enumerate(servers)]
        return ServedOutput(addresses, self.schema, [rows for _, _, rows in spooled])

    def result_table(self, context):
        if self.output is not None:
            return self.output
        return super().result_table(context)


def keep_serving(servers: list, timeout: float) -> None:
    """The run ends before Spark reads its output: its serving tasks stay referenced until they
    can no longer be waiting."""
    now = time.monotonic()
    _serving[:] = [entry for entry in _serving if entry[0] > now]
    _serving.extend((now + timeout + SERVING_MARGIN, server) for server in servers)
