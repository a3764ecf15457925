"""Spark's names of window expressions, aggregates with FILTER, and lambdas:
`sum(x) OVER (PARTITION BY a ORDER BY b ASC NULLS FIRST RANGE BETWEEN ... AND CURRENT ROW)` with
the frame Spark fills in, `max(x) FILTER (WHERE (x > 0))`,
`transform(a, lambdafunction((namedlambdavariable() + 1), namedlambdavariable()))`."""
from __future__ import annotations

from sqlglot import exp

_UNBOUNDED = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
_ROWS_TO_HERE = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
_RANGE_TO_HERE = "RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
# Window functions whose frame Spark fixes, whatever the ORDER BY.
_FIXED_FRAMES = {"row_number": _ROWS_TO_HERE, "rank": _ROWS_TO_HERE, "dense_rank": _ROWS_TO_HERE,
                 "percent_rank": _ROWS_TO_HERE, "ntile": _ROWS_TO_HERE, "cume_dist": _RANGE_TO_HERE}


def window(namer, node: exp.Window) -> str:
    spec = _named_spec(namer, node)
    function = namer.name(node.this)
    parts = []
    if spec.args.get("partition_by"):
        parts.append(f"PARTITION BY {namer.names(spec.args['partition_by'])}")
    order = spec.args.get("order")
    if order is not None:
        parts.append(f"ORDER BY {', '.join(_sort_key(namer, key) for key in order.expressions)}")
    parts.append(_frame(namer, spec, _called(node.this), order is not None))
    return f"{function} OVER ({' '.join(parts)})"


def _named_spec(namer, node: exp.Window) -> exp.Window:
    """`OVER w` reads the WINDOW clause's definition of w."""
    if node.args.get("alias") is not None and not node.args.get("partition_by") \
            and node.args.get("order") is None:
        return namer.windows.get(node.args["alias"].name, node)
    return node


def _called(function: exp.Expression):
    while isinstance(function, (exp.IgnoreNulls, exp.RespectNulls, exp.Filter)):
        function = function.this
    return function


def _sort_key(namer, key: exp.Ordered) -> str:
    direction = "DESC" if key.args.get("desc") else "ASC"
    nulls_first = key.args.get("nulls_first")
    if nulls_first is None:  # Spark's NULLs are the smallest values
        nulls_first = direction == "ASC"
    return f"{namer.name(key.this)} {direction} NULLS {'FIRST' if nulls_first else 'LAST'}"


def _frame(namer, spec: exp.Window, function, ordered: bool) -> str:
    frame = spec.args.get("spec")
    if frame is not None:
        start = _bound(namer, frame.args.get("start"), frame.args.get("start_side"))
        end = _bound(namer, frame.args.get("end"), frame.args.get("end_side")) \
            if frame.args.get("end") is not None else "CURRENT ROW"
        return f"{frame.args.get('kind', 'ROWS').upper()} BETWEEN {start} AND {end}"
    name = str(function.this).lower() if isinstance(function, exp.Anonymous) else function.key
    if name in _FIXED_FRAMES:
        return _FIXED_FRAMES[name]
    if name in ("lag", "lead"):
        return _offset_frame(namer, function, lag=name == "lag")
    return _RANGE_TO_HERE if ordered else _UNBOUNDED


def _bound(namer, value, side) -> str:
    if isinstance(value, str):
        if value.upper() == "CURRENT ROW":
            return "CURRENT ROW"
        return f"{value.upper()} {side.upper()}"  # UNBOUNDED PRECEDING / FOLLOWING
    return f"{namer.name(value)} {(side or 'PRECEDING').upper()}"


def _offset_frame(namer, function, lag: bool) -> str:
    """lag/lead read the one row `offset` away: Spark's frame is that row, lag's offset negated."""
    args = function.expressions if isinstance(function, exp.Anonymous) else []
    try:
        offset = int(namer.name(args[1])) if len(args) > 1 else 1
    except ValueError:
        offset = 1
    offset = -offset if lag else offset
    return f"ROWS BETWEEN {offset} FOLLOWING AND {offset} FOLLOWING"


def filtered_aggregate(namer, node: exp.Filter) -> str:
    condition = node.expression.this if isinstance(node.expression, exp.Where) else node.expression
    return f"{namer.name(node.this)} FILTER (WHERE {namer.name(condition)})"


def lambda_function(namer, node: exp.Lambda) -> str:
    """Every lambda variable prints as `namedlambdavariable()`."""
    variables = [param.name for param in node.expressions]
    added = set(variables) - namer.lambda_variables
    namer.lambda_variables |= added
    try:
        body = namer.name(node.this)
    finally:
        namer.lambda_variables -= added
    return f"lambdafunction({', '.join([body] + ['namedlambdavariable()'] * len(variables))})"
