"""Byzer SQL in Jupyter, run locally: JSON -> Arrow, SQL on DuckDB, Python on Ray."""
__version__ = "0.1.0"


def load_ipython_extension(ipython):
    """`%load_ext byzer_kernel` registers the %%byzer / %byzer magics, and completion of `%%byzer`
    cells as Byzer (IPython alone completes them as Python)."""
    from .magic_completion import register_cell_completion
    from .magics import load_ipython_extension as load

    load(ipython)
    register_cell_completion(ipython)


def _jupyter_labextension_paths():
    """For `jupyter labextension develop .`: the built extension sits in the repository's labextension/."""
    return [{"src": "../labextension", "dest": "jupyterlab-byzer"}]
