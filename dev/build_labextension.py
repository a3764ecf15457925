"""The JupyterLab extension's build step, called by hatch-jupyter-builder (pyproject.toml) when a
wheel, an sdist or an editable install is built.

With npm on PATH, hatch-jupyter-builder's npm builder rebuilds labextension/ from src/ when the
sources are newer. Without npm (a machine with Python only), the prebuilt labextension/ committed
with the sources is packaged as it is, after a one-line notice, so `pip install -e .` needs no
Node.js. HATCH_JUPYTER_BUILDER_SKIP_NPM=1 skips npm in any case.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from hatch_jupyter_builder import npm_builder

PREBUILT = Path("labextension") / "package.json"


def build(target_name: str, version: str, **kwargs) -> None:
    npm = kwargs.get("npm") or ["npm"]
    program = npm[0] if isinstance(npm, list) else str(npm).split()[0]
    if os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") != "1" and shutil.which(program) is None:
        if PREBUILT.exists():
            print(f"jupyterlab-byzer: {program} not found, using the prebuilt extension in labextension/",
                  file=sys.stderr)
        else:
            print(f"jupyterlab-byzer: {program} not found and labextension/ is missing: the JupyterLab "
                  "extension is not installed (install Node.js and npm to build it)", file=sys.stderr)
        return
    npm_builder(target_name, version, **kwargs)
