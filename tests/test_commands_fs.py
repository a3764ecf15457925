"""`!fs` / `!hdfs` on the local file system under BYZER_HOME: Hadoop's shell commands and Byzer's tables."""
import os

import pytest

from byzer_kernel.lang.errors import ByzerRuntimeError, UsageError


def fs(session, text):
    """The `fileSystem` text of one `!fs` statement."""
    table = session.execute(text).table
    assert table.column_names == ["fileSystem"] and table.num_rows == 1
    return table.column(0)[0].as_py()


@pytest.fixture
def files(session):
    home = session.home
    (home / "data" / "sub").mkdir(parents=True)
    (home / "data" / "a.csv").write_text("x,y\n1,2\n")
    (home / "data" / "b.csv").write_text("x,y\n3,4\n")
    (home / "data" / "sub" / "c.txt").write_text("hello")
    return home


def test_ls_lists_a_folder_as_hadoop_does(session, files):
    lines = fs(session, "!fs -ls data;").splitlines()
    assert lines[0] == "Found 3 items"
    assert lines[1].startswith("-rw") and lines[1].endswith(" data/a.csv a.csv")
    assert lines[3].startswith("d") and " - " in lines[3] and lines[3].endswith(" data/sub sub")
    assert " 8 " in lines[1]  # the size, right-aligned in its column
    assert fs(session, "!hdfs -ls data;").splitlines() == lines  # !hdfs is the same command


def test_ls_recursive_and_json(session, files):
    recursive = fs(session, "!fs -ls -R data;")
    assert "Found" not in recursive and "data/sub/c.txt c.txt" in recursive
    table = session.execute("!fs -ls -F data;").table
    assert table.column_names == ["group", "length", "modification_time", "name", "owner", "path",
                                  "permission", "replication"]
    rows = {r["name"]: r for r in table.to_pylist()}
    assert rows["a.csv"]["length"] == "8" and rows["a.csv"]["replication"] == "1"
    assert rows["sub"]["permission"].startswith("d") and rows["sub"]["path"] == "data/sub"


def test_ls_of_home_by_default_and_glob(session, files):
    assert fs(session, "!fs -ls;").splitlines()[0] == "Found 1 items"
    matched = fs(session, '!fs -ls "data/*.csv";').splitlines()
    assert [line.split()[-1] for line in matched] == ["a.csv", "b.csv"]


def test_count_du_and_cat(session, files):
    assert fs(session, "!fs -count data;").split() == ["2", "3", "21", "data"]
    assert fs(session, "!fs -count -q data;").split()[:4] == ["none", "inf", "none", "inf"]
    du = [line.split() for line in fs(session, "!fs -du data;").splitlines()]
    assert du == [["8", "8", "data/a.csv"], ["8", "8", "data/b.csv"], ["5", "5", "data/sub"]]
    assert fs(session, "!fs -du -s data;").split() == ["21", "21", "data"]
    assert fs(session, "!fs -cat data/a.csv data/sub/c.txt;") == "x,y\n1,2\nhello"


def test_mkdir_cp_mv_rm(session, files):
    home = session.home
    assert fs(session, "!fs -mkdir -p out/deep;") == ""
    assert (home / "out" / "deep").is_dir()
    fs(session, "!fs -cp data/a.csv out;")
    assert (home / "out" / "a.csv").read_text() == "x,y\n1,2\n"
    fs(session, "!fs -cp data/sub out/copied;")
    assert (home / "out" / "copied" / "c.txt").read_text() == "hello"
    fs(session, "!fs -mv out/a.csv out/moved.csv;")
    assert not (home / "out" / "a.csv").exists() and (home / "out" / "moved.csv").exists()
    assert fs(session, "!fs -rm out/moved.csv;") == "Deleted out/moved.csv\n"
    assert fs(session, "!fs -rm -r out;") == "Deleted out\n"
    assert not (home / "out").exists()
    assert fs(session, "!fs -rm -f out/none.csv;") == ""


@pytest.mark.parametrize("text, message", [
    ("!fs -ls nope;", "ls: `nope': No such file or directory"),
    ("!fs -rm data;", "rm: `data': Is a directory"),
    ("!fs -mkdir data;", "mkdir: `data': File exists"),
    ("!fs -mkdir x/y;", "mkdir: `x/y': No such file or directory"),
    ("!fs -cp data/a.csv data/b.csv;", "cp: `data/b.csv': File exists"),
    ("!fs -mv data/a.csv data/b.csv;", "mv: `data/b.csv': File exists"),
    ("!fs -cp data/a.csv data/b.csv data/a.csv;", "cp: `data/a.csv': Is not a directory"),
    ("!fs -cp data data/sub;", "cannot cp it into itself"),
    ("!fs -cat data;", "cat: `data': Is a directory"),
    ("!fs -rmdir data;", "rmdir: `data': Directory is not empty"),
])
def test_failures_are_the_statements_error_in_hadoops_words(session, files, text, message):
    with pytest.raises(ByzerRuntimeError, match=r"line 2:1 ") as error:
        session.execute("select 1 as a as kept;\n" + text)
    assert message in str(error.value) and "kept" in session.catalog
    assert (files / "data" / "a.csv").read_text() == "x,y\n1,2\n"  # nothing was changed


def test_relative_paths_stay_under_byzer_home(session, files, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "keep.txt").write_text("kept")
    relative = os.path.relpath(outside / "keep.txt", session.home)
    assert relative.startswith("..")
    for text in (f"!fs -rm {relative};", f"!fs -cat {relative};", "!fs -ls ../;"):
        with pytest.raises(ByzerRuntimeError, match="outside BYZER_HOME .* give an absolute path"):
            session.execute(text)
    assert (outside / "keep.txt").read_text() == "kept"
    # Given absolutely, a path outside BYZER_HOME is the user's choice.
    assert fs(session, f'!fs -cat "{outside / "keep.txt"}";') == "kept"
    assert fs(session, f'!fs -rm "{outside / "keep.txt"}";') == f"Deleted {outside / 'keep.txt'}\n"


def test_home_and_the_folders_above_are_never_removed(session, files):
    for text in ("!fs -rm -r .;", f'!fs -rm -r "{session.home.parent}";', '!fs -rmr "/";'):
        with pytest.raises(ByzerRuntimeError, match="refusing to delete it: it is"):
            session.execute(text)
    assert (files / "data" / "a.csv").exists()
    with pytest.raises(ByzerRuntimeError, match="refusing to move it: it is BYZER_HOME"):
        session.execute(f'!fs -mv . "{session.home.parent / "elsewhere"}";')


def test_usage_and_unknown_commands(session):
    assert fs(session, "!fs;").startswith("Usage: !fs") and fs(session, "!fs -help;").startswith("Usage")
    with pytest.raises(UsageError, match="`-frobnicate': Unknown command"):
        session.execute("!fs -frobnicate x;")
    with pytest.raises(UsageError, match="-ls: Illegal option -z"):
        session.execute("!fs -ls -z;")
    with pytest.raises(UsageError, match="-cp: not enough arguments"):
        session.execute("!fs -cp a;")
