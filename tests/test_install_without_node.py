"""`pip install -e .` on a machine with Python only: with no npm (nor node) on PATH the build says
so in one line and installs the prebuilt JupyterLab extension committed in labextension/, which
JupyterLab then lists as enabled and OK. And that prebuilt extension is the one these sources build.

The install goes into a temporary prefix (--ignore-installed: the project's own environment is left
as it is) without build isolation, so no package index is needed; the README's command builds the
same way in an isolated environment pip makes."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTICE = "jupyterlab-byzer: npm not found, using the prebuilt extension in labextension/"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def path_without_node(tmp_path: Path) -> str:
    """A PATH holding only this Python."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(os.path.realpath(sys.executable))
    return str(bin_dir)


def listed_extensions(labextensions: Path) -> list[str]:
    """The lines `jupyter labextension list` prints under the folder `labextensions`."""
    env = dict(os.environ, JUPYTER_PATH=str(labextensions.parent))
    done = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], env=env,
                          capture_output=True, text=True, timeout=120, check=True)
    lines = ANSI_ESCAPE.sub("", done.stdout + done.stderr).splitlines()
    start = lines.index(str(labextensions)) + 1
    section = []
    for line in lines[start:]:
        if not line.startswith((" ", "\t")):
            break
        section.append(line.strip())
    return section


def test_editable_install_without_npm_installs_the_prebuilt_extension(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("HATCH_JUPYTER_BUILDER_SKIP_NPM", "SKIP_JUPYTER_BUILDER")}
    env["PATH"] = path_without_node(tmp_path)
    assert shutil.which("npm", path=env["PATH"]) is None and shutil.which("node", path=env["PATH"]) is None
    prefix = tmp_path / "prefix"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "-v", "--no-deps", "--no-build-isolation",
                           "--ignore-installed", "--prefix", str(prefix), "-e", str(REPO)],
                          env=env, capture_output=True, text=True, timeout=600)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-5000:]
    assert output.count(NOTICE) == 1 and "Traceback" not in output, output[-5000:]

    package = json.loads((REPO / "package.json").read_text())
    labextensions = prefix / "share" / "jupyter" / "labextensions"
    installed = labextensions / package["name"]
    built = json.loads((installed / "package.json").read_text())
    assert (installed / built["jupyterlab"]["_build"]["load"]).is_file()
    assert json.loads((installed / "install.json").read_text())["packageName"] == "byzer_kernel"
    assert f"{package['name']} v{package['version']} enabled OK (python, byzer_kernel)" in listed_extensions(
        labextensions)


def test_the_prebuilt_extension_is_built_from_these_sources():
    """A stale labextension/ would install an extension without the latest plugins or styles:
    rebuild it with `npm run build:prod` after changing src/ or style/, and commit it."""
    package = json.loads((REPO / "package.json").read_text())
    built = json.loads((REPO / "labextension" / "package.json").read_text())
    for key in ("name", "version", "dependencies", "style", "sideEffects"):
        assert built[key] == package[key], key
    bundle = "".join(path.read_text() for path in (REPO / "labextension" / "static").glob("*.js"))
    sources = "".join(path.read_text() for path in (REPO / "src").glob("*.ts"))
    plugins = re.findall(r"id: '(jupyterlab-byzer:[\w-]+)'", sources)
    assert len(plugins) >= 4
    for plugin in plugins:
        assert plugin in bundle, plugin
    for css_class in re.findall(r"^\.([\w-]+)", (REPO / "style" / "index.css").read_text(), re.M):
        assert css_class in bundle, css_class
