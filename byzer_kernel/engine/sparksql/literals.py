"""Arguments Spark requires to be constants (a pattern, a format, a scale, a unit), read when the
query is translated. Spark's implicit casts (registry `inputs`) and the user's casts wrap them in
CAST/TRY_CAST nodes by the time a builder sees them; the value underneath is what Spark folds."""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

CASTS = (exp.Cast, exp.TryCast)


def under_casts(node: exp.Expression, also: tuple = ()) -> exp.Expression:
    """`node` without the casts around it (and without the wrappers of the classes `also`)."""
    while isinstance(node, CASTS + also):
        node = node.this
    return node


def literal_under_casts(node: Optional[exp.Expression]) -> Optional[exp.Literal]:
    """The literal under Spark's implicit casts, or None when the value is no literal."""
    node = under_casts(node)
    return node if isinstance(node, exp.Literal) else None
