"""`%%byzer` / `%byzer` for IPython, loaded with `%load_ext byzer_kernel`; the Byzer kernel runs its
cells through the same magic (docs/design.md §4.3), so both share one Session per process.

    %%byzer [-o VAR] [--limit N] [--plan] [--each] [VAR <<]
    %byzer [options] STATEMENT        %byzer status

`{{name}}` inserts a Python value; `${...}` is left to Byzer. pandas DataFrames and Arrow tables of
the Python namespace are Byzer tables by their variable name.
"""
from __future__ import annotations

import argparse
import logging
import re
import sys
import threading
from typing import Any, Optional

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import Bool, Float, Int
from traitlets.config import Configurable

from . import display as show
from .engine.observer import Observer
from .lang.errors import ByzerError, internal_error
from .magic_engine import EngineTraits
from .lang.errors import log as byzer_log
from .lang.python_code import inside, python_code_spans
from .lang.positions import point_span

OPTION_HELP = "options: -o VAR, --limit N, --plan, --each, VAR <<"
_ASSIGN = re.compile(r"\s*([A-Za-z_]\w*)\s*<<")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.S)
_WORD = re.compile(r"[A-Za-z_]\w*")


class MagicUsageError(ByzerError):
    kind = "UsageError"


class PythonVariableError(ByzerError):
    kind = "NameError"


def presentable(error: BaseException) -> BaseException:
    """IPython shows exactly our lines (headline + detail) instead of a Python traceback."""
    lines = show.error_lines(error)
    error._render_traceback_ = lambda: lines  # type: ignore[attr-defined]
    return error


def presentable_interrupt(interrupt: KeyboardInterrupt, statement) -> KeyboardInterrupt:
    where = ""
    if statement is not None:
        text = " ".join(statement.text.split())
        text = text if len(text) <= 60 else text[:57] + "..."
        where = f" at line {statement.span.line}:{statement.span.col} in `{text}`"
    lines = [f"KeyboardInterrupt{where}: interrupted"]
    interrupt._render_traceback_ = lambda: lines  # type: ignore[attr-defined]
    return interrupt


# -- argument handling --------------------------------------------------------------------------

def parse_magic_line(parser: argparse.ArgumentParser, line: str) -> argparse.Namespace:
    """The options, read by the magic's declared parser (so that `%byzer?` and parsing agree), then
    `VAR <<`, then (line magic) the statement in `rest`, kept exactly as written: argparse only
    sees the line's words to tell where the options end."""
    words = line.split()
    if "--" in words:  # a Byzer comment: no option follows it
        words = words[:words.index("--")]
    try:
        args, unknown = parser.parse_known_args(words)
    except UsageError as error:  # an option without its value
        raise MagicUsageError(f"{error} ({OPTION_HELP})") from None
    if unknown:
        raise MagicUsageError(f"unknown option {unknown[0]} ({OPTION_HELP})")
    if args.limit is not None:
        if not args.limit.isdigit():
            raise MagicUsageError(f"--limit needs a whole number, got {args.limit!r}")
        args.limit = int(args.limit)
    if args.output is not None and not args.output.isidentifier():
        raise MagicUsageError(f"-o needs a Python variable name, got {args.output!r}")
    option_words = len(words) - len(args.statement)
    rest = line[re.match(r"(\s*\S+){%d}" % option_words, line).end():] if option_words else line
    assign = _ASSIGN.match(rest)
    args.assign, rest = (assign.group(1), rest[assign.end():]) if assign else (None, rest)
    args.rest = rest.strip()
    return args


def interpolate(text: str, namespace: dict) -> str:
    """Replace `{{name}}` / `{{name.attr}}` with the Python value's str(), except inside the cell's
    Python code (`code='''...'''`, `#%python` cells), where `{{x}}` is Python's own syntax."""
    python_spans = python_code_spans(text) if "{{" in text else []

    def value_of(match):
        if inside(match.start(), python_spans):
            return match.group(0)
        expression = match.group(1).strip()
        parts = expression.split(".")
        if not expression or not all(p.isidentifier() for p in parts):
            raise PythonVariableError(f"{{{{{expression}}}}}: only variable names (and .attributes) "
                                      "can be interpolated", span=point_span(text, match.start()))
        if parts[0] not in namespace:
            raise PythonVariableError(f"{{{{{expression}}}}}: Python variable `{parts[0]}` is not defined",
                                      span=point_span(text, match.start()))
        value = namespace[parts[0]]
        for part in parts[1:]:
            value = getattr(value, part)
        return str(value)

    return _PLACEHOLDER.sub(value_of, text)


def as_arrow(value: Any):
    """A pandas DataFrame / Arrow table as an Arrow table, else None (pandas stays unimported)."""
    import pyarrow as pa

    if isinstance(value, pa.Table):
        return value
    if isinstance(value, pa.RecordBatch):
        return pa.Table.from_batches([value])
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame):
        return pa.Table.from_pandas(value, preserve_index=False)
    return None


# -- what a running cell shows ------------------------------------------------------------------

class CellObserver(Observer):
    """Messages as compact text lines, each long statement's progress (progress_view.py), and the
    cluster status for `!ray status` and the moment the session connects to Ray. Progress comes
    from the engine's timer thread too: one lock keeps the outputs in order."""

    def __init__(self, magics: "ByzerMagics", session, each_limit: Optional[int] = None):
        self.magics, self.session = magics, session
        # `--each`: the rows shown of every statement's table; None: only the cell's result shows.
        self.each_limit = each_limit
        self.views: dict[int, Any] = {}
        self.lock = threading.RLock()
        self.connected = self._connection() is not None
        self.last_statement = None
        self.said: list = []  # the cell's messages: the status view shown on connect leaves them out

    def _connection(self):
        from .runtime.driver_client import cluster_for

        return cluster_for(self.session).connection

    def check_connection(self) -> None:
        with self.lock:
            if not self.connected and self._connection() is not None:
                self.connected = True
                if self.magics.show_status_on_connect:
                    self.magics.show_status(omit=self.said)

    def statement_started(self, statement):
        self.last_statement = statement

    def statement_finished(self, statement, table):
        self.check_connection()
        if self.each_limit is not None and table is not None:
            self.magics.show_table(statement, table, self.each_limit)

    def progress(self, statement, done, total, rows=0, *, phase=None, rows_total=None, state=None):
        if state is None:  # only the engine's tracker's states are shown (engine/progress.py)
            return
        from .progress_view import ProgressView
        from .widgets import in_jupyter_kernel

        with self.lock:
            self.check_connection()
            view = self.views.get(id(statement))
            if view is None:
                view = self.views[id(statement)] = ProgressView(live=in_jupyter_kernel())
            view.show(state)

    def message(self, text):
        with self.lock:
            self.said.append(text)
            print(text, flush=True)

    def waiting(self, text):
        """Nothing: the progress output shows the phase "starting Ray" and its elapsed time."""

    def cluster_status(self, view):
        self.magics.show_status()  # the status view reads the same session's view

    def finish(self, ok: bool) -> None:
        """The cell ended: a connection made by its last statement still shows its status."""
        self.check_connection()


class TableView:
    """A result table as IPython displays it (`Out[n]`): HTML + text cut at the display limit, and
    the first page as data for the result viewer, which keeps the table (no copy) to page it."""

    def __init__(self, table, name: Optional[str], limit: Optional[int], source: Any = None):
        self.table, self.name, self.limit = table, name, limit
        self.source = source  # the whole table when `table` holds the first rows of a Spark result
        self.table_id: Optional[str] = None

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The metadata lets headless runs (`byzer run nb.ipynb`) find result tables among outputs.
        metadata = {"byzer": {"table": self.name, "rows": self.table.num_rows}}
        return show.table_bundle(self.table, self.limit, self.name, keep=self._keep), metadata

    def _keep(self, table, name) -> str:
        if self.table_id is None:  # shown again (`display(Out[3])`): the same id
            from .result_viewer import registry

            self.table_id = registry.keep(table, name)
        return self.table_id

    def __repr__(self) -> str:
        return show.format_table_text(self.table, self.limit, self.name)

    def to_pandas(self):
        from .engine.result_tables import arrow_table

        return arrow_table(self.source if self.source is not None else self.table).to_pandas()


class RawBundle:
    def __init__(self, bundle: dict):
        self.bundle = bundle

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.bundle

    def __repr__(self) -> str:
        return self.bundle.get("text/plain", "")


# -- the magics ---------------------------------------------------------------------------------

@magics_class
class ByzerMagics(Magics, EngineTraits):
    displaylimit = Int(show.DEFAULT_DISPLAY_LIMIT, help=(
        "Rows shown of a result table (0: all). `-o` and `VAR <<` always get every row.")).tag(config=True)
    status_refresh_interval = Float(2.0, help="Seconds between refreshes of a cluster status view "
                                    "while the cell that showed it runs (0: no refresh).").tag(config=True)
    show_status_on_connect = Bool(True, help="Show the cluster status when the session connects "
                                  "to Ray.").tag(config=True)

    def __init__(self, shell):
        Configurable.__init__(self, config=shell.config)
        Magics.__init__(self, shell=shell)
        # `%config ByzerMagics.displaylimit = 50` finds configurables here.
        self.shell.configurables.append(self)
        self._from_python: dict[str, tuple[int, Any]] = {}
        self._engine_set_on: Any = None  # the Session the engine traits were last applied to

    @property
    def session(self):
        from .runtime import shared_session

        session = shared_session()
        if self._engine_set_on is not session:
            self._engine_set_on = session
            self.apply_engine(session)
        return session

    # argparse formats each help text with `%`: a literal % is written %%.
    @magic_arguments()
    @argument("-o", "--output", metavar="VAR",
              help="also put the result table, every row, in VAR as a pandas DataFrame")
    @argument("--limit", metavar="N", help="rows shown of the result table (default: "
              "ByzerMagics.displaylimit; 0: all)")
    @argument("--plan", action="store_true", help="show the parsed statements without running them")
    @argument("--each", action="store_true", help="show the result table of every statement that "
              "makes one, not only the last (JupyterLab's Run Byzer File runs a file this way)")
    @argument("statement", nargs=argparse.REMAINDER,
              help="[VAR <<] STATEMENT: `VAR <<` puts the result table in VAR (as -o does) without "
                   "showing it; the statement (line magic only) is kept exactly as written")
    @no_var_expand
    @line_cell_magic
    def byzer(self, line: str = "", cell: Optional[str] = None):
        """Run Byzer statements in the Session shared with the kernel: `%%byzer [options] [VAR <<]`
        runs the cell, `%byzer [options] [VAR <<] STATEMENT` one statement, and `%byzer status`
        shows the cluster status. `{{name}}` inserts the value of a Python variable; pandas
        DataFrames and Arrow tables of the namespace are tables by their variable name."""
        try:
            args = parse_magic_line(ByzerMagics.byzer.parser, line)
            if cell is None:
                text = args.rest
                if text == "status" and not (args.output or args.assign or args.plan):
                    self.show_status()
                    return None
            else:
                if args.rest:
                    raise MagicUsageError(f"unexpected {args.rest!r} after %%byzer ({OPTION_HELP})")
                text = cell
                assign = _ASSIGN.match(text)
                if assign and not args.assign:
                    args.assign, text = assign.group(1), " " * assign.end() + text[assign.end():]
            return self.run(text, args)
        except ByzerError as error:
            raise presentable(error) from None

    def run(self, text: str, args: argparse.Namespace):
        namespace = self.shell.user_ns
        text = interpolate(text, namespace)
        session = self.session
        if args.plan:
            return RawBundle({"text/plain": session.plan(text).describe()})
        self.register_python_tables(session, text)
        limit = self.displaylimit if args.limit is None else args.limit
        events = CellObserver(self, session, limit if args.each and not args.assign else None)
        ok = False
        from .widgets import cell_running

        cell_running(True)  # a status view the cell shows follows the cluster while it runs
        try:
            result = session.execute(text, events)
            ok = True
        except ByzerError:
            raise
        except KeyboardInterrupt as interrupt:  # the runtime has cancelled its Ray work by now
            raise presentable_interrupt(interrupt, events.last_statement)
        except Exception as error:  # a bug below the engine still gives one short message
            raise internal_error(error, events.last_statement) from error
        finally:
            cell_running(False)
            events.finish(ok)
        if not result.has_table:
            return None
        for name in (args.output, args.assign):
            if name:
                namespace[name] = result.table.to_pandas()  # every row, a Spark result's too
        if args.assign or events.each_limit is not None:  # not shown, or shown already
            return None
        shown = result.shown_table(limit)  # a Spark result's first rows only
        conf_kind = show.is_conf_table(shown, result.table_name)
        if conf_kind:
            return RawBundle(show.conf_bundle(shown, conf_kind))
        return TableView(shown, result.table_name, limit, source=result.produced)

    def show_table(self, statement, table, limit: Optional[int]) -> None:
        """One statement's table (`--each`), shown as a cell's result is, under the name the
        statement gave it (`!python conf|env` tables are not kept in the catalog)."""
        from IPython.display import display

        name = None
        for known, registered in self.session.catalog.items():
            if registered is table:
                name = known
        if name is None and getattr(statement, "name", None) == "python" and statement.args:
            name = f"python_{statement.args[0].text}"
        from .engine.result_tables import shown_table

        source, table = table, shown_table(table, limit)  # a Spark table's first rows only
        conf_kind = show.is_conf_table(table, name)
        display(RawBundle(show.conf_bundle(table, conf_kind)) if conf_kind else TableView(table, name, limit, source))

    def register_python_tables(self, session, text: str) -> None:
        """Names in the cell that are not Byzer tables but DataFrame/Arrow variables become tables;
        a table registered this way follows its variable when it is reassigned."""
        namespace = self.shell.user_ns
        for word in set(_WORD.findall(text)):
            value = namespace.get(word)
            if value is None or word.startswith("_"):
                continue
            known = session.catalog.get(word)
            previous = self._from_python.get(word.lower())
            if known is not None and (previous is None or previous[1] is not known):
                continue  # a table made in Byzer wins over a Python variable
            if previous is not None and previous[0] == id(value) and known is previous[1]:
                continue
            table = as_arrow(value)
            if table is not None:
                session.catalog.register(word, table)
                self._from_python[word.lower()] = (id(value), table)

    def show_status(self, omit=()) -> None:
        from .widgets import show_cluster_status

        show_cluster_status(self.session, self.status_refresh_interval, omit)


def load_ipython_extension(ipython) -> None:
    for existing in ipython.configurables:
        if isinstance(existing, ByzerMagics):
            return
    ipython.register_magics(ByzerMagics(ipython))
    from .result_viewer import register_comm_target

    register_comm_target(ipython)  # result viewers page, sort and download through this kernel
    kernel_log = getattr(getattr(ipython, "kernel", None), "log", None)
    if kernel_log is not None:
        byzer_log.addHandler(ToKernelLog(kernel_log))


class ToKernelLog(logging.Handler):
    """The `byzer_kernel` log (e.g. the traceback of an InternalError) goes to the kernel's own log,
    which Jupyter shows in its terminal, never into a cell's output."""

    def __init__(self, kernel_log: logging.Logger):
        super().__init__()
        self.kernel_log = kernel_log

    def emit(self, record: logging.LogRecord) -> None:
        self.kernel_log.handle(record)
