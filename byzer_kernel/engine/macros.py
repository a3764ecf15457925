"""User macros: `set f='''...{0}...''';` then `!f a b;` (docs/spec.md §12.3).

Byzer keeps its built-in command templates and the user's variables in one env; a `!name` statement
is expanded from `env(name)` in the pre-process pass (CommandAdaptor + Templates2), with the
variables set before it. So a variable named like a built-in command wins over the command. The
expansion is Byzer text, parsed where the call stands; it may hold several statements but no
`!command` (Byzer expands once, so a macro cannot call another).
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import ClassVar, Optional

from ..lang import parse
from ..lang.errors import ByzerError, UsageError
from ..lang.statements import CommandStatement, Origin, Statement
from ..lang.templates import render as render_template
from .commands import command_args

_INTEGER = re.compile(r"[+-]?\d+")
_NAMED_REFERENCE = re.compile(r"\$!?\{?([A-Za-z][A-Za-z0-9_-]*)")
_DEFAULT_CALL = re.compile(r"\s*(\w+)\s*\((.*)\)\s*")


@dataclass
class FailedExpansion(Statement):
    """A macro call whose expansion failed in the pre-process pass: the failure is raised when the
    call's turn comes, so that the statements before it run (and a call in a branch that does not
    run fails nothing)."""

    error: Optional[ByzerError] = None
    keyword: ClassVar[str] = "!"


def is_macro_call(session, statement: Statement) -> bool:
    return isinstance(statement, CommandStatement) and statement.name in session.variables


def expand_macro(session, statement: CommandStatement) -> list:
    """The statements the call expands to, each with an Origin naming the call; a FailedExpansion
    when the call cannot be expanded."""
    try:
        return _expanded(session, statement)
    except ByzerError as error:
        return [FailedExpansion(text=statement.text, span=statement.span, origin=statement.origin, error=error)]


def _expanded(session, statement: CommandStatement) -> list:
    name = statement.name
    template = str(session.variables.get(name))
    arguments = command_args(session, statement)
    text = fill_template(template, arguments, f"!{name}", session.variables)
    source = f"the expansion of !{name}"
    try:
        statements = parse(text).statements
    except ByzerError as error:
        if error.span is not None:
            error.message = f"{source} line {error.span.line}:{error.span.col}: {error.message}"
        else:
            error.message = f"{source}: {error.message}"
        error.span = None  # the caller names the call itself
        raise
    for expanded in statements:
        expanded.origin = Origin(source, statement)
        if isinstance(expanded, CommandStatement):
            raise UsageError(f"{source} holds `!{expanded.name}`: a macro cannot call a command or another "
                             "macro (Byzer expands macros once)")
    return statements


def fill_template(template: str, arguments: list, call: str, variables=None) -> str:
    """Byzer's Templates2.evaluate. Positional: `{}` takes the next argument, `{N}` the N-th,
    `{N:default}` falls back to the default (`uuid()`, `next(word,default)` or text). Named, when
    the first argument is `_`: `-name value` pairs fill the body's `${name}` (Velocity). Then
    `{:all}` becomes the JSON list of the arguments."""
    if arguments and arguments[0] == "_":
        filled = _named(template, arguments[1:], call, variables)
    else:
        filled = _positional(template, arguments, call)
    if "{:all}" in filled:
        filled = filled.replace("{:all}", json.dumps(arguments, ensure_ascii=False, separators=(",", ":")))
    return filled


def _positional(template: str, arguments: list, call: str) -> str:
    out, position, sequence = [], 0, 0
    while position < len(template):
        char = template[position]
        if char == "{" and template.startswith("{}", position):
            out.append(_argument(arguments, sequence, None, call, "{}"))
            sequence += 1
            position += 2
            continue
        if char == "{" and not (position and template[position - 1] == "$"):
            end = template.find("}", position)
            inner = template[position + 1:end].strip() if end > 0 else ""
            index, colon, default = inner.partition(":")
            if end > 0 and _INTEGER.fullmatch(index.strip()):
                written = template[position:end + 1]
                out.append(_argument(arguments, int(index), default if colon else None, call, written))
                position = end + 1
                continue
        out.append(char)
        position += 1
    return "".join(out)


def _argument(arguments: list, index: int, default: Optional[str], call: str, written: str) -> str:
    if 0 <= index < len(arguments):
        return arguments[index]
    if default is None:
        given = ", ".join(arguments) if arguments else "none"
        raise UsageError(f"{call} needs argument {index} for {written} but was given {len(arguments)} "
                         f"argument(s) ({given}); pass it, or write a default in the macro, e.g. {{{index}:value}}")
    return _default_value(default, arguments)


def _default_value(default: str, arguments: list) -> str:
    call = _DEFAULT_CALL.fullmatch(default)
    if call is None:
        return default
    function, inner = call.group(1), call.group(2)
    if function == "uuid":
        return uuid.uuid4().hex
    if function == "next":
        word, _, fallback = (part.strip() for part in inner.partition(","))
        if word in arguments and arguments.index(word) + 1 < len(arguments):
            return arguments[arguments.index(word) + 1]
        return _default_value(fallback, arguments)
    return default


def named_arguments(arguments: list) -> dict:
    """`-name value` pairs as common-utils' ParamsUtil reads the arguments joined by spaces: a name
    directly followed by another `-name` (or by nothing) is empty; other words are ignored."""
    words = " ".join(arguments).split()
    named, position = {}, 0
    while position < len(words):
        word = words[position]
        position += 1
        if not word.startswith("-") or len(word) == 1:
            continue
        value = ""
        if position < len(words) and not words[position].startswith("-"):
            value = words[position].strip('"')
            position += 1
        named[word[1:]] = value
    return named


def _named(template: str, arguments: list, call: str, variables) -> str:
    named = named_arguments(arguments)
    known = set(variables.context()) if variables is not None else set()
    missing = [name for name in dict.fromkeys(_NAMED_REFERENCE.findall(template))
               if name not in named and name not in known]
    if missing:
        raise UsageError(f"{call} needs argument -{missing[0]} (the macro uses ${{{missing[0]}}}); "
                         f"given: {', '.join('-' + n for n in named) or 'none'}")
    return render_template(template, named)
