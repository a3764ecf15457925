"""What runs inside Ray tasks for a Spark-fed run (docs/design.md §4.16).

* `apply_to_served`: the user's function over one partition read straight from the Spark task
  serving it, as the batches arrive (ray_tasks.apply_to_partition does the work). Its result stays
  in Ray's object store: the task yields its status, then the table as an item of its own that the
  driver passes on without fetching it.
* `serve_output`: holds one result table and serves it once over pyjava's protocol, for the Spark
  task that reads it back. It takes no CPU: it only waits, and a run with more partitions than
  Ray has CPUs must not wait on itself.
* `read_served`: one whole partition as a table (`to_dataset`).
"""
from __future__ import annotations

from typing import Optional

import pyarrow as pa

from .arrow_sockets import accept_once, close_quietly, listen, read_stream, write_stream
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


def apply_to_served(address: tuple, function, per_row: bool, schema: pa.Schema):
    """Yields ("progress", rows) now and then, then one of ("lost", why) | ("error", failure) |
    ("schema", message) | ("ok", rows) followed by the result table itself."""
    partition = ServedPartition(address)
    for status, value in apply_to_partition(partition, function, per_row, schema):
        if partition.lost is not None:  # the read failed, not the user's function
            yield "lost", partition.lost
            return
        if status == "ok":
            yield "ok", value.num_rows
            yield value
        else:
            yield status, value


def serve_output(table: pa.Table, timeout: float):
    """Yields (host, port) once listening, then ("served", rows) or ("unread", why)."""
    import ray

    host = ray.util.get_node_ip_address()
    listener = listen(host, timeout)
    yield host, listener.getsockname()[1]
    try:
        connection = accept_once(listener)
    except OSError:
        yield "unread", f"no reader came within {timeout:g} s"
        return
    finally:
        close_quietly(listener)
    try:
        with connection:
            rows = write_stream(connection, table.schema, table.to_batches(), ROWS_PER_BATCH)
    except OSError as error:
        yield "unread", f"the reader went away: {error}"
        return
    yield "served", rows


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
        elif name == "serve_output":
            made = ray.remote(max_retries=0, num_cpus=0, num_returns="streaming")(serve_output)
        else:
            made = ray.remote(max_retries=0)(read_served)
        _remote[name] = made
    return _remote[name]
