"""What the Byzer kernel knows for completion, inspection and is_complete: statement keywords,
commands, formats, ETs, `!python conf` keys, the session's tables, columns, variables and SQL
functions, and pyjava's context methods inside `code='''...'''` blocks. Text functions over a
Session the kernel already has: they never start one, nor Ray."""
from __future__ import annotations

import re
from typing import Optional

from . import help_texts as texts
from . import help_topics as topics
from .lang.statements import SAVE_MODES

# Branching and includes are handled before commands run, so they are not in the command table.
FLOW_COMMANDS = ["!if", "!elif", "!else", "!fi", "!pyInclude"]
STATEMENT_KEYWORDS = ["set", "load", "select", "save", "run", "train", "predict", "register", "include",
                      "connect"]
# Words of a Spark SQL query offered after the columns and tables, before the functions.
SQL_KEYWORDS = ["from", "where", "group", "by", "order", "having", "limit", "join", "left", "right",
                "inner", "outer", "full", "cross", "on", "as", "and", "or", "not", "in", "is", "null",
                "like", "rlike", "between", "case", "when", "then", "else", "end", "distinct", "union",
                "all", "with", "asc", "desc", "over", "partition", "lateral", "view", "true", "false",
                "exists", "cast", "interval"]
RAY_CONTEXT_METHODS = [
    "connect", "data_servers", "conf", "collect", "to_pandas", "collect_from", "fetch_once_as_rows",
    "collect_as_file", "to_dataset", "foreach", "map_iter", "build_result", "build_result_from_dataframe",
    "build_result_from_dir", "fetch_as_dir", "parse_servers", "data_servers_in_ray",
    "fetch_data_from_single_data_server", "fetch_data_from_single_data_server_as_arrow"]
PYTHON_CONTEXT_METHODS = [
    "conf", "build_result", "build_result_from_dir", "set_output", "output", "fetch_once",
    "fetch_once_as_dataframe", "fetch_once_as_rows", "fetch_once_as_batch_rows", "noops_fetch",
    "rayContext", "log_client"]
_NAME = r"`[^`]+`|[\w.]+"
_NOT_ALIAS = "|".join(SQL_KEYWORDS + ["select", "natural", "anti", "semi", "using", "pivot", "sort",
                                      "cluster", "distribute", "window", "tablesample"])
# A table read by a query and the alias it may get: `from t`, `join t as a`, `from t a, u b`.
_SOURCE = re.compile(rf"(?:\bfrom|\bjoin|,)\s*({_NAME})(?:\s+(?:as\s+)?(?!(?:{_NOT_ALIAS})\b)(\w+))?",
                     re.IGNORECASE)


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


# -- what the session holds ------------------------------------------------------------------------

def _tables(session) -> list:
    return list(session.catalog.names()) if session is not None else []


def _variables(session, code: str = "") -> list:
    """Session-scoped variables, and those the cell itself sets (a `set` lasts one cell by default)."""
    names = list(session.variables.names()) if session is not None else []
    return list(dict.fromkeys(names + re.findall(r"(?:^|;)\s*set\s+(\w+)\s*=", code, re.IGNORECASE)))


def _ets(session) -> list:
    return sorted({"Ray"} | (set(session.ets) if session is not None else set()))


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


def _functions(session) -> list:
    """SQL functions: the session's registered ones, then Spark's (with those the engine adds)."""
    from .engine.sparksql import FUNCTIONS
    from .engine.sparksql.engine_errors import spark_function_names

    spark = sorted(name for name in set(spark_function_names()) | set(FUNCTIONS) if re.fullmatch(r"[a-z_]\w*", name))
    return (list(session.functions.names()) if session is not None else []) + spark


# -- the statement around the cursor ----------------------------------------------------------------

def statement_bounds(code: str, cursor: int) -> tuple[int, int]:
    """(start, end) of the statement the cursor is in: `;` outside quotes and comments ends one."""
    start, index, quote = 0, 0, None
    while index < len(code):
        if quote is None and index >= cursor and code[index] == ";":
            return start, index
        if quote is not None:
            if code.startswith(quote, index):
                index += len(quote) - 1
                quote = None
        elif code.startswith("'''", index):
            quote = "'''"
            index += 2
        elif code[index] in "'\"`":
            quote = code[index]
        elif code.startswith("--", index):
            newline = code.find("\n", index)
            index = len(code) if newline < 0 else newline
            continue
        elif code[index] == ";":
            start = index + 1
        index += 1
    return start, len(code)


def query_sources(statement: str, session) -> dict:
    """lower-case alias or table name -> the catalog table's name, for the tables the statement reads."""
    sources = {}
    for match in _SOURCE.finditer(statement):
        name, alias = match.group(1).strip("`"), match.group(2)
        if session is None or session.catalog.get(name) is None:
            continue
        sources.setdefault(name.lower(), name)
        if alias:
            sources.setdefault(alias.lower(), name)
    return sources


def _columns(session, sources: dict, qualifier: Optional[str] = None) -> list:
    """Columns of the table an alias names, or of every table the statement reads."""
    names = [sources[qualifier.lower()]] if qualifier else list(dict.fromkeys(sources.values()))
    columns = []
    for name in names:
        table = session.catalog.get(name) if session is not None and name else None
        columns += table.column_names if table is not None else []
    return list(dict.fromkeys(columns))


# -- Byzer completion ----------------------------------------------------------------------------

def byzer_matches(code: str, cursor: int, session) -> tuple[list, int, list]:
    """(matches, cursor_start, their kinds) for a Byzer cell, best first: columns, then tables and
    keywords, then functions and other words."""
    before = code[:cursor]
    prefix = re.search(r"[\w!]*$", before).group(0)
    begin = cursor - len(prefix)
    start, end = statement_bounds(code, cursor)
    head = code[start:begin]
    statement = code[start:end]
    is_select = re.match(r"\s*select\b", statement, re.IGNORECASE) is not None
    groups = _candidates(head, prefix, statement, is_select, session, code)
    lower = prefix.lower()
    matches, kinds = [], []
    for kind, names in groups:
        for name in names:
            if name.lower().startswith(lower) and name not in matches:
                matches.append(name)
                kinds.append(kind)
    return matches, begin, kinds


def _candidates(head: str, prefix: str, statement: str, is_select: bool, session, code: str) -> list:
    """(kind, names) groups for the place the cursor is at, in the order they are offered."""
    if re.search(r"\$\{\s*$", head):
        return [("variable", _variables(session, code))]
    if re.search(r"!python\s+conf\s+(\"|'|''')$", head):
        return [("setting", [k + "=" for k in texts.CONF_KEYS])]
    if re.search(r"!python\s+$", head):
        return [("keyword", ["conf", "env"])]
    if re.search(r"\bload\s+$", head, re.I):
        return [("format", _formats())]
    if re.search(r"\bsave\b[^;]*\bas\s+$", head, re.I):
        return [("format", _formats(for_save=True))]
    if re.search(r"\b(run|train|predict)\b[^;]*\bas\s+$", head, re.I):
        return [("ET", _ets(session))]
    if re.search(r"\bsave\s+$", head, re.I):
        return [("keyword", list(SAVE_MODES)), ("table", _tables(session))]
    if re.search(r"(\b(from|join|run|train|predict|table|save\s+\w+)\s+|inputTable\s*=\s*[\"']|!desc\s+)$",
                 head, re.I):
        return [("table", _tables(session))]
    qualifier = re.search(r"(\w+)\.$", head)
    if is_select and qualifier:
        sources = query_sources(statement, session)
        if qualifier.group(1).lower() in sources:
            return [("column", _columns(session, sources, qualifier.group(1)))]
        return []
    if prefix.startswith("!") or not head.strip():
        return [("command", _commands(session))] if prefix.startswith("!") else [("keyword", STATEMENT_KEYWORDS)]
    if is_select:
        groups = [("column", _columns(session, query_sources(statement, session))),
                  ("table", _tables(session)), ("keyword", SQL_KEYWORDS)]
        return groups + ([("function", _functions(session))] if prefix else [])
    return [("keyword", STATEMENT_KEYWORDS + ["as", "where", "and", "options", "partitionBy"]),
            ("table", _tables(session))]


def completion_metadata(matches: list, kinds: list, begin: int, end: int) -> dict:
    """The `_jupyter_types_experimental` entries JupyterLab shows as each match's kind."""
    return {"_jupyter_types_experimental": [{"start": begin, "end": end, "text": match, "type": kind}
                                            for match, kind in zip(matches, kinds)]}


# -- inspection ----------------------------------------------------------------------------------

def inspect_data(code: str, cursor: int, session) -> dict:
    """The inspect reply's bundle for the word under the cursor: plain text and Markdown, or {}."""
    topic = describe_at(code, cursor, session)
    if topic is None:
        return {}
    return {"text/plain": topics.plain(topic), "text/markdown": topics.markdown(topic)}


def describe_at(code: str, cursor: int, session) -> Optional[topics.Topic]:
    """The help topic of the word under the cursor: a statement, command, format, ET, conf key,
    table, column, function or variable, whichever the place means."""
    left = re.search(r"[\w!]*$", code[:cursor]).group(0)
    right = re.match(r"\w*", code[cursor:]).group(0)
    word = left + right
    if not word:
        return None
    begin, end = cursor - len(left), cursor + len(right)
    start, stop = statement_bounds(code, cursor)
    head, statement = code[start:begin], code[start:stop]
    if word.startswith("!"):
        return _command_topic(word[1:], session)
    if re.search(r"\$\{\s*$", head) and session is not None and word in session.variables:
        return _variable_topic(session, word)
    if re.match(r"\s*!python\b", statement) and word in texts.CONF_KEYS:
        return texts.conf_key(word)
    if re.search(r"(\bload\s+|\bsave\b[^;]*\bas\s+)$", head, re.I) and word in texts.FORMATS:
        return texts.FORMATS[word]
    if re.search(r"\b(run|train|predict)\b[^;]*\bas\s+$", head, re.I):
        et = _et(session, word)
        if et is not None or word == "Ray":
            return topics.et_topic(word, et)
    if not head.strip() and word.lower() in texts.STATEMENTS:
        return texts.STATEMENTS[word.lower()]
    return _name_topic(word, head, statement, code[end:], session)


def _name_topic(word: str, head: str, statement: str, after: str, session) -> Optional[topics.Topic]:
    """A word in the middle of a statement: what the session has of that name first."""
    from .engine.types import spark_type_name

    sources = query_sources(statement, session) if session is not None else {}
    qualifier = re.search(r"(\w+)\.$", head)
    if qualifier and qualifier.group(1).lower() in sources:
        return _column_topic(session, sources[qualifier.group(1).lower()], word)
    is_call = re.match(r"\s*\(", after) is not None
    if session is not None and not is_call:
        table = session.catalog.get(word)
        if table is not None:
            return topics.table_topic(word, table, spark_type_name)
        for name in dict.fromkeys(sources.values()):
            if word.lower() in (c.lower() for c in session.catalog.get(name).column_names):
                return _column_topic(session, name, word)
    function = _function_topic(word, session)
    if function is not None and (is_call or word.lower() not in texts.STATEMENTS):
        return function
    if word.lower() in texts.STATEMENTS:
        return texts.STATEMENTS[word.lower()]
    if word in texts.FORMATS:
        return texts.FORMATS[word]
    et = _et(session, word)
    if et is not None:
        return topics.et_topic(word, et)
    if session is not None and word in session.variables:
        return _variable_topic(session, word)
    return None


def _variable_topic(session, word: str) -> topics.Topic:
    from .lang.secrets import is_secret_key

    return topics.variable_topic(word, session.variables.get(word), is_secret_key(word))


def _column_topic(session, table_name: str, word: str) -> Optional[topics.Topic]:
    from .engine.types import spark_type_name

    for field in session.catalog.get(table_name).schema:
        if field.name.lower() == word.lower():
            return topics.column_topic(field.name, table_name, spark_type_name(field.type))
    return None


def _function_topic(word: str, session) -> Optional[topics.Topic]:
    from .engine.sparksql import FUNCTIONS
    from .engine.sparksql.engine_errors import spark_function_names

    key = word.lower()
    if session is not None:
        for spec in session.functions.specs():
            if spec.name.lower() == key:
                return topics.function_topic(spec.name, session_function=spec)
    if key in FUNCTIONS or key in spark_function_names():
        return topics.function_topic(key, registered=FUNCTIONS.get(key))
    return None


def _et(session, word: str):
    if session is None or not word:
        return None
    return session.ets.get(word[:1].upper() + word[1:])


def _command_topic(name: str, session) -> topics.Topic:
    """A `!command`: its help, a user macro's text, or what the session says of a command it has."""
    if name in texts.COMMANDS:
        return texts.COMMANDS[name]
    if session is not None and name in session.variables:
        return topics.Topic(f"!{name}", "macro", "A user macro: the text of the variable, with the "
                                                 "arguments put in for `{0}`, `{1}`...",
                            tuple(str(session.variables.get(name)).splitlines()[:20]), doc="macros.md")
    if session is not None and name in session.commands:
        return topics.Topic(f"!{name}", "command", "A command of this session.", doc="commands.md")
    from .lang.suggest import did_you_mean

    suggestion = did_you_mean(f"!{name}", _commands(session))
    return topics.Topic(f"!{name}", "command", "Not a command of this session"
                        + (f"; {suggestion}" if suggestion else "."), doc="commands.md")
