"""`load excel.`file.xlsx`` and `save ... as excel.`file.xlsx`` (docs/spec.md §3.5), with the option
names and meanings of crealytics spark-excel, the data source Byzer registers as `excel`:

- `dataAddress`: where the table starts (and optionally ends): `A1` (default, first sheet),
  `'Sheet2'!A20`, `'My Sheet'!A20:D34`, `Sheet2!B3:C35`; a missing sheet or an address that is not
  one of these forms is one UsageError naming it;
- `header` (default true): the first row of the area names the columns (a blank name becomes `_cN`;
  a repeated name gets fastexcel's `_1`, `_2` suffix, where spark-excel appends the column index);
  false names them `_c0`, `_c1`, ...;
- `inferSchema` (default false): false gives every column as strings; true gives numbers as double,
  booleans, timestamps and strings, as spark-excel's inference does;
- `treatEmptyValuesAsNulls` (default true): an empty string cell is null; false keeps it as "";
- `timestampFormat` (default `yyyy-MM-dd HH:mm:ss`): how date cells read as strings look when
  inferSchema is false (a Java pattern: y M d H m s S letters).

Rows with no value in any cell are skipped (POI, under spark-excel, has no row object for them).

Reading is fastexcel (calamine, in Rust), which hands Arrow batches over directly; saving is openpyxl,
which can also add a sheet to an existing workbook (spark-excel's append writes into that file).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pyarrow as pa
import pyarrow.compute as pc

from ...lang.errors import ByzerRuntimeError, UsageError
from .layout import read_partitioned
from .options import boolean_option, option
from .overwrite_guard import OVERWRITE_ANY_FOLDER, check_overwrite

_ADDRESS = re.compile(r"^(?:(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!:]+))!)?"
                      r"\$?(?P<c1>[A-Za-z]{1,3})\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Za-z]{1,3})\$?(?P<r2>\d+))?$")
DEFAULT_TIMESTAMP_FORMAT = "yyyy-MM-dd HH:mm:ss"
_EXCEL_FILES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


@dataclass(frozen=True)
class DataAddress:
    """A parsed dataAddress; rows and columns are 0-based sheet positions, ends inclusive or None."""
    sheet: Optional[str]
    first_row: int
    first_column: int
    last_row: Optional[int] = None
    last_column: Optional[int] = None


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def parse_data_address(text: str) -> DataAddress:
    match = _ADDRESS.match(str(text).strip())
    if not match or int(match["r1"]) < 1 or (match["r2"] is not None and int(match["r2"]) < 1):
        raise UsageError(f"excel: bad dataAddress \"{text}\" (write A1, 'Sheet2'!A20 or 'Sheet2'!A20:D34)")
    sheet = match["quoted"].replace("''", "'") if match["quoted"] is not None else match["plain"]
    first = (int(match["r1"]) - 1, _column_number(match["c1"]))
    if match["c2"] is None:
        return DataAddress(sheet, *first)
    last = (int(match["r2"]) - 1, _column_number(match["c2"]))
    return DataAddress(sheet, min(first[0], last[0]), min(first[1], last[1]),
                       max(first[0], last[0]), max(first[1], last[1]))


# -- reading ------------------------------------------------------------------------------------
def load_excel(session, path: str, options: dict) -> pa.Table:
    address = parse_data_address(option(options, "dataAddress", "A1"))
    settings = {
        "header": boolean_option(options, "header", True),
        "infer": boolean_option(options, "inferSchema", False),
        "empty_as_null": boolean_option(options, "treatEmptyValuesAsNulls", True),
        "timestamp_format": _timestamp_format(str(option(options, "timestampFormat", DEFAULT_TIMESTAMP_FORMAT))),
    }
    return read_partitioned(path, session.resolve_path, lambda file: read_excel_file(file, address, **settings),
                            list)


def _open_sheet(file: Path, address: DataAddress):
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(file))
    except Exception as error:  # fastexcel raises its own classes for unreadable workbooks
        raise ByzerRuntimeError(f"excel: {file} is not a workbook fastexcel can read: {error}") from None
    names = reader.sheet_names
    sheet = address.sheet if address.sheet is not None else names[0] if names else None
    if sheet not in names:
        raise UsageError(f"excel: no sheet named '{sheet}' in {file.name} (sheets: {', '.join(names)})")
    return reader, sheet


def read_excel_file(file: Path, address: DataAddress, *, header: bool, infer: bool, empty_as_null: bool,
                    timestamp_format: tuple[str, str]) -> pa.Table:
    reader, sheet = _open_sheet(file, address)
    first, last = address.first_column, address.last_column
    first_data_row = address.first_row + (1 if header else 0)
    rows = None if address.last_row is None else max(0, address.last_row - first_data_row + 1)
    # One pass over the sheet (each load_sheet parses it again): fastexcel reads the header row and
    # picks the columns of the area by their sheet position.
    sheet_data = reader.load_sheet(
        sheet, header_row=address.first_row if header else None, skip_rows=None if header else address.first_row,
        n_rows=rows, schema_sample_rows=None, dtypes=_string_dtypes(infer, timestamp_format),
        use_columns=lambda column: first <= column.absolute_index and (last is None or column.absolute_index <= last))
    names = [f"_c{i}" if not header or column.column_name_from == "generated" else column.name
             for i, column in enumerate(sheet_data.selected_columns)]
    table = pa.Table.from_batches([sheet_data.to_arrow()])
    if not table.num_columns:
        return pa.table({})
    table = table.rename_columns(names)
    return _spark_columns(_drop_blank_rows(table), infer, empty_as_null, timestamp_format)


def _string_dtypes(infer: bool, timestamp_format: tuple[str, str]):
    """Without inferSchema and with the default timestampFormat, fastexcel's own text of each cell is
    already Spark's (dates as yyyy-MM-dd HH:mm:ss, whole numbers without ".0"): ask for strings."""
    return "string" if not infer and timestamp_format[1] == DEFAULT_TIMESTAMP_FORMAT else None


def _drop_blank_rows(table: pa.Table) -> pa.Table:
    if not table.num_columns or not table.num_rows:
        return table
    blank = None
    for column in table.columns:
        empty = pc.is_null(column)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            empty = pc.or_(empty, pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), False))
        blank = empty if blank is None else pc.and_(blank, empty)
    if not pc.any(blank).as_py():
        return table
    return table.filter(pc.invert(blank))


def _spark_columns(table: pa.Table, infer: bool, empty_as_null: bool, timestamp_format: tuple[str, str]) -> pa.Table:
    """Spark's types: double for every number, timestamps in microseconds; without inferSchema every
    cell as text (whole numbers without ".0", booleans as Excel shows them, dates in timestampFormat)."""
    fields, arrays = [], []
    for field, column in zip(table.schema, table.columns):
        kind = field.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            column = column.cast(pa.float64())
        elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            column = column.cast(pa.timestamp("us"))
        elif pa.types.is_duration(kind):
            column = pc.cast(pc.cast(column, pa.int64()), pa.string())
        elif pa.types.is_null(kind):
            column = column.cast(pa.string())
        if not infer and not pa.types.is_string(column.type):
            if pa.types.is_timestamp(column.type):
                unit = "ms" if "ss.SSS" in timestamp_format[1] else "s"
                column = pc.strftime(column.cast(pa.timestamp(unit), safe=False), format=timestamp_format[0])
            elif pa.types.is_boolean(column.type):
                column = pc.utf8_upper(column.cast(pa.string()))
            else:
                column = column.cast(pa.string())
        if pa.types.is_string(column.type):
            if empty_as_null:
                column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
            else:
                column = pc.fill_null(column, "")
        fields.append(pa.field(field.name, column.type))
        arrays.append(column)
    return pa.table(arrays, schema=pa.schema(fields)) if arrays else table


# Arrow's %S prints the fraction the timestamp unit carries: `ss.SSS` is %S on milliseconds.
_JAVA_LETTERS = (("yyyy", "%Y"), ("yy", "%y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("hh", "%I"),
                 ("mm", "%M"), ("ss.SSS", "%S"), ("ss", "%S"), ("a", "%p"))


def _timestamp_format(java_pattern: str) -> tuple[str, str]:
    return _strftime(java_pattern), java_pattern


def _strftime(java_pattern: str) -> str:
    """The y/M/d/H/m/s/S subset of a Java date pattern as strftime (what timestampFormat holds in practice)."""
    out, i = "", 0
    while i < len(java_pattern):
        for letters, directive in _JAVA_LETTERS:
            if java_pattern.startswith(letters, i):
                out += directive
                i += len(letters)
                break
        else:
            if java_pattern[i].isalpha():
                raise UsageError(f"excel: timestampFormat \"{java_pattern}\": only yyyy yy MM dd HH hh mm ss ss.SSS a "
                                 "are supported")
            out += java_pattern[i].replace("%", "%%")
            i += 1
    return out


# -- saving -------------------------------------------------------------------------------------
def save_excel(session, table: pa.Table, path: str, mode: str, options: dict, partition_by: list) -> pa.Table:
    """One workbook at the path (spark-excel writes one file, not part files). `dataAddress` names the
    sheet and the top-left cell; append adds (or replaces) that sheet in an existing workbook."""
    if path in ("", "-"):
        raise UsageError("save as excel needs a file path: write save t as excel.`out.xlsx`")
    if partition_by:
        raise UsageError("excel: partitionBy is not supported (one workbook is written)")
    address = parse_data_address(option(options, "dataAddress", "A1"))
    header = boolean_option(options, "header", True)
    target = session.resolve_path(path)
    status = "written"
    exists = target.exists() or target.is_symlink()
    if exists and mode == "errorIfExists":
        raise ByzerRuntimeError(f"path {target} already exists; use overwrite/append/ignore")
    if exists and mode == "ignore":
        status = "skipped: path exists"
    elif exists and mode == "append" and not target.is_file():
        raise ByzerRuntimeError(f"cannot append to {target}: it is not a workbook file")
    elif exists and mode == "overwrite" and not (target.is_file() and target.suffix.lower() in _EXCEL_FILES):
        # Replacing a workbook is what an excel save does; anything else follows the overwrite guard.
        check_overwrite(target, session.home, boolean_option(options, OVERWRITE_ANY_FOLDER))
    if status == "written":
        write_workbook(table, target, address, header, append=exists and mode == "append")
    return pa.table({"path": [str(target)], "format": ["excel"], "mode": [mode], "status": [status],
                     "rows": pa.array([table.num_rows if status == "written" else 0], pa.int64()),
                     "files": pa.array([1 if status == "written" else 0], pa.int64())})


def write_workbook(table: pa.Table, target: Path, address: DataAddress, header: bool, append: bool) -> None:
    import openpyxl

    sheet_name = address.sheet or "Sheet1"
    if append:
        try:
            workbook = openpyxl.load_workbook(target)
        except Exception as error:  # openpyxl raises zipfile/KeyError/InvalidFileException variants
            raise ByzerRuntimeError(f"excel: cannot append to {target}: {error}") from None
        if sheet_name in workbook.sheetnames:
            del workbook[sheet_name]
        sheet = workbook.create_sheet(sheet_name)
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = sheet_name
    rows = ([list(table.column_names)] if header else []) + \
        [[_cell(v) for v in row.values()] for row in table.to_pylist()]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.cell(row=address.first_row + r + 1, column=address.first_column + c + 1, value=value)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        import shutil
        shutil.rmtree(target)
    elif target.is_symlink():
        target.unlink()
    workbook.save(target)


def _cell(value):
    """A value Excel can hold: nested values as their text, timezone-aware times as local wall time."""
    if isinstance(value, (dict, list, tuple)):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)
    return value
