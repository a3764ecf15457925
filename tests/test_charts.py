"""`!plot`: the aggregated table each kind leaves (computed by DuckDB), the Plotly figure riding on
it (validated by plotly's own figure classes), and one clear UsageError naming line:col for bad
input, after which the session keeps working."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa
import pytest

from byzer_kernel.engine.chart_spec import chart_of
from byzer_kernel.lang.errors import ByzerError

SALES = '''select * from values
  ("east", "a", 10, 1.5, date "2024-01-02"),
  ("west", "a", 5, 2.5, date "2024-01-01"),
  ("east", "b", 7, null, date "2024-01-01"),
  ("north", "b", 1, 4.0, date "2024-01-03"),
  (null, "a", 2, 8.0, date "2024-01-03")
as t(region, product, amount, price, day) as sales;'''


@pytest.fixture
def sales(session):
    session.execute(SALES)
    return session


def plot(session, where: str, table: str = "sales"):
    result = session.execute(f"!plot {table} where {where};")
    chart = chart_of(result.table)
    assert chart is not None, "a !plot result carries its chart"
    go.Figure(chart["figure"])  # raises on any property Plotly does not know
    return result, chart


def rows(result):
    return result.table.to_pylist()


def test_bar_sums_y_per_x_and_names_the_column_as_spark(sales):
    result, chart = plot(sales, 'x="region" and y="amount" and kind="bar"')
    assert result.table.schema.names == ["region", "sum(amount)"]
    assert rows(result) == [{"region": "east", "sum(amount)": 17}, {"region": "north", "sum(amount)": 1},
                            {"region": "west", "sum(amount)": 5}, {"region": None, "sum(amount)": 2}]
    (bar,) = chart["figure"]["data"]
    assert bar["type"] == "bar" and bar["x"] == ["east", "north", "west", "null"] and bar["y"] == [17, 1, 5, 2]
    assert chart["figure"]["layout"]["yaxis"]["title"]["text"] == "sum(amount)"
    assert chart["text"] == "bar chart of sum(amount) by region: 4 bars, from 5 rows of `sales`"


@pytest.mark.parametrize("agg, expected", [
    ("avg", {"a": 17 / 3, "b": 4.0}), ("min", {"a": 2, "b": 1}), ("max", {"a": 10, "b": 7}),
    ("count", {"a": 3, "b": 2}), ("sum", {"a": 17, "b": 8})])
def test_bar_aggregates(sales, agg, expected):
    result, _ = plot(sales, f'x="product" and y="amount" and agg="{agg}"')
    got = {row["product"]: row[f"{agg}(amount)"] for row in rows(result)}
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[k], expected[k]) for k in expected)


def test_without_y_bars_count_rows(sales):
    result, _ = plot(sales, 'x="product"')
    assert rows(result) == [{"product": "a", "count(1)": 3}, {"product": "b", "count(1)": 2}]


def test_color_makes_one_series_per_value(sales):
    result, chart = plot(sales, 'x="product" and y="amount" and color="region" and title="By region"')
    assert result.table.schema.names == ["product", "region", "sum(amount)"]
    traces = {trace["name"]: (trace["x"], trace["y"]) for trace in chart["figure"]["data"]}
    assert traces == {"east": (["a", "b"], [10, 7]), "west": (["a"], [5]), "north": (["b"], [1]),
                      "null": (["a"], [2])}
    assert chart["figure"]["layout"]["title"]["text"] == "By region"


def test_line_is_in_x_order_without_null_x(sales):
    result, chart = plot(sales, 'x="day" and y="price" and kind="line" and agg="max"')
    assert [(str(r["day"]), r["max(price)"]) for r in rows(result)] == [
        ("2024-01-01", 2.5), ("2024-01-02", 1.5), ("2024-01-03", 8.0)]
    (line,) = chart["figure"]["data"]
    assert line["mode"] == "lines" and line["x"] == ["2024-01-01", "2024-01-02", "2024-01-03"]


def test_pie_slices_largest_first(sales):
    result, chart = plot(sales, 'x="product" and y="amount" and kind="pie"')
    assert rows(result) == [{"product": "a", "sum(amount)": 17}, {"product": "b", "sum(amount)": 8}]
    (pie,) = chart["figure"]["data"]
    assert pie["type"] == "pie" and pie["labels"] == ["a", "b"] and pie["values"] == [17, 8]


def test_scatter_keeps_rows_with_both_values(sales):
    result, chart = plot(sales, 'x="amount" and y="price" and kind="scatter"')
    assert rows(result) == [{"amount": 10, "price": 1.5}, {"amount": 5, "price": 2.5},
                            {"amount": 1, "price": 4.0}, {"amount": 2, "price": 8.0}]
    assert chart["figure"]["data"][0]["mode"] == "markers"


def test_histogram_bins_like_numpy(sales):
    result, chart = plot(sales, 'x="amount" and kind="hist" and bins="3"')
    counts, edges = np.histogram([10, 5, 7, 1, 2], bins=3)
    assert [r["count"] for r in rows(result)] == counts.tolist()
    assert [r["bin_start"] for r in rows(result)] == pytest.approx(edges[:-1].tolist())
    assert [r["bin_end"] for r in rows(result)] == pytest.approx(edges[1:].tolist())
    (bars,) = chart["figure"]["data"]
    assert bars["width"] == [pytest.approx(3.0)] * 3 and chart["figure"]["layout"]["bargap"] == 0


def test_histogram_of_many_random_values_counts_as_numpy(session):
    values = np.random.default_rng(3).normal(100, 15, 20_000)
    session.catalog.register("draws", pa.table({"v": values}))
    result, _ = plot(session, 'x="v" and kind="hist" and bins="37"', table="draws")
    counts, edges = np.histogram(values, bins=37)
    assert [r["count"] for r in rows(result)] == counts.tolist()
    assert [r["bin_end"] for r in rows(result)][-1] == pytest.approx(edges[-1])


def test_limit_keeps_the_largest_categories_and_says_so(session):
    session.execute("select id % 10 as k, id as v from range(100) as t;")
    result = session.execute('!plot t where x="k" and y="v" and limit="3";')
    assert [r["k"] for r in rows(result)] == [7, 8, 9]
    assert result.messages == ["!plot: showing the 3 largest of 10 values of `k` (limit=3)"]


def test_scatter_beyond_limit_is_an_even_sample(session):
    session.execute("select id as x, id * 2 as y from range(1000) as t;")
    result = session.execute('!plot t where x="x" and y="y" and kind="scatter" and limit="4";')
    assert [r["x"] for r in rows(result)] == [0, 250, 500, 750]
    assert result.messages == ["!plot: showing an even sample of 4 of 1000 rows (limit=4)"]


def test_a_large_table_reaches_plotly_as_its_aggregate(session):
    n = 1_000_000
    session.catalog.register("big", pa.table({"g": pa.array(np.arange(n) % 7), "v": np.ones(n)}))
    result = session.execute('!plot big where x="g" and y="v";')
    assert result.table.num_rows == 7 and sum(r["sum(v)"] for r in rows(result)) == n
    hist = session.execute('!plot big where x="v" and kind="hist";')
    assert hist.table.num_rows == 1 and rows(hist)[0]["count"] == n  # one value: one bin around it


def test_options_are_rendered_with_variables(sales):
    result = sales.execute('set col="region";\n!plot sales where x="${col}" and y="amount";')
    assert result.table.schema.names == ["region", "sum(amount)"]


@pytest.mark.parametrize("where, message", [
    ('x="regoin" and y="amount"',
     "!plot: table `sales` has no column `regoin` (columns: `region`, `product`, `amount`, `price`, `day`)"),
    ('x="region" and kind="bubble"', '!plot: unknown kind "bubble" (kinds: bar, line, scatter, pie, hist)'),
    ('x="region" and y="product" and agg="avg"', '!plot: agg="avg" needs a numeric y; `product` is string'),
    ('x="region" and agg="median"', '!plot: unknown agg "median" (aggregates: sum, avg, count, min, max)'),
    ('x="product" and kind="hist"', "!plot: a histogram needs a numeric x; `product` is string"),
    ('x="amount" and kind="scatter"', "!plot: a scatter needs y, the column along the y axis"),
    ('x="region" and limit="0"', '!plot: limit is a whole number from 1 to 1000000, got "0"'),
    ('x="region" and colour="product"', "!plot has no option `colour` (options: x, y, kind, agg, color, "
                                        "title, bins, limit)"),
    ('y="amount"', '!plot needs x, the column along the x axis (usage: !plot TABLE where x="COLUMN" and '
                   'y="COLUMN" and kind="bar|line|scatter|pie|hist")'),
])
def test_bad_input_is_one_usage_error_at_the_statement(sales, where, message):
    script = f'select 1 as a as one;\n!plot sales where {where};'
    with pytest.raises(ByzerError) as caught:
        sales.execute(script)
    assert caught.value.kind == "UsageError"
    assert caught.value.location == "line 2:1"
    assert str(caught.value).startswith("UsageError at line 2:1 in `!plot sales where ")
    assert str(caught.value).endswith(message)
    assert sales.execute('!plot sales where x="product";').table.num_rows == 2  # the session goes on


def test_unknown_table_and_where_of_other_commands(sales):
    with pytest.raises(ByzerError, match=r"^TableNotFound at line 1:1 .*table `nope` does not exist"):
        sales.execute('!plot nope where x="a";')
    with pytest.raises(ByzerError, match=r"^SyntaxError at line 1:13: keyword 'where' cannot be an unquoted"):
        sales.execute('!desc sales where x="a";')  # only !plot takes a where clause


def test_plan_shows_the_where_clause(sales):
    (statement,) = sales.plan('!plot sales where x="region" and kind="pie";').statements
    assert statement.describe() == '!plot sales where x="region" and kind="pie"'
