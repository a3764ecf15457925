"""The one exception family of the project (DESIGN §4.7).

Every error carries the span of the statement it belongs to, so that each front-end can print one
message of the form ``line 3:1 in `load jsonStr.`x` as t`: <what went wrong>``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .statements import Span, Statement


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
        head = _abbreviate(self.statement_text)
        if where and head:
            return f"{self.kind} at {where} in `{head}`: {self.message}"
        if where:
            return f"{self.kind} at {where}: {self.message}"
        return f"{self.kind}: {self.message}"

    def __str__(self) -> str:
        return self.headline() + (f"\n{self.detail}" if self.detail else "")


class ByzerSyntaxError(ByzerError):
    kind = "SyntaxError"


class ByzerRuntimeError(ByzerError):
    kind = "Error"


class UnsupportedStatementError(ByzerRuntimeError):
    kind = "NotSupported"


class TemplateError(ByzerRuntimeError):
    kind = "TemplateError"


class SchemaError(ByzerRuntimeError):
    kind = "SchemaError"


class PythonCodeError(ByzerRuntimeError):
    """The user's Python code failed; ``detail`` holds its traceback with the code's own lines."""

    kind = "PythonError"


class RayConnectionError(ByzerRuntimeError):
    kind = "RayConnectionError"


def _abbreviate(text: str, limit: int = 60) -> str:
    first = " ".join(text[: limit * 4].split())  # a statement may hold megabytes of JSON
    return first if len(first) <= limit else first[: limit - 3] + "..."
