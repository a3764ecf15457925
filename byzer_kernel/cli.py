"""`byzer run FILE` (a .byzer script, or a notebook executed headless) and `byzer plan FILE`."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .engine import Observer
from .lang.errors import ByzerError

SCRIPT_SUFFIXES = {".byzer", ".mlsql", ".sql"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="byzer", description="Run Byzer scripts and notebooks locally.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a .byzer script or a notebook and print its result table")
    run.add_argument("file", type=Path)
    run.add_argument("--output", choices=["table", "csv", "json"], default="table",
                     help="how a script's result is printed (default: table)")
    run.add_argument("--limit", type=int, default=50, help="rows shown with --output table")
    run.add_argument("--save", type=Path, help="notebooks: write the executed notebook here")
    run.add_argument("--timeout", type=int, default=1800, help="notebooks: seconds allowed per cell")
    plan = commands.add_parser("plan", help="print the parsed statements without running them")
    plan.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            return plan_file(args.file)
        if args.file.suffix == ".ipynb":
            return run_notebook(args.file, args.save, args.timeout)
        return run_script(args.file, args.output, args.limit)
    except ByzerError as error:
        print(error, file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"byzer: {error.filename}: no such file", file=sys.stderr)
        return 2


def plan_file(path: Path) -> int:
    from .lang.notebook_hint import rewrite_python_cell
    from .lang import parse

    text = path.read_text(encoding="utf-8")
    print(parse(rewrite_python_cell(text) or text).describe())
    return 0


class _StderrMessages(Observer):
    """Notices (e.g. which Ray is used) go to stderr so that stdout stays the result."""

    def message(self, text: str) -> None:
        print(text, file=sys.stderr)

    def display(self, obj) -> None:
        """`!ray status` hands over the cluster manager: print its status as text."""
        from .widgets import status_text

        status = getattr(obj, "status", None)
        print(status_text(status()) if callable(status) else repr(obj), file=sys.stderr)


def run_script(path: Path, output: str, limit: int) -> int:
    from .runtime import create_session

    text = path.read_text(encoding="utf-8")
    session = create_session()
    try:
        result = session.execute(text, observer=_StderrMessages())
    finally:
        session.close()
    table = result.table
    if table is None:
        return 0
    if output == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, sys.stdout.buffer)
    elif output == "json":
        for row in table.to_pylist():
            print(json.dumps(row, default=str, ensure_ascii=False))
    else:
        from .display import format_table_text

        print(format_table_text(table, limit))
    return 0


def run_notebook(path: Path, save: Path | None, timeout: int) -> int:
    """Execute every cell on the notebook's own kernel, as nbconvert would, then print the result
    tables the cells produced."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        print(_cell_error_text(error), file=sys.stderr)
        return 1
    finally:
        if save:
            nbformat.write(notebook, save)
    print("\n\n".join(result_tables_text(notebook)))
    return 0


def result_tables_text(notebook) -> list[str]:
    """text/plain of every result table (outputs the kernel marked with `byzer` metadata)."""
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "byzer" in output.get("metadata", {}) and "text/plain" in output.get("data", {}):
                texts.append(output["data"]["text/plain"])
    return texts


def _cell_error_text(error) -> str:
    lines = [f"{error.ename}: {error.evalue}"] if getattr(error, "ename", None) else [str(error)]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
