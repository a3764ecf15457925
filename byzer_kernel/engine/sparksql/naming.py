"""Spark's names for result columns the query does not alias (Spark's `toPrettySQL`): literals as
their values, columns without their qualifier, functions as `name(arg, ...)` with the name as
written, operators in parentheses. Byzer scripts refer to these names in later statements."""
from __future__ import annotations

from sqlglot import exp

from .dialect import ORIGINAL_NAME
from .registry import NAMES


def name_projections(tree: exp.Expression) -> None:
    """Alias the unaliased projections of the query's outermost SELECT (the first of a UNION)."""
    select = tree
    while isinstance(select, exp.SetOperation):
        select = select.this
    if not isinstance(select, exp.Select):
        return
    for projection in list(select.expressions):
        if isinstance(projection, (exp.Alias, exp.Column, exp.Star)) or projection.find(exp.Star):
            continue
        projection.replace(exp.alias_(projection.copy(), pretty(projection), quoted=True))


def pretty(node: exp.Expression) -> str:
    render = NAMES.get(str(node.this).lower() if isinstance(node, exp.Anonymous) else type(node))
    if render is not None:
        return render(node)
    render = _RENDER.get(type(node))
    if render is not None:
        return render(node)
    for cls, render in _BY_BASE:
        if isinstance(node, cls):
            return render(node)
    return node.sql(dialect="spark")


def _args(node: exp.Expression) -> list:
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    found = []
    for key in node.arg_types:
        value = node.args.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, exp.Expression):
                found.append(item)
    return found


def _function(node: exp.Func) -> str:
    name = node.meta.get(ORIGINAL_NAME) or (node.this if isinstance(node, exp.Anonymous) else node.sql_name())
    return f"{str(name).lower()}({', '.join(pretty(a) for a in _args(node))})"


def _literal(node: exp.Literal) -> str:
    return node.this


def _binary(node: exp.Binary) -> str:
    operator = _OPERATORS.get(type(node), node.key.upper())
    return f"({pretty(node.this)} {operator} {pretty(node.expression)})"


_OPERATORS = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.EQ: "=",
              exp.NEQ: "!=", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<=", exp.And: "AND",
              exp.Or: "OR", exp.NullSafeEQ: "<=>", exp.BitwiseAnd: "&", exp.BitwiseOr: "|",
              exp.BitwiseXor: "^", exp.IntDiv: "div"}

_RENDER = {
    exp.Literal: _literal,
    exp.Column: lambda node: node.name,
    exp.Null: lambda node: "NULL",
    exp.Boolean: lambda node: "true" if node.this else "false",
    exp.Paren: lambda node: pretty(node.this),
    exp.Neg: lambda node: f"(- {pretty(node.this)})",
    exp.Not: lambda node: f"(NOT {pretty(node.this)})",
    exp.Cast: lambda node: f"CAST({pretty(node.this)} AS {node.to.sql(dialect='spark').upper()})",
    exp.TryCast: lambda node: f"CAST({pretty(node.this)} AS {node.to.sql(dialect='spark').upper()})",
    exp.Star: lambda node: "*",
}
_BY_BASE = [(exp.Binary, _binary), (exp.Func, _function)]
