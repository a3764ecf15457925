"""Progress and cluster status in JupyterLab (Debian's chromium, Playwright): live while a cell
runs, then their final state; after saving and reopening (light and dark themes) and in a notebook
JupyterLab does not trust, they show as they were, never "Error displaying widget". JupyterLab is
started as in test_browser.py (its fixtures); one notebook run serves every test. Screenshots go
to tests/artifacts/."""
from __future__ import annotations

import json
import re
import time

import pytest

from test_browser import (browser, lab, open_notebook, page, run_cells, screenshot,  # noqa: F401 (fixtures)
                          shut_down_sessions, write_notebook)
from test_browser_results import set_theme

pytestmark = pytest.mark.browser

RUN_WAIT_MS = 300_000
SAVE_SECONDS = 60
RUN_CELL = """!python conf "schema=st(field(n,long))";
!python conf "dataMode=data";
select id as n from range(3000) as numbers;
run command as Ray.`` where inputTable="numbers" and outputTable="doubled" and code='''
import time
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)
def slow(row):
    time.sleep(0.001)
    return {"n": row["n"] * 2}
ray_context.foreach(slow)
''';"""
STATUS_CELL = "!ray status;"

# What a test reads of the outputs: texts, whether the label fits its box, and the colours the
# page computes (the background is the first opaque one behind the output).
READ_OUTPUTS = """() => {
  const style = el => getComputedStyle(el);
  const backdrop = el => { for (; el; el = el.parentElement) { const c = style(el).backgroundColor;
                           if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
  const progress = document.querySelector('.jp-OutputArea-output .byzer-progress');
  const status = document.querySelector('.jp-OutputArea-output .byzer-status');
  const label = progress.querySelector('.byzer-progress-label');
  const facts = progress.querySelector('.byzer-progress-facts');
  const phase = progress.querySelector('.byzer-progress-phase');
  const fill = progress.querySelector('.byzer-bar-fill');
  const link = status.querySelector('.byzer-dashboard-link');
  return {
    progressClass: progress.className, progressText: progress.innerText, statusText: status.innerText,
    labelText: label.textContent, labelFits: label.scrollWidth <= label.clientWidth + 1,
    labelInside: label.getBoundingClientRect().right <= progress.closest('.jp-OutputArea-output').getBoundingClientRect().right + 1,
    fillWidth: fill.getBoundingClientRect().width, fillColor: style(fill).backgroundColor,
    factsColor: style(facts).color, factsOpacity: style(facts).opacity, phaseColor: style(phase).color,
    statusColor: style(status).color, linkColor: link ? style(link).color : null,
    nodeRows: status.querySelectorAll('.byzer-status-nodes tbody tr').length,
    background: backdrop(progress),
    widgetErrors: document.body.innerText.includes('Error displaying widget') || document.body.innerText.includes('model not found'),
  };
}"""


def rgb(text: str) -> tuple:
    return tuple(float(v) for v in re.findall(r"[\d.]+", text)[:3])


def luminance(colour: tuple) -> float:
    def channel(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(front: tuple, back: tuple, opacity: float = 1.0) -> float:
    """WCAG contrast of `front` (drawn at `opacity` over `back`) against `back`."""
    shown = tuple(opacity * f + (1 - opacity) * b for f, b in zip(front, back))
    light, dark = sorted((luminance(shown), luminance(back)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_readable(seen: dict) -> None:
    back = rgb(seen["background"])
    assert contrast(rgb(seen["statusColor"]), back) >= 4.5, seen
    assert contrast(rgb(seen["factsColor"]), back, float(seen["factsOpacity"])) >= 3.0, seen
    assert contrast(rgb(seen["phaseColor"]), back) >= 2.5, seen
    if seen["linkColor"]:
        assert contrast(rgb(seen["linkColor"]), back) >= 2.5, seen


def assert_final_outputs(seen: dict) -> None:
    assert "byzer-progress-done" in seen["progressClass"], seen
    assert "done in " in seen["progressText"] and "3,000 rows" in seen["progressText"], seen
    assert seen["labelText"] == "run command as Ray.``" and seen["labelFits"] and seen["labelInside"], seen
    assert seen["fillWidth"] > 0
    assert "Ray dashboard" in seen["statusText"] and "Python 3." in seen["statusText"] and seen["nodeRows"] == 1
    assert not seen["widgetErrors"]


def read_outputs(page) -> dict:
    page.locator(".jp-OutputArea-output .byzer-status").first.wait_for(timeout=RUN_WAIT_MS)
    return page.evaluate(READ_OUTPUTS)


def wait_for_saved(path) -> None:
    deadline = time.monotonic() + SAVE_SECONDS
    while True:
        text = path.read_text()
        if "byzer-progress-done" in text and "byzer-status-nodes" in text:
            return
        assert time.monotonic() < deadline, f"{path.name} was not saved with its outputs"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def saved(lab, browser):
    """The notebook run in JupyterLab (light theme), its live progress seen, then saved."""
    write_notebook(lab, "outputs.ipynb", "byzer", "byzer", [("code", RUN_CELL), ("code", STATUS_CELL)])
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        cells = open_notebook(page, lab, "outputs.ipynb", 2)
        run_cells(page, cells, 2)
        starting = cells.nth(0).locator(".byzer-progress-running", has_text="starting Ray")
        starting.wait_for(timeout=RUN_WAIT_MS)  # shown live while the embedded Ray starts
        screenshot(page, "byzer-progress-running.png")
        cells.nth(0).locator(".byzer-progress-done").wait_for(timeout=RUN_WAIT_MS)
        light = read_outputs(page)
        screenshot(page, "byzer-progress-status-light.png")
        page.keyboard.press("Control+s")
        wait_for_saved(lab.root / "outputs.ipynb")
        shut_down_sessions(lab)
        yield light
    finally:
        context.close()


def test_outputs_show_live_then_their_final_state(saved):
    assert_final_outputs(saved)
    assert_readable(saved)


def test_a_saved_notebook_reopened_in_the_dark_theme_shows_them(lab, page, saved):
    set_theme(lab, "JupyterLab Dark")
    try:
        # Shift+Enter on the last cell added an empty one; JupyterLab signed the saved outputs.
        open_notebook(page, lab, "outputs.ipynb", 3)
        dark = read_outputs(page)
        assert_final_outputs(dark)
        assert_readable(dark)
        assert dark["background"] != saved["background"] and dark["statusColor"] != saved["statusColor"]
        screenshot(page, "byzer-progress-status-dark-reopened.png")
        shut_down_sessions(lab)
    finally:
        set_theme(lab, "JupyterLab Light")


def test_an_untrusted_copy_keeps_outputs_and_colours(lab, page, saved):
    """Copied, its signature no longer matches: JupyterLab sanitizes the HTML (no `var()` in
    styles), and the literal colours written before each theme variable remain."""
    notebook = json.loads((lab.root / "outputs.ipynb").read_text())
    notebook["metadata"]["copied"] = True
    (lab.root / "untrusted.ipynb").write_text(json.dumps(notebook))
    open_notebook(page, lab, "untrusted.ipynb", 3)
    seen = read_outputs(page)
    assert_final_outputs(seen)
    assert_readable(seen)
    assert rgb(seen["fillColor"]) == (67.0, 160.0, 71.0)  # #43a047, the literal "done" green
    screenshot(page, "byzer-progress-status-untrusted.png")
    shut_down_sessions(lab)
