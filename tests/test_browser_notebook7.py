"""Notebook 7 (the `notebook` package, built on JupyterLab 4, which loads the same extension) in
Debian's chromium, driven by Playwright: a Byzer notebook shows the progress of a Ray statement
live, then the cluster status, a result table in the extension's viewer (paging through the
kernel) and a `!plot` chart, with no widget error and no error box; saved and reopened, each
shows its final state again. Notebook 7 is started once for this module, as JupyterLab is in
test_browser.py (its helpers). Screenshots go to tests/artifacts/."""
from __future__ import annotations

import json

import pytest

from test_browser import (browser, jupyter_server, page, run_cells, screenshot,  # noqa: F401 (fixtures)
                          save_until, shut_down_sessions, wait_for_idle_kernel, write_notebook)
from test_browser_charts import CHART_CELL, assert_in_theme, chart_colours, plotly_chart
from test_browser_lab import column, viewer_in, wait_for_note, wait_for_range
from test_browser_outputs import RUN_CELL, RUN_WAIT_MS, STATUS_CELL, assert_final_outputs, assert_readable, read_outputs

pytestmark = pytest.mark.browser

NOTEBOOK = "notebook7.ipynb"
TABLE_CELL = "select id, id * 2 as twice from range(1000) as numbers_twice;"
CELLS = [RUN_CELL, STATUS_CELL, TABLE_CELL, CHART_CELL]
PROGRESS, STATUS, TABLE, CHART = range(len(CELLS))
TABLE_MIME = "application/vnd.byzer.table+json"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
SAVE_SECONDS = 60
# What an output that failed to show looks like: a widget without its model, or an error box.
NO_ERRORS = """() => ({
  widgetErrors: document.body.innerText.includes('Error displaying widget'),
  errorBoxes: document.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText.jp-mod-error').length,
})"""


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory):
    options = ["--JupyterNotebookApp.user_settings_dir={settings}",
               "--JupyterNotebookApp.workspaces_dir={workspaces}"]
    with jupyter_server(tmp_path_factory.mktemp("notebook7"), "notebook", options) as server:
        yield server


def open_in_notebook7(page, server, name: str, cell_count: int):
    page.goto(server.url(f"/notebooks/{name}"))
    cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")
    cells.nth(cell_count - 1).wait_for()
    assert cells.count() == cell_count
    page.locator("#top-panel-wrapper").wait_for(state="attached")  # Notebook 7's shell, not JupyterLab's
    wait_for_idle_kernel(server, name)
    return cells


def assert_no_errors(page) -> None:
    assert page.evaluate(NO_ERRORS) == {"widgetErrors": False, "errorBoxes": 0}


def save(page, cells, path) -> dict:
    """Saves (Ctrl+S in command mode) until the file holds every final output, the chart with the
    PNG snapshot its renderer adds once drawn (asynchronously: a save may come before it)."""
    cells.nth(0).locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")  # the notebook's shortcuts, not a viewer control's keys

    def holds_final_outputs(notebook) -> bool:
        outputs = [[o.get("data", {}) for o in c.get("outputs", [])] for c in notebook["cells"]]
        text = json.dumps(outputs)
        return (len(outputs) >= len(CELLS) and "byzer-progress-done" in text and "byzer-status-nodes" in text
                and any(TABLE_MIME in o for o in outputs[TABLE])
                and any(PLOTLY_MIME in o and "image/png" in o for o in outputs[CHART]))

    return save_until(page, path, holds_final_outputs, SAVE_SECONDS)


@pytest.fixture(scope="module")
def ran(notebook7, browser):
    """The notebook run in Notebook 7, each output seen live, then saved. Gives what was seen."""
    write_notebook(notebook7, NOTEBOOK, "byzer", "byzer", [("code", source) for source in CELLS])
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        cells = open_in_notebook7(page, notebook7, NOTEBOOK, len(CELLS))
        run_cells(page, cells, len(CELLS))
        cells.nth(PROGRESS).locator(".byzer-progress-running").wait_for(timeout=RUN_WAIT_MS)  # live
        screenshot(page, "notebook7-progress-running.png")
        cells.nth(PROGRESS).locator(".byzer-progress-done").wait_for(timeout=RUN_WAIT_MS)
        seen = {"outputs": read_outputs(page)}

        viewer = viewer_in(cells.nth(TABLE))
        wait_for_range(viewer, "rows 1–20 of 1,000")
        viewer.get_by_role("button", name="Next page").click()
        wait_for_range(viewer, "rows 21–40 of 1,000")
        seen["second page"] = column(viewer, 0)

        chart = plotly_chart(cells.nth(CHART))
        seen["bars"] = chart.locator("g.trace.bars g.point").count()
        seen["chart colours"] = chart_colours(cells.nth(CHART))
        assert_no_errors(page)
        screenshot(page, "notebook7-table-chart.png")
        cells.nth(PROGRESS).scroll_into_view_if_needed()  # the notebook scrolls in a panel of its own
        screenshot(page, "notebook7-progress-status.png")

        save(page, cells, notebook7.root / NOTEBOOK)
        shut_down_sessions(notebook7)
        yield seen
    finally:
        context.close()


def test_outputs_render_live_in_notebook_7(ran):
    assert_final_outputs(ran["outputs"])
    assert_readable(ran["outputs"])
    assert ran["second page"][:2] == ["20", "21"] and len(ran["second page"]) == 20
    assert ran["bars"] == 4
    assert_in_theme(ran["chart colours"])


def test_a_saved_notebook_reopened_in_notebook_7_shows_the_final_states(notebook7, page, ran):
    # Shift+Enter on the last cell added an empty one, saved with the notebook.
    cells = open_in_notebook7(page, notebook7, NOTEBOOK, len(CELLS) + 1)
    seen = read_outputs(page)
    assert_final_outputs(seen)
    assert_readable(seen)

    # The viewer shows the saved first page; the new kernel does not have the result to page.
    viewer = viewer_in(cells.nth(TABLE))
    wait_for_range(viewer, "rows 1–20 of 1,000")
    assert column(viewer, 1)[:3] == ["0", "2", "4"]
    viewer.get_by_role("button", name="Next page").click()
    assert "run the cell again" in wait_for_note(viewer, "no longer in the kernel")

    assert plotly_chart(cells.nth(CHART)).locator("g.trace.bars g.point").count() == 4
    assert_no_errors(page)
    cells.nth(TABLE).scroll_into_view_if_needed()
    screenshot(page, "notebook7-reopened-table-chart.png")
    cells.nth(PROGRESS).scroll_into_view_if_needed()
    screenshot(page, "notebook7-reopened-progress-status.png")
    shut_down_sessions(notebook7)
