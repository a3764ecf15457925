"""Charts in JupyterLab (Debian's chromium, driven by Playwright): a `!plot` chart is drawn by
JupyterLab's Plotly renderer, is drawn again from the saved notebook after reopening it, and the
notebook's nbconvert HTML draws it in a browser with no network. Screenshots go to
tests/artifacts/. JupyterLab is started as in test_browser.py (its fixtures and helpers)."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from test_browser import (browser, lab, open_notebook, page, run_cells, screenshot,  # noqa: F401 (fixtures)
                          shut_down_sessions, write_notebook)

pytestmark = pytest.mark.browser

PLOTLY_MIME = "application/vnd.plotly.v1+json"
CHART_WAIT_MS = 300_000
SAVE_SECONDS = 60
CHART_CELL = ('select id % 4 as k, id as v from range(100) as t;\n'
              '!plot t where x="k" and y="v" and title="Sum of v by k";')
HIST_CELL = '!plot t where x="v" and kind="hist" and bins="5" and title="Spread of v";'


def plotly_chart(cell):
    """The chart JupyterLab's Plotly renderer (the plotly package's mime extension, not the HTML
    fallback) drew in the cell's output, once its SVG is there."""
    output = cell.locator(".jp-OutputArea-output.jp-RenderedPlotly")
    output.locator("svg.main-svg").first.wait_for(timeout=CHART_WAIT_MS)
    return output


def save_with_snapshots(page, path, count: int) -> dict:
    """Save until the file holds `count` charts, each with the PNG snapshot JupyterLab's renderer
    adds to its output once drawn (asynchronously: a save may come before it)."""
    deadline = time.monotonic() + SAVE_SECONDS
    while True:
        page.keyboard.press("Control+s")
        retry = time.monotonic() + 5
        while time.monotonic() < min(retry, deadline):
            try:
                notebook = json.loads(path.read_text())
            except ValueError:  # read while the server writes it
                notebook = {"cells": []}
            charts = [o for c in notebook["cells"] for o in c.get("outputs", []) if PLOTLY_MIME in o.get("data", {})]
            if len(charts) == count and all("image/png" in o["data"] for o in charts):
                return notebook
            time.sleep(0.25)
        assert time.monotonic() < deadline, f"{path.name} was not saved with {count} charts and their snapshots"


def test_a_chart_renders_survives_reopening_and_nbconvert_offline(lab, page, browser):
    write_notebook(lab, "charts.ipynb", "byzer", "byzer", [("code", CHART_CELL), ("code", HIST_CELL)])
    cells = open_notebook(page, lab, "charts.ipynb", 2)
    run_cells(page, cells, 2)
    bars = plotly_chart(cells.nth(0))
    assert bars.locator("g.trace.bars g.point").count() == 4
    assert bars.locator(".gtitle").text_content() == "Sum of v by k"
    assert plotly_chart(cells.nth(1)).locator("g.trace.bars g.point").count() == 5
    screenshot(page, "byzer-chart.png")

    save_with_snapshots(page, lab.root / "charts.ipynb", 2)  # the PNG is what GitHub shows
    shut_down_sessions(lab)

    reopened = page.context.new_page()
    page.close()
    cells = open_notebook(reopened, lab, "charts.ipynb", 3)  # Shift+Enter on the last cell added one
    # The renderer shows the saved output's PNG snapshot first and draws the interactive chart
    # from the saved figure when the pointer reaches it.
    saved = cells.nth(0).locator(".jp-OutputArea-output.jp-RenderedPlotly")
    saved.locator("img.plot-img").wait_for(timeout=CHART_WAIT_MS)
    saved.hover()
    assert plotly_chart(cells.nth(0)).locator("g.trace.bars g.point").count() == 4
    screenshot(reopened, "byzer-chart-reopened.png")
    shut_down_sessions(lab)

    done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", "charts.ipynb"], cwd=lab.root,
                          capture_output=True, text=True, timeout=300)
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
        screenshot(html_page, "byzer-chart-nbconvert.png")
    finally:
        offline.close()
