"""`load/save orc` (docs/spec.md §3.6): pyarrow's ORC under Spark's part-file layout and save modes."""
import datetime

import pytest

from byzer_kernel.lang.errors import ByzerError, UsageError

DATA = """set rawData='''
{"id":1,"name":"a","score":1.5,"day":"2024-01-02","tags":["x","y"]}
{"id":2,"name":"b","score":null,"day":"2024-02-03","tags":[]}
{"id":3,"name":"a","score":3.25,"day":"2024-03-04","tags":["z"]}
''';
load jsonStr.`rawData` as data;
select id, name, score, to_date(day) as day, tags from data as data;"""


def test_round_trip_keeps_rows_and_types(session, tmp_path):
    session.execute(DATA)
    saved = session.execute("save overwrite data as orc.`out/orc`;").table
    assert saved.column("status").to_pylist() == ["written"] and saved.column("rows").to_pylist() == [3]
    parts = sorted(p.name for p in (tmp_path / "out" / "orc").iterdir())
    assert parts[0] == "_SUCCESS" and parts[1].startswith("part-00000-") and parts[1].endswith("-c000.snappy.orc")
    back = session.execute("load orc.`out/orc` as back;").table
    assert back.schema == session.table("data").schema
    assert back.to_pylist() == session.table("data").to_pylist()
    assert back.column("day").to_pylist()[0] == datetime.date(2024, 1, 2)


def test_modes_partitions_and_file_num(session, tmp_path):
    session.execute(DATA)
    session.execute("save overwrite data as orc.`out/p` partitionBy name;")
    assert sorted(p.name for p in (tmp_path / "out" / "p").iterdir()) == ["_SUCCESS", "name=a", "name=b"]
    loaded = session.execute("load orc.`out/p` as back;").table
    assert sorted(zip(loaded.column("id").to_pylist(), loaded.column("name").to_pylist())) == \
        [(1, "a"), (2, "b"), (3, "a")]
    with pytest.raises(ByzerError, match="already exists"):
        session.execute("save data as orc.`out/p`;")
    session.execute("save append data as orc.`out/p` partitionBy name;")
    assert session.execute("load orc.`out/p` as back;").table.num_rows == 6
    session.execute("save overwrite data as orc.`out/n` where fileNum=\"2\" and compression=\"zstd\";")
    assert len(list((tmp_path / "out" / "n").glob("part-*"))) == 2
    assert session.execute("load orc.`out/n` as n;").table.num_rows == 3


def test_bad_input(session, tmp_path):
    (tmp_path / "not.orc").write_text("hello")
    with pytest.raises(ByzerError, match="is not an orc file"):
        session.execute("load orc.`not.orc` as t;")
    session.execute(DATA)
    with pytest.raises(UsageError, match="unknown compression \"brotli\""):
        session.execute("save overwrite data as orc.`out/b` where compression=\"brotli\";")
    assert session.table("data").num_rows == 3


def test_a_bad_codec_is_refused_before_overwrite_removes_the_old_data(session, tmp_path):
    session.execute(DATA)
    session.execute("save overwrite data as orc.`out/kept`;")
    with pytest.raises(UsageError, match="unknown compression"):
        session.execute("save overwrite data as orc.`out/kept` where compression=\"brotli\";")
    assert session.execute("load orc.`out/kept` as back;").table.num_rows == 3
