"""`load excel` of a ROWS-row sheet (id, name, amount, day columns) through the engine vs fastexcel's
own read of the same sheet into Arrow (`load_sheet(...).to_arrow()`), side by side. Target: at most
1.2x. Usage: python benchmarks/bench_excel.py [--rows N] [--repeat R]"""
from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, print_table  # noqa: E402


def make_workbook(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    sheet.append(["id", "name", "amount", "day"])
    start = datetime.datetime(2024, 1, 1)
    for i in range(rows):
        sheet.append([i, f"name{i % 1000}", i * 0.25, start + datetime.timedelta(minutes=i)])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import fastexcel

    from byzer_kernel.engine import Session

    with tempfile.TemporaryDirectory() as home:
        path = Path(home) / "big.xlsx"
        make_workbook(path, args.rows)
        session = Session(home=home)
        typed = 'load excel.`big.xlsx` where inferSchema="true" as t;'
        text = "load excel.`big.xlsx` as t;"
        assert session.execute(typed).table.num_rows == args.rows

        def own_typed():
            return fastexcel.read_excel(str(path)).load_sheet("Data").to_arrow()

        def own_text():
            return fastexcel.read_excel(str(path)).load_sheet("Data", dtypes="string").to_arrow()

        rows = []
        for case, statement, anchor, anchor_fn in (
                ("load excel inferSchema=true", typed, "fastexcel load_sheet().to_arrow()", own_typed),
                ("load excel (strings, the default)", text, "fastexcel dtypes=string to_arrow()", own_text)):
            seconds = best_of(lambda: session.execute(statement), args.repeat)
            rows.append((case, seconds, anchor, best_of(anchor_fn, args.repeat), "<= 1.2x"))
        session.close()
    print_table(f"load excel, {args.rows:,} rows x 4 columns", rows)


if __name__ == "__main__":
    main()
