"""Java `DateTimeFormatter` patterns as Spark 3.3 reads them (`date_format`, `to_timestamp`,
`unix_timestamp`, ...), turned into DuckDB `strftime` / `strptime` work.

A pattern is read once, at translation time, into tokens: a run of one pattern letter (`yyyy`),
literal text (`-`, `'T'`, `''`) or an optional section (`[...]`). Formatting maps each letter to a
strftime piece, or to a small SQL expression where strftime has no equivalent (`k`, `QQQ`, `S`
widths). Parsing maps the pattern to strptime formats, one per way of taking or skipping the
optional sections, tried in order, the longest first (as Java takes a section whenever it can).
The session time zone is UTC (the engine pins it), so zone letters format as constants.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Union

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .registry import duck


@dataclass(frozen=True)
class Letters:
    letter: str
    count: int


@dataclass(frozen=True)
class Optional_:
    tokens: tuple


Token = Union[Letters, str, Optional_]

# Spark refuses week-based fields since 3.0 (and a few letters Java knows), before Java sees them.
_WEEK_BASED = set("YWwuec")
_UNSUPPORTED = set("AnNp")
# The longest run Java accepts for each letter Spark allows.
_MAX_COUNT = {"G": 4, "y": 10, "M": 4, "L": 4, "d": 2, "D": 3, "Q": 4, "q": 4, "E": 4, "F": 1,
              "a": 1, "h": 2, "K": 2, "k": 2, "H": 2, "m": 2, "s": 2, "S": 9, "V": 2, "z": 4,
              "O": 4, "X": 5, "x": 5, "Z": 5}
_RESERVED = set("#{}")


def tokenize(pattern: str, function: str) -> tuple:
    """The pattern's tokens; a pattern Spark refuses raises ByzerRuntimeError naming `function`."""
    tokens, stack, i = [], [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            text, i = _quoted(pattern, i, function)
            tokens.append(text)
            continue
        if char == "[":
            stack.append(tokens)
            tokens = []
        elif char == "]":
            if not stack:
                _refuse(function, pattern, "it contains ] without a previous [")
            section, tokens = Optional_(tuple(tokens)), stack.pop()
            tokens.append(section)
        elif char.isascii() and char.isalpha():
            run = len(pattern[i:]) - len(pattern[i:].lstrip(char))
            tokens.append(_letters(char, run, pattern, function))
            i += run
            continue
        elif char in _RESERVED:
            _refuse(function, pattern, f"it includes the reserved character {char!r}")
        else:
            tokens.append(char)
        i += 1
    while stack:  # Java closes sections left open at the end
        section, tokens = Optional_(tuple(tokens)), stack.pop()
        tokens.append(section)
    return tuple(tokens)


def _quoted(pattern: str, start: int, function: str) -> tuple:
    """Literal text between quotes (`''` is one quote, inside or outside quotes)."""
    if pattern.startswith("''", start):
        return "'", start + 2
    text, i = [], start + 1
    while i < len(pattern):
        if pattern.startswith("''", i):
            text.append("'")
            i += 2
        elif pattern[i] == "'":
            return "".join(text), i + 1
        else:
            text.append(pattern[i])
            i += 1
    _refuse(function, pattern, "it ends inside a quoted text")


def _letters(letter: str, count: int, pattern: str, function: str) -> Letters:
    if letter in _WEEK_BASED:
        _refuse(function, pattern, f"the week-based letter '{letter}' is not supported since "
                                   "Spark 3.0 (use extract() instead)")
    if letter in _UNSUPPORTED or letter not in _MAX_COUNT:
        _refuse(function, pattern, f"'{letter}' is not a pattern letter")
    if count > _MAX_COUNT[letter] or (letter == "V" and count != 2) or \
            (letter == "O" and count not in (1, 4)):
        _refuse(function, pattern, f"'{letter * count}' has too many (or too few) letters")
    return Letters(letter, count)


def _refuse(function: str, pattern: str, why: str):
    raise ByzerRuntimeError(f"{function}: invalid datetime pattern '{pattern}': {why}")


def _flat(tokens) -> list:
    """Formatting prints every optional section (a timestamp has every field)."""
    out = []
    for token in tokens:
        out.extend(_flat(token.tokens) if isinstance(token, Optional_) else [token])
    return out


# ---------------------------------------------------------------------------------- formatting

_STRFTIME = {("M", 1): "%-m", ("M", 2): "%m", ("M", 3): "%b", ("M", 4): "%B",
             ("d", 1): "%-d", ("d", 2): "%d", ("D", 1): "%-j", ("D", 3): "%j",
             ("E", 4): "%A", ("a", 1): "%p", ("h", 1): "%-I", ("h", 2): "%I",
             ("H", 1): "%-H", ("H", 2): "%H", ("m", 1): "%-M", ("m", 2): "%M",
             ("s", 1): "%-S", ("s", 2): "%S", ("y", 2): "%y", ("y", 4): "%Y",
             ("S", 3): "%g", ("S", 6): "%f"}
_STRFTIME.update({("E", n): "%a" for n in (1, 2, 3)})
_STRFTIME.update({("L", n): _STRFTIME[("M", n)] for n in (1, 2, 3, 4)})

# Zone and era letters: constants, the session time zone being UTC.
_CONSTANT = {"G": ["AD", "AD", "AD", "Anno Domini"], "z": ["UTC", "UTC", "UTC", "Coordinated Universal Time"],
             "V": [None, "UTC"], "X": ["Z"] * 5, "x": ["+00", "+0000", "+00:00", "+0000", "+00:00"],
             "Z": ["+0000", "+0000", "+0000", "GMT", "Z"], "O": ["GMT", None, None, "GMT"]}

# Pieces strftime cannot write, as DuckDB SQL over the timestamp `_0`.
_EXPRESSION = {
    "k": "CASE hour(_0) WHEN 0 THEN 24 ELSE hour(_0) END",
    "K": "hour(_0) % 12",
    "F": "(day(_0) - 1) % 7 + 1",
    "D": "dayofyear(_0)",
    "y": "year(_0)",
}
_QUARTER_WORDS = "CASE quarter(_0) WHEN 1 THEN '1st' WHEN 2 THEN '2nd' WHEN 3 THEN '3rd' ELSE '4th' END"


def format_expression(timestamp: exp.Expression, tokens: tuple) -> exp.Expression:
    """A VARCHAR expression writing `timestamp` as the pattern says (NULL for NULL)."""
    pieces, text = [], []
    for token in _flat(tokens):
        if isinstance(token, str):
            text.append(token.replace("%", "%%"))
            continue
        piece = _format_piece(token)
        if not isinstance(piece, _Sql):
            text.append(piece)
        else:
            if text:
                pieces.append("".join(text))
                text = []
            pieces.append(piece)
    if text or not pieces:
        pieces.append("".join(text))
    parts = [duck(p, timestamp) if isinstance(p, _Sql)
             else duck("strftime(_0, _1)", timestamp, exp.Literal.string(p)) for p in pieces]
    result = parts[0]
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part)  # || keeps NULL as NULL
    return result


def _format_piece(token: Letters):
    """A strftime piece, or a DuckDB SQL template over `_0` (`_Sql`)."""
    letter, count = token.letter, token.count
    if (letter, count) in _STRFTIME:
        return _STRFTIME[(letter, count)]
    if letter in _CONSTANT:
        return _CONSTANT[letter][count - 1].replace("%", "%%")
    if letter == "S":
        if count > 6:
            return "%f" + "0" * (count - 6)
        return _Sql(f"substr(strftime(_0, '%f'), 1, {count})")
    if letter in "Qq":
        if count <= 2:
            return _Sql(f"lpad(CAST(quarter(_0) AS VARCHAR), {count}, '0')")
        return _Sql("'Q' || quarter(_0)" if count == 3 else f"{_QUARTER_WORDS} || ' quarter'")
    return _Sql(f"printf('%0{count}d', {_EXPRESSION[letter]})")


class _Sql(str):
    """A DuckDB SQL template over `_0`, as opposed to a strftime piece."""


# ------------------------------------------------------------------------------------- parsing

_STRPTIME = {"M": "%m", "L": "%m", "d": "%d", "D": "%j", "H": "%H", "k": "%H", "h": "%I",
             "K": "%I", "m": "%M", "s": "%S", "a": "%p", "X": "%z", "x": "%z", "Z": "%z",
             "z": "%Z", "V": "%Z"}


@dataclass(frozen=True)
class ParseFormats:
    """strptime formats for a pattern, in the order to try them. Those without a year read the
    text behind a `1970 ` prefix: Spark's missing fields default to 1970-01-01, DuckDB's to 1900."""
    with_year: tuple
    without_year: tuple
    two_digit_year: bool  # `yy`: Spark reads 00-99 as 2000-2099, DuckDB pivots at 69
    zoned: bool  # an offset or zone letter: strptime gives TIMESTAMPTZ


_MAX_VARIANTS = 64


def parse_formats(tokens: tuple, function: str) -> ParseFormats:
    variants = list(itertools.islice(_variants(tokens), _MAX_VARIANTS))
    with_year, without_year, two_digit, zoned = [], [], False, False
    for variant in variants:
        letters = {t.letter: t.count for t in variant if isinstance(t, Letters)}
        if "Q" in letters or "q" in letters or "E" in letters and letters["E"] > 4:
            raise ByzerRuntimeError(f"{function}: reading quarters from text is not supported "
                                    "by the local engine")
        two_digit |= letters.get("y") == 2
        zoned |= any(letter in letters for letter in "XxZzVO")
        text = "".join(_parse_piece(t) for t in variant)
        (with_year if "y" in letters else without_year).append(text)
    return ParseFormats(tuple(dict.fromkeys(with_year)), tuple(dict.fromkeys("%Y " + f for f in without_year)),
                        two_digit, zoned)


def _variants(tokens: tuple):
    """Every flat token list the optional sections allow, sections taken before skipped."""
    if not tokens:
        yield ()
        return
    head, rest = tokens[0], tokens[1:]
    for tail in _variants(rest):
        if isinstance(head, Optional_):
            for inner in _variants(head.tokens):
                yield inner + tail
            yield tail
        else:
            yield (head,) + tail


def _parse_piece(token) -> str:
    if isinstance(token, str):
        return token.replace("%", "%%")
    letter, count = token.letter, token.count
    if letter == "y":
        return "%y" if count == 2 else "%Y"
    if letter in "ML" and count >= 3:
        return "%b" if count == 3 else "%B"
    if letter == "E":
        return "%A" if count == 4 else "%a"
    if letter == "S":
        return "%f" if count <= 6 else "%n"
    if letter == "G":
        return "AD"
    if letter == "O":
        return "GMT"
    return _STRPTIME[letter]


def parse_expression(text: exp.Expression, formats: ParseFormats) -> exp.Expression:
    """A TIMESTAMP expression reading `text` (NULL where no format fits, as Spark without ANSI)."""
    attempts = []
    if formats.with_year:
        attempts.append(duck("try_strptime(_0, _1)", text, _string_list(formats.with_year)))
    if formats.without_year:
        attempts.append(duck("try_strptime('1970 ' || _0, _1)", text, _string_list(formats.without_year)))
    parsed = attempts[0] if len(attempts) == 1 else exp.func("coalesce", *attempts)
    parsed = exp.cast(parsed, exp.DataType.build("TIMESTAMP"))
    if formats.two_digit_year:
        parsed = duck("CASE WHEN year(_0) < 2000 THEN _0 + INTERVAL 100 YEAR ELSE _0 END", parsed)
    return parsed


def _string_list(items) -> exp.Expression:
    return exp.Array(expressions=[exp.Literal.string(item) for item in items])
