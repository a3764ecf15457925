"""Spark's string functions that trim, search, replace and join text, on DuckDB (see
functions_string.py for how strings and binaries are told apart)."""
from __future__ import annotations

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import SPARK_TYPE
from .functions_string import text_or_null, untyped_null, with_defaults
from .literals import literal_under_casts
from .naming import pretty
from .registry import duck, macro, spark_function, spark_name, spark_node


# ---- trimming -----------------------------------------------------------------------------------

# Spark trims spaces only (not tabs or newlines), as DuckDB's one-argument trims do. Binaries
# are trimmed as text (Spark casts them to string). The two-argument trim/ltrim/rtrim of Spark
# 3.3 take the characters first: ltrim('xy', s) is TRIM(LEADING 'xy' FROM s).
_TRIMS = {"BOTH": "trim", "LEADING": "ltrim", "TRAILING": "rtrim"}
_TRIM_SIDES = {name: side for side, name in _TRIMS.items()}


def _trim(side: str, text, characters=None):
    function = _TRIMS[side]
    return duck(f"{function}(_0)", text) if characters is None \
        else duck(f"{function}(_0, _1)", text, characters)


def _trim_function(name):
    side = _TRIM_SIDES[name]

    @spark_function(name, inputs=["string", "string"], result="string")
    def trim_call(first, second=None):
        return _trim(side, first) if second is None else _trim(side, second, first)

    @spark_name(name)
    def trim_call_name(node):
        if len(node.expressions) == 1:
            return f"{name}({pretty(node.expressions[0])})"
        characters, text = node.expressions
        return f"TRIM({side} {pretty(characters)} FROM {pretty(text)})"


for _name in _TRIM_SIDES:
    _trim_function(_name)


@spark_function("btrim", inputs=["string", "string"], result="string")
def btrim(text, characters=None):
    return _trim("BOTH", text, characters)


def _trim_side(node) -> str:
    return str(node.args.get("position") or "BOTH").upper()


@spark_node(exp.Trim)
def trim_syntax(node):
    """TRIM([BOTH | LEADING | TRAILING] [chars] FROM s)."""
    text = exp.TryCast(this=node.this, to=exp.DataType.build("text"))
    characters = node.expression
    if characters is not None:
        characters = exp.TryCast(this=characters, to=exp.DataType.build("text"))
    return _trim(_trim_side(node), text, characters)


@spark_name(exp.Trim)
def trim_syntax_name(node):
    side = _trim_side(node)
    if node.expression is None:
        return f"{_TRIMS[side]}({pretty(node.this)})"
    return f"TRIM({side} {pretty(node.expression)} FROM {pretty(node.this)})"


# ---- searching ----------------------------------------------------------------------------------

@spark_function("instr", inputs=["string", "string"], result="int")
def instr(text, substring_):
    return duck("instr(_0, _1)", text, substring_)


@spark_function("locate", "position", inputs=["string", "string", "int"], result="int")
def locate(substring_, text, start=None):
    """1-based, from `start`; 0 when absent, for a start below 1 or NULL; '' is found at 1."""
    if start is None:
        return duck("instr(_1, _0)", substring_, text)
    found = "coalesce(nullif(instr(substring(_1, _2), _0), 0) + (_2 - 1), "
    if _positive_literal(start) and _nonempty_literal(substring_):  # the usual case, no checks
        return duck(found + "CASE WHEN _1 IS NOT NULL THEN 0 END)", substring_, text, start)
    return duck("CASE WHEN _2 IS NULL OR _2 < 1 THEN 0 "
                "WHEN _0 = '' THEN CASE WHEN _1 IS NOT NULL THEN 1 END "
                f"WHEN _1 IS NOT NULL THEN {found} 0) END", substring_, text, start)


def _positive_literal(node) -> bool:
    literal = literal_under_casts(node)
    return literal is not None and not literal.is_string and literal.this.isdigit() and int(literal.this) >= 1


def _nonempty_literal(node) -> bool:
    literal = literal_under_casts(node)
    return literal is not None and literal.is_string and literal.this != ""


spark_name("locate", "position")(with_defaults(2, "1"))


@spark_node(exp.StrPosition)
def position_syntax(node):
    """POSITION(sub IN s)."""
    found = locate(*(exp.TryCast(this=arg, to=exp.DataType.build("text"))
                     for arg in (node.args["substr"], node.this)))
    return exp.cast(found, exp.DataType.build("int"))


@spark_name(exp.StrPosition)
def position_syntax_name(node):
    return f"locate({pretty(node.args['substr'])}, {pretty(node.this)}, 1)"


@spark_function("find_in_set", inputs=["string", "string"], result="int")
def find_in_set(text, text_list):
    """The 1-based place of `text` in a comma-separated list; 0 if absent or if it has a comma."""
    return duck("CASE WHEN _0 IS NULL OR _1 IS NULL THEN NULL WHEN contains(_0, ',') THEN 0 "
                "ELSE coalesce(list_position(string_split(_1, ','), _0), 0) END", text, text_list)


# contains/startswith/endswith on two strings or two binaries; binaries compare hex digits
# (a match must start on a byte, hence the even number of digits before it).
for _name, _text, _bytes in (
        ("contains", "contains(a, b)", "regexp_matches(hex(a), '^(..)*' || hex(b))"),
        ("startswith", "starts_with(a, b)", "starts_with(hex(a), hex(b))"),
        ("endswith", "ends_with(a, b)", "ends_with(hex(a), hex(b))")):
    macro(f"CREATE MACRO spark_{_name}(a BLOB, b BLOB) AS {_bytes}, "
          f"(a VARCHAR, b VARCHAR) AS {_text}, "
          f"(a, b) AS {_text.replace('a, b', 'CAST(a AS VARCHAR), CAST(b AS VARCHAR)')}")

    def _register(name):
        @spark_function(name, result="boolean")
        def search(text, pattern):
            return duck(f"spark_{name}(_0, _1)", text, pattern)

    _register(_name)


@spark_function("elt", inputs=["int", "string"], result="string")
def elt(index, *values):
    """The index-th value; NULL when out of range."""
    cases = " ".join(f"WHEN {i + 1} THEN _{i + 1}" for i in range(len(values)))
    return duck(f"CASE _0 {cases} END", index, *values)


# ---- replacing ----------------------------------------------------------------------------------

@spark_function("replace", inputs=["string", "string", "string"], result="string")
def replace(text, search, replacement=None):
    return duck("replace(_0, _1, _2)", text, search,
                replacement if replacement is not None else exp.Literal.string(""))


spark_name("replace")(with_defaults(2, ""))


@spark_function("translate", inputs=["string", "string", "string"], result="string")
def translate(text, matching, replacement):
    return duck("translate(_0, _1, _2)", text, matching, replacement)


@spark_function("split_part", inputs=["string", "string", "int"], result="string")
def split_part(text, delimiter, part):
    if isinstance(part, exp.Literal) and str(part.this) == "0" or \
            isinstance(part, exp.TryCast) and part.this == exp.Literal.number(0):
        raise ByzerRuntimeError("function `split_part`: the part number 0 is invalid "
                                "(parts count from 1, or from -1 at the end)")
    return duck("CASE WHEN _1 = '' THEN CASE WHEN abs(_2) = 1 THEN _0 ELSE '' END "
                "ELSE split_part(_0, _1, _2) END", text, delimiter, part)


# ---- concatenating ------------------------------------------------------------------------------

@spark_node(exp.Concat)
def concat(node: exp.Concat) -> exp.Expression:
    """concat (DuckDB's ||, which also joins arrays and binaries): Spark's implicit casts make an
    untyped NULL argument a string, so `concat('a', NULL)` is a NULL string, not a void one; next
    to an array, Spark rejects the mix."""
    arguments = list(node.expressions)
    if not any(untyped_null(argument) for argument in arguments):
        return node
    if any(_is_array(argument) for argument in arguments):
        raise ByzerRuntimeError("function `concat`: its inputs should all be of the same type, but "
                                "an array meets an untyped NULL (write CAST(NULL AS ARRAY<...>))")
    node.set("expressions", [text_or_null(argument) for argument in arguments])
    return node


def _is_array(node: exp.Expression) -> bool:
    recorded = node.meta.get(SPARK_TYPE)
    return isinstance(recorded, exp.DataType) and recorded.this == exp.DataType.Type.ARRAY


# concat_ws skips NULLs and joins the elements of array arguments (skipping NULL elements; an
# empty array adds nothing): each argument becomes a string or NULL before DuckDB's concat_ws.
macro("CREATE MACRO spark_ws_part(a VARCHAR[], sep) AS "
      "CASE WHEN len(list_filter(a, lambda x: x IS NOT NULL)) > 0 "
      "THEN array_to_string(list_filter(a, lambda x: x IS NOT NULL), sep) END, "
      "(a VARCHAR, sep) AS a, (a, sep) AS CAST(a AS VARCHAR)")


@spark_function("concat_ws", result="string")
def concat_ws(separator, *values):
    separator = exp.TryCast(this=separator, to=exp.DataType.build("text"))
    if not values:
        return duck("CASE WHEN _0 IS NOT NULL THEN '' END", separator)
    parts = ", ".join(f"spark_ws_part(_{i + 1}, _0)" for i in range(len(values)))
    return duck(f"concat_ws(_0, {parts})", separator, *values)


# ---- parse_url ----------------------------------------------------------------------------------

# RFC 3986's URI pattern: 2 scheme, 3 '//' + authority (4), 5 path, 6 '?' + query (7),
# 8 '#' + fragment (9). Java's URI rejects characters such as spaces: the URL gives NULL.
_URI = r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?"
macro(f"CREATE MACRO spark_url_part(u, i) AS CASE WHEN NOT regexp_matches(u, '[ \"<>\\\\^`{{|}}]') "
      f"THEN regexp_extract(u, '{_URI}', i) END")
macro("CREATE MACRO spark_url_has(u, i) AS spark_url_part(u, i) <> ''")
_URL_PARTS = {
    "HOST": "CASE WHEN spark_url_has(u, 3) THEN nullif(regexp_extract(spark_url_part(u, 4), "
            "'^(?:[^@]*@)?(\\[[^\\]]*\\]|[^:]*)', 1), '') END",
    "PATH": "CASE WHEN spark_url_has(u, 2) AND NOT spark_url_has(u, 3) "
            "AND NOT starts_with(spark_url_part(u, 5), '/') THEN NULL ELSE spark_url_part(u, 5) END",
    "QUERY": "CASE WHEN spark_url_has(u, 6) THEN spark_url_part(u, 7) END",
    "REF": "CASE WHEN spark_url_has(u, 8) THEN spark_url_part(u, 9) END",
    "PROTOCOL": "CASE WHEN spark_url_has(u, 2) THEN spark_url_part(u, 2) END",
    "FILE": "spark_url_part(u, 5) || "
            "CASE WHEN spark_url_has(u, 6) THEN spark_url_part(u, 6) ELSE '' END",
    "AUTHORITY": "CASE WHEN spark_url_has(u, 3) THEN spark_url_part(u, 4) END",
    "USERINFO": "CASE WHEN contains(spark_url_part(u, 4), '@') "
                "THEN regexp_extract(spark_url_part(u, 4), '^([^@]*)@', 1) END",
}
for _part, _body in _URL_PARTS.items():
    macro(f"CREATE MACRO spark_url_{_part.lower()}(u) AS {_body}")
# The query parameter `key` (Spark puts the key into its regular expression as it is).
macro("CREATE MACRO spark_url_query_key(u, k) AS CASE WHEN regexp_matches(spark_url_query(u), "
      "'(&|^)' || k || '=([^&]*)') THEN regexp_extract(spark_url_query(u), '(&|^)' || k || "
      "'=([^&]*)', 2) END")


@spark_function("parse_url", inputs=["string", "string", "string"], result="string")
def parse_url(url, part, key=None):
    if key is not None:
        return duck("CASE WHEN _1 = 'QUERY' THEN spark_url_query_key(_0, _2) END", url, part, key)
    literal = part.this if isinstance(part, exp.TryCast) else part
    if isinstance(literal, exp.Literal):  # the usual case: only the part asked for
        body = f"spark_url_{literal.name.lower()}(_0)" if literal.name in _URL_PARTS \
            else "CAST(NULL AS VARCHAR)"
        return duck(body, url)
    cases = " ".join(f"WHEN '{name}' THEN spark_url_{name.lower()}(_0)" for name in _URL_PARTS)
    return duck(f"CASE _1 {cases} END", url, part)


# ---- sentences ----------------------------------------------------------------------------------

# Java's BreakIterator, approximately: a sentence ends after ! or ? and after periods followed by
# a space and something other than a lowercase letter; its words are runs of letters and digits,
# joined across an apostrophe or a period or comma between them ("I'm", "3.14").
_WORD = r"[\p{L}\p{N}]+(?:[''.,][\p{L}\p{N}]+)*"  # '' is a quote in SQL
macro("CREATE MACRO spark_sentence_list(s) AS string_split(regexp_replace(regexp_replace(s, "
      "'([!?]+)\\s+', '\\1' || chr(0), 'g'), "
      "'(\\.+)\\s+([^\\sa-z])', '\\1' || chr(0) || '\\2', 'g'), chr(0))")
macro(f"CREATE MACRO spark_sentences(s) AS list_filter(list_transform(spark_sentence_list(s), "
      f"lambda x: regexp_extract_all(x, '{_WORD}')), lambda w: len(w) > 0)")


@spark_function("sentences", inputs=["string", "string", "string"], result="array<array<string>>")
def sentences(text, language=None, country=None):
    return duck("spark_sentences(_0)", text)


spark_name("sentences")(with_defaults(1, "", ""))
