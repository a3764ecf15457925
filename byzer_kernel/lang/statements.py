"""Typed statements produced by the parser (docs/spec.md §1.2).

Values are kept as the user wrote them, *before* template rendering: rendering happens at run time
with the variables of that moment (docs/spec.md §2.4), so the parser never needs the session.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar, Optional

from .secrets import MASK, is_secret_key, mask_secrets, secret_variables, shown_python_pair


@dataclass(frozen=True)
class Span:
    """Where a statement (or token) sits in the cell: 1-based line/col and 0-based offsets."""

    line: int
    col: int
    start: int
    end: int


class ValueKind(str, Enum):
    """How a literal was written; a string enum, so it compares and prints as its value."""

    STRING = "string"  # '..' or ".."
    BLOCK = "block"  # '''..'''
    QUOTED = "quoted"  # `..`
    NAME = "name"  # a bare identifier, a qualified name or a raw run of tokens

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Value:
    """A literal as written. ``text`` is the content with the outer quotes removed exactly as Byzer's
    cleanStr/cleanBlockStr do (no unescaping); ``raw`` is the original token text."""

    kind: ValueKind
    text: str
    raw: str


@dataclass(frozen=True)
class Origin:
    """Where a statement's text came from when it is not the cell's own text: the file or URL of an
    `include`, or the expansion of a user macro. ``statement`` is the include or macro call that
    brought it in (itself possibly with an origin), so that an error can name both places."""

    source: str  # e.g. "lib/a.byzer", "http://host/x.byzer", "the expansion of !loadExcel"
    statement: "Statement"


@dataclass
class Statement:
    text: str  # the statement's source text, without the ending ';'
    span: Span  # in the text the statement was parsed from (the cell, or its origin's text)
    keyword: ClassVar[str] = ""
    origin: Optional[Origin] = field(default=None, compare=False, repr=False)

    def describe(self) -> str:
        """One line for `byzer plan`."""
        return short_text(self.text)


# Options are kept in written order; a later duplicate key wins (docs/spec.md §1.4).
Options = dict  # dict[str, Value]


def short_text(text: str, limit: int = 120) -> str:
    """Whitespace collapsed to one line; long text keeps its head and its last words."""
    if len(text) > 4 * limit:  # never split a 30 MB statement just to show 120 characters
        text = text[: 2 * limit] + " " + text[-limit:]
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 30]} ... {flat[-25:]}"


def short_value(value: "Value", limit: int = 50) -> str:
    """A value as written, or its head plus its size when it is long or spans lines."""
    raw = value.raw
    if len(raw) <= limit and "\n" not in raw:
        return raw
    lines = raw.count("\n") + 1
    head = " ".join(raw[: limit * 2].split())[:limit]
    return f"{head}... [{lines} lines, {len(raw)} chars]"


def describe_options(options: Options) -> str:
    if not options:
        return ""
    return " where " + " and ".join(f"{key}={shown_value(key, value)}" for key, value in options.items())


def shown_value(key: str, value: "Value") -> str:
    """An option's or variable's value as a plan shows it: masked when its name is a secret's,
    secret URL parameters masked inside it."""
    if is_secret_key(key):
        return MASK
    masked = mask_secrets(value.raw)
    return short_value(value) if masked == value.raw else short_value(Value(value.kind, masked, masked))


@dataclass
class SetStatement(Statement):
    key: str = ""
    value: Value = None  # type: ignore[assignment]
    options: Options = field(default_factory=dict)
    keyword: ClassVar[str] = "set"

    def describe(self) -> str:
        return f"set {self.key}={shown_value(self.key, self.value)}{describe_options(self.options)}"


@dataclass
class LoadStatement(Statement):
    format: str = ""
    path: Value = None  # type: ignore[assignment]
    options: Options = field(default_factory=dict)
    table: str = ""  # raw table-name token (backquotes kept; rendered at run time)
    keyword: ClassVar[str] = "load"

    def describe(self) -> str:
        path = short_value(self.path)
        return f"load {self.format}.{path}{describe_options(self.options)} as {self.table}"


@dataclass
class SelectStatement(Statement):
    # The whole statement text (starting with `select`): it is rendered first and only then split
    # into SQL and the trailing `as name` (docs/spec.md §1.5).
    keyword: ClassVar[str] = "select"


# The save modes as Byzer spells them (docs/spec.md §4.2); the parser and completion take them from here.
SAVE_MODES = ("overwrite", "append", "errorIfExists", "ignore")


@dataclass
class SaveStatement(Statement):
    modes: list = field(default_factory=list)  # e.g. ["overwrite"]; the last one wins
    table: str = ""
    format: str = ""
    path: Value = None  # type: ignore[assignment]
    options: Options = field(default_factory=dict)
    partition_by: list = field(default_factory=list)
    keyword: ClassVar[str] = "save"

    def describe(self) -> str:
        modes = "".join(f"{mode} " for mode in self.modes)
        partition = f" partitionBy {', '.join(self.partition_by)}" if self.partition_by else ""
        return (f"save {modes}{self.table} as {self.format}.{short_value(self.path)}"
                f"{describe_options(self.options)}{partition}")


@dataclass
class RunStatement(Statement):
    """`run|train|predict TABLE as ET.`path` where ... [as OUT]`."""

    verb: str = "run"
    input_table: str = ""
    et: str = ""  # the ET name as written, e.g. "Ray"
    path: Value = None  # type: ignore[assignment]
    options: Options = field(default_factory=dict)
    as_tables: list = field(default_factory=list)
    keyword: ClassVar[str] = "run"

    def describe(self) -> str:
        outputs = "".join(f" as {name}" for name in self.as_tables)
        path = short_value(self.path) if self.path else "``"
        return (f"{self.verb} {self.input_table} as {self.et}.{path}"
                f"{describe_options(self.options)}{outputs}")


@dataclass
class CommandStatement(Statement):
    """`!name arg ...`: args are Values (quoted kinds, or `name` for raw token runs)."""

    name: str = ""
    args: list = field(default_factory=list)
    options: Options = field(default_factory=dict)  # the where clause of a WHERE_COMMANDS command
    keyword: ClassVar[str] = "!"

    def describe(self) -> str:
        words = " ".join([f"!{self.name}"] + [short_value(a) for a in self.shown_args()])
        return words + describe_options(self.options)

    def shown_args(self) -> list:
        """The args as they may be shown (plan output, error headlines): a secret `!python conf`
        value and every `!python env` value are masked."""
        if self.name != "python" or len(self.args) != 2 or self.args[0].text not in ("conf", "env"):
            return list(self.args)
        pair = self.args[1]
        shown = shown_python_pair(self.args[0].text, pair.text)
        if shown == pair.text:
            return list(self.args)
        quote = pair.raw[: (len(pair.raw) - len(pair.text)) // 2]  # '', ', ", ` or '''
        closing = pair.raw[len(pair.raw) - len(quote):] if quote else ""
        return [self.args[0], Value(pair.kind, shown, quote + shown + closing)]


@dataclass
class PassthroughStatement(Statement):
    """insert/create/drop/refresh/connect/register/unregister/include: parsed, not run locally."""

    verb: str = ""
    keyword: ClassVar[str] = "passthrough"


@dataclass
class ConnectStatement(PassthroughStatement):
    """`connect FORMAT where ... [as name]`: keeps the options for later `FORMAT.`name.x`` paths
    (without `as`, as the defaults of the format); options are rendered when it runs."""

    format: str = ""
    options: Options = field(default_factory=dict)
    name: str = ""
    keyword: ClassVar[str] = "connect"

    def describe(self) -> str:
        named = f" as {self.name}" if self.name else ""
        return f"connect {self.format}{describe_options(self.options)}{named}"


@dataclass
class RegisterStatement(PassthroughStatement):
    """`register ET.`path` as name where ...`: `register ScriptUDF` runs locally (engine/script_udf.py);
    the parts are kept as written, rendered at run time like load's."""

    et: str = ""
    path: Value = None  # type: ignore[assignment]
    name: str = ""  # the function name as written
    options: Options = field(default_factory=dict)
    keyword: ClassVar[str] = "register"

    def describe(self) -> str:
        return f"register {self.et}.{short_value(self.path)} as {self.name}{describe_options(self.options)}"


@dataclass
class IncludeStatement(PassthroughStatement):
    """`include FORMAT.`path` [where ...]`: replaced by the statements of its target before anything
    runs (docs/spec.md §12.2), so no executor ever sees one."""

    format: str = ""
    path: Value = None  # type: ignore[assignment]
    options: Options = field(default_factory=dict)
    verb: str = "include"

    def describe(self) -> str:
        return f"include {self.format}.{short_value(self.path)}{describe_options(self.options)}"


@dataclass
class Script:
    source: str
    statements: list = field(default_factory=list)

    def describe(self) -> str:
        hidden = secret_variables(self.source)  # variables a secret option uses: their values too
        return "\n".join(f"{s.span.line}:{s.span.col}\t{_described(s, hidden)}" for s in self.statements)


def _described(statement: Statement, hidden: set) -> str:
    if isinstance(statement, SetStatement) and statement.key in hidden:
        return f"set {statement.key}={MASK}{describe_options(statement.options)}"
    return statement.describe()
