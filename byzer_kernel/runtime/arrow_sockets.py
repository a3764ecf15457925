"""pyjava's data-server protocol on a plain socket: one connection, one Arrow IPC stream
(docs/spec.md §6.2 step 3, docs/design.md §4.16).

Every server of a run speaks it through these functions: the driver process's one-shot servers
(data_servers.py), the servers Spark's executors open for their partitions and the servers Ray
opens for the output Spark reads back (spark_tasks.py, spark_ray_tasks.py), so the bytes are the
same whoever serves. The module imports only the standard library and pyarrow: it is shipped by
value to Spark's Python workers, which need no byzer_kernel installed.

A stream that ends without Arrow's end-of-stream marker was cut (the server died between two
batches); pyarrow's reader takes such a stream for a complete one, so `read_stream` checks the
marker itself.
"""
from __future__ import annotations

import socket
import struct
from typing import Callable, Iterable, Iterator, Optional

import pyarrow as pa

END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"  # continuation marker + a zero length
READ_BUFFER = 1 << 16


class IncompleteStream(ConnectionError):
    """The server's stream ended before its end-of-stream marker."""


def listen(host: str, timeout: float, bind_host: Optional[str] = None) -> socket.socket:
    """A listening socket for ONE reader on (bind_host or host, a free port); accept() gives up
    after `timeout` seconds."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((bind_host or host, 0))
    listener.listen(1)
    listener.settimeout(timeout)
    return listener


def accept_once(listener: socket.socket) -> socket.socket:
    """The one reader's connection; the listener is closed whatever happens, so a second reader
    is refused."""
    try:
        connection, _ = listener.accept()
    finally:
        close_quietly(listener)
    connection.settimeout(None)
    return connection


def close_quietly(sock: socket.socket) -> None:
    # A blocked accept() wakes up on shutdown on Linux; close alone does not wake it.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def write_stream(connection: socket.socket, schema: pa.Schema, batches: Iterable,
                 rows_per_batch: int, counted: Optional[Callable[[int], None]] = None) -> int:
    """Writes `batches` (record batches of `schema`) as one Arrow stream in batches of at most
    `rows_per_batch` rows (Byzer's servers send 1000), then the end-of-stream marker. Returns the
    rows written; `counted(n)` hears each batch as it goes out. When `batches` fails, the stream
    is cut without its marker, so the reader cannot take what it got for the whole."""
    rows = 0
    out = connection.makefile("wb", READ_BUFFER)
    try:
        writer = pa.ipc.new_stream(out, schema)
        for batch in batches:
            for offset in range(0, batch.num_rows, rows_per_batch):
                piece = batch.slice(offset, rows_per_batch)
                writer.write_batch(piece)
                rows += piece.num_rows
                if counted is not None:
                    counted(piece.num_rows)
    except BaseException:
        _cut(connection, out)
        raise
    writer.close()  # writes the end-of-stream marker
    out.close()
    return rows


def _cut(connection: socket.socket, out) -> None:
    """Ends a stream half-way: what was buffered goes, then a reset instead of a clean end."""
    try:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        out.close()
    except OSError:
        pass
    connection.close()


class _TailKeeper:
    """A socket's reading side that remembers the last bytes it handed to pyarrow."""

    def __init__(self, source):
        self.source, self.tail, self.closed = source, b"", False

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        if data:
            self.tail = (self.tail + bytes(data))[-len(END_OF_STREAM):]
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


def read_stream(host: str, port: int, connect_timeout: float = 30.0) -> Iterator[pa.RecordBatch]:
    """The batches of the stream served at host:port; raises IncompleteStream when the stream was
    cut, OSError when nothing answers."""
    with socket.create_connection((host, port), timeout=connect_timeout) as sock:
        sock.settimeout(None)
        with sock.makefile("rb", READ_BUFFER) as raw:
            source = _TailKeeper(raw)
            try:
                reader = pa.ipc.open_stream(source)
                while True:
                    try:
                        batch = reader.read_next_batch()
                    except StopIteration:
                        break
                    yield batch
            except pa.ArrowInvalid as error:  # cut inside a message, or before the schema
                raise IncompleteStream(f"the stream from {host}:{port} was cut: {error}") from None
            if source.tail != END_OF_STREAM:
                raise IncompleteStream(f"the stream from {host}:{port} was cut before its end")
