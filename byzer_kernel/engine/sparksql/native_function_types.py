"""Spark's result types of the functions sqlglot parses into nodes of its own (the ones the registry
does not declare: upper, trim, `position(a IN b)`, row_number, stddev, regr_*...), and of the
registered string functions whose type follows their first argument (substring of a binary is a
binary), for result_types.SparkTypes. Without them an expression holding one (`struct(upper(s))`,
`array(upper(s), 1)`, `upper(s) + 1`) has no Spark type, and Spark's implicit casts around it are
missed."""
from __future__ import annotations

from sqlglot import exp

from .casts import spark_type
from .spark_types import BIGINT, DOUBLE, STRING, T, kind

INT = spark_type("int")
_BINARY = (T.BINARY, T.VARBINARY)

_FIXED = {
    STRING: (exp.Upper, exp.Lower, exp.Trim, exp.ConcatWs, exp.CurrentDatabase, exp.CurrentCatalog,
             exp.CurrentUser),
    INT: (exp.StrPosition, exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile),
    BIGINT: (exp.CountIf, exp.ApproxDistinct),
    DOUBLE: (exp.Rand, exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance, exp.VariancePop,
             exp.CovarPop, exp.CovarSamp, exp.CumeDist, exp.PercentRank, exp.RegrAvgx,
             exp.RegrAvgy, exp.RegrR2, exp.RegrSlope, exp.RegrIntercept, exp.RegrSxx,
             exp.RegrSyy, exp.RegrSxy),
    spark_type("date"): (exp.CurrentDate,),
    spark_type("timestamp"): (exp.CurrentTimestamp,),
}


def _text_or_binary(types, node):
    """substring/overlay: a binary of a binary, else a string."""
    return types.of(node.this) if kind(types.of(node.this)) in _BINARY else STRING


def _concat(types, node):
    """concat: arrays of one type concatenate to it, binaries to a binary, the rest to a string."""
    found = [types.of(argument) for argument in node.expressions]
    if found and all(kind(t) == T.ARRAY for t in found) and all(t == found[0] for t in found):
        return found[0]
    if found and all(kind(t) in _BINARY for t in found):
        return found[0]
    return STRING


NATIVE_RULES = {
    **{node_class: (lambda fixed: lambda types, node: fixed)(data_type)
       for data_type, classes in _FIXED.items() for node_class in classes},
    exp.Substring: _text_or_binary,
    exp.Overlay: _text_or_binary,
    exp.Concat: _concat,
    # the value of one of the rows: the argument's type
    exp.Lead: lambda types, node: types.of(node.this),
    exp.Lag: lambda types, node: types.of(node.this),
    exp.NthValue: lambda types, node: types.of(node.this),
    exp.FirstValue: lambda types, node: types.of(node.this),
    exp.LastValue: lambda types, node: types.of(node.this),
    exp.ArgMax: lambda types, node: types.of(node.this),
    exp.ArgMin: lambda types, node: types.of(node.this),
}


def _first_text_or_binary(types, node: exp.Anonymous):
    first = types.of(node.expressions[0]) if node.expressions else None
    return first if kind(first) in _BINARY else STRING


# registered functions without a declared result (a string, or a binary of a binary)
NAMED_RULES = {name: _first_text_or_binary
               for name in ("substring", "substr", "left", "right", "overlay", "lpad", "rpad")}
