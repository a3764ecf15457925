"""`byzer run NOTEBOOK.ipynb`: every output in cell order, the failing cell named, `-p` parameters,
`--save`, and the live line on a terminal. Each test runs the real `byzer` command on a notebook
made here with nbformat (one kernel per run; only the quickstart run starts Ray)."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from kernelspec_tools import jupyter_path_with_byzer
from terminal_stderr import run_with_terminal_stderr

BYZER = [sys.executable, "-m", "byzer_kernel.cli"]
BYZER_KERNEL = {"name": "byzer", "display_name": "Byzer", "language": "byzer"}
PYTHON_KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The `byzer` kernelspec installed for these runs alone; no Ray address from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYZER_RAY")}
    env["JUPYTER_PATH"] = jupyter_path_with_byzer(tmp_path_factory.mktemp("spec"))
    return env


def write_notebook(path: Path, cells: list, kernelspec=BYZER_KERNEL) -> Path:
    notebook = new_notebook(cells=cells, metadata={"kernelspec": kernelspec})
    nbformat.write(notebook, path)
    return path


def byzer(args, cwd, env, **kwargs):
    return subprocess.run([*BYZER, *args], cwd=cwd, env=dict(env, BYZER_HOME=str(cwd)), capture_output=True,
                          text=True, timeout=600, **kwargs)


def test_outputs_in_cell_order_parameters_and_the_failing_cell(tmp_path, env):
    """Notices, the status as text and tables of the cells before the failure, on stdout in cell
    order; the third code cell named with its first line and the error's line:col; parameters in
    every cell; the saved notebook valid, with its outputs."""
    write_notebook(tmp_path / "report.ipynb", [
        new_markdown_cell("# A report"),
        new_code_cell('!println "hello from println";\nselect "${name}" as greeting, \'${quote}\' as quote as t;'),
        new_code_cell("!ray status;\nselect upper(\"${name}\") as shout as loud;"),
        new_markdown_cell("The next cell fails."),
        new_code_cell("-- the third code cell reads a table that does not exist\nselect * from missing_table as u;"),
        new_code_cell('!println "never printed";'),
    ])
    done = byzer(["run", "report.ipynb", "-p", "name=World", "-p", 'quote=say "hi" = fine',
                  "--save", "out.ipynb"], tmp_path, env)
    assert done.returncode == 1, done.stderr
    blocks = done.stdout.split("\n\n")
    assert blocks[0] == "hello from println"
    assert "| World    | say \"hi\" = fine |" in blocks[1] and blocks[1].endswith("t: 1 row")
    assert blocks[2] == "Ray: not connected (Ray starts on the first run that needs it)"
    assert "| WORLD |" in blocks[3] and blocks[3].rstrip().endswith("loud: 1 row")
    assert len(blocks) == 4 and "never printed" not in done.stdout
    failure = done.stderr.strip().splitlines()[-2:]
    assert failure[0] == ("byzer: cell 3 failed (code cells counted from 1): "
                          "-- the third code cell reads a table that does not exist")
    assert failure[1].startswith("TableNotFound at line 2:1 in `select * from missing_table as u`")

    saved = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    nbformat.validate(saved)
    code = [cell for cell in saved.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == [1, 2, 3, None]
    assert code[0].outputs[0].text == "hello from println\n"
    assert "World" in code[0].outputs[1].data["text/plain"]
    assert code[2].outputs[-1].output_type == "error" and not code[3].outputs


def test_a_python_notebook_gets_the_parameters_and_ctrl_c_stops_its_running_cell(tmp_path, env):
    """A Python notebook using %%byzer sees the parameters; Ctrl-C interrupts the running cell in
    the kernel (its KeyboardInterrupt saved with the notebook) and ends with "interrupted"."""
    write_notebook(tmp_path / "magic.ipynb", [
        new_code_cell("%load_ext byzer_kernel"),
        new_code_cell('%%byzer\nselect "${name}" as who as t;'),
        new_code_cell('import pathlib, time\npathlib.Path("started").touch()\nwhile True:\n    time.sleep(0.05)'),
    ], kernelspec=PYTHON_KERNEL)
    process = subprocess.Popen([*BYZER, "run", "magic.ipynb", "-p", "name=from -p", "--save", "out.ipynb"],
                               cwd=tmp_path, env=dict(env, BYZER_HOME=str(tmp_path)), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while not (tmp_path / "started").exists():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["interrupted"]
    assert "| from -p |" in stdout
    running = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[2]
    assert running.outputs[-1].output_type == "error" and running.outputs[-1].ename == "KeyboardInterrupt"


def test_quickstart_prints_every_output_and_shows_a_live_line_on_a_terminal(tmp_path, env):
    """The README's first command on the embedded Ray, stderr a pseudo-terminal: the seed table,
    the progress and the status (each as its final text) in cell order on stdout; a display the
    running cell keeps updating (the progress) as a line redrawn on stderr."""
    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
    returncode, stdout, stderr = run_with_terminal_stderr([*BYZER, "run", str(notebook), "--save", "out.ipynb"],
                                                          cwd=tmp_path, env=dict(env, BYZER_HOME=str(tmp_path)))
    assert returncode == 0, stderr[-3000:]
    seed = stdout.index("| 114_jackm   | 57_product  |")
    assert stdout.index("python_output_table: 7 rows") > seed
    # The status shown when the session connects to Ray, then the cell `!ray status;`, last.
    products, status = stdout.index("products_1xx: "), stdout.rindex("Ray: ")
    assert seed < products < status, stdout
    assert re.search(r"\r\x1b\[Krun command as Ray", stderr), stderr[-3000:]
    saved = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    nbformat.validate(saved)
