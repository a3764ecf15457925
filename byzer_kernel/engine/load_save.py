"""The `load` and `save` executors (docs/spec.md §3, §4.2): render path/options, find the data source by
its Byzer name, read into the catalog or write Spark's folder layout."""
from __future__ import annotations

import pyarrow as pa

from ..lang.errors import ByzerRuntimeError, UnknownFormatError, UsageError
from ..lang.statements import LoadStatement, SaveStatement
from .formats import (IN_MEMORY_FORMATS, SAVE_EXTENSIONS, SAVE_OPTION_CHECKS, TABLE_SAVERS, WRITERS,
                      known_formats, loader_for, savable_formats)
from .formats.csv_format import check_csv_table
from .formats.file_formats import check_text_per_row_options, check_text_table, save_text_files_per_row
from .formats.layout import check_partition_columns, prepare_target, write_parts
from .formats.options import boolean_option, option, whole_number_option
from .formats.overwrite_guard import OVERWRITE_ANY_FOLDER
from .progress import reporting_files

# Spark resolves its own short names case-insensitively when Byzer's registry has no match.
_SPARK_BUILTINS = ("json", "csv", "parquet", "text")


def clean_str(text: str) -> str:
    """Byzer's cleanStr: drop the outer backquotes or quotes, unescape nothing."""
    text = text.strip()
    if len(text) >= 2 and text[0] in "`\"'" and text[-1] == text[0] and not text.startswith("'''"):
        return text[1:-1]
    return text


def _format_name(name: str, available) -> str | None:
    if name in available:
        return name
    if name.lower() in _SPARK_BUILTINS and name.lower() in available:
        return name.lower()
    return None


def _unknown_format(name: str, names) -> UnknownFormatError:
    from ..lang.suggest import did_you_mean

    suggestion = did_you_mean(name, names)
    return UnknownFormatError(f"unknown format `{name}`{'; ' + suggestion if suggestion else ''} "
                              f"(known formats: {', '.join(names)}; names are case-sensitive, e.g. jsonStr)")


def execute_load(session, statement: LoadStatement, events):
    format_name = _format_name(statement.format, known_formats())
    if format_name is None:
        raise _unknown_format(statement.format, known_formats())
    path = clean_str(session.render(statement.path.raw))
    options = session.rendered_options(statement.options)
    name = session.render(statement.table)
    with reporting_files(events, statement):
        table = loader_for(format_name)(session, path, options)
    session.catalog.register(name, table)
    return name.strip().strip("`"), table


def execute_save(session, statement: SaveStatement, events):
    mode = statement.modes[-1] if statement.modes else "errorIfExists"
    if statement.format in IN_MEMORY_FORMATS:
        raise ByzerRuntimeError(f"save is not supported in {statement.format}")
    if statement.format in TABLE_SAVERS:
        return "save_result", TABLE_SAVERS[statement.format](
            session, session.table(session.render(statement.table)), clean_str(session.render(statement.path.raw)),
            mode, session.rendered_options(statement.options), list(statement.partition_by))
    format_name = _format_name(statement.format, WRITERS)
    if format_name is None:
        raise _unknown_format(statement.format, savable_formats())
    table = session.table(session.render(statement.table))
    path_text = clean_str(session.render(statement.path.raw))
    if path_text in ("", "-"):
        raise UsageError(f"save as {format_name} needs a path: write save t as {format_name}.`folder`")
    target = session.resolve_path(path_text)
    options = session.rendered_options(statement.options)
    partition_by = list(statement.partition_by)
    extra = option(options, "partitionByCol")
    if extra and not partition_by:
        partition_by = [c.strip() for c in str(extra).split(",") if c.strip()]
    file_num = whole_number_option(options, "fileNum", minimum=1)

    files, rows, status = 0, 0, "written"
    per_row_text = format_name == "text" and (option(options, "fileName") or option(options, "imageColumn"))
    # Everything that can be checked is checked before the mode deletes or creates anything.
    if per_row_text:
        check_text_per_row_options(table, options)
    elif format_name == "text":
        check_text_table(table.drop_columns([c for c in partition_by if c in table.column_names]))
    elif format_name == "csv":
        check_csv_table(table.drop_columns([c for c in partition_by if c in table.column_names]))
    check_partition_columns(table, partition_by)
    if format_name in SAVE_OPTION_CHECKS:
        SAVE_OPTION_CHECKS[format_name](options)
    allow_any_folder = boolean_option(options, OVERWRITE_ANY_FOLDER)
    if not prepare_target(target, mode, byzer_home=session.home, allow_any_folder=allow_any_folder):
        status = "skipped: path exists"
    elif per_row_text:
        files = rows = save_text_files_per_row(table, target, options)
    else:
        writer = WRITERS[format_name]
        with reporting_files(events, statement):
            files = write_parts(table, target, SAVE_EXTENSIONS[format_name], file_num, partition_by,
                                lambda piece, file: writer(piece, file, options))
        rows = table.num_rows
    info = pa.table({
        "path": pa.array([str(target)]),
        "format": pa.array([format_name]),
        "mode": pa.array([mode]),
        "status": pa.array([status]),
        "rows": pa.array([rows], pa.int64()),
        "files": pa.array([files], pa.int64()),
    })
    return "save_result", info
