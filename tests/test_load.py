"""`load FORMAT.`path` [where ...] as t` (docs/spec.md §3): formats, options, paths, errors."""
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from byzer_kernel.engine.formats.csv_format import read_csv_lines
from byzer_kernel.engine.load_save import clean_str
from byzer_kernel.lang.errors import ByzerRuntimeError, UsageError

from seed import SEED_LOAD as SEED_CELL


def test_seed_cell_loads_seven_rows_into_the_catalog(session):
    result = session.execute(SEED_CELL)
    assert result.table_name == "data"
    assert result.table.column_names == ["Busn_A", "Busn_B"]
    assert result.table.num_rows == 7
    assert session.table("DATA").column("Busn_B").to_pylist() == [57, 134, 137, 129, 145, 60, 49]


def test_jsonstr_path_may_be_a_bare_name_and_table_name_backquoted(session):
    result = session.execute("""set rows='''{"x":"a"}''';
load jsonStr.rows as `my table`;""")
    assert result.table_name == "my table"
    assert session.table("`my table`").to_pylist() == [{"x": "a"}]


def test_jsonstr_options_are_rendered_and_passed(session):
    session.execute("set m='DROPMALFORMED' where scope='session';")
    result = session.execute("""set j='''{"a":1}
oops''';
load jsonStr.`j` where mode="${m}" as t;""")
    assert result.table.to_pylist() == [{"a": 1}]


def test_missing_variable_error(session):
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute("load jsonStr.`nothing` as t;")
    assert "variable `nothing` is not defined" in str(error.value)
    assert "set nothing='''...'''" in str(error.value)


def test_unknown_format_lists_the_known_ones(session):
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute("load jsonstr.`x` as t;")
    message = str(error.value)
    assert "unknown format `jsonstr`" in message
    for name in ("jsonStr", "csvStr", "json", "csv", "parquet", "text"):
        assert name in message


def test_spark_builtin_names_resolve_case_insensitively(session, tmp_path):
    (tmp_path / "a.json").write_text('{"a":1}\n')
    assert session.execute("load JSON.`a.json` as t;").table.to_pylist() == [{"a": 1}]


def test_missing_path_error(session):
    with pytest.raises(ByzerRuntimeError, match="does not exist"):
        session.execute("load json.`no/such/folder` as t;")
    with pytest.raises(ByzerRuntimeError, match="does not exist"):
        session.execute("load parquet.`/no/such/file.parquet` as t;")


def test_clean_str():
    assert clean_str("`/tmp/a`") == "/tmp/a"
    assert clean_str('"x"') == "x"
    assert clean_str("bare") == "bare"


# -- csvStr -------------------------------------------------------------------------------------
def test_csvstr_without_header_names_columns_c0_c1(session):
    result = session.execute("""set c='''a,b
1,2''';
load csvStr.`c` as t;""")
    assert result.table.column_names == ["_c0", "_c1"]
    assert result.table.to_pylist() == [{"_c0": "a", "_c1": "b"}, {"_c0": "1", "_c1": "2"}]


def test_csvstr_header_gives_names_and_strings(session):
    result = session.execute("""set c='''name,age
jack,10

lily,'''
;
load csvStr.`c` where header="true" as t;""")
    assert [(f.name, str(f.type)) for f in result.table.schema] == [("name", "string"), ("age", "string")]
    assert result.table.to_pylist() == [{"name": "jack", "age": "10"}, {"name": "lily", "age": None}]


def read_csv(text, options):
    """A csvStr variable's text as its loader reads it."""
    return read_csv_lines([text.split("\n")], options)


def test_csvstr_infer_schema():
    table = read_csv("i,l,d,b,s,q\n1,3000000000,1.5,true,x,\"a,b\"\n2,1,2,FALSE,3,\"\"\n",
                     {"header": "true", "inferSchema": "true"})
    assert [(f.name, str(f.type)) for f in table.schema] == [
        ("i", "int32"), ("l", "int64"), ("d", "double"), ("b", "bool"), ("s", "string"), ("q", "string")]
    assert table.to_pylist()[0] == {"i": 1, "l": 3000000000, "d": 1.5, "b": True, "s": "x", "q": "a,b"}
    assert table.to_pylist()[1]["q"] is None


def test_csv_duplicate_and_empty_header_names():
    table = read_csv("a,A,,b\n1,2,3,4", {"header": "true"})
    assert table.column_names == ["a0", "A1", "_c2", "b"]


def test_csv_short_and_long_rows_are_padded_and_cut():
    table = read_csv("a,b\n1\n1,2,3", {"header": "true"})
    assert table.to_pylist() == [{"a": "1", "b": None}, {"a": "1", "b": "2"}]


# -- files --------------------------------------------------------------------------------------
def test_json_lines_file_and_spark_part_folder(session, tmp_path):
    (tmp_path / "one.json").write_text('{"b":1,"a":"x"}\r\n{"b":2.5}\n')
    table = session.execute("load json.`one.json` as t;").table
    assert table.column_names == ["a", "b"]
    assert table.to_pylist() == [{"a": "x", "b": 1.0}, {"a": None, "b": 2.5}]
    folder = tmp_path / "spark_out"
    folder.mkdir()
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-00000.json.crc").write_text("junk")
    (folder / "part-00000-abc-c000.json").write_text('{"a":1}\n')
    (folder / "part-00001-abc-c000.json").write_text('{"a":2,"c":true}\n')
    table = session.execute(f"load json.`{folder}` as t;").table
    assert table.to_pylist() == [{"a": 1, "c": None}, {"a": 2, "c": True}]


def test_csv_file_options(session, tmp_path):
    (tmp_path / "d.csv").write_text("x;y\n1;a\n2;b\n")
    table = session.execute(
        'load csv.`d.csv` where header="true" and inferSchema="true" and delimiter=";" as t;').table
    assert [(f.name, str(f.type)) for f in table.schema] == [("x", "int32"), ("y", "string")]
    assert table.to_pylist() == [{"x": 1, "y": "a"}, {"x": 2, "y": "b"}]
    plain = session.execute("load csv.`d.csv` as t;").table
    assert plain.column_names == ["_c0"] and plain.num_rows == 3


def test_parquet_file_and_partitioned_folder(session, tmp_path):
    pq.write_table(pa.table({"v": [1, 2]}), tmp_path / "f.parquet")
    assert session.execute("load parquet.`f.parquet` as t;").table.to_pylist() == [{"v": 1}, {"v": 2}]
    for year, name in ((2023, "a"), (2024, "b")):
        part = tmp_path / "p" / f"year={year}" / f"name={name}"
        part.mkdir(parents=True)
        pq.write_table(pa.table({"v": [year]}), part / "part-00000-x-c000.snappy.parquet")
    table = session.execute("load parquet.`p` as t;").table
    assert [(f.name, str(f.type)) for f in table.schema] == [("v", "int64"), ("year", "int32"), ("name", "string")]
    assert table.to_pylist() == [{"v": 2023, "year": 2023, "name": "a"}, {"v": 2024, "year": 2024, "name": "b"}]


def _partition_files(root, files: dict) -> None:
    """files: {"k=v/part-0.ext": text}: a partitioned folder as Spark lays it out."""
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)


def test_partitioned_json_dropmalformed_keeps_each_row_in_its_own_partition(session, tmp_path):
    # Alone, p=2's file infers `a` as string and keeps its row; over all files `a` is a long, so
    # its "" is malformed and dropped: p=3's row must still say p=3.
    _partition_files(tmp_path / "pj", {"p=1/part-0.json": '{"a":1}\n',
                                       "p=2/part-0.json": '{"a":""}\n',
                                       "p=3/part-0.json": '{"a":3}\n{"a":4}\n'})
    table = session.execute('load json.`pj` where mode="DROPMALFORMED" as t;').table
    assert table.to_pylist() == [{"a": 1, "p": 1}, {"a": 3, "p": 3}, {"a": 4, "p": 3}]
    kept = session.execute("load json.`pj` as t;").table  # PERMISSIVE keeps the bad row, nulled
    assert kept.column("p").to_pylist() == [1, 2, 3, 3]


def test_partitioned_json_fast_path_and_blank_lines_tag_rows_per_file(session, tmp_path):
    _partition_files(tmp_path / "pf", {"d=x/part-0.json": '\n{"a":1}\n\n{"a":2}\r\n',
                                       "d=y/part-0.json": "  \n",
                                       "d=z/part-0.json": '{"a":3,"b":"q"}'})
    table = session.execute("load json.`pf` as t;").table
    assert table.to_pylist() == [{"a": 1, "b": None, "d": "x"}, {"a": 2, "b": None, "d": "x"},
                                 {"a": 3, "b": "q", "d": "z"}]


def test_partitioned_csv_rows_keep_their_files_partition_values(session, tmp_path):
    _partition_files(tmp_path / "pc", {"k=1/part-0.csv": "n,s\n1,a\n\n2,b\n",
                                       "k=2/part-0.csv": "n,s\n",
                                       "k=3/part-0.csv": "n,s\n3.5,c\n"})
    table = session.execute('load csv.`pc` where header="true" and inferSchema="true" as t;').table
    assert [(f.name, str(f.type)) for f in table.schema] == [("n", "double"), ("s", "string"), ("k", "int32")]
    assert table.to_pylist() == [{"n": 1.0, "s": "a", "k": 1}, {"n": 2.0, "s": "b", "k": 1},
                                 {"n": 3.5, "s": "c", "k": 3}]


def test_text_files_and_comma_separated_paths(session, tmp_path):
    (tmp_path / "a.txt").write_text("hello\nworld\n")
    (tmp_path / "b.txt").write_text("again")
    table = session.execute("load text.`a.txt,b.txt` as t;").table
    assert table.column_names == ["file", "value"]
    assert table.column("value").to_pylist() == ["hello", "world", "again"]
    assert table.column("file").to_pylist()[0] == (tmp_path / "a.txt").as_uri()


def test_glob_paths(session, tmp_path):
    for i in range(3):
        (tmp_path / f"r{i}.json").write_text(json.dumps({"i": i}) + "\n")
    table = session.execute("load json.`r*.json` as t;").table
    assert table.column("i").to_pylist() == [0, 1, 2]


def test_relative_paths_resolve_under_byzer_home(session, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.json").write_text('{"k":1}')
    assert session.execute("load json.`sub/x.json` as t;").table.num_rows == 1


# -- options: one lookup, one rule for every format ----------------------------------------------
@pytest.mark.parametrize("load, option, value", [
    ('load csvStr.`c` where header="yes" as t;', "header", "yes"),
    ('load csvStr.`c` where inferSchema="" as t;', "inferSchema", ""),
    ('load jsonStr.`c` where allowComments="maybe" as t;', "allowComments", "maybe"),
    ('load text.`c.txt` where wholetext="1" as t;', "wholetext", "1"),
])
def test_a_bad_boolean_option_is_a_usage_error_naming_option_and_value(session, tmp_path, load, option, value):
    (tmp_path / "c.txt").write_text("x\n")
    with pytest.raises(UsageError) as error:
        session.execute("""set c='''{"a":1}''';\n""" + load)
    assert f'option `{option}` must be "true" or "false", got "{value}"' in str(error.value)


def test_a_bad_boolean_option_of_save_fails_before_the_target_is_touched(session, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("keep")
    session.execute("select 1 as a as t;")
    with pytest.raises(UsageError, match='option `overwriteAnyFolder` must be "true" or "false", got "yes"'):
        session.execute('save overwrite t as json.`out` where overwriteAnyFolder="yes";')
    assert (tmp_path / "out" / "notes.txt").read_text() == "keep"


def test_option_names_are_case_insensitive_for_every_format(session):
    table = session.execute("""set c='''a,b\n1,2''';
load csvStr.`c` where HEADER="True" and inferschema="TRUE" as t;""").table
    assert table.to_pylist() == [{"a": 1, "b": 2}]
    table = session.execute("""set j='''{"a":1}\noops''';
load jsonStr.`j` where MODE="DROPMALFORMED" as t;""").table
    assert table.to_pylist() == [{"a": 1}]


def test_a_bad_count_option_is_a_usage_error(session):
    with pytest.raises(UsageError, match='option `skipFirstNLines` must be a whole number of at least 0, got "-1"'):
        session.execute("""set c='''a\n1''';
load csvStr.`c` where skipFirstNLines="-1" as t;""")
