"""The formats that read the text of a variable instead of a path: `load jsonStr.`var`` (docs/spec.md §3.1,
MLSQLJSonStr) and `load csvStr.`var`` (docs/spec.md §3.2, MLSQLCsvStr). They only load: Byzer refuses to
save into them. `load script.`var`` (MLSQLScript) keeps the text whole, for `register ScriptUDF`."""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import UndefinedVariableError
from .csv_format import read_csv_lines
from .json_reader import read_json_text


def variable_text(session, name: str, format_name: str) -> str:
    value = session.variables.get(name)
    if value is None:
        raise UndefinedVariableError(
            f"variable `{name}` is not defined ({format_name} loads the text of a variable set with "
            f"`set {name}='''...'''`)")
    value = str(value)
    if len(value) >= 6 and value.startswith("'''") and value.endswith("'''"):
        value = value[3:-3]  # cleanBlockStr, as MLSQLJSonStr applies it once more
    return value


def load_json_str(session, path: str, options: dict) -> pa.Table:
    return read_json_text(variable_text(session, path, "jsonStr"), options)


def load_csv_str(session, path: str, options: dict) -> pa.Table:
    return read_csv_lines([variable_text(session, path, "csvStr").split("\n")], options)


def load_script(session, path: str, options: dict) -> pa.Table:
    """`load script.`var` as t` (MLSQLScript): one row, one column `content` holding the variable's
    text, which `register ScriptUDF.`t`` reads as its code."""
    return pa.table({"content": pa.array([variable_text(session, path, "script")], pa.string())})
