"""A help topic (Shift+Tab) and how it is shown: clean plain text (Jupyter console, the completer's
documentation panel) and Markdown (JupyterLab's tooltip and inspector), both linking to the
language reference; and the topics made from what a session holds (ETs, functions, tables,
columns, variables). The fixed texts are in help_texts.py.

Summaries and notes may hold `code` spans (Markdown); syntax and examples are Byzer code, kept
apart because Byzer's own backquotes (load csv.`path`) would break a Markdown code span.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# The language reference, as a path in the repository: the project publishes no documentation
# site, and the README and docs/README.md link the pages by these relative paths.
DOCS = "docs/reference/"


@dataclass(frozen=True)
class Topic:
    title: str  # as written in Byzer: `load`, `!desc`, `length(text)`, `jsonStr`
    kind: str  # statement, command, format, ET, function, table, column, variable, setting...
    summary: str  # one or two sentences
    syntax: tuple = ()  # lines of Byzer
    example: str = ""  # Byzer code
    notes: tuple = ()  # further sentences
    rows: tuple = ()  # (name, meaning) pairs: parameters, options, columns
    rows_header: tuple = ("parameter", "meaning")
    doc: str = ""  # page of the language reference: "load.md"


def plain(topic: Topic) -> str:
    """The topic as plain text: no Markdown markers, code indented by four spaces."""
    lines = [f"{topic.title} ({topic.kind}): {_plain_inline(topic.summary)}"]
    if topic.syntax:
        lines += [""] + [f"    {line}" for line in topic.syntax]
    if topic.example:
        lines += ["", "Example:"] + [f"    {line}" for line in topic.example.splitlines()]
    if topic.rows:
        width = min(max(len(name) for name, _ in topic.rows), 24)
        lines += ["", f"{topic.rows_header[0].capitalize()}s:"]
        for name, meaning in topic.rows:  # a long name gets its meaning on the next line
            lines += ([f"  {name:<{width}}  {_plain_inline(meaning)}"] if len(name) <= width
                      else [f"  {name}", f"  {'':<{width}}  {_plain_inline(meaning)}"])
    if topic.notes:
        lines += [""] + [_plain_inline(note) for note in topic.notes]
    if topic.doc:
        lines += ["", f"Docs: {DOCS}{topic.doc}"]
    return "\n".join(lines)


def markdown(topic: Topic) -> str:
    """The topic as Markdown for JupyterLab: a heading line, fenced code, a table, a link."""
    parts = [f"**{_code_span(topic.title)}** · {topic.kind}", topic.summary]
    if topic.syntax:
        parts.append(_fence("\n".join(topic.syntax)))
    if topic.example:
        parts += ["Example:", _fence(topic.example)]
    if topic.rows:
        header = f"| {topic.rows_header[0]} | {topic.rows_header[1]} |\n|---|---|\n"
        parts.append(header + "\n".join(f"| {_code_span(name)} | {_cell(meaning)} |"
                                        for name, meaning in topic.rows))
    parts += list(topic.notes)
    if topic.doc:
        parts.append(f"Docs: [{DOCS}{topic.doc}]({DOCS}{topic.doc})")
    return "\n\n".join(parts)


def _plain_inline(text: str) -> str:
    """Markdown inline text as plain text: code spans lose their backquotes, links show their address."""
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 (\2)", text)
    return re.sub(r"(`+)(.+?)\1", lambda m: m.group(2).strip(), text)


def _code_span(text: str) -> str:
    """A Markdown code span that may itself hold backquotes."""
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _fence(code: str) -> str:
    return f"```byzer\n{code}\n```"  # JupyterLab highlights it with the extension's Byzer mode


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- topics made from what the session holds ------------------------------------------------------

# The reference page of each built-in ET (the others are on et-utilities.md).
ET_PAGES = {"DataSummary": "et-eda.md", "DataTranspose": "et-eda.md", "PatternDistribution": "et-eda.md",
            "RateSampler": "et-ml.md", "Discretizer": "et-ml.md", "PredictionEva": "et-ml.md",
            "JDBC": "jdbc.md", "Ray": "run.md"}
# Spark's own reference of its SQL functions, one anchor per function: the usage and examples
# this project follows (docs/reference/select.md says how it runs them).
SPARK_FUNCTIONS_URL = "https://spark.apache.org/docs/3.3.4/api/sql/index.html"
TABLE_COLUMNS_SHOWN = 40
VALUE_CHARS_SHOWN = 400

RAY = Topic("Ray", "ET", "Runs Python code over a table with pyjava's API (`context`, `RayContext`) "
                         "on Ray; the schema of its output is set first with `!python conf \"schema=...\"`.",
            ("run command as Ray.`` where inputTable=\"IN\" and outputTable=\"OUT\" and code='''PYTHON''';",),
            rows=(("inputTable", "the table the code reads (default `command`)"),
                  ("outputTable", "the name of the table it returns"),
                  ("code", "the Python code"),
                  ("confTable", "a table of `k`, `v` rows added to `context.conf`")),
            doc="run.md")


def et_topic(name: str, et) -> Topic:
    """An ET of `session.ets`: its doc, its parameters and the `run` of its example."""
    if name == "Ray":
        return RAY
    doc = getattr(et, "doc", "") or ""
    rows = []
    for param in getattr(et, "params", ()):
        extra = [f"default: {param.default}"] if param.default is not None else []
        extra += ["required"] if param.required else []
        extra += [f"one of {', '.join(param.values)}"] if param.values else []
        rows.append((param.name, param.doc + (f" ({'; '.join(extra)})" if extra else "")))
    example = "\n".join(re.findall(r"^\s*(?:run|train|predict)\b[^;]*;", getattr(et, "code_example", "") or "",
                                   re.MULTILINE | re.IGNORECASE)).strip()
    return Topic(name, "ET", doc or "An ET of this session.",
                 (f'run TABLE as {name}.`` [where key="value" and ...] as OUT;',), example,
                 (f'`!show "et/{name}";` shows the whole example.',) if example else (),
                 tuple(rows), doc=ET_PAGES.get(name, "et-utilities.md"))


def function_topic(name: str, registered=None, session_function=None) -> Topic:
    """A SQL function: a `register ScriptUDF` one of the session, one the translation rewrites
    (`registered`: its registry entry, with the arguments its builder takes), or Spark's."""
    import inspect

    if session_function is not None:
        kind = "aggregate function" if session_function.kind == "udaf" else "function"
        return Topic(f"{session_function.name}(...)", kind,
                     f"Registered in this session with `register ScriptUDF`; takes {session_function.arity} "
                     "argument(s).", doc="register-udf.md")
    title = name
    result = ""
    if registered is not None:
        required, optional = [], []
        for parameter in inspect.signature(registered.build).parameters.values():
            if parameter.kind is parameter.VAR_POSITIONAL:
                optional.append(f"{parameter.name}...")
            elif parameter.default is not parameter.empty:
                optional.append(parameter.name)
            else:
                required.append(parameter.name)
        arguments = ", ".join(required) + "".join(f"[, {name}]" if required or index else f"[{name}]"
                                                  for index, name in enumerate(optional))
        title = f"{name}({arguments})"
        result = f" Returns {registered.result}." if registered.result else ""
    return Topic(title, "function", f"A Spark 3.3 SQL function.{result}",
                 notes=(f"Spark's reference: [{name}]({SPARK_FUNCTIONS_URL}#{name})",), doc="select.md")


def table_topic(name: str, table, type_name) -> Topic:
    """A table of the session: its size and columns (`type_name`: Arrow type -> Spark's name)."""
    rows = tuple((field.name, type_name(field.type)) for field in list(table.schema)[:TABLE_COLUMNS_SHOWN])
    more = table.num_columns - len(rows)
    notes = (f"... and {more} more columns (`!desc {name};` lists them all).",) if more > 0 else ()
    count = f"{table.num_rows:,} row{'s' if table.num_rows != 1 else ''}"
    return Topic(name, "table", f"{count}, {table.num_columns} column{'s' if table.num_columns != 1 else ''}.",
                 (f"select * from {name} limit 10 as sample;",), notes=notes, rows=rows,
                 rows_header=("column", "type"), doc="commands.md")


def column_topic(column: str, table_name: str, type_text: str) -> Topic:
    return Topic(column, "column", f"A column of `{table_name}`: `{type_text}`.", doc="select.md")


def variable_topic(name: str, value, secret: bool) -> Topic:
    text = "***" if secret else str(value)
    if len(text) > VALUE_CHARS_SHOWN:
        text = text[:VALUE_CHARS_SHOWN] + f"... ({len(text):,} characters)"
    return Topic(name, "variable", f"Set with `set`; statements use it as `${{{name}}}`.",
                 tuple(text.splitlines() or [""]), doc="set.md")
