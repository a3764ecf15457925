"""One execution of Python code for `run command as Ray` (docs/spec.md §6.2-§6.7,
docs/design.md §4.4).

The code runs in the driver process (driver.py), never in the kernel, with `context`/
`data_manager` in its globals. The input table is split into partitions lazily: `collect`/`to_pandas` read them in place, `foreach`/`map_iter`/
`to_dataset` move them through Ray's object store, `data_servers()` serves them over pyjava's socket
protocol. Ray is connected only when one of those needs it.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import threading
from typing import Optional

import pyarrow as pa

from ..lang.errors import ByzerError, PythonCodeError, SchemaError
from . import output, ray_patches
from .environment import temporary_environ
from .context import ByzerPythonContext, routed_connect
from .data_servers import DataServerPool
from .partitions import iter_rows, keep_partitions, partition_count, split_table
from .ray_tasks import remote_apply
from .run_meter import RunMeter
from .user_errors import RemoteCodeError, error_line, syntax_error_text, user_traceback

# Code that names the `ray` module (not RayContext / ray_context) may start Ray work itself.
_MENTIONS_RAY = re.compile(r"\bray\b")
WAIT_SLICE = 0.2  # seconds between checks for Ctrl-C while waiting on Ray
# Set by the driver when the kernel interrupts a run: a KeyboardInterrupt without it was raised by
# the user's code itself, which is the code's error like any other.
INTERRUPT_REQUESTED = threading.Event()


class PythonRun:
    def __init__(self, session, statement, events, conf: dict, env: dict, schema: pa.Schema,
                 input_table: pa.Table, keep_partition_num: bool = False,
                 model_table: Optional[pa.Table] = None, wait_timeout: float = 300.0):
        self.session, self.statement, self.events = session, statement, events
        self.conf, self.env, self.schema = conf, env, schema
        # Tasks get the env only when the user set some: a runtime_env means a separate worker pool.
        self.task_env = env if set(env) - {"PY_EXECUTE_USER"} else {}
        self.input_table, self.keep_partition_num = input_table, keep_partition_num
        self.pool = DataServerPool(timeout=wait_timeout)
        self.meter = RunMeter(events, statement)
        self.started = ray_patches.StartedWork()
        self.connection = None
        self._stack: Optional[contextlib.ExitStack] = None
        self._tracking = False
        self.distributed: Optional[pa.Table] = None
        self._partitions: Optional[list] = None
        self.context_dir = tempfile.mkdtemp(prefix="byzer-python-")
        if model_table is not None:
            servers = self.pool.serve([model_table], self.timezone)
            conf["modelServers"] = ",".join(f"{s.host}:{s.port}" for s in servers)

    # -- what the contexts ask for -------------------------------------------------------------
    @property
    def timezone(self) -> str:
        return self.conf.get("timezone", "UTC")

    def _track_ray(self) -> None:
        """Env vars and interrupt tracking for Ray work; entered only once Ray is in play, so code
        that never touches Ray does not even import it."""
        if not self._tracking and self._stack is not None:
            self._stack.enter_context(ray_patches.track_ray_work(self.task_env, self.started))
            self._tracking = True

    def ensure_ray(self, code_address: Optional[str] = None):
        self._track_ray()
        if self.connection is None:
            from .cluster import cluster_for

            meter = self.meter
            before = (meter.phase, meter.rows, meter.rows_total, meter.done, meter.total)
            meter.phase = "connecting to Ray"  # "starting Ray" once the embedded one is chosen
            meter.send()
            self.events.ray_connecting()
            self.connection = cluster_for(self.session).connect(code_address, _ConnectEvents(self))
            self.events.ray_connected(self.connection)
            meter.set(*before)
        return self.connection

    def partitions(self) -> list:
        if self._partitions is None:
            table = self.input_table
            if self.keep_partition_num:
                self._partitions = keep_partitions(table)
            else:
                self._partitions = split_table(table, partition_count(table.num_rows, self._cpus()))
        return self._partitions

    def collect_rows(self):
        """`collect()`: the partitions' rows, read here in place."""
        partitions = self.partitions()
        self.meter.set("running", rows=0, rows_total=sum(p.num_rows for p in partitions))
        for partition in partitions:
            yield from iter_rows(partition, counted=self.meter.add_rows)

    def _cpus(self) -> int:
        ray = sys.modules.get("ray")
        if ray is not None and ray.is_initialized():
            return int(ray.cluster_resources().get("CPU", 1)) or 1
        return os.cpu_count() or 1

    def start_data_servers(self) -> list:
        connection = self.connection
        if connection is not None and not connection.embedded and not _is_local(connection.address):
            # Tasks on other machines must reach this one: listen everywhere, advertise our IP.
            import ray

            self.pool.host, self.pool.bind_host = ray.util.get_node_ip_address(), "0.0.0.0"
        servers = self.pool.serve(self.partitions(), self.timezone, inputs=True)
        self.meter.shipping = self.pool.shipped
        return servers

    def distribute(self, function, per_row: bool):
        """foreach/map_iter: one Ray task per partition; results kept in partition order. Each
        task streams the count of rows it has consumed, then its result (ray_tasks.py)."""
        self.ensure_ray()
        import ray

        parts, meter = self.partitions(), self.meter
        rows_total = sum(part.num_rows for part in parts)
        meter.set("shipping data", 0, rows_total, 0, len(parts))
        function_ref = ray.put(function)
        apply = remote_apply()
        tasks = []
        for part in parts:
            tasks.append(apply.remote(ray.put(part), function_ref, per_row, self.schema))
            meter.add_rows(part.num_rows)
        index = {id(task): i for i, task in enumerate(tasks)}
        results: list = [None] * len(tasks)
        consumed = [0] * len(tasks)
        meter.set("running", 0, rows_total, 0, len(parts))
        pending = list(tasks)
        interrupted = False
        try:
            while pending:
                ready, pending = ray.wait(pending, num_returns=1, timeout=WAIT_SLICE)
                for task in ready:
                    i = index[id(task)]
                    status, value = self._partition_result(task, i, len(tasks))
                    if status == "progress":
                        consumed[i] = value
                        pending.append(task)
                    elif status == "error":
                        raise RemoteCodeError(value, i)
                    elif status == "schema":
                        raise SchemaError(value)
                    else:
                        results[i], consumed[i] = value, parts[i].num_rows
                        meter.done += 1
                    meter.rows = sum(consumed)
        except KeyboardInterrupt:
            interrupted = True
            raise
        finally:
            for ref in pending:  # a failure or Ctrl-C: stop the partitions still running
                # Ctrl-C must stop even code asleep in C: force kills the worker. After a failed
                # partition, a polite cancel: a forced one can kill a worker that has already
                # taken the next run's task, which (with no retries) would fail as a crash.
                ray.cancel(ref, force=interrupted)
        self.distributed = pa.concat_tables(results) if results else self.schema.empty_table()
        return None

    def _partition_result(self, task, i: int, count: int):
        """The next (status, value) a partition's task streams; a worker that died is the code's
        error (it names the partition and the cause), a cluster that stopped answering is a
        RayConnectionError."""
        import ray

        try:
            return ray.get(next(task))
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.OutOfMemoryError) as error:
            raise PythonCodeError(f"partition {i + 1} of {count}: {crash_cause(error)}") from None
        except (ray.exceptions.RaySystemError, ray.exceptions.NodeDiedError,
                ray.exceptions.ObjectLostError, ConnectionError) as error:
            from .cluster import connection_lost_error

            lost = connection_lost_error(self.session, error)
            if lost is not None:
                raise lost from None
            raise PythonCodeError(f"partition {i + 1} of {count}: {type(error).__name__}: "
                                  f"{error_line(error)}") from None

    def to_dataset(self):
        self.ensure_ray()
        import ray

        return ray.data.from_arrow_refs([ray.put(part) for part in self.partitions()])

    # -- the run ---------------------------------------------------------------------------------
    def run(self, code: str) -> pa.Table:
        try:
            compiled = compile(code, "<string>", "exec")
        except SyntaxError as error:
            headline, text = syntax_error_text(error, code)
            self._cleanup(None)
            self.events.progress_ended(self.statement, False)
            raise PythonCodeError(headline, detail=text) from None
        context = ByzerPythonContext(self.context_dir, self.conf, self)
        namespace = {"data_manager": context, "context": context}
        ok = False
        self.meter.start()
        try:
            with temporary_environ(self.env), \
                    ray_patches.routed_connect(routed_connect), contextlib.ExitStack() as self._stack:
                if "ray" in sys.modules or _MENTIONS_RAY.search(code):
                    self._track_ray()
                try:
                    exec(compiled, namespace, namespace)
                    table = self.result_table(context)
                except ByzerError:
                    raise
                except KeyboardInterrupt:
                    if INTERRUPT_REQUESTED.is_set():
                        raise
                    headline, text = user_traceback(sys.exc_info()[1], code)  # the code raised it
                    raise PythonCodeError(headline, detail=text) from None
                except BaseException as error:  # incl. SystemExit: the driver must survive the code
                    from .cluster import connection_lost_error

                    lost = connection_lost_error(self.session, error)  # the cluster went away
                    if lost is not None:
                        raise lost from None
                    headline, text = user_traceback(error, code)
                    raise PythonCodeError(headline, detail=text) from None
            ok = True
            return table
        except KeyboardInterrupt:
            self.started.cancel_all()
            raise
        finally:
            self._cleanup(context)
            self.meter.stop()
            self.events.progress_ended(self.statement, ok)

    def result_table(self, context: ByzerPythonContext) -> pa.Table:
        if self.distributed is not None:
            return self.distributed
        result = context.result
        if result is None:
            return output.empty_table(self.schema)
        kind = result[0]
        self.meter.set("collecting", rows=0)
        self.meter.shipping = None
        if kind == "rows":
            return output.rows_to_table(result[1], self.schema, result[2] or output.BLOCK_SIZE,
                                        counted=self.meter.add_rows)
        if kind == "dataframe":
            return output.dataframe_to_table(result[1], self.schema)
        builder = output.ColumnBuilder(self.schema)
        for batch in result[1]:
            builder.add_columns(list(batch))
        return builder.table()

    def _cleanup(self, context) -> None:
        self.pool.close()
        if context is not None:
            context.run = None
        shutil.rmtree(self.context_dir, ignore_errors=True)


class _ConnectEvents:
    """What the cluster manager says while it connects: notices go on; choosing the embedded Ray
    turns the run's phase to "starting Ray"."""

    def __init__(self, run: PythonRun):
        self.run = run

    def message(self, text: str) -> None:
        self.run.events.message(text)

    def starting_embedded(self) -> None:
        self.run.meter.phase = "starting Ray"
        self.run.meter.send()


def crash_cause(error: BaseException) -> str:
    """One line on why a worker died (exit, signal, out of memory), from Ray's error text."""
    text = str(error)
    if "OutOfMemoryError" in type(error).__name__:
        return "the Ray worker running it ran out of memory and was killed"
    for line in text.splitlines():
        if "exit detail" in line.lower():
            return "the Ray worker running it died: " + line.split(":", 1)[-1].strip()[:300]
    return f"the Ray worker running it died ({error_line(error)})"



def _is_local(address: str) -> bool:
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    return host in ("", "embedded", "local", "auto", "127.0.0.1", "localhost", "::1")
