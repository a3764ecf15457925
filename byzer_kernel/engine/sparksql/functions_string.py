"""Spark's string functions on DuckDB (see registry.py for how a function is declared).

Spark's string functions take strings or binaries and cast other arguments to string. The
rewrites cannot see argument types, so the macros below are overloaded by DuckDB type
(`(a BLOB) ..., (a VARCHAR) ..., (a) ...`): DuckDB picks the body when it binds the query, and
the untyped overload is Spark's implicit cast to string (`length(42)` is 2).
"""
from __future__ import annotations

from sqlglot import exp

from .casts import SPARK_TYPE
from .naming import pretty
from .registry import duck, macro, spark_function, spark_name, spark_node

INT_MAX = 2147483647

# ---- naming helpers shared by the string modules ------------------------------------------------


def with_defaults(required: int, *defaults: str, name: str = None):
    """A @spark_name naming for a function with `required` arguments and then `defaults`."""

    def naming(node):
        args = [pretty(arg) for arg in node.expressions]
        args += list(defaults[len(args) - required:]) if len(args) >= required else []
        return f"{(name or str(node.this)).lower()}({', '.join(args)})"

    return naming


def untyped_null(node: exp.Expression) -> bool:
    """Whether a (rewritten) argument is Spark's untyped NULL: a NULL literal, or an expression
    the coercion phase typed as void (a column of an inline table of NULLs)."""
    if isinstance(node, exp.Null):
        return True
    recorded = node.meta.get(SPARK_TYPE)
    return isinstance(recorded, exp.DataType) and recorded.this == exp.DataType.Type.NULL


def text_or_null(node: exp.Expression) -> exp.Expression:
    """Where Spark takes a string or a binary, its implicit casts make an untyped NULL a string
    (DuckDB would pick a macro's binary overload, or answer a NULL-typed column)."""
    return exp.Cast(this=node, to=exp.DataType.build("VARCHAR")) if untyped_null(node) else node


def looks_binary(node: exp.Expression) -> bool:
    """Whether a Spark expression is a binary (a guess from its syntax, for Spark's names only)."""
    if isinstance(node, exp.HexString):
        return True
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return node.to.is_type("binary", "varbinary", "blob")
    name = str(node.this).lower() if isinstance(node, exp.Anonymous) else ""
    return name in {"unhex", "encode", "to_binary", "try_to_binary", "unbase64", "binary"} or \
        isinstance(node, (exp.Unhex, exp.Encode, exp.FromBase64))


# ---- lengths ------------------------------------------------------------------------------------

macro("CREATE MACRO spark_char_length(a BLOB) AS octet_length(a), (a VARCHAR) AS length(a), "
      "(a) AS length(CAST(a AS VARCHAR))")
macro("CREATE MACRO spark_octet_length(a BLOB) AS octet_length(a), (a VARCHAR) AS strlen(a), "
      "(a) AS strlen(CAST(a AS VARCHAR))")


@spark_function("length", "char_length", "character_length", "len", result="int")
def length(text):
    return duck("spark_char_length(_0)", text)


@spark_function("octet_length", result="int")
def octet_length(text):
    return duck("spark_octet_length(_0)", text)


@spark_function("bit_length", result="int")
def bit_length(text):
    return duck("spark_octet_length(_0) * 8", text)


# ---- characters ---------------------------------------------------------------------------------

@spark_function("ascii", inputs=["string"], result="int")
def ascii_(text):
    """The first character's code point, 0 for ''."""
    return duck("CASE WHEN _0 = '' THEN 0 ELSE unicode(_0) END", text)


@spark_function("chr", "char", inputs=["bigint"], result="string")
def chr_(code):
    """Spark keeps the low byte of the code; negative codes give ''."""
    return duck("CASE WHEN _0 < 0 THEN '' ELSE chr(CAST(_0 % 256 AS INTEGER)) END", code)


@spark_function("initcap", inputs=["string"], result="string")
def initcap(text):
    """Spark lowercases, then uppercases the first letter after each space (only ' ')."""
    return duck("array_to_string(list_transform(string_split(lower(_0), ' '), "
                "lambda w: upper(left(w, 1)) || substr(w, 2)), ' ')", text)


@spark_function("levenshtein", inputs=["string", "string"], result="int")
def levenshtein(left, right):
    return duck("levenshtein(_0, _1)", left, right)


@spark_function("soundex", inputs=["string"], result="string")
def soundex(text):
    return duck("spark_soundex(_0)", text)


# American soundex as Spark computes it: letters map to digit classes ('7' for H and W, which
# never separate equal codes; '0' for vowels, Y and anything not a letter, which do), runs of one
# code collapse, the first letter stays; a string not starting with a letter is returned as is.
macro("CREATE MACRO spark_soundex_codes(a) AS "
      "translate(regexp_replace(upper(a), '[^A-Z]', '0', 'g'), "
      "'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '01230127022455012623017202')")
macro("CREATE MACRO spark_soundex_runs(c) AS "
      + "regexp_replace(" * 6 + "c"
      + "".join(f", '{d}+', '{d}', 'g')" for d in range(1, 7)))
macro("CREATE MACRO spark_soundex(a) AS CASE WHEN a = '' THEN '' "
      "WHEN NOT regexp_matches(left(a, 1), '^[A-Za-z]') THEN a "
      "ELSE upper(left(a, 1)) || rpad(left(replace(substr(spark_soundex_runs("
      "replace(spark_soundex_codes(a), '7', '')), 2), '0', ''), 3), 3, '0') END")


# ---- padding, repeating, slicing ----------------------------------------------------------------

# `n` below 0 as 0, NULL staying NULL (DuckDB's greatest(NULL, 0) is 0: Spark answers NULL).
macro("CREATE MACRO spark_at_least_zero(n) AS CASE WHEN n < 0 THEN 0 ELSE n END")

# Spark pads with the pad repeated and cut, keeps the first `n` characters when `n` is shorter,
# gives '' for n <= 0 and the text cut to `n` when the pad is empty. Binaries pad by bytes
# (done on their hex digits, two per byte).
for _side in ("lpad", "rpad"):
    macro(f"CREATE MACRO spark_{_side}_text(a, n, p) AS CASE WHEN n <= 0 THEN '' "
          f"WHEN p = '' OR n <= length(a) THEN left(a, n) ELSE {_side}(a, n, p) END")
    macro(f"CREATE MACRO spark_{_side}(a VARCHAR, n, p VARCHAR) AS spark_{_side}_text(a, n, p), "
          f"(a BLOB, n, p BLOB) AS CASE WHEN n <= 0 THEN ''::BLOB "
          f"WHEN p = ''::BLOB OR n <= octet_length(a) THEN unhex(left(hex(a), 2 * n)) "
          f"ELSE unhex({_side}(hex(a), 2 * n, hex(p))) END, "
          f"(a, n, p) AS spark_{_side}_text(CAST(a AS VARCHAR), n, CAST(p AS VARCHAR))")
    macro(f"CREATE MACRO spark_{_side}_default(a BLOB, n) AS spark_{_side}(a, n, '\\x00'::BLOB), "
          f"(a, n) AS spark_{_side}(a, n, ' ')")


@spark_function("lpad", inputs=[None, "int", None])
def lpad(text, size, pad=None):
    text = text_or_null(text)
    return duck("spark_lpad(_0, _1, _2)", text, size, text_or_null(pad)) if pad is not None \
        else duck("spark_lpad_default(_0, _1)", text, size)


@spark_function("rpad", inputs=[None, "int", None])
def rpad(text, size, pad=None):
    text = text_or_null(text)
    return duck("spark_rpad(_0, _1, _2)", text, size, text_or_null(pad)) if pad is not None \
        else duck("spark_rpad_default(_0, _1)", text, size)


@spark_name("lpad", "rpad")
def pad_name(node):
    default = "X'00'" if node.expressions and looks_binary(node.expressions[0]) else " "
    return with_defaults(2, default)(node)


@spark_function("repeat", inputs=["string", "int"], result="string")
def repeat(text, times):
    return duck("repeat(_0, spark_at_least_zero(_1))", text, times)


@spark_function("space", inputs=["int"], result="string")
def space(count):
    return duck("repeat(' ', spark_at_least_zero(_0))", count)


# Spark's substring: position 0 is 1, a negative position counts from the end (a window that
# starts before the text is cut, not shifted), the length is clipped at the end. `from` is the
# window's 0-based start, `count` its length; binaries are cut on their hex digits.
macro("CREATE MACRO spark_substr_start(len, pos) AS "
      "CASE WHEN pos > 0 THEN pos - 1 WHEN pos < 0 THEN len + pos WHEN pos = 0 THEN 0 END")
macro("CREATE MACRO spark_substr_from(len, pos) AS spark_at_least_zero(spark_substr_start(len, pos))")
macro("CREATE MACRO spark_substr_count(len, pos, n) AS "
      "spark_at_least_zero(spark_substr_start(len, pos) + n::BIGINT - spark_substr_from(len, pos))")
macro("CREATE MACRO spark_substr_text(a, pos, n) AS substring(a, "
      "spark_substr_from(length(a), pos) + 1, spark_substr_count(length(a), pos, n))")
macro("CREATE MACRO spark_substr(a VARCHAR, pos, n) AS spark_substr_text(a, pos, n), "
      "(a BLOB, pos, n) AS unhex(substring(hex(a), 2 * spark_substr_from(octet_length(a), pos) + 1, "
      "2 * spark_substr_count(octet_length(a), pos, n))), "
      "(a, pos, n) AS spark_substr_text(CAST(a AS VARCHAR), pos, n)")


@spark_function("substring", "substr", inputs=[None, "int", "int"])
def substring(text, position, size=None):
    return duck("spark_substr(_0, _1, _2)", text_or_null(text), position,
                size if size is not None else exp.Literal.number(INT_MAX))


spark_name("substring", "substr")(with_defaults(2, str(INT_MAX)))


@spark_node(exp.Substring)
def substring_syntax(node):
    """SUBSTRING(s FROM p [FOR n]) (the plain call is the registered `substring`)."""
    return substring(node.this, _int(node.args["start"]), _int(node.args.get("length")))


@spark_name(exp.Substring)
def substring_syntax_name(node):
    size = node.args.get("length")
    return (f"substring({pretty(node.this)}, {pretty(node.args['start'])}, "
            f"{pretty(size) if size is not None else INT_MAX})")


def _int(node):
    return None if node is None else exp.TryCast(this=node, to=exp.DataType.build("int"))


@spark_function("left", inputs=[None, "int"])
def left(text, size):
    return duck("CASE WHEN _1 <= 0 THEN '' ELSE spark_substr(_0, 1, _1) END", text_or_null(text), size)


@spark_function("right", inputs=[None, "int"])
def right(text, size):
    return duck("CASE WHEN _1 <= 0 THEN '' ELSE spark_substr(_0, -_1, " + str(INT_MAX) + ") END",
                text_or_null(text), size)


@spark_function("substring_index", inputs=["string", "string", "int"], result="string")
def substring_index(text, delimiter, count):
    """The text before the count-th delimiter (after the count-th from the end when negative)."""
    return duck("CASE WHEN _2 = 0 OR _1 = '' THEN '' "
                "WHEN _2 > 0 THEN array_to_string(string_split(_0, _1)[1:_2], _1) "
                "ELSE array_to_string(string_split(_0, _1)[_2:], _1) END", text, delimiter, count)


# Spark's overlay: the text up to `pos`, the replacement, then the text after `len` characters
# (the replacement's length by default, -1), all with substring's rules for odd positions.
macro("CREATE MACRO spark_overlay(a, r, pos, n) AS spark_substr(a, 1, pos - 1) || r || "
      f"spark_substr(a, pos + CASE WHEN n < 0 THEN spark_char_length(r) ELSE n END, {INT_MAX})")


@spark_function("overlay", inputs=[None, None, "int", "int"])
def overlay(text, replacement, position, size=None):
    return duck("spark_overlay(_0, _1, _2, _3)", text_or_null(text), text_or_null(replacement), position,
                size if size is not None else exp.Literal.number(-1))


spark_name("overlay")(with_defaults(3, "-1"))


@spark_node(exp.Overlay)
def overlay_syntax(node):
    return overlay(node.this, node.expression, _int(node.args["from_"]), _int(node.args.get("for_")))


@spark_name(exp.Overlay)
def overlay_syntax_name(node):
    size = node.args.get("for_")
    return (f"overlay({pretty(node.this)}, {pretty(node.expression)}, {pretty(node.args['from_'])}, "
            f"{pretty(size) if size is not None else -1})")


# The family's other modules (they use the helpers above).
from . import functions_string_search  # noqa: E402,F401
from . import functions_string_codec  # noqa: E402,F401
from . import functions_regex  # noqa: E402,F401
from . import functions_string_format  # noqa: E402,F401
