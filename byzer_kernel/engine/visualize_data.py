"""The rows `!visualize` hands to plotly.express (engine/commands_visualize.py): bars and pie slices
summed per category by DuckDB when the figure would only sum them, and at most MAX_ROWS rows
for the others, sorted by x as Byzer's plugin sorts them.

Summing is the same picture: plotly.express stacks the bars of rows with the same x (and the same
colour) into one bar of their total height, and a pie adds up the values of equal names. The
summed table keeps the column names, so the figure is drawn with the user's keys unchanged.
"""
from __future__ import annotations

from typing import Optional

import pyarrow as pa
import pyarrow.compute as pc

from .chart_bins import quoted

MAX_ROWS = 100_000
# Keys whose columns group the bars (or slices): the figure draws one mark per combination.
BAR_GROUPS = ("x", "y", "color", "facet_row", "facet_col", "pattern_shape", "animation_frame")
PIE_GROUPS = ("names", "color", "facet_row", "facet_col")


def aggregated_bars(session, name: str, table: pa.Table, params: dict) -> Optional[pa.Table]:
    """The bars' values summed per combination of the other keys' columns, or None when the
    figure uses columns (text, hover data, error bars...) that summing would lose."""
    from .commands_visualize import COLUMN_KEYS

    if any(key in params for key in COLUMN_KEYS if key not in BAR_GROUPS):
        return None
    if not (isinstance(params.get("x"), str) or isinstance(params.get("y"), str)):
        return None
    if "x" not in params or "y" not in params:
        return None
    value_key = bar_value_key(table, params)
    values = params[value_key] if isinstance(params[value_key], list) else [params[value_key]]
    groups = [params[key] for key in BAR_GROUPS if key != value_key and isinstance(params.get(key), str)]
    if not groups or not all(numeric(table, v) for v in values) or set(groups) & set(values):
        return None
    return summed(session, name, table, list(dict.fromkeys(groups)), values)


def bar_value_key(table: pa.Table, params: dict) -> str:
    """Which of x and y holds the bar lengths: plotly.express's rule (horizontal bars when x is
    numeric and y is not, unless `orientation` says)."""
    orientation = params.get("orientation")
    if orientation in ("h", "v"):
        return "x" if orientation == "h" else "y"
    x, y = params["x"], params["y"]
    x_numeric = isinstance(x, str) and numeric(table, x)
    y_numeric = all(numeric(table, c) for c in (y if isinstance(y, list) else [y]))
    return "x" if x_numeric and not y_numeric else "y"


def aggregated_pie(session, name: str, table: pa.Table, params: dict):
    """(slices summed per name, the keys), or (None, keys) when summing would lose something.
    Without `values` each row counts one, as in Plotly: the counts become the values."""
    from .commands_visualize import COLUMN_KEYS

    if any(key in params for key in COLUMN_KEYS if key not in PIE_GROUPS + ("values",)):
        return None, params
    groups = list(dict.fromkeys(params[key] for key in PIE_GROUPS if isinstance(params.get(key), str)))
    values = params.get("values")
    if not groups or (values is not None and (not isinstance(values, str) or not numeric(table, values))):
        return None, params
    if values is None:
        counted = "count" if "count" not in groups else "rows"
        return summed(session, name, table, groups, [], counted), {**params, "values": counted}
    return summed(session, name, table, groups, [values]), params


def summed(session, name: str, table: pa.Table, groups: list, values: list,
           counted: Optional[str] = None) -> pa.Table:
    keys = ", ".join(quoted(g) for g in groups)
    sums = [f"sum({as_double(table, v)}) as {quoted(v)}" for v in values]
    if counted:
        sums.append(f"count(1) as {quoted(counted)}")
    return session.sql(f"select {keys}, {', '.join(sums)} from {quoted(name)} group by {keys}")


def as_double(table: pa.Table, column: str) -> str:
    """Decimals are summed as doubles: pandas would hold them as Python objects."""
    if pa.types.is_decimal(table.schema.field(column).type):
        return f"cast({quoted(column)} as double)"
    return quoted(column)


def numeric(table: pa.Table, column: str) -> bool:
    dtype = table.schema.field(column).type
    return pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype)


def chart_rows(data: pa.Table, params: dict, sort: bool, events) -> pa.Table:
    """At most MAX_ROWS rows (an even sample, every k-th row), decimals as doubles, sorted by x
    (nulls last, as pandas sorts) unless the YAML says `control.ignoreSort: true`."""
    if data.num_rows > MAX_ROWS:
        events.message(f"!visualize: drawing an even sample of {MAX_ROWS} of {data.num_rows} rows")
        step = data.num_rows / MAX_ROWS
        data = data.take(pa.array([int(i * step) for i in range(MAX_ROWS)], pa.int64()))
    columns = [pc.cast(c, pa.float64()) if pa.types.is_decimal(c.type) else c for c in data.columns]
    data = pa.table(columns, names=data.column_names)
    x = params.get("x")
    by = [c for c in (x if isinstance(x, list) else [x]) if isinstance(c, str) and c in data.column_names]
    if sort and by:
        data = data.sort_by([(c, "ascending") for c in by])  # Arrow puts nulls last by default
    return data
