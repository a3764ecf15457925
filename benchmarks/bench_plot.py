"""`!plot` and `!visualize` of a 10,000,000-row table, each against the same aggregate computed by
DuckDB directly plus the plotting library directly (target: at most 1.3x).

A case is the statement through `Session.execute` and the front-ends' display bundle
(charts.chart_bundle: Plotly's JSON, the HTML fallback, the text line); its anchor runs the same
SQL on a DuckDB connection over the same Arrow table and makes the same figure with plotly
(graph_objects for `!plot`, plotly.express for `!visualize`, which calls it) and its HTML. plotly.js
is written into the first chart of a process only; every timed run is a later one, for both sides.
Usage: python benchmarks/bench_plot.py [--rows N]"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import best_of, print_table  # noqa: E402

from byzer_kernel.charts import chart_bundle  # noqa: E402
from byzer_kernel.engine import Session  # noqa: E402

TARGET = "<= 1.3x"
BINS = 30
SAMPLE = 10_000


def data(rows: int) -> pa.Table:
    rng = np.random.default_rng(7)
    cities = pa.array([f"city_{i:02d}" for i in range(50)])
    return pa.table({
        "city": cities.take(pa.array(rng.integers(0, 50, rows))),
        "day": rng.integers(0, 1000, rows),
        "amount": rng.gamma(2.0, 50.0, rows),
        "price": rng.normal(100, 15, rows),
    })


def shown(session: Session, cell: str) -> None:
    """What a notebook does for a chart cell: run it, make its display bundle."""
    bundle = chart_bundle(session.execute(cell).table)
    assert bundle is not None


def figure_page(figure) -> None:
    """What the anchor's user does to show a figure: its JSON and its HTML (plotly.js not inline)."""
    figure.to_json()
    figure.to_html(include_plotlyjs=False, full_html=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    rows = parser.parse_args().rows
    table = data(rows)
    session = Session()
    session.catalog.register("big", table)
    con = duckdb.connect()
    con.register("big", table)
    import plotly.express as px
    import plotly.graph_objects as go

    def query(sql: str) -> pa.Table:
        return con.sql(sql).to_arrow_table()

    def bar_anchor():
        found = query("select city, sum(amount) as s from big group by city order by city")
        figure_page(go.Figure(go.Bar(x=found["city"].to_pylist(), y=found["s"].to_pylist())))

    def line_anchor():
        found = query("select day, sum(amount) as s from big group by day order by day")
        figure_page(go.Figure(go.Scatter(x=found["day"].to_pylist(), y=found["s"].to_pylist(), mode="lines")))

    def pie_anchor():
        found = query("select city, avg(price) as a from big group by city order by a desc")
        figure_page(go.Figure(go.Pie(labels=found["city"].to_pylist(), values=found["a"].to_pylist())))

    def hist_anchor():
        ((low, high),) = con.sql("select min(price), max(price) from big").fetchall()
        width = (high - low) / BINS
        found = query(f"select least(floor((price - {low}) / {width}), {BINS - 1}) as b, count(*) as n "
                      f"from big where price is not null group by b order by b")
        centers = [low + (b + 0.5) * width for b in found["b"].to_pylist()]
        figure_page(go.Figure(go.Bar(x=centers, y=found["n"].to_pylist(), width=[width] * len(centers))))

    def scatter_anchor():
        found = query(f"select amount, price from big using sample reservoir({SAMPLE} rows) repeatable (1)")
        figure_page(go.Figure(go.Scatter(x=found["amount"].to_pylist(), y=found["price"].to_pylist(),
                                         mode="markers")))

    def visualize_anchor():
        found = con.sql("select city, sum(amount) as amount from big group by city order by city").df()
        figure = px.bar(found, x="city", y="amount", title="amount by city")
        figure.to_json()
        figure.to_html()  # the plugin's page: plotly.js inline, as `!visualize` answers

    cases = [
        ("!plot bar: sum by 50 cities", '!plot big where x="city" and y="amount";', bar_anchor,
         "DuckDB group by + go.Bar"),
        ("!plot line: sum by 1,000 days", '!plot big where x="day" and y="amount" and kind="line";', line_anchor,
         "DuckDB group by + go.Scatter"),
        ("!plot pie: avg by 50 cities", '!plot big where x="city" and y="price" and kind="pie" and agg="avg" '
                                        'and limit="50";', pie_anchor, "DuckDB group by + go.Pie"),
        (f"!plot hist: {BINS} bins", f'!plot big where x="price" and kind="hist" and bins="{BINS}";',
         hist_anchor, "DuckDB min/max, bins + go.Bar"),
        (f"!plot scatter: {SAMPLE:,} points", f'!plot big where x="amount" and y="price" and kind="scatter" '
                                              f'and limit="{SAMPLE}";', scatter_anchor,
         "DuckDB sample + go.Scatter"),
        ("!visualize bar (YAML): sum by city", "!visualize big '''fig:\n  bar:\n    x: city\n    y: amount\n"
                                               "    title: amount by city''';", visualize_anchor,
         "DuckDB group by + px.bar + to_html"),
    ]
    shown(session, cases[0][1])  # the first chart of the process carries plotly.js: not timed
    results = []
    for case, cell, anchor, anchor_name in cases:
        shown(session, cell)
        anchor()  # warm: plotly's validators, DuckDB's plans
        results.append((case, best_of(lambda: shown(session, cell), 5), anchor_name, best_of(anchor, 5), TARGET))
    print_table(f"Charts of a {rows:,}-row table (statement + display bundle vs DuckDB + plotly)", results)


if __name__ == "__main__":
    main()
