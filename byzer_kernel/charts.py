"""The chart of a `!plot` / `!visualize` result as a display bundle, for every front-end
(docs/reference/charts.md). display.py asks `chart_bundle(table)` first; None means "not a chart".

The bundle holds three forms of one figure:
- `application/vnd.plotly.v1+json`: JupyterLab (the renderer ships in the plotly package), Notebook
  7 and VS Code draw it interactively, and redraw it from the saved notebook;
- `text/html`: a div drawn by plotly.js, for nbconvert's HTML and other HTML front-ends. plotly.js
  (4.8 MB) is written inline, never fetched from a CDN, so the page works offline; it is written
  once per kernel process, in the first chart's output, and again whenever the cell that carries it
  runs again (its new output replaces the old one). A chart drawn before plotly.js has loaded (its
  carrier sits further down the page) waits for the page's load event; if plotly.js never comes (the
  carrier's output was cleared), the chart says so in one line instead of failing silently;
- `text/plain`: the chart described in one line.
"""
from __future__ import annotations

import hashlib
import html
import json
import sys
import uuid
from typing import Optional

from .engine.chart_spec import CHART_KEY, chart_of

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_CONFIG = {"responsive": True, "displaylogo": False}
HTML_HEIGHT = "450px"
MISSING_PLOTLY_JS = ("the interactive chart needs plotly.js, which this notebook carries in the output of "
                     "the first chart of a kernel session: run that cell, or this one, again")

# (cell id, request id, chart digest) of the output that carries plotly.js in this process.
_carrier: Optional[tuple] = None


def chart_bundle(table) -> Optional[dict]:
    """The display bundle of the chart a chart command put on `table`, or None."""
    spec = chart_of(table)
    if spec is None:
        return None
    figure = {"data": spec["figure"].get("data", []), "layout": spec["figure"].get("layout", {}),
              "config": PLOTLY_CONFIG}
    digest = hashlib.sha1(table.schema.metadata[CHART_KEY]).hexdigest()
    return {
        PLOTLY_MIME: figure,
        "text/html": chart_html(figure, spec["text"], with_plotly_js=carries_plotly_js(digest)),
        "text/plain": spec["text"],
    }


def carries_plotly_js(chart_digest: str) -> bool:
    """Whether this chart's HTML must carry plotly.js: the first chart of the process does, the
    same chart shown again for the same request does, and so does a chart of the carrier's cell
    when that cell runs again (its old output, plotly.js included, is being replaced)."""
    global _carrier
    cell, request = current_request()
    if _carrier is not None:
        carrier_cell, carrier_request, carrier_chart = _carrier
        same_output = request == carrier_request and chart_digest == carrier_chart
        rerun = cell is not None and cell == carrier_cell and request != carrier_request
        if not (same_output or rerun):
            return False
    _carrier = (cell, request, chart_digest)
    return True


def current_request() -> tuple:
    """(cell id, message id) of the execute request being answered, when an IPython kernel (the
    Byzer kernel, or %%byzer) runs us; (None, None) elsewhere. JupyterLab sends the cell id in
    the request's metadata."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return None, None
    parent = kernel.get_parent() or {}
    return (parent.get("metadata") or {}).get("cellId"), (parent.get("header") or {}).get("msg_id")


def chart_html(figure: dict, text: str, with_plotly_js: bool) -> str:
    target = f"byzer-chart-{uuid.uuid4().hex}"
    data = script_json({"data": figure["data"], "layout": figure["layout"]})
    config = script_json(figure["config"])
    script = f"""(function () {{
  var figure = {data};
  var target = "{target}";
  function draw() {{
    var element = document.getElementById(target);
    if (!window.Plotly || !element) return false;
    window.Plotly.newPlot(element, figure.data, figure.layout, {config});
    return true;
  }}
  function missing() {{
    if (!draw()) document.getElementById(target + "-missing").style.display = "block";
  }}
  if (!draw()) {{
    if (document.readyState === "complete") missing();
    else window.addEventListener("load", missing);
  }}
}})();"""
    return (f'<div class="byzer-chart">{plotly_js_html() if with_plotly_js else ""}'
            f'<div id="{target}" class="plotly-graph-div" style="height:{HTML_HEIGHT}; width:100%;"></div>'
            f'<p id="{target}-missing" class="byzer-chart-missing" style="display:none"><small>'
            f'{html.escape(text)}: {MISSING_PLOTLY_JS}</small></p>'
            f'<script type="text/javascript">{script}</script></div>')


def script_json(value) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, no line separators)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_plotly_js: Optional[str] = None


def plotly_js_html() -> str:
    """plotly.js inline. An AMD loader on the page (require.js, which nbconvert's template and the
    classic notebook load) is hidden while it runs: older plotly.js builds would register with it
    instead of setting window.Plotly."""
    global _plotly_js
    if _plotly_js is None:
        from plotly.offline import get_plotlyjs

        _plotly_js = (
            '<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"};'
            'window.__byzerDefine = window.define; window.define = undefined;</script>'
            f'<script type="text/javascript">{get_plotlyjs()}</script>'
            '<script type="text/javascript">window.define = window.__byzerDefine;</script>')
    return _plotly_js
