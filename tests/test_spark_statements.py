"""The statements whose meaning does not depend on the engine, run as the same script on both
engines (issue 15, "One behaviour, two engines"): the embedded engine's answer must be Spark's,
which is the reference. Where they differ on purpose, docs/reference/spark-engine.md lists it
("Differences from the embedded engine") and the test says which part it leaves out.

Spark is the shared local[2] of tests/spark_local.py; each test gets an embedded Session and a
Spark Session, each with a home of its own holding the same input files."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from spark_local import local_spark, spark_ipython  # noqa: F401  (fixtures: one local[2] Spark)

from byzer_kernel.engine import Session
from byzer_kernel.engine.spark.frame import SparkFrame
from byzer_kernel.lang.errors import ByzerError

PEOPLE_CSV = "name,age,city\nann,31,Oslo\nbob,25,Rome\ncid,47,Oslo\n"
PEOPLE = [("ann", 31, "Oslo"), ("bob", 25, "Rome"), ("cid", 47, "Oslo")]


def write_inputs(home: Path) -> None:
    """The same input files in each engine's home."""
    (home / "in").mkdir(parents=True)
    (home / "in" / "people.csv").write_text(PEOPLE_CSV)
    (home / "in" / "people.json").write_text(
        "".join(json.dumps({"name": n, "age": a, "city": c}) + "\n" for n, a, c in PEOPLE))
    pq.write_table(pa.table({"name": [p[0] for p in PEOPLE], "age": pa.array([p[1] for p in PEOPLE], pa.int32()),
                             "city": [p[2] for p in PEOPLE]}), home / "in" / "people.parquet")
    (home / "in" / "notes").mkdir()
    (home / "in" / "notes" / "a.txt").write_text("first line\nsecond line\n")
    (home / "lib.byzer").write_text("select max(age) as oldest from people as top;")


class Engines:
    """An embedded Session and a Spark Session running the same scripts."""

    def __init__(self, embedded: Session, spark: Session):
        self.embedded, self.spark = embedded, spark

    def both(self, script: str) -> tuple:
        """(Spark's last table, the embedded engine's), as Arrow."""
        return self.spark.execute(script).table, self.embedded.execute(script).table

    def same(self, script: str, ordered: bool = False) -> list:
        """Runs `script` on both; their last tables must hold the same columns, types and rows
        (in any order unless `ordered`). Returns Spark's rows."""
        spark, embedded = self.both(script)
        assert embedded.schema.names == spark.schema.names, script
        assert embedded.schema.types == spark.schema.types, (script, embedded.schema, spark.schema)
        spark_rows, embedded_rows = spark.to_pylist(), embedded.to_pylist()
        if not ordered:
            spark_rows, embedded_rows = sorted(spark_rows, key=repr), sorted(embedded_rows, key=repr)
        assert embedded_rows == spark_rows, script
        return spark_rows

    def same_failure(self, script: str) -> str:
        """Both fail with the same kind of error and message; returns Spark's message."""
        messages = []
        for session in (self.spark, self.embedded):
            with pytest.raises(ByzerError) as failure:
                session.execute(script).table
            messages.append((failure.value.kind, failure.value.message.replace(str(session.home), "HOME")))
        assert messages[1] == messages[0], script
        return messages[0][1]


@pytest.fixture
def engines(local_spark, tmp_path, monkeypatch):
    monkeypatch.delenv("BYZER_ENGINE", raising=False)
    monkeypatch.delenv("BYZER_SPARK_MASTER", raising=False)
    homes = {name: tmp_path / name for name in ("spark", "embedded")}
    for home in homes.values():
        write_inputs(home)
    spark = Session(home=str(homes["spark"]))
    embedded = Session(home=str(homes["embedded"]))
    spark.execute('!engine spark where master="local[2]";')
    yield Engines(embedded, spark)
    spark.close()
    embedded.close()


# -- load --------------------------------------------------------------------------------------
def test_load_jsonstr_and_csvstr(engines):
    rows = engines.same("set j='''\n{\"b\":1,\"A\":2,\"_x\":3}\n{\"b\":1.5,\"s\":\"x\"}\n''';\n"
                        "load jsonStr.`j` as t;")
    assert rows == sorted([{"A": 2, "_x": 3, "b": 1.0, "s": None},
                           {"A": None, "_x": None, "b": 1.5, "s": "x"}], key=repr)
    assert engines.same("set c='''a,b\n1,x\n2,y''';\nload csvStr.`c` where header=\"true\" as tc;") == \
        [{"a": "1", "b": "x"}, {"a": "2", "b": "y"}]
    assert engines.same("set c='''1,x''';\nload csvStr.`c` as tc;") == [{"_c0": "1", "_c1": "x"}]


@pytest.mark.parametrize("load", [
    'load csv.`in/people.csv` where header="true" and inferSchema="true" as people;',
    "load json.`in/people.json` as people;",
    "load parquet.`in/people.parquet` as people;",
], ids=["csv", "json", "parquet"])
def test_load_files(engines, load):
    rows = engines.same(load + "\nselect name, age, city from people order by name as sorted;", ordered=True)
    assert [(r["name"], r["age"], r["city"]) for r in rows] == PEOPLE


def test_load_csv_without_a_header_and_text(engines):
    assert engines.same("load csv.`in/people.csv` as raw;")[0] == {"_c0": "ann", "_c1": "31", "_c2": "Oslo"}
    # `file` is where each line came from: each engine's own home, so compare the lines only.
    assert engines.same("load text.`in/notes` as notes;\nselect value from notes as lines;") == \
        [{"value": "first line"}, {"value": "second line"}]
    spark, embedded = engines.both("load text.`in/notes` as notes;")
    assert spark.column_names == embedded.column_names == ["file", "value"]
    assert all(f.endswith("/in/notes/a.txt") for f in spark.column("file").to_pylist()
               + embedded.column("file").to_pylist())


# -- select --------------------------------------------------------------------------------------
def test_select_aggregates_joins_windows_and_functions(engines):
    load = 'load csv.`in/people.csv` where header="true" and inferSchema="true" as people;\n'
    assert engines.same(load + "select city, count(*) as n, avg(age) as mean, max(name) as last "
                        "from people group by city order by city as by_city;", ordered=True) == [
        {"city": "Oslo", "n": 2, "mean": 39.0, "last": "cid"}, {"city": "Rome", "n": 1, "mean": 25.0, "last": "bob"}]
    engines.same(load + "select name, age, rank() over (partition by city order by age desc) as r, "
                 "sum(age) over (order by name) as running from people as ranked;")
    engines.same(load + "select p.name, q.name as other from people p join people q "
                 "on p.city = q.city and p.name < q.name as pairs;")
    engines.same("select upper('ab') as u, concat_ws('-', 'a', 'b') as c, substr('byzer', 2, 3) as s, "
                 "coalesce(null, 3) as n, cast('7' as int) + 1 as i, date_add(to_date('2024-02-28'), 2) as d "
                 "as funcs;")


# -- save ----------------------------------------------------------------------------------------
def saved_files(session: Session, folder: str) -> dict:
    """The partition folders and the number of part files a save left."""
    root = Path(session.home) / folder
    return {"folders": sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir()),
            "parts": sum(1 for p in root.rglob("part-*") if p.is_file())}


def test_save_modes_partitions_and_file_count(engines):
    data = "select id, id % 2 as g, concat('n', id) as s from range(10) as r;\n"
    for fmt in ("parquet", "json", "csv", "orc"):
        header = ' where header="true"' if fmt == "csv" else ""
        spark, embedded = engines.both(data + f"save overwrite r as {fmt}.`out/{fmt}`{header};")
        # The save_result row: Spark's writer does not count rows (documented difference).
        for result in (spark, embedded):
            row = result.to_pylist()[0]
            assert (row["format"], row["mode"], row["status"]) == (fmt, "overwrite", "written"), row
        read = "inferSchema=\"true\" and header=\"true\"" if fmt == "csv" else ""
        where = f" where {read}" if read else ""
        assert engines.same(f"load {fmt}.`out/{fmt}`{where} as back;\n"
                            "select sum(id) as total, count(*) as n from back as sums;") == [{"total": 45, "n": 10}]
    engines.same(data + "save append r as parquet.`out/parquet`;\nload parquet.`out/parquet` as twice;\n"
                 "select count(*) as n from twice as counted;")
    spark, embedded = engines.both(data + "save ignore r as parquet.`out/parquet`;")
    assert spark.column("status").to_pylist() == embedded.column("status").to_pylist() == ["skipped: path exists"]
    assert "already exists; use overwrite/append/ignore" in engines.same_failure(
        data + "save r as parquet.`out/parquet`;")
    # partitionBy: the same folders, and the same rows read back (partition columns last).
    engines.both(data + "save overwrite r as parquet.`out/by_g` partitionBy g;")
    assert saved_files(engines.spark, "out/by_g")["folders"] == saved_files(engines.embedded, "out/by_g")["folders"] \
        == ["g=0", "g=1"]
    engines.same("load parquet.`out/by_g` as parted;\nselect * from parted as all_rows;")
    # fileNum: that many part files.
    engines.both(data + 'save overwrite r as json.`out/three` where fileNum="3";')
    assert saved_files(engines.spark, "out/three")["parts"] == saved_files(engines.embedded, "out/three")["parts"] \
        == 3


# -- set, branching, macros, include -------------------------------------------------------------
def test_set_of_each_type(engines):
    rows = engines.same('set plain = "hello";\n'
                        'set counted = `select count(*) from range(4)` where type="sql";\n'
                        'set shout = `echo byzer | tr a-z A-Z` where type="shell";\n'
                        'set plain = "ignored" where type="defaultParam";\n'
                        'set fresh = "kept" where type="defaultParam";\n'
                        'set spark.sql.shuffle.partitions = "3" where type="conf";\n'
                        'select "${plain}" as plain, "${counted}" as counted, "${shout}" as shout, '
                        '"${fresh}" as fresh as vars;')
    assert rows == [{"plain": "hello", "counted": "4", "shout": "BYZER", "fresh": "kept"}]


def test_branching(engines):
    script = ('set level = "{level}";\n'
              "!if ''':level > 5''';\nselect 'high' as band as b;\n"
              "!elif ''':level > 2 and :level <= 5''';\nselect 'middle' as band as b;\n"
              "!else;\nselect 'low' as band as b;\n!fi;\nselect band from b as chosen;")
    for level, band in ((9, "high"), (4, "middle"), (1, "low")):
        assert engines.same(script.format(level=level)) == [{"band": band}]
    assert engines.same("select 1 as id union all select 2 as id as items;\n"
                        'set n = `select count(*) from items` where type="sql";\n'
                        "!if ''' select :n * 10 as :tenfold; :n > 1 ''';\n"
                        'select "${n} rows, ${tenfold} tenfold" as said as s;\n'
                        "!else;\nselect 'few' as said as s;\n!fi;\nselect * from s as shown;") \
        == [{"said": "2 rows, 20.0 tenfold"}]


def test_macros_and_include(engines):
    load = 'load csv.`in/people.csv` where header="true" and inferSchema="true" as people;\n'
    assert engines.same(load + "set peek = '''select * from {0} order by age limit {1} as {2};''';\n"
                        "!peek people 2 youngest;", ordered=True) == [
        {"name": "bob", "age": 25, "city": "Rome"}, {"name": "ann", "age": 31, "city": "Oslo"}]
    assert engines.same(load + "include local.`lib.byzer`;") == [{"oldest": 47}]


# -- commands ------------------------------------------------------------------------------------
def test_assert_desc_and_show_tables(engines):
    load = 'load csv.`in/people.csv` where header="true" and inferSchema="true" as people;\n'
    engines.both(load + "!assert people '''age > 18''' \"adults only\";")
    message = engines.same_failure(load + "!assert people '''age > 30''' \"over thirty\";")
    assert "over thirty" in message
    engines.same(load + "!desc people;", ordered=True)
    spark, embedded = engines.both(load + "!show tables;")
    # numRows: only once something counted the table under Spark (documented difference).
    shown = [[{k: v for k, v in row.items() if k != "numRows"} for row in table.to_pylist()]
             for table in (spark, embedded)]
    assert shown[0] == shown[1]


def test_rows_at_the_edge_convert_alike(engines):
    script = ("select id, cast(id as double) / 2 as half, concat('v', id) as s, id % 2 = 0 as even, "
              "cast(null as string) as nothing from range(5) as edge;")
    engines.both(script)
    assert isinstance(engines.spark.catalog.get("edge"), SparkFrame)
    spark = engines.spark.catalog.get("edge").to_pandas()
    embedded = engines.embedded.table("edge").to_pandas()
    pd.testing.assert_frame_equal(embedded.sort_values("id").reset_index(drop=True),
                                  spark.sort_values("id").reset_index(drop=True))


# -- harder inputs -------------------------------------------------------------------------------
def test_jsonstr_nested_values_and_a_broken_line(engines):
    load = ("set j='''\n"
            '{"id":1,"tags":["a","b"],"point":{"x":1.5,"y":null},"ok":true}\n'
            '{"id":2,"tags":[],"point":{"x":2,"y":3},"ok":false,"extra":"e"}\n'
            '{"id":3}\n'
            "''';\nload jsonStr.`j` as nested;\n")
    engines.same(load + "select * from nested order by id as sorted;", ordered=True)
    engines.same(load + "!desc nested;", ordered=True)
    engines.same("set b='''\n{\"id\":1}\n{not json}\n''';\nload jsonStr.`b` as broken;")


def test_csv_types_inferred_and_empty_fields(engines):
    csv = "a,b,c,d,e\n1,2.5,2024-01-02,x,\n2,,2024-03-04,,7\n"
    for session in (engines.spark, engines.embedded):
        (Path(session.home) / "in" / "types.csv").write_text(csv)
    engines.same('load csv.`in/types.csv` where header="true" and inferSchema="true" as typed;\n'
                 "select a, b, d, e from typed order by a as sorted;", ordered=True)
    engines.same('load csv.`in/types.csv` where header="true" as plain;\n'
                 "select * from plain order by a as sorted;", ordered=True)
    # A listed difference (reference/spark-engine.md): inferSchema makes dates of date-like text
    # under Spark; the embedded engine keeps the text.
    spark, embedded = engines.both('load csv.`in/types.csv` where header="true" and inferSchema="true" as typed;')
    assert (spark.schema.field("c").type, embedded.schema.field("c").type) == (pa.date32(), pa.string())
    assert [str(day) for day in spark.column("c").to_pylist()] == embedded.column("c").to_pylist()


def test_saved_partitions_and_nulls_read_back_alike(engines):
    data = ("select id, case when id % 3 = 0 then null else concat('s', id) end as s, id % 2 as g, "
            "date_add(to_date('2024-01-01'), cast(id as int)) as day from range(6) as r;\n")
    engines.both(data + "save overwrite r as csv.`out/c` where header=\"true\" partitionBy g;")
    engines.same('load csv.`out/c` where header="true" and inferSchema="true" as back;\n'
                 "select id, s, g, cast(day as string) as day from back order by id as sorted;", ordered=True)
    engines.both(data + "save overwrite r as json.`out/j`;")
    engines.same("load json.`out/j` as back;\nselect * from back order by id as sorted;", ordered=True)


def test_output_variable_and_to_pandas_convert_alike(spark_ipython):
    from IPython.utils.capture import capture_output

    shell, _ = spark_ipython
    cell = ("%%byzer -o edge_rows\nselect id, cast(id as double) / 2 as half, concat('v', id) as s, "
            "to_date('2024-01-01') as day, cast(null as int) as nothing from range(4) as edge")
    frames = {}
    for engine in ("duckdb", "spark"):
        shell.run_line_magic("config", f'ByzerMagics.engine = "{engine}"')
        shell.run_line_magic("config", 'ByzerMagics.spark_master = "local[2]"')
        with capture_output():
            result = shell.run_cell(cell)
        assert result.success, result.error_in_exec
        frames[engine] = (shell.user_ns.pop("edge_rows").sort_values("id").reset_index(drop=True),
                          result.result.to_pandas().sort_values("id").reset_index(drop=True))
    for embedded, spark in zip(frames["duckdb"], frames["spark"]):
        pd.testing.assert_frame_equal(embedded, spark)
    shell.run_line_magic("config", 'ByzerMagics.engine = "duckdb"')
