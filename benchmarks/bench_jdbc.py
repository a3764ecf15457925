"""`load jdbc` and `save ... as jdbc` against a real PostgreSQL (started here, as the tests start it:
tests/db_servers.py), side by side with the libraries the engine is built on:

  load   `load jdbc.`pg.public.t` as t;` through a Session
         vs connectorx.read_sql(uri, "select * from t", return_type="arrow")   target <= 1.2x
         vs pandas.read_sql over an ADBC DB-API connection                      (info)
  save   `save overwrite t as jdbc.`pg.t_engine`;` of the rows just loaded
         vs ADBC's bulk write of the same Arrow table (drop, adbc_ingest(mode="create"), commit)
                                                                                target <= 1.3x

Both save sides open their own connection each time and replace a table that exists. The table
has ROWS rows x 6 columns: bigint, int, double precision, text (1% NULL), timestamp, numeric(12,2)
(the engine reads it as Spark's decimal(12,2), connectorx by itself as decimal(38,10)).
run_all.py finds this file by its name.
Each side also runs once in a fresh interpreter: its RSS just before the operation (imports done)
and its peak RSS during it (Linux VmHWM, reset just before), so the sides' peaks are separate.
Usage: python benchmarks/bench_jdbc.py [--rows N] [--repeat R]
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import best_of, print_table, process_status_bytes  # noqa: E402

LOAD = "load jdbc.`pg.public.t` as t;"
SAVE = "save overwrite t as jdbc.`pg.t_engine`;"
SIDES = ("load-engine", "load-connectorx", "load-pandas", "save-engine", "save-adbc")
# What a child needs to reach the server, passed in the environment rather than on the command line.
ENV_KEY = "BYZER_BENCH_JDBC"


def postgres_server_class():
    """tests/db_servers.py's PostgresServer: tests/ is not a package, and db_servers imports its
    neighbour server_process, so the folder goes on the path (as the tests and dev/ put it)."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from db_servers import PostgresServer

    return PostgresServer


def fill(server, rows: int) -> None:
    server.execute("DROP TABLE IF EXISTS t")
    server.execute(f"""
        CREATE TABLE t AS SELECT
            i::bigint AS id,
            (i % 1000)::int AS qty,
            (i * 0.25)::float8 AS ratio,
            CASE WHEN i % 100 = 0 THEN NULL ELSE 'customer-' || (i % 50000) END AS name,
            TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL '1 second' AS created,
            ((i % 1000000) / 100.0)::numeric(12,2) AS amount
        FROM generate_series(1, {rows}) AS i""")
    server.execute("VACUUM ANALYZE t")


# -- the sides ---------------------------------------------------------------------------------
def engine_session(connect_statement: str, home: str):
    from byzer_kernel.engine import Session

    session = Session(home=home)
    session.execute(connect_statement)
    return session


def connectorx_load(uri: str) -> pa.Table:
    import connectorx

    return connectorx.read_sql(uri, "select * from t", return_type="arrow")


def pandas_load(uri: str):
    import pandas as pd
    from adbc_driver_postgresql import dbapi

    with dbapi.connect(uri) as connection:
        return pd.read_sql("select * from t", connection)


def adbc_save(uri: str, table: pa.Table, name: str = "t_adbc") -> None:
    from adbc_driver_postgresql import dbapi

    with dbapi.connect(uri) as connection:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.adbc_ingest(name, table, mode="create")
        connection.commit()


# -- one side in a fresh interpreter -----------------------------------------------------------
def _status_mb(key: str) -> float:
    return process_status_bytes(key) / 2**20


def run_child(side: str) -> dict:
    """One operation of one side; its RSS before (imports done) and the process's peak RSS."""
    settings = json.loads(os.environ[ENV_KEY])
    uri, home = settings["uri"], settings["home"]
    for module in ("connectorx", "pandas", "adbc_driver_postgresql.dbapi"):  # every side, before measuring
        importlib.import_module(module)

    data = None
    if side.startswith("save"):
        with pa.memory_map(settings["input"]) as source:
            data = pa.ipc.open_file(source).read_all()
        data = data.combine_chunks()  # copied into memory, not left mapped: both sides start alike
    session = engine_session(settings["connect"], home) if side.endswith("engine") else None
    if session is not None and data is not None:
        session.catalog.register("t", data)
    # The peak is the process's own VmHWM, reset here to the current RSS. getrusage's ru_maxrss
    # would not do: Linux carries the parent's high-water mark across fork and exec into it.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_mb("VmRSS")
    began = time.perf_counter()
    if side == "load-engine":
        rows = session.execute(LOAD).table.num_rows
    elif side == "load-connectorx":
        rows = connectorx_load(uri).num_rows
    elif side == "load-pandas":
        rows = len(pandas_load(uri))
    elif side == "save-engine":
        rows = int(session.execute(SAVE.replace("t_engine", "t_engine_memory")).table.column("rows")[0].as_py())
    else:
        adbc_save(uri, data, "t_adbc_memory")
        rows = data.num_rows
    seconds = time.perf_counter() - began
    peak = _status_mb("VmHWM")
    return {"side": side, "rows": rows, "before_mb": before, "peak_mb": peak, "seconds": seconds}


def measure_in_child(side: str, settings: dict) -> dict:
    env = {**os.environ, ENV_KEY: json.dumps(settings)}
    done = subprocess.run([sys.executable, __file__, "--child", side], env=env, capture_output=True,
                          text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{side} child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the comparison ----------------------------------------------------------------------------
def interleaved(functions: dict, repeat: int) -> dict:
    """Best time of each function, run in turns so that every side meets the same machine load
    (other work may share the cores)."""
    best = {name: float("inf") for name in functions}
    for _ in range(repeat):
        for name, fn in functions.items():
            best[name] = min(best[name], best_of(fn, 1))
    return best


def check_same_rows(ours: pa.Table, theirs: pa.Table, rows: int) -> None:
    assert ours.num_rows == theirs.num_rows == rows, (ours.num_rows, theirs.num_rows, rows)
    assert ours.column_names == theirs.column_names, (ours.column_names, theirs.column_names)
    for name in ("id", "qty", "ratio", "name"):
        assert ours.column(name).equals(theirs.column(name).cast(ours.schema.field(name).type)), name


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child)))
        return

    with postgres_server_class()() as server, tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        fill(server, args.rows)
        print(f"{server.execute('SELECT version()')[0][0].split(' on ')[0]} on 127.0.0.1:{server.port}; "
              f"table t filled with {args.rows:,} rows in {time.perf_counter() - started:.1f} s")
        uri, connect = server.uri(), server.connect_statement("pg")
        session = engine_session(connect, home)

        ours = session.execute(LOAD).table
        theirs = connectorx_load(uri)
        check_same_rows(ours, theirs, args.rows)
        print("engine types:     " + ", ".join(f"{f.name} {f.type}" for f in ours.schema))
        print("connectorx types: " + ", ".join(f"{f.name} {f.type}" for f in theirs.schema))
        del theirs

        loads = interleaved({"engine": lambda: session.execute(LOAD),
                             "connectorx": lambda: connectorx_load(uri),
                             "pandas": lambda: pandas_load(uri)}, args.repeat)
        saves = interleaved({"engine": lambda: session.execute(SAVE),
                             "adbc": lambda: adbc_save(uri, ours)}, args.repeat)
        for name in ("t_engine", "t_adbc"):
            counted = server.execute(f"SELECT count(*) FROM {name}")[0][0]
            assert counted == args.rows, (name, counted)
        session.close()

        input_file = Path(home) / "input.arrow"
        with pa.OSFile(str(input_file), "wb") as sink, pa.ipc.new_file(sink, ours.schema) as writer:
            writer.write_table(ours)
        settings = {"uri": uri, "connect": connect, "home": home, "input": str(input_file)}
        memory = {side: measure_in_child(side, settings) for side in SIDES}

    shape = f"{args.rows:,} rows x 6 columns, best of {args.repeat}"
    print_table(f"load jdbc from PostgreSQL, {shape}", [
        ("load jdbc (engine Session)", loads["engine"], "connectorx.read_sql -> arrow", loads["connectorx"],
         "<= 1.2x"),
        ("load jdbc (engine Session)", loads["engine"], "pandas.read_sql (ADBC connection)", loads["pandas"],
         "(info)"),
    ])
    print_table(f"save overwrite as jdbc to PostgreSQL, {shape}", [
        ("save overwrite ... as jdbc (engine Session)", saves["engine"], "ADBC adbc_ingest(create)+commit",
         saves["adbc"], "<= 1.3x"),
    ])
    print("\npeak memory, each side once in a fresh interpreter (RSS after imports -> peak VmHWM)")
    header = f"{'side':<18} {'rows':>10} {'time':>9} {'RSS before':>11} {'peak RSS':>10} {'growth':>9}"
    print(header)
    print("-" * len(header))
    for side, found in memory.items():
        print(f"{side:<18} {found['rows']:>10,} {found['seconds']:>8.2f}s {found['before_mb']:>8.0f} MB "
              f"{found['peak_mb']:>7.0f} MB {found['peak_mb'] - found['before_mb']:>6.0f} MB")


if __name__ == "__main__":
    main()
