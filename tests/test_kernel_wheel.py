"""The built wheel registers the `byzer` kernel by `pip install` alone and carries what the
front-end needs at run time (kernelspec with logos, the output modules, the labextension's install.json)."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = "byzer_kernel-{version}.data/data/share/jupyter"


def test_wheel_ships_kernelspec_output_modules_and_install_json(tmp_path):
    env = dict(os.environ, HATCH_JUPYTER_BUILDER_SKIP_NPM="1")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-w", str(tmp_path), str(REPO)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = tmp_path.glob("byzer_kernel-*.whl")
    version = wheel.name.split("-")[1]
    data = DATA.format(version=version)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        spec = json.loads(archive.read(f"{data}/kernels/byzer/kernel.json"))
        install = json.loads(archive.read(f"{data}/labextensions/jupyterlab-byzer/install.json"))
    assert spec["argv"] == ["python", "-m", "byzer_kernel", "-f", "{connection_file}"]
    assert spec["language"] == "byzer" and spec["interrupt_mode"] == "signal"
    assert {f"{data}/kernels/byzer/logo-32x32.png", f"{data}/kernels/byzer/logo-64x64.png"} <= names
    assert install["packageManager"] == "python" and install["packageName"] == "byzer_kernel"
    for module in ("kernel.py", "kernel_help.py", "magics.py", "display.py", "widgets.py", "progress_view.py",
                   "output_style.py", "__main__.py"):
        assert f"byzer_kernel/{module}" in names


def test_install_command_writes_a_kernelspec_for_this_python(tmp_path):
    done = subprocess.run([sys.executable, "-m", "byzer_kernel", "install", "--prefix", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    spec_dir = tmp_path / "share" / "jupyter" / "kernels" / "byzer"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][0] == sys.executable and spec["display_name"] == "Byzer"
    assert (spec_dir / "logo-64x64.png").read_bytes().startswith(b"\x89PNG")
    assert str(spec_dir) in done.stdout
