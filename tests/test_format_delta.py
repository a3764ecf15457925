"""`load/save delta` and `!delta` (docs/spec.md §3.4) on delta-rs, with byzer-doc's examples
(byzer-lang/zh-cn/datasource/dw/delta_lake.md, save_data/dw/delta.md) run as written."""
import pytest

from byzer_kernel.lang.errors import ByzerError, ByzerRuntimeError, UsageError

# byzer-doc datasource/dw/delta_lake.md, verbatim (its second line lacks the comma the others have).
RAW_TEXT = """set rawText='''
{"id":1,"content":"MLSQL 是一个好的语言","label":0.0},
{"id":2,"content":"Spark 是一个好的语言","label":1.0}
{"id":3,"content":"MLSQL 语言","label":0.0}
{"id":4,"content":"MLSQL 是一个好的语言","label":0.0}
{"id":5,"content":"MLSQL 是一个好的语言","label":1.0}
{"id":6,"content":"MLSQL 是一个好的语言","label":0.0}
{"id":7,"content":"MLSQL 是一个好的语言","label":0.0}
{"id":8,"content":"MLSQL 是一个好的语言","label":1.0}
{"id":9,"content":"Spark 好的语言","label":0.0}
{"id":10,"content":"MLSQL 是一个好的语言","label":0.0}
''';
load jsonStr.`rawText` as orginal_text_corpus;
save append orginal_text_corpus as delta.`test_demo.table1`;"""


def test_doc_example_saves_into_the_warehouse_and_loads_back(session, tmp_path):
    result = session.execute(RAW_TEXT)
    assert result.table.column("status").to_pylist() == ["written"]
    assert (tmp_path / "_delta" / "test_demo" / "table1" / "_delta_log").is_dir()
    loaded = session.execute("load delta.`test_demo.table1` as output;").table
    assert sorted(loaded.column("id").to_pylist()) == list(range(1, 11))
    assert set(loaded.column_names) == {"id", "content", "label"}


def test_upsert_with_idcols_updates_and_inserts_and_history_records_it(session):
    session.execute(RAW_TEXT)
    # byzer-doc save_data/dw/delta.md's upsert, on the table form of the path.
    session.execute("""set rawText='''
{"id":1,"content":"我更新了这条数据","label":0.0}
{"id":11,"content":"new","label":1.0}
''';
load jsonStr.`rawText` as orginal_text_corpus;
save append orginal_text_corpus
as delta.`test_demo.table1`
where idCols="id";""")
    rows = {r["id"]: r["content"] for r in session.execute("load delta.`test_demo.table1` as o;").table.to_pylist()}
    assert len(rows) == 11 and rows[1] == "我更新了这条数据" and rows[11] == "new"
    assert rows[2] == "Spark 是一个好的语言"
    history = session.execute("!delta history test_demo.table1;").table
    assert history.column("version").to_pylist() == [1, 0]
    assert history.column("operation").to_pylist() == ["MERGE", "WRITE"]
    assert history.column_names[:3] == ["version", "timestamp", "operation"]


def test_modes_overwrite_append_ignore_error_if_exists(session):
    session.execute("select 1 as id, 'abc' as address union all select 2 as id, 'def' as address as table_1;")
    # byzer-doc's table-mode example, partitioned.
    session.execute("save overwrite table_1 as delta.`default.table_1` partitionBy id;")
    assert session.execute("load delta.`default.table_1` as o;").table.num_rows == 2
    session.execute("save append table_1 as delta.`table_1`;")  # `table_1` alone is default.table_1
    assert session.execute("load delta.`default.table_1` as o;").table.num_rows == 4
    ignored = session.execute("save ignore table_1 as delta.`default.table_1`;").table
    assert ignored.column("status").to_pylist() == ["skipped: table exists"]
    with pytest.raises(ByzerRuntimeError, match="already exists"):
        session.execute("save table_1 as delta.`default.table_1`;")
    session.execute("select 9 as id, 'z' as address as t9;")
    session.execute("save overwrite t9 as delta.`default.table_1`;")
    assert session.execute("load delta.`default.table_1` as o;").table.to_pylist() == [{"id": 9, "address": "z"}]
    tables = session.execute("!delta show tables;").table
    assert tables.to_pylist() == [{"table": "table_1", "database": "default", "operator": None}]


def test_version_range_and_version_as_of(session):
    session.execute("select 1 as id as a; select 2 as id as b;")
    session.execute("save append a as delta.`db.v`;")
    session.execute("save append b as delta.`db.v`;")
    both = session.execute(
        'load delta.`db.v` where startingVersion="0" and endingVersion="2" as t;').table
    assert sorted(zip(both.column("__delta_version__").to_pylist(), both.column("id").to_pylist())) == \
        [(0, 1), (1, 1), (1, 2)]
    first = session.execute('load delta.`db.v` where versionAsOf="0" as t;').table
    assert first.column("id").to_pylist() == [1]
    with pytest.raises(UsageError, match="endingVersion are required"):
        session.execute('load delta.`db.v` where startingVersion="0" as t;')


def test_compact_answers_byzer_rows_and_keeps_the_data(session):
    for i in range(3):
        session.execute(f"select {i} as id as t{i};")
        session.execute(f"save append t{i} as delta.`db.small`;")
    result = session.execute("!delta compact db.small 2 1;").table
    assert result.column("name").to_pylist() == ["addNewFiles", "removeFiles"]
    assert result.column("value").to_pylist() == [1, 3]
    assert sorted(session.execute("load delta.`db.small` as o;").table.column("id").to_pylist()) == [0, 1, 2]
    info = session.execute("!delta info db.small;").table
    assert info.column("numFiles").to_pylist() == [1]


def test_path_form_needs_mode_path(session, tmp_path):
    session.execute("select 1 as id as a;")
    with pytest.raises(UsageError, match='mode="path"'):
        session.execute("save append a as delta.`/tmp/x/y`;")
    session.execute(f'save append a as delta.`{tmp_path}/lake/t` where mode="path";')
    assert session.execute(f'load delta.`{tmp_path}/lake/t` where mode="path" as o;').table.num_rows == 1


def test_corrupt_log_is_one_error_and_earlier_statements_stay(session, tmp_path):
    session.execute("select 1 as id as a;")
    session.execute("save append a as delta.`db.broken`;")
    log = tmp_path / "_delta" / "db" / "broken" / "_delta_log"
    for commit in log.glob("*.json"):
        commit.write_text("{not json at all\n")
    with pytest.raises(ByzerError) as error:
        session.execute("select 2 as id as kept;\nload delta.`db.broken` as o;")
    message = str(error.value)
    assert "db.broken" in message and "delta log cannot be read" in message
    assert "2:1" in message
    assert session.table("kept").to_pylist() == [{"id": 2}]
    with pytest.raises(ByzerError, match="delta log cannot be read"):
        session.execute("!delta history db.broken;")
    with pytest.raises(ByzerError, match="delta log cannot be read"):
        session.execute("save append a as delta.`db.broken`;")


def test_missing_table_and_bad_upsert_column(session):
    with pytest.raises(ByzerRuntimeError, match="does not exist"):
        session.execute("load delta.`db.none` as o;")
    session.execute("select 1 as id as a;")
    session.execute("save append a as delta.`db.u`;")
    with pytest.raises(UsageError, match="idCols key"):
        session.execute('save append a as delta.`db.u` where idCols="key";')
    with pytest.raises(UsageError, match="!delta help"):
        session.execute("!delta vacuum db.u;")
