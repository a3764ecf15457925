"""How Spark 3.3 names a function call: `prettyName(arg, ...)`, where the name is usually the one
written (lower case) but some functions print another (`array_agg` -> `collect_list`, the math
functions in upper case, `isnull(x)` -> `(x IS NULL)`), and the arguments are the expression's
children, so defaults show (`substr(s, 2)` -> `substr(s, 2, 2147483647)`) and options do not
(`from_json(s, 'a INT')` -> `from_json(s)`).

Each renderer takes the `Namer` (naming.py) and the call's name as written (lower case) and
arguments (sqlglot nodes), and returns the name."""
from __future__ import annotations

from sqlglot import exp

_UPPER_CASE = {"spark_partition_id"}  # the math functions' capitals: functions_math_scalar
_RENAMED = {"array_agg": "collect_list", "random": "rand"}

_SORT_NULLS_LAST = (  # the comparator array_sort adds: ascending, NULLs last
    "lambdafunction((IF(((namedlambdavariable() IS NULL) AND (namedlambdavariable() IS NULL)), 0, "
    "(IF((namedlambdavariable() IS NULL), 1, (IF((namedlambdavariable() IS NULL), -1, "
    "(IF((namedlambdavariable() < namedlambdavariable()), -1, "
    "(IF((namedlambdavariable() > namedlambdavariable()), 1, 0)))))))))), "
    "namedlambdavariable(), namedlambdavariable())")

# The arguments Spark fills in, by position, for calls that omit them (None: no default).
_DEFAULTS = {  # the string, math and datetime modules declare their functions' own
    "percentile": (None, None, "1"),
    "percentile_approx": (None, None, "10000"), "approx_percentile": (None, None, "10000"),
    "aes_encrypt": (None, None, "GCM", "DEFAULT"), "aes_decrypt": (None, None, "GCM", "DEFAULT"),
    "lag": (None, "1", "NULL"), "lead": (None, "1", "NULL"),
    "sort_array": (None, "true"),
    "str_to_map": (None, ",", ":"),
    "array_sort": (None, _SORT_NULLS_LAST),
}
# Calls whose name shows only their first argument (the rest are options or flags).
_FIRST_ARGUMENT_ONLY = {"from_json", "from_csv", "to_json", "to_csv", "schema_of_json",
                        "schema_of_csv", "approx_count_distinct", "first", "last", "first_value",
                        "last_value"}
# Ranking functions print their name in upper case and none of their arguments.
_RANKING = {"rank": "RANK", "dense_rank": "DENSE_RANK", "percent_rank": "PERCENT_RANK"}
# Function-style casts (`int(s)`), which Spark names by their argument alone.
CAST_FUNCTIONS = {"int", "bigint", "smallint", "tinyint", "double", "float", "string", "boolean",
                  "decimal", "date", "timestamp", "binary"}


def function_name(namer, written: str, args: list) -> str:
    """The column name of a call of `written` (lower case) with `args` (sqlglot nodes)."""
    special = _SPECIAL.get(written)
    if special is not None:
        rendered = special(namer, written, args)
        if rendered is not None:
            return rendered
    if written in CAST_FUNCTIONS and len(args) == 1:
        return namer.name(args[0])
    if written in _RANKING:
        return f"{_RANKING[written]}()"
    if written in _FIRST_ARGUMENT_ONLY:
        args = args[:1]
    rendered = [namer.name(arg) for arg in args] + _defaults(written, args)
    return call(_spark_name(written), rendered)


def call(name: str, rendered: list) -> str:
    return f"{name}({', '.join(rendered)})"


def _spark_name(written: str) -> str:
    if written in _UPPER_CASE:
        return written.upper()
    return _RENAMED.get(written, written)


def _defaults(written: str, args: list) -> list:
    defaults = _DEFAULTS.get(written, ())
    filled = [d for d in defaults[len(args):] if d is not None]
    return filled if len(filled) == len(defaults[len(args):]) else []


# calls Spark names in another shape ---------------------------------------------------------------

def _count(namer, written, args):
    if len(args) == 1 and isinstance(args[0], exp.Star):
        return "count(1)"
    return None


def _assert_true(namer, written, args):
    if len(args) == 1:
        condition = namer.name(args[0])
        return call(written, [condition, f"'{condition}' is not true!"])
    return None


def _wrapped(template: str, arity: int):
    def render(namer, written, args):
        if len(args) != arity:
            return None
        return template.format(*(namer.name(arg) for arg in args))

    return render


_SPECIAL = {
    "count": _count, "assert_true": _assert_true,
    "isnull": _wrapped("({} IS NULL)", 1), "isnotnull": _wrapped("({} IS NOT NULL)", 1),
    "if": _wrapped("(IF({}, {}, {}))", 3),
}
