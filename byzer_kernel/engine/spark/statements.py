"""`select`, `load` and `save` under the Spark engine (docs/reference/spark-engine.md, "What runs
on Spark"): Spark SQL itself over the catalog, Spark's readers and writers on any Hadoop path. The
sources this project reads and writes itself (Rest, excel, jdbc, delta, script...) keep their
embedded executors: their Arrow tables become Spark tables when a query names them."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError
from ...lang.statements import LoadStatement, SaveStatement, SelectStatement
from ..formats import IN_MEMORY_FORMATS, TABLE_SAVERS, WRITERS, known_formats
from ..formats.csv_format import check_csv_table
from ..formats.file_formats import check_text_table
from ..formats.in_memory import variable_text
from ..formats.layout import check_partition_columns
from ..formats.options import boolean_option, option, whole_number_option
from ..formats.overwrite_guard import OVERWRITE_ANY_FOLDER, check_overwrite
from ..load_save import _format_name, clean_str, execute_load, execute_save
from ..select_statement import split_select
from .failures import sql_origin
from .frame import SparkFrame

# Formats whose files Spark reads and writes itself (its short names, any case).
SPARK_FILE_FORMATS = ("csv", "json", "parquet", "orc", "text")
# Byzer's own csv options Spark's reader does not have: the embedded reader answers as Byzer.
_EMBEDDED_CSV_OPTIONS = ("skipFirstNLines", "skipLastNLines")
# Options of the save statement itself, not of Spark's writer.
_SAVE_OWN_OPTIONS = ("fileNum", "partitionByCol", OVERWRITE_ANY_FOLDER)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_SPARK_MODES = {"overwrite": "overwrite", "append": "append", "ignore": "ignore", "errorIfExists": "errorifexists"}


def spark_select(session, statement: SelectStatement, events):
    sql, name = split_select(session.render(statement.text, for_select=True))
    frame = session.spark.query(sql, sql_origin(statement, sql))
    return _register(session, name, frame)


def spark_load(session, statement: LoadStatement, events):
    path = clean_str(session.render(statement.path.raw))
    options = session.rendered_options(statement.options)
    name = session.render(statement.table)
    engine = session.spark
    file_format = _format_name(statement.format, SPARK_FILE_FORMATS)
    if statement.format in ("jsonStr", "csvStr"):
        frame = _load_variable(session, statement.format, path, options)
    elif file_format and not (file_format == "csv" and any(option(options, o) for o in _EMBEDDED_CSV_OPTIONS)):
        frame = _load_files(session, file_format, path, options)
    elif statement.format.lower() == "jdbc" and (frame := _load_jdbc(session, path, options, events)) is not None:
        pass  # Spark's JDBC source (engine/spark/jdbc.py)
    elif _format_name(statement.format, known_formats()):
        return execute_load(session, statement, events)  # read by this project, as Arrow
    else:  # one of Spark's own sources, by the name Spark knows it under
        paths = spark_paths(session, path)
        reader = engine.run(lambda: engine.spark().read.format(statement.format).options(**options))
        frame = SparkFrame(engine.run(lambda: reader.load(paths) if paths else reader.load()), None, engine.master)
    return _register(session, name, frame)


def _load_variable(session, format_name: str, variable: str, options: dict) -> SparkFrame:
    """jsonStr / csvStr as Byzer reads them: the variable's lines through Spark's JSON (CSV) reader
    (MLSQLJSonStr: `reader.options(...).json(spark.createDataset(text.split("\\n")))`)."""
    lines = variable_text(session, variable, format_name).split("\n")
    engine = session.spark

    def read():
        spark = engine.spark()
        text = spark.createDataFrame(pa.table({"value": pa.array(lines, pa.string())}))
        reader = spark.read.options(**options)
        return reader.json(text) if format_name == "jsonStr" else reader.csv(text)

    return SparkFrame(engine.run(read), None, engine.master)


def _load_files(session, file_format: str, path: str, options: dict) -> SparkFrame:
    paths = spark_paths(session, path)
    if not paths:
        raise UsageError(f"load {file_format} needs a path: write load {file_format}.`path` as t")
    engine = session.spark

    def read():
        reader = engine.spark().read.options(**options)
        if file_format == "text":  # MLSQLText: the file each line came from, then the line
            return reader.text(paths).selectExpr("input_file_name() as file", "value")
        return reader.format(file_format).load(paths)

    return SparkFrame(engine.run(read), None, engine.master)


def spark_paths(session, path: str) -> list[str]:
    """A Byzer path as Spark reads it: comma-separated paths; a URI (hdfs://, s3a://, file:...) as
    written, a local path resolved under BYZER_HOME as the embedded engine does."""
    return [part if _SCHEME.match(part) else str(session.resolve_path(part))
            for part in (p.strip() for p in path.split(",")) if part]


def local_path(path: str) -> Optional[Path]:
    """The local file a Spark path names, or None for another file system."""
    if path.startswith("file:"):
        return Path(re.sub(r"^file:(//)?", "", path))
    return None if _SCHEME.match(path) else Path(path)


def spark_save(session, statement: SaveStatement, events):
    mode = statement.modes[-1] if statement.modes else "errorIfExists"
    if statement.format in IN_MEMORY_FORMATS:
        raise ByzerRuntimeError(f"save is not supported in {statement.format}")
    options = session.rendered_options(statement.options)
    format_name = _format_name(statement.format, WRITERS)
    per_row_text = format_name == "text" and (option(options, "fileName") or option(options, "imageColumn"))
    if statement.format.lower() == "jdbc" and not statement.partition_by:
        saved = _save_jdbc(session, statement, mode, options, events)
        if saved is not None:
            return saved
    if statement.format in TABLE_SAVERS or per_row_text:
        return execute_save(session, statement, events)  # written by this project from Arrow
    name = session.render(statement.table)
    table = session.catalog.get(name)
    if table is None:
        raise session.catalog.not_found(name)
    path_text = clean_str(session.render(statement.path.raw))
    if format_name and path_text in ("", "-"):
        raise UsageError(f"save as {format_name} needs a path: write save t as {format_name}.`folder`")
    partition_by = list(statement.partition_by)
    extra = option(options, "partitionByCol")
    if extra and not partition_by:
        partition_by = [c.strip() for c in str(extra).split(",") if c.strip()]
    file_num = whole_number_option(options, "fileNum", minimum=1)
    frame = session.spark.frame_of(name, table)
    _check_table(frame, format_name, partition_by)

    paths = spark_paths(session, path_text)
    target = paths[0] if paths else ""
    local = local_path(target) if target else None
    status = "written"
    if local is not None and (local.exists() or local.is_symlink()):
        if mode == "errorIfExists":
            raise ByzerRuntimeError(f"path {local} already exists; use overwrite/append/ignore")
        if mode == "ignore":
            status = "skipped: path exists"
        if mode == "overwrite":
            check_overwrite(local, session.home, boolean_option(options, OVERWRITE_ANY_FOLDER))
    if status == "written":
        _write(session, frame, format_name or statement.format, target, mode, options, partition_by, file_num)
    files = _part_files(local) if local is not None and status == "written" else None
    return "save_result", pa.table({
        "path": pa.array([str(local) if local is not None else target]),
        "format": pa.array([format_name or statement.format]),
        "mode": pa.array([mode]),
        "status": pa.array([status]),
        "rows": pa.array([None], pa.int64()),  # Spark's writer does not say; counting is another job
        "files": pa.array([files], pa.int64()),
    })


def _check_table(frame: SparkFrame, format_name: Optional[str], partition_by: list[str]) -> None:
    """What the embedded save checks, on the schema alone, before the mode touches the target."""
    empty = frame.schema.empty_table()
    data = empty.drop_columns([c for c in partition_by if c in empty.column_names])
    if format_name == "text":
        check_text_table(data)
    elif format_name == "csv":
        check_csv_table(data)
    check_partition_columns(empty, partition_by)


def _write(session, frame: SparkFrame, spark_format: str, target: str, mode: str, options: dict,
           partition_by: list[str], file_num: Optional[int]) -> None:
    engine = session.spark
    writer_options = {k: v for k, v in options.items() if k not in _SAVE_OWN_OPTIONS}

    def write():
        data = frame.dataframe.repartition(file_num) if file_num else frame.dataframe
        writer = data.write.format(spark_format).mode(_SPARK_MODES[mode]).options(**writer_options)
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        writer.save(target) if target else writer.save()

    engine.run(write, frame.origin)


def _part_files(folder: Path) -> Optional[int]:
    if not folder.is_dir():
        return None
    return sum(1 for file in folder.rglob("part-*") if file.is_file())


def _load_jdbc(session, path: str, options: dict, events) -> Optional[SparkFrame]:
    from .jdbc import spark_jdbc_reader

    dataframe = spark_jdbc_reader(session, path, options, events)
    return None if dataframe is None else SparkFrame(dataframe, None, session.spark.master)


def _save_jdbc(session, statement: SaveStatement, mode: str, options: dict, events):
    """Spark's JDBC writer when Spark has the driver, else None (this project's writer)."""
    from .jdbc import spark_jdbc_write

    name = session.render(statement.table)
    table = session.catalog.get(name)
    if table is None:
        raise session.catalog.not_found(name)
    path = clean_str(session.render(statement.path.raw))
    if not spark_jdbc_write(session, session.spark.frame_of(name, table), path, mode, options, events):
        return None
    return "save_result", pa.table({
        "path": pa.array([path]), "format": pa.array(["jdbc"]), "mode": pa.array([mode]),
        "status": pa.array(["written"]), "rows": pa.array([None], pa.int64()),  # Spark's writer does not say
        "files": pa.array([0], pa.int64())})


def _register(session, name: str, frame: SparkFrame):
    shown = name.strip().strip("`")
    session.catalog.register(name, frame)
    session.spark.run(lambda: session.spark.views.dataframe(session.spark.spark(), shown, frame))
    return shown, frame


SPARK_EXECUTORS = {
    SelectStatement: spark_select,
    LoadStatement: spark_load,
    SaveStatement: spark_save,
}
