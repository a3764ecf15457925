"""`select ... as name` (docs/spec.md §1.5, §4.1): render the whole text, then split off the trailing name."""
from __future__ import annotations

import re

from ..lang.errors import ByzerRuntimeError
from ..lang.statements import SelectStatement


def split_select(rendered: str) -> tuple[str, str]:
    """Byzer takes the last whitespace-separated chunk as the view name and removes `as <name>`
    from the end of the text; what is left is the SQL."""
    name = rendered.split()[-1]
    sql, count = re.subn(r"(?is)as\s+" + re.escape(name) + r"\s*$", "", rendered.rstrip())
    if count == 0:
        raise ByzerRuntimeError(f"a select must end with `as <table name>`; got `{name}` at the end")
    return sql.rstrip(), name.strip("`")


def execute_select(session, statement: SelectStatement, events):
    sql, name = split_select(session.render(statement.text, for_select=True))
    table = session.sql(sql)
    session.catalog.register(name, table)
    return name, table
