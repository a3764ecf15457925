"""What the Byzer kernel knows for completion, inspection and is_complete: statement keywords,
formats, `!python conf` keys, table and variable names, and pyjava's context methods inside
`code='''...'''` blocks. Pure text functions, so they are cheap to test and never start Ray."""
from __future__ import annotations

import re
from typing import Optional

from .lang.statements import SAVE_MODES

STATEMENTS = {
    "set": "`set NAME = VALUE [where type=\"text|sql|shell|conf\" and mode=\"compile|runtime\" and "
           "scope=\"session|request\"];` defines a variable used as `${NAME}` (docs/reference/set.md).",
    "load": "`load FORMAT.`PATH` [where OPTIONS] as TABLE;` reads data into a table, e.g. "
            "`load jsonStr.`varName` as t;` (docs/reference/load.md).",
    "select": "`select ... as TABLE;` runs Spark SQL (on DuckDB) and names the result (docs/reference/select.md).",
    "save": "`save [overwrite|append|errorIfExists|ignore] TABLE as FORMAT.`PATH` [where OPTIONS] "
            "[partitionBy col];` writes a table (docs/reference/save.md).",
    "run": "`run TABLE as ET.`PATH` where KEY=VALUE and ... [as OUT];` runs an ET, e.g. "
           "`run command as Ray.`` where inputTable=\"t\" and outputTable=\"o\" and code='''...''';` (docs/reference/run.md).",
    "train": "`train TABLE as ET.`PATH` where ...;` (only `run ... as Ray` runs locally).",
    "predict": "`predict TABLE as MODEL.`PATH`;` (not run by the local engine).",
    "register": "`register ScriptUDF.`` as NAME where lang=\"python\" and dataType=\"TYPE\" and code='''...''';` "
                "makes a Python function callable in SQL (docs/reference/register-udf.md).",
    "include": "`include project.`path.byzer`;` (or local., http., a notebook) runs another script's statements "
               "here (docs/reference/include.md).",
    "as": "`as NAME` names the table a statement produces.",
    "where": "`where k=\"v\" and k2='''v2'''` options of load/save/run.",
    "options": "`options k=\"v\"`: same as `where`.",
    "ray": "`Ray` ET: runs Python through pyjava's PythonContext/RayContext; parameters inputTable, "
           "outputTable, code (docs/reference/run.md). `!ray status;` shows the cluster.",
    "!python": "`!python conf \"key=value\";` sets a Python runner setting for the session; "
               "`!python env \"KEY=VALUE\";` an environment variable of the Python code (docs/reference/python-conf.md).",
    "!ray": "`!ray status;` shows the Ray cluster status; `!ray on TABLE '''code''' named OUT;` runs code.",
    "!show": "`!show tables;` lists the tables of the session; `!show commands;` the other forms "
             "(docs/reference/commands.md).",
    "!desc": "`!desc TABLE;` lists the columns and types of a table.",
    "!assert": "`!assert TABLE '''EXPR''' \"message\";` fails unless every row satisfies EXPR.",
}
CONF_KEYS = {
    "schema": "Output schema of the Python code (required): `st(field(a,long))`, a DDL string "
              "`a bigint, b string`, Spark JSON, or `file` (docs/reference/python-conf.md).",
    "dataMode": "`data`: the code calls ray_context.foreach/map_iter; `model` (default): rows come "
                "from context.build_result (docs/reference/run.md).",
    "runIn": "`driver` or `executor` (default); both run on this machine here (docs/reference/python-conf.md).",
    "pythonExec": "Interpreter running the code; a missing path warns and the kernel's Python runs it.",
    "pythonVersion": "Informational (default 3.6).",
    "rayAddress": "Ray address for this session: `ray://host:10001`, `host:6379`, `auto` or `local`; "
                  "it wins over the address in the code (docs/reference/python-conf.md).",
    "cache": "Byzer Notebook `#%cache`: materialise the output (documented, not read by the engine).",
    "num_cpus": "CPUs per Ray task.",
    "num_gpus": "GPUs per Ray task.",
}
ETS = ["Ray"]
# Branching and includes are handled before commands run, so they are not in the command table.
FLOW_COMMANDS = ["!if", "!elif", "!else", "!fi", "!pyInclude"]
RAY_CONTEXT_METHODS = [
    "connect", "data_servers", "conf", "collect", "to_pandas", "collect_from", "fetch_once_as_rows",
    "collect_as_file", "to_dataset", "foreach", "map_iter", "build_result", "build_result_from_dataframe",
    "build_result_from_dir", "fetch_as_dir", "parse_servers", "data_servers_in_ray",
    "fetch_data_from_single_data_server", "fetch_data_from_single_data_server_as_arrow"]
PYTHON_CONTEXT_METHODS = [
    "conf", "build_result", "build_result_from_dir", "set_output", "output", "fetch_once",
    "fetch_once_as_dataframe", "fetch_once_as_rows", "fetch_once_as_batch_rows", "noops_fetch",
    "rayContext", "log_client"]


# -- is_complete ---------------------------------------------------------------------------------

def is_complete(code: str) -> dict:
    """Complete when every `'''` is closed and the last statement ends with `;`."""
    if code.count("'''") % 2:
        return {"status": "incomplete", "indent": ""}
    # Trailing `-- comments` do not count (quotes in them would be rare; keep it simple).
    lines = [re.sub(r"\s*--[^'\"`]*$", "", line) for line in code.rstrip().splitlines()]
    text = "\n".join(lines).rstrip()
    if not text or text.endswith(";"):
        return {"status": "complete"}
    return {"status": "incomplete", "indent": ""}


# -- python code blocks ---------------------------------------------------------------------------

def python_block_at(code: str, cursor: int) -> Optional[tuple[int, str]]:
    """(offset, source) of the `code='''...'''` block around the cursor, else None."""
    starts = [m.end() for m in re.finditer("'''", code[:cursor])]
    if len(starts) % 2 == 0:
        return None
    start = starts[-1]
    if not re.search(r"code\s*=\s*$", code[: start - 3]):
        return None
    end = code.find("'''", start)
    return start, code[start:] if end < 0 else code[start:end]


def python_context_matches(source: str, cursor: int) -> Optional[tuple[list, int]]:
    """RayContext / PythonContext methods after `name.` where `name` holds one, else None."""
    match = re.search(r"([A-Za-z_]\w*)\.(\w*)$", source[:cursor])
    if not match:
        return None
    name, prefix = match.groups()
    ray_names = {"RayContext", "ray_context", "rayContext"} | set(
        re.findall(r"([A-Za-z_]\w*)\s*=\s*RayContext\.connect", source))
    if name in ray_names:
        methods = RAY_CONTEXT_METHODS
    elif name in {"context", "data_manager"}:
        methods = PYTHON_CONTEXT_METHODS
    else:
        return None
    return [m for m in methods if m.startswith(prefix)], cursor - len(prefix)


# -- Byzer completion ----------------------------------------------------------------------------

def _tables(session) -> list:
    return list(session.catalog.names()) if session is not None else []


def _variables(session) -> list:
    return list(session.variables.names()) if session is not None else []


def _ets(session) -> list:
    names = set(ETS) | (set(session.ets) if session is not None else set())
    return sorted(names)


def _commands(session) -> list:
    """`!name` for every command the session (or a fresh one) runs, and the flow commands."""
    from .engine.commands import BUILTIN_COMMANDS

    names = set(session.commands) if session is not None else set(BUILTIN_COMMANDS) | {"ray"}
    return sorted({f"!{name}" for name in names} | set(FLOW_COMMANDS), key=str.lower)


def _formats(for_save: bool = False) -> list:
    """Formats the engine can load (or save), from its own registry: completion never offers a
    format the engine would then refuse."""
    from .engine.formats import known_formats, savable_formats

    return savable_formats() if for_save else known_formats()


def byzer_matches(code: str, cursor: int, session) -> tuple[list, int]:
    """(matches, cursor_start) for a Byzer cell."""
    before = code[:cursor]
    prefix = re.search(r"[\w!]*$", before).group(0)
    begin = cursor - len(prefix)
    head = before[:begin]
    if re.search(r"\$\{\s*$", head):
        candidates = _variables(session)
    elif re.search(r"!python\s+conf\s+(\"|'|''')$", head):
        candidates = [k + "=" for k in CONF_KEYS]
    elif re.search(r"!python\s+$", head):
        candidates = ["conf", "env"]
    elif re.search(r"\bload\s+$", head, re.I):
        candidates = _formats()
    elif re.search(r"\bsave\b[^;]*\bas\s+$", head, re.I):
        candidates = _formats(for_save=True)
    elif re.search(r"\brun\b[^;]*\bas\s+$", head, re.I):
        candidates = _ets(session)
    elif re.search(r"\bsave\s+$", head, re.I):
        candidates = list(SAVE_MODES) + _tables(session)
    elif re.search(r"(\b(from|join|run|table|save\s+\w+)\s+|inputTable\s*=\s*[\"']|!desc\s+)$", head, re.I):
        candidates = _tables(session)
    elif prefix.startswith("!"):
        candidates = _commands(session)
    else:
        keywords = [k for k in STATEMENTS if not k.startswith("!") and k != "ray"]
        candidates = keywords + _tables(session)
    lower = prefix.lower()
    return [c for c in candidates if c.lower().startswith(lower)], begin


# -- inspection ----------------------------------------------------------------------------------

def describe_at(code: str, cursor: int, session) -> str:
    """Help for the word under the cursor: a statement, command, format, conf key or table."""
    left = re.search(r"[\w!]*$", code[:cursor]).group(0)
    right = re.match(r"\w*", code[cursor:]).group(0)
    word = left + right
    if not word:
        return ""
    if word.lower() in STATEMENTS:
        return f"**{word}**: {STATEMENTS[word.lower()]}"
    if word in CONF_KEYS:
        return f"**!python conf \"{word}=...\"**: {CONF_KEYS[word]}"
    if word in _formats():
        kind = "load/save" if word in _formats(for_save=True) else "load"
        return f"**{word}**: a {kind} format: `load {word}.`PATH` as t;`"
    if session is not None:
        table = session.catalog.get(word)
        if table is not None:
            columns = ", ".join(f"{f.name}: {f.type}" for f in table.schema)
            return f"**table {word}**: {table.num_rows} rows; columns {columns}"
        if word in session.variables:
            return f"**variable {word}** = {session.variables.get(word)!r}"
    return ""
