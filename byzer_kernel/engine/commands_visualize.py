"""`!visualize TABLE '''YAML'''`: Byzer's visualization plugin (byzer-yaml-visualization), whose
YAML names a plotly.express function under `fig` and passes it the keys below it; the plugin
sorts the table by x, calls the function and answers one row (`content`: the chart's HTML page,
`mime`: "html"), registered as `runtime.output` when given (docs/reference/charts.md).

Here the function is called in the kernel on the table's data as prepared by DuckDB: bars and pie
slices summed per category and histogram bins counted in SQL (the picture the function would draw
from every row), other charts on the rows they use, at most MAX_ROWS of them (an even sample
beyond). The chart rides on the result table for the front-ends (engine/chart_spec.py).
"""
from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from ..lang.errors import UnsupportedStatementError, UsageError
from .chart_bins import MAX_BINS, histogram_bins
from .chart_spec import json_value, with_chart
from .visualize_data import aggregated_bars, aggregated_pie, chart_rows

# plotly.express functions drawn from a data frame offline (the map ones need tiles from the network).
FIGURES = ("line", "bar", "scatter", "pie", "histogram", "area", "box", "violin", "strip", "funnel",
           "funnel_area", "density_heatmap", "density_contour", "ecdf", "sunburst", "treemap", "icicle",
           "timeline", "scatter_3d", "line_3d", "scatter_polar", "line_polar", "bar_polar",
           "parallel_coordinates", "parallel_categories", "scatter_matrix")
# The plugin's figures drawn by its scikit-learn backend: a confusion matrix and a ROC curve, as PNGs.
SKLEARN_FIGURES = ("matrix", "auc")
# The keys of those functions whose values name columns.
COLUMN_KEYS = ("x", "y", "z", "color", "symbol", "size", "text", "hover_name", "hover_data", "custom_data",
               "facet_row", "facet_col", "animation_frame", "animation_group", "line_group", "line_dash",
               "pattern_shape", "names", "values", "parents", "ids", "path", "error_x", "error_x_minus",
               "error_y", "error_y_minus", "error_z", "error_z_minus", "base", "dimensions", "x_start",
               "x_end", "r", "theta")
SECTIONS = ("confFrom", "runtime", "control", "fig")
USAGE = "usage: !visualize TABLE '''YAML''' (with fig: KIND: keys)"


def visualize_command(session, statement, args, events):
    if len(args) != 2:
        raise UsageError(f"!visualize takes a table and its YAML ({USAGE})")
    name = args[0].strip("`")
    table = session.table(name)
    config = read_yaml(args[1])
    kind, params = figure_of(config)
    runtime, control = section(config, "runtime"), section(config, "control")
    chart_format = str(control.get("format", "html")).strip().lower()
    if chart_format == "image":
        raise UnsupportedStatementError("!visualize: control.format image (a PNG made by kaleido and Chrome) is "
                                        "not supported here; leave format out for the interactive chart (html)")
    if chart_format != "html":
        raise UsageError(f"!visualize: control.format is html or image, got {control['format']!r}")
    backend = str(control.get("backend", "plotly")).strip().lower()
    if backend != "plotly":
        raise UnsupportedStatementError(f"!visualize: control.backend {backend} is not supported here; charts are "
                                        "drawn by plotly (leave backend out)")
    check_columns(table, name, kind, params)
    sort = not as_bool(control.get("ignoreSort", False), "control.ignoreSort")
    data, params, histogram = prepared(session, name, table, kind, params, sort, events)
    figure = draw(kind, data, params, histogram)
    page = figure.to_html()  # the plugin's content: a whole page, plotly.js inline
    spec = json_value(json.loads(figure.to_json()))
    text = (f"{kind.replace('_', ' ')} chart of `{name}` by plotly.express ({describe_keys(params)}): "
            f"drawn from {data.num_rows} rows prepared from {table.num_rows}")
    result = with_chart(pa.table({"content": [page], "mime": ["html"]}), spec, text)
    output = runtime.get("output")
    if output:
        session.catalog.register(str(output), result)
    return (str(output) if output else "visualize"), result


# -- the YAML ----------------------------------------------------------------------------------

def read_yaml(text: str) -> dict:
    import yaml

    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsageError(f"!visualize: the YAML does not parse: {' '.join(str(error).split())}") from None
    if not isinstance(config, dict):
        raise UsageError(f"!visualize: the YAML must be a mapping with fig (and runtime, control) ({USAGE})")
    unknown = [str(key) for key in config if key not in SECTIONS]
    if unknown:
        raise UsageError(f"!visualize: unknown section `{unknown[0]}` (sections: {', '.join(SECTIONS)})")
    return config


def section(config: dict, key: str) -> dict:
    value = config.get(key) or {}
    if not isinstance(value, dict):
        raise UsageError(f"!visualize: {key} must be a mapping of keys, got {value!r}")
    return value


def figure_of(config: dict) -> tuple:
    """(plotly.express function name, its keyword arguments) from `fig`."""
    fig = section(config, "fig")
    if len(fig) != 1:
        raise UsageError(f"!visualize: fig names one chart kind ({', '.join(FIGURES[:5])}, ...), "
                         f"got {len(fig)}" + (f": {', '.join(map(str, fig))}" if fig else ""))
    kind, params = next(iter(fig.items()))
    if kind in SKLEARN_FIGURES:
        raise UnsupportedStatementError(f"!visualize: fig.{kind} (the plugin draws it with scikit-learn and "
                                        "matplotlib as an image) is not supported here")
    if kind not in FIGURES:
        raise UsageError(f"!visualize: unknown chart kind fig.{kind} (kinds: {', '.join(FIGURES)})")
    if params is not None and not isinstance(params, dict):
        raise UsageError(f"!visualize: fig.{kind} must be a mapping of keys (x, y, title, ...), got {params!r}")
    return kind, {str(key): typed_value(kind, str(key), value) for key, value in (params or {}).items()}


def typed_value(kind: str, key: str, value: Any) -> Any:
    """The plugin's typed values `{vv_type: number|bool, vv_value: ...}`; other values as YAML reads them."""
    if not (isinstance(value, dict) and "vv_type" in value):
        return value
    vv_type, raw = str(value["vv_type"]), str(value.get("vv_value", ""))
    if vv_type == "number":
        try:
            return float(raw) if any(c in raw for c in ".eE") else int(raw)
        except ValueError:
            raise UsageError(f"!visualize: fig.{kind}.{key}: vv_value {raw!r} is not a number") from None
    if vv_type == "bool":
        return as_bool(raw, f"fig.{kind}.{key}")
    raise UnsupportedStatementError(f"!visualize: fig.{kind}.{key}: vv_type {vv_type} (a value computed by Python "
                                    "code or read from confFrom) is not supported here")


def as_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in ("true", "false"):
        return str(value).strip().lower() == "true"
    raise UsageError(f"!visualize: {what} is true or false, got {value!r}")


def referenced_columns(params: dict) -> list:
    """The columns the keys name, in order, each once."""
    names: list = []
    for key in COLUMN_KEYS:
        value = params.get(key)
        if isinstance(value, str):
            names.append(value)
        elif isinstance(value, list):
            names += [v for v in value if isinstance(v, str)]
        elif isinstance(value, dict) and key == "hover_data":
            names += [str(k) for k in value]
    return list(dict.fromkeys(names))


def check_columns(table: pa.Table, name: str, kind: str, params: dict) -> None:
    """A key naming a missing column is the user's mistake: say which, as pandas names go (exact case)."""
    for key in COLUMN_KEYS:
        value = params.get(key)
        values = value if isinstance(value, list) else list(value) if isinstance(value, dict) else [value]
        for column in values:
            if isinstance(column, str) and column not in table.schema.names:
                same = [c for c in table.schema.names if c.lower() == column.lower()]
                hint = f" (did you mean `{same[0]}`? names are case-sensitive here)" if same else ""
                columns = ", ".join(f"`{c}`" for c in table.schema.names) or "none"
                raise UsageError(f"!visualize: fig.{kind}.{key}: table `{name}` has no column `{column}`{hint} "
                                 f"(columns: {columns})")


def describe_keys(params: dict) -> str:
    shown = [f"{key}={value}" for key, value in params.items() if key in COLUMN_KEYS or key == "title"]
    return ", ".join(shown) or "no keys"


# -- the data and the figure -------------------------------------------------------------------

def prepared(session, name: str, table: pa.Table, kind: str, params: dict, sort: bool, events):
    """(the rows the figure is drawn from, the keys to draw them with, histogram bins or None)."""
    histogram = None
    data = None
    if kind == "bar":
        data = aggregated_bars(session, name, table, params)
    elif kind == "pie":
        data, params = aggregated_pie(session, name, table, params)
    elif kind == "histogram" and binnable(table, params):
        histogram = histogram_bins(session, name, params["x"], params.get("color"), params.get("nbins"),
                                   what="!visualize")
        data = histogram.table
        starts, ends = data.column("bin_start").to_pylist(), data.column("bin_end").to_pylist()
        centers = [(s + e) / 2 for s, e in zip(starts, ends)]
        data = pa.table({params["x"]: centers, **({params["color"]: data.column(params["color"])}
                                                  if params.get("color") else {}),
                         "count": data.column("count")})
        params = {k: v for k, v in params.items() if k != "nbins"}
        params.update(y="count", histfunc="sum")
    if data is None:
        data = table.select(referenced_columns(params)) if referenced_columns(params) else table
    return chart_rows(data, params, sort, events), params, histogram


def binnable(table: pa.Table, params: dict) -> bool:
    """A histogram of a numeric x counted per bin (and per color) draws the same from its bins;
    y, facets, marginals and the like need the rows."""
    from .commands_plot import is_numeric

    used = {key for key in COLUMN_KEYS if key in params}
    return (isinstance(params.get("x"), str) and used <= {"x", "color"}
            and is_numeric(table.schema.field(params["x"]).type)
            and "marginal" not in params and params.get("histfunc", "count") == "count"
            and (params.get("nbins") is None or (isinstance(params["nbins"], int)
                                                 and 1 <= params["nbins"] <= MAX_BINS)))


def draw(kind: str, data: pa.Table, params: dict, histogram):
    import plotly.express as px

    frame = data.to_pandas()
    try:
        figure = getattr(px, kind)(frame, **params)
    except (ValueError, TypeError, KeyError) as error:
        raise UsageError(f"!visualize: fig.{kind}: {str(error).strip().splitlines()[0]}") from None
    except ImportError as error:  # e.g. trendline needs statsmodels
        raise UnsupportedStatementError(f"!visualize: fig.{kind} needs a Python package that is not "
                                        f"installed: {error}") from None
    if histogram is not None:
        figure.update_traces(xbins={"start": histogram.start, "end": histogram.end, "size": histogram.width},
                             autobinx=False)
        labels = params.get("labels") or {}
        figure.update_yaxes(title_text=labels.get("count", "count"))
    return figure
