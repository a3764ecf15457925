"""The one exception family of the project (docs/design.md §4.7).

Every error carries the span of the statement it belongs to, so that each front-end can print one
message of the form ``line 3:1 in `load jsonStr.`x` as t`: <what went wrong>``. `str(error)` is
that message, bounded (`bounded`), so the kernel, the magic and `byzer run` never flood a screen.
"""
from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING, Optional

from .secrets import mask_secrets

if TYPE_CHECKING:  # pragma: no cover
    from .statements import Span, Statement

MESSAGE_MAX_LINES = 200
MESSAGE_MAX_BYTES = 100_000
# A message the detail repeats in full (a traceback ends with it) shows this much in the headline.
HEADLINE_MESSAGE_CHARS = 200

log = logging.getLogger("byzer_kernel")
# A library does not print its log by itself: front-ends route it (the kernel to its own log,
# `byzer run --debug` to stderr). Without this, logging's last-resort handler would write the
# traceback of an internal error to sys.stderr, which inside a kernel is the cell's output.
log.addHandler(logging.NullHandler())


class ByzerError(Exception):
    """Base of every error the engine reports to a user."""

    kind = "Error"

    def __init__(self, message: str, span: "Optional[Span]" = None, statement_text: str = "",
                 detail: str = ""):
        super().__init__(message)
        self.message = message
        self.span = span
        self.statement_text = statement_text
        # Extra lines shown under the message (a caret line, the user's Python code lines...).
        self.detail = detail

    def attach(self, statement: "Statement") -> "ByzerError":
        """Name the statement this error belongs to, unless a more precise place is known."""
        if self.span is None:
            self.span = statement.span
        if not self.statement_text:
            self.statement_text = statement.text
        return self

    @property
    def location(self) -> str:
        return f"line {self.span.line}:{self.span.col}" if self.span else ""

    def headline(self) -> str:
        where = self.location
        head = _abbreviate(mask_secrets(self.statement_text))
        message = self.message
        if self.detail and len(message) > HEADLINE_MESSAGE_CHARS and message in self.detail:
            message = first_line(message)  # the detail shows it once, in full
        if where and head:
            return f"{self.kind} at {where} in `{head}`: {message}"
        if where:
            return f"{self.kind} at {where}: {message}"
        return f"{self.kind}: {message}"

    def user_message(self) -> str:
        """What every front-end shows: the headline, then the detail, bounded."""
        return bounded(self.headline() + (f"\n{self.detail}" if self.detail else ""))

    def __str__(self) -> str:
        return self.user_message()


class ByzerSyntaxError(ByzerError):
    kind = "SyntaxError"


class ScriptEncodingError(ByzerSyntaxError):
    """A script file that is not UTF-8 text (or holds binary data)."""

    kind = "EncodingError"


class ByzerRuntimeError(ByzerError):
    kind = "Error"


class UnsupportedStatementError(ByzerRuntimeError):
    kind = "NotSupported"


class TableNotFoundError(ByzerRuntimeError):
    kind = "TableNotFound"


class UnknownFormatError(ByzerRuntimeError):
    """A load/save format the engine does not know."""

    kind = "UnknownFormat"


class UndefinedVariableError(ByzerRuntimeError):
    kind = "UndefinedVariable"


class UsageError(ByzerRuntimeError):
    """A command or ET used wrongly: wrong arguments, a required `where` option missing."""

    kind = "UsageError"


class TemplateError(ByzerRuntimeError):
    kind = "TemplateError"


class SchemaError(ByzerRuntimeError):
    kind = "SchemaError"


class PythonCodeError(ByzerRuntimeError):
    """The user's Python code failed; ``detail`` holds its traceback with the code's own lines."""

    kind = "PythonError"


class RayConnectionError(ByzerRuntimeError):
    kind = "RayConnectionError"


class DatabaseError(ByzerRuntimeError):
    """A database (`connect jdbc`, `load`/`save jdbc`, `!jdbc`) refused or failed: a login, an
    unknown table, a constraint; the message names the database and never its password."""

    kind = "DatabaseError"


class SparkError(ByzerRuntimeError):
    """Spark refused or failed a statement under the Spark engine (docs/reference/spark-engine.md):
    Spark's own message, pointed at the statement (and at the place in its SQL when Spark says)."""

    kind = "SparkError"


class SparkUnavailableError(ByzerRuntimeError):
    """The Spark engine cannot run: no pyspark, no Java runtime, a master that does not answer, a
    Spark that failed to start or went away. The message says what to install, start or fix."""

    kind = "SparkUnavailable"


class InternalError(ByzerError):
    """A bug of byzer_kernel (not of the user's script): the user sees one short line, the full
    traceback (``traceback_text``) goes to the log."""

    kind = "InternalError"
    logged = False  # its traceback is logged once, where it first meets the Session

    def __init__(self, message: str, span: "Optional[Span]" = None, statement_text: str = "",
                 detail: str = "", traceback_text: str = ""):
        super().__init__(message, span, statement_text, detail)
        self.traceback_text = traceback_text

    @classmethod
    def from_exception(cls, error: BaseException) -> "InternalError":
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return cls(_internal_message(type(error).__name__, str(error)), traceback_text=text)

    @classmethod
    def from_traceback_text(cls, text: str) -> "InternalError":
        """For a failure formatted elsewhere (another process): its last line names the exception."""
        lines = [line for line in text.strip().splitlines() if line.strip()]
        exc_type, _, said = (lines[-1] if lines else "Exception").partition(":")
        return cls(_internal_message(exc_type.strip(), said.strip()), traceback_text=text)


def internal_error(error: BaseException, statement: "Optional[Statement]" = None) -> InternalError:
    """An unexpected exception as an InternalError naming its statement; its traceback is logged."""
    internal = InternalError.from_exception(error)
    if statement is not None:
        internal.attach(statement)
    log_internal_error(internal, exc_info=(type(error), error, error.__traceback__))
    return internal


def log_internal_error(error: InternalError, exc_info=None) -> None:
    """Log the error's traceback at ERROR on the `byzer_kernel` logger, once; without the exception
    itself (made from another process's traceback text) the text is logged."""
    if error.logged:
        return
    error.logged = True
    if exc_info is not None:
        log.error("%s", error.headline(), exc_info=exc_info)
    else:
        log.error("%s\n%s", error.headline(), error.traceback_text.rstrip("\n"))


def _internal_message(exc_type: str, said: str) -> str:
    said = first_line(said)
    return (f"{exc_type}: {said}" if said else exc_type) + \
        " (a bug in byzer_kernel; the traceback is in the kernel log)"


def first_line(text: str, limit: int = HEADLINE_MESSAGE_CHARS) -> str:
    """The first non-blank line of a message, cut to `limit` characters; `…` says that more follows."""
    stripped = text.strip()
    line = next((part.strip() for part in stripped[: limit * 4].splitlines() if part.strip()), "")
    if len(line) > limit:
        return line[: limit - 1] + "…"
    return line if len(line) == len(stripped) else line + " …"


def bounded(text: str, max_lines: int = MESSAGE_MAX_LINES, max_bytes: int = MESSAGE_MAX_BYTES) -> str:
    """`text` when it fits, else its beginning and its end (where a traceback names the exception)
    around one line saying what was cut, e.g. `... (1,234 lines / 9.8 MB cut)`."""
    lines = text.count("\n") + 1
    if lines <= max_lines and (len(text) * 4 <= max_bytes or _utf8_size(text) <= max_bytes):
        return text
    note_room = 100  # bytes kept for the note itself
    head_lines, tail_lines = (max_lines - 1) * 3 // 4, (max_lines - 1) // 4
    head_bytes, tail_bytes = (max_bytes - note_room) * 3 // 4, (max_bytes - note_room) // 4
    head = _fitting_prefix(text[:_end_of_first_lines(text, head_lines)], head_bytes)
    tail = _fitting_suffix(text[_start_of_last_lines(text, tail_lines):], tail_bytes)
    if len(head) + len(tail) >= len(text):
        return text
    cut = text[len(head): len(text) - len(tail)]
    cut_lines = lines - (head.count("\n") + 1) - (tail.count("\n") + 1)
    amount = f"{cut_lines:,} lines / " if cut_lines > 0 else ""
    return f"{head}\n... ({amount}{_size(_utf8_size(cut))} cut)\n{tail}"


def _end_of_first_lines(text: str, count: int) -> int:
    end = -1
    for _ in range(count):
        end = text.find("\n", end + 1)
        if end < 0:
            return len(text)
    return end


def _start_of_last_lines(text: str, count: int) -> int:
    start = len(text)
    for _ in range(count):
        start = text.rfind("\n", 0, start)
        if start < 0:
            return 0
    return start + 1


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _fitting_prefix(text: str, max_bytes: int) -> str:
    """The longest prefix whose UTF-8 form fits in max_bytes (never a broken character)."""
    text = text[:max_bytes]  # a character takes at least one byte
    data = text.encode("utf-8", "surrogatepass")
    return text if len(data) <= max_bytes else _decode_whole(data[:max_bytes], from_end=False)


def _fitting_suffix(text: str, max_bytes: int) -> str:
    text = text[len(text) - max_bytes:] if len(text) > max_bytes else text
    data = text.encode("utf-8", "surrogatepass")
    return text if len(data) <= max_bytes else _decode_whole(data[len(data) - max_bytes:], from_end=True)


def _decode_whole(data: bytes, from_end: bool) -> str:
    """Decode bytes cut out of UTF-8 text, dropping the partial character at the cut."""
    for trim in range(4):
        part = data[trim:] if from_end else data[: len(data) - trim]
        try:
            return part.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "ignore")


def _size(count: int) -> str:
    for unit, scale in (("GB", 10 ** 9), ("MB", 10 ** 6), ("kB", 10 ** 3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count:,} bytes"


def _abbreviate(text: str, limit: int = 60) -> str:
    first = " ".join(text[: limit * 4].split())  # a statement may hold megabytes of JSON
    return first if len(first) <= limit else first[: limit - 3] + "..."
