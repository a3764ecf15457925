"""`save [mode] t as FORMAT.`path` [where ...] [partitionBy ...]` (docs/spec.md §4.2) and round trips."""
import json
from pathlib import Path

import pytest

from byzer_kernel.lang.errors import ByzerRuntimeError

DATA = """set rows='''
{"id":1,"name":"a","score":1.5,"ok":true},
{"id":2,"name":"b","score":2.0,"ok":false},
{"id":3,"name":"c, \\"quoted\\"","score":null,"ok":true}
''';
load jsonStr.`rows` as data;"""

LOAD_OPTIONS = {"json": "", "parquet": "", "csv": 'where header="true" and inferSchema="true"'}


def data_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("part-"))


@pytest.fixture
def loaded(session):
    session.execute(DATA)
    return session


@pytest.mark.parametrize("fmt", ["json", "parquet", "csv"])
def test_round_trip(loaded, tmp_path, fmt):
    header = ' where header="true"' if fmt == "csv" else ""
    info = loaded.execute(f"save data as {fmt}.`out/{fmt}`{header};").table.to_pylist()[0]
    assert info["format"] == fmt and info["mode"] == "errorIfExists" and info["rows"] == 3 and info["files"] == 1
    folder = tmp_path / "out" / fmt
    assert (folder / "_SUCCESS").exists()
    names = data_files(folder)
    assert len(names) == 1 and names[0].startswith("part-00000-") and "-c000." in names[0]
    back = loaded.execute(f"load {fmt}.`out/{fmt}` {LOAD_OPTIONS[fmt]} as back;").table
    assert back.column_names == ["id", "name", "ok", "score"]
    assert back.to_pylist() == loaded.table("data").to_pylist()


def test_json_output_is_spark_json_lines(loaded, tmp_path):
    loaded.execute("save data as json.`j`;")
    (part,) = data_files(tmp_path / "j")
    lines = (tmp_path / "j" / part).read_text().splitlines()
    assert lines[0] == '{"id":1,"name":"a","ok":true,"score":1.5}'
    assert lines[2] == '{"id":3,"name":"c, \\"quoted\\"","ok":true}'  # null fields are left out
    assert json.loads(lines[1])["score"] == 2.0 and '"score":2.0' in lines[1]


def test_csv_header_and_quoting(loaded, tmp_path):
    loaded.execute('save data as csv.`c` where header="true";')
    (part,) = data_files(tmp_path / "c")
    assert (tmp_path / "c" / part).read_text().splitlines() == [
        "id,name,ok,score", "1,a,true,1.5", "2,b,false,2.0", '3,"c, \\"quoted\\"",true,']
    loaded.execute("save data as csv.`nohead`;")
    (part,) = data_files(tmp_path / "nohead")
    assert (tmp_path / "nohead" / part).read_text().splitlines()[0] == "1,a,true,1.5"


def test_text_round_trip(loaded, tmp_path):
    loaded.execute("select name as value from data as names;")
    loaded.execute("save names as text.`t`;")
    back = loaded.execute("load text.`t` as back;").table
    assert back.column("value").to_pylist() == ["a", "b", 'c, "quoted"']


def test_text_one_file_per_row_as_byzer(loaded, tmp_path):
    loaded.execute("select concat(name, '.txt') as fname, cast(id as string) as body from data as files;")
    info = loaded.execute('save overwrite files as text.`docs` where fileName="fname" and imageColumn="body";')
    assert info.table.column("files").to_pylist() == [3]
    assert (tmp_path / "docs" / "a.txt").read_text() == "1"
    with pytest.raises(ByzerRuntimeError, match="imageColumn is required"):
        loaded.execute('save overwrite files as text.`docs` where fileName="fname";')


def test_text_needs_one_string_column(loaded):
    with pytest.raises(ByzerRuntimeError, match="one string column"):
        loaded.execute("save data as text.`t`;")


def test_default_mode_refuses_an_existing_path(loaded, tmp_path):
    loaded.execute("save data as json.`x`;")
    with pytest.raises(ByzerRuntimeError) as error:
        loaded.execute("save data as json.`x`;")
    assert f"path {tmp_path / 'x'} already exists; use overwrite/append/ignore" in str(error.value)
    with pytest.raises(ByzerRuntimeError, match="already exists"):
        loaded.execute("save errorIfExists data as json.`x`;")


@pytest.mark.parametrize("fmt", ["json", "parquet", "csv"])
def test_modes(loaded, tmp_path, fmt):
    load = f"load {fmt}.`m` {LOAD_OPTIONS[fmt]} as back;"
    header = ' where header="true"' if fmt == "csv" else ""
    loaded.execute(f"save data as {fmt}.`m`{header};")
    loaded.execute(f"save append data as {fmt}.`m`{header};")
    assert loaded.execute(load).table.num_rows == 6
    assert len(data_files(tmp_path / "m")) == 2
    info = loaded.execute(f"save ignore data as {fmt}.`m`{header};").table.to_pylist()[0]
    assert info["status"].startswith("skipped") and info["files"] == 0
    assert loaded.execute(load).table.num_rows == 6
    loaded.execute(f"save overwrite data as {fmt}.`m`{header};")
    assert loaded.execute(load).table.num_rows == 3
    assert len(data_files(tmp_path / "m")) == 1


def test_ignore_and_append_create_a_missing_path(loaded, tmp_path):
    loaded.execute("save ignore data as json.`new1`;")
    loaded.execute("save append data as json.`new2`;")
    assert loaded.execute("load json.`new1` as a;").table.num_rows == 3
    assert loaded.execute("load json.`new2` as b;").table.num_rows == 3


def test_last_mode_keyword_wins(loaded):
    loaded.execute("save data as json.`w`;")
    info = loaded.execute("save append overwrite data as json.`w`;").table.to_pylist()[0]
    assert info["mode"] == "overwrite"
    assert loaded.execute("load json.`w` as back;").table.num_rows == 3


def test_file_num_writes_n_part_files(loaded, tmp_path):
    info = loaded.execute('save data as parquet.`f` where fileNum="2";').table.to_pylist()[0]
    assert info["files"] == 2
    assert len(data_files(tmp_path / "f")) == 2
    assert loaded.execute("load parquet.`f` as back;").table.num_rows == 3
    with pytest.raises(ByzerRuntimeError, match="fileNum"):
        loaded.execute('save overwrite data as json.`f` where fileNum="zero";')


@pytest.mark.parametrize("fmt", ["json", "parquet", "csv"])
def test_partition_by_writes_folders_and_reads_them_back(loaded, tmp_path, fmt):
    header = ' where header="true"' if fmt == "csv" else ""
    loaded.execute(f"save data as {fmt}.`pt`{header} partitionBy ok;")
    folders = sorted(p.name for p in (tmp_path / "pt").iterdir() if p.is_dir())
    assert folders == ["ok=false", "ok=true"]
    (part,) = data_files(tmp_path / "pt" / "ok=true")
    if fmt == "json":
        assert "ok" not in (tmp_path / "pt" / "ok=true" / part).read_text()
    back = loaded.execute(f"load {fmt}.`pt` {LOAD_OPTIONS[fmt]} as back;").table
    assert back.column_names[-1] == "ok"
    assert sorted(back.column("id").to_pylist()) == [1, 2, 3]
    rows = {r["id"]: r["ok"] for r in back.to_pylist()}
    assert rows == {1: "true", 2: "false", 3: "true"}  # Spark infers no booleans from folder names


def test_partition_by_two_columns_and_escaping(session, tmp_path):
    session.execute("""set r='''{"k":"a/b","n":1,"v":10}
{"k":null,"n":2,"v":20}''';
load jsonStr.`r` as t;
save t as parquet.`two` partitionBy k, n;""")
    assert (tmp_path / "two" / "k=a%2Fb" / "n=1").is_dir()
    assert (tmp_path / "two" / "k=__HIVE_DEFAULT_PARTITION__" / "n=2").is_dir()
    back = session.execute("load parquet.`two` as back;").table
    assert back.to_pylist() == [{"v": 20, "k": None, "n": 2}, {"v": 10, "k": "a/b", "n": 1}]


def test_partition_by_unknown_column(loaded):
    with pytest.raises(ByzerRuntimeError, match="partitionBy column `nope`"):
        loaded.execute("save data as json.`p` partitionBy nope;")


def test_save_to_in_memory_formats_is_refused(loaded):
    for fmt in ("jsonStr", "csvStr"):
        with pytest.raises(ByzerRuntimeError, match=f"save is not supported in {fmt}"):
            loaded.execute(f"save data as {fmt}.`x`;")


def test_save_unknown_format_and_missing_table(loaded):
    with pytest.raises(ByzerRuntimeError, match="unknown format `avro`"):
        loaded.execute("save data as avro.`x`;")
    with pytest.raises(ByzerRuntimeError, match="table `nothing` does not exist"):
        loaded.execute("save nothing as json.`x`;")


def test_save_result_is_the_last_table(loaded, tmp_path):
    result = loaded.execute("save data as json.`r`;")
    assert result.table.column_names == ["path", "format", "mode", "status", "rows", "files"]
    assert result.table.to_pylist()[0]["path"] == str(tmp_path / "r")


# -- overwrite never loses files that no save wrote --------------------------------------------
@pytest.fixture
def notebook_home(tmp_path):
    """A Session whose BYZER_HOME is tmp_path/work/notebooks holding a notebook; nested, so that even
    a broken guard could only delete inside tmp_path."""
    from byzer_kernel.engine import Session

    home = tmp_path / "work" / "notebooks"
    home.mkdir(parents=True)
    (home / "analysis.ipynb").write_text("{}")
    (tmp_path / "work" / "notes.txt").write_text("keep me")
    session = Session(home=str(home))
    session.execute(DATA)
    yield session, home
    session.close()


@pytest.mark.parametrize("path", [".", "..", "{home}", "{home}/.."])
def test_overwrite_refuses_byzer_home_and_the_folders_above_it(notebook_home, path):
    session, home = notebook_home
    path = path.format(home=home)
    for options in ("", ' where overwriteAnyFolder="true"'):  # even the option cannot allow these
        with pytest.raises(ByzerRuntimeError) as error:
            session.execute(f"save overwrite data as json.`{path}`{options};")
        message = str(error.value)
        assert "save overwrite refuses to replace" in message and str(session.resolve_path(path)) in message
        assert "BYZER_HOME" in message
    assert (home / "analysis.ipynb").read_text() == "{}"
    assert (home.parent / "notes.txt").read_text() == "keep me"
    assert not list(home.glob("part-*")) and not (home / "_SUCCESS").exists()


def test_overwrite_refuses_the_home_folder_and_root(notebook_home, tmp_path, monkeypatch):
    from byzer_kernel.engine.formats.overwrite_guard import check_overwrite

    session, home = notebook_home
    user_home = tmp_path / "user"  # `~` is a throw-away folder here, should the guard ever fail
    user_home.mkdir()
    (user_home / ".bashrc").write_text("# mine")
    monkeypatch.setenv("HOME", str(user_home))
    with pytest.raises(ByzerRuntimeError, match="refuses to replace .*it is your home folder"):
        session.execute('save overwrite data as json.`~` where overwriteAnyFolder="true";')
    assert (user_home / ".bashrc").exists()
    # `/` only through the check itself: a statement test must never risk rmtree("/").
    with pytest.raises(ByzerRuntimeError, match="refuses to replace /: it is the root folder"):
        check_overwrite(Path("/"), home, allow_any_folder=True)


def test_overwrite_replaces_the_output_of_earlier_saves(notebook_home):
    session, home = notebook_home
    session.execute("save data as parquet.`out/plain` where fileNum=\"2\";")
    (home / "out" / "plain" / ".part-00000.crc").write_text("checksum")  # as Hadoop leaves them
    session.execute("save data as json.`out/parts` partitionBy ok;")
    session.execute("select concat(name, '.txt') as fname, name as body from data as files;")
    session.execute('save files as text.`out/rows` where fileName="fname" and imageColumn="body";')
    session.execute("select * from data where id = 1 as one;")
    for target, fmt in (("out/plain", "parquet"), ("out/parts", "json"), ("out/rows", "text")):
        options = ' where fileName="fname" and imageColumn="body"' if fmt == "text" else ""
        table = "files" if fmt == "text" else "one"
        info = session.execute(f"save overwrite {table} as {fmt}.`{target}`{options};").table.to_pylist()[0]
        assert info["status"] == "written"
    assert session.execute("load parquet.`out/plain` as back;").table.num_rows == 1
    assert not (home / "out" / "plain" / ".part-00000.crc").exists()
    assert session.execute("load json.`out/parts` as back;").table.column("id").to_pylist() == [1]


def test_overwrite_refuses_a_folder_with_foreign_files_unless_told(notebook_home):
    session, home = notebook_home
    session.execute("save data as json.`mixed`;")
    (home / "mixed" / "report.docx").write_text("my work")
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute("save overwrite data as json.`mixed`;")
    message = str(error.value)
    assert f"refuses to replace the folder {home / 'mixed'}" in message
    assert "report.docx" in message and 'overwriteAnyFolder="true"' in message
    assert (home / "mixed" / "report.docx").read_text() == "my work"
    assert data_files(home / "mixed")  # the earlier output is untouched too
    nested = home / "deep" / "k=1"
    nested.mkdir(parents=True)
    (nested / "notes.md").write_text("x")
    with pytest.raises(ByzerRuntimeError, match=r"holds k=1/notes\.md"):
        session.execute("save overwrite data as json.`deep`;")
    session.execute('save overwrite data as json.`mixed` where overwriteAnyFolder="true";')
    assert not (home / "mixed" / "report.docx").exists()
    assert session.execute("load json.`mixed` as back;").table.num_rows == 3


def test_overwrite_refuses_a_plain_file_unless_told(notebook_home):
    session, home = notebook_home
    (home / "data.json").write_text('{"a":1}\n')
    with pytest.raises(ByzerRuntimeError, match=r"refuses to replace .*data\.json: it is a file"):
        session.execute("save overwrite data as json.`data.json`;")
    assert (home / "data.json").read_text() == '{"a":1}\n'
    session.execute('save overwrite data as json.`data.json` where overwriteAnyFolder="true";')
    assert (home / "data.json").is_dir()


def test_overwrite_checks_its_options_before_deleting(notebook_home):
    session, home = notebook_home
    session.execute("save data as json.`kept`;")
    before = data_files(home / "kept")
    with pytest.raises(ByzerRuntimeError, match="partitionBy column `nope`"):
        session.execute("save overwrite data as json.`kept` partitionBy nope;")
    session.execute("select concat(name, '.txt') as fname from data as names;")
    with pytest.raises(ByzerRuntimeError, match="imageColumn is required"):
        session.execute('save overwrite names as text.`kept` where fileName="fname";')
    session.execute("select id, array(id) as ids from data as nested;")
    with pytest.raises(ByzerRuntimeError, match="CSV data source does not support"):
        session.execute("save overwrite nested as csv.`kept`;")
    assert data_files(home / "kept") == before
