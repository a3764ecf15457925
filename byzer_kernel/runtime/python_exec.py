"""`pythonExec`: run the code in another interpreter through pyjava's worker protocol (docs/design.md §5).

    table = run_with_interpreter(interpreter=path, code=code, conf=conf, env=env, schema=schema,
                                 input_table=table, model_table=None, keep_partition_num=False,
                                 wait_timeout=300.0)

The engine plays the JVM's part, as Byzer's ArrowPythonRunner does:
1. serve the input table's partitions from pyjava-protocol one-shot data servers;
2. start `<interpreter> -m pyjava.worker` (through WORKER_BOOT; inside `bash -c "<PYTHON_ENV> && ..."` when the
   `!python env` item PYTHON_ENV is set, as Byzer does) with PYTHON_WORKER_FACTORY_PORT naming a
   socket we listen on; the worker connects back;
3. write the frames pyjava/worker.py reads: split index (int), barrier flag (bool), bound port
   (int), the conf (count, then length-prefixed UTF-8 key/value pairs), the code (length-prefixed
   UTF-8), then the input as an Arrow stream: one row `(host, port, timezone)` per data server,
   because conf has pythonMode=ray and pyjava's RayContext reads its shards from those servers;
4. read the answer: START_ARROW_STREAM, an Arrow stream whose columns `_0, _1, ...` map onto the
   schema by position, END_OF_DATA_SECTION; or ARROW_STREAM_CRASH + PYTHON_EXCEPTION_THROWN + the
   traceback. We then send END_OF_STREAM and the worker exits.
With dataMode=data the worker's rows are `(host, port, server_id)` of pyjava's RayDataServer
actors (started by the code's own `RayContext.connect` in that interpreter, on a real cluster);
each is read with the same framing and the shards are concatenated (docs/spec.md §6.4).

ints are 4-byte big-endian signed, as pyjava's `read_int`/`write_int`.
"""
from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
import tempfile
from typing import Optional

import pyarrow as pa

from ..lang.errors import ByzerRuntimeError, PythonCodeError
from .data_servers import DataServerPool
from .output import ColumnBuilder
from .partitions import keep_partitions, partition_count, split_table
from .user_errors import format_frames

START_ARROW_STREAM = -6
END_OF_DATA_SECTION = -1
END_OF_STREAM = -4
ARROW_STREAM_CRASH = 0
PYTHON_EXCEPTION_THROWN = -2
CONNECT_TIMEOUT = 60.0
# `python -m pyjava.worker`, except that pandas >= 3 is told to keep object strings: pyjava 0.6.21's
# serializer passes a mask with pandas' Arrow-backed strings, which pyarrow rejects.
WORKER_BOOT = ("import warnings, runpy\n"
               "try:\n"
               "    import pandas\n"
               "    with warnings.catch_warnings():\n"
               "        warnings.simplefilter('ignore')\n"
               "        pandas.set_option('future.infer_string', False)\n"
               "except Exception:\n"
               "    pass\n"
               "runpy.run_module('pyjava.worker', run_name='__main__', alter_sys=True)\n")


def run_with_interpreter(*, interpreter: str, code: str, conf: dict, env: dict, schema: pa.Schema,
                         input_table: pa.Table, model_table: Optional[pa.Table] = None,
                         keep_partition_num: bool = False, wait_timeout: float = 300.0) -> pa.Table:
    pool = DataServerPool(timeout=wait_timeout)
    timezone = conf.get("timezone", "UTC")
    try:
        if keep_partition_num:
            parts = keep_partitions(input_table)
        else:
            parts = split_table(input_table, partition_count(input_table.num_rows, os.cpu_count() or 1))
        if model_table is not None:  # as in the driver: the model table is served, named in conf
            conf = {**conf, "modelServers": ",".join(
                f"{s.host}:{s.port}" for s in pool.serve([model_table], timezone))}
        servers = pool.serve(parts, timezone)
        server_rows = pa.table({"host": [s.host for s in servers],
                                "port": pa.array([s.port for s in servers], pa.int64()),
                                "timezone": [s.timezone for s in servers]})
        batches = run_worker(interpreter, code, conf, env, server_rows)
    finally:
        pool.close()
    if conf.get("dataMode") == "data":
        batches = [b for row in _rows(batches) for b in read_data_server(row[0], int(row[1]))]
    builder = ColumnBuilder(schema)
    for batch in batches:
        if batch.num_rows == 0:  # pyjava writes a placeholder batch when there is no output
            continue
        builder.add_columns([column.to_pylist() for column in batch.columns])
    return builder.table()


def run_worker(interpreter: str, code: str, conf: dict, env: dict, input_table: pa.Table) -> list:
    """One run of pyjava.worker in `interpreter`; returns the output record batches."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    workdir = tempfile.mkdtemp(prefix="byzer-pyexec-")  # the worker makes its <uuid> dir here
    process = _start(interpreter, env, listener.getsockname()[1], workdir)
    try:
        connection = _accept(listener, process, interpreter, os.path.join(workdir, "worker.log"))
        with connection, connection.makefile("rwb", 1 << 16) as stream:
            _write_request(stream, conf, code, input_table)
            batches = read_python_output(stream, interpreter, code)
            _write_int(END_OF_STREAM, stream)
            stream.flush()
            try:  # the worker's END_OF_STREAM echo (`-m pyjava.worker` may exit without it)
                stream.read(4)
            except OSError:
                pass
        return batches
    finally:
        listener.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


def _start(interpreter: str, env: dict, port: int, workdir: str) -> subprocess.Popen:
    process_env = {**os.environ, **{str(k): str(v) for k, v in env.items()},
                   "PYTHON_WORKER_FACTORY_PORT": str(port)}
    process_env.pop("PYTHONHOME", None)  # ours would point the other interpreter at our stdlib
    prefix = (env.get("PYTHON_ENV") or "").strip()
    if prefix and prefix != ":":
        command = ["bash", "-c", f'{prefix} && exec "$0" -c "$1"', interpreter, WORKER_BOOT]
    else:
        command = [interpreter, "-c", WORKER_BOOT]
    # The worker's prints go to a file (as Byzer sends them to the engine log): a pipe nobody
    # drains would block a chatty worker.
    with open(os.path.join(workdir, "worker.log"), "wb") as log:
        return subprocess.Popen(command, env=process_env, cwd=workdir, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)


def _accept(listener: socket.socket, process: subprocess.Popen, interpreter: str,
            log_path: str) -> socket.socket:
    """Wait for the worker to connect, noticing a worker that died first (e.g. no pyjava there)."""
    listener.settimeout(0.2)
    waited = 0.0
    while waited < CONNECT_TIMEOUT:
        try:
            connection, _ = listener.accept()
            connection.settimeout(None)
            return connection
        except socket.timeout:
            waited += 0.2
        if process.poll() is not None:
            with open(log_path, "rb") as log:
                output = log.read().decode("utf-8", "replace").strip()
            last = output.splitlines()[-1] if output else f"exit code {process.returncode}"
            raise ByzerRuntimeError(f"pythonExec {interpreter} could not start pyjava's worker: {last}")
    process.kill()
    raise ByzerRuntimeError(f"pythonExec {interpreter}: pyjava's worker did not connect within "
                            f"{CONNECT_TIMEOUT:.0f} s")


def _write_request(stream, conf: dict, code: str, input_table: pa.Table) -> None:
    _write_int(0, stream)  # split index
    stream.write(struct.pack("!?", False))  # barrier
    _write_int(-1, stream)  # bound port (barrier mode only)
    _write_int(len(conf), stream)
    for key, value in conf.items():
        _write_utf8(str(key), stream)
        _write_utf8(str(value), stream)
    _write_utf8(code, stream)
    with pa.ipc.new_stream(stream, input_table.schema) as writer:
        writer.write_table(input_table)
    stream.flush()


def read_python_output(stream, where: str, code: str = "") -> list:
    """Read pyjava's answer framing: an Arrow stream, or the traceback of a failure."""
    marker = _read_int(stream)
    if marker == ARROW_STREAM_CRASH:
        _raise_python_failure(stream, where, code)
    if marker != START_ARROW_STREAM:
        raise ByzerRuntimeError(f"pythonExec {where}: unexpected answer {marker} from pyjava's worker")
    # A failure while the output is serialised comes after START_ARROW_STREAM, as a 0 where the
    # Arrow stream's continuation marker (0xFFFFFFFF) would be.
    head = stream.read(4)
    if head == b"\0\0\0\0":
        _raise_python_failure(stream, where, code)
    reader = pa.ipc.open_stream(_Prepended(head, stream))
    batches = [batch for batch in reader]
    end = _read_int(stream)
    if end != END_OF_DATA_SECTION:
        raise ByzerRuntimeError(f"pythonExec {where}: unexpected end marker {end}")
    return batches


def _raise_python_failure(stream, where: str, code: str) -> None:
    _read_int(stream)  # PYTHON_EXCEPTION_THROWN
    length = _read_int(stream)
    text = stream.read(length).decode("utf-8", "replace").rstrip()
    last = text.splitlines()[-1] if text else "the Python code failed"
    raise PythonCodeError(f"{last} (in pythonExec {where})", detail=_user_frames(text, code))


class _Prepended:
    """A read-only stream that first returns bytes already read."""

    closed = False

    def __init__(self, head: bytes, stream):
        self.head, self.stream = head, stream

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.stream.read(size)
        if size is None or size < 0:
            data, self.head = self.head + self.stream.read(), b""
            return data
        data, self.head = self.head[:size], self.head[size:]
        return data + (self.stream.read(size - len(data)) if size > len(data) else b"")


def read_data_server(host: str, port: int) -> list:
    """Read one pyjava RayDataServer/OnceServer shard (dataMode=data)."""
    with socket.create_connection((host, port), timeout=300) as connection, \
            connection.makefile("rwb", 1 << 16) as stream:
        batches = read_python_output(stream, f"data server {host}:{port}")
        _read_int(stream)  # END_OF_STREAM
        _write_int(END_OF_STREAM, stream)
        stream.flush()
        return batches


def _rows(batches: list) -> list:
    return [tuple(row.values()) for batch in batches for row in batch.to_pylist()]


_FRAME = re.compile(r'File "<string>", line (\d+), in (.+)$')


def _user_frames(traceback_text: str, code: str) -> str:
    """The frames of the user's code (`File "<string>"`) with its lines, and the exception line."""
    lines = traceback_text.splitlines()
    frames = [(int(m.group(1)), m.group(2)) for m in map(_FRAME.search, lines) if m]
    if not frames:
        return traceback_text
    return "\n".join(["Traceback (most recent call last):",
                      *format_frames(frames, code.splitlines()), lines[-1]])


def _write_int(value: int, stream) -> None:
    stream.write(struct.pack("!i", value))


def _read_int(stream) -> int:
    data = stream.read(4)
    if len(data) < 4:
        raise ByzerRuntimeError("pyjava's worker closed the connection before answering")
    return struct.unpack("!i", data)[0]


def _write_utf8(text: str, stream) -> None:
    data = text.encode("utf-8")
    _write_int(len(data), stream)
    stream.write(data)
