"""How Spark 3.3 names a function call: `prettyName(arg, ...)`, where the name is usually the one
written (lower case) but some functions print another (`array_agg` -> `collect_list`, the math
functions in upper case, `isnull(x)` -> `(x IS NULL)`), and the arguments are the expression's
children, so defaults show (`substr(s, 2)` -> `substr(s, 2, 2147483647)`) and options do not
(`from_json(s, 'a INT')` -> `from_json(s)`).

Each renderer takes the `Namer` (naming.py) and the call's name as written (lower case) and
arguments (sqlglot nodes), and returns the name."""
from __future__ import annotations

from .naming_literals import is_decimal_literal

_UPPER_CASE = set("""acos acosh asin asinh atan atan2 atanh cbrt cos cosh cot csc degrees e exp
    expm1 hypot log10 log1p log2 pi power radians sec signum sin sinh sqrt tan tanh
    spark_partition_id rlike regexp regexp_like""".split())
_RENAMED = {"array_agg": "collect_list", "random": "rand"}

_SORT_NULLS_LAST = ("lambdafunction((IF(((namedlambdavariable() IS NULL) AND (namedlambdavariable() "
                    "IS NULL)), 0, (IF((namedlambdavariable() IS NULL), 1, (IF((namedlambdavariable()"
                    " IS NULL), -1, (IF((namedlambdavariable() < namedlambdavariable()), -1, (IF(("
                    "namedlambdavariable() > namedlambdavariable()), 1, 0)))))))))), "
                    "namedlambdavariable(), namedlambdavariable())")
_JAVA_TIME_FORMAT = "yyyy-MM-dd HH:mm:ss"

# The arguments Spark fills in, by position, for calls that omit them (None: no default).
_DEFAULTS = {
    "substr": (None, None, "2147483647"), "substring": (None, None, "2147483647"),
    "lpad": (None, None, " "), "rpad": (None, None, " "),
    "round": (None, "0"), "bround": (None, "0"),
    "locate": (None, None, "1"), "position": (None, None, "1"),
    "split": (None, None, "-1"),
    "regexp_replace": (None, None, None, "1"), "regexp_extract": (None, None, "1"),
    "regexp_extract_all": (None, None, "1"),
    "months_between": (None, None, "true"),
    "percentile": (None, None, "1"),
    "percentile_approx": (None, None, "10000"), "approx_percentile": (None, None, "10000"),
    "make_dt_interval": ("0", "0", "0", "0.000000"),
    "make_interval": ("0", "0", "0", "0", "0", "0", "0.000000"),
    "make_ym_interval": ("0", "0"),
    "overlay": (None, None, None, "-1"),
    "sentences": (None, "", ""),
    "aes_encrypt": (None, None, "GCM", "DEFAULT"), "aes_decrypt": (None, None, "GCM", "DEFAULT"),
    "from_unixtime": (None, _JAVA_TIME_FORMAT),
    "unix_timestamp": ("current_timestamp()", _JAVA_TIME_FORMAT),
    "to_unix_timestamp": (None, _JAVA_TIME_FORMAT),
    "lag": (None, "1", "NULL"), "lead": (None, "1", "NULL"),
    "sort_array": (None, "true"),
    "str_to_map": (None, ",", ":"),
    "replace": (None, None, ""),
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
_BINARY_RESULTS = {"unhex", "encode", "binary", "aes_encrypt", "aes_decrypt", "to_binary", "unbase64"}


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
    if written in ("lpad", "rpad") and len(args) == 2 and _is_binary(args[0]):
        return ["X'00'"]
    return filled if len(filled) == len(defaults[len(args):]) else []


def _is_binary(node) -> bool:
    from sqlglot import exp

    if isinstance(node, exp.HexString):
        return True
    return isinstance(node, exp.Anonymous) and str(node.this).lower() in _BINARY_RESULTS


# calls Spark names in another shape ---------------------------------------------------------------

def _trim(namer, written, args):
    """`ltrim(chars, s)` is StringTrimLeft(s, chars): `TRIM(LEADING chars FROM s)`."""
    if len(args) != 2:
        return None
    side = {"trim": "BOTH", "ltrim": "LEADING", "rtrim": "TRAILING"}[written]
    return f"TRIM({side} {namer.name(args[0])} FROM {namer.name(args[1])})"


def _ceil_floor(namer, written, args):
    """One-argument CEIL/FLOOR are the upper-case unary math expressions; two-argument ones are
    RoundCeil/RoundFloor, named as written."""
    rendered = [namer.name(arg) for arg in args]
    return call(written.upper() if len(args) == 1 else written, rendered)


def _log(namer, written, args):
    return call("LOG", ["E()" if len(args) == 1 else namer.name(args[0]), namer.name(args[-1])])


def _mod(namer, written, args):
    """Decimal coercion rebuilds `mod` as a bare Remainder, which prints as the operator."""
    if len(args) == 2 and any(is_decimal_literal(arg) for arg in args):
        return f"({namer.name(args[0])} % {namer.name(args[1])})"
    return None


def _count(namer, written, args):
    from sqlglot import exp

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
    "trim": _trim, "ltrim": _trim, "rtrim": _trim,
    "ceil": _ceil_floor, "floor": _ceil_floor,
    "log": _log, "mod": _mod, "count": _count, "assert_true": _assert_true,
    "isnull": _wrapped("({} IS NULL)", 1), "isnotnull": _wrapped("({} IS NOT NULL)", 1),
    "positive": _wrapped("(+ {})", 1), "if": _wrapped("(IF({}, {}, {}))", 3),
    "like": _wrapped("{} LIKE {}", 2),
}
