"""The `context` (pyjava PythonContext) and its `rayContext` (pyjava RayContext) given to user code.

Subclasses of pyjava's classes, so code, type hints and `isinstance` checks written for Byzer work
unchanged (docs/design.md §4.4). They keep pyjava's attributes and method names; what differs is where the
data comes from: the run's Arrow partitions instead of JVM sockets, and results kept as rows or
DataFrames until the run converts them onto the schema (runtime/output.py).
"""
from __future__ import annotations


import pandas as pd
from pyjava.api.mlsql import LogClient, PythonContext, RayContext

DATA_MODE_ERROR = '''
Please setup dataMode as data instead of model. 
Try run: `!python conf "dataMode=data"` or 
add comment like: `#%dataMode=data` if you are in notebook.
            '''


class ByzerPythonContext(PythonContext):
    """`context` / `data_manager`. `run` is the PythonRun serving this context (None when detached)."""

    def __init__(self, context_id, conf, run=None):
        # pyjava's __init__ would read JVM server rows; set the same attributes ourselves.
        self.context_id = context_id
        self.data_mmap_file_ref = {}
        self.input_data = iter(())
        self.output_data = [[]]
        self.conf = conf
        self.schema = ""
        # In a Ray run pyjava's RayContext has consumed the input: fetch_once* raise, as in Byzer.
        self.have_fetched = conf.get("pythonMode") == "ray"
        self.log_client = LogClient(self.conf)
        self.run = run
        self.result = None  # ("rows", iterable) | ("dataframe", df) | ("columns", batches)
        if conf.get("pythonMode") == "ray":
            self.rayContext = ByzerRayContext(self)

    def build_result(self, items, block_size=1024):
        self.result = ("rows", items, block_size)

    def set_output(self, value, schema=""):
        self.result = ("columns", value, schema)

    def output(self):
        return self.result

    def __reduce__(self):
        # Functions shipped to Ray may reference `context`; send the conf only, not the run.
        return (_detached_context, (self.context_id, dict(self.conf)))

    def __del__(self):  # pyjava's logs on every deletion; nothing to release here
        pass


def _detached_context(context_id, conf):
    return ByzerPythonContext(context_id, conf, None)


class ByzerRayContext(RayContext):
    def __init__(self, python_context: ByzerPythonContext):
        self.python_context = python_context
        self.servers = []
        self.server_ids_in_ray = []
        self.is_setup = False
        self.is_dev = False
        self.is_in_mlsql = True
        self.mock_data = []

    @property
    def run(self):
        run = self.python_context.run
        if run is None:
            raise RuntimeError("this RayContext belongs to a finished run")
        return run

    @staticmethod
    def connect(_context, url, **kwargs):
        return routed_connect(_context, url, **kwargs)

    def data_servers(self):
        if not self.servers:
            self.servers = self.run.start_data_servers()
        return self.servers

    def collect(self):
        yield from self.run.collect_rows()

    def to_pandas(self):
        return pd.DataFrame(data=list(self.collect()))

    def setup(self, func_for_row, func_for_rows=None):
        if self.is_setup:
            raise ValueError("setup can be only invoke once")
        self.is_setup = True
        if self.conf().get("dataMode") != "data":
            raise Exception(DATA_MODE_ERROR)
        if func_for_row is not None:
            return self.run.distribute(func_for_row, per_row=True)
        return self.run.distribute(func_for_rows, per_row=False)

    def to_dataset(self, num_tables_per_block: int = 1):
        return self.run.to_dataset()

    def build_result_from_dataframe(self, df):
        self.python_context.result = ("dataframe", df)

    def data_servers_in_ray(self):
        raise NotImplementedError("data_servers_in_ray needs pyjava's JVM data servers; "
                                  "use data_servers() with RayContext.collect_from")

    def build_servers_in_ray(self):
        raise NotImplementedError("build_servers_in_ray needs pyjava's JVM data servers; "
                                  "use foreach/map_iter")


def routed_connect(_context, url, **kwargs):
    """`RayContext.connect` while the code runs: Byzer contexts go to the cluster manager; anything
    else falls back to pyjava's own connect."""
    context = _context
    if isinstance(_context, dict):
        context = _context.get("context")
    if not isinstance(context, ByzerPythonContext):
        from . import ray_patches

        original = ray_patches.original_connect()
        return original(_context, url, **kwargs)
    if url is not None and context.run is not None:
        context.run.ensure_ray(url)
    return context.rayContext

