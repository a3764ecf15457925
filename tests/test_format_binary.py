"""`load binaryFile` and `load image` (docs/spec.md §3.7): Spark's columns, checked against what
pyspark 3.3 returns for the same files (pixels in BGR(A) order, OpenCV modes, invalid-image rows)."""
import datetime
import os

import pyarrow as pa
import pytest

from byzer_kernel.lang.errors import ByzerError


@pytest.fixture
def images(tmp_path):
    from PIL import Image

    folder = tmp_path / "imgs"
    folder.mkdir()
    rgb = Image.new("RGB", (2, 1))
    rgb.putpixel((0, 0), (10, 20, 30))
    rgb.putpixel((1, 0), (40, 50, 60))
    rgb.save(folder / "rgb.png")
    Image.new("L", (1, 2), 7).save(folder / "gray.png")
    Image.new("RGBA", (1, 1), (1, 2, 3, 4)).save(folder / "rgba.png")
    (folder / "bad.png").write_bytes(b"notanimage")
    (folder / "notes.txt").write_text("hi")
    return folder


def test_binary_file_columns_and_glob_filter(session, images):
    table = session.execute("load binaryFile.`imgs` where pathGlobFilter=\"*.txt\" as files;").table
    assert table.schema == pa.schema([("path", pa.string()), ("modificationTime", pa.timestamp("us")),
                                      ("length", pa.int64()), ("content", pa.binary())])
    row = table.to_pylist()[0]
    assert row["path"] == "file:" + str((images / "notes.txt").resolve())
    assert row["length"] == 2 and row["content"] == b"hi"
    mtime = os.stat(images / "notes.txt").st_mtime
    assert abs(row["modificationTime"] - datetime.datetime.fromtimestamp(mtime)) < datetime.timedelta(milliseconds=1)
    every = session.execute("load binaryFile.`imgs` where pathGlobFilter=\"*.png\" as files;").table
    # Spark's order: largest file first.
    assert [p.rsplit("/", 1)[1] for p in every.column("path").to_pylist()] == \
        ["rgb.png", "rgba.png", "gray.png", "bad.png"]


def test_image_struct_as_spark(session, images):
    table = session.execute("load image.`imgs` where pathGlobFilter=\"*.png\" as imgs;").table
    assert table.schema.field("image").type == pa.struct([
        ("origin", pa.string()), ("height", pa.int32()), ("width", pa.int32()), ("nChannels", pa.int32()),
        ("mode", pa.int32()), ("data", pa.binary())])
    rows = {r["origin"].rsplit("/", 1)[1]: r for r in table.column("image").to_pylist()}
    assert rows["rgb.png"]["origin"] == "file://" + str((images / "rgb.png").resolve())
    # What pyspark 3.3.4's image source returns for these files.
    assert {k: v for k, v in rows["rgb.png"].items() if k != "origin"} == \
        {"height": 1, "width": 2, "nChannels": 3, "mode": 16, "data": b"\x1e\x14\n<2("}
    assert (rows["rgba.png"]["nChannels"], rows["rgba.png"]["mode"], rows["rgba.png"]["data"]) == (4, 24, b"\x03\x02\x01\x04")
    assert (rows["gray.png"]["height"], rows["gray.png"]["nChannels"], rows["gray.png"]["mode"],
            rows["gray.png"]["data"]) == (2, 1, 0, b"\x07\x07")
    assert {k: v for k, v in rows["bad.png"].items() if k != "origin"} == \
        {"height": -1, "width": -1, "nChannels": -1, "mode": -1, "data": b""}
    kept = session.execute("load image.`imgs` where pathGlobFilter=\"*.png\" and dropInvalid=\"true\" as i;")
    assert kept.table.num_rows == 3
    widths = session.execute("select image.width as w from imgs where image.nChannels = 3 as o;").table
    assert widths.to_pylist() == [{"w": 2}]


def test_missing_path_is_one_error(session, images):
    with pytest.raises(ByzerError, match="does not exist"):
        session.execute("load image.`nowhere` as t;")
