"""The JupyterLab extension in Debian's chromium (Playwright): the launcher item that makes a
.byzer file, Run Byzer File (toolbar button) showing every table of the file in a Byzer console,
the result viewer paging, sorting and downloading a 200,000-row result through the kernel, a saved
result reopened, and the viewer's colours in the dark theme. Screenshots go to tests/artifacts/.
JupyterLab is started as in test_browser.py (its fixtures and helpers), once for this module."""
from __future__ import annotations

import csv
import io
import json
import re
import time

import pyarrow.parquet as pq
import pytest

from test_browser import (RESULT_WAIT_MS, browser, lab, open_notebook, page, run_cells,  # noqa: F401 (fixtures)
                          screenshot, shut_down_sessions, write_notebook)

pytestmark = pytest.mark.browser

TABLE_MIME = "application/vnd.byzer.table+json"
BIG_ROWS = 200_000
BIG_CELL = ("select id, cast(id % 7 as int) as k, if(id % 5 = 0, null, concat('v', id)) as label,\n"
            "  date_add(to_date('2024-01-01'), cast(id % 365 as int)) as day, id * 0.25 as quarter\n"
            f"from range({BIG_ROWS}) as big;")
SAVE_SECONDS = 60
KERNEL_ANSWER_MS = 120_000


def viewer_in(scope, index: int = 0):
    """The index-th result viewer in scope, once drawn."""
    viewer = scope.locator(".byzer-viewer").nth(index)
    viewer.locator("tbody tr").first.wait_for(timeout=RESULT_WAIT_MS)
    return viewer


def column(viewer, n: int) -> list[str]:
    return viewer.locator(f"tbody tr td:nth-child({n + 1})").all_inner_texts()


def wait_for_range(viewer, text: str) -> None:
    """The viewer shows the rows described by `text` ("rows 21–40 of 200,000") and is idle."""
    range_label = viewer.locator(".byzer-viewer-range")
    deadline = time.monotonic() + KERNEL_ANSWER_MS / 1000
    while range_label.inner_text() != text or viewer.get_attribute("aria-busy") == "true":
        note = viewer.locator(".byzer-viewer-note")
        assert time.monotonic() < deadline, (range_label.inner_text(), note.inner_text())
        time.sleep(0.1)


def wait_for_note(viewer, pattern: str) -> str:
    note = viewer.locator(".byzer-viewer-note")
    note.filter(has_text=re.compile(pattern)).wait_for(timeout=KERNEL_ANSWER_MS)
    return note.inner_text()


def click_header(viewer, name: str, shift: bool = False) -> None:
    header = viewer.locator(f'th[data-column="{name}"]')
    header.click(modifiers=["Shift"] if shift else None)


def test_launcher_item_creates_a_byzer_file(lab, page):
    page.goto(lab.url("/lab/workspaces/launcher"))
    card = page.locator(".jp-LauncherCard", has_text="Byzer File")
    card.wait_for()
    screenshot(page, "byzer-launcher.png")
    card.click()
    editor = page.locator(".jp-FileEditor:visible")
    editor.locator(".cm-content").wait_for()
    assert editor.locator(".cm-content").get_attribute("data-language") == "byzer"
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current")
    assert tab.inner_text().strip() == "untitled.byzer"
    assert lab.api("/api/contents/untitled.byzer")["type"] == "file"
    page.locator(".jp-MainAreaWidget:visible .jp-Toolbar .byzer-run-file").wait_for()
    screenshot(page, "byzer-new-file.png")


def test_run_byzer_file_shows_every_table_in_a_console(lab, page):
    (lab.root / "report.byzer").write_text(
        '-- two results, and a variable the second statement reads\n'
        'set n = "3";\n'
        'select id, id * 10 as tens from range(${n}) as small;\n'
        'select count(*) as how_many from small as counted;\n')
    page.goto(lab.url("/lab/workspaces/runfile/tree/report.byzer"))
    editor = page.locator(".jp-FileEditor:visible")
    editor.locator(".cm-content span.tok-keyword").first.wait_for()
    run_button = page.locator(".jp-MainAreaWidget:visible .jp-Toolbar .byzer-run-file")
    run_button.click()

    console = page.locator(".jp-CodeConsole:visible")
    small, counted = viewer_in(console, 0), viewer_in(console, 1)
    assert small.locator(".byzer-viewer-name").inner_text() == "small"
    assert column(small, 1) == ["0", "10", "20"]
    assert counted.locator(".byzer-viewer-name").inner_text() == "counted"
    assert column(counted, 0) == ["3"]
    screenshot(page, "byzer-run-file.png")

    # A second run goes to the same console, which shows both tables again.
    run_button.click()
    viewer_in(console, 3)
    assert page.locator(".jp-CodeConsole").count() == 1
    assert console.locator(".byzer-viewer").count() == 4
    shut_down_sessions(lab)


def test_viewer_pages_sorts_and_downloads_200000_rows(lab, page):
    write_notebook(lab, "big.ipynb", "byzer", "byzer", [("code", BIG_CELL)])
    cells = open_notebook(page, lab, "big.ipynb", 1)
    run_cells(page, cells, 1)
    viewer = viewer_in(cells.nth(0))
    wait_for_range(viewer, "rows 1–20 of 200,000")
    types = viewer.locator(".byzer-viewer-type").all_inner_texts()
    assert types == ["bigint", "int", "string", "date", "decimal(22,2)"]

    # Nulls are set apart from text; numbers and dates do not wrap; numbers line up on the right.
    null_cell = viewer.locator("tbody tr").nth(0).locator("td").nth(2)
    text_cell = viewer.locator("tbody tr").nth(1).locator("td").nth(2)
    assert null_cell.inner_text() == "null" and "byzer-viewer-null" in null_cell.get_attribute("class")
    null_style, text_style = (cell.evaluate("c => [getComputedStyle(c).color, getComputedStyle(c).fontStyle]")
                              for cell in (null_cell, text_cell))
    assert null_style != text_style, (null_style, text_style)
    day = viewer.locator("tbody tr").nth(0).locator("td").nth(3)
    assert day.evaluate("c => getComputedStyle(c).whiteSpace") == "nowrap"
    quarter = viewer.locator("tbody tr").nth(0).locator("td").nth(4)
    assert quarter.evaluate("c => [getComputedStyle(c).whiteSpace, getComputedStyle(c).textAlign]") == [
        "nowrap", "right"]

    viewer.get_by_role("button", name="Next page").click()
    wait_for_range(viewer, "rows 21–40 of 200,000")
    assert column(viewer, 0)[0] == "20"
    page_input = viewer.locator(".byzer-viewer-page")
    page_input.fill("5000")
    page_input.press("Enter")
    wait_for_range(viewer, "rows 99,981–100,000 of 200,000")
    assert column(viewer, 0)[-1] == "99999"
    viewer.locator(".byzer-viewer-page-size").select_option("100")
    wait_for_range(viewer, "rows 99,901–100,000 of 200,000")
    assert len(column(viewer, 0)) == 100
    viewer.get_by_role("button", name="Last page").click()
    wait_for_range(viewer, "rows 199,901–200,000 of 200,000")
    assert column(viewer, 0)[-1] == "199999"

    # Sorting asks the kernel for the first page in the new order.
    click_header(viewer, "id")
    click_header(viewer, "id")
    wait_for_range(viewer, "rows 1–100 of 200,000")
    assert viewer.locator('th[data-column="id"]').get_attribute("aria-sort") == "descending"
    assert column(viewer, 0)[:3] == ["199999", "199998", "199997"]
    click_header(viewer, "k")
    click_header(viewer, "id", shift=True)
    click_header(viewer, "id", shift=True)
    wait_for_range(viewer, "rows 1–100 of 200,000")
    top = max(i for i in range(BIG_ROWS) if i % 7 == 0)
    assert column(viewer, 1)[:2] == ["0", "0"] and column(viewer, 0)[:2] == [str(top), str(top - 7)]
    assert viewer.locator('th[data-column="k"] .byzer-viewer-sort-mark').inner_text() == "▲1"
    viewer.get_by_role("button", name="Next page").click()
    wait_for_range(viewer, "rows 101–200 of 200,000")
    assert column(viewer, 0)[0] == str(top - 700)
    # Keys typed in the controls are theirs, not the notebook's shortcuts (ArrowUp: the cell above).
    viewer.locator(".byzer-viewer-page-size").focus()
    page.keyboard.press("ArrowUp")
    wait_for_range(viewer, "rows 101–150 of 200,000")
    viewer.locator(".byzer-viewer-page-size").select_option("20")
    wait_for_range(viewer, "rows 101–120 of 200,000")
    assert column(viewer, 0)[0] == str(top - 700)  # the same first row, in the same order
    viewer.scroll_into_view_if_needed()
    screenshot(page, "byzer-viewer-sorted.png")

    # Downloads carry the whole result, in the result's order.
    with page.expect_download(timeout=KERNEL_ANSWER_MS) as csv_download:
        viewer.get_by_role("button", name="Download the whole result as CSV").click()
    assert csv_download.value.suggested_filename == "big.csv"
    rows = list(csv.reader(io.StringIO(open(csv_download.value.path()).read())))
    assert rows[0] == ["id", "k", "label", "day", "quarter"] and len(rows) == BIG_ROWS + 1
    assert rows[1] == ["0", "0", "", "2024-01-01", "0.00"]
    with page.expect_download(timeout=KERNEL_ANSWER_MS) as parquet_download:
        viewer.get_by_role("button", name="Download the whole result as Parquet").click()
    assert parquet_download.value.suggested_filename == "big.parquet"
    table = pq.read_table(parquet_download.value.path())
    assert table.num_rows == BIG_ROWS and table.column_names == ["id", "k", "label", "day", "quarter"]
    shut_down_sessions(lab)


def test_a_saved_result_reopened_shows_its_first_page_and_says_why_it_cannot_page(lab, page):
    write_notebook(lab, "saved.ipynb", "byzer", "byzer", [("code", BIG_CELL)])
    cells = open_notebook(page, lab, "saved.ipynb", 1)
    run_cells(page, cells, 1)
    viewer_in(cells.nth(0))
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + SAVE_SECONDS
    while True:
        outputs = json.loads((lab.root / "saved.ipynb").read_text())["cells"][0]["outputs"]
        saved = [o["data"][TABLE_MIME] for o in outputs if TABLE_MIME in o.get("data", {})]
        if saved:
            break
        assert time.monotonic() < deadline, outputs
        time.sleep(0.5)
    assert saved[0]["total_rows"] == BIG_ROWS and len(saved[0]["rows"]) == 20
    shut_down_sessions(lab)

    # Reopened, the notebook starts a new kernel, which does not have the result.
    context = page.context
    page.close()  # its workspace free for the reopened notebook
    reopened = context.new_page()
    # Shift+Enter on the last cell added an empty one, saved with the notebook.
    cells = open_notebook(reopened, lab, "saved.ipynb", 2)
    viewer = viewer_in(cells.nth(0))
    wait_for_range(viewer, "rows 1–20 of 200,000")
    # Drawn while the new kernel starts: a note may say what the page is, never that no kernel runs.
    assert "not running" not in (viewer.locator(".byzer-viewer-note").text_content() or "")
    viewer.get_by_role("button", name="Next page").click()
    assert "run the cell again" in wait_for_note(viewer, "no longer in the kernel")
    wait_for_range(viewer, "rows 1–20 of 200,000")
    assert column(viewer, 0)[0] == "0"

    # With no kernel at all, the saved page stays and the note says so.
    reopened.locator(".lm-MenuBar-item", has_text="Kernel").click()
    menu_item(reopened, "Shut Down Kernel").click()
    reopened.locator(".jp-NotebookPanel:visible .jp-Toolbar-kernelName", has_text="No Kernel").wait_for()
    viewer.get_by_role("button", name="Next page").click()
    wait_for_note(viewer, "kernel is not running")
    assert column(viewer, 0)[0] == "0"
    screenshot(reopened, "byzer-viewer-reopened.png")
    shut_down_sessions(lab)


def viewer_colours(viewer) -> dict:
    """Colours of the viewer's parts, each with the opaque background it is drawn on."""
    return viewer.evaluate("""v => {
        const css = e => getComputedStyle(e);
        const behind = e => {
            for (; e; e = e.parentElement) {
                const c = css(e).backgroundColor;
                if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
            }
            return 'rgb(255, 255, 255)';
        };
        const pair = e => [css(e).color, behind(e)];
        return {text: pair(v.querySelector('tbody tr:nth-child(2) td:nth-child(2)')),
                null: pair(v.querySelector('td.byzer-viewer-null')),
                header: pair(v.querySelector('th .byzer-viewer-column')),
                type: pair(v.querySelector('th .byzer-viewer-type')),
                button: pair(v.querySelector('.byzer-viewer-downloads .byzer-viewer-button')),
                bar: pair(v.querySelector('.byzer-viewer-range'))};
    }""")


def rgba(colour: str) -> tuple[float, ...]:
    values = [float(x) for x in re.findall(r"[\d.]+", colour)]
    return tuple(values[:3]) + ((values[3],) if len(values) > 3 else (1.0,))


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of a colour (its alpha blended) on an opaque background."""
    *fg, alpha = rgba(foreground)
    bg = rgba(background)[:3]
    shown = [alpha * f + (1 - alpha) * b for f, b in zip(fg, bg)]

    def luminance(channels):
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (x / 255 for x in channels)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(shown), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def menu_item(page, label: str):
    return page.locator(".lm-Menu-item:visible", has=page.locator(".lm-Menu-itemLabel",
                                                                  has_text=re.compile(f"^{re.escape(label)}$")))


def choose_theme(page, name: str, light: bool) -> None:
    """Settings > Theme > name, as a person switches the theme."""
    page.locator(".lm-MenuBar-item", has_text="Settings").click()
    menu_item(page, "Theme").hover()
    menu_item(page, name).click()
    page.locator(f'body[data-jp-theme-light="{str(light).lower()}"][data-jp-theme-name="{name}"]').wait_for(
        state="attached")
    page.locator("#jupyterlab-splash").wait_for(state="detached")  # the splash shown while it switches


def test_viewer_follows_the_dark_theme(lab, page):
    write_notebook(lab, "theme.ipynb", "byzer", "byzer", [
        ("code", "select id, if(id = 0, null, concat('v', id)) as label from range(3) as tiny;")])
    cells = open_notebook(page, lab, "theme.ipynb", 1)
    run_cells(page, cells, 1)
    viewer = viewer_in(cells.nth(0))
    light = viewer_colours(viewer)
    try:
        choose_theme(page, "JupyterLab Dark", light=False)
        dark = viewer_colours(viewer)
        screenshot(page, "byzer-viewer-dark.png")
    finally:
        choose_theme(page, "JupyterLab Light", light=True)
    for part in light:  # each part's colour and its background change with the theme
        assert light[part][0] != dark[part][0] and light[part][1] != dark[part][1], (part, light, dark)
    for colours in (light, dark):  # and stay readable: WCAG AA (4.5) for the text itself; the
        # dimmed parts use the theme's secondary text colour, as JupyterLab's own labels do
        # (4.5 on white, a little less on a striped row), never its disabled-text colour (about 2.5).
        for part, (colour, background) in colours.items():
            least = 4.0 if part in ("null", "type", "bar") else 4.5
            assert contrast(colour, background) >= least, (part, colour, background)
    assert contrast(*dark["text"]) >= 7 and contrast(*light["text"]) >= 7
    assert sum(rgba(dark["text"][1])[:3]) < sum(rgba(light["text"][1])[:3])  # dark: a dark background
    shut_down_sessions(lab)
