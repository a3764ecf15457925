"""How `load Rest` finds the next page (docs/spec.md §3.3): Byzer's three page strategies, chosen by
`config.page.values` as PageStrategyDispatcher chooses them (byzer-lang tech/mlsql/datasource/helper/rest):

- `auto-increment:N`: `{0}` of `config.page.next` is N+1, N+2, ... after each page;
- `offset:START,STEP`: `{0}` is START+STEP, START+2*STEP, ...;
- otherwise a comma-separated list of JSON paths read from each answer fills `{0}`, `{1}`, ...; paging
  stops when one of them is missing or empty (DefaultPageStrategy).

`config.page.stop` (`sizeZero:$.path`, `notExists:$.path`, `equals:$.path,value`) stops the paging as
PageStrategy.defaultHasNextPage does. JSON paths are the subset Byzer's examples use (`$.a.b`, `$[0]`,
`$.a[*].id`, `$['a']`): the answers are parsed with the json module, so no parser of our own is needed.
"""
from __future__ import annotations

import json
import re

from ...lang.errors import UsageError

_STEP = re.compile(r"\.\.|\.([A-Za-z_$@][\w$@-]*)|\.\*|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(\*|-?\d+)\s*\]")
_MISSING = object()


def json_path(document, path: str):
    """The value at `path`, or _MISSING (Jayway's PathNotFoundException); `[*]` gives a list."""
    path = path.strip()
    if not path.startswith("$"):
        raise UsageError(f"JSON path `{path}` must start with `$` (config.page.values/config.page.stop)")
    values, wildcard, position = [document], False, 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None or match.group(0) == "..":
            raise UsageError(f"JSON path `{path}`: cannot read the part from `{path[position:]}` "
                             "(supported: .name, ['name'], [n], [*])")
        position = match.end()
        name = match.group(1) or match.group(2) or match.group(3)
        index = match.group(4)
        found = []
        for value in values:
            if name is not None:
                if isinstance(value, dict) and name in value:
                    found.append(value[name])
            elif index == "*" or match.group(0) == ".*":
                wildcard = True
                found.extend(value if isinstance(value, list) else
                             list(value.values()) if isinstance(value, dict) else [])
            elif isinstance(value, list) and -len(value) <= int(index) < len(value):
                found.append(value[int(index)])
        if not found and not wildcard:
            return _MISSING
        values = found
    return values if wildcard else values[0]


def _text(value) -> str:
    """The value as Jayway's result `.toString` shows it: strings bare, arrays and objects as JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _parse(content: str):
    try:
        return json.loads(content)
    except ValueError:
        return _MISSING


def fill_template(template: str, values) -> str:
    """Templates2.evaluate: `{0}`, `{1}`, ... replaced by the values in order."""
    for i, value in enumerate(values):
        template = template.replace("{%d}" % i, value)
    return template


def _keep_paging(stop: str, content: str) -> bool:
    """PageStrategy.defaultHasNextPage for a `config.page.stop` condition."""
    kind, _, path = stop.partition(":")
    document = _parse(content)
    if kind in ("sizeZero", "size-zero"):
        value = _MISSING if document is _MISSING else json_path(document, path)
        return isinstance(value, list) and len(value) > 0
    if kind in ("notExists", "not-exists"):
        return document is not _MISSING and json_path(document, path) is not _MISSING
    if kind == "equals":
        real_path, _, wanted = path.partition(",")
        value = _MISSING if document is _MISSING else json_path(document, real_path)
        return value is _MISSING or _text(value) != wanted
    raise UsageError(f"config.page.stop with {kind} is not supported "
                     "(use sizeZero:$.path, notExists:$.path or equals:$.path,value)")


class PageStrategy:
    """One object per `load`: `advance(content)` after each page, then `next_url` and `has_next`."""

    def __init__(self, options: dict):
        self.values = options["config.page.values"].strip()
        self.next_template = options["config.page.next"]
        self.stop = options.get("config.page.stop")
        lowered = self.values.lower()
        self.kind = ("increment" if lowered.startswith(("auto-increment", "autoincrement"))
                     else "offset" if lowered.startswith("offset") else "paths")
        self.number, self.step = 0, 1
        if self.kind != "paths":
            if ":" not in self.values:
                raise UsageError("`config.page.values` should contain ':' (auto-increment:N or offset:START,STEP)")
            start, _, step = self.values.split(":", 1)[1].partition(",")
            try:
                self.number = int(start.strip())
                self.step = int(step.strip()) if (step and self.kind == "offset") else 1
            except ValueError:
                raise UsageError(f"`config.page.values`=\"{self.values}\": the start and step must be whole numbers")
        self.next_url = ""
        self.has_next = False

    def _path_values(self, content: str) -> list:
        document = _parse(content)
        if document is _MISSING:
            return []
        found = [json_path(document, path) for path in self.values.split(",")]
        return [] if any(value is _MISSING for value in found) else [_text(value) for value in found]

    def advance(self, content: str) -> None:
        if self.kind == "paths":
            values = self._path_values(content)
            self.next_url = fill_template(self.next_template, values)
            self.has_next = (_keep_paging(self.stop, content) if self.stop
                             else bool(values) and all(values))
        else:
            self.number += self.step
            self.next_url = fill_template(self.next_template, [str(self.number)])
            # Without a stop condition Byzer pages on until config.page.limit.
            self.has_next = _keep_paging(self.stop, content) if self.stop else True
