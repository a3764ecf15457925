"""The parser `naming` reads a query with: Spark SQL as written, without sqlglot's rewrites into
typed nodes, so that each column name can be spelled the way Spark spells it.

Every function call stays a plain call (`exp.Anonymous`) with the name as written and the
arguments in Spark's order, as the pipeline's dialect reads registered functions; only Spark's
keyword syntaxes (`CAST(x AS t)`, `EXTRACT(f FROM x)`, `TRIM(BOTH c FROM s)`,
`SUBSTRING(s FROM i FOR n)`, `POSITION(a IN s)`, `OVERLAY(... PLACING ...)`) keep sqlglot's nodes.
The typed literals `DATE '...'` and `TIMESTAMP '...'` stay exp.Cast, while CAST(...) as written
is exp.TryCast (Spark's CAST is lenient), TRY_CAST a `safe` TryCast. A numeric literal with a
type suffix (`1L`, `2.5D`), which sqlglot reads as a `::` cast, is marked as a literal, since
Spark names it by its value alone; so is an interval of several units (`INTERVAL 1 DAY 2 HOURS`),
which sqlglot reads as a sum. `||` binds as `+` does in Spark.
"""
from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.parsers.spark import SparkParser
from sqlglot.tokens import TokenType

from .dialect import ByzerSpark, ByzerSparkParser
from .dialect import _plain_call_first as plain_call_first

NUMERIC_SUFFIX = "numeric_suffix"  # meta key: this Cast is a literal such as 1L or 2.5D
INTERVAL_UNITS = "interval_units"  # meta key: this Add is one literal `INTERVAL 1 DAY 2 HOURS`

_AS_PARSED = ("CAST", "TRY_CAST", "BROADCAST", "BROADCASTJOIN", "MAPJOIN", "MERGE",
              "SHUFFLEMERGE", "MERGEJOIN", "SHUFFLE_HASH", "SHUFFLE_REPLICATE_NL")


def _suffixed_literal(self, this, to):
    cast = self.build_cast(strict=self.STRICT_CAST, this=this, to=to)
    if isinstance(this, exp.Literal) and not this.is_string:
        cast.meta[NUMERIC_SUFFIX] = True
    return cast


def _extract_as_written(self):
    """sqlglot upper-cases EXTRACT's field; Spark's name keeps it as written."""
    field = self._curr.text if self._curr else None
    node = SparkParser.FUNCTION_PARSERS["EXTRACT"](self)
    if isinstance(node, exp.Extract) and isinstance(node.this, exp.Var) and field:
        node.set("this", exp.var(field))
    return node


class NamingParser(ByzerSparkParser):
    FUNCTIONS = {}
    FUNCTION_PARSERS = {**{name: parse if name in _AS_PARSED else plain_call_first(parse)
                           for name, parse in SparkParser.FUNCTION_PARSERS.items()},
                        "EXTRACT": _extract_as_written}
    TERM = {**ByzerSparkParser.TERM, TokenType.DPIPE: exp.DPipe}  # Spark: `||` binds like `+`
    NO_PAREN_FUNCTION_PARSERS = {name: parser for name, parser
                                 in ByzerSparkParser.NO_PAREN_FUNCTION_PARSERS.items()
                                 if name in ("CASE", "IF")}
    COLUMN_OPERATORS = {**ByzerSparkParser.COLUMN_OPERATORS, TokenType.DCOLON: _suffixed_literal}

    def _parse_interval(self, *args, **kwargs):
        """sqlglot reads `INTERVAL 1 DAY 2 HOURS` as a sum of intervals; Spark, as one literal."""
        interval = super()._parse_interval(*args, **kwargs)
        if isinstance(interval, exp.Add):
            interval.meta[INTERVAL_UNITS] = True
        return interval


class NamingSpark(ByzerSpark):
    Parser = NamingParser


def parse_as_written(sql: str):
    """The query as written, or None where this reading fails (the caller then names from the
    pipeline's own tree)."""
    try:
        return sqlglot.parse_one(sql, dialect=NamingSpark)
    except sqlglot.errors.SqlglotError:
        return None
