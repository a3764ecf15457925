"""The Session: one per kernel / magic process / `byzer run`. docs/design.md §3 is the walk implemented here."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Optional

import pyarrow as pa

from ..lang import parse
from ..lang.errors import ByzerError, ByzerRuntimeError, InternalError, internal_error, log_internal_error
from ..lang.statements import Script, SetStatement, Statement
from ..lang.templates import render as render_template
from . import ets
from .branching import BranchRunner, check_branches, is_branch_command
from .catalog import Catalog
from .commands import BUILTIN_COMMANDS
from .executors import executor_for
from .include import expand_includes, name_place, py_include_command
from .jobs import JobLog
from .macros import FailedExpansion, expand_macro, is_macro_call
from .observer import Observer
from .progress import watch_progress
from .result_tables import arrow_table, shown_table
from .script_udf import ScriptFunctions
from .set_statement import preprocess_sets
from .spark.engine import SparkEngine
from .variables import Variables


class Result:
    """What one `Session.execute` produced: the last table (docs/spec.md §1.8) and what was said on
    the way. Under Spark the table stays in Spark: `shown_table` fetches what a display needs,
    `table` every row (engine/result_tables.py)."""

    def __init__(self, table: Any = None, table_name: Optional[str] = None, messages: Optional[list] = None):
        self.produced = table  # the statement's table: Arrow, or a lazy Spark table
        self.table_name = table_name
        self.messages = messages if messages is not None else []
        self._every_row: Optional[pa.Table] = None

    @property
    def table(self) -> Optional[pa.Table]:
        """Every row as Arrow (a Spark table is collected once, on first use)."""
        if self._every_row is None:
            self._every_row = arrow_table(self.produced)
        return self._every_row

    @table.setter
    def table(self, value: Any) -> None:
        self.produced, self._every_row = value, None

    @property
    def has_table(self) -> bool:
        return self.produced is not None

    def shown_table(self, limit: Optional[int]) -> Optional[pa.Table]:
        """What a display of `limit` rows needs, without collecting a Spark table."""
        return self._every_row if self._every_row is not None else shown_table(self.produced, limit)


class _Collector(Observer):
    """Keeps messages in the Result and forwards every event to the front-end's observer."""

    def __init__(self, result: Result, forward: Optional[Observer]):
        self.result, self.forward = result, forward or Observer()

    def statement_started(self, statement):
        self.forward.statement_started(statement)

    def statement_finished(self, statement, table):
        self.forward.statement_finished(statement, table)

    def progress(self, statement, done, total, rows=0, **details):
        self.forward.progress(statement, done, total, rows, **details)

    def progress_ended(self, statement, ok):
        self.forward.progress_ended(statement, ok)

    def message(self, text):
        self.result.messages.append(text)
        self.forward.message(text)

    def cluster_status(self, view):
        self.forward.cluster_status(view)

    def waiting(self, text):
        self.forward.waiting(text)


_SQL_ENGINE_LOCK = threading.Lock()  # guards the lazy creation of a Session's SqlEngine

# Failures of the machine or of the user's files, not bugs: a file that cannot be read or decoded,
# a folder without write permission, memory running out. They stay user errors.
ENVIRONMENT_ERRORS = (OSError, UnicodeError, MemoryError)


class Session:
    def __init__(self, home: Optional[str] = None, owner: Optional[str] = None):
        self.home = Path(home or os.environ.get("BYZER_HOME") or os.getcwd()).expanduser()
        self.owner = owner or os.environ.get("USER") or "byzer"
        self.catalog = Catalog()
        self.variables = Variables(home=str(self.home), owner=self.owner)
        self.python_conf: dict[str, str] = {}
        self.python_env: dict[str, str] = {}
        # ETs for `run ... as NAME` keyed by capitalised name (docs/spec.md §1.6); the runtime adds "Ray".
        self.ets: dict[str, Callable] = {}
        ets.install(self)  # the engine's built-in ETs (engine/ets/)
        # `!name` commands handled in the engine or added by other layers (e.g. `!ray status`).
        self.commands: dict[str, Callable] = dict(BUILTIN_COMMANDS)
        self.commands.setdefault("pyInclude", py_include_command)
        # Hooks run when the session closes (Ray connections, widgets refreshers...).
        self.close_hooks: list[Callable[[], None]] = []
        # `set k=v where type="conf"` items, kept as Byzer keeps its Spark configuration.
        self.spark_conf: dict[str, str] = {}
        # What the runtime keeps per session: its view of the Ray cluster (a ClusterView, made on
        # first use by runtime.driver_client.cluster_for); None in a Session without the runtime.
        self.cluster_view: Optional[Any] = None
        # Every execute() call is one job (`!show jobs`, `!kill`).
        self.jobs = JobLog()
        # `register ScriptUDF` functions, callable in every later select (engine/script_udf.py).
        self.functions = ScriptFunctions()
        # `include project.` paths are relative to the directory the engine runs in, as in Byzer
        # (the notebook's or the `byzer run` caller's directory).
        self.project_dir = Path(os.getcwd())
        # Variables assigned by the conditions of the running `!if` blocks (engine/branching.py):
        # rendered under the set variables, which win (Byzer renders twice, env first).
        self.branch_variables: dict[str, str] = {}
        # `connect jdbc ... as name` options by name ("" for the defaults): engine/jdbc/connections.py.
        self.jdbc_connections: dict[str, dict] = {}
        # Secret values met while running (a connection's password, whatever variable it came
        # from): listings of the session's own texts (`!show jobs`, `!show conf`) mask them.
        self.secret_values: set[str] = set()
        self._sql_engine = None
        # Which engine runs the statements (duckdb or spark: BYZER_ENGINE, `%config`, `!engine`),
        # and under Spark the session's Spark, started on first need (engine/spark/).
        self.spark = SparkEngine(self)
        self.close_hooks.append(self.spark.close)

    # -- the walk of one cell ------------------------------------------------------------------
    def plan(self, text: str) -> Script:
        """Parse a cell; a Byzer Notebook `#%python` or `--%visualize` cell is first rewritten as
        Byzer Notebook does."""
        from ..lang.notebook_hint import rewrite_notebook_cell

        rewritten = rewrite_notebook_cell(text)
        return parse(text if rewritten is None else rewritten)

    def execute(self, text: str, events: Optional[Observer] = None) -> Result:
        """Parse and run a cell as one job of `self.jobs` (see _execute_cell), with the progress of
        long statements timed for `events` (engine/progress.py)."""
        with watch_progress(events, self.query_progress) as events:
            return self.jobs.run(text, lambda: self._execute_cell(text, events))

    def _execute_cell(self, text: str, events: Optional[Observer] = None) -> Result:
        """Parse and run a cell. Raises ByzerError (one message, with the statement's line:col);
        statements before the failing one keep their effects. An unexpected exception is a bug of
        ours: it becomes an InternalError, its traceback logged on the `byzer_kernel` logger."""
        with _failures_named(None):
            script = self.plan(text)
        result = Result()
        events = _Collector(result, events)
        self.variables.begin_request()
        try:
            statements = self._prepared(script.statements)
            branches = BranchRunner(self, events)
            for statement in statements:
                if is_branch_command(statement):
                    produced = None
                    events.statement_started(statement)
                    with _failures_named(statement):
                        branches.step(statement)
                elif not branches.running:
                    continue  # a branch that does not run: its statements are skipped
                elif isinstance(statement, FailedExpansion):
                    with _failures_named(statement):
                        raise statement.error
                else:
                    events.statement_started(statement)
                    with _failures_named(statement):
                        produced = self._run_statement(statement, events)
                with _failures_named(statement):  # showing a Spark table runs its query
                    if produced is None:
                        result.table, result.table_name = None, None
                        events.statement_finished(statement, None)
                    else:
                        result.table_name, result.table = produced
                        events.statement_finished(statement, result.produced)
        finally:
            self.branch_variables = {}
            self.variables.end_request()
        return result

    def _run_statement(self, statement: Statement, events: Observer):
        """The statement's executor under the engine in use (engine/executors.py)."""
        self.spark.check_choice(statement)
        executor = executor_for(statement, self.spark.name)
        if not self.spark.chosen:
            return executor(self, statement, events)
        with self.spark.statement(statement, events):  # a Spark starting now tells the cell
            return executor(self, statement, events)

    def _prepared(self, statements: list) -> list:
        """What runs, as Byzer prepares a script (docs/spec.md §1.7, §12): includes expanded, the
        `!if` blocks checked, then the pre-process pass: every `set` in order, and every user macro
        expanded with the variables set before it."""
        with _failures_named(None):
            statements = expand_includes(self, statements)
            check_branches(statements)
        prepared = []
        for statement in statements:
            if is_macro_call(self, statement):
                with _failures_named(statement):
                    prepared += expand_macro(self, statement)
                continue
            if isinstance(statement, SetStatement):
                with _failures_named(statement):
                    preprocess_sets(self, [statement])
            prepared.append(statement)
        return prepared

    # -- services used by executors -----------------------------------------------------------
    def render(self, text: str, for_select: bool = False) -> str:
        """Velocity-render text with the current variables (docs/spec.md §2.4); inside an `!if` block
        its conditions' variables too (docs/spec.md §12.1)."""
        if not self.branch_variables or ("$" not in text and "#" not in text):
            return self.variables.render(text, for_select=for_select)
        context = dict(self.branch_variables)
        context.update(self.variables.context(for_select=for_select))
        return render_template(text, context)

    def rendered_options(self, options: dict) -> dict[str, str]:
        """A `where` clause (of set, load, save, run) with every value rendered; names as written."""
        return {name: self.render(value.text) for name, value in options.items()}

    def sql(self, query: str) -> pa.Table:
        """Run Spark SQL text over the catalog and return an Arrow table: on DuckDB
        (docs/design.md §4.2), or under the Spark engine on Spark itself."""
        if self.spark.chosen:
            return arrow_table(self.spark.query(query))  # an interrupt cancels Spark's job
        return self._sql().query(query)

    def warm_up(self) -> None:
        """Load the embedded SQL engine ahead of the first cell (never starts Spark: it starts at
        the first statement that needs it)."""
        self._sql().query("select 1 as a")

    def query_progress(self):
        """DuckDB's percentage of the query running now (asked from another thread), or None."""
        engine = self._sql_engine
        return engine.query_progress() if engine is not None else None

    def explain(self, query: str) -> tuple[str, str]:
        """The DuckDB SQL a Spark SQL query becomes, and DuckDB's plan of it."""
        return self._sql().explain(query)

    def _sql(self):
        # One engine, even when the kernel's warm-up thread and the first cell ask at once (two
        # would split the queries from the engine that query_progress() watches).
        with _SQL_ENGINE_LOCK:
            if self._sql_engine is None:
                from .sql import SqlEngine  # on first use: duckdb and sqlglot take ~0.4 s to import

                self._sql_engine = SqlEngine(self.catalog, self.functions)
            return self._sql_engine

    def resolve_path(self, path: str) -> Path:
        """Relative paths resolve under BYZER_HOME (docs/design.md §5); `~` expands."""
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.home / p

    def table(self, name: str) -> pa.Table:
        """A catalog table as Arrow, every row (a Spark table is collected here, at the edge)."""
        table = self.catalog.get(name)
        if table is None:
            raise self.catalog.not_found(name)
        return arrow_table(table)

    def table_schema(self, name: str) -> pa.Schema:
        """A catalog table's Arrow schema, without its rows."""
        table = self.catalog.get(name)
        if table is None:
            raise self.catalog.not_found(name)
        return table.schema

    def close(self) -> None:
        while self.close_hooks:
            hook = self.close_hooks.pop()
            try:
                hook()
            except Exception:  # closing must go on whatever one hook does
                pass


@contextmanager
def _failures_named(statement: Optional[Statement]):
    """Every failure leaves as a ByzerError naming the statement (when one is running);
    KeyboardInterrupt and SystemExit pass untouched."""
    try:
        yield
    except InternalError as error:  # made by a lower layer (e.g. from the driver process's traceback)
        if statement is not None:
            name_place(error, statement)
        log_internal_error(error)
        raise
    except ByzerError as error:
        raise name_place(error, statement) if statement is not None else error
    except ENVIRONMENT_ERRORS as error:
        failure = ByzerRuntimeError(f"{type(error).__name__}: {error}")
        raise (name_place(failure, statement) if statement is not None else failure) from error
    except Exception as error:
        internal = internal_error(error, statement)
        if statement is not None and statement.origin is not None:
            name_place(internal, statement)
        raise internal from error
