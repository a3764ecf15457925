"""`run|train|predict T as ET.`path` where ... [as OUT]` (docs/spec.md §1.2, §6.1): render, find the ET, register."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Optional

import pyarrow as pa

from ..lang.errors import UnsupportedStatementError
from ..lang.statements import RunStatement, Statement
from ..lang.suggest import did_you_mean
from .ets import ET


@dataclass
class RunRequest:
    """A rendered `run` statement as an ET sees it."""

    statement: Statement
    input_table: str  # rendered, backquotes removed; "command" for `run command as ...`
    path: str
    options: dict = field(default_factory=dict)  # str -> rendered str, every value incl. `code`
    output_names: list = field(default_factory=list)  # `as` names; the ET adds e.g. outputTable
    verb: str = "run"  # run, train or predict


def execute_run(session, statement: RunStatement, events) -> Optional[tuple]:
    runner = session.ets.get(statement.et[:1].upper() + statement.et[1:])
    # A built-in ET (engine/ets/) answers the verbs it implements; another layer's (`Ray`) runs only.
    if runner is None or (statement.verb != "run" and not isinstance(runner, ET)):
        suggestion = did_you_mean(statement.et, session.ets) if runner is None else ""
        raise UnsupportedStatementError(f"not supported by the local engine: {statement.describe()}"
                                        + (f" ({suggestion})" if suggestion else ""))
    request = RunRequest(
        statement=statement,
        input_table=session.render(statement.input_table).strip("`"),
        path=session.render(statement.path.text) if statement.path else "",
        options=session.rendered_options(statement.options),
        output_names=[session.render(name).strip("`") for name in statement.as_tables],
        verb=statement.verb,
    )
    table: pa.Table = runner(session, request, events)
    names = request.output_names or [uuid.uuid4().hex]  # Byzer names an unnamed output randomly
    for name in names:
        session.catalog.register(name, table)
    return names[-1], table
