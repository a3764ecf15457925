"""The two sqlglot dialects of the pipeline, as small subclasses of sqlglot's own (docs/design.md §4.2):
`ByzerSpark` reads Spark 3.3 SQL, keeping each function's name as written and leaving the functions
of the registry as plain calls in Spark's argument order; `LocalDuckDB` writes what DuckDB runs."""
from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.dialects.spark import Spark
from sqlglot.generators.duckdb import DuckDBGenerator
from sqlglot.parsers.spark import SparkParser
from sqlglot.tokens import TokenType

ORIGINAL_NAME = "spark_name"


class ByzerSparkParser(SparkParser):
    FUNCTIONS = dict(SparkParser.FUNCTIONS)  # narrowed by use_registry()
    # Spark has no `ARRAY[...]` literal: `array(1, 2)[0]` (a registry call, so named `array`) and a
    # column named `array` are subscripted, not taken for a constructor.
    ARRAY_CONSTRUCTORS: dict = {}
    FUNCTION_PARSERS = dict(SparkParser.FUNCTION_PARSERS)  # likewise

    def _parse(self, parse_method, raw_tokens, sql=None):
        return super()._parse(parse_method, _time_window_calls(raw_tokens), sql)

    def _parse_extract(self):
        """EXTRACT(field FROM x) keeps the field as written: Spark's column name shows it."""
        field = self._curr
        node = super()._parse_extract()
        if isinstance(node, exp.Extract) and field is not None:
            node.meta[ORIGINAL_NAME] = field.text
        return node


def _time_window_calls(tokens: list) -> list:
    """`window(ts, '5 minutes')` is Spark's time window function, which sqlglot would take for
    the WINDOW clause (a syntax error in GROUP BY): WINDOW followed by `(` reads as a name. The
    clause always names its window first (`WINDOW w AS (...)`), so it is never followed by `(`."""
    for token, following in zip(tokens, tokens[1:]):
        if token.token_type == TokenType.WINDOW and following.token_type == TokenType.L_PAREN:
            token.token_type = TokenType.VAR
    return tokens


class ByzerSpark(Spark):
    ORIGINAL_NAME_META_KEY = ORIGINAL_NAME
    Parser = ByzerSparkParser


class LocalDuckDBGenerator(DuckDBGenerator):
    pass


class LocalDuckDB(DuckDB):
    Generator = LocalDuckDBGenerator


def use_registry(names) -> None:
    """Functions the registry rewrites parse as plain calls (exp.Anonymous) with their arguments
    in Spark's order, rather than as sqlglot's typed nodes."""
    ByzerSparkParser.FUNCTIONS = {name: build for name, build in SparkParser.FUNCTIONS.items()
                                  if name.lower() not in names and name not in _NOT_SPARK_SYNTAX}
    ByzerSparkParser.FUNCTION_PARSERS = {
        name: _plain_call_first(parse) if name.lower() in names else parse
        for name, parse in SparkParser.FUNCTION_PARSERS.items() if name not in _NOT_SPARK_SYNTAX}


# sqlglot syntax that Spark's grammar lacks: `convert(x)` is a plain call in Spark (a registered
# function's name, as byzer-doc's `register Discretizer.`/tmp/model` as convert`).
_NOT_SPARK_SYNTAX = {"CONVERT"}


# Words that make a call special syntax: SUBSTRING(s FROM 2 FOR 3), POSITION(x IN s),
# TRIM(BOTH x FROM s), OVERLAY(s PLACING x FROM 2), CHAR(65 USING utf8).
_SYNTAX_WORDS = {TokenType.FROM, TokenType.IN, TokenType.FOR, TokenType.USING}
_SYNTAX_TEXTS = {"PLACING", "BOTH", "LEADING", "TRAILING"}


def _plain_call_first(parse_special):
    """A registered function that sqlglot parses specially (SUBSTRING, TRIM, POSITION, DECODE,
    CHAR...): the plain call `f(a, b)` parses as exp.Anonymous, like every registered function
    (Spark's argument order, the name as written); only the keyword form keeps sqlglot's node."""

    def parse(parser):
        name = parser._tokens[parser._index - 2]
        if _keyword_form(parser):
            return parse_special(parser)
        args = parser._parse_csv(parser._parse_lambda)
        call = parser.expression(exp.Anonymous(this=name.text, expressions=args))
        return call.update_positions(name)

    return parse


def _keyword_form(parser) -> bool:
    depth, index = 0, parser._index
    while index < len(parser._tokens):
        token = parser._tokens[index]
        if token.token_type == TokenType.L_PAREN:
            depth += 1
        elif token.token_type == TokenType.R_PAREN:
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0 and (token.token_type in _SYNTAX_WORDS or token.text.upper() in _SYNTAX_TEXTS):
            return True
        index += 1
    return False
