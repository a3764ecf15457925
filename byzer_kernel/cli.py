"""`byzer run FILE` (a .byzer script, `-` for standard input, or a notebook executed headless:
cli_notebook.py), `byzer plan FILE` and `byzer --version`.

Exit codes: 0 done, 1 the script failed (one message on stderr), 2 the file cannot be read or the
command line is wrong, 130 interrupted. With `--output csv|json`, stdout carries the result alone.
While a script runs, notices go to stderr, with live progress when stderr is a terminal (cli_stderr.py).
"""
from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import os
import re
import sys
import traceback
from pathlib import Path

from . import __version__
from .cli_stderr import StderrEvents
from .lang.errors import ByzerError, InternalError, ScriptEncodingError, internal_error
from .lang.positions import line_col
from .lang.statements import Span

MACHINE_OUTPUTS = ("csv", "json")
DEBUG_HINT = "byzer: run again with --debug to see the traceback"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="byzer", description="Run Byzer scripts and notebooks locally.")
    parser.add_argument("--version", action="version", version=f"byzer {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="print the full traceback when byzer_kernel itself fails")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", parents=[common],
                              help="run a .byzer script (- reads it from standard input) or a notebook "
                                   "and print its results")
    run.add_argument("file", type=Path, help="a .byzer script, - for standard input, or a .ipynb notebook")
    run.add_argument("-p", "--param", dest="params", action="append", type=parameter, default=[],
                     metavar="NAME=VALUE", help="set the session variable NAME before the first statement "
                     "(as `set NAME=\"VALUE\" where scope=\"session\";` would); repeatable")
    run.add_argument("--output", choices=["table", *MACHINE_OUTPUTS], default="table",
                     help="scripts: how the result is printed (default: table); with csv and json, "
                          "whatever the script prints goes to stderr")
    run.add_argument("--limit", type=int, default=50, help="scripts: rows shown with --output table")
    run.add_argument("--save", type=Path, metavar="OUT.ipynb",
                     help="notebooks: write the executed notebook, with its outputs, here")
    run.add_argument("--timeout", type=int, default=1800, help="notebooks: seconds allowed per cell")
    plan = commands.add_parser("plan", parents=[common], help="print the parsed statements without running them")
    plan.add_argument("file", type=Path, help="a .byzer script, or - for standard input")
    args = parser.parse_args(argv)
    notebook = args.command == "run" and args.file.suffix == ".ipynb"
    if args.command == "run" and args.save and not notebook:
        run.error("--save writes an executed notebook: it needs a .ipynb file")
    if notebook and args.output != "table":
        run.error("--output csv|json is for scripts: a notebook prints every output as text")
    try:
        if args.command == "plan":
            return plan_file(args.file)
        if notebook:
            from .cli_notebook import run_notebook

            return run_notebook(args.file, args.save, args.timeout, dict(args.params))
        return run_script(args.file, args.output, args.limit, dict(args.params))
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
        missing_kernel = _missing_kernel(error)
        if missing_kernel:
            print(missing_kernel, file=sys.stderr)
            return 2
        return _internal_failure(internal_error(error), args.debug)


PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def parameter(text: str) -> tuple[str, str]:
    """`-p NAME=VALUE`: split at the first `=`; the value is kept exactly (quotes included)."""
    name, equals, value = text.partition("=")
    if not equals or not PARAMETER_NAME.fullmatch(name.strip()):
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE with NAME a variable name (letters, digits, "
                                         f"_ and ., not starting with a digit), got {text!r}")
    return name.strip(), value


def set_parameters(session, parameters: dict) -> None:
    """`-p` parameters as session variables: what `set NAME="VALUE" where scope="session";` makes,
    with the value taken as given rather than parsed, so no quoting can change it."""
    for name, value in parameters.items():
        session.variables.set(name, value, scope="session")


def set_shared_parameters(parameters: dict) -> None:
    """Run inside a notebook's kernel (cli_notebook.py): the parameters in the shared session that
    the kernel's cells and the %%byzer magic use."""
    from .runtime import shared_session

    set_parameters(shared_session(), parameters)


def _missing_kernel(error: Exception):
    """A notebook whose kernel is not installed: one line saying which, and how to install ours."""
    from jupyter_client.kernelspec import NoSuchKernel

    if isinstance(error, NoSuchKernel):
        return (f"byzer: the notebook's kernel {error.name!r} is not installed (the Byzer kernel installs "
                "with `python -m byzer_kernel install --user`)")
    return None


def _internal_failure(error: InternalError, debug: bool) -> int:
    if debug and error.traceback_text:
        print(error.traceback_text.rstrip("\n"), file=sys.stderr)
    print(error, file=sys.stderr)
    if not debug:
        print(DEBUG_HINT, file=sys.stderr)
    return 1


STDIN = Path("-")


def read_script(path: Path) -> str:
    """The script's text (`-`: standard input); bytes that are not UTF-8 text stop it with their line:col."""
    if path == STDIN:
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        data, name = path.read_bytes(), path.name
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        valid = body[:error.start].decode("utf-8")  # the text up to the first bad byte
        raise _encoding_error(f"{name} is not UTF-8 text: byte 0x{body[error.start]:02x} cannot be decoded",
                              valid, len(valid)) from None
    nul = text.find("\0")
    if nul >= 0:  # valid UTF-8, but no script holds NUL characters: a binary file
        raise _encoding_error(f"{name} holds a NUL character: a binary file, not a script", text, nul)
    return text


def _encoding_error(message: str, text: str, offset: int) -> ScriptEncodingError:
    line, col = line_col(text, offset)
    return ScriptEncodingError(message, span=Span(line, col, offset, offset + 1))


def plan_file(path: Path) -> int:
    from .lang.notebook_hint import rewrite_notebook_cell
    from .lang import parse

    text = read_script(path)
    print(parse(rewrite_notebook_cell(text) or text).describe())
    return 0


def run_script(path: Path, output: str, limit: int, parameters: dict | None = None) -> int:
    from .runtime import create_session

    text = read_script(path)
    with _printed_text_to_stderr(output in MACHINE_OUTPUTS):
        session = create_session()
        events = StderrEvents()
        try:
            set_parameters(session, parameters or {})
            result = session.execute(text, events=events)
            # Fetched while the session, and a Spark of its own, still runs: every row for a
            # machine, what the text table shows (a Spark result's first rows) for a person.
            table = result.table if output in MACHINE_OUTPUTS else result.shown_table(limit)
        except KeyboardInterrupt:
            events.finish("interrupted")
            raise
        except BaseException:
            events.finish("failed")
            raise
        finally:
            session.close()
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
