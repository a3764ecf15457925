"""Every test that starts a Byzer kernel installs the kernelspec itself, under its own temporary
folder, so that no kernelspec installed outside the test's environment is ever used."""
import os

from byzer_kernel.__main__ import install_kernelspec


def jupyter_path_with_byzer(prefix) -> str:
    """Install the `byzer` kernelspec under `prefix`; returns a JUPYTER_PATH that finds it first."""
    install_kernelspec(prefix=str(prefix))
    paths = [os.path.join(str(prefix), "share", "jupyter"), os.environ.get("JUPYTER_PATH", "")]
    return os.pathsep.join(p for p in paths if p)
