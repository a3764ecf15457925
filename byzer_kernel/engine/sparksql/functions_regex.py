"""Spark's pattern functions on DuckDB: LIKE/ILIKE with Spark's escape rules, and the regexp
functions (rlike, regexp_extract[_all], regexp_replace, split) with Java's regular expressions,
translated to RE2 by functions_string_regex when the pattern is a literal."""
from __future__ import annotations

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .functions_string import with_defaults
from .functions_string_regex import translate
from .literals import literal_under_casts
from .naming import pretty
from .registry import duck, macro, spark_function, spark_name, spark_node


def _string(node):
    return exp.TryCast(this=node, to=exp.DataType.build("text"))


def _pattern(function: str, pattern):
    """A literal Java pattern as RE2 (with its group count); other patterns as they are."""
    literal = literal_under_casts(pattern)
    if literal is None or not literal.is_string:
        return pattern, None
    regex = translate(literal.this, function)
    return exp.Literal.string(regex.re2), regex.groups


# ---- LIKE and ILIKE -----------------------------------------------------------------------------

def _checked_like_pattern(function: str, pattern, escape: str):
    """Spark rejects a literal pattern whose escape character precedes anything but _, % or
    itself, or ends it."""
    literal = literal_under_casts(pattern)
    if literal is None or not literal.is_string:
        return
    text = literal.this.lower() if function == "ilike" else literal.this
    index = 0
    while index < len(text):
        if text[index] == escape:
            if index + 1 == len(text):
                raise ByzerRuntimeError(f"the pattern '{text}' is invalid, it is not allowed to "
                                        "end with the escape character")
            if text[index + 1] not in ("_", "%", escape):
                raise ByzerRuntimeError(f"the pattern '{text}' is invalid, the escape character "
                                        f"is not allowed to precede '{text[index + 1]}'")
            index += 1
        index += 1


def _like(function: str, text, pattern, escape=None):
    escape_literal = literal_under_casts(escape)
    escape_char = "\\" if escape is None else (escape_literal.this if escape_literal else None)
    if escape_char is None:
        raise ByzerRuntimeError(f"{function}: the ESCAPE character must be a string literal")
    _checked_like_pattern(function, pattern, escape_char)
    literal = literal_under_casts(pattern)
    if literal is not None and literal.is_string and escape_char not in literal.this:
        # DuckDB's LIKE has no escape character, and turns 'abc%' into a fast prefix test
        return duck(f"_0 {function.upper()} _1", _string(text), literal)
    return duck(f"{function}_escape(_0, _1, _2)", _string(text), _string(pattern),
                exp.Literal.string(escape_char))


@spark_function("like", result="boolean")
def like_call(text, pattern, escape=None):
    return _like("like", text, pattern, escape)


@spark_function("ilike", result="boolean")
def ilike_call(text, pattern, escape=None):
    return _like("ilike", text, pattern, escape)


@spark_node(exp.Like, exp.ILike)
def like_syntax(node):
    if isinstance(node.parent, exp.Escape):
        return None  # rewritten with its ESCAPE clause
    return _like("ilike" if isinstance(node, exp.ILike) else "like", node.this, node.expression)


@spark_node(exp.Escape)
def like_escape_syntax(node):
    match = node.this
    if not isinstance(match, (exp.Like, exp.ILike)):
        return None
    return _like("ilike" if isinstance(match, exp.ILike) else "like", match.this, match.expression,
                 node.expression)


@spark_name("like", exp.Like)
def like_name(node):
    text, pattern = (node.expressions[:2] if isinstance(node, exp.Anonymous)
                     else (node.this, node.expression))
    return f"{pretty(text)} LIKE {pretty(pattern)}"


@spark_name("ilike", exp.ILike)
def ilike_name(node):
    text, pattern = (node.expressions[:2] if isinstance(node, exp.Anonymous)
                     else (node.this, node.expression))
    return f"ilike({pretty(text)}, {pretty(pattern)})"


@spark_name(exp.Escape)
def escape_name(node):
    return pretty(node.this)


# ---- rlike --------------------------------------------------------------------------------------

def _rlike(function: str, text, pattern):
    pattern, _ = _pattern(function, pattern)
    return duck("regexp_matches(_0, _1)", _string(text), _string(pattern))


for _name in ("rlike", "regexp", "regexp_like"):
    def _register(name):
        @spark_function(name, result="boolean")
        def rlike_call(text, pattern):
            return _rlike(name, text, pattern)

        @spark_name(name)
        def rlike_name(node):
            return f"{name.upper()}({', '.join(pretty(arg) for arg in node.expressions)})"

    _register(_name)


@spark_node(exp.RegexpLike)
def rlike_syntax(node):
    return _rlike("rlike", node.this, node.expression)


@spark_name(exp.RegexpLike)
def rlike_syntax_name(node):
    return f"RLIKE({pretty(node.this)}, {pretty(node.expression)})"


# ---- extracting ---------------------------------------------------------------------------------

def _group_index(function: str, index, groups):
    literal = literal_under_casts(index)
    if literal is None or literal.is_string:
        raise ByzerRuntimeError(f"function `{function}`: the group index must be an integer "
                                "literal here")
    value = int(literal.this)
    if groups is not None and not 0 <= value <= groups:
        if value < 0:
            raise ByzerRuntimeError("The specified group index cannot be less than zero")
        raise ByzerRuntimeError(f"Regex group count is {groups}, but the specified group index "
                                f"is {value}")
    return exp.Literal.number(value)


@spark_function("regexp_extract", result="string")
def regexp_extract(text, pattern, index=None):
    pattern, groups = _pattern("regexp_extract", pattern)
    index = _group_index("regexp_extract", index or exp.Literal.number(1), groups)
    return duck("regexp_extract(_0, _1, _2)", _string(text), _string(pattern), index)


@spark_function("regexp_extract_all", result="array<string>")
def regexp_extract_all(text, pattern, index=None):
    pattern, groups = _pattern("regexp_extract_all", pattern)
    index = _group_index("regexp_extract_all", index or exp.Literal.number(1), groups)
    return duck("regexp_extract_all(_0, _1, _2)", _string(text), _string(pattern), index)


spark_name("regexp_extract", "regexp_extract_all")(with_defaults(2, "1"))


# ---- replacing ----------------------------------------------------------------------------------

def _replacement(text: str, groups) -> str:
    """Java's replacement ($n, ${name}, \\x for a literal x) in RE2's (\\n, \\\\ for a backslash)."""
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 == len(text):
                raise ByzerRuntimeError("function `regexp_replace`: character to be escaped is "
                                        "missing at the end of the replacement")
            out.append("\\\\" if text[index + 1] == "\\" else text[index + 1])
            index += 2
        elif char == "$":
            digits = ""
            while index + 1 < len(text) and text[index + 1].isdigit() and \
                    (not digits or groups is None or int(digits + text[index + 1]) <= groups):
                digits += text[index + 1]
                index += 1
            if not digits:
                raise ByzerRuntimeError("function `regexp_replace`: illegal group reference in "
                                        f"the replacement '{text}'")
            if groups is not None and int(digits) > groups:
                raise ByzerRuntimeError(f"function `regexp_replace`: no group {digits}")
            out.append("\\" + digits)
            index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


@spark_function("regexp_replace", result="string")
def regexp_replace(text, pattern, replacement, position=None):
    pattern, groups = _pattern("regexp_replace", pattern)
    literal = literal_under_casts(replacement)
    if literal is not None and literal.is_string:
        replacement = exp.Literal.string(_replacement(literal.this, groups))
    args = (_string(text), _string(pattern), _string(replacement))
    start = literal_under_casts(position)
    if position is None or (start is not None and start.this == "1"):
        return duck("regexp_replace(_0, _1, _2, 'g')", *args)
    if start is not None and int(start.this) < 1:
        raise ByzerRuntimeError("function `regexp_replace`: Position expression must be "
                                f"positive, but got: {start.this}")
    return duck("CASE WHEN _3 - 1 >= length(_0) THEN _0 ELSE substring(_0, 1, _3 - 1) || "
                "regexp_replace(substring(_0, _3), _1, _2, 'g') END", *args, position)


spark_name("regexp_replace")(with_defaults(3, "1"))


# ---- split --------------------------------------------------------------------------------------

# Java's String.split with a limit k > 0: the first k-1 pieces, then the rest of the text from
# after the (k-1)-th separator (found by adding up the lengths of the pieces and separators).
macro("CREATE MACRO spark_split_length(parts, k) AS "
      "CAST(coalesce(list_sum(list_transform(parts[1:k - 1], lambda x: length(x))), 0) AS BIGINT)")
macro("CREATE MACRO spark_split_limited(s, parts, re, k) AS "
      "CASE WHEN k <= 0 OR len(parts) <= k THEN parts ELSE parts[1:k - 1] || [substring(s, 1 + "
      "spark_split_length(parts, k) + spark_split_length(regexp_extract_all(s, re), k))] END")


_REGEX_SYNTAX = set("\\^$.|?*+()[]{}")


def _plain_separator(pattern):
    """The text of a literal pattern that is no more than one or more ordinary characters."""
    literal = literal_under_casts(pattern)
    if literal is None or not literal.is_string or not literal.this:
        return None
    return None if _REGEX_SYNTAX & set(literal.this) else literal.this


@spark_function("split", result="array<string>")
def split(text, pattern, limit=None):
    pieces = _split(text, pattern, limit)
    if literal_under_casts(pattern) is not None:
        return pieces
    # DuckDB splits on a NULL pattern as on one that never matches; Spark answers NULL
    return duck("CASE WHEN _1 IS NOT NULL THEN _0 END", pieces, pattern)


def _split(text, pattern, limit):
    separator = _plain_separator(pattern)
    limit_literal = literal_under_casts(limit)
    if separator is not None and (limit is None or limit_literal is not None):
        return _split_plain(_string(text), exp.Literal.string(separator),
                            int(limit_literal.this) if limit is not None else -1)
    pattern, _ = _pattern("split", pattern)
    empty_pattern = pattern == exp.Literal.string("")
    text, pattern = _string(text), _string(pattern)
    if limit is None or (limit_literal is not None and int(limit_literal.this) <= 0):
        if empty_pattern:  # Java splits between characters and after the last one
            return duck("CASE WHEN _0 = '' THEN [''] "
                        "ELSE list_append(regexp_split_to_array(_0, ''), '') END", text)
        return duck("regexp_split_to_array(_0, _1)", text, pattern)
    return duck("spark_split_limited(_0, regexp_split_to_array(_0, _1), _1, _2)", text, pattern,
                exp.TryCast(this=limit, to=exp.DataType.build("int")))


def _split_plain(text, separator, limit: int):
    """The common case, a plain separator: DuckDB's string_split is several times faster than a
    regex, and the last of `limit` pieces is the rest of the text (the later pieces rejoined)."""
    if limit <= 0:
        return duck("string_split(_0, _1)", text, separator)
    return duck("CASE WHEN len(string_split(_0, _1)) <= _2 THEN string_split(_0, _1) "
                "ELSE string_split(_0, _1)[1:_2 - 1] || [array_to_string(string_split(_0, _1)[_2:], _1)] END",
                text, separator, exp.Literal.number(limit))


spark_name("split")(with_defaults(2, "-1"))
