"""Shift+Tab help and Tab completion of a Byzer notebook in JupyterLab (Debian's chromium, driven
by Playwright): the tooltip shows the help rendered from Markdown (code blocks, a link to the
reference page, no Markdown markers); completion after `alias.` offers the table's columns with
their kind, and after a typed prefix it lists the kernel's items first, in the kernel's order, and
the cell's own words after them, also as the user types on. Screenshots go to tests/artifacts/.
JupyterLab is started as in test_browser.py, once for this module."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

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


PLACES_CELL = "select 'Oslo' as name_local, 'Oslo' as name_en, 'NO' as nation as places;"
# `name_alias` is a word of the cell (JupyterLab's document words), not of the kernel's.
PREFIX_CELL = "select 1 as name_alias as other;\nselect * from places where na"


def shown_completions(page) -> tuple[list[str], list[str]]:
    """(labels, kinds) of the completer's items, top to bottom; '' where an item has no kind."""
    items = page.locator(".jp-Completer .jp-Completer-item")
    items.first.wait_for()
    return items.evaluate_all("""items => [
        items.map(i => i.querySelector('.jp-Completer-match').innerText),
        items.map(i => i.querySelector('.jp-Completer-typeExtended')?.innerText ?? '')]""")


def test_completion_after_a_prefix_lists_the_kernels_items_first_in_its_order(lab, page):
    write_notebook(lab, "ranked.ipynb", "byzer", "byzer", [("code", PLACES_CELL), ("code", "")])
    cells = open_notebook(page, lab, "ranked.ipynb", 2)
    run_cells(page, cells, 1)
    cells.nth(0).locator(".jp-OutputArea-output", has_text="name_local").first.wait_for(timeout=RESULT_WAIT_MS)

    type_into_cell(page, cells.nth(1), PREFIX_CELL)
    page.keyboard.press("Tab")
    # The columns in the table's order, then Spark's functions, then the cell's word: JupyterLab
    # alone would sort them alphabetically (name_alias, name_en, name_local, named_struct...).
    labels, kinds = shown_completions(page)
    assert labels == ["name_local", "name_en", "nation", "named_struct", "nanvl", "name_alias"], labels
    assert kinds == ["column", "column", "column", "function", "function", ""], kinds
    screenshot(page, "byzer-completion-ranked.png")

    page.keyboard.type("m")  # typing on filters the list, which keeps the kernel's order
    matches = page.locator(".jp-Completer .jp-Completer-item .jp-Completer-match")
    expect(matches).to_have_text(["name_local", "name_en", "named_struct", "name_alias"])
    screenshot(page, "byzer-completion-typed-on.png")
    page.keyboard.press("Enter")  # the first item goes in
    expect(cells.nth(1).locator(".cm-content")).to_contain_text("select * from places where name_local")
    shut_down_sessions(lab)
