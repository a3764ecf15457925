"""Byzer SQL in Jupyter, run locally: JSON -> Arrow, SQL on DuckDB, Python on Ray."""
__version__ = "0.1.0"


def load_ipython_extension(ipython):
    """`%load_ext byzer_kernel` registers the %%byzer / %byzer magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def _jupyter_labextension_paths():
    """For `jupyter labextension develop .`: the built extension sits in the repository's labextension/."""
    return [{"src": "../labextension", "dest": "jupyterlab-byzer"}]
