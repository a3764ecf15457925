"""`byzer run FILE` (a .byzer script, or a notebook executed headless) and `byzer plan FILE`.

Exit codes: 0 done, 1 the script failed (one message on stderr), 2 the file cannot be read,
130 interrupted. With `--output csv|json`, stdout carries the result alone.
"""
from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import os
import sys
import traceback
from pathlib import Path

from .engine import Observer
from .lang.errors import ByzerError, InternalError, ScriptEncodingError, bounded, internal_error
from .lang.positions import line_col
from .lang.statements import Span

MACHINE_OUTPUTS = ("csv", "json")
DEBUG_HINT = "byzer: run again with --debug to see the traceback"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="byzer", description="Run Byzer scripts and notebooks locally.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="print the full traceback when byzer_kernel itself fails")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", parents=[common],
                              help="run a .byzer script or a notebook and print its result table")
    run.add_argument("file", type=Path)
    run.add_argument("--output", choices=["table", *MACHINE_OUTPUTS], default="table",
                     help="how a script's result is printed (default: table); with csv and json, "
                          "whatever the script prints goes to stderr")
    run.add_argument("--limit", type=int, default=50, help="rows shown with --output table")
    run.add_argument("--save", type=Path, help="notebooks: write the executed notebook here")
    run.add_argument("--timeout", type=int, default=1800, help="notebooks: seconds allowed per cell")
    plan = commands.add_parser("plan", parents=[common], help="print the parsed statements without running them")
    plan.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "plan":
            return plan_file(args.file)
        if args.file.suffix == ".ipynb":
            return run_notebook(args.file, args.save, args.timeout)
        return run_script(args.file, args.output, args.limit)
    except InternalError as error:
        return _internal_failure(error, args.debug)
    except ByzerError as error:
        print(error, file=sys.stderr)
        return 1
    except FileNotFoundError as error:
        print(f"byzer: {error.filename}: no such file", file=sys.stderr)
        return 2
    except OSError as error:  # the script is a folder, is not readable...
        print(f"byzer: {error.filename or args.file}: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.debug:
            traceback.print_exc()
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug outside the Session (starting it, printing the result)
        return _internal_failure(internal_error(error), args.debug)


def _internal_failure(error: InternalError, debug: bool) -> int:
    if debug and error.traceback_text:
        print(error.traceback_text.rstrip("\n"), file=sys.stderr)
    print(error, file=sys.stderr)
    if not debug:
        print(DEBUG_HINT, file=sys.stderr)
    return 1


def read_script(path: Path) -> str:
    """The script's text; bytes that are not UTF-8 text stop it with their line:col."""
    data = path.read_bytes()
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        valid = body[:error.start].decode("utf-8")  # the text up to the first bad byte
        raise _encoding_error(f"{path.name} is not UTF-8 text: byte 0x{body[error.start]:02x} cannot be decoded",
                              valid, len(valid)) from None
    nul = text.find("\0")
    if nul >= 0:  # valid UTF-8, but no script holds NUL characters: a binary file
        raise _encoding_error(f"{path.name} holds a NUL character: a binary file, not a script", text, nul)
    return text


def _encoding_error(message: str, text: str, offset: int) -> ScriptEncodingError:
    line, col = line_col(text, offset)
    return ScriptEncodingError(message, span=Span(line, col, offset, offset + 1))


def plan_file(path: Path) -> int:
    from .lang.notebook_hint import rewrite_python_cell
    from .lang import parse

    text = read_script(path)
    print(parse(rewrite_python_cell(text) or text).describe())
    return 0


class _StderrMessages(Observer):
    """Notices (e.g. which Ray is used) go to stderr so that stdout stays the result."""

    def message(self, text: str) -> None:
        print(text, file=sys.stderr)

    def waiting(self, text) -> None:
        """Live notices ("starting Ray… N s"): redrawn in place on a terminal; elsewhere the first
        one is a line of its own and the rest stay quiet."""
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K" + (text or ""))
        elif text is not None and not getattr(self, "_waiting_shown", False):
            sys.stderr.write(text.split("…")[0] + "…\n")
        self._waiting_shown = text is not None
        sys.stderr.flush()

    def cluster_status(self, view) -> None:
        """`!ray status`: the status as text."""
        from .widgets import status_text

        print(status_text(view.status()), file=sys.stderr)


def run_script(path: Path, output: str, limit: int) -> int:
    from .runtime import create_session

    text = read_script(path)
    with _printed_text_to_stderr(output in MACHINE_OUTPUTS):
        session = create_session()
        try:
            result = session.execute(text, events=_StderrMessages())
        finally:
            session.close()
    table = result.table
    if table is None:
        return 0
    if output == "csv":
        import pyarrow.csv as pacsv

        sys.stdout.flush()
        pacsv.write_csv(table, sys.stdout.buffer)
    elif output == "json":
        for row in table.to_pylist():
            print(json.dumps(row, default=str, ensure_ascii=False))
    else:
        from .display import format_table_text

        print(format_table_text(table, limit))
    return 0


@contextlib.contextmanager
def _printed_text_to_stderr(enabled: bool):
    """While the script runs, what it prints goes to stderr: `print()` in its Python code, text
    forwarded from a driver process, Ray's worker log, child processes writing to file descriptor 1.
    stdout is then left to the machine-readable result alone."""
    if not enabled:
        yield
        return
    sys.stdout.flush()
    saved = _point_fd(1, 2)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        if saved is not None:
            for stream in (sys.__stdout__, sys.stdout):  # text buffered meanwhile belongs to stderr
                if stream is not None:
                    stream.flush()
            os.dup2(saved, 1)
            os.close(saved)


def _point_fd(fd: int, target: int):
    """Make `fd` write where `target` does; returns a copy of the old `fd`, None if there is none."""
    try:
        saved = os.dup(fd)
    except OSError:
        return None
    os.dup2(target, fd)
    return saved


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
    text = f"{error.ename}: {error.evalue}" if getattr(error, "ename", None) else str(error)
    return bounded(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
