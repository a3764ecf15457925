"""A result table's HTML in JupyterLab (Debian's chromium, driven by Playwright): column types
under the names, nulls set apart from the text "null", numbers right-aligned and dates on one line,
the footer; the same in the dark theme (the theme's own colours), after saving and reopening, and
in a notebook JupyterLab does not trust (its sanitizer drops the output's <style>). Screenshots go
to tests/artifacts/. JupyterLab is started as in test_browser.py (its fixtures and helpers)."""
from __future__ import annotations

import json
import time

import nbformat
import pytest
from nbclient import NotebookClient

from kernelspec_tools import jupyter_path_with_byzer

from test_browser import (browser, lab, open_notebook, page, run_cells, screenshot,  # noqa: F401 (fixtures)
                          shut_down_sessions, write_notebook)

pytestmark = pytest.mark.browser
# These tests read the HTML form, which front-ends without the project's JupyterLab extension show
# (VS Code, nbconvert, GitHub); in JupyterLab the extension's result viewer shows the result instead
# (tests/test_browser_lab.py), so this server runs without it.
DISABLED_LAB_PLUGINS = ["jupyterlab-byzer:result-viewer"]

RESULT_WAIT_MS = 300_000
SAVE_SECONDS = 60
RESULT_CELL = ("select id, if(id % 5 = 0, null, concat('w', id)) as word, 'null' as literal,\n"
               "       date_add(to_date('2024-01-01'), cast(id as int)) as day,\n"
               "       id * 1234567.25 as amount\n"
               "from range(200000) as big;")
THEMES = "/lab/api/settings/@jupyterlab/apputils-extension:themes"

# What a test reads from the rendered table: texts, computed styles, and the number of line boxes
# of the first date (1: not wrapped). `var(name)` resolves a theme variable to a colour as the
# page computes it.
READ_TABLE = """output => {
  const table = output.querySelector('table.byzer-table');
  const style = el => getComputedStyle(el);
  const lines = el => { const r = document.createRange(); r.selectNodeContents(el); return r.getClientRects().length; };
  const cells = Array.from(table.querySelectorAll('tbody tr:first-child td'));
  const row2 = Array.from(table.querySelectorAll('tbody tr:nth-child(2) td'));
  const probe = document.createElement('span'); output.appendChild(probe);
  const resolve = name => { probe.style.color = `var(${name})`; return style(probe).color; };
  const result = {
    styled: !!output.querySelector('style'),
    types: Array.from(table.querySelectorAll('th .byzer-type')).map(t => t.textContent),
    typesVisible: Array.from(table.querySelectorAll('th .byzer-type')).every(t => t.getBoundingClientRect().height > 0),
    nullColor: style(cells[1].querySelector('em')).color, nullItalic: style(cells[1].querySelector('em')).fontStyle,
    textColor: style(row2[1]).color, literal: cells[2].innerHTML, literalColor: style(cells[2]).color,
    typeColor: style(table.querySelector('th .byzer-type')).color,
    dayWrap: style(cells[3]).whiteSpace, dayLines: lines(cells[3]),
    amountAlign: style(cells[4]).textAlign, amountWrap: style(cells[4]).whiteSpace, wordAlign: style(row2[1]).textAlign,
    footer: output.querySelector('.byzer-footer').textContent,
    color3: resolve('--jp-ui-font-color3'), color2: resolve('--jp-ui-font-color2'),
    background: getComputedStyle(document.querySelector('.jp-Notebook')).backgroundColor,
  };
  probe.remove();
  return result;
}"""


def result_output(cell):
    output = cell.locator(".jp-OutputArea-output", has=cell.page.locator("table.byzer-table"))
    output.wait_for(timeout=RESULT_WAIT_MS)
    return output


def read_table(cell) -> dict:
    return result_output(cell).evaluate(READ_TABLE)


def assert_laid_out(seen: dict) -> None:
    """What holds with or without the output's <style>."""
    assert seen["types"] == ["bigint", "string", "string", "date", "decimal(28,2)"], seen
    assert seen["typesVisible"]
    assert seen["nullItalic"] == "italic" and seen["literal"] == "null"  # the text "null" is plain text
    assert seen["dayWrap"] == "nowrap" and seen["dayLines"] == 1
    assert (seen["amountAlign"], seen["amountWrap"]) == ("right", "nowrap")
    assert seen["footer"] == "big: showing 1–20 of 200,000 rows"


def assert_themed(seen: dict) -> None:
    """The output's <style>: colours from the theme's variables."""
    assert seen["styled"]
    assert seen["nullColor"] == seen["color3"] != seen["textColor"], seen
    assert seen["literalColor"] == seen["textColor"]
    assert seen["typeColor"] == seen["color2"]
    assert seen["wordAlign"] == "left"


def set_theme(server, name: str) -> None:
    import urllib.request

    request = urllib.request.Request(f"{server.base_url}{THEMES}", method="PUT",
                                     data=json.dumps({"raw": json.dumps({"theme": name})}).encode(),
                                     headers={"Authorization": f"token {server.token}",
                                              "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()


def wait_for_saved_result(path) -> None:
    deadline = time.monotonic() + SAVE_SECONDS
    while True:
        outputs = [o for c in json.loads(path.read_text())["cells"] for o in c.get("outputs", [])]
        if any("application/vnd.byzer.table+json" in o.get("data", {}) for o in outputs):
            return
        assert time.monotonic() < deadline, f"{path.name} was not saved with its result"
        time.sleep(0.5)


def test_a_result_table_in_light_and_dark_themes_and_after_reopening(lab, page):
    write_notebook(lab, "results.ipynb", "byzer", "byzer", [("code", RESULT_CELL)])
    cells = open_notebook(page, lab, "results.ipynb", 1)
    run_cells(page, cells, 1)
    light = read_table(cells.nth(0))
    assert_laid_out(light)
    assert_themed(light)
    screenshot(page, "byzer-result-light.png")
    page.keyboard.press("Control+s")
    wait_for_saved_result(lab.root / "results.ipynb")
    shut_down_sessions(lab)

    set_theme(lab, "JupyterLab Dark")
    try:
        context = page.context
        page.close()  # its workspace free for the reopened notebook
        dark_page = context.new_page()
        # Shift+Enter on the last cell added an empty one; the saved output is trusted: JupyterLab signed it.
        cells = open_notebook(dark_page, lab, "results.ipynb", 2)
        dark = read_table(cells.nth(0))
        assert_laid_out(dark)
        assert_themed(dark)
        assert dark["nullColor"] != light["nullColor"] and dark["background"] != light["background"]
        screenshot(dark_page, "byzer-result-dark-reopened.png")
        shut_down_sessions(lab)
    finally:
        set_theme(lab, "JupyterLab Light")


def test_an_untrusted_notebook_keeps_the_layout_without_the_style(lab, page, tmp_path, monkeypatch):
    """A notebook executed elsewhere (nbclient here) is not signed by this JupyterLab: it drops
    the <style>, keeps the inline alignment and the markup."""
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path_with_byzer(tmp_path / "spec"))
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "byzer", "display_name": "Byzer",
                                                           "language": "byzer"}})
    nb.cells = [nbformat.v4.new_code_cell(RESULT_CELL)]
    NotebookClient(nb, timeout=180, kernel_name="byzer", resources={"metadata": {"path": str(lab.root)}}).execute()
    nbformat.write(nb, lab.root / "untrusted.ipynb")
    cells = open_notebook(page, lab, "untrusted.ipynb", 1)
    seen = read_table(cells.nth(0))
    assert not seen["styled"]  # the sanitizer's work: this test is about the case without it
    assert_laid_out(seen)
    screenshot(page, "byzer-result-untrusted.png")
    shut_down_sessions(lab)
