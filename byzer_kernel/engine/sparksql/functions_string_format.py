"""Spark's number and text formatting on DuckDB: format_string/printf (Java's Formatter),
format_number (Java's DecimalFormat), to_number/try_to_number (Spark's number formats).

Formats are literals in practice (to_number requires one): they are read when the query is
translated, and each piece becomes a vectorised DuckDB expression.
"""
from __future__ import annotations

import decimal
import re

import pyarrow as pa
from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .literals import literal_under_casts
from .registry import duck, macro, spark_function, udf


_JAVA_CLASSES = {"double": "java.lang.Double", "float": "java.lang.Float", "bigint": "java.lang.Long",
                 "int": "java.lang.Integer", "decimal": "org.apache.spark.sql.types.Decimal"}


def _java_class(node) -> str:
    """The Java class Spark hands the Formatter for a literal argument (for Spark's errors)."""
    if isinstance(node, (exp.Cast, exp.TryCast)) and isinstance(node.this, exp.Literal):
        return _JAVA_CLASSES.get(node.to.sql(dialect="spark").lower().split("(")[0], "")
    literal = node if isinstance(node, exp.Literal) else None
    if literal is None or literal.is_string:
        return "java.lang.String" if literal is not None else ""
    text = literal.this.lower()
    if "e" in text:
        return "java.lang.Double"
    return "org.apache.spark.sql.types.Decimal" if "." in text else "java.lang.Integer"


# ---- format_string ------------------------------------------------------------------------------

_SPECIFIER = re.compile(r"%(\d+\$|<)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])")
_INTEGRAL, _FLOATING = set("dxXo"), set("eEfgGaA")


class _Formatter:
    """Java's Formatter for one literal format: a list of DuckDB pieces, joined by concat."""

    def __init__(self, function: str, text: str, args):
        self.function, self.text, self.args = function, text, args
        self.next_arg, self.last_arg = 0, None

    def expression(self):
        pieces, position = [], 0
        for match in _SPECIFIER.finditer(self.text):
            if match.start() > position:
                pieces.append(exp.Literal.string(self.text[position:match.start()]))
            pieces.append(self._piece(match))
            position = match.end()
        if position < len(self.text):
            if "%" in self.text[position:]:
                raise ByzerRuntimeError(f"function `{self.function}`: unknown format specifier in "
                                        f"'{self.text[position:]}'")
            pieces.append(exp.Literal.string(self.text[position:]))
        return exp.func("concat", *pieces) if pieces else exp.Literal.string("")

    def _piece(self, match):
        index, flags, width, precision, conversion = match.groups()
        if conversion == "%":
            return exp.Literal.string("%".rjust(int(width or 0)))
        if conversion == "n":
            return exp.Literal.string("\n")
        arg = self._argument(index, match.group(0))
        if conversion in _INTEGRAL or conversion in _FLOATING:
            return self._number(arg, flags, width, precision, conversion)
        if conversion in "bB":
            text = duck("spark_format_boolean(_0)", arg)
        elif conversion in "cC":
            text = duck("chr(CAST(_0 AS INTEGER))", arg)
        elif conversion in "sS":
            text = duck("CAST(_0 AS VARCHAR)", arg)
        else:
            raise ByzerRuntimeError(f"function `{self.function}`: the conversion "
                                    f"'{match.group(0)}' is not supported")
        if precision:
            text = duck(f"left(_0, {precision[1:]})", text)
        if conversion.isupper():
            text = duck("upper(_0)", text)
        return _justified(duck("coalesce(_0, 'null')", text), flags, width)

    def _argument(self, index, specifier):
        if index == "<":
            position = self.last_arg
        elif index:
            position = int(index[:-1]) - 1
        else:
            position, self.next_arg = self.next_arg, self.next_arg + 1
        if position is None or position >= len(self.args):
            raise ByzerRuntimeError(f"function `{self.function}`: Format specifier '{specifier}' "
                                    "has no argument")
        self.last_arg = position
        return self.args[position]

    def _number(self, arg, flags, width, precision, conversion):
        java_class = _java_class(arg)
        floating = conversion in _FLOATING
        allowed = {"java.lang.Double", "java.lang.Float"} if floating \
            else {"java.lang.Integer", "java.lang.Long"}
        if java_class and java_class not in allowed:
            raise ByzerRuntimeError(f"{conversion} != {java_class}")
        c_flags = "".join(f for f in flags if f in "-+ 0#")
        if floating:
            # Java rounds the decimal digits half up, C the binary value half to even.
            digits = int(precision[1:]) if precision else 6
            value = duck(f"round(CAST(_0 AS DOUBLE), {digits})" if conversion in "fF"
                         else "CAST(_0 AS DOUBLE)", arg)
        else:
            value = duck("CAST(_0 AS BIGINT)", arg)
        if "," in flags:  # grouping: C's printf has none, DuckDB's fmt-style format does
            spec = f"{{:,{'.' + precision[1:] if precision else ''}{'f' if floating else 'd'}}}"
            text = _justified(duck(f"format('{spec}', _0)", value), flags, width)
        else:
            text = duck(f"printf('%{c_flags}{width or ''}{precision or ''}{conversion}', _0)", value)
        return duck("coalesce(_0, _1)", text, _justified(exp.Literal.string("null"), flags, width))


def _justified(text, flags, width):
    if not width:
        return text
    side = "rpad" if "-" in flags else "lpad"
    return duck(f"CASE WHEN length(_0) >= {width} THEN _0 ELSE {side}(_0, {width}, ' ') END", text)


macro("CREATE MACRO spark_format_boolean(a BOOLEAN) AS CASE WHEN a THEN 'true' ELSE 'false' END, "
      "(a) AS CASE WHEN a IS NULL THEN 'false' ELSE 'true' END")


@spark_function("format_string", "printf", result="string")
def format_string(format_, *args):
    literal = literal_under_casts(format_)
    if isinstance(format_, exp.Null):
        return duck("CAST(NULL AS VARCHAR)")
    if literal is None or not literal.is_string:
        raise ByzerRuntimeError("function `format_string`: the local engine needs the format as a "
                                "string literal")
    return _Formatter("format_string", literal.this, args).expression()


# ---- format_number ------------------------------------------------------------------------------

@spark_function("format_number", result="string")
def format_number(number, digits):
    """`#,###,###.##` with `digits` decimals (NULL when negative), or a DecimalFormat pattern."""
    literal = literal_under_casts(digits)
    if literal is not None and literal.is_string:
        return duck("spark_decimal_format(CAST(_0 AS DOUBLE), _1)", number,
                    exp.Literal.string(literal.this))
    return duck("CASE WHEN _1 >= 0 THEN format('{:,.{}f}', CAST(_0 AS DOUBLE), _1) END",
                number, exp.TryCast(this=digits, to=exp.DataType.build("int")))


def _decimal_format(value: float, pattern: str) -> str:
    """Java's DecimalFormat (HALF_EVEN) for the usual patterns: 0 and # digits, grouping, decimals."""
    pattern = pattern or "#,##0"
    integer, _, fraction = pattern.partition(".")
    grouping = len(integer) - integer.rfind(",") - 1 if "," in integer else 0
    min_integer = integer.count("0")
    min_fraction, max_fraction = fraction.count("0"), fraction.count("0") + fraction.count("#")
    exact = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-max_fraction),
                                            rounding=decimal.ROUND_HALF_EVEN)
    sign = "-" if exact < 0 else ""
    whole, _, decimals = f"{abs(exact):f}".partition(".")
    decimals = decimals.rstrip("0").ljust(min_fraction, "0")
    whole = whole.lstrip("0").rjust(min_integer, "0")
    if grouping:
        whole = _grouped(whole, grouping)
    return sign + whole + ("." + decimals if decimals else "")


def _grouped(digits: str, size: int) -> str:
    groups = []
    while len(digits) > size:
        digits, group = digits[:-size], digits[-size:]
        groups.insert(0, group)
    return ",".join([digits] + groups if digits else groups)


def _decimal_format_column(values: pa.Array, patterns: pa.Array) -> pa.Array:
    return pa.array([None if v is None or p is None else _decimal_format(v, p)
                     for v, p in zip(values.to_pylist(), patterns.to_pylist())], pa.string())


udf("spark_decimal_format", _decimal_format_column, ["DOUBLE", "VARCHAR"], "VARCHAR", type="arrow",
    null_handling="special")


# ---- to_number ----------------------------------------------------------------------------------

_NUMBER_FORMAT = re.compile(r"^(?P<lead>\$?S?\$?)(?P<digits>[09,G]*)(?:[.D](?P<fraction>[09]*))?"
                            r"(?P<trail>S|MI|PR)?$")


class _NumberFormat:
    """A Spark number format (`$99,999.99S`): the input it accepts, as a regular expression, and
    the decimal type of its value."""

    def __init__(self, function: str, text: str):
        match = _NUMBER_FORMAT.match(text.upper())
        if not match or not (match.group("digits") or match.group("fraction")):
            raise ByzerRuntimeError(f"function `{function}`: the format '{text}' is invalid")
        self.text = text
        digits = match.group("digits").replace("G", ",")
        self.groups = [group for group in digits.split(",")]
        self.fraction = match.group("fraction") or ""
        self.has_point = match.group("fraction") is not None
        self.lead, self.trail = match.group("lead"), match.group("trail") or ""
        self.precision = sum(len(g) for g in self.groups) + len(self.fraction)
        self.scale = len(self.fraction)

    def regex(self) -> str:
        lead = "".join(r"\$" if char == "$" else "[+-]?" for char in self.lead)
        fraction = f"(?:\\.[0-9]{{0,{len(self.fraction)}}})?" if self.has_point else ""
        body = lead + self._integer_regex() + fraction
        if self.trail == "PR":
            return f"^(?:<{body}>|{body})$"
        return f"^{body}{ {'S': '[+-]?', 'MI': '-?'}.get(self.trail, '')}$"

    def _integer_regex(self) -> str:
        """Digits grouped as the format groups them, right-aligned; the leftmost group written may
        be shorter (or absent); a group starting with 0 must be written in full."""
        choices = []
        for written in range(1, len(self.groups) + 1):
            groups = self.groups[-written:]
            first = groups[0]
            low = len(first) if first.startswith("0") else 0
            head = f"[0-9]{{{low},{len(first)}}}"
            choices.append(head + "".join(f",[0-9]{{{len(g)}}}" for g in groups[1:]))
        return "(?:" + "|".join(choices) + ")"


def _to_number(function: str, text, format_, failing: bool):
    literal = literal_under_casts(format_)
    if literal is None or not literal.is_string:
        raise ByzerRuntimeError(f"function `{function}`: the format must be a string literal")
    number_format = _NumberFormat(function, literal.this)
    decimal_type = f"DECIMAL({max(number_format.precision, 1)}, {number_format.scale})"
    mismatch = ("error('The input string ''' || _0 || ''' does not match the given number format: "
                f"''{literal.this.replace(chr(39), chr(39) * 2)}''')" if failing else "NULL")
    regex = exp.Literal.string(number_format.regex())
    return duck(f"CASE WHEN _0 IS NULL THEN NULL "
                f"WHEN NOT regexp_full_match(trim(_0), _1) OR NOT regexp_matches(_0, '[0-9]') "
                f"THEN {mismatch} ELSE CAST(CAST(regexp_replace(_0, '[^0-9.]', '', 'g') AS "
                f"{decimal_type}) * CASE WHEN regexp_matches(_0, '[-<]') THEN -1 ELSE 1 END "
                f"AS {decimal_type}) END", exp.TryCast(this=text, to=exp.DataType.build("text")),
                regex)


@spark_function("to_number")
def to_number(text, format_):
    return _to_number("to_number", text, format_, failing=True)


@spark_function("try_to_number")
def try_to_number(text, format_):
    return _to_number("try_to_number", text, format_, failing=False)
