"""`python -m byzer_kernel -f CONNECTION_FILE` runs the kernel;
`python -m byzer_kernel install [--user|--sys-prefix|--prefix DIR]` installs its kernelspec."""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Optional

KERNEL_NAME = "byzer"


def kernelspec_dir() -> Path:
    """The kernelspec shipped in the package (also installed as share/jupyter/kernels/byzer)."""
    return Path(str(resources.files("byzer_kernel").joinpath("kernelspec")))


def install_kernelspec(user: bool = False, prefix: Optional[str] = None) -> str:
    """Install the `byzer` kernelspec, pointing at this interpreter; returns the directory."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as staging:
        for item in kernelspec_dir().iterdir():
            if item.is_file():
                shutil.copy(item, staging)
        spec_path = Path(staging) / "kernel.json"
        spec = json.loads(spec_path.read_text())
        spec["argv"][0] = sys.executable
        spec_path.write_text(json.dumps(spec, indent=2))
        return KernelSpecManager().install_kernel_spec(staging, KERNEL_NAME, user=user, prefix=prefix)


def install_main(argv: list) -> int:
    parser = argparse.ArgumentParser(prog="python -m byzer_kernel install",
                                     description="Install the Byzer kernelspec for Jupyter.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for the current user")
    where.add_argument("--sys-prefix", action="store_true", help=f"in {sys.prefix}")
    where.add_argument("--prefix", help="under PREFIX/share/jupyter/kernels")
    options = parser.parse_args(argv)
    prefix = sys.prefix if options.sys_prefix else options.prefix
    destination = install_kernelspec(user=options.user, prefix=prefix)
    print(f"Installed the Byzer kernelspec in {destination}")
    return 0


def main(argv: Optional[list] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["install"]:
        return install_main(argv[1:])
    from ipykernel.kernelapp import IPKernelApp

    from .kernel import ByzerKernel

    IPKernelApp.launch_instance(argv=argv, kernel_class=ByzerKernel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
