"""`run command as Ray` foreach(echo) over a Spark table (local[2]), side by side:

  spark 1M / 10M      the table lives in Spark: its executors serve the partitions to Ray, the
                      output is read back by Spark (docs/design.md §4.16)
  embedded 1M / 10M   the same statement over the embedded engine's Arrow table

Memory: the peak RSS of the kernel-side process (this one: the Session and pyspark's driver side),
of the Spark driver's JVM (under local[2] the executors run in it too) and of the byzer driver
process, during each run alone (Linux's peak counter reset before each run), after a warm-up run
of the small size. Target: the 10M-row run's peaks at most 1.2x those of the 1M-row run in the
kernel and the Spark driver. Time: the Spark-fed run against the embedded engine's (for
information).
Spark runs with Kryo as its serializer, as Byzer's own configuration (conf/byzer.properties) sets
it; `--serializer java` measures Spark's default. The JVM's peak follows G1's sizing of its heap,
which grows with the churn of a long run (rows are never held: the heap in use after a run is the
same), so it varies by some percent from one measurement to the next.
Usage: python benchmarks/bench_spark_ray.py [--rows N] [--small N] [--serializer kryo|java]
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ray import CODE, SCHEMA  # noqa: E402  (the seed's echo, as bench_ray runs it)
from common import machine, mb, print_table, process_status_bytes  # noqa: E402

from byzer_kernel.runtime import create_session, driver_client  # noqa: E402

STATEMENT = f"""
!python conf "schema={SCHEMA}";
!python conf "dataMode=data";
run command as Ray.`` where inputTable="data" and outputTable="python_output_table" and code='''{CODE}''';
"""


SERIALIZERS = {"kryo": "org.apache.spark.serializer.KryoSerializer",
               "java": "org.apache.spark.serializer.JavaSerializer"}


class PeakRss:
    """The peak resident memory of a process from now on: Linux's VmHWM after resetting it
    (clear_refs 5); where that is refused, a sampler every 20 ms."""

    def __init__(self, pid: int):
        self.pid = pid
        self.sampled = 0
        self._stop = threading.Event()
        self._thread = None
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
            self.reset = True
        except OSError:
            self.reset = False
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    def _sample(self) -> None:
        process = psutil.Process(self.pid)
        while not self._stop.wait(0.02):
            self.sampled = max(self.sampled, process.memory_info().rss)

    def peak(self) -> int:
        if self.reset:
            return process_status_bytes("VmHWM", self.pid)
        self._stop.set()
        self._thread.join()
        return self.sampled


def child_pid(marker: str) -> int:
    for child in psutil.Process().children(recursive=True):
        try:
            if marker in " ".join(child.cmdline()):
                return child.pid
        except psutil.Error:
            continue
    raise SystemExit(f"no child process runs {marker}")


def one_run(session, rows: int, pids: dict) -> tuple:
    """(seconds, {process: peak bytes}) of the statement over a fresh `rows`-row table."""
    session.execute(f"select id as Busn_A, id * 2 as Busn_B from range({rows}) as data;")
    meters = {name: PeakRss(pid) for name, pid in pids.items()}
    start = time.perf_counter()
    result = session.execute(STATEMENT)
    seconds = time.perf_counter() - start
    produced = result.produced
    count = produced.count() if hasattr(produced, "count") else produced.num_rows
    assert count == rows, (count, rows)
    return seconds, {name: meter.peak() for name, meter in meters.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--small", type=int, default=1_000_000)
    parser.add_argument("--serializer", choices=sorted(SERIALIZERS), default="kryo",
                        help="Spark's serializer: kryo as Byzer's conf/byzer.properties sets it, "
                             "or java, Spark's default")
    args, _ = parser.parse_known_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # Spark's Python workers: this Python
    driver_client.start_embedded(num_cpus=2, include_dashboard=False)
    spark = create_session()
    spark.execute(f'set spark.serializer="{SERIALIZERS[args.serializer]}" where type="conf";\n'
                  '!engine spark where master="local[2]";')
    duck = create_session()
    try:
        # Warm: Spark's first jobs, the JVM's JIT and heap sizing, Ray's workers, the driver
        # process. A JVM's heap grows with its first real work and does not give memory back.
        one_run(spark, args.small, {})
        one_run(duck, 1000, {})
        pids = {"kernel": os.getpid(), "Spark driver JVM": child_pid("org.apache.spark"),
                "byzer driver process": child_pid("byzer_kernel.runtime.driver")}
        small_time, small_peaks = one_run(spark, args.small, pids)
        large_time, large_peaks = one_run(spark, args.rows, pids)
        duck_small, _ = one_run(duck, args.small, {})
        duck_large, _ = one_run(duck, args.rows, {})
    finally:
        spark.close()
        duck.close()
        driver_client.shutdown()

    small, large = f"{args.small:,}", f"{args.rows:,}"
    print(f"\nforeach(echo) from a Spark table (local[2], {args.serializer} serializer), Ray with "
          f"2 CPUs  [{machine()}]")
    header = f"{'peak RSS during the run':<24} {small + ' rows':>16} {large + ' rows':>16} {'ratio':>7}  target"
    print(header)
    print("-" * len(header))
    for name in pids:
        ratio = large_peaks[name] / small_peaks[name]
        target = "<= 1.2x" if name != "byzer driver process" else "(information)"
        print(f"{name:<24} {mb(small_peaks[name]):>16} {mb(large_peaks[name]):>16} {ratio:>6.2f}x  {target}")
    print_table("time of the run", [
        (f"Spark-fed, {small} rows", small_time, "embedded engine, same rows", duck_small, "(information)"),
        (f"Spark-fed, {large} rows", large_time, "embedded engine, same rows", duck_large, "(information)"),
    ])
    print(f"rows/s: Spark-fed {args.rows / large_time:,.0f}, embedded {args.rows / duck_large:,.0f}")


if __name__ == "__main__":
    main()
