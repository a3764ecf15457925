"""pyjava-protocol one-shot data servers (docs/spec.md §6.2 step 3).

Byzer serves each input partition from a socket that accepts ONE connection and writes the
partition as an Arrow IPC stream (arrow_sockets.py, shared with the servers of a Spark-fed run);
pyjava's `RayContext.fetch_once_as_rows(server)` (and friends) connect to
`DataServer(host, port, timezone)` and read that stream. Servers start on demand, when the
code asks for `data_servers()`, and are closed when the run ends whether or not anyone connected.
"""
from __future__ import annotations

import threading
from typing import Optional

import pyarrow as pa

from .arrow_sockets import accept_once, close_quietly, listen, write_stream
from .partitions import ROWS_PER_BATCH


class OneShotArrowServer:
    def __init__(self, table: pa.Table, host: str = "127.0.0.1", timeout: float = 300.0,
                 bind_host: Optional[str] = None):
        self.table = table
        self.host = host
        self._socket = listen(host, timeout, bind_host)
        self.port = self._socket.getsockname()[1]
        self.served = False
        self.rows_sent = 0  # counted as batches go out: the run's "shipping data" progress
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._serve, name=f"byzer-data-server-{self.port}",
                                        daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            connection = accept_once(self._socket)
        except OSError:  # closed before anyone connected, or timed out
            return
        try:
            with connection:
                write_stream(connection, self.table.schema, self.table.to_batches(), ROWS_PER_BATCH,
                             counted=self._sent)
            self.served = True
        except OSError as error:  # the reader went away
            self.error = error

    def _sent(self, rows: int) -> None:
        self.rows_sent += rows

    def close(self) -> None:
        close_quietly(self._socket)

    def join(self, timeout: Optional[float] = None) -> None:
        self._thread.join(timeout)


class DataServerPool:
    """The servers of one run; closes them all at the end."""

    def __init__(self, host: str = "127.0.0.1", timeout: float = 300.0, bind_host: Optional[str] = None):
        self.host, self.timeout, self.bind_host = host, timeout, bind_host
        self.servers: list = []
        self.inputs: list = []  # the servers of the run's input partitions (not of its model)

    def serve(self, tables: list, timezone: str, inputs: bool = False) -> list:
        from pyjava.api.mlsql import DataServer

        started = [OneShotArrowServer(t, self.host, self.timeout, self.bind_host) for t in tables]
        self.servers.extend(started)
        if inputs:
            self.inputs.extend(started)
        return [DataServer(s.host, s.port, timezone) for s in started]

    def shipped(self) -> tuple:
        """(rows sent, rows to send) of the input servers. A server nobody reads sends nothing."""
        return (sum(s.rows_sent for s in self.inputs), sum(s.table.num_rows for s in self.inputs))

    def close(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            server.join(2.0)
        self.servers, self.inputs = [], []
