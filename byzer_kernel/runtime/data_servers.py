"""pyjava-protocol one-shot data servers (docs/spec.md §6.2 step 3).

Byzer serves each input partition from a socket that accepts ONE connection and writes the
partition as an Arrow IPC stream; pyjava's `RayContext.fetch_once_as_rows(server)` (and friends)
connect to `DataServer(host, port, timezone)` and read that stream. Servers start on demand, when the
code asks for `data_servers()`, and are closed when the run ends whether or not anyone connected.
"""
from __future__ import annotations

import socket
import threading
from typing import Optional

import pyarrow as pa

from .partitions import ROWS_PER_BATCH


class OneShotArrowServer:
    def __init__(self, table: pa.Table, host: str = "127.0.0.1", timeout: float = 300.0,
                 bind_host: Optional[str] = None):
        self.table = table
        self.host = host
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind((bind_host or host, 0))
        self._socket.listen(1)
        self._socket.settimeout(timeout)
        self.port = self._socket.getsockname()[1]
        self.served = False
        self.rows_sent = 0  # counted as batches go out: the run's "shipping data" progress
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._serve, name=f"byzer-data-server-{self.port}",
                                        daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self._socket.accept()
        except OSError:  # closed before anyone connected, or timed out
            return
        finally:
            self._close_listener()
        try:
            with connection, connection.makefile("wb", 1 << 16) as out:
                with pa.ipc.new_stream(out, self.table.schema) as writer:
                    for batch in self.table.to_batches(max_chunksize=ROWS_PER_BATCH):
                        writer.write_batch(batch)
                        self.rows_sent += batch.num_rows
            self.served = True
        except OSError as error:  # the reader went away
            self.error = error

    def _close_listener(self) -> None:
        try:
            self._socket.close()
        except OSError:
            pass

    def close(self) -> None:
        # A blocked accept() wakes up on shutdown on Linux; close alone does not wake it.
        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._close_listener()

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
