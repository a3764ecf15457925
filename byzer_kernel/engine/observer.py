"""The Observer: what a front-end hears while a cell runs. Its own module, free of Arrow and the
engine, so that a front-end can subclass it without loading them (kernel start-up)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from ..lang.statements import Statement
    from .progress import ProgressState


class Observer:
    """What a front-end wants to hear about while a cell runs. Every method is optional.
    Engine, runtime and front-ends pass it around under one name, `events`."""

    def statement_started(self, statement: "Statement") -> None: ...

    def statement_finished(self, statement: "Statement", table: "Optional[pa.Table]") -> None: ...

    def progress(self, statement: "Statement", done: int, total: int, rows: Optional[int] = 0, *,
                 phase: Optional[str] = None, rows_total: Optional[int] = None,
                 state: "Optional[ProgressState]" = None, parts: Optional[str] = None) -> None:
        """How far a long statement is. The runtime reports `done` of `total` parts (`parts` says
        what they are: partitions, or files for loads and saves; total 0: not cut in parts), `rows` done in the current `phase` ("starting Ray", "shipping
        data", "running", "collecting"; None: not counted) of `rows_total` (None: unknown).

        A front-end hears it from engine/progress.py's tracker, which adds `state`: a snapshot
        with elapsed time, rows/s, ETA, DuckDB's own percentage for queries and a `text()`; it
        calls this only for statements running longer than about a second, about once a second,
        and a last time with the final state (`state.outcome`: "done", "failed", "interrupted")
        just before `progress_ended`."""

    def progress_ended(self, statement: "Statement", ok: bool) -> None: ...

    def message(self, text: str) -> None: ...

    def cluster_status(self, view: Any) -> None:
        """`!ray status`: show the cluster status of `view` (the runtime's ClusterView, whose
        `.status()` is a dict of facts; never a reason to start Ray)."""

    def waiting(self, text: Optional[str]) -> None:
        """A live one-line notice (e.g. "starting Ray… 4 s"), replaced by the next; None clears it.
        The progress state's phase "starting Ray" tells the same: a front-end showing progress
        may ignore this."""
