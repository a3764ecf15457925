"""Where a Byzer cell holds Python code, so that front-ends leave it alone (e.g. the magic's
`{{name}}` interpolation: in Python `{{x}}` is an f-string's literal brace pair, not a template).

Python code is: the body lines of a Byzer Notebook `#%python` cell (not its `#%key=value` header
lines), the content of a `code='''...'''` block (the Ray ET's option, or a `set code='''...'''`
meant for it) and the `'''...'''` argument of `!ray on TABLE '''code''' named OUT`.
"""
from __future__ import annotations

from .errors import ByzerSyntaxError
from .lexer import TokenKind, tokenize
from .notebook_hint import is_header_line, parse_header


def python_code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the Python code in a cell, in order; none when the cell does not
    even tokenize (the parser will report that cell's syntax error itself)."""
    if parse_header(text).cell_type == "python":
        return _python_cell_body(text)
    try:
        tokens = tokenize(text)
    except ByzerSyntaxError:
        return []
    spans, command = [], None
    for index, token in enumerate(tokens):
        if token.kind == TokenKind.COMMAND:
            command = token.lower
        elif token.is_punct(";"):
            command = None
        if token.kind != TokenKind.BLOCK:
            continue
        code_option = index >= 2 and tokens[index - 1].is_punct("=") and tokens[index - 2].lower == "code"
        if code_option or command == "!ray":
            spans.append((token.start + 3, token.end - 3))
    return spans


def _python_cell_body(text: str) -> list[tuple[int, int]]:
    """Every line but the header lines; lines end at `\n` only, as in `parse_header`."""
    spans, offset = [], 0
    for line in text.split("\n"):
        if not is_header_line(line):
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)
