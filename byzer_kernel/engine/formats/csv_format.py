"""CSV as Spark 3.3 reads and writes it (`csvStr` docs/spec.md §3.2, `csv` files): header, inferSchema
(int/long/decimal/double/boolean/string), `_c0.._cN` names without a header, empty fields -> null."""
from __future__ import annotations

import base64
import datetime
import decimal
import math
import re
from pathlib import Path

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError
from ...lang.java_values import java_double
from .options import boolean_option, option, whole_number_option

_INTEGRAL = re.compile(r"[+-]?[0-9]+")
_JAVA_DOUBLE = re.compile(r"[+-]?(NaN|Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[fFdD]?)")
_TYPE_ORDER = ("int", "long", "double")
_ARROW = {"int": pa.int32(), "long": pa.int64(), "double": pa.float64(), "boolean": pa.bool_(),
          "string": pa.string(), "null": pa.string()}


class CsvOptions:
    def __init__(self, options: dict):
        self.header = boolean_option(options, "header")
        self.infer_schema = boolean_option(options, "inferSchema")
        self.delimiter = _single_char(option(options, "delimiter", option(options, "sep", ",")), "delimiter")
        self.quote = _single_char(option(options, "quote", '"'), "quote")
        self.escape = _single_char(option(options, "escape", "\\"), "escape")
        self.null_value = option(options, "nullValue", "")
        self.nan_value = option(options, "nanValue", "NaN")
        self.positive_inf = option(options, "positiveInf", "Inf")
        self.negative_inf = option(options, "negativeInf", "-Inf")
        self.comment = option(options, "comment", "")
        self.encoding = option(options, "encoding", option(options, "charset", "utf-8"))
        self.skip_first = whole_number_option(options, "skipFirstNLines", minimum=0, default=0)
        self.skip_last = whole_number_option(options, "skipLastNLines", minimum=0, default=0)


def _single_char(value: str, name: str) -> str:
    text = str(value)
    if text == "\\t":
        return "\t"
    if len(text) != 1:
        raise UsageError(f"option `{name}` must be a single character, got \"{value}\"")
    return text


# -- reading --------------------------------------------------------------------------------------
def _data_lines(lines: list[str], opts: CsvOptions) -> list[str]:
    """Spark drops blank lines and comment lines before tokenising."""
    kept = []
    for line in lines:
        if line.endswith("\r"):
            line = line[:-1]
        if not line.strip(" \t\x00\x0b\x0c"):
            continue
        if opts.comment and line.startswith(opts.comment):
            continue
        kept.append(line)
    return kept


def _split_line(line: str, opts: CsvOptions) -> list[str]:
    """One record (Spark reads CSV line by line unless multiLine). Inside quotes the escape
    character only escapes a quote; a doubled quote is a quote too."""
    delimiter, quote, escape = opts.delimiter, opts.quote, opts.escape
    fields, i, n = [], 0, len(line)
    while True:
        if i < n and line[i] == quote:
            i += 1
            parts = []
            while i < n:
                ch = line[i]
                if ch == escape and escape != quote and i + 1 < n and line[i + 1] == quote:
                    parts.append(quote)
                    i += 2
                elif ch == quote:
                    if i + 1 < n and line[i + 1] == quote:
                        parts.append(quote)
                        i += 2
                    else:
                        i += 1
                        break
                else:
                    parts.append(ch)
                    i += 1
            end = line.find(delimiter, i)
            parts.append(line[i:] if end < 0 else line[i:end])  # text after the closing quote
            fields.append("".join(parts))
        else:
            end = line.find(delimiter, i)
            fields.append(line[i:] if end < 0 else line[i:end])
        if end < 0:
            return fields
        i = end + 1


def _tokenize(lines: list[str], opts: CsvOptions) -> list[list[str]]:
    return [_split_line(line, opts) for line in lines]


def _safe_header(names: list[str], opts: CsvOptions) -> list[str]:
    """`CSVUtils.makeSafeHeader`: empty names -> `_c<i>`, case-insensitive duplicates get their index."""
    lowered = [n.lower() for n in names if n]
    duplicates = {n for n in lowered if lowered.count(n) > 1}
    result = []
    for index, name in enumerate(names):
        if name == "" or name == opts.null_value:
            result.append(f"_c{index}")
        elif name.lower() in duplicates:
            result.append(f"{name}{index}")
        else:
            result.append(name)
    return result


def _field_type(text: str, opts: CsvOptions) -> str:
    if _INTEGRAL.fullmatch(text):
        value = int(text)
        if -(1 << 31) <= value < (1 << 31):
            return "int"
        if -(1 << 63) <= value < (1 << 63):
            return "long"
        digits = len(text.lstrip("+-"))
        return f"decimal({digits},0)" if digits <= 38 else "double"
    if _JAVA_DOUBLE.fullmatch(text.strip()) or text in (opts.nan_value, opts.positive_inf, opts.negative_inf):
        return "double"
    if text.lower() in ("true", "false"):
        return "boolean"
    return "string"


def _decimal_digits(kind: str) -> int:
    return int(kind[len("decimal("):].split(",")[0])


def _merge(a: str, b: str) -> str:
    if a == b or b == "null":
        return a
    if a == "null":
        return b
    if a.startswith("decimal") or b.startswith("decimal"):
        if "double" in (a, b):
            return "double"
        if "string" in (a, b) or "boolean" in (a, b):
            return "string"
        digits = max(_decimal_digits(k) if k.startswith("decimal") else 20 for k in (a, b))
        return f"decimal({digits},0)"
    if a in _TYPE_ORDER and b in _TYPE_ORDER:
        return _TYPE_ORDER[max(_TYPE_ORDER.index(a), _TYPE_ORDER.index(b))]
    return "string"


def _convert(text: str, kind: str, opts: CsvOptions):
    if kind in ("string", "null"):
        return text
    if kind in ("int", "long"):
        return int(text)
    if kind.startswith("decimal"):
        return decimal.Decimal(text)
    if kind == "boolean":
        return text.lower() == "true"
    if text == opts.nan_value:
        return math.nan
    if text == opts.positive_inf:
        return math.inf
    if text == opts.negative_inf:
        return -math.inf
    return float(text.strip().rstrip("fFdD"))


def _arrow_type(kind: str) -> pa.DataType:
    if kind.startswith("decimal"):
        return pa.decimal128(_decimal_digits(kind), 0)
    return _ARROW[kind]


def read_csv_lines(files_lines: list[list[str]], options: dict) -> pa.Table:
    """CSV records from one or more files' lines (each file's first line is its header)."""
    return _read_csv(files_lines, options)[0]


def read_csv_files(files_lines: list[list[str]], options: dict) -> list[pa.Table]:
    """The same read, as one table per file (one schema inferred over all files)."""
    table, counts = _read_csv(files_lines, options)
    tables, offset = [], 0
    for count in counts:
        tables.append(table.slice(offset, count))
        offset += count
    return tables


def _read_csv(files_lines: list[list[str]], options: dict) -> tuple[pa.Table, list[int]]:
    """The table of every file's records, and how many of its rows each file gave, in order."""
    opts = CsvOptions(options)
    names = None
    rows: list[list] = []
    counts: list[int] = []
    for lines in files_lines:
        counts.append(0)
        if opts.skip_first or opts.skip_last:
            lines = lines[opts.skip_first:len(lines) - opts.skip_last if opts.skip_last else None]
        tokens = _tokenize(_data_lines(lines, opts), opts)
        if not tokens:
            continue
        if opts.header:
            header, tokens = tokens[0], tokens[1:]
            if names is None:
                names = _safe_header(header, opts)
        elif names is None:
            names = [f"_c{i}" for i in range(len(tokens[0]))]
        rows.extend(tokens)
        counts[-1] = len(tokens)
    if names is None:
        return pa.table({}), counts
    width = len(names)
    columns: list[list] = [[] for _ in range(width)]
    for row in rows:
        for index in range(width):
            value = row[index] if index < len(row) else None
            columns[index].append(None if value is None or value == opts.null_value else value)
    arrays = []
    for values in columns:
        kind = "string"
        if opts.infer_schema:
            kind = "null"
            for value in values:
                if value is not None:
                    kind = _merge(kind, _field_type(value, opts))
                    if kind == "string":
                        break
            if kind != "null":
                values = [None if v is None else _convert(v, kind, opts) for v in values]
        arrays.append(pa.array(values, type=_arrow_type(kind)))
    return pa.Table.from_arrays(arrays, names=names), counts


def read_csv_str(text: str, options: dict) -> pa.Table:
    return read_csv_lines([text.split("\n")], options)


def read_csv_file(path: Path, options: dict) -> list[str]:
    encoding = CsvOptions(options).encoding
    text = path.read_text(encoding=encoding)
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# -- writing ---------------------------------------------------------------------------------------
def spark_text(value, arrow_type: pa.DataType):
    """A scalar as Spark's CSV writer turns it into a field."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return format_timestamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def format_timestamp(value: datetime.datetime) -> str:
    """Spark's default write format yyyy-MM-dd'T'HH:mm:ss.SSSXXX (local time zone)."""
    local = value.astimezone() if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc).astimezone()
    offset = local.strftime("%z")
    offset = "Z" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + offset


def _csv_field(text, opts: CsvOptions) -> str:
    if text is None:
        return ""
    text = text.strip(" \t")  # Spark trims leading/trailing white space when writing CSV
    if text == "":
        return opts.quote * 2
    if opts.quote in text or opts.delimiter in text or "\n" in text or "\r" in text:
        return opts.quote + text.replace(opts.quote, opts.escape + opts.quote) + opts.quote
    return text


def check_csv_table(table: pa.Table) -> None:
    for field in table.schema:
        if pa.types.is_nested(field.type):
            raise ByzerRuntimeError(f"CSV data source does not support {field.type} data type "
                                    f"(column `{field.name}`)")


def write_csv_file(table: pa.Table, path: Path, options: dict) -> None:
    opts = CsvOptions(options)
    check_csv_table(table)
    lines = []
    if opts.header:
        lines.append(opts.delimiter.join(_csv_field(n, opts) for n in table.column_names))
    columns = [(c.to_pylist(), f.type) for c, f in zip(table.columns, table.schema)]
    for index in range(table.num_rows):
        lines.append(opts.delimiter.join(_csv_field(spark_text(values[index], t), opts) for values, t in columns))
    path.write_text("".join(line + "\n" for line in lines), encoding=opts.encoding)
