"""Showing a result: time to first rows and the memory a kernel holds for a paged result.

  first rows   time from the statement's end (Session.execute returned its table) to the result's
               bundle built and serialized as the kernel sends it (HTML, text and the viewer's JSON
               first page), for a 10,000,000-row result vs a 20-row one (target <= 2x)
  memory       RSS of a real Byzer kernel (psutil) before and after a cell showing the
               10,000,000-row result, then after paging it sorted over the `byzer.table` comm,
               against the Arrow size of the table (target: the growth is about one copy)

Usage: python benchmarks/bench_display.py [--rows N] [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
from jupyter_client.manager import start_new_kernel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, mb, print_table  # noqa: E402

from byzer_kernel.__main__ import install_kernelspec  # noqa: E402
from byzer_kernel.engine import Session  # noqa: E402
from byzer_kernel.magics import TableView  # noqa: E402
from byzer_kernel.result_viewer import registry  # noqa: E402


def result_sql(rows: int) -> str:
    return (f"select id, cast(id % 7 as int) as k, if(id % 5 = 0, null, concat('w', id)) as word, "
            f"date_add(to_date('2024-01-01'), cast(id % 400 as int)) as day, "
            f"cast(id / 4 as decimal(12,2)) as amount from range({rows}) as big;")


def time_to_first_rows(session: Session, rows: int, repeat: int) -> float:
    """Best of `repeat`: the statement runs untimed, then its bundle is built and serialized."""
    best = float("inf")
    for _ in range(repeat):
        registry.clear()  # the last run's table is freed here, not inside the timed part
        table = session.execute(result_sql(rows)).table
        start = time.perf_counter()
        bundle, metadata = TableView(table, "big", 20)._repr_mimebundle_()
        json.dumps({"data": bundle, "metadata": metadata}, allow_nan=False)
        best = min(best, time.perf_counter() - start)
    return best


# -- a real kernel ---------------------------------------------------------------------------------

def run_cell(client, code: str) -> dict:
    msg_id = client.execute(code)
    data = None
    while True:
        msg = client.get_iopub_msg(timeout=600)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_result":
            data = msg["content"]["data"]
        elif msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return data


def ask(client, comm_id: str, request: dict) -> dict:
    msg = client.session.msg("comm_msg", {"comm_id": comm_id, "data": request})
    client.shell_channel.send(msg)
    while True:
        answer = client.get_iopub_msg(timeout=600)
        if answer["msg_type"] == "comm_msg" and answer["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            return answer["content"]["data"]


def settled_rss(process: psutil.Process, seconds: float = 2.0) -> int:
    """RSS once the kernel is idle (background warm-up done): sampled until it stops moving."""
    deadline, last = time.monotonic() + 60, -1
    while time.monotonic() < deadline:
        rss = process.memory_info().rss
        if last >= 0 and abs(rss - last) < 2 * 1024 * 1024:
            return rss
        last = rss
        time.sleep(seconds)
    return last


def kernel_memory(rows: int) -> dict:
    with tempfile.TemporaryDirectory() as home:
        install_kernelspec(prefix=home)
        os.environ["JUPYTER_PATH"] = os.path.join(home, "share", "jupyter")
        os.environ["BYZER_HOME"] = home
        manager, client = start_new_kernel(kernel_name="byzer")
        try:
            process = psutil.Process(manager.provisioner.process.pid)
            run_cell(client, "select 1 as a as warm;")  # the engine loaded, as before any real cell
            before = settled_rss(process)
            data = run_cell(client, result_sql(rows))
            shown = settled_rss(process)
            table_id = data["application/vnd.byzer.table+json"]["table_id"]
            size = run_cell(client, "%%python\nfrom byzer_kernel.result_viewer import registry\n"
                                    f"registry.get({table_id!r})[0].nbytes")["text/plain"]
            comm_id = uuid.uuid4().hex
            client.shell_channel.send(client.session.msg("comm_open", {
                "comm_id": comm_id, "target_name": "byzer.table", "data": {"table_id": table_id}}))
            start = time.perf_counter()
            first = ask(client, comm_id, {"request": "page", "offset": 20, "limit": 20,
                                          "sort": [{"column": "word", "descending": True}]})
            sorted_page = time.perf_counter() - start
            start = time.perf_counter()
            ask(client, comm_id, {"request": "page", "offset": 40, "limit": 20,
                                  "sort": [{"column": "word", "descending": True}]})
            next_page = time.perf_counter() - start
            assert len(first["rows"]) == 20, first
            paged = settled_rss(process)
            return {"before": before, "shown": shown, "paged": paged, "table": int(size),
                    "html_bytes": len(data["text/html"]), "sorted_page": sorted_page, "next_page": next_page}
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home:
        session = Session(home=home)
        small = time_to_first_rows(session, 20, args.repeat)
        large = time_to_first_rows(session, args.rows, args.repeat)
        session.close()
    print_table("Time to first rows (statement end -> bundle built and serialized)", [
        (f"{args.rows:,}-row result", large, "20-row result", small, "<= 2x")])

    memory = kernel_memory(args.rows)
    growth = memory["shown"] - memory["before"]
    print(f"\nMemory a Byzer kernel holds for a shown {args.rows:,}-row result  [{machine()}]")
    print(f"  Arrow table (nbytes)                    {mb(memory['table'])}")
    print(f"  RSS growth after the cell showed it     {mb(growth)}  ({growth / memory['table']:.2f}x the table; "
          "target about 1x)")
    print(f"  RSS growth after sorted paging          {mb(memory['paged'] - memory['shown'])}  "
          f"(the sort's row order: 8 bytes x {args.rows:,} rows = {mb(8 * args.rows)})")
    print(f"  first sorted page (sort + take)         {memory['sorted_page'] * 1000:.0f} ms; "
          f"next page of the same sort {memory['next_page'] * 1000:.1f} ms")
    print(f"  HTML sent for the first page            {memory['html_bytes']:,} bytes")


if __name__ == "__main__":
    main()
