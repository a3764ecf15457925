"""Charts through the `byzer` kernel: which output carries plotly.js (JupyterLab sends each cell's id
with its execute request), and a notebook executed by nbconvert then converted to HTML, which must
draw every chart offline: the chart divs, plotly.js inline once, nothing fetched from a CDN."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from kernelspec_tools import jupyter_path_with_byzer

PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS_MARK = "plotly.js v"
REPLY_SECONDS = 300

DATA_CELL = "select id % 4 as k, id as v from range(100) as t;"
BAR_CELL = '!plot t where x="k" and y="v" and title="Sum of v by k";'
HIST_CELL = '!plot t where x="v" and kind="hist" and bins="5" and title="Spread of v";'
VISUALIZE_CELL = "--%visualize\n--%input=t\nfig:\n  pie:\n    names: k\n    values: v\n    title: Share of v"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    base = tmp_path_factory.mktemp("charts-kernel")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", jupyter_path_with_byzer(base / "spec"))
        patch.setenv("BYZER_HOME", str(base))
        manager, client = start_new_kernel(kernel_name="byzer", cwd=str(base))
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code: str, cell_id: str) -> list:
    """Execute `code` as JupyterLab does for cell `cell_id`; the request's iopub outputs."""
    request = client.session.msg("execute_request", {
        "code": code, "silent": False, "store_history": True, "user_expressions": {},
        "allow_stdin": False, "stop_on_error": True}, metadata={"cellId": cell_id})
    client.shell_channel.send(request)
    outputs, deadline = [], time.monotonic() + REPLY_SECONDS
    while True:
        message = client.get_iopub_msg(timeout=max(1.0, deadline - time.monotonic()))
        if message["parent_header"].get("msg_id") != request["header"]["msg_id"]:
            continue
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return outputs
        if message["msg_type"] in ("execute_result", "display_data", "error", "stream"):
            outputs.append(message)


def chart_html(outputs: list) -> str:
    (result,) = [o for o in outputs if o["msg_type"] == "execute_result"]
    assert PLOTLY_MIME in result["content"]["data"], outputs
    return result["content"]["data"]["text/html"]


def test_plotly_js_rides_on_the_first_chart_and_again_when_its_cell_reruns(kernel):
    run(kernel, DATA_CELL, "data")
    first = chart_html(run(kernel, BAR_CELL, "bar"))
    other = chart_html(run(kernel, HIST_CELL, "hist"))
    rerun = chart_html(run(kernel, BAR_CELL, "bar"))  # replaces the output that carried plotly.js
    other_again = chart_html(run(kernel, HIST_CELL, "hist"))
    assert PLOTLY_JS_MARK in first and PLOTLY_JS_MARK in rerun
    assert PLOTLY_JS_MARK not in other and PLOTLY_JS_MARK not in other_again


def test_nbconvert_html_of_an_executed_notebook_draws_the_charts_offline(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "byzer", "display_name": "Byzer", "language": "byzer"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in (DATA_CELL, BAR_CELL, HIST_CELL, VISUALIZE_CELL)]
    nbformat.write(notebook, tmp_path / "charts.ipynb")
    env = dict(os.environ, JUPYTER_PATH=jupyter_path_with_byzer(tmp_path / "spec"), BYZER_HOME=str(tmp_path))
    for arguments in (["--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--output",
                       "executed.ipynb", "charts.ipynb"], ["--to", "html", "executed.ipynb"]):
        done = subprocess.run([sys.executable, "-m", "nbconvert", *arguments], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-5000:]

    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    charts = [output for cell in executed.cells[1:] for output in cell.outputs
              if output.output_type == "execute_result"]
    assert len(charts) == 3 and all(PLOTLY_MIME in output.data for output in charts)
    assert [PLOTLY_JS_MARK in output.data["text/html"] for output in charts] == [True, False, False]
    titles = [output.data[PLOTLY_MIME]["layout"]["title"]["text"] for output in charts]
    assert titles == ["Sum of v by k", "Spread of v", "Share of v"]

    page = (tmp_path / "executed.html").read_text(encoding="utf-8")
    # nbconvert rewrites the markup (attributes in another order): read the tags loosely.
    divs = [re.search(r'id="(byzer-chart-[0-9a-f]+)"', tag).group(1)
            for tag in re.findall(r"<div[^>]*>", page) if "plotly-graph-div" in tag]
    assert len(divs) == 3 and all(f'var target = "{div}"' in page for div in divs)
    assert page.count(PLOTLY_JS_MARK) == 1  # inline, once
    sources = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", page)
    assert not [src for src in sources if "plot" in src.lower()], sources  # no plotly.js from a CDN
    assert page.index(PLOTLY_JS_MARK) < page.index(divs[0])  # loaded before the first chart draws
    for title in titles:
        assert title in page
