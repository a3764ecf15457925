"""Shared bits of the benchmarks: timing (best of N), the side-by-side table, memory figures."""
from __future__ import annotations

import platform
import os
import time
from pathlib import Path


def best_of(fn, repeat: int = 3) -> float:
    """Best wall time in seconds of `repeat` calls (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(title: str, rows: list[tuple]) -> None:
    """rows: (case, seconds, anchor, anchor_seconds, target) -> printed with the ratio."""
    print(f"\n{title}  [{machine()}]")
    header = f"{'case':<46} {'time':>10} {'anchor':<40} {'anchor time':>11} {'ratio':>7}  target"
    print(header)
    print("-" * len(header))
    for case, seconds, anchor, anchor_seconds, target in rows:
        ratio = seconds / anchor_seconds if anchor_seconds else float("nan")
        print(f"{case:<46} {_fmt(seconds):>10} {anchor:<40} {_fmt(anchor_seconds):>11} {ratio:>6.2f}x  {target}")


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def process_status_bytes(key: str, pid="self") -> int:
    """A memory line of Linux's /proc/PID/status in bytes: VmRSS now, VmHWM (the peak RSS since
    the process began or since "5" was written to its clear_refs)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"
