"""The `%config` door to the engine (docs/reference/spark-engine.md): `ByzerMagics.engine` and
`ByzerMagics.spark_master`, applied to the front-end's Session when it is made and whenever they
change. The kernel runs its cells through the magic, so one door serves both front-ends."""
from __future__ import annotations

from traitlets import TraitError, Unicode, observe, validate
from traitlets.config import Configurable

from .lang.errors import ByzerError


class EngineTraits(Configurable):
    engine = Unicode("", help="The engine of the session's statements: duckdb or spark (empty: "
                     "BYZER_ENGINE, else duckdb); `!engine` in a script chooses too.").tag(config=True)
    spark_master = Unicode("", help="Where Spark runs under the spark engine: local[*], spark://HOST:PORT, "
                           "yarn, k8s://URL or sc://HOST:PORT (empty: BYZER_SPARK_MASTER, else "
                           "local[*]).").tag(config=True)

    @validate("engine", "spark_master")
    def _valid_engine(self, proposal):
        from .engine.spark.choice import checked_engine, checked_master

        value, name = proposal["value"].strip(), proposal["trait"].name
        try:
            if value:
                (checked_engine if name == "engine" else checked_master)(value, f"ByzerMagics.{name}")
        except ByzerError as error:
            raise TraitError(error.message) from None
        return value

    @observe("engine", "spark_master")
    def _engine_changed(self, change) -> None:
        from .runtime import current_session

        session = current_session()
        if session is not None:
            self.apply_engine(session)

    def apply_engine(self, session) -> None:
        """The `%config` door: the traits, when set, choose the engine of the front-end's Session."""
        if self.engine or self.spark_master:
            session.spark.choose(self.engine or session.spark.name, self.spark_master or None,
                                 where="ByzerMagics.engine")
