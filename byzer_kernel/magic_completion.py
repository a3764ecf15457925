"""Completion of `%%byzer` cells in a Python kernel: a matcher of IPython's completer that answers
as the Byzer kernel does (kernel_help.byzer_matches: columns, tables, keywords, functions, best
first, each with its kind) and keeps IPython's own matchers, which know Python only, out of it."""
from __future__ import annotations

import re
import sys

from IPython.core.completer import SimpleCompletion, context_matcher

from . import kernel_help as help_

# The cell magic's line, after any blank lines, as IPython reads a cell magic.
_MAGIC_LINE = re.compile(r"\A(?:[ \t]*\n)*%%byzer\b[^\n]*\n")
NOTHING = {"completions": [], "suppress": False}


def register_cell_completion(ipython) -> None:
    completer = getattr(ipython, "Completer", None)
    if completer is not None and byzer_cell_matcher not in completer.custom_matchers:
        completer.custom_matchers.append(byzer_cell_matcher)


@context_matcher(identifier="byzer_kernel.byzer_cell_matcher")
def byzer_cell_matcher(context) -> dict:
    """Byzer's matches in the body of a `%%byzer` cell, in the kernel's order; else nothing, for
    the other matchers to answer (the magic's line, `code='''...'''` blocks, Python cells)."""
    text = context.full_text
    magic = _MAGIC_LINE.match(text)
    if magic is None:
        return NOTHING
    lines = text.split("\n")
    cursor = sum(len(line) + 1 for line in lines[:context.cursor_line]) + context.cursor_position
    code, at = text[magic.end():], cursor - magic.end()
    if at < 0 or help_.python_block_at(code, at) is not None:
        return NOTHING
    matches, begin, kinds = help_.byzer_matches(code, at, _session_if_made())
    return {"completions": [SimpleCompletion(match, type=kind) for match, kind in zip(matches, kinds)],
            "matched_fragment": code[begin:at], "suppress": True, "ordered": True}


def _session_if_made():
    """The Session `%%byzer` cells made, else None: completion never makes one."""
    runtime = sys.modules.get("byzer_kernel.runtime")
    current_session = getattr(runtime, "current_session", None)
    return current_session() if current_session is not None else None
