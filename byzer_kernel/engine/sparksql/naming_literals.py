"""How Spark 3.3 spells a literal inside a column name: numbers by the Java `toString` of their
value (`1L` -> `1`, `1E10D` -> `1.0E10`, `01.50` -> `1.50`), strings without quotes, typed
literals in Spark's canonical form (`DATE '2020-01-01'`, `X'0A'`), and interval literals as the
ANSI interval Spark makes of them (`interval 5 days 3 hours` -> `INTERVAL '5 03' DAY TO HOUR`)."""
from __future__ import annotations

import datetime
import decimal
import re
import struct

from sqlglot import exp

# Java's Double.toString / Float.toString ----------------------------------------------------------


def java_double(value: float) -> str:
    """Java's Double.toString: plain notation for 1e-3 <= |x| < 1e7, else `d.dddE±n`."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return _java_floating(repr(value), value)


def java_float(value: float) -> str:
    """Java's Float.toString: the shortest digits that read back as the same 32-bit float."""
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return _java_floating(text, single)
    return _java_floating(repr(single), single)


def _java_floating(shortest: str, value: float) -> str:
    if value == 0:
        return "-0.0" if str(value).startswith("-") else "0.0"
    sign = "-" if value < 0 else ""
    digits, exponent = _digits_and_exponent(shortest.lstrip("-"))
    if 1e-3 <= abs(value) < 1e7:
        point = exponent + 1  # digits before the decimal point
        if point <= 0:
            return f"{sign}0.{'0' * -point}{digits}"
        whole, fraction = digits[:point].ljust(point, "0"), digits[point:]
        return f"{sign}{whole}.{fraction or '0'}"
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def _digits_and_exponent(text: str):
    """'12.5e3' -> ('125', 4): significant digits and the power of ten of the first one."""
    _, digits, exponent = decimal.Decimal(text).normalize().as_tuple()
    return "".join(map(str, digits)), len(digits) - 1 + exponent


# numbers ------------------------------------------------------------------------------------------

_SUFFIX_TYPES = {exp.DataType.Type.DOUBLE: "double", exp.DataType.Type.FLOAT: "float",
                 exp.DataType.Type.DECIMAL: "decimal"}


def number(text: str, suffix_type=None) -> str:
    """A numeric literal as written: `text`, with a type suffix read as `suffix_type`."""
    kind = _SUFFIX_TYPES.get(suffix_type, "integral" if suffix_type is not None else None)
    if kind is None:
        kind = "double" if "e" in text.lower() else "decimal" if "." in text else "integral"
    if kind == "double":
        return java_double(float(text))
    if kind == "float":
        return java_float(float(text))
    if kind == "decimal":
        return str(decimal.Decimal(text))
    return str(int(text))


def is_decimal_literal(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and "." in node.this \
        and "e" not in node.this.lower()


# dates, timestamps, binary ------------------------------------------------------------------------

def date_literal(text: str) -> str:
    parts = [int(p) for p in re.findall(r"\d+", text)[:3]] + [1, 1]
    try:
        return f"DATE '{datetime.date(parts[0], parts[1], parts[2]).isoformat()}'"
    except ValueError:
        return f"DATE '{text}'"


def timestamp_literal(text: str, keyword: str = "TIMESTAMP") -> str:
    """Spark's canonical `yyyy-MM-dd HH:mm:ss[.ffffff]`, in UTC when the literal names a zone."""
    try:
        moment = datetime.datetime.fromisoformat(_iso(text))
    except ValueError:
        return f"{keyword} '{text}'"
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    rendered = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        rendered += f".{moment.microsecond:06d}".rstrip("0")
    return f"{keyword} '{rendered}'"


def _iso(text: str) -> str:
    text = text.strip().replace("T", " ").replace("Z", "+00:00")
    match = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})(.*)", text)
    if not match:
        return text
    year, month, day, rest = match.groups()
    fraction = re.search(r"\.(\d+)", rest)
    if fraction:  # Python reads at most microseconds; Spark truncates beyond them
        rest = rest.replace(fraction.group(0), "." + fraction.group(1)[:6].ljust(6, "0"), 1)
    return f"{year}-{int(month):02d}-{int(day):02d}{rest}"


def binary_literal(hex_digits: str) -> str:
    digits = hex_digits.upper()
    return f"X'{digits.rjust(len(digits) + len(digits) % 2, '0')}'"


# intervals ----------------------------------------------------------------------------------------

_MICROS = {"DAY": 86_400_000_000, "HOUR": 3_600_000_000, "MINUTE": 60_000_000,
           "SECOND": 1_000_000, "MILLISECOND": 1_000, "MICROSECOND": 1, "WEEK": 7 * 86_400_000_000}
_MONTHS = {"YEAR": 12, "MONTH": 1}
_DAY_TIME_FIELDS = ["DAY", "HOUR", "MINUTE", "SECOND"]
_FIELD_OF_UNIT = {"WEEK": "DAY", "MILLISECOND": "SECOND", "MICROSECOND": "SECOND"}
_SPAN_PATTERNS = {  # Spark's `INTERVAL '...' a TO b` strings, by field
    "DAY": r"(?P<DAY>\d+)", "HOUR": r"(?P<HOUR>\d+)", "MINUTE": r"(?P<MINUTE>\d+)",
    "SECOND": r"(?P<SECOND>\d+(?:\.\d*)?)"}


def interval_parts(node: exp.Expression):
    """[(value text, unit)] of an interval literal (several units read as a sum of intervals)."""
    if isinstance(node, exp.Add):
        left, right = interval_parts(node.this), interval_parts(node.expression)
        return left + right if left is not None and right is not None else None
    if not isinstance(node, exp.Interval):
        return None
    value, unit = node.this, node.args.get("unit")
    negative = isinstance(value, exp.Neg)
    text = value.this.name if negative else value.name
    text = ("-" + text.lstrip("+")) if negative and not text.startswith("-") else text
    if isinstance(unit, exp.IntervalSpan):
        return [(text, (unit.this.name.upper(), unit.expression.name.upper()))]
    return [(text, _unit_name(unit.name if unit is not None else "DAY"))]


def _unit_name(unit: str) -> str:
    unit = unit.upper()
    unit = unit[:-1] if unit.endswith("S") and unit != "S" else unit
    return {"MILLISECONDS": "MILLISECOND", "MICROSECONDS": "MICROSECOND"}.get(unit, unit)


def interval_literal(node: exp.Expression):
    """Spark's spelling of an interval literal, or None when it is not one Spark 3.3 can name."""
    parts = interval_parts(node)
    if not parts:
        return None
    try:
        if all(isinstance(unit, tuple) for _, unit in parts) and len(parts) == 1:
            return _span_literal(*parts[0])
        if all(unit in _MONTHS for _, unit in parts):
            months = sum(_exact(value) * _MONTHS[unit] for value, unit in parts)
            fields = [unit for _, unit in parts]
            return _year_month(int(months), min(fields, key=["YEAR", "MONTH"].index),
                               max(fields, key=["YEAR", "MONTH"].index))
        if all(unit in _MICROS for _, unit in parts):
            micros = sum(_exact(value) * _MICROS[unit] for value, unit in parts)
            fields = [_FIELD_OF_UNIT.get(unit, unit) for _, unit in parts]
            return _day_time(int(micros), min(fields, key=_DAY_TIME_FIELDS.index),
                             max(fields, key=_DAY_TIME_FIELDS.index))
    except (ArithmeticError, ValueError, KeyError):
        return None
    return None


def _exact(text: str) -> decimal.Decimal:
    return decimal.Decimal(text.strip())


def _span_literal(text: str, span) -> str:
    start, end = span
    negative = text.strip().startswith("-")
    body = text.strip().lstrip("+-")
    if start in _MONTHS:
        years, _, months = body.partition("-")
        total = int(years) * 12 + int(months or 0)
        return _year_month(-total if negative else total, start, end)
    fields = _DAY_TIME_FIELDS[_DAY_TIME_FIELDS.index(start):_DAY_TIME_FIELDS.index(end) + 1]
    separators = {"HOUR": " " if start == "DAY" else "", "MINUTE": ":", "SECOND": ":"}
    pattern = "".join((separators.get(field, "") if i else "") + _SPAN_PATTERNS[field]
                      for i, field in enumerate(fields))
    match = re.fullmatch(pattern, body)
    micros = sum(decimal.Decimal(match.group(f)) * _MICROS[f] for f in fields)
    return _day_time(int(-micros if negative else micros), start, end)


def _year_month(months: int, start: str, end: str) -> str:
    sign, months = ("-" if months < 0 else ""), abs(months)
    if start == end == "YEAR":
        value = f"{sign}{months // 12}"
    elif start == end:
        value = f"{sign}{months}"
    else:
        value = f"{sign}{months // 12}-{months % 12}"
    return f"INTERVAL '{value}' {_fields(start, end)}"


def _day_time(micros: int, start: str, end: str) -> str:
    """Spark's IntervalUtils.toDayTimeIntervalString in ANSI style."""
    sign, rest = ("-" if micros < 0 else ""), abs(micros)
    text = sign
    for field in _DAY_TIME_FIELDS[_DAY_TIME_FIELDS.index(start):_DAY_TIME_FIELDS.index(end) + 1]:
        if field == "SECOND":
            seconds = decimal.Decimal(rest).scaleb(-6)
            plain = format(seconds.normalize(), "f") if seconds else "0"
            text += ("" if field == start else ":") + ("0" if rest < 10_000_000 else "") + plain
            break
        amount, rest = divmod(rest, _MICROS[field])
        if field == "DAY":
            text += str(amount)
        else:
            text += ("" if field == start else " " if field == "HOUR" else ":") + f"{amount:02d}"
    return f"INTERVAL '{text}' {_fields(start, end)}"


def _fields(start: str, end: str) -> str:
    return start if start == end else f"{start} TO {end}"
