"""`!visualize TABLE '''YAML'''` (Byzer's visualization plugin) and Byzer Notebook's `--%visualize`
cells: the plugin's result row (the chart's HTML page, mime "html"), plotly.express keys passed
through, bars, slices and bins computed by DuckDB, and clear errors."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa
import pytest

from byzer_kernel.engine import visualize_data
from byzer_kernel.engine.chart_spec import chart_of
from byzer_kernel.lang.errors import ByzerError

DAYS = '''select * from values
  ("2024-01-02", 10, 3, "u"), ("2024-01-01", 20, 5, "v"), ("2024-01-01", 1, 2, "u"), ("2024-01-03", 4, null, "v")
as t(day, pv, uv, grp) as day_pv_uv;'''
Q = "'''"


@pytest.fixture
def days(session):
    session.execute(DAYS)
    return session


def visualize(session, yaml: str, table: str = "day_pv_uv"):
    result = session.execute(f"!visualize {table} {Q}\n{yaml}\n{Q};")
    chart = chart_of(result.table)
    assert chart is not None
    go.Figure(chart["figure"])  # a figure Plotly accepts
    return result, chart


def test_the_plugins_example_bar(days):
    result, chart = visualize(days, '''
fig:
    bar:
       title: "日PV/UV柱状图"
       x: day
       y:
        - pv
        - uv
       labels:
           day: "日期"''')
    assert result.table_name == "visualize"
    assert result.table.schema.names == ["content", "mime"]
    (row,) = result.table.to_pylist()
    assert row["mime"] == "html"
    assert row["content"].startswith("<!doctype html>") and "plotly.js v" in row["content"]  # a page that works offline
    pv, uv = chart["figure"]["data"]
    assert (pv["name"], pv["x"], pv["y"]) == ("pv", ["2024-01-01", "2024-01-02", "2024-01-03"], [21, 10, 4])
    assert (uv["name"], uv["y"]) == ("uv", [7, 3, None])
    assert chart["figure"]["layout"]["title"]["text"] == "日PV/UV柱状图"
    assert chart["figure"]["layout"]["xaxis"]["title"]["text"] == "日期"
    assert chart["text"].startswith("bar chart of `day_pv_uv` by plotly.express (title=日PV/UV柱状图, x=day, "
                                    "y=['pv', 'uv']): drawn from 3 rows prepared from 4")


def test_runtime_output_names_the_result_and_other_runtime_keys_are_accepted(days):
    result, _ = visualize(days, '''
runtime:
   env: source /opt/miniconda3/bin/activate ray-1.12.0
   cache: false
   output: jack
fig:
    line:
       x: day
       y: pv''')
    assert result.table_name == "jack"
    assert days.execute("select mime from jack as m;").table.to_pylist() == [{"mime": "html"}]


def test_rows_are_sorted_by_x_unless_ignore_sort(days):
    _, chart = visualize(days, "fig:\n  line:\n    x: day\n    y: pv")
    assert chart["figure"]["data"][0]["x"] == ["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03"]
    _, chart = visualize(days, "control:\n  ignoreSort: true\nfig:\n  line:\n    x: day\n    y: pv")
    assert chart["figure"]["data"][0]["x"] == ["2024-01-02", "2024-01-01", "2024-01-01", "2024-01-03"]


def test_scatter_keys_pass_through_to_plotly_express(days):
    _, chart = visualize(days, '''
fig:
  scatter:
    title: "花瓣图"
    x: pv
    y: uv
    size: pv
    color: grp
    hover_data:
      - day
    labels:
      pv: "PV"''')
    traces = {trace["name"]: trace for trace in chart["figure"]["data"]}
    assert set(traces) == {"u", "v"}
    assert traces["u"]["marker"]["size"] == [1, 10] and traces["u"]["customdata"] == [["2024-01-01"], ["2024-01-02"]]
    assert chart["figure"]["layout"]["xaxis"]["title"]["text"] == "PV"


def test_pie_slices_are_summed_or_counted(days):
    _, chart = visualize(days, "fig:\n  pie:\n    names: grp\n    values: pv\n    title: share")
    (pie,) = chart["figure"]["data"]
    assert dict(zip(pie["labels"], pie["values"])) == {"u": 11, "v": 24}
    _, chart = visualize(days, "fig:\n  pie:\n    names: grp")
    (pie,) = chart["figure"]["data"]
    assert dict(zip(pie["labels"], pie["values"])) == {"u": 2, "v": 2}


def test_histogram_bins_are_counted_by_duckdb(days):
    _, chart = visualize(days, "fig:\n  histogram:\n    x: pv\n    nbins: 4")
    (bars,) = chart["figure"]["data"]
    counts, edges = np.histogram([10, 20, 1, 4], bins=4)
    assert bars["y"] == counts.tolist()
    assert bars["xbins"] == {"start": 1.0, "end": 20.0, "size": pytest.approx(edges[1] - edges[0])}
    assert chart["figure"]["layout"]["yaxis"]["title"]["text"] == "count"


def test_a_large_table_reaches_plotly_summed(session):
    n = 1_000_000
    session.catalog.register("big", pa.table({"g": pa.array(np.arange(n) % 5).cast(pa.string()),
                                              "v": np.ones(n)}))
    _, chart = visualize(session, "fig:\n  bar:\n    x: g\n    y: v", table="big")
    (bars,) = chart["figure"]["data"]
    assert bars["x"] == ["0", "1", "2", "3", "4"] and bars["y"] == [n / 5] * 5


def test_rows_beyond_the_cap_are_an_even_sample(session, monkeypatch):
    monkeypatch.setattr(visualize_data, "MAX_ROWS", 4)
    session.execute("select id as x, id * 2 as y from range(100) as t;")
    result, chart = visualize(session, "fig:\n  scatter:\n    x: x\n    y: y", table="t")
    assert chart["figure"]["data"][0]["x"] == [0, 25, 50, 75]
    assert result.messages == ["!visualize: drawing an even sample of 4 of 100 rows"]


def test_typed_values(days):
    _, chart = visualize(days, "fig:\n  bar:\n    x: day\n    y: pv\n    opacity:\n      vv_type: number\n"
                               "      vv_value: '0.5'")
    assert chart["figure"]["data"][0]["marker"]["opacity"] == 0.5


def test_a_byzer_notebook_visualize_cell(days):
    result = days.execute("--%visualize\n--%input=day_pv_uv\nfig:\n  bar:\n    x: day\n    y: pv\n")
    assert result.table.schema.names == ["content", "mime"] and chart_of(result.table) is not None
    with pytest.raises(ByzerError, match=r"^SyntaxError at line 1:1: a --%visualize cell needs --%input=TABLE"):
        days.execute("--%visualize\nfig:\n  bar:\n    x: day\n")


@pytest.mark.parametrize("yaml, kind, message", [
    ("fig:\n  bar:\n    x: Day\n    y: pv", "UsageError",
     "!visualize: fig.bar.x: table `day_pv_uv` has no column `Day` (did you mean `day`? names are case-sensitive "
     "here) (columns: `day`, `pv`, `uv`, `grp`)"),
    ("fig:\n  bars:\n    x: day", "UsageError", "!visualize: unknown chart kind fig.bars (kinds: line, bar, "),
    ("fig:\n  bar:\n    x: day\n    y: pv\n    colour: grp", "UsageError",
     "!visualize: fig.bar: bar() got an unexpected keyword argument 'colour'"),
    ("figs:\n  bar:\n    x: day", "UsageError",
     "!visualize: unknown section `figs` (sections: confFrom, runtime, control, fig)"),
    ("fig: [1", "UsageError", "!visualize: the YAML does not parse: "),
    ("control:\n  format: image\nfig:\n  bar:\n    x: day", "NotSupported", "!visualize: control.format image"),
    ("fig:\n  bar:\n    x: day\n    geojson:\n      vv_type: jsonObj\n      vv_value: counties", "NotSupported",
     "!visualize: fig.bar.geojson: vv_type jsonObj"),
    ("fig:\n  auc:\n    title: ROC", "NotSupported", "!visualize: fig.auc (the plugin draws it with scikit-learn"),
    ("control:\n  backend: sklearn\nfig:\n  bar:\n    x: day", "NotSupported",
     "!visualize: control.backend sklearn is not supported here"),
])
def test_bad_yaml_is_one_error_at_the_statement(days, yaml, kind, message):
    with pytest.raises(ByzerError) as caught:
        days.execute(f"select 1 as a as one;\n!visualize day_pv_uv {Q}\n{yaml}\n{Q};")
    assert caught.value.kind == kind and caught.value.location == "line 2:1"
    assert message in str(caught.value)
    assert days.execute("!visualize day_pv_uv '''fig:\n  bar:\n    x: day\n    y: pv''';").table.num_rows == 1


def test_usage(days):
    with pytest.raises(ByzerError, match=r"!visualize takes a table and its YAML"):
        days.execute("!visualize day_pv_uv;")
