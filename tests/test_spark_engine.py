"""Spark as the session's engine (docs/reference/spark-engine.md): the three doors, the Spark
configuration, and the statements against real Spark (local[2], started once: tests/spark_local.py)."""
import pathlib

import pandas as pd
import pyarrow as pa
import pytest
from IPython.utils.capture import capture_output
from traitlets import TraitError

import byzer_kernel.runtime as runtime
from byzer_kernel.display import format_table_text
from byzer_kernel.engine import Session
from byzer_kernel.engine.observer import Observer
from byzer_kernel.engine.result_tables import PREVIEW_ROWS, has_more_rows
from byzer_kernel.engine.spark.frame import SparkFrame
from byzer_kernel.lang.errors import ByzerRuntimeError, UsageError
from spark_local import local_spark, spark_ipython, spark_session  # noqa: F401  (fixtures: one local[2] Spark)

JSON_ROWS = "set j='''\n{\"b\":1,\"A\":2,\"_x\":3}\n{\"b\":1.5,\"s\":\"x\"}\n''';\n"


class Heard(Observer):
    def __init__(self):
        self.messages, self.waiting_notices = [], []

    def message(self, text):
        self.messages.append(text)

    def waiting(self, text):
        self.waiting_notices.append(text)


def rows(session, text):
    return session.execute(text).table.to_pylist()


def engine_row(session):
    return session.execute("!engine").table.to_pylist()[0]


# -- the doors -------------------------------------------------------------------------------------
def test_environment_chooses_the_engine_and_spark_starts_at_the_first_statement_needing_it(spark_session):
    assert engine_row(spark_session) == {"engine": "spark", "master": "local[2]", "status":
                                         "starts at the first statement that needs it", "spark_version": None,
                                         "app_id": None, "ui": None}
    heard = Heard()
    assert spark_session.execute("select 1 as a as t", heard).table.to_pylist() == [{"a": 1}]
    assert heard.waiting_notices == ["starting Spark on local[2]…", None]
    assert heard.messages == [m for m in heard.messages if m.startswith("Spark 4.")]
    assert "already running in this process on local[2]" in heard.messages[0]
    row = engine_row(spark_session)
    assert row["status"].startswith("running") and row["spark_version"].startswith("4.")
    assert row["app_id"].startswith("local-")
    heard = Heard()
    spark_session.execute("select 2 as a as u", heard)  # once per session
    assert heard.messages == [] and heard.waiting_notices == []


def test_wrong_environment_fails_statements_until_engine_chooses(monkeypatch, tmp_path):
    monkeypatch.setenv("BYZER_ENGINE", "sprak")
    session = Session(home=str(tmp_path))
    with pytest.raises(UsageError, match="BYZER_ENGINE: unknown engine `sprak` .*!engine duckdb"):
        session.execute("select 1 as a as t")
    assert rows(session, "!engine duckdb; select 1 as a as t") == [{"a": 1}]
    monkeypatch.setenv("BYZER_ENGINE", "spark")
    monkeypatch.setenv("BYZER_SPARK_MASTER", "local[two]")
    with pytest.raises(UsageError, match=r"BYZER_SPARK_MASTER: `local\[two\]` is not a Spark master"):
        Session(home=str(tmp_path)).execute("select 1 as a as t")


def test_engine_statement_switches_both_ways_and_checks_its_words(local_spark, session):
    assert engine_row(session)["engine"] == "duckdb"
    row = session.execute('!engine spark where master="local[2]"').table.to_pylist()[0]
    assert (row["engine"], row["master"]) == ("spark", "local[2]")
    session.execute("select 1 as a as t")
    assert isinstance(session.catalog.get("t"), SparkFrame)
    assert session.spark.running
    assert rows(session, "!engine duckdb; select a + 1 as b from t as u") == [{"b": 2}]
    assert not session.spark.running and isinstance(session.catalog.get("t"), pa.Table)
    with pytest.raises(UsageError, match="unknown engine `flink`"):
        session.execute("!engine flink")
    with pytest.raises(UsageError, match="`spark//x:1` is not a Spark master"):
        session.execute('!engine spark where master="spark//x:1"')
    with pytest.raises(UsageError, match="usage: !engine"):
        session.execute('!engine spark where mastr="local"')
    assert engine_row(session)["engine"] == "duckdb"


def test_config_door_applies_to_the_front_ends_session_and_shows_a_bounded_spark_result(spark_ipython):
    shell, magics = spark_ipython
    shell.run_line_magic("config", 'ByzerMagics.engine = "spark"')
    shell.run_line_magic("config", 'ByzerMagics.spark_master = "local[2]"')
    with capture_output():
        result = shell.run_cell(f"%%byzer --limit 5\nselect id from range({PREVIEW_ROWS + 500}) as big")
    assert result.success, result.error_in_exec
    session = runtime.shared_session()
    assert (session.spark.name, session.spark.master) == ("spark", "local[2]")
    view = result.result
    assert view.table.num_rows == PREVIEW_ROWS and has_more_rows(view.table)  # the display: the first rows
    assert "showing 5 of the first 1000 rows (more not fetched)" in repr(view)
    assert len(view.to_pandas()) == PREVIEW_ROWS + 500  # Out[n].to_pandas(): every row
    with capture_output():
        result = shell.run_cell("%%byzer -o everything\nselect * from big as again")
    assert len(shell.user_ns["everything"]) == PREVIEW_ROWS + 500  # -o: every row
    with pytest.raises(TraitError, match="ByzerMagics.engine: unknown engine `ducks`"):
        magics.engine = "ducks"
    shell.run_line_magic("config", 'ByzerMagics.engine = "duckdb"')
    assert session.spark.name == "duckdb" and not session.spark.running
    assert isinstance(session.catalog.get("big"), pa.Table)


# -- configuration -------------------------------------------------------------------------------
def test_spark_conf_items_and_byzer_answers(spark_session):
    spark_session.execute('set spark.sql.shuffle.partitions="3" where type="conf";')
    heard = Heard()
    result = spark_session.execute("select 1/0 as a, cast('x' as int) as b as ansi", heard)
    assert result.table.to_pylist() == [{"a": None, "b": None}]  # Spark 3.3's answers: ANSI off
    spark = spark_session.spark.handle.spark
    assert spark.conf.get("spark.sql.shuffle.partitions") == "3"
    assert spark.conf.get("spark.sql.legacy.timeParserPolicy") == "EXCEPTION"
    spark_session.execute('set spark.sql.shuffle.partitions="4" where type="conf";', heard)
    assert spark.conf.get("spark.sql.shuffle.partitions") == "4"  # a SQL setting: applied at once
    spark_session.execute('set spark.executor.memory="2g" where type="conf";', heard)
    assert heard.messages[-1] == ("Spark conf `spark.executor.memory` takes effect when Spark starts next "
                                  "(`!engine duckdb` then `!engine spark` restarts it)")
    assert spark_session.spark_conf["spark.executor.memory"] == "2g"


# -- statements ----------------------------------------------------------------------------------
def test_select_runs_spark_sql_and_tables_are_spark_views(spark_session):
    result = spark_session.execute(JSON_ROWS + "load jsonStr.`j` as t;\nselect * from t where b > 1 as out;")
    assert result.table.to_pylist() == [{"A": None, "_x": None, "b": 1.5, "s": "x"}]
    assert isinstance(spark_session.catalog.get("out"), SparkFrame)
    spark = spark_session.spark.handle.spark
    assert {t.name for t in spark.catalog.listTables()} >= {"t", "out"}
    # Spark's own SQL, not the embedded translation: a Spark 4 function runs
    assert rows(spark_session, "select try_divide(4, 2) as q as t2") == [{"q": 2.0}]


def test_jsonstr_is_read_by_sparks_json_reader_as_byzer_does(spark_session):
    result = spark_session.execute(JSON_ROWS + "load jsonStr.`j` as t;")
    assert result.table.column_names == ["A", "_x", "b", "s"]  # Spark's sorted inference
    assert result.table.schema.field("b").type == pa.float64()  # long + double merge
    assert result.table.to_pylist()[0] == {"A": 2, "_x": 3, "b": 1.0, "s": None}
    csv = spark_session.execute("set c='''a,b\n1,x''';\nload csvStr.`c` where header=\"true\" as tc;")
    assert csv.table.to_pylist() == [{"a": "1", "b": "x"}]


def test_arrow_tables_of_other_statements_become_spark_views_on_first_use(spark_session):
    spark_session.catalog.register("from_python", pa.table({"x": [1, 2, 3]}))
    assert rows(spark_session, "select sum(x) as s from from_python as total") == [{"s": 6}]
    spark_session.catalog.register("from_python", pa.table({"x": [10]}))  # replaced: seen anew
    assert rows(spark_session, "select sum(x) as s from from_python as total") == [{"s": 10}]
    result = spark_session.execute("select id from range(6) as r;\n"
                                   'run r as TableRepartition.`` where partitionNum="2" as rp;\n'
                                   "select count(*) as n from rp as counted;")
    assert result.table.to_pylist() == [{"n": 6}]
    assert spark_session.table("r").to_pylist()[:2] == [{"id": 0}, {"id": 1}]  # Arrow at the edge


def test_commands_see_spark_tables_without_collecting_them(spark_session):
    spark_session.execute("select id, cast(id as string) as s from range(3) as r")
    assert rows(spark_session, "!desc r") == [{"col_name": "id", "data_type": "bigint", "nullable": False},
                                              {"col_name": "s", "data_type": "string", "nullable": False}]
    tables = {row["tableName"]: row for row in rows(spark_session, "!show tables")}
    assert tables["r"]["numColumns"] == 2 and tables["r"]["numRows"] is None  # not counted
    spark_session.execute("!assert r '''id >= 0''' \"negative ids\"")
    with pytest.raises(ByzerRuntimeError, match="1 of 3 rows of `r` fail `id < 2`"):
        spark_session.execute("!assert r '''id < 2'''")
    spark_session.execute("!emptyTable; !lastCommand named again;")
    assert rows(spark_session, "select count(*) as n from again as n") == [{"n": 0}]
    assert rows(spark_session, '!plot r where x="s" and y="id" and kind="bar"') == \
        [{"s": "0", "sum(id)": 0}, {"s": "1", "sum(id)": 1}, {"s": "2", "sum(id)": 2}]  # aggregated by Spark


def test_set_sql_branches_macros_and_include_keep_working(spark_session, tmp_path):
    spark_session.execute("select id from range(4) as r")
    assert rows(spark_session, 'set n = "select count(*) from r" where type="sql";\n'
                               'select "${n}" as n as shown') == [{"n": "4"}]
    assert rows(spark_session, '!if "1 == 1";\nselect "yes" as a as b1;\n!else;\nselect "no" as a as b1;\n!fi;\n'
                               "select * from b1 as b2;") == [{"a": "yes"}]
    assert rows(spark_session, 'set pick = \'\'\'select "{0}" as v as picked\'\'\';\n!pick first;') \
        == [{"v": "first"}]
    (tmp_path / "lib.byzer").write_text("select max(id) as m from r as top;")
    assert rows(spark_session, "include local.`lib.byzer`;") == [{"m": 3}]


def test_save_modes_partitions_and_file_count_through_sparks_writers(spark_session, tmp_path):
    spark_session.execute("select id, id % 2 as g from range(10) as r")
    saved = spark_session.execute('save overwrite r as csv.`out/c` where header="true" and fileNum="3";')
    assert saved.table.to_pylist() == [{"path": str(tmp_path / "out/c"), "format": "csv", "mode": "overwrite",
                                        "status": "written", "rows": None, "files": 3}]
    assert rows(spark_session, 'load csv.`out/c` where header="true" and inferSchema="true" as c;\n'
                               "select count(*) as n, sum(id) as s from c as sums") == [{"n": 10, "s": 45}]
    spark_session.execute("save overwrite r as parquet.`out/p` partitionBy g;")
    assert sorted(p.name for p in (tmp_path / "out/p").iterdir() if p.is_dir()) == ["g=0", "g=1"]
    assert rows(spark_session, "load parquet.`out/p` as p; select g, count(*) as n from p group by g order by g as n") \
        == [{"g": 0, "n": 5}, {"g": 1, "n": 5}]
    spark_session.execute("save append r as orc.`out/o`; save append r as orc.`out/o`;")
    assert all(f.name.endswith(".snappy.orc") for f in (tmp_path / "out/o").glob("part-*"))
    assert rows(spark_session, "load orc.`out/o` as o; select count(*) as n from o as n") == [{"n": 20}]
    with pytest.raises(ByzerRuntimeError, match="already exists; use overwrite/append/ignore"):
        spark_session.execute("save r as orc.`out/o`;")
    assert rows(spark_session, "save ignore r as orc.`out/o`;")[0]["status"] == "skipped: path exists"
    with pytest.raises(ByzerRuntimeError, match="overwriteAnyFolder"):  # no files lost (design §4.10)
        (tmp_path / "notes").mkdir()
        (tmp_path / "notes" / "mine.txt").write_text("keep me")
        spark_session.execute("save overwrite r as json.`notes`;")
    assert (tmp_path / "notes" / "mine.txt").read_text() == "keep me"


def test_text_and_sparks_own_sources_by_name(spark_session, tmp_path):
    spark_session.execute("select cast(id as string) as value from range(2) as lines;"
                          "save overwrite lines as text.`out/t`;")
    loaded = rows(spark_session, "load text.`out/t` as t")
    assert sorted(row["value"] for row in loaded) == ["0", "1"]
    assert all(row["file"].startswith("file://" + str(tmp_path / "out/t") + "/part-") for row in loaded)
    spark_session.execute('save overwrite lines as xml.`out/x` where rowTag="line";')  # Spark's own source
    assert rows(spark_session, 'load xml.`out/x` where rowTag="line" as x;\n'
                               "select * from x order by value as sorted") == [{"value": 0}, {"value": 1}]
    uri = (tmp_path / "out/t").as_uri()
    assert len(rows(spark_session, f"load text.`{uri}` as by_uri")) == 2  # a Hadoop path as written


def test_results_show_a_bounded_number_of_rows(spark_session):
    result = spark_session.execute(f"select id from range({PREVIEW_ROWS * 3}) as big")
    shown = result.shown_table(20)
    assert shown.num_rows == PREVIEW_ROWS and has_more_rows(shown)
    assert format_table_text(shown, 20, "big").splitlines()[-1] == \
        "big: showing 20 of the first 1000 rows (more not fetched)"
    assert result.table.num_rows == PREVIEW_ROWS * 3  # every row, on demand
    small = spark_session.execute("select id from range(3) as small")
    assert small.shown_table(20).num_rows == 3 and not has_more_rows(small.shown_table(20))
    assert spark_session.catalog.get("small").known_rows == 3  # counted for free by the preview
    assert isinstance(small.table.to_pandas(), pd.DataFrame)


def test_a_spark_connect_server_runs_the_statements(local_spark, spark_connect, session, tmp_path):
    """sc:// needs no JVM of the session's own; a classic Spark in the same process is unaffected."""
    heard = Heard()
    session.catalog.register("arrow_made", pa.table({"x": [1, 2]}))
    result = session.execute(f'!engine spark where master="{spark_connect}";\n' + JSON_ROWS +
                             "load jsonStr.`j` as t;\nselect b, x from t, arrow_made where x = 1 order by b as joined;",
                             heard)
    assert result.table.to_pylist() == [{"b": 1.0, "x": 1}, {"b": 1.5, "x": 1}]
    version = session.spark.handle.version
    assert heard.messages == [f"Spark {version}: connected to the Spark Connect server {spark_connect}"]
    assert engine_row(session)["status"] == "running (Spark Connect)"
    with pytest.raises(ByzerRuntimeError, match=r"SparkError at line 1:8 .*UNRESOLVED_COLUMN"):
        session.execute("select nope from joined as v")
    session.execute("save overwrite joined as parquet.`out/p`;")
    assert len(rows(session, "load parquet.`out/p` as back")) == 2
    assert rows(session, "!engine duckdb; select count(*) as n from joined as n") == [{"n": 2}]
    assert local_spark.range(3).count() == 3


def test_closing_the_session_leaves_a_spark_it_did_not_start(spark_session, local_spark):
    spark_session.execute("select 1 as a as t")
    spark_session.close()
    assert not spark_session.spark.running
    assert local_spark.range(2).count() == 2  # the test session's Spark still runs


def test_stopping_a_spark_of_its_own_ends_its_jvm(tmp_path):
    """A Session that starts Spark stops it (and its JVM) when it closes: in a process of its own,
    since this process's Spark is the tests' shared one."""
    import subprocess
    import sys

    script = (
        "import os\n"
        "from byzer_kernel.engine import Session\n"
        "s = Session(home=os.getcwd())\n"
        "r = s.execute('!engine spark where master=\"local[1]\"; select 41 + 1 as a as t')\n"
        "print(r.table.to_pylist(), r.messages[0].split(' (')[0].replace(__import__('pyspark').__version__, 'V'))\n"
        "proc = __import__('pyspark').SparkContext._gateway.proc\n"
        "s.close()\n"
        "print('context', __import__('pyspark').SparkContext._active_spark_context, 'jvm', proc.poll() is not None)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines == ["[{'a': 42}] Spark V started on local[1]", "context None jvm True"]
    assert pathlib.Path(tmp_path).exists()
