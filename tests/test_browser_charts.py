"""Charts in JupyterLab (Debian's chromium, driven by Playwright): a `!plot` chart is drawn by
Plotly's renderer in the notebook's theme (src/chartRenderer.ts), follows a switch to JupyterLab
Dark and back while shown, keeps a template the chart names, is drawn again from the saved notebook
after reopening it, and the notebook's nbconvert HTML draws it in a browser with no network.
Screenshots go to tests/artifacts/. JupyterLab is started as in test_browser.py (its fixtures and
helpers)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from test_browser import (browser, lab, open_notebook, page, run_cells, screenshot,  # noqa: F401 (fixtures)
                          save_until, shut_down_sessions, write_notebook)
from test_browser_lab import choose_theme

pytestmark = pytest.mark.browser

PLOTLY_MIME = "application/vnd.plotly.v1+json"
CHART_WAIT_MS = 300_000
SAVE_SECONDS = 60
THEME_SECONDS = 30
CHART_CELL = ('select id % 4 as k, id as v from range(100) as t;\n'
              '!plot t where x="k" and y="v" and title="Sum of v by k";')
HIST_CELL = '!plot t where x="v" and kind="hist" and bins="5" and title="Spread of v";'
# A chart that names its own template keeps it, whatever the theme.
CHOSEN_TEMPLATE_CELL = ("!visualize t '''fig:\n  bar:\n    x: k\n    y: v\n    title: ggplot2 colours\n"
                        "    template: ggplot2''';")
GGPLOT2_PLOT_BACKGROUND = (237, 237, 237)

# The colours a chart is drawn in (Plotly writes them as inline styles on its SVG), and the colours
# the page's theme variables stand for, each as rgb channels plus opacity.
READ_CHART_COLOURS = """(output) => {
  const rgba = text => {
    const v = (text.match(/[\\d.]+/g) || []).map(Number);
    return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
  };
  const css = el => getComputedStyle(el);
  // Plotly gives a text's alpha as fill-opacity (ticks) or opacity (titles).
  const shown = (el, colour, opacity) => {
    const c = rgba(colour);
    c[3] *= Number(opacity) * Number(css(el).opacity);
    return c;
  };
  const variable = name => {
    const probe = document.createElement('div');
    probe.style.color = `var(${name})`;
    document.body.appendChild(probe);
    const colour = css(probe).color;
    probe.remove();
    return rgba(colour);
  };
  const svg = output.querySelector('svg.main-svg');
  const title = output.querySelector('.gtitle');
  const tick = output.querySelector('.xtick text');
  const grid = output.querySelector('.gridlayer path');
  const plotArea = output.querySelector('.bglayer rect.bg');  // none when it is the paper's colour
  const bar = output.querySelector('g.trace.bars g.point path');
  const paper = rgba(css(svg).backgroundColor);
  return {
    paper,
    plot: plotArea ? rgba(css(plotArea).fill) : paper,
    barOutline: bar ? rgba(css(bar).stroke) : null,
    title: shown(title, css(title).fill, css(title).fillOpacity),
    tick: shown(tick, css(tick).fill, css(tick).fillOpacity),
    grid: grid ? shown(grid, css(grid).stroke, css(grid).strokeOpacity) : null,
    themeBackground: variable('--jp-layout-color0'),
    themeText: variable('--jp-ui-font-color1'),
    themeGrid: variable('--jp-border-color2'),
  };
}"""


def plotly_chart(cell):
    """The chart Plotly's renderer (the plotly package's, not the HTML fallback) drew in the cell's
    output, once its SVG is there."""
    output = cell.locator(".jp-OutputArea-output .jp-RenderedPlotly")
    output.locator("svg.main-svg").first.wait_for(timeout=CHART_WAIT_MS)
    return output


def chart_colours(cell) -> dict:
    return plotly_chart(cell).evaluate(READ_CHART_COLOURS)


def close(seen, expected, tolerance: float = 2) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(seen[:3], expected[:3])) and abs(seen[3] - expected[3]) < 0.02


def assert_in_theme(colours: dict) -> None:
    """The chart's background, text and grid are the theme's."""
    assert close(colours["paper"], colours["themeBackground"]), colours
    assert close(colours["plot"], colours["themeBackground"]), colours
    assert close(colours["title"], colours["themeText"]), colours
    assert close(colours["tick"], colours["themeText"]), colours
    assert close(colours["grid"], colours["themeGrid"]), colours
    if colours["barOutline"] is not None:  # not the stock template's pale blue
        assert close(colours["barOutline"], colours["themeBackground"]), colours


def wait_for_colours(cell, check) -> dict:
    """The chart's colours once `check` holds: a theme switch draws the chart again."""
    deadline = time.monotonic() + THEME_SECONDS
    while True:
        colours = chart_colours(cell)
        try:
            check(colours)
            return colours
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def is_dark(colour) -> bool:
    return sum(colour[:3]) < 3 * 80


def save_with_snapshots(page, path, count: int) -> dict:
    """Save until the file holds `count` charts, each with the PNG snapshot Plotly's renderer adds to
    its output once drawn (asynchronously: a save may come before it)."""
    def holds_snapshots(notebook) -> bool:
        charts = [o for c in notebook["cells"] for o in c.get("outputs", []) if PLOTLY_MIME in o.get("data", {})]
        return len(charts) == count and all("image/png" in o["data"] for o in charts)

    return save_until(page, path, holds_snapshots, SAVE_SECONDS)


def test_a_chart_renders_survives_reopening_and_nbconvert_offline(lab, page, browser):
    write_notebook(lab, "charts.ipynb", "byzer", "byzer", [("code", CHART_CELL), ("code", HIST_CELL)])
    cells = open_notebook(page, lab, "charts.ipynb", 2)
    run_cells(page, cells, 2)
    bars = plotly_chart(cells.nth(0))
    assert bars.locator("g.trace.bars g.point").count() == 4
    assert bars.locator(".gtitle").text_content() == "Sum of v by k"
    assert plotly_chart(cells.nth(1)).locator("g.trace.bars g.point").count() == 5
    assert_in_theme(chart_colours(cells.nth(0)))
    screenshot(page, "byzer-chart.png")

    saved = save_with_snapshots(page, lab.root / "charts.ipynb", 2)  # the PNG is what GitHub shows
    assert saved["cells"][0]["outputs"][0]["data"]["application/vnd.byzer.chart+json"] == {"follow_theme": True}
    shut_down_sessions(lab)

    reopened = page.context.new_page()
    page.close()
    cells = open_notebook(reopened, lab, "charts.ipynb", 3)  # Shift+Enter on the last cell added one
    # Drawn again from the saved figure in the current theme (not the saved snapshot).
    assert plotly_chart(cells.nth(0)).locator("g.trace.bars g.point").count() == 4
    assert plotly_chart(cells.nth(1)).locator("g.trace.bars g.point").count() == 5
    screenshot(reopened, "byzer-chart-reopened.png")
    shut_down_sessions(lab)

    for options in ([], ["--theme", "dark", "--output", "charts-dark"]):
        done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", *options, "charts.ipynb"],
                              cwd=lab.root, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-5000:]
    offline = browser.new_context(viewport={"width": 1400, "height": 1100})
    try:
        offline.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                      else route.abort())
        html_page = offline.new_page()
        html_page.goto((lab.root / "charts.html").as_uri())
        charts = html_page.locator(".plotly-graph-div svg.main-svg")
        charts.first.wait_for(timeout=CHART_WAIT_MS)
        drawn = html_page.locator(".plotly-graph-div")
        assert drawn.count() == 2 and drawn.nth(0).locator("g.trace.bars g.point").count() == 4
        assert drawn.nth(1).locator("g.trace.bars g.point").count() == 5
        assert html_page.locator(".byzer-chart-missing:visible").count() == 0
        # nbconvert's page carries JupyterLab's light theme variables: the chart takes them.
        light = drawn.nth(0).evaluate(READ_CHART_COLOURS)
        assert_in_theme(light)
        screenshot(html_page, "byzer-chart-nbconvert.png")
        # --theme dark: the dark theme's variables, and the chart takes those.
        html_page.goto((lab.root / "charts-dark.html").as_uri())
        dark_chart = html_page.locator(".plotly-graph-div").first
        dark_chart.locator("svg.main-svg").first.wait_for(timeout=CHART_WAIT_MS)
        dark = dark_chart.evaluate(READ_CHART_COLOURS)
        assert_in_theme(dark)
        assert is_dark(dark["paper"]) and not is_dark(light["paper"])
        screenshot(html_page, "byzer-chart-nbconvert-dark.png")
    finally:
        offline.close()


def test_a_chart_follows_the_dark_theme_live(lab, page):
    write_notebook(lab, "dark-chart.ipynb", "byzer", "byzer", [("code", CHART_CELL), ("code", CHOSEN_TEMPLATE_CELL)])
    cells = open_notebook(page, lab, "dark-chart.ipynb", 2)
    run_cells(page, cells, 2)
    light = chart_colours(cells.nth(0))
    assert_in_theme(light)
    assert not is_dark(light["paper"]) and is_dark(light["title"])
    chosen = chart_colours(cells.nth(1))
    assert close(chosen["plot"], GGPLOT2_PLOT_BACKGROUND + (1,)), chosen
    try:
        choose_theme(page, "JupyterLab Dark", light=False)
        dark = wait_for_colours(cells.nth(0), assert_in_theme)
        assert is_dark(dark["paper"]) and not is_dark(dark["title"]), dark
        assert dark["paper"] != light["paper"] and dark["title"] != light["title"]
        assert plotly_chart(cells.nth(0)).locator("g.trace.bars g.point").count() == 4  # still the chart
        # The chart that named its template keeps it.
        assert close(chart_colours(cells.nth(1))["plot"], GGPLOT2_PLOT_BACKGROUND + (1,))
        cells.nth(0).scroll_into_view_if_needed()
        screenshot(page, "byzer-chart-dark.png")
    finally:
        choose_theme(page, "JupyterLab Light", light=True)
    back = wait_for_colours(cells.nth(0), assert_in_theme)
    assert close(back["paper"], light["paper"])
    shut_down_sessions(lab)
