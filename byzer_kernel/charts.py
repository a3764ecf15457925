"""The chart of a `!plot` / `!visualize` result as a display bundle, for every front-end
(docs/reference/charts.md). display.py asks `chart_bundle(table)` first; None means "not a chart".

The bundle holds one figure in four forms:
- `application/vnd.plotly.v1+json`: JupyterLab (the renderer ships in the plotly package), Notebook
  7 and VS Code draw it interactively, and redraw it from the saved notebook;
- `text/html`: a div drawn by plotly.js, for nbconvert's HTML and other HTML front-ends. plotly.js
  (4.8 MB) is written inline, never fetched from a CDN, so the page works offline; it is written
  once per kernel process, in the first chart's output, and again whenever the cell that carries it
  runs again (its new output replaces the old one). A chart drawn before plotly.js has loaded (its
  carrier sits further down the page) waits for the page's load event; if plotly.js never comes (the
  carrier's output was cleared), the chart says so in one line instead of failing silently;
- `text/plain`: the chart described in one line;
- `application/vnd.byzer.chart+json`: `{"follow_theme": bool}`, read by the JupyterLab extension
  (src/chartRenderer.ts), which draws the Plotly form in the notebook's theme, dark included, and
  again when the theme changes. A chart follows the theme unless its figure names a template of its
  own (e.g. a `!visualize` YAML's `template: plotly_dark`). The HTML form takes the page's theme
  colours too where the page has JupyterLab's variables (nbconvert's lab template, light or dark).
"""
from __future__ import annotations

import hashlib
import html
import json
import sys
import uuid
from typing import Optional

from .engine.chart_spec import CHART_KEY, chart_of, json_value

PLOTLY_MIME = "application/vnd.plotly.v1+json"
CHART_MIME = "application/vnd.byzer.chart+json"
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
    themed = follows_theme(figure["layout"])
    return {
        PLOTLY_MIME: figure,
        "text/html": chart_html(figure, spec["text"], with_plotly_js=carries_plotly_js(digest), themed=themed),
        "text/plain": spec["text"],
        # Last, so a front-end that takes the first form it knows meets the ones above first.
        CHART_MIME: {"follow_theme": themed},
    }


_stock_template: Optional[dict] = None


def follows_theme(layout: dict) -> bool:
    """Whether the chart takes the notebook's theme colours: yes when its template is none or
    Plotly's stock one (what `!plot` and plotly.express use unless told otherwise); a template
    someone chose (a `!visualize` YAML's `template`, a default set in Python) is kept."""
    global _stock_template
    template = layout.get("template")
    if template is None:
        return True
    if _stock_template is None:
        import plotly.io as pio

        _stock_template = json_value(pio.templates["plotly"].to_plotly_json())
    return template == _stock_template


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


# The HTML form's share of src/chartTheme.ts: on a page with JupyterLab's theme variables, the
# background, text, x/y axes and bar outlines take the theme's colours; elsewhere the figure is
# left as it is.
THEMED_LAYOUT_JS = """function themed(layout) {
    var style = getComputedStyle(document.body);
    function colour(name) { return style.getPropertyValue(name).trim(); }
    var background = colour("--jp-layout-color0"), text = colour("--jp-ui-font-color1"),
        grid = colour("--jp-border-color2"), line = colour("--jp-border-color1");
    if (!background || !text || !grid || !line) return layout;
    var result = Object.assign({}, layout, {paper_bgcolor: background, plot_bgcolor: background,
                                            font: Object.assign({}, layout.font, {color: text})});
    Object.keys(layout).concat(["xaxis", "yaxis"]).forEach(function (key) {
      if (/^[xy]axis[0-9]*$/.test(key))
        result[key] = Object.assign({}, layout[key], {gridcolor: grid, zerolinecolor: line, linecolor: line});
    });
    var bars = layout.template && layout.template.data && layout.template.data.bar;
    if (Array.isArray(bars)) {
      result.template = Object.assign({}, layout.template, {data: Object.assign({}, layout.template.data, {
        bar: bars.map(function (bar) {
          var marker = bar.marker || {};
          return Object.assign({}, bar, {marker: Object.assign({}, marker, {
            line: Object.assign({}, marker.line, {color: background})})});
        })})});
    }
    return result;
  }"""


def chart_html(figure: dict, text: str, with_plotly_js: bool, themed: bool = False) -> str:
    target = f"byzer-chart-{uuid.uuid4().hex}"
    data = script_json({"data": figure["data"], "layout": figure["layout"]})
    config = script_json(figure["config"])
    layout = "themed(figure.layout)" if themed else "figure.layout"
    script = f"""(function () {{
  var figure = {data};
  var target = "{target}";
  {THEMED_LAYOUT_JS if themed else ""}
  function draw() {{
    var element = document.getElementById(target);
    if (!window.Plotly || !element) return false;
    window.Plotly.newPlot(element, figure.data, {layout}, {config});
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
