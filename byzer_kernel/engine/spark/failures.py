"""Spark's failures as one ByzerError each (docs/reference/spark-engine.md, "Errors"): Spark's own
message without its plans and stack traces, pointed at the place in the script that Spark names
inside the query; a Spark that went away is a SparkUnavailableError saying how to go on."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ...lang.errors import ByzerError, PythonCodeError, SparkError, SparkUnavailableError
from ...lang.positions import caret_detail
from ...lang.statements import Span, Statement
from .watch import lost_reason

# Spark's own places in a query: "(line 1, pos 14)" (parser, 0-based pos), "line 1 pos 7" (analyzer).
_PLACE = re.compile(r"\(?line (\d+),? pos (\d+)\)?")
# What follows Spark's message and is not for a notebook: the analyzed plan, the SQL with carets, the JVM's stack.
_TAILS = (re.compile(r";\s*line \d+ pos \d+;?\s*\n.*", re.S), re.compile(r"\n\s*== SQL.*", re.S),
          re.compile(r"\n\s*JVM stacktrace:.*", re.S))
# A registered function's failure raised in Spark's Python worker (engine/spark/functions.py): its
# message, then its detail lines (indented), inside the worker's traceback.
_CODE_FAILURE = re.compile(r"byzer_kernel\.lang\.errors\.PythonCodeError: (?:PythonError: )?([^\n]*)((?:\n  [^\n]*)*)")
GONE_HINT = "run the statement again to start Spark anew, or `!engine duckdb` to go back to the embedded engine"


@dataclass(frozen=True)
class SqlOrigin:
    """Where a query came from: its statement, and where the SQL stands in the statement's text
    (None when it was rendered from variables and does not stand there as written)."""

    statement: Statement
    sql: str
    offset: Optional[int]


def sql_origin(statement: Statement, sql: str) -> SqlOrigin:
    text = statement.text
    offset = 0 if text.startswith(sql) else None
    return SqlOrigin(statement, sql, offset)


def spark_failure(error: BaseException, origin: Optional[SqlOrigin] = None, master: str = "") -> Optional[ByzerError]:
    """The ByzerError for a failure raised by pyspark, or None when it is not Spark's (a bug of ours)."""
    if isinstance(error, ByzerError):
        return error
    lost = lost_reason(master) if master else None
    if lost is not None and "cancel" in str(error).lower():  # jobs the cluster watch cancelled (watch.py)
        return SparkUnavailableError(f"the Spark cluster {master} was lost while the statement ran: {lost}; "
                                     f"{GONE_HINT}")
    if _spark_went_away(error):
        where = f" ({master})" if master else ""
        return SparkUnavailableError(f"Spark{where} no longer answers: {_first_line(str(error))}; {GONE_HINT}")
    from pyspark.errors import PySparkException

    if _is_java_error(error):  # a JVM exception pyspark has no class for: its own message
        return SparkError(spark_message(str(error.java_exception.getMessage() or error.java_exception.toString())))
    if not isinstance(error, PySparkException):
        return None
    code_failure = _CODE_FAILURE.search(str(error))
    if code_failure is not None:  # the same message as on the embedded engine
        return PythonCodeError(code_failure.group(1), detail=code_failure.group(2).strip("\n"))
    message = spark_message(str(error))
    failure = SparkError(message)
    place = _place_in_sql(error, origin.sql if origin else "", str(error))
    if place is not None and origin is not None:
        if origin.offset is not None:
            _point_at(failure, origin.statement, origin.offset + place[0], origin.offset + place[1])
        else:
            line, col = _line_col(origin.sql, place[0])
            failure.message += f" (line {line}:{col} of the SQL)"
    return failure


def spark_message(text: str) -> str:
    for tail in _TAILS:
        text = tail.sub("", text)
    text = _PLACE.sub("", text.strip()).strip()
    return text.rstrip(";").strip() or "Spark failed without a message"


def _place_in_sql(error, sql: str, text: str) -> Optional[tuple[int, int]]:
    """(start, end) offsets in the SQL of what Spark points at, when it says."""
    try:
        contexts = error.getQueryContext()
    except Exception:
        contexts = []
    for context in contexts or []:
        if context.contextType().name == "SQL" and context.startIndex() >= 0:
            return context.startIndex(), context.stopIndex() + 1
    found = _PLACE.search(text)
    if found is None or not sql:
        return None
    line, pos = int(found.group(1)), int(found.group(2))
    start = 0
    for _ in range(line - 1):
        start = sql.find("\n", start) + 1
        if start == 0:
            return None
    offset = min(start + pos, len(sql))
    return offset, offset


def _point_at(failure: ByzerError, statement: Statement, start: int, end: int) -> None:
    text = statement.text
    start = max(0, min(start, len(text)))
    line = statement.span.line + text.count("\n", 0, start)
    newline = text.rfind("\n", 0, start)
    col = statement.span.col + start if newline < 0 else start - newline
    begin = statement.span.start
    failure.span = Span(line=line, col=col, start=begin + start, end=begin + max(end, start))
    failure.statement_text = text
    failure.detail = caret_detail(text, start)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _is_java_error(error: BaseException) -> bool:
    return any(cls.__name__ == "Py4JJavaError" for cls in type(error).__mro__)


def _spark_went_away(error: BaseException) -> bool:
    """The JVM ended (py4j cannot reach it), or a Connect server stopped answering."""
    kind = type(error)
    names = {cls.__name__ for cls in kind.__mro__}
    if "Py4JNetworkError" in names or isinstance(error, (ConnectionError, EOFError)):
        return True
    if "Py4JError" in names and "Py4JJavaError" not in names:
        return True
    if "SparkConnectGrpcException" in names:
        text = str(error)
        return "UNAVAILABLE" in text or "failed to connect" in text.lower()
    return False


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.strip().splitlines() if line.strip()), "no message")[:300]
