"""Spark SQL as Byzer runs it, on DuckDB (docs/design.md §4.2).

The pipeline, in sqlglot's style: parse with the ByzerSpark dialect, name the result columns as
Spark would, rewrite Spark's functions through the registry (with Spark's implicit casts), then
write DuckDB SQL. `prepare` installs the macros and UDFs the rewrites call on a connection.
"""
from __future__ import annotations

from . import functions_aggregate, functions_collections, functions_datetime, functions_json  # noqa: F401
from . import functions_math, functions_misc, functions_string  # noqa: F401
from . import functions_byzer, functions_hash  # noqa: F401
from . import functions_datetime_intervals, functions_datetime_text  # noqa: F401
from . import functions_generators  # noqa: F401  (after functions_json: json_tuple as a generator)
from . import functions_json_text  # noqa: F401
from . import functions_conditional  # noqa: F401
from . import time_windows  # noqa: F401
from .dialect import use_registry
from .pipeline import Translation, translate
from .registry import FUNCTIONS, prepare

use_registry(set(FUNCTIONS))

__all__ = ["Translation", "translate", "prepare"]
