"""The casts Spark's analyzer adds (TypeCoercion, DecimalPrecision, ImplicitCastInputTypes), made
explicit on the Spark-side tree before the rewrite, so that DuckDB computes what Spark computes:

- comparisons of a string with a number, date or timestamp cast the string (`id = ''` is NULL);
- arithmetic reads strings as doubles (`'1' + 2` is 3.0); integer arithmetic wraps on overflow;
  decimal arithmetic has Spark's precision and scale (`%` and `div` are functions_math_arith's);
- CASE, IF, COALESCE, NVL2, IN and UNION widen their branches to one type (strings win);
- the arguments of registered functions are cast to their declared `inputs`;
- every CAST learns its operand's Spark type, for casts.py.
"""
from __future__ import annotations

from typing import Optional

from sqlglot import exp

from .casts import (FROM_TYPE, INTEGRAL_BITS, SPARK_TYPE, TIMESTAMPS, IntegralArithmetic, plain_cast,
                    plain_try_cast, spark_type)
from .registry import FUNCTIONS, duck
from .result_types import BIGINT, DOUBLE, STRING, SparkTypes, is_decimal, is_integral, is_text, kind, wider_all

T = exp.DataType.Type
INPUTS_CAST = "spark_inputs_cast"  # meta key: coercion already cast a registered call's arguments
_DATETIME = TIMESTAMPS | {T.DATE, T.INTERVAL}


def coerce(tree: exp.Expression, schema: dict) -> exp.Expression:
    """Add Spark's implicit casts to `tree` (innermost first); `schema` as in SparkTypes."""
    types = SparkTypes(schema)
    for node in reversed(list(tree.walk(bfs=False))):
        rule = _RULES.get(type(node))
        if rule is None:
            for base, base_rule in _BASE_RULES:
                if isinstance(node, base):
                    rule = base_rule
                    break
        if rule is not None:
            replacement = rule(types, node)
            if replacement is not None and node is tree:
                tree = replacement
        found = types.of(node)
        if found is not None:
            node.meta[SPARK_TYPE] = found
    return tree


def cast_to(types: SparkTypes, node: exp.Expression, target: exp.DataType) -> exp.Expression:
    """Wrap `node` in place in Spark's CAST to `target` (casts.py builds it in the rewrite)."""
    source = types.of(node)
    placeholder = exp.Null()
    node.replace(placeholder)
    cast = exp.Cast(this=node, to=target.copy())
    if source is not None and kind(source) != T.NULL:
        cast.meta[FROM_TYPE] = source
    cast.meta[SPARK_TYPE] = target
    types._memo[id(cast)] = target
    placeholder.replace(cast)
    return cast


def wrap(types: SparkTypes, node: exp.Expression, build) -> exp.Expression:
    """Replace `node` by `build(node)` (an expression that holds `node`), keeping its type."""
    known = types.of(node)
    placeholder = exp.Null()
    node.replace(placeholder)
    built = build(node)
    types._memo[id(built)] = known
    placeholder.replace(built)
    return built


def _cast_if_needed(types, node, target) -> None:
    if node is None or target is None:
        return
    source = types.of(node)
    if source is not None and source != target and kind(source) != T.NULL:
        cast_to(types, node, target)


# -- operators ---------------------------------------------------------------------------------
def _user_cast(types, node):
    node.meta[FROM_TYPE] = types.of(node.this)
    return None


def _arithmetic(types, node):
    left, right = types.of(node.this), types.of(node.expression)
    if is_text(left) and kind(right) == T.INTERVAL and isinstance(node, (exp.Add, exp.Sub)):
        return _text_plus_interval(types, node)
    if kind(left) in _DATETIME or kind(right) in _DATETIME or isinstance(node, exp.IntDiv):
        return None  # date and interval arithmetic, `div`: the functions modules' business
    for side, side_type in ((node.this, left), (node.expression, right)):
        if is_text(side_type):
            cast_to(types, side, DOUBLE)
    result = types.of(node)
    if result is None:
        return None
    if is_integral(result) and isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        return wrap(types, node, lambda n: _wrapping(n, result))
    if is_decimal(result):
        return wrap(types, node, lambda n: exp.Cast(this=n, to=result.copy()))
    return None


def _text_plus_interval(types, node):
    """`'2011-11-11' - interval 2 day`: Spark reads the string as a timestamp and answers a string."""
    timestamp = spark_type("timestamp")
    cast_to(types, node.this, timestamp)
    text = wrap(types, node, lambda n: exp.Cast(this=n, to=STRING.copy()))
    text.meta[FROM_TYPE] = timestamp
    text.meta[SPARK_TYPE] = STRING
    return text


def _wrapping(node, result):
    """Integer arithmetic that wraps around as Java's does: DuckDB's checked operation for the
    query's first run, the wrapping one for a second run where the first overflows."""
    folded = _folded_literals(node, result)
    if folded is not None:
        return folded
    bits = INTEGRAL_BITS[result.this]
    widened = node.copy()
    wide = exp.DataType.build("HUGEINT" if bits == 64 else "BIGINT")
    widened.set("this", plain_cast(widened.this, wide))
    wrapped = plain_cast(duck(f"spark_wrap_{'huge' if bits == 64 else 'big'}(_0, {bits})", widened), result)
    if node.this.find(exp.Column) and node.expression.find(exp.Column):
        checked = plain_cast(node, result)
    else:  # DuckDB moves constants out (`sum(x + 1)` is sum(x) + count(x), `x + 1 > 5` is x > 4),
        # overflowing nowhere: computed wide, the CAST back reports the overflow
        checked = plain_cast(widened.copy(), result)
    return IntegralArithmetic(this=checked, wrapped=wrapped)


def _folded_literals(node, result) -> Optional[exp.Expression]:
    """`1 + 2` of two integer literals: the wrapped value itself."""
    values = [_integer_literal(side) for side in (node.this, node.expression)]
    if None in values:
        return None
    left, right = values
    value = left + right if isinstance(node, exp.Add) else left - right if isinstance(node, exp.Sub) \
        else left * right
    bits = INTEGRAL_BITS[result.this]
    value = (value + 2 ** (bits - 1)) % 2 ** bits - 2 ** (bits - 1)
    literal = exp.Literal.number(abs(value))
    return plain_cast(literal if value >= 0 else exp.Neg(this=literal), result)


def _integer_literal(node) -> Optional[int]:
    negative = isinstance(node, exp.Neg)
    literal = node.this if negative else node
    if isinstance(literal, exp.Literal) and literal.is_number and literal.this.isdigit():
        return -int(literal.this) if negative else int(literal.this)
    return None


def _negation(types, node):
    if is_text(types.of(node.this)):
        cast_to(types, node.this, DOUBLE)
    return None


def comparison_type(left, right) -> Optional[exp.DataType]:
    """findCommonTypeForBinaryComparison: a string meets a date, timestamp or number as that type
    (a decimal as a double); a date meets a timestamp as a timestamp."""
    if left is None or right is None or left == right:
        return None
    pair = {kind(left), kind(right)}
    if is_text(left) or is_text(right):
        other = right if is_text(left) else left
        if kind(other) == T.NULL:
            return STRING
        if is_decimal(other):
            return DOUBLE
        if kind(other) in (T.ARRAY, T.MAP, T.STRUCT) or is_text(other):
            return None
        return other
    if pair <= TIMESTAMPS | {T.DATE} and pair & TIMESTAMPS:
        return left if kind(left) in TIMESTAMPS else right
    return None


def _comparison(types, node):
    left, right = types.of(node.this), types.of(node.expression)
    common = comparison_type(left, right)
    if common is not None:
        text = node.this.copy() if is_text(left) else node.expression.copy() if is_text(right) else None
        _cast_if_needed(types, node.this, common)
        _cast_if_needed(types, node.expression, common)
        if text is not None and kind(common) in INTEGRAL_BITS and common != BIGINT and _in_filter(node):
            return _prefiltered(types, node, text, text_on_left=is_text(left))
    return None


# Where Spark's int of a string (its digits, the fraction dropped) compares with an integer c, the
# bound DuckDB's own cast (which rounds '7.5' to 8, within 1 of Spark's 7) then meets: (low, high).
_IMPLIED = {exp.GT: (0, None), exp.GTE: (-1, None), exp.LT: (None, 0), exp.LTE: (None, 1),
            exp.EQ: (-1, 1)}
_MIRRORED = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}


def _prefiltered(types, node, text, text_on_left: bool):
    """`s > 500` in a filter: DuckDB's plain cast first drops the rows that cannot pass, so that
    Spark's exact (costlier) cast of the string runs only on the others."""
    value = _integer_literal(node.expression if text_on_left else node.this)
    if value is None or type(node) not in _IMPLIED:
        return None
    low, high = _IMPLIED[type(node) if text_on_left else _MIRRORED[type(node)]]
    parsed = plain_try_cast(text, BIGINT)
    bounds = [exp.GTE(this=parsed, expression=exp.Literal.number(value + low))] if low is not None else []
    if high is not None:
        bounds.append(exp.LTE(this=parsed.copy(), expression=exp.Literal.number(value + high)))
    return wrap(types, node, lambda n: exp.Paren(this=exp.and_(*bounds, n)))


def _in_filter(node) -> bool:
    """A conjunct of WHERE, HAVING or JOIN ... ON, where NULL and false alike drop the row."""
    child, parent = node, node.parent
    while isinstance(parent, (exp.And, exp.Paren)):
        child, parent = parent, parent.parent
    return isinstance(parent, (exp.Where, exp.Having)) or \
        (isinstance(parent, exp.Join) and parent.args.get("on") is child)


def _between(types, node):
    value, low, high = node.this, node.args.get("low"), node.args.get("high")
    value_type = types.of(value)
    low_common = comparison_type(value_type, types.of(low))
    high_common = comparison_type(value_type, types.of(high))
    if low_common is not None and high_common is not None and low_common != high_common:
        return None  # Spark casts the value differently for each bound: rare, left to DuckDB
    common = low_common or high_common
    if common is not None:
        for part in (value, low, high):
            _cast_if_needed(types, part, common)
    return None


def _in(types, node):
    if node.args.get("query") is not None or not node.expressions:
        return None
    members = [node.this, *node.expressions]
    member_types = [types.of(m) for m in members]
    if any(t is None for t in member_types) or len({str(t) for t in member_types}) == 1:
        return None
    common = wider_all(member_types)
    if common is not None and not any(kind(t) in (T.ARRAY, T.MAP, T.STRUCT) for t in member_types):
        for member in members:
            _cast_if_needed(types, member, common)
    return None


def _branches(types, node, values):
    result = types.of(node)
    if result is None or kind(result) == T.NULL:
        return None
    for value in values:
        _cast_if_needed(types, value, result)
    return None


def _case(types, node):
    return _branches(types, node, [i.args.get("true") for i in node.args.get("ifs") or []]
                     + [node.args.get("default")])


def _nullif(types, node):
    _comparison(types, node)
    result = types.of(node)
    if result is not None and types.of(node.expression) != result:
        return wrap(types, node, lambda n: exp.Cast(this=n, to=result.copy()))
    return None


def _concat_pipes(types, node):
    left, right = types.of(node.this), types.of(node.expression)
    if kind(left) == T.ARRAY or kind(right) == T.ARRAY:
        return None
    for side, side_type in ((node.this, left), (node.expression, right)):
        if side_type is not None and not is_text(side_type):
            cast_to(types, side, STRING)  # NULL too: `'x' || NULL` is a NULL string
    return None


def _aggregate(types, node):
    """sum/avg: Spark's decimal(p+10,s) / decimal(p+4,s+4) (DuckDB: decimal(38,s) / double) and
    a bigint sum of integers (DuckDB: HUGEINT); a string argument is read as a double."""
    argument, result = types.of(node.this), types.of(node)
    operand = node.this.expressions[0] if isinstance(node.this, exp.Distinct) else node.this
    if is_text(types.of(operand)):
        cast_to(types, operand, DOUBLE)
    if result is None or not (is_decimal(argument) or kind(argument) == T.NULL
                              or (is_integral(argument) and isinstance(node, exp.Sum))):
        return None
    target = node.parent if isinstance(node.parent, exp.Window) else node
    return wrap(types, target, lambda n: exp.Cast(this=n, to=result.copy()))


def _set_operation(types, node):
    """UNION / INTERSECT / EXCEPT: each column as the wider type of the branches."""
    columns = types.projection_types(node)
    for branch in (node.this, node.expression):
        _cast_projections(types, branch, [t for _, t in columns])
    return None


def _cast_projections(types, query, targets) -> None:
    while isinstance(query, exp.Subquery):
        query = query.this
    if isinstance(query, exp.SetOperation):
        _cast_projections(types, query.this, targets)
        _cast_projections(types, query.expression, targets)
        return
    if not isinstance(query, exp.Select) or any(isinstance(p, exp.Star) for p in query.expressions):
        return
    for projection, target in zip(list(query.expressions), targets):
        source = types.of(projection)
        if target is None or source is None or source == target or kind(target) == T.NULL:
            continue
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        name = projection.alias_or_name
        cast = cast_to(types, inner, target)
        if not isinstance(projection, exp.Alias) and name:
            cast.replace(exp.alias_(cast.copy(), name, quoted=True))


def _registered_call(types, node):
    """ImplicitCastInputTypes: each argument of a registered function as its declared type."""
    function = FUNCTIONS.get(str(node.this).lower())
    if function is None or function.inputs is None:
        return None
    arguments = list(node.expressions)
    targets = []
    for index in range(len(arguments)):
        expected = function.inputs[min(index, len(function.inputs) - 1)]
        try:
            targets.append(spark_type(expected) if expected is not None else None)
        except Exception:  # a declared type sqlglot cannot read: the registry's own casts apply
            return None
    for argument, target in zip(arguments, targets):
        source = types.of(argument)
        if target is not None and (source is None or source != target):
            cast_to(types, argument, target)
    node.meta[INPUTS_CAST] = True
    return None


_RULES = {
    exp.Cast: _user_cast,
    exp.TryCast: _user_cast,
    exp.Neg: _negation,
    exp.Between: _between,
    exp.In: _in,
    exp.Case: _case,
    exp.If: lambda types, node: _branches(types, node, [node.args.get("true"), node.args.get("false")]),
    exp.Coalesce: lambda types, node: _branches(types, node, [node.this, *node.expressions]),
    exp.Nvl2: lambda types, node: _branches(types, node, [node.args.get("true"), node.args.get("false")]),
    exp.Nullif: _nullif,
    exp.DPipe: _concat_pipes,
    exp.Sum: _aggregate,
    exp.Avg: _aggregate,
    exp.Anonymous: _registered_call,
}
_BASE_RULES = [
    ((exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv), _arithmetic),
    ((exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ), _comparison),
    ((exp.Union, exp.Intersect, exp.Except), _set_operation),
]
