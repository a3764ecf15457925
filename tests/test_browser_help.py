"""Shift+Tab help and Tab completion of a Byzer notebook in JupyterLab (Debian's chromium, driven
by Playwright): the tooltip shows the help rendered from Markdown (code blocks, a link to the
reference page, no Markdown markers), and completion after `alias.` offers the table's columns
with their kind. Screenshots go to tests/artifacts/. JupyterLab is started as in test_browser.py."""
from __future__ import annotations

import pytest

from test_browser import (browser, lab, open_notebook, page, run_cells, screenshot,  # noqa: F401 (fixtures)
                          shut_down_sessions, type_into_cell, write_notebook)

pytestmark = pytest.mark.browser

TABLE_CELL = "select 1 as id, 'Ana' as name, 31 as age as people;"
RESULT_WAIT_MS = 300_000


def test_help_tooltip_is_rendered_markdown_and_completion_offers_columns(lab, page):
    write_notebook(lab, "help.ipynb", "byzer", "byzer", [("code", TABLE_CELL), ("code", "")])
    cells = open_notebook(page, lab, "help.ipynb", 2)
    run_cells(page, cells, 1)
    cells.nth(0).locator(".jp-OutputArea-output", has_text="Ana").first.wait_for(timeout=RESULT_WAIT_MS)

    type_into_cell(page, cells.nth(1), "load")
    page.keyboard.press("Shift+Tab")
    tooltip = page.locator(".jp-Tooltip")
    tooltip.wait_for()
    tooltip.locator("pre", has_text="load FORMAT.`PATH`").first.wait_for()
    link = tooltip.locator("a", has_text="docs/reference/load.md")
    assert "/docs/reference/load.md" in link.get_attribute("href")  # resolved against the notebook
    text = tooltip.inner_text()
    assert text.startswith("load · statement") and "**" not in text and "```" not in text, text
    screenshot(page, "byzer-help-tooltip.png")
    page.keyboard.press("Escape")

    editor = cells.nth(1).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("select * from people as p where p.")
    page.keyboard.press("Tab")
    completer = page.locator(".jp-Completer")
    completer.wait_for()
    items = completer.locator(".jp-Completer-item")
    items.first.wait_for()
    labels = [items.nth(i).locator(".jp-Completer-match").inner_text() for i in range(items.count())]
    assert labels[:3] == ["id", "name", "age"], labels  # the table's order, before any document word
    kinds = [items.nth(i).locator(".jp-Completer-typeExtended").inner_text() for i in range(3)]
    assert kinds == ["column"] * 3, kinds
    screenshot(page, "byzer-completion-columns.png")
    page.keyboard.press("Escape")
    shut_down_sessions(lab)
