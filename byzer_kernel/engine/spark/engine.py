"""A Session's engine: which one runs its statements (`duckdb`, the default, or `spark`), and under
Spark the session's own Spark, started at the first statement that needs it and stopped when the
session closes or goes back to duckdb (docs/reference/spark-engine.md). pyspark is imported only
when Spark starts."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Optional

from ...lang.errors import ByzerError, UsageError
from ...lang.statements import Statement
from .choice import DEFAULT_MASTER, DUCKDB, SPARK, checked_engine, checked_master, from_environment
from .conf import apply_runtime, start_conf
from .failures import SqlOrigin, spark_failure
from .frame import SparkFrame
from .functions import SparkFunctions
from .interrupts import cancel, cancelled_on_interrupt
from .views import SparkViews


class SparkEngine:
    def __init__(self, session):
        self.session = session
        self.name, self.master = DUCKDB, DEFAULT_MASTER
        # A wrong BYZER_ENGINE / BYZER_SPARK_MASTER fails every statement (saying which variable)
        # until `!engine` or `%config` chooses: the session itself still opens.
        self.setup_error: Optional[ByzerError] = None
        try:
            choice = from_environment()
            self.name, self.master = choice.engine, choice.master
        except UsageError as error:
            self.setup_error = error
        self.handle = None  # launch.SparkHandle while Spark runs for this session
        self.views = SparkViews()
        self.functions = SparkFunctions()  # `register ScriptUDF` functions on the SparkSession
        self._events = None
        self._statement: Optional[Statement] = None

    @property
    def chosen(self) -> bool:
        return self.name == SPARK

    @property
    def running(self) -> bool:
        return self.handle is not None

    # -- choosing ------------------------------------------------------------------------------
    def choose(self, engine: str, master: Optional[str] = None, where: str = "!engine") -> list[str]:
        """Switch engines (nothing starts here). Back to duckdb, or to another master, stops the
        running Spark; the catalog keeps its tables (Spark's become Arrow tables). Returns the
        names of tables that could not be kept."""
        engine = checked_engine(engine, where)
        master = checked_master(master, where) if master else self.master
        self.setup_error = None
        lost = []
        if self.running and (engine == DUCKDB or master != self.master):
            lost = self.stop(keep_tables=True)
        self.name, self.master = engine, master
        return lost

    def check_choice(self, statement: Statement) -> None:
        """A wrong environment fails every statement but the `!engine` that fixes it."""
        if self.setup_error is not None and getattr(statement, "name", None) != "engine":
            raise UsageError(f"{self.setup_error.message} (`!engine duckdb` or `!engine spark` chooses in the script)")

    # -- running -------------------------------------------------------------------------------
    @contextmanager
    def statement(self, statement: Statement, events):
        """While a statement runs under Spark: a Spark that starts meanwhile tells its events, and
        a kernel interrupt cancels the session's Spark jobs (interrupts.py)."""
        saved = self._statement, self._events
        self._statement, self._events = statement, events
        try:
            yield
        except KeyboardInterrupt:  # wherever it came from (Ray, a command): Spark's jobs stop too
            if self.handle is not None:
                cancel(self.handle.spark)
            raise
        finally:
            self._statement, self._events = saved

    def spark(self):
        """This session's SparkSession, started on first need."""
        if self.handle is None:
            self._start()
        return self.handle.spark

    def _start(self) -> None:
        from . import launch

        events, statement = self._events, self._statement
        if events is not None:
            events.waiting(f"starting Spark on {self.master}…")
            if statement is not None:
                events.progress(statement, 0, 0, None, phase="starting Spark")
        try:
            self.handle = launch.start(self.master, start_conf(self.master, self.session.spark_conf))
        finally:
            if events is not None:
                events.waiting(None)
        if events is not None:
            events.message(self._started_notice())

    def _started_notice(self) -> str:
        handle = self.handle
        facts = handle.application()
        where = ", ".join(part for part in (f"application {facts['app_id']}" if facts["app_id"] else "",
                                            f"UI {facts['ui']}" if facts["ui"] else "") if part)
        if handle.connect:
            notice = f"Spark {handle.version}: connected to the Spark Connect server {self.master}"
        elif handle.adopted:
            notice = (f"Spark {handle.version}: using the Spark application already running in this "
                      f"process on {facts['master']}")
            if facts["master"] != self.master:
                notice += f" (one per process: {self.master} needs a new kernel)"
        else:
            notice = f"Spark {handle.version} started on {facts['master']}"
        return notice + (f" ({where})" if where else "")

    def query(self, sql: str, origin: Optional[SqlOrigin] = None) -> SparkFrame:
        """A Spark SQL query over the catalog, analysed now (so a wrong query fails at its statement)."""
        spark = self.spark()

        def analysed():
            self.views.sync(spark, self.session.catalog, sql)
            self.functions.sync(spark, self.session.functions)
            frame = spark.sql(sql)
            frame.schema  # a Connect session analyses lazily
            return frame

        return SparkFrame(self.run(analysed, origin), origin, self.master)

    def frame_of(self, name: str, table) -> SparkFrame:
        """A catalog table as a SparkFrame (an Arrow table becomes a Spark table once)."""
        if isinstance(table, SparkFrame):
            return table
        return SparkFrame(self.run(lambda: self.views.dataframe(self.spark(), name, table)), None, self.master)

    def run(self, action, origin: Optional[SqlOrigin] = None, interruptible: bool = True) -> Any:
        """Call into Spark; its failures become ByzerErrors, and a Spark that went away is
        forgotten so that the next statement starts a new one. A kernel interrupt meanwhile
        cancels the session's Spark jobs (interrupts.py); not interruptible: the action handles
        KeyboardInterrupt itself (a Ray run)."""
        try:
            if not interruptible:
                return action()
            with cancelled_on_interrupt(lambda: self.handle.spark if self.handle is not None else None):
                return action()
        except Exception as error:
            failure = spark_failure(error, origin, self.master)
            if failure is None:
                raise
            if failure.kind == "SparkUnavailable" and self.handle is not None:
                self.stop(keep_tables=False)
            raise failure from None

    def conf_changed(self, key: str, value: str) -> Optional[str]:
        """`set key="value" where type="conf"` while Spark runs: SQL settings apply now; anything
        else is said to wait for Spark's next start."""
        if self.handle is None:
            return None
        static = self.run(lambda: apply_runtime(self.handle.spark, {key: value}))
        if static:
            return (f"Spark conf `{key}` takes effect when Spark starts next "
                    "(`!engine duckdb` then `!engine spark` restarts it)")
        return None

    # -- stopping ------------------------------------------------------------------------------
    def stop(self, keep_tables: bool = True) -> list[str]:
        """Stop this session's Spark. With keep_tables, every Spark table of the catalog becomes
        an Arrow table first; returns the names of those that could not be kept (dropped)."""
        from . import launch

        lost = []
        if self.handle is None:
            return lost
        catalog = self.session.catalog
        for name, table in list(catalog.items()):
            if isinstance(table, SparkFrame):
                try:
                    if not keep_tables:
                        raise ByzerError("not kept")
                    catalog.register(name, table.to_arrow())
                except ByzerError:
                    catalog.drop(name)
                    lost.append(name)
        handle, self.handle = self.handle, None
        self.views.clear()
        self.functions.clear()
        try:
            launch.stop(handle)
        except Exception:  # a Spark that already died stops as it can
            pass
        return lost

    def close(self) -> None:
        self.stop(keep_tables=False)
