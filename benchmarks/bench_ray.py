"""`run command as Ray` with the seed's `echo` foreach, side by side (one Ray):

  ours      the project's Ray ET (partitions through the object store, rows -> Arrow by position)
  (a)       pyjava 0.6.21's own path, as Byzer drives it: one-shot Arrow socket servers for the input
            (the JVM's part), pyjava's PythonContext/RayContext running the code, `RayDataServer`
            actors serving `echo(row)` over pyjava's OnceServer protocol, read back in parallel
  (b)       plain Ray tasks over the same Arrow partitions running the same function

Targets: 1M rows at least 2.5x faster than (a) and at most 1.15x (b); warm latency of the seed cell
(7 rows) at most 0.1x (a). Also the peak memory of the 1M-row run.
Usage: python benchmarks/bench_ray.py [--rows N] [--cpus N]
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import ray

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, machine, print_table  # noqa: E402

from byzer_kernel.engine.run_statement import RunRequest  # noqa: E402
from byzer_kernel.runtime import create_session  # noqa: E402
from byzer_kernel.runtime.data_servers import DataServerPool  # noqa: E402
from byzer_kernel.runtime.partitions import split_table  # noqa: E402
from byzer_kernel.runtime.ray_et import run_ray  # noqa: E402

SCHEMA = "st(field(ProductName,string),field(SubProduct,string))"
SEED = [(114, 57), (55, 134), (27, 137), (101, 129), (125, 145), (27, 60), (105, 49)]
CODE = textwrap.dedent("""
    from pyjava.api.mlsql import PythonContext,RayContext

    # type hint
    context:PythonContext = context

    ray_context = RayContext.connect(globals(),"127.0.0.1:10001")

    def echo(row):
        row1 = {}
        row1["ProductName"]=str(row['Busn_A'])+'_jackm'
        row1["SubProduct"] = str(row['Busn_B'])+'_product'
        return row1

    ray_context.foreach(echo)
    """)
# pyjava's own connect(url) would open a Ray client connection; the harness shares this process's Ray.
PYJAVA_CODE = CODE.replace('"127.0.0.1:10001"', "None")


class Quiet:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


# -- ours ------------------------------------------------------------------------------------------
def ours(session, table: pa.Table) -> pa.Table:
    session.catalog.register("data", table)
    request = RunRequest(statement=None, input_table="command", path="",
                         options={"inputTable": "data", "outputTable": "python_output_table", "code": CODE})
    return run_ray(session, request, Quiet())


# -- (a) pyjava 0.6.21 as Byzer drives it ----------------------------------------------------------
def pyjava_path(table: pa.Table, partitions: int) -> pa.Table:
    from pyjava.api.mlsql import PythonContext
    from pyjava.rayfix import RayWrapper
    from pyjava.serializers import SpecialLengths, read_int, write_int

    original_options = RayWrapper.options

    def options_with_pandas_fix(self, actor_class, **kwargs):
        # pyjava 0.6.21's Arrow writer fails on pandas 3 str columns (see pyjava_compat/).
        compat = str(Path(__file__).resolve().parent / "pyjava_compat")
        kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": compat}}
        return original_options(self, actor_class, **kwargs)

    pool = DataServerPool()  # the JVM's one-shot Arrow servers, one per partition
    servers = pool.serve(split_table(table, partitions), "UTC")
    server_rows = pa.RecordBatch.from_pylist(
        [{"host": s.host, "port": s.port, "timezone": s.timezone} for s in servers])
    conf = {"pythonMode": "ray", "dataMode": "data", "schema": SCHEMA, "PY_EXECUTE_USER": "bench",
            "groupId": "bench", "timezone": "UTC"}
    RayWrapper.options = options_with_pandas_fix
    try:
        data_manager = PythonContext("bench-context", iter([server_rows]), conf)
        namespace = {"data_manager": data_manager, "context": data_manager}
        exec(compile(PYJAVA_CODE, "<string>", "exec"), namespace, namespace)
    finally:
        RayWrapper.options = original_options
    actors = [dict(zip(df.columns, row)) for df in map(_frame, data_manager.output())
              for row in df.itertuples(index=False)]

    def read_actor(info) -> list:
        # What the JVM's ArrowPythonRunner does with a RayDataServer: read, acknowledge.
        with socket.create_connection((info["host"], int(info["port"]))) as sock, \
                sock.makefile("rwb", 65536) as stream:
            assert read_int(stream) == SpecialLengths.START_ARROW_STREAM
            batches = list(pa.ipc.open_stream(stream))
            read_int(stream), read_int(stream)  # END_OF_DATA_SECTION, END_OF_STREAM
            write_int(SpecialLengths.END_OF_STREAM, stream)
            stream.flush()
        return batches

    with ThreadPoolExecutor(len(actors)) as readers:  # one Spark task per actor
        parts = list(readers.map(read_actor, actors))
    pool.close()
    names = ["ProductName", "SubProduct"]
    batches = [pa.RecordBatch.from_arrays(b.columns, names) for part in parts for b in part]
    return pa.Table.from_batches(batches)


def _frame(series_list):
    import pandas as pd

    return pd.concat(series_list, axis=1)


# -- (b) plain Ray tasks ---------------------------------------------------------------------------
@ray.remote
def _plain_task(table: pa.Table, function) -> pa.Table:
    return pa.Table.from_pylist([function(row) for row in table.to_pylist()])


def echo(row):
    row1 = {}
    row1["ProductName"] = str(row['Busn_A']) + '_jackm'
    row1["SubProduct"] = str(row['Busn_B']) + '_product'
    return row1


def plain_ray(table: pa.Table, partitions: int) -> pa.Table:
    function = ray.put(echo)
    refs = [_plain_task.remote(ray.put(part), function) for part in split_table(table, partitions)]
    return pa.concat_tables(ray.get(refs))


# -- memory ----------------------------------------------------------------------------------------
class PeakMemory:
    """Samples RSS of this process and of its child processes (Ray's raylet, workers, plasma, and
    for ours the driver process)."""

    def __init__(self):
        self.me = psutil.Process()
        self.peak_driver = self.peak_total = 0
        self._stop = threading.Event()

    def _sample(self):
        driver = self.me.memory_info().rss
        total = driver
        for child in self.me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return driver, total

    def __enter__(self):
        self.base_driver, self.base_total = self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            driver, total = self._sample()
            self.peak_driver, self.peak_total = max(self.peak_driver, driver), max(self.peak_total, total)
            time.sleep(0.05)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def median_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cpus", type=int, default=2)
    args = parser.parse_args()
    context = ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False,
                       namespace="default")
    session = create_session()
    # Our runs go through the project's driver process, connected to this same Ray by its GCS
    # address: all three sides share one Ray (and the driver process counts among the children).
    session.python_conf.update({"schema": SCHEMA, "dataMode": "data", "runIn": "driver",
                                "rayAddress": context.address_info["gcs_address"]})
    rng = np.random.default_rng(7)
    big = pa.table({"Busn_A": rng.integers(0, 200, args.rows), "Busn_B": rng.integers(0, 200, args.rows)})
    seed = pa.table({"Busn_A": [a for a, _ in SEED], "Busn_B": [b for _, b in SEED]})

    expected = ours(session, seed)  # also warms workers up
    assert expected.to_pylist()[0] == {"ProductName": "114_jackm", "SubProduct": "57_product"}
    assert pyjava_path(seed, args.cpus).to_pylist() == expected.to_pylist()
    assert plain_ray(seed, args.cpus).to_pylist() == expected.to_pylist()
    big_ours = ours(session, big)
    assert big_ours.equals(plain_ray(big, args.cpus))
    assert pyjava_path(big, args.cpus).to_pylist()[-3:] == big_ours.to_pylist()[-3:]

    t_ours = best_of(lambda: ours(session, big), 3)
    t_pyjava = best_of(lambda: pyjava_path(big, args.cpus), 2)
    t_plain = best_of(lambda: plain_ray(big, args.cpus), 3)
    w_ours = median_of(lambda: ours(session, seed), 15)
    w_pyjava = median_of(lambda: pyjava_path(seed, args.cpus), 5)
    with PeakMemory() as memory:
        ours(session, big)
    with PeakMemory() as memory_pyjava:
        pyjava_path(big, args.cpus)

    rows = f"{args.rows:,} rows"
    print_table(f"run command as Ray, foreach(echo), {args.cpus} Ray CPUs", [
        (f"ours, {rows}", t_ours, "(a) pyjava 0.6.21 path", t_pyjava, "<= 0.40x (2.5x faster)"),
        (f"ours, {rows}", t_ours, "(b) plain Ray tasks", t_plain, "<= 1.15x"),
        ("ours, seed cell warm (7 rows)", w_ours, "(a) pyjava 0.6.21 path", w_pyjava, "<= 0.10x"),
    ])
    mb = 1 << 20
    print(f"\npeak memory of the {rows} run [{machine()}]")
    for name, m in (("ours", memory), ("(a) pyjava", memory_pyjava)):
        print(f"  {name:<11} driver +{(m.peak_driver - m.base_driver) / mb:7.0f} MB (peak {m.peak_driver / mb:.0f} MB)"
              f"   driver+Ray processes +{(m.peak_total - m.base_total) / mb:7.0f} MB (peak {m.peak_total / mb:.0f} MB, RSS sum)")
    session.close()
    ray.shutdown()


if __name__ == "__main__":
    main()
