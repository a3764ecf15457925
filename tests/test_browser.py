"""JupyterLab in Debian's chromium: Byzer highlighting in notebooks, and the seed cell's result table.

Starts JupyterLab on 127.0.0.1 (free port, token, temporary root dir) and drives it with Playwright.
Screenshots go to tests/artifacts/ (their paths are printed).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kernelspec_tools import jupyter_path_with_byzer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ARTIFACTS = Path(__file__).parent / "artifacts"
SERVER_START_SECONDS = 120
RESULT_WAIT_MS = 300_000

# docs/design.md §1: the cell that must run as written.
SEED_CELL = """set jsonStr='''
{"Busn_A":114,"Busn_B":57},
{"Busn_A":55,"Busn_B":134}
''';
load jsonStr.`jsonStr` as data;
!python conf "schema=st(field(ProductName,string),field(SubProduct,string))";
!python conf "dataMode=data";
run command as Ray.`` where inputTable="data" and outputTable="python_output_table" and code='''
from pyjava.api.mlsql import PythonContext,RayContext
ray_context = RayContext.connect(globals(),"127.0.0.1:10001")
def echo(row):
    return {"ProductName": str(row['Busn_A'])+'_jackm', "SubProduct": str(row['Busn_B'])+'_product'}
ray_context.foreach(echo)
''';"""

# The rows the seed cell's Python returns.
EXPECTED_CELLS = ["114_jackm", "57_product", "55_jackm", "134_product"]


class LabServer:
    def __init__(self, base_url: str, token: str, root: Path):
        self.base_url = base_url
        self.token = token
        self.root = root

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.base_url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}?token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_settings(settings_dir: Path) -> None:
    """No "Jupyter news?" pop-up over the screenshots; completion answers however slow the machine."""
    notification = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # JupyterLab drops a completion provider's answer after 1 s by default; on a loaded 2-core CI
    # machine the kernel may answer later, which would test the machine's load, not the ranking.
    completer = settings_dir / "@jupyterlab" / "completer-extension" / "manager.jupyterlab-settings"
    completer.parent.mkdir(parents=True)
    completer.write_text(json.dumps({"providerTimeout": 20000}))


def disable_plugins(config_dir: Path, plugins) -> None:
    """JupyterLab plugins this server does not load (a test module's DISABLED_LAB_PLUGINS)."""
    if plugins:
        page_config = config_dir / "labconfig" / "page_config.json"
        page_config.parent.mkdir(parents=True)
        page_config.write_text(json.dumps({"disabledExtensions": {plugin: True for plugin in plugins}}))


@contextlib.contextmanager
def jupyter_server(base: Path, app: str, app_options: list[str], disabled_plugins=()):
    """A Jupyter server on 127.0.0.1 (free port, token) serving `app` (`jupyterlab`, or `notebook`
    for Notebook 7) from base/root, with its settings, config and runtime under `base`; stopped by
    its API, else by its pid. In `app_options` (the app's own), {settings} and {workspaces} stand
    for the folders under `base` that hold them."""
    root, settings = base / "root", base / "settings"
    root.mkdir()
    write_settings(settings)
    disable_plugins(base / "config", disabled_plugins)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(base / "runtime"), JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_PATH=jupyter_path_with_byzer(base / "spec"))
    command = [
        sys.executable, "-m", app,
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False", "--allow-root",
        *(option.format(settings=settings, workspaces=base / "workspaces") for option in app_options),
    ]
    log_path = base / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    server = LabServer(f"http://127.0.0.1:{port}", token, root)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited with {process.returncode}:\n{log_path.read_text()}")
            try:
                server.api("/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{app} did not answer:\n{log_path.read_text()}")
                time.sleep(0.5)
        yield server
    finally:
        try:
            server.api("/api/shutdown", method="POST")  # also shuts the kernels down
            process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def lab(tmp_path_factory, request):
    options = ["--LabApp.user_settings_dir={settings}", "--LabApp.workspaces_dir={workspaces}",
               "--LabApp.extension_manager=readonly"]
    with jupyter_server(tmp_path_factory.mktemp("lab"), "jupyterlab", options,
                        getattr(request.module, "DISABLED_LAB_PLUGINS", ())) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        yield page
    finally:
        context.close()


def write_notebook(server: LabServer, name: str, kernel: str, language: str, cells: list[tuple[str, str]]) -> None:
    display = {"byzer": "Byzer", "python3": "Python 3 (ipykernel)"}[kernel]
    notebook = {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": kernel, "display_name": display, "language": language}},
        "cells": [
            {"cell_type": kind, "id": f"cell{index}", "metadata": {}, "source": source,
             **({"execution_count": None, "outputs": []} if kind == "code" else {})}
            for index, (kind, source) in enumerate(cells)
        ],
    }
    (server.root / name).write_text(json.dumps(notebook))


def open_notebook(page, server: LabServer, name: str, cell_count: int):
    """Opens the notebook in a workspace of its own (no tabs restored from other tests)."""
    page.goto(server.url(f"/lab/workspaces/{Path(name).stem}/tree/{name}"))
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    cells.nth(cell_count - 1).wait_for()
    assert cells.count() == cell_count
    wait_for_idle_kernel(server, name)
    return cells


def wait_for_idle_kernel(server: LabServer, name: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for session in server.api("/api/sessions"):
            if session["path"] == name and session["kernel"]["execution_state"] == "idle":
                return
        time.sleep(0.5)
    raise AssertionError(f"the kernel of {name} did not become idle: {server.api('/api/sessions')}")


def shut_down_sessions(server: LabServer) -> None:
    for session in server.api("/api/sessions"):
        server.api(f"/api/sessions/{session['id']}", method="DELETE")


def type_into_cell(page, cell, text: str) -> None:
    """Types text as one input event (as a paste would), so auto-closing quotes do not double it."""
    cell.locator(".cm-content").click()
    page.keyboard.insert_text(text)


def cell_tokens(cell) -> list[tuple[str, str]]:
    return cell.locator(".jp-InputArea .cm-content").evaluate(
        "content => Array.from(content.querySelectorAll('.cm-line span')).map(s => [s.textContent, s.className])")


def classes_of(tokens: list[tuple[str, str]], text: str) -> list[str]:
    """Class lists of every highlighted span whose text is `text`."""
    return [classes.split() for token, classes in tokens if token == text]


def wait_for_highlight(cell, text: str, css_class: str) -> None:
    cell.locator(f".cm-content span.{css_class}", has_text=re.compile(f"^{re.escape(text)}$")).first.wait_for()


def assert_byzer_highlighting(cell) -> None:
    # The language loads asynchronously: wait for the Python token in the code block, the last to appear.
    wait_for_highlight(cell, "def", "tok-keyword")
    tokens = cell_tokens(cell)
    assert any("tok-keyword" in classes for classes in classes_of(tokens, "load")), tokens
    assert any("tok-string" in classes for classes in classes_of(tokens, '"dataMode=data"')), tokens
    assert any("tok-string2" in classes for classes in classes_of(tokens, "`jsonStr`")), tokens
    # Python inside code='''…''': keywords and Python strings, not one Byzer string.
    for keyword in ("from", "import", "def", "return"):
        assert any("tok-keyword" in classes for classes in classes_of(tokens, keyword)), (keyword, tokens)
    assert any("tok-string" in classes for classes in classes_of(tokens, "'Busn_A'")), tokens


def run_cells(page, cells, count: int) -> None:
    cells.first.click()
    page.keyboard.press("Escape")  # command mode: Shift+Enter runs the cell and selects the next one
    for _ in range(count):
        page.keyboard.press("Shift+Enter")


def wait_for_result_table(cell):
    table = cell.locator(".jp-OutputArea-output table", has_text="114_jackm")
    table.wait_for(timeout=RESULT_WAIT_MS)
    text = table.inner_text()
    for expected in ["ProductName", "SubProduct", *EXPECTED_CELLS]:
        assert expected in text, text
    return table


def save_until(page, path: Path, holds, seconds: float = 60) -> dict:
    """Saves (Ctrl+S) until the notebook file at `path` satisfies `holds(notebook)` and gives it.
    Renderers add to their outputs asynchronously (Plotly's PNG snapshot), so a save may come first."""
    deadline = time.monotonic() + seconds
    while True:
        page.keyboard.press("Control+s")
        retry = time.monotonic() + 5
        while time.monotonic() < min(retry, deadline):
            try:
                notebook = json.loads(path.read_text())
            except ValueError:  # read while the server writes it
                notebook = {"cells": []}
            if holds(notebook):
                return notebook
            time.sleep(0.25)
        assert time.monotonic() < deadline, f"{path.name} was not saved as expected: {json.dumps(notebook)[:2000]}"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def test_byzer_notebook_highlights_and_runs_the_seed_cell(lab, page):
    write_notebook(lab, "seed.ipynb", "byzer", "byzer", [("code", "")])
    cells = open_notebook(page, lab, "seed.ipynb", 1)
    seed_cell = cells.nth(0)
    type_into_cell(page, seed_cell, SEED_CELL)
    assert_byzer_highlighting(seed_cell)

    run_cells(page, cells, 1)
    wait_for_result_table(seed_cell)
    screenshot(page, "byzer-notebook.png")
    shut_down_sessions(lab)


def test_byzer_magic_cell_in_python_notebook(lab, page):
    write_notebook(lab, "magic.ipynb", "python3", "python", [
        ("code", "%load_ext byzer_kernel"),
        ("code", 'def greet(name):\n    return f"load {name}"'),
        ("markdown", "%%byzer\nload the *notes*"),
        ("code", ""),
    ])
    cells = open_notebook(page, lab, "magic.ipynb", 4)
    magic_cell = cells.nth(3)
    type_into_cell(page, magic_cell, "%%byzer\n" + SEED_CELL)
    assert_byzer_highlighting(magic_cell)
    assert any("tok-meta" in classes for classes in classes_of(cell_tokens(magic_cell), "%%byzer"))

    # Other cells keep Python highlighting (JupyterLab's own, which carries no tok-* classes).
    python_tokens = cell_tokens(cells.nth(1))
    assert classes_of(python_tokens, "def"), python_tokens
    assert not any(c.startswith("tok-") for _, classes in python_tokens for c in classes.split()), python_tokens

    run_cells(page, cells, 4)
    wait_for_result_table(magic_cell)

    # A Markdown cell starting with %%byzer stays Markdown.
    cells.nth(2).dblclick()
    markdown_tokens = cell_tokens(cells.nth(2))
    assert markdown_tokens and not any("tok-keyword" in classes for _, classes in markdown_tokens), markdown_tokens
    page.keyboard.press("Escape")
    screenshot(page, "python-notebook-byzer-magic.png")
    shut_down_sessions(lab)


def test_byzer_file_opens_highlighted_in_the_editor(lab, page):
    (lab.root / "seed.byzer").write_text(SEED_CELL + "\n-- done\n")
    page.goto(lab.url("/lab/workspaces/file/tree/seed.byzer"))
    editor = page.locator(".jp-FileEditor:visible")
    editor.locator(".cm-content span.tok-keyword").first.wait_for()
    assert editor.locator(".cm-content").get_attribute("data-language") == "byzer"
    wait_for_highlight(editor, "def", "tok-keyword")
    tokens = editor.locator(".cm-content").evaluate(
        "content => Array.from(content.querySelectorAll('.cm-line span')).map(s => [s.textContent, s.className])")
    assert any("tok-string2" in classes for classes in classes_of(tokens, "``")), tokens
    assert any("tok-comment" in classes for classes in classes_of(tokens, "-- done")), tokens
    assert any("tok-meta" in classes for classes in classes_of(tokens, "!python")), tokens
    screenshot(page, "byzer-file.png")
