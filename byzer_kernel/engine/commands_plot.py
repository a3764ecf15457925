"""`!plot TABLE where x="a" and y="b" and kind="bar|line|scatter|pie|hist" ...`: a chart of a table,
aggregated by DuckDB first (docs/reference/charts.md).

Only the aggregated points leave the SQL engine: one bar or slice per category, one point per x
value of a line, the bins of a histogram, at most `limit` points of a scatter. The statement's
result is that small table; the chart rides on it (engine/chart_spec.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pyarrow as pa
import pyarrow.compute as pc

from ..lang.errors import UsageError
from .chart_bins import MAX_BINS, histogram_bins, quoted
from .chart_spec import column_values, layout, with_chart

KINDS = ("bar", "line", "scatter", "pie", "hist")
AGGREGATES = ("sum", "avg", "count", "min", "max")
OPTIONS = ("x", "y", "kind", "agg", "color", "title", "bins", "limit")
# Categories of a bar chart, slices of a pie, x values of a line, points of a scatter.
DEFAULT_LIMITS = {"bar": 50, "pie": 20, "line": 10_000, "scatter": 10_000}
MAX_LIMIT = 1_000_000
MAX_SERIES = 20  # values of `color`: more lines or bar colours than this cannot be told apart
# A bar of a histogram tells its bin and count when the pointer is on it.
BIN_HOVER = "[%{customdata[0]:.4g}, %{customdata[1]:.4g}): %{y}<extra>%{fullData.name}</extra>"
USAGE = 'usage: !plot TABLE where x="COLUMN" and y="COLUMN" and kind="bar|line|scatter|pie|hist"'


@dataclass
class PlotRequest:
    table_name: str
    table: pa.Table
    kind: str
    x: str
    y: Optional[str]
    agg: str
    color: Optional[str]
    title: Optional[str]
    bins: Optional[int]
    limit: int

    @property
    def value_name(self) -> str:
        """The aggregated column, named as Spark names the aggregate (`sum(b)`, `count(1)`)."""
        return f"{self.agg}({self.y if self.y else '1'})"

    def value_sql(self) -> str:
        argument = quoted(self.y) if self.y else "1"
        return f"{self.agg}({argument}) as {quoted(self.value_name)}"


def plot_command(session, statement, args, events):
    request = plot_request(session, statement, args)
    builder = {"bar": category_chart, "pie": category_chart, "line": line_chart,
               "scatter": scatter_chart, "hist": histogram_chart}[request.kind]
    table, figure, text = builder(session, request, events)
    return "plot", with_chart(table, figure, text)


# -- the request -------------------------------------------------------------------------------

def plot_request(session, statement, args) -> PlotRequest:
    if len(args) != 1:
        raise UsageError(f"!plot takes one table ({USAGE})")
    options = session.rendered_options(statement.options)
    unknown = [key for key in options if key not in OPTIONS]
    if unknown:
        raise UsageError(f"!plot has no option `{unknown[0]}` (options: {', '.join(OPTIONS)})")
    table_name = args[0].strip("`")
    table = session.table(table_name)
    kind = options.get("kind", "bar").strip().lower()
    if kind not in KINDS:
        raise UsageError(f"!plot: unknown kind \"{options['kind']}\" (kinds: {', '.join(KINDS)})")
    if "x" not in options:
        raise UsageError(f"!plot needs x, the column along the x axis ({USAGE})")
    agg = options.get("agg", "count" if kind in ("bar", "line", "pie") and "y" not in options else "sum")
    agg = agg.strip().lower()
    request = PlotRequest(
        table_name=table_name, table=table, kind=kind,
        x=column_of(table, table_name, options["x"]),
        y=column_of(table, table_name, options["y"]) if "y" in options else None,
        agg=agg, color=column_of(table, table_name, options["color"]) if "color" in options else None,
        title=options.get("title"),
        bins=whole_number(options, "bins", MAX_BINS) if "bins" in options else None,
        limit=whole_number(options, "limit", MAX_LIMIT) if "limit" in options else DEFAULT_LIMITS.get(kind, 0))
    check_request(request, options)
    return request


def column_of(table: pa.Table, table_name: str, name: str) -> str:
    """The table's column named `name`, matched as Spark matches names (case-insensitively)."""
    wanted = name.strip().strip("`")
    if wanted in table.schema.names:
        return wanted
    matches = [c for c in table.schema.names if c.lower() == wanted.lower()]
    if len(matches) == 1:
        return matches[0]
    columns = ", ".join(f"`{c}`" for c in table.schema.names) or "none"
    raise UsageError(f"!plot: table `{table_name}` has no column `{wanted}` (columns: {columns})")


def whole_number(options: dict, key: str, most: int) -> int:
    text = options[key].strip()
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise UsageError(f"!plot: {key} is a whole number from 1 to {most}, got \"{options[key]}\"")
    return int(text)


def check_request(request: PlotRequest, options: dict) -> None:
    kind, schema = request.kind, request.table.schema
    if request.agg not in AGGREGATES:
        raise UsageError(f"!plot: unknown agg \"{options['agg']}\" (aggregates: {', '.join(AGGREGATES)})")
    if kind in ("scatter", "hist") and "agg" in options:
        raise UsageError(f"!plot: agg does not apply to kind=\"{kind}\" "
                         f"({'it draws the rows as points' if kind == 'scatter' else 'it counts the values of x'})")
    if kind == "scatter" and request.y is None:
        raise UsageError("!plot: a scatter needs y, the column along the y axis")
    if kind in ("bar", "line", "pie") and request.y is None and request.agg != "count":
        raise UsageError(f"!plot: agg=\"{request.agg}\" needs y, the column to aggregate "
                         "(without y, agg is count: the rows of each x)")
    if kind == "hist" and request.y is not None:
        raise UsageError("!plot: a histogram counts the values of x; y does not apply")
    if kind == "pie" and request.color is not None:
        raise UsageError("!plot: a pie has one series; color does not apply (its slices are the values of x)")
    if "bins" in options and kind != "hist":
        raise UsageError(f"!plot: bins applies to kind=\"hist\" only, not \"{kind}\"")
    if "limit" in options and kind == "hist":
        raise UsageError("!plot: limit does not apply to a histogram (use bins)")
    if request.agg in ("sum", "avg") and request.y is not None and not is_numeric(schema.field(request.y).type):
        raise UsageError(f"!plot: agg=\"{request.agg}\" needs a numeric y; `{request.y}` is "
                         f"{type_name(schema.field(request.y).type)}")
    if kind == "hist" and not is_numeric(schema.field(request.x).type):
        raise UsageError(f"!plot: a histogram needs a numeric x; `{request.x}` is "
                         f"{type_name(schema.field(request.x).type)}")


def is_numeric(dtype: pa.DataType) -> bool:
    return pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_decimal(dtype)


def type_name(dtype: pa.DataType) -> str:
    from .types import spark_type_name

    return spark_type_name(dtype)


# -- the charts --------------------------------------------------------------------------------

def category_chart(session, request: PlotRequest, events):
    """bar / pie: the aggregate per category (and series), the `limit` largest categories."""
    x, color, value = quoted(request.x), request.color, quoted(request.value_name)
    keys = f"{x}, {quoted(color)}" if color else x
    source = quoted(request.table_name)
    query = (f"with g as (select {keys}, {request.value_sql()} from {source} group by {keys}), "
             f"top as (select {x}, count(1) over () as `__categories`, sum({value}) as `__total` from g "
             f"group by {x} order by `__total` desc limit {request.limit}) "
             f"select g.*, top.`__categories` from g join top on g.{x} <=> top.{x}")
    found = session.sql(query)
    categories = found.column("__categories")[0].as_py() if found.num_rows else 0
    table = found.drop_columns(["__categories"])
    if request.kind == "pie":
        table = table.sort_by([(request.value_name, "descending")])
    else:
        table = table.sort_by([(request.x, "ascending")] + ([(color, "ascending")] if color else []))
    if categories > request.limit:
        events.message(f"!plot: showing the {request.limit} largest of {categories} values of `{request.x}` "
                       f"(limit={request.limit})")
    series = series_values(table, color)
    y_title = request.value_name
    if request.kind == "pie":
        figure = {"data": [{"type": "pie", "labels": category_labels(table, request.x),
                            "values": column_values(table, request.value_name), "sort": False}],
                  "layout": layout(request.title or f"{y_title} by {request.x}", None, None)}
        return table, figure, describe(request, f"{table.num_rows} slices")
    traces = [{"type": "bar", "name": name, "x": category_labels(part, request.x),
               "y": column_values(part, request.value_name)} for name, part in series]
    figure = {"data": traces, "layout": layout(request.title or f"{y_title} by {request.x}", request.x, y_title,
                                               color, barmode="group", showlegend=color is not None)}
    return table, figure, describe(request, f"{table.num_rows} bars")


def line_chart(session, request: PlotRequest, events):
    """line: the aggregate per x value (and series), in x order; the first `limit` x values."""
    x, color = quoted(request.x), request.color
    keys = f"{x}, {quoted(color)}" if color else x
    source = quoted(request.table_name)
    query = (f"with g as (select {keys}, {request.value_sql()} from {source} where {x} is not null "
             f"group by {keys}), "
             f"firsts as (select {x}, count(1) over () as `__values` from g group by {x} order by {x} "
             f"limit {request.limit}) "
             f"select g.*, firsts.`__values` from g join firsts on g.{x} = firsts.{x}")
    found = session.sql(query)
    values = found.column("__values")[0].as_py() if found.num_rows else 0
    table = found.drop_columns(["__values"]).sort_by(
        [(request.x, "ascending")] + ([(color, "ascending")] if color else []))
    if values > request.limit:
        events.message(f"!plot: showing the first {request.limit} of {values} values of `{request.x}` "
                       f"(limit={request.limit})")
    traces = [{"type": "scatter", "mode": "lines", "name": name, "x": column_values(part, request.x),
               "y": column_values(part, request.value_name)} for name, part in series_values(table, color)]
    figure = {"data": traces, "layout": layout(request.title or f"{request.value_name} by {request.x}",
                                               request.x, request.value_name, color,
                                               showlegend=color is not None)}
    return table, figure, describe(request, f"{table.num_rows} points")


def scatter_chart(session, request: PlotRequest, events):
    """scatter: the rows with both x and y, or an even sample of `limit` of them (every k-th row,
    so the same table always gives the same points)."""
    names = [request.x, request.y] + ([request.color] if request.color and request.color not in
                                      (request.x, request.y) else [])
    table = request.table.select(list(dict.fromkeys(names)))
    rows = table
    if table.column(request.x).null_count or table.column(request.y).null_count:
        rows = table.filter(pc.and_(pc.is_valid(table.column(request.x)), pc.is_valid(table.column(request.y))))
    if rows.num_rows > request.limit:
        step = rows.num_rows / request.limit
        events.message(f"!plot: showing an even sample of {request.limit} of {rows.num_rows} rows "
                       f"(limit={request.limit})")
        rows = rows.take(pa.array([int(i * step) for i in range(request.limit)], pa.int64()))
    traces = [{"type": "scatter", "mode": "markers", "name": name, "x": column_values(part, request.x),
               "y": column_values(part, request.y)} for name, part in series_values(rows, request.color)]
    figure = {"data": traces, "layout": layout(request.title or f"{request.y} by {request.x}", request.x,
                                               request.y, request.color, showlegend=request.color is not None)}
    return rows, figure, describe(request, f"{rows.num_rows} points")


def histogram_chart(session, request: PlotRequest, events):
    bins = histogram_bins(session, request.table_name, request.x, request.color, request.bins)
    table = bins.table
    traces = []
    for name, part in series_values(table, request.color):
        starts, ends = part.column("bin_start").to_pylist(), part.column("bin_end").to_pylist()
        traces.append({"type": "bar", "name": name, "x": [(s + e) / 2 for s, e in zip(starts, ends)],
                       "y": column_values(part, "count"), "width": [bins.width] * part.num_rows,
                       "customdata": [[s, e] for s, e in zip(starts, ends)],
                       "hovertemplate": BIN_HOVER})
    figure = {"data": traces, "layout": layout(request.title or f"histogram of {request.x}", request.x, "count",
                                               request.color, barmode="stack", bargap=0,
                                               showlegend=request.color is not None)}
    return table, figure, describe(request, f"{bins.count} bins of width {bins.width:.6g} over {bins.values} values")


def series_values(table: pa.Table, color: Optional[str]):
    """(series name, its rows) for each value of `color` in order of appearance; one unnamed
    series without color."""
    if not color:
        return [("", table)]
    values = table.column(color)
    distinct = pc.unique(values).to_pylist()
    if len(distinct) > MAX_SERIES:
        raise UsageError(f"!plot: color `{color}` has {len(distinct)} values here; a chart tells at most "
                         f"{MAX_SERIES} series apart (filter the table with a select first)")
    result = []
    for value in distinct:
        if value is None:
            mask = pc.is_null(values)
        else:
            mask = pc.fill_null(pc.equal(values, pa.scalar(value, values.type)), False)
        result.append(("null" if value is None else str(value), table.filter(mask)))
    return result


def category_labels(table: pa.Table, column: str) -> list:
    """Category values as text, null as "null" (Plotly drops a bar whose x is null)."""
    return ["null" if v is None else str(v) for v in column_values(table, column)]


def describe(request: PlotRequest, points: str) -> str:
    what = {"hist": f"histogram of {request.x}", "scatter": f"scatter of {request.y} by {request.x}"}.get(
        request.kind, f"{request.kind} chart of {request.value_name} by {request.x}")
    title = f" \"{request.title}\"" if request.title else ""
    series = f", one series per {request.color}" if request.color else ""
    return (f"{what}{title}{series}: {points}, from {request.table.num_rows} rows of "
            f"`{request.table_name}`")
