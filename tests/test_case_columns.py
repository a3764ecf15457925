"""Columns whose names differ only in case (issue item 6): Spark 3.3 keeps both, `select *`
returns both under their own names, and naming either one is ambiguous (caseSensitive=false)."""
import pytest

from byzer_kernel.engine import Session
from byzer_kernel.lang.errors import ByzerRuntimeError

LOAD = """set data='''{"b":1,"B":2}''';
load jsonStr.`data` as t;"""


@pytest.fixture
def session():
    session = Session()
    session.execute(LOAD)
    return session


def test_jsonstr_keeps_both_names_in_spark_order(session):
    table = session.table("t")
    assert table.column_names == ["B", "b"]  # Spark's schema inference sorts the field names
    assert table.to_pylist() == [{"B": 2, "b": 1}]


def test_select_star_returns_both_columns(session):
    result = session.execute("select * from t as o;")
    assert result.table.column_names == ["B", "b"]
    assert result.table.to_pylist() == [{"B": 2, "b": 1}]
    # the result is a table like any other: it keeps both names in the next statement too
    again = session.execute("select * from o as o2;").table
    assert again.column_names == ["B", "b"] and again.to_pylist() == [{"B": 2, "b": 1}]


@pytest.mark.parametrize("reference", ["b", "B", "`b`", "t.B"])
def test_naming_either_column_is_ambiguous_as_in_spark(session, reference):
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute(f"select {reference} from t as o;")
    assert "is ambiguous, could be: t.B, t.b." in str(error.value)


def test_other_columns_and_tables_are_untouched(session):
    session.execute("""set other='''{"a":1,"c":"x"}''';
load jsonStr.`other` as u;""")
    assert session.execute("select a, c from u as v;").table.to_pylist() == [{"a": 1, "c": "x"}]
    assert session.execute("select count(*) as n from t as w;").table.to_pylist() == [{"n": 1}]
