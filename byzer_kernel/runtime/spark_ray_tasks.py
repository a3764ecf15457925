"""What runs inside Ray tasks for a Spark-fed run (docs/design.md §4.17).

* `apply_to_served`: the user's function over one partition read straight from the Spark task
  serving it, as the batches arrive (ray_tasks.apply_to_partition does the work). Its result rows
  go, chunk by chunk, to an Arrow file on the task's node (`SpooledOutput`): never whole in memory,
  and not in Ray's object store, which a large output would fill while it waits for Spark.
* `serve_spooled`: serves one such file once over pyjava's protocol, for the Spark task that reads
  it back, then deletes it. It runs on the file's node and takes no CPU: it only waits, and a run
  with more partitions than Ray has CPUs must not wait on itself.
* `read_served`: one whole partition as a table (`to_dataset`).
"""
from __future__ import annotations

import os
import tempfile
from typing import Optional

import pyarrow as pa

from .arrow_sockets import accept_once, close_quietly, listen, read_stream, write_stream
from .output import ColumnBuilder
from .partitions import ROWS_PER_BATCH
from .ray_tasks import apply_to_partition


class ServedPartition:
    """A partition that a Spark task serves at (host, port), read once, batch by batch, re-cut
    to the size asked for. `lost` says why the stream broke, if it did."""

    def __init__(self, address: tuple):
        self.host, self.port = address
        self.rows = 0
        self.lost: Optional[str] = None

    def to_batches(self, max_chunksize: int = ROWS_PER_BATCH):
        try:
            for batch in read_stream(self.host, self.port):
                self.rows += batch.num_rows
                for offset in range(0, batch.num_rows, max_chunksize):
                    yield batch.slice(offset, max_chunksize)
        except (OSError, pa.ArrowException) as error:
            self.lost = self.lost_cause(error)
            raise

    def lost_cause(self, error: BaseException) -> str:
        where = f"{self.host}:{self.port}"
        if isinstance(error, ConnectionRefusedError) and not self.rows:
            return (f"nothing serves it at {where} any more (it is served once: was it read "
                    "already, or did its Spark task end?)")
        return (f"the Spark task serving it at {where} went away after {self.rows} rows "
                f"({type(error).__name__}: {error})")


class SpooledOutput:
    """A partition's result rows written to an Arrow file as the function produces them: the
    builder apply_to_partition is given (each chunk mapped onto the schema by position, as
    ColumnBuilder does). `table()` ends the file and gives (node id, path, rows)."""

    def __init__(self, schema: pa.Schema):
        import ray

        self.schema = schema
        self.node = ray.get_runtime_context().get_node_id()
        handle, self.path = tempfile.mkstemp(prefix="byzer-ray-output-", suffix=".arrow")
        self.sink = pa.OSFile(self.path, "wb")
        os.close(handle)
        self.writer = pa.ipc.new_file(self.sink, schema)
        self.rows = 0

    def add_chunk(self, chunk: list) -> None:
        builder = ColumnBuilder(self.schema)
        builder.add_chunk(chunk)
        table = builder.table()
        self.writer.write_table(table)
        self.rows += table.num_rows

    def table(self) -> tuple:
        self.writer.close()
        self.sink.close()
        return self.node, self.path, self.rows

    def discard(self) -> None:
        try:
            self.sink.close()
        except (OSError, pa.ArrowException):
            pass
        discard_spooled(self.path)


def apply_to_served(address: tuple, function, per_row: bool, schema: pa.Schema):
    """Yields ("progress", rows) now and then, then one of ("lost", why) | ("error", failure) |
    ("schema", message) | ("ok", (node id, path, rows))."""
    partition, spooled = ServedPartition(address), SpooledOutput(schema)
    finished = False
    try:
        for status, value in apply_to_partition(partition, function, per_row, schema, spooled):
            if partition.lost is not None:  # the read failed, not the user's function
                yield "lost", partition.lost
                return
            finished = status == "ok"
            yield status, value
    finally:  # a failure, or the task cancelled: nobody will serve the file
        if not finished:
            spooled.discard()


def serve_spooled(path: str, timeout: float):
    """Yields (host, port) once listening, then ("served", rows) or ("unread", why); the file
    is gone either way."""
    import ray

    try:
        listener = listen(ray.util.get_node_ip_address(), timeout)
        yield listener.getsockname()[:2]
        try:
            connection = accept_once(listener)
        except OSError:
            yield "unread", f"no reader came within {timeout:g} s"
            return
        finally:
            close_quietly(listener)
        try:
            with connection, pa.memory_map(path) as source:
                reader = pa.ipc.open_file(source)
                batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
                rows = write_stream(connection, reader.schema, batches, ROWS_PER_BATCH)
        except OSError as error:
            yield "unread", f"the reader went away: {error}"
            return
        yield "served", rows
    finally:
        discard_spooled(path)


def discard_spooled(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def read_served(address: tuple, schema: pa.Schema) -> pa.Table:
    """A whole partition; `schema` is the stream's when it has no batch."""
    batches = list(read_stream(*address))
    return pa.Table.from_batches(batches, schema=batches[0].schema if batches else schema)


_remote: dict = {}


def remote(name: str):
    """The Ray remote version of a function of this module, made on first use (no Ray import
    before). No retries: Ray would rerun user code, and a partition is served once."""
    if name not in _remote:
        import ray

        if name == "apply_to_served":
            made = ray.remote(max_retries=0, num_returns="streaming")(apply_to_served)
        elif name == "serve_spooled":
            made = ray.remote(max_retries=0, num_cpus=0, num_returns="streaming")(serve_spooled)
        elif name == "discard_spooled":
            made = ray.remote(max_retries=0, num_cpus=0)(discard_spooled)
        else:
            made = ray.remote(max_retries=0)(read_served)
        _remote[name] = made
    return _remote[name]


def on_node(function, node: str):
    """`function`'s remote version pinned to the node holding a spooled file."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    return function.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False))
