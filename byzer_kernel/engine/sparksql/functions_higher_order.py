"""Spark's higher-order functions (`transform`, `filter`, `exists`, `aggregate`, `zip_with`,
`map_filter`...) on DuckDB's list lambdas (see registry.py for how a function is declared).

A Spark lambda arrives as sqlglot's exp.Lambda whose body names its parameters as identifiers and
is already in DuckDB's terms; a builder substitutes what DuckDB's lambda gives for each Spark
parameter (a 0-based index for DuckDB's 1-based one, a map entry's `key`/`value`...)."""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .naming import pretty
from .registry import duck, macro, spark_function, spark_name, spark_node

LAMBDA_VARIABLE = "namedlambdavariable()"


# --- Spark's lambdas in DuckDB ------------------------------------------------------------------

def lambda_parts(function: exp.Expression, name: str, arity: tuple) -> tuple[list, exp.Expression]:
    """The parameter names and body of a lambda argument of `name`, which takes `arity` params."""
    if not isinstance(function, exp.Lambda):
        raise ByzerRuntimeError(f"function `{name}` expects a lambda function such as `x -> x + 1`")
    params = [param.name for param in function.expressions]
    if len(params) not in arity:
        expected = " or ".join(str(n) for n in arity)
        raise ByzerRuntimeError(f"the lambda function of `{name}` takes {expected} arguments; "
                                f"{len(params)} given")
    return params, _tuples_as_structs(function.this.copy())


def substitute(body: exp.Expression, values: dict) -> exp.Expression:
    """`body` with each Spark lambda parameter named in `values` replaced by that expression (a
    nested lambda that declares the same name hides it; `x.field` reads the field of x's value)."""
    replaced = _parameter_value(body, values)
    if replaced is not None:
        return replaced
    if isinstance(body, exp.Lambda):
        hidden = {param.name for param in body.expressions}
        values = {name: value for name, value in values.items() if name not in hidden}
    for key, child in list(body.args.items()):
        if isinstance(child, exp.Expression):
            body.set(key, substitute(child, values))
        elif isinstance(child, list):
            body.set(key, [substitute(c, values) if isinstance(c, exp.Expression) else c for c in child])
    return body


def _parameter_value(node: exp.Expression, values: dict) -> Optional[exp.Expression]:
    if isinstance(node, exp.Column) and node.table in values and not node.args.get("db"):
        return exp.Dot(this=values[node.table].copy(), expression=node.this.copy())
    if not isinstance(node, (exp.Identifier, exp.Column)) or node.name not in values:
        return None
    if isinstance(node, exp.Column) and node.table:
        return None
    if _is_name_position(node):
        return None
    return values[node.name].copy()


def _is_name_position(node: exp.Expression) -> bool:
    """An identifier that names something (a field, a parameter, an alias), not a variable's use."""
    parent, key = node.parent, node.arg_key
    if isinstance(parent, exp.Column):
        return True
    return (isinstance(parent, exp.Dot) and key == "expression") or \
        (isinstance(parent, exp.Lambda) and key == "expressions") or \
        (isinstance(parent, exp.PropertyEQ) and key == "this") or \
        (isinstance(parent, exp.Alias) and key == "alias")


def duck_lambda(params: list, body: exp.Expression) -> exp.Lambda:
    return exp.Lambda(this=body, expressions=[exp.to_identifier(p) for p in params])


def _tuples_as_structs(body: exp.Expression) -> exp.Expression:
    """Spark's `(y, x)` in a lambda is a struct whose fields take the names of the columns and
    lambda variables in it, and `colN` otherwise."""
    def as_struct(node):
        if not isinstance(node, exp.Tuple):
            return node
        return exp.Struct(expressions=[
            exp.PropertyEQ(this=exp.to_identifier(_field_name(value, i)), expression=value)
            for i, value in enumerate(node.expressions)])

    return body.transform(as_struct)


def _field_name(value: exp.Expression, index: int) -> str:
    if isinstance(value, (exp.Identifier, exp.Column)):
        return value.name
    return f"col{index + 1}"


def _index_from_zero(params: list, body: exp.Expression) -> exp.Expression:
    """A Spark `(x, i)` lambda's index counts from 0 and is an int; DuckDB's counts from 1."""
    if len(params) < 2:
        return body
    return substitute(body, {params[1]: duck("CAST(_0 - 1 AS INT)", exp.column(params[1]))})


# --- arrays -----------------------------------------------------------------------------------

@spark_function("transform")
def transform(array, function):
    params, body = lambda_parts(function, "transform", (1, 2))
    return duck("list_transform(_0, _1)", array, duck_lambda(params, _index_from_zero(params, body)))


@spark_node(exp.Transform)
def transform_node(node):
    """sqlglot's Hive parser reads `transform(...)` into its own node (for Hive's TRANSFORM clause)."""
    return transform(node.this, node.expression)


@spark_function("filter")
def filter_(array, function):
    params, body = lambda_parts(function, "filter", (1, 2))
    return duck("list_filter(_0, _1)", array, duck_lambda(params, _index_from_zero(params, body)))


# Three-valued `exists`/`forall` as Spark 3.3 has them, over the list of the predicate's answers:
# a deciding answer decides, else a NULL answer (or array) gives NULL. (DuckDB computes the
# repeated `flags` once.)
macro("""CREATE MACRO spark_exists(flags) AS CASE WHEN list_position(flags, true) IS NOT NULL THEN true
    WHEN flags IS NULL OR list_position(flags, NULL) IS NOT NULL THEN NULL ELSE false END""")
macro("""CREATE MACRO spark_forall(flags) AS CASE WHEN list_position(flags, false) IS NOT NULL THEN false
    WHEN flags IS NULL OR list_position(flags, NULL) IS NOT NULL THEN NULL ELSE true END""")


@spark_function("exists")
def exists(array, function):
    params, body = lambda_parts(function, "exists", (1,))
    return duck("spark_exists(list_transform(_0, _1))", array, duck_lambda(params, body))


@spark_function("forall")
def forall(array, function):
    params, body = lambda_parts(function, "forall", (1,))
    return duck("spark_forall(list_transform(_0, _1))", array, duck_lambda(params, body))


@spark_function("aggregate")
def aggregate(array, zero, merge, finish=None):
    params, body = lambda_parts(merge, "aggregate", (2,))
    reduced = duck("list_reduce(_0, _1, _2)", array, duck_lambda(params, body), zero)
    if finish is None:
        return reduced
    (result,), finish_body = lambda_parts(finish, "aggregate", (1,))
    return substitute(finish_body, {result: reduced})


@spark_name("aggregate")
def _aggregate_name(node):
    """Spark names the identity finish function it adds."""
    args = [pretty(arg) for arg in node.expressions]
    if len(args) == 3:
        args.append(f"lambdafunction({LAMBDA_VARIABLE}, {LAMBDA_VARIABLE})")
    return f"{node.name.lower()}({', '.join(args)})"


@spark_function("zip_with")
def zip_with(left, right, function):
    """The shorter array is padded with NULLs."""
    (x, y), body = lambda_parts(function, "zip_with", (2,))
    body = substitute(body, {x: duck("_0[k + 1]", left), y: duck("_0[k + 1]", right)})
    return duck("CASE WHEN _0 IS NULL OR _1 IS NULL THEN NULL "
                "ELSE list_transform(range(greatest(len(_0), len(_1))), _2) END",
                left, right, duck_lambda(["k"], body))


def comparator_sort(array, function):
    """`array_sort` with a comparator, stably as Java's sort: each element's place is the number
    of elements that sort before it (smaller, or equal and earlier)."""
    (left, right), body = lambda_parts(function, "array_sort", (2,))
    before = substitute(body, {left: exp.column("other"), right: exp.column("x")})
    # sign(cmp) * 2 + (-1 when the other element comes earlier, else 1) < 0: it sorts before x
    earlier = duck("sign(_0) * 2 + CASE WHEN j < i THEN -1 ELSE 1 END < 0", before)
    place = duck("len(list_filter(_0, _1))", array, duck_lambda(["other", "j"], earlier))
    ranked = duck("list_transform(_0, _1)", array,
                  duck_lambda(["x", "i"], duck("{'place': _0, 'value': x}", place)))
    return duck("list_transform(list_sort(_0), lambda s: s.value)", ranked)


# --- maps -------------------------------------------------------------------------------------

def _entry_values(params: list, body: exp.Expression) -> exp.Expression:
    """A `(k, v)` map lambda over DuckDB's map entries `e`."""
    values = {params[0]: duck("e.key"), params[1]: duck("e.value")} if len(params) > 1 \
        else {params[0]: duck("e.key")}
    return duck_lambda(["e"], substitute(body, values))


@spark_function("map_filter")
def map_filter(map_, function):
    params, body = lambda_parts(function, "map_filter", (2,))
    return duck("map_from_entries(list_filter(map_entries(_0), _1))", map_, _entry_values(params, body))


@spark_function("transform_values")
def transform_values(map_, function):
    params, body = lambda_parts(function, "transform_values", (2,))
    return duck("map(map_keys(_0), list_transform(map_entries(_0), _1))", map_,
                _entry_values(params, body))


@spark_function("transform_keys")
def transform_keys(map_, function):
    """Duplicate or NULL keys fail, as in Spark (spark.sql.mapKeyDedupPolicy=EXCEPTION)."""
    params, body = lambda_parts(function, "transform_keys", (2,))
    return duck("map(list_transform(map_entries(_0), _1), map_values(_0))", map_,
                _entry_values(params, body))


@spark_function("map_zip_with")
def map_zip_with(left, right, function):
    """Over the keys of both maps, the left map's first; a key missing on one side gives NULL."""
    (k, v1, v2), body = lambda_parts(function, "map_zip_with", (3,))
    keys = duck("list_concat(map_keys(_0), list_filter(map_keys(_1), "
                "lambda key: NOT list_contains(map_keys(_0), key)))", left, right)
    body = substitute(body, {k: exp.column("key"), v1: duck("_0[key]", left),
                             v2: duck("_0[key]", right)})
    return duck("CASE WHEN _0 IS NULL OR _1 IS NULL THEN NULL ELSE map(_2, list_transform(_2, _3)) END",
                left, right, keys, duck_lambda(["key"], body))


def is_lambda(node: Optional[exp.Expression]) -> bool:
    return isinstance(node, exp.Lambda)
