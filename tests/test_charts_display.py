"""The display bundle of a chart (byzer_kernel/charts.py): Plotly's mime type for JupyterLab, an
HTML fallback drawn by plotly.js written inline (once per kernel process), a text description;
display.table_bundle and the %%byzer magic show it."""
from __future__ import annotations

import re

import pyarrow as pa
import pytest

from byzer_kernel import charts
from byzer_kernel import display as show

PLOTLY_JS_MARK = "plotly.js v"


@pytest.fixture
def first_chart_of_the_process(monkeypatch):
    monkeypatch.setattr(charts, "_carrier", None)


@pytest.fixture
def plotted(session):
    session.execute("select id % 3 as k, id as v from range(30) as t;")
    return session.execute('!plot t where x="k" and y="v" and title="</script> & <b>";').table


def test_the_bundle_has_plotly_json_html_and_text(plotted, first_chart_of_the_process):
    bundle = charts.chart_bundle(plotted)
    assert list(bundle) == [charts.PLOTLY_MIME, "text/html", "text/plain", charts.CHART_MIME]
    assert bundle[charts.CHART_MIME] == {"follow_theme": True}
    figure = bundle[charts.PLOTLY_MIME]
    assert figure["data"][0]["x"] == ["0", "1", "2"] and figure["data"][0]["y"] == [135, 145, 155]
    assert figure["config"] == {"responsive": True, "displaylogo": False}
    assert bundle["text/plain"] == 'bar chart of sum(v) by k "</script> & <b>": 3 bars, from 30 rows of `t`'

    page = bundle["text/html"]
    (target,) = re.findall(r'<div id="(byzer-chart-[0-9a-f]+)" class="plotly-graph-div"', page)
    assert f'var target = "{target}"' in page
    assert page.count(PLOTLY_JS_MARK) == 1  # plotly.js itself, inline
    tags = re.findall(r"<script[^>]*>", page)
    assert len(tags) == 4 and not any("src" in tag for tag in tags)  # nothing is fetched
    # The title cannot end the script early; the text fallback is escaped.
    script = page[page.rindex("<script"):]
    assert script.count("</script>") == 1 and "<\\/script>" in script
    assert "&lt;/script&gt; &amp; &lt;b&gt;" in page


def test_plotly_js_is_written_once_per_process(plotted, session, first_chart_of_the_process):
    first = charts.chart_bundle(plotted)["text/html"]
    again = charts.chart_bundle(plotted)["text/html"]  # the same chart shown again: still carries it
    other = session.execute('!plot t where x="k" and kind="pie";').table
    second = charts.chart_bundle(other)["text/html"]
    assert PLOTLY_JS_MARK in first and PLOTLY_JS_MARK in again
    assert PLOTLY_JS_MARK not in second and "byzer-chart-missing" in second and len(second) < 20_000


def test_table_bundle_shows_the_chart_and_plain_tables_stay_tables(plotted, first_chart_of_the_process):
    assert charts.PLOTLY_MIME in show.table_bundle(plotted)
    plain = show.table_bundle(pa.table({"a": [1]}))
    assert charts.PLOTLY_MIME not in plain and "<table" in plain["text/html"]
    assert charts.chart_bundle(pa.table({"a": [1]})) is None


def test_a_visualize_result_shows_its_chart_not_its_page(session, first_chart_of_the_process):
    session.execute("select 'a' as k, 1 as v as t;")
    result = session.execute("!visualize t '''fig:\n  bar:\n    x: k\n    y: v''';").table
    bundle = show.table_bundle(result)
    assert charts.PLOTLY_MIME in bundle and bundle["text/plain"].startswith("bar chart of `t`")
    # Selected again, the row is Byzer Notebook's content/mime: its HTML page is shown.
    session.catalog.register("page", result)
    again = session.execute("select * from page as copy;").table
    assert show.table_bundle(again)["text/html"].startswith("<!doctype html>")


def test_a_chart_follows_the_theme_unless_its_template_was_chosen(session, plotted, first_chart_of_the_process):
    session.execute("select 'a' as k, 1 as v as u;")
    plain = session.execute("!visualize u '''fig:\n  bar:\n    x: k\n    y: v''';").table
    chosen = session.execute("!visualize u '''fig:\n  bar:\n    x: k\n    y: v\n    template: plotly_dark''';").table
    assert charts.chart_bundle(plotted)[charts.CHART_MIME] == {"follow_theme": True}
    assert charts.chart_bundle(plain)[charts.CHART_MIME] == {"follow_theme": True}
    dark = charts.chart_bundle(chosen)
    assert dark[charts.CHART_MIME] == {"follow_theme": False}
    # The HTML form takes a page's JupyterLab colours only for a chart that follows the theme.
    assert "themed(figure.layout)" in charts.chart_bundle(plotted)["text/html"]
    assert "--jp-layout-color0" not in dark["text/html"] and ", figure.layout," in dark["text/html"]


def test_the_magic_displays_the_chart(first_chart_of_the_process, tmp_path, monkeypatch):
    # The one IPython shell of the process (tests/test_magics.py uses it too: a second kind of
    # shell singleton cannot be made beside it), with a fresh shared Session.
    from IPython.core.interactiveshell import InteractiveShell

    import byzer_kernel.runtime as runtime

    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    runtime.close_shared_session()
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "byzer_kernel")
    try:
        view = ip.run_cell_magic("byzer", "", "select 1 as k, 2 as v as t;\n!plot t where x=\"k\" and y=\"v\";")
    finally:
        runtime.close_shared_session()
    bundle, metadata = view._repr_mimebundle_()
    assert charts.PLOTLY_MIME in bundle and metadata["byzer"]["rows"] == 1
