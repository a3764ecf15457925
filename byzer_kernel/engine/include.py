"""`include FORMAT.`path`;` and `!pyInclude` (docs/spec.md §12.2).

Byzer expands includes before anything else runs (ScriptSQLExec.parse, PreProcessIncludeListener): the
included text takes the place of the `include` statement, so its `set`s, macros and `!if`s work as if
written there. Here each included text is parsed on its own and its statements are spliced in, each
with an Origin naming the file (or URL) and the include statement, so that an error names both.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from ..lang import parse
from ..lang.errors import ByzerError, ByzerRuntimeError, UnsupportedStatementError, UsageError
from ..lang.notebook_hint import rewrite_notebook_cell
from ..lang.statements import IncludeStatement, Origin, Statement

INCLUDE_FORMATS = ("project", "local", "hdfs", "http")
# Byzer resolves `include local.` paths of libraries downloaded by `include lib.` under ~/.mlsql/deps;
# a path's last dotted part may name the file's extension (ScriptIncludeSource).
LIB_SUFFIXES = ("mlsql", "byzer", "byz", "by", "py")
HTTP_TIMEOUT_SECONDS = 60
# Byzer expands includes in at most 10 rounds; deeper nesting is almost surely a runaway.
MAX_DEPTH = 10
MARKDOWN_CELL = "--%markdown"


@dataclass
class Fetched:
    key: str  # what makes the target unique (an absolute path or a URL): cycles are found by it
    parts: list  # (source name, text): one per Byzer cell of a notebook, else one


def expand_includes(session, statements: list, chain: tuple = ()) -> list:
    """The statements with every include replaced by its target's statements, recursively."""
    expanded: list = []
    for statement in statements:
        if not isinstance(statement, IncludeStatement):
            expanded.append(statement)
            continue
        try:
            fetched = fetch(session, statement)
            if fetched.key in chain:
                cycle = " -> ".join(list(chain[chain.index(fetched.key):]) + [fetched.key])
                raise UsageError(f"include cycle: {cycle}")
            if len(chain) >= MAX_DEPTH:
                raise UsageError(f"includes nest deeper than {MAX_DEPTH} levels")
            included = []
            for source, text in fetched.parts:
                included += parsed_part(source, text, statement)
        except ByzerError as error:
            raise name_place(error, statement)
        expanded += expand_includes(session, included, chain + (fetched.key,))
    return expanded


def parsed_part(source: str, text: str, include: Statement) -> list:
    try:
        statements = parse(text).statements
    except ByzerError as error:
        where = f" line {error.span.line}:{error.span.col}" if error.span else ""
        error.message = f"{source}{where}: {error.message}"
        error.span = None
        raise
    for statement in statements:
        statement.origin = Origin(source, include)
    return statements


def name_place(error: ByzerError, statement: Statement) -> ByzerError:
    """Attach an error to a statement; for a statement that came from an include or a macro, the
    message first names its place there, and the error is attached to the include (or macro call)
    of the cell, so that the headline points into the cell."""
    while statement.origin is not None:
        span = error.span or statement.span
        text = " ".join(statement.text.split())
        text = text if len(text) <= 60 else text[:57] + "..."
        error.message = f"{statement.origin.source} line {span.line}:{span.col} in `{text}`: {error.message}"
        error.span, error.statement_text = None, ""
        statement = statement.origin.statement
    return error.attach(statement)


# -- targets -------------------------------------------------------------------------------------
def fetch(session, statement: IncludeStatement) -> Fetched:
    fmt = statement.format
    path = session.render(statement.path.text)
    options = session.rendered_options(statement.options)
    if fmt == "lib":
        raise UnsupportedStatementError(
            f"not supported by the local engine: {statement.describe()} (it clones a Git repository; "
            "include local/project files or http URLs instead)")
    if fmt not in INCLUDE_FORMATS:
        raise UsageError(f"unknown include format `{fmt}` (supported: {', '.join(INCLUDE_FORMATS)})")
    path, _, cell = path.partition("#") if _is_notebook(path.partition("#")[0]) else (path, "", "")
    if fmt == "http":
        key, text = path, read_url(path, options, session.owner)
    else:
        file = (session.project_dir / Path(path).expanduser() if fmt == "project"
                else local_file(session, path) if fmt == "local" else session.resolve_path(path))
        key, text = str(file.resolve()), read_file(file, path)
    name = path
    if fmt == "local" and options:  # ScriptIncludeSource: the where-options become sets before the text
        text = "".join(f"set {k}='''{v}''';\n" for k, v in options.items()) + text
    if _is_notebook(path):
        return Fetched(key + (f"#{cell}" if cell else ""), notebook_cells(name, text, cell))
    return Fetched(key, [(name, text)])


def local_file(session, path: str) -> Path:
    """A file under BYZER_HOME; else, as Byzer, `site/user/repo.dir.file` under ~/.mlsql/deps."""
    file = session.resolve_path(path)
    if file.exists() or "/" not in path:
        return file
    head, _, last = path.rpartition("/")
    chunks = last.split(".")
    suffix = "mlsql"
    if len(chunks) > 1 and chunks[-1].lower() in LIB_SUFFIXES:
        suffix = chunks.pop()
    lib = Path.home() / ".mlsql" / "deps" / head / chunks[0]
    candidate = lib.joinpath(*chunks[1:]).with_name(chunks[-1] + "." + suffix) if len(chunks) > 1 else file
    return candidate if candidate.exists() else file


def read_file(file: Path, written: str) -> str:
    if not file.is_file():
        raise ByzerRuntimeError(f"include target `{written}` does not exist ({file})")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ByzerRuntimeError(f"include target `{written}` is not UTF-8 text ({error})") from error


def read_url(url: str, options: dict, owner: str) -> str:
    """GET the URL. With `method="post"`, POST Byzer's form instead (path, owner, `param.*` options),
    as Byzer's HTTPIncludeSource does for a script server."""
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        raise UsageError(f"include http.`{url}`: the path must be an http:// or https:// URL")
    data = None
    if options.get("method", "get").lower() == "post":
        form = {"path": url, "owner": owner}
        form.update({k[len("param."):]: v for k, v in options.items() if k.startswith("param.")})
        data = urllib.parse.urlencode(form).encode("utf-8")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=HTTP_TIMEOUT_SECONDS) as reply:
            return reply.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        raise ByzerRuntimeError(f"include target `{url}` could not be fetched: HTTP {error.code} {error.reason}")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ByzerRuntimeError(f"include target `{url}` could not be fetched: {reason}")
    except UnicodeDecodeError as error:
        raise ByzerRuntimeError(f"include target `{url}` is not UTF-8 text ({error})") from error


# -- notebooks -----------------------------------------------------------------------------------
def _is_notebook(path: str) -> bool:
    return path.lower().endswith((".bznb", ".ipynb"))


def notebook_cells(name: str, text: str, cell: str) -> list:
    """The Byzer cells of a Byzer Notebook (`.bznb`: `cell_list[].content`; `--%markdown` cells are
    not code) or of a Jupyter notebook (every code cell of a Byzer-kernel notebook, else the cells
    starting with `%%byzer`). `#N` picks the N-th cell (1-based, every cell counted), as Byzer
    Notebook's include endpoint does. A `#%python` cell is rewritten as Byzer Notebook runs it."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ByzerRuntimeError(f"include target `{name}` is not a notebook (not JSON: {error})") from error
    if name.lower().endswith(".bznb"):
        contents = [c.get("content") or "" for c in document.get("cell_list", [])]
    else:
        contents = _jupyter_byzer_cells(document)
    numbered = list(enumerate(contents, 1))
    if cell:
        if not cell.isdigit() or not 1 <= int(cell) <= len(contents):
            raise UsageError(f"include target `{name}` has no cell #{cell} ({len(contents)} cells)")
        numbered = [numbered[int(cell) - 1]]
    parts = []
    for number, content in numbered:
        if content is None or content.lstrip().startswith(MARKDOWN_CELL) or not content.strip():
            continue
        rewritten = rewrite_notebook_cell(content)
        parts.append((f"{name} cell {number}", content if rewritten is None else rewritten))
    return parts


def _jupyter_byzer_cells(document: dict) -> list:
    spec = document.get("metadata", {}).get("kernelspec", {})
    byzer_kernel = spec.get("language") == "byzer" or "byzer" in str(spec.get("name", "")).lower()
    contents = []
    for cell in document.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") != "code":
            contents.append(None)
        elif byzer_kernel:
            contents.append(source)
        elif source.lstrip().startswith("%%byzer"):
            contents.append(source.lstrip().partition("\n")[2])
        else:
            contents.append(None)
    return contents


# -- !pyInclude ----------------------------------------------------------------------------------
def py_include_command(session, statement, args, events):
    """`!pyInclude project|local PATH [named] TABLE` and `!pyInclude FORMAT.PATH named TABLE`: the
    file's Python text as a one-row table (column `value`, JSON {"content": code}), which
    `code='''py.TABLE'''` of the Ray ET reads (Byzer's PythonInclude)."""
    if len(args) == 4 and args[0] in ("project", "local") and args[2] == "named":
        fmt, path, name = args[0], args[1], args[3]
    elif len(args) == 3 and args[0] == "project":
        fmt, path, name = "project", args[1], args[2]
    elif len(args) == 3 and args[1] == "named" and "." in args[0]:
        (fmt, _, path), name = args[0].partition("."), args[2]
    else:
        raise UsageError("usage: !pyInclude project 'path/to/code.py' named TABLE; "
                         "!pyInclude local 'path' named TABLE; !pyInclude http.URL named TABLE")
    if fmt == "http":
        code = read_url(path, {}, session.owner)
    elif fmt == "project":
        code = read_file(session.project_dir / Path(path).expanduser(), path)
    elif fmt in ("local", "hdfs"):
        code = read_file(local_file(session, path) if fmt == "local" else session.resolve_path(path), path)
    else:
        raise UsageError(f"!pyInclude: unknown format `{fmt}` (project, local, hdfs or http)")
    table = pa.table({"value": pa.array([json.dumps({"content": code}, ensure_ascii=False)], pa.string())})
    session.catalog.register(name, table)
    return name, table
