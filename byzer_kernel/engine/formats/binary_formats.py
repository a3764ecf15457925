"""Whole-file sources (docs/spec.md §3.7): Spark's `binaryFile` and `image`, both registered by Byzer
as Spark data sources.

- binaryFile: one row per file, columns path (`file:/...` as Spark's Hadoop path), modificationTime
  (timestamp, millisecond precision), length (long), content (binary);
- image: one column `image` struct<origin `file:///...`, height, width, nChannels, mode, data> where
  data holds the pixels row by row in OpenCV's BGR(A) byte order and mode is the OpenCV type (0 = 8UC1,
  16 = 8UC3, 24 = 8UC4), as Spark's ImageSchema.decode; a file that is not an image is a row of -1
  and empty data unless `dropInvalid="true"`. Pillow decodes (Spark uses javax ImageIO).

Both take `pathGlobFilter` (a glob on the file name) and `k=v` partition folders. Rows come in
Spark's order: largest file first (Spark packs splits by size), then by path.
"""
from __future__ import annotations

import datetime
import fnmatch
from pathlib import Path

import pyarrow as pa

from .layout import concat_tables, input_paths, list_input_files, partition_columns, with_partition_values
from .options import boolean_option, option

IMAGE_TYPE = pa.struct([("origin", pa.string()), ("height", pa.int32()), ("width", pa.int32()),
                        ("nChannels", pa.int32()), ("mode", pa.int32()), ("data", pa.binary())])
# Channels -> OpenCV type code (CV_8UC1, CV_8UC3, CV_8UC4), as Spark's ImageSchema.ocvTypes.
_OPENCV = {1: 0, 3: 16, 4: 24}


def _files(session, path: str, options: dict):
    """(file, partition values, partition columns) per input path, filtered and in Spark's order."""
    pattern = option(options, "pathGlobFilter")
    for part in input_paths(path):
        files = list_input_files(session.resolve_path(part))
        if pattern:
            files = [(f, v) for f, v in files if fnmatch.fnmatchcase(f.name, str(pattern))]
        files.sort(key=lambda item: (-item[0].stat().st_size, str(item[0])))
        yield files, partition_columns(files)


def _hadoop_uri(file: Path) -> str:
    return "file:" + file.resolve().as_uri()[len("file://"):]


def load_binary_file(session, path: str, options: dict) -> pa.Table:
    schema = pa.schema([("path", pa.string()), ("modificationTime", pa.timestamp("us")),
                        ("length", pa.int64()), ("content", pa.binary())])
    tables = []
    for files, columns in _files(session, path, options):
        for file, values in files:
            stat = file.stat()
            modified = datetime.datetime.fromtimestamp(stat.st_mtime_ns // 1_000_000 / 1000)
            row = pa.table([[_hadoop_uri(file)], [modified], [stat.st_size], [file.read_bytes()]], schema=schema)
            tables.append(with_partition_values(row, values, columns))
    return concat_tables(tables) if tables else schema.empty_table()


def decode_image(origin: str, content: bytes):
    """Spark's ImageSchema.decode as a dict, or None when the bytes are not an image."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    # As ImageIO's types map in Spark: gray stays one channel, anything with alpha is BGRA, else BGR.
    if image.mode in ("1", "L", "I;16", "I", "F"):
        converted, order = image.convert("L"), None
    elif "A" in image.mode or "transparency" in image.info:
        converted, order = image.convert("RGBA"), "BGRA"
    else:
        converted, order = image.convert("RGB"), "BGR"
    if order is None:
        data, channels = converted.tobytes(), 1
    else:
        # Pillow's raw encoder writes the channels in the order asked for: BGR(A) as OpenCV.
        data, channels = converted.tobytes("raw", order), len(order)
    return {"origin": origin, "height": converted.height, "width": converted.width, "nChannels": channels,
            "mode": _OPENCV[channels], "data": data}


def load_image(session, path: str, options: dict) -> pa.Table:
    drop_invalid = boolean_option(options, "dropInvalid", False)
    schema = pa.schema([("image", IMAGE_TYPE)])
    tables = []
    for files, columns in _files(session, path, options):
        for file, values in files:
            origin = file.resolve().as_uri()
            image = decode_image(origin, file.read_bytes())
            if image is None:
                if drop_invalid:
                    continue
                image = {"origin": origin, "height": -1, "width": -1, "nChannels": -1, "mode": -1, "data": b""}
            row = pa.table([pa.array([image], IMAGE_TYPE)], schema=schema)
            tables.append(with_partition_values(row, values, columns))
    return concat_tables(tables) if tables else schema.empty_table()
