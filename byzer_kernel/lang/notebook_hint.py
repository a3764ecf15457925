"""Byzer Notebook's `#%python` cell rewrite (docs/spec.md §7.1-7.2): a Python cell with `#%key=value` header
lines becomes `!python conf ...; run command as Ray.`` where ... code='''<body>''';` plus a tail.
A `--%visualize` cell becomes `!visualize TABLE` with the cell's YAML (docs/reference/charts.md).

Reproduces Byzer Notebook's Scala (BaseHint._parse, PythonHint.rewrite) including its quirks:
Java `split("\\n")` drops trailing empty lines of the body, `stripMargin` (only `<blanks>|` is removed,
so an indented `  #%python` is no header) and the final `stripMargin` over the whole generated script.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .errors import ByzerSyntaxError
from .positions import caret_detail, point_span

# Scala 2.12 stripMargin: a line ends at LF or FF; leading chars <= ' ' then '|' are removed.
_MARGIN = re.compile(r"(?:\A|(?<=[\n\f]))[\x00-\x09\x0b\x0d-\x20]*\|")


def strip_margin(text: str) -> str:
    return _MARGIN.sub("", text)


def _java_split_lines(text: str) -> List[str]:
    """Java's String.split("\\n"): trailing empty strings are dropped."""
    lines = text.split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    return lines


@dataclass
class CellHeader:
    cell_type: str = "mlsql"
    body: str = ""
    input: Optional[str] = None
    output: Optional[str] = None
    params: Dict[str, str] = field(default_factory=dict)
    lines: Dict[str, int] = field(default_factory=dict)  # directive -> 1-based line it was last set on


def is_header_line(line: str) -> bool:
    """A `#%...` / `--%...` directive line of a Byzer Notebook cell."""
    stripped = strip_margin(line)
    return stripped.startswith("--%") or stripped.startswith("#%")


def parse_header(text: str) -> CellHeader:
    """BaseHint._parse: header lines set the cell type or a `k=v` directive; the body keeps the other
    lines, with each header line replaced by an empty line."""
    header = CellHeader()
    lines = _java_split_lines(text)
    for number, line in enumerate(lines, start=1):
        if not is_header_line(line):
            continue
        directive = strip_margin(line)
        directive = directive[3:] if directive.startswith("--%") else directive
        directive = directive[2:] if directive.startswith("#%") else directive
        if "=" not in directive:
            header.cell_type = directive
            continue
        key, value = directive.split("=", 1)
        if key == "input":
            header.input = value
        elif key == "output":
            header.output = value
        else:
            header.params[key] = value
        header.lines[key] = number
    header.body = "\n".join("" if is_header_line(line) else line for line in lines)
    return header


def _scala_to_boolean(value: str) -> Optional[bool]:
    return {"true": True, "false": False}.get(value.lower())


def rewrite_python_cell(text: str) -> Optional[str]:
    """The Byzer script a `#%python` notebook cell stands for, or None if ``text`` is not such a cell."""
    header = parse_header(text)
    if header.cell_type != "python":
        return None
    input_table = header.input if header.input is not None else "command"
    output = header.output if header.output is not None else uuid.uuid4().hex
    cache = _scala_to_boolean(header.params.get("cache", "false"))
    if cache is None:
        raise _bad_cache(text, header)
    if cache:
        tail = (f"\nsave overwrite {output}_0 as parquet.`/tmp/__python__/{output}`;\n"
                f"load parquet.`/tmp/__python__/{output}` as {output};\n")
    else:
        tail = f"select * from {output}_0 as {output};"
    params = header.params

    def optional(key: str, template: str) -> str:
        return template.format(params[key]) if key in params else ""

    script = "\n".join([
        "",
        optional("schema", " !python conf '''schema={}'''; "),
        optional("env", " !python env '''PYTHON_ENV={}'''; "),
        optional("dataMode", " !python conf '''dataMode={}'''; "),
        optional("runIn", " !python conf '''runIn={}'''; "),
        "run command as Ray.`` where",
        f'inputTable="{input_table}" and',
        f'outputTable="{output}_0" and',
        optional("confTable", ' confTable="{}" and '),
        optional("model", ' model="{}" and '),
        f"code='''{header.body}''';",
        tail,
        "",
    ])
    # Scala applies stripMargin after interpolation, so it also reaches the user's code lines.
    return strip_margin(script)


def rewrite_visualize_cell(text: str) -> Optional[str]:
    """Byzer Notebook's VisualizationHint: a `--%visualize` cell (the type in any case) with
    `--%input=TABLE` holds the YAML of `!visualize`; it becomes that command with the cell's body
    as its block argument. None if ``text`` is not such a cell."""
    header = parse_header(text)
    if header.cell_type.lower() != "visualize":
        return None
    if not header.input:
        raise ByzerSyntaxError("a --%visualize cell needs --%input=TABLE, the table to chart",
                               span=point_span(text, 0), detail=caret_detail(text, 0))
    quotes = "'" * 3
    # Scala applies stripMargin after interpolation, so it reaches the YAML lines too.
    return strip_margin(f"\n!visualize {header.input} {quotes}\n{header.body}\n{quotes};\n")


def rewrite_notebook_cell(text: str) -> Optional[str]:
    """The Byzer script a Byzer Notebook `#%python` or `--%visualize` cell stands for, else None."""
    rewritten = rewrite_python_cell(text)
    return rewritten if rewritten is not None else rewrite_visualize_cell(text)


def _bad_cache(text: str, header: CellHeader) -> ByzerSyntaxError:
    line = header.lines.get("cache", 1)
    offset = 0
    for _ in range(line - 1):
        offset = text.index("\n", offset) + 1
    value = header.params["cache"]
    return ByzerSyntaxError(f"#%cache={value}: the cache directive must be true or false",
                            span=point_span(text, offset),
                            detail=caret_detail(text, offset))
