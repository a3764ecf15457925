"""The prebuilt JupyterLab extension is installed with the package, enabled and OK."""
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def labextension_list() -> str:
    done = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                          capture_output=True, text=True, timeout=120, check=True)
    return ANSI_ESCAPE.sub("", done.stdout + done.stderr)


def test_extension_is_listed_enabled_and_ok():
    package = json.loads((REPO / "package.json").read_text())
    listing = labextension_list()
    line = next((line for line in listing.splitlines() if package["name"] in line), None)
    assert line is not None, listing
    assert re.search(rf"{re.escape(package['name'])} v{re.escape(package['version'])}\s+enabled\s+OK\s+"
                     r"\(python, byzer_kernel\)", line), line


def test_installed_extension_ships_its_bundle_and_install_metadata():
    from jupyter_core.paths import jupyter_path

    installed = [Path(p) / "jupyterlab-byzer" for p in jupyter_path("labextensions")]
    found = [path for path in installed if (path / "package.json").exists()]
    assert found, installed
    metadata = json.loads((found[0] / "package.json").read_text())
    build = metadata["jupyterlab"]["_build"]
    assert (found[0] / build["load"]).exists()
    assert build["extension"] == "./extension"
    install = json.loads((found[0] / "install.json").read_text())
    assert install["packageName"] == "byzer_kernel"
