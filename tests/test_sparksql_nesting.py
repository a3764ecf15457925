"""Translated Spark functions nested inside struct/array/map constructors, CAST and to_json/to_csv,
inline-table rows, and Spark's untyped NULL as a function argument: answers checked against
Spark 3.3.4 (pyspark, session time zone UTC)."""
import datetime

import pytest
import sqlglot

from byzer_kernel.engine import Session
from byzer_kernel.engine.sparksql import pipeline
from byzer_kernel.engine.sparksql.dialect import ByzerSpark
from byzer_kernel.engine.types import spark_type_name

NESTED = [
    ("SELECT CAST(named_struct('a', 1, 'b', array(0.0D, 1.0D)) AS STRING)", "string",
     "{1, [0.0, 1.0]}"),
    ("SELECT to_json(named_struct('time', to_timestamp('2015-08-26', 'yyyy-MM-dd')), "
     "map('timestampFormat', 'dd/MM/yyyy'))", "string", '{"time":"26/08/2015"}'),
    ("SELECT to_json(named_struct('time', to_timestamp('2015-08-26', 'yyyy-MM-dd')))", "string",
     '{"time":"2015-08-26T00:00:00.000Z"}'),
    ("SELECT to_json(array(named_struct('d', date_add('2020-01-01', 1), 'x', 1.5D)))", "string",
     '[{"d":"2020-01-02","x":1.5}]'),
    ("SELECT to_csv(named_struct('a', upper('x'), 'b', 2.5D, 'c', date_add('2020-01-01', 1)))",
     "string", "X,2.5,2020-01-02"),
    ("SELECT CAST(map('k', array(0.1D, 2.0D)) AS STRING)", "string", "{k -> [0.1, 2.0]}"),
    ("SELECT CAST(array(named_struct('a', to_timestamp('2020-01-01 10:00:00'))) AS STRING)",
     "string", "[{2020-01-01 10:00:00}]"),
    ("SELECT named_struct('t', to_date('2015-08-26'), 'u', upper('x'), 'l', array(length('ab'), 2L))",
     "struct<t:date,u:string,l:array<bigint>>",
     {"t": datetime.date(2015, 8, 26), "u": "X", "l": [2, 2]}),
    ("SELECT struct(to_date('2015-08-26'), array(0.5D, 1.5D))", "struct<col1:date,col2:array<double>>",
     {"col1": datetime.date(2015, 8, 26), "col2": [0.5, 1.5]}),
    ("SELECT map('k', named_struct('a', concat('x', 'y'), 'b', array(0.0D)))",
     "map<string,struct<a:string,b:array<double>>>", [("k", {"a": "xy", "b": [0.0]})]),
    # functions sqlglot parses into its own nodes, or typed by their first argument
    ("SELECT CAST(struct(upper('a'), lower('B'), length('ab'), trim(' x '), substring('abc', 2)) "
     "AS STRING)", "string", "{A, b, 2, x, bc}"),
    ("SELECT CAST(struct(current_date() > DATE'2000-01-01', rand() < 2, concat('a', 1)) AS STRING)",
     "string", "{true, true, a1}"),
    ("SELECT array(upper('a'), 1)", "array<string>", ["A", "1"]),
    ("SELECT upper('1') + 1", "double", 2.0),
    ("SELECT to_json(struct(x, y AS z)) FROM VALUES (1, 2) AS t(x, y)", "string", '{"x":1,"z":2}'),
]


@pytest.fixture(scope="module")
def session():
    return Session()


def _single(session, sql):
    table = session.sql(sql)
    assert table.num_columns == 1
    return spark_type_name(table.schema.field(0).type), table.column(0).to_pylist()


@pytest.mark.parametrize("sql, spark_type, value", NESTED, ids=[sql for sql, _, _ in NESTED])
def test_functions_nested_in_constructors_are_translated(session, sql, spark_type, value):
    assert _single(session, sql) == (spark_type, [value])


@pytest.mark.parametrize("sql", [sql for sql, _, _ in NESTED])
def test_typing_leaves_every_node_in_the_tree(sql):
    """Spark's implicit casts are typed on the parsed tree; a type built around a node of the tree
    (a struct's field around its value) must not take that node out of the tree, or the rewrite
    of the calls below it is lost."""
    tree = sqlglot.parse_one(sql, dialect=ByzerSpark)
    pipeline.name_projections(tree, sql, {})
    tree = pipeline.coerce(tree, {})
    for node in tree.walk():
        for child in node.iter_expressions():
            assert child.parent is node, f"{child.sql()} is held by {node.sql()} but not its child"


def test_a_row_in_extra_parentheses_is_the_row_itself(session):
    table = session.sql("SELECT * FROM VALUES (('a', 10)), ((('b', 50))) AS tab(x, y)")
    assert table.column_names == ["x", "y"]
    assert table.to_pylist() == [{"x": "a", "y": 10}, {"x": "b", "y": 50}]
    assert session.sql("SELECT max_by(x, y) AS m FROM VALUES (('a', 10)), (('b', 50)), (('c', 20)) "
                       "AS tab(x, y)").to_pylist() == [{"m": "b"}]


def test_a_list_inside_a_row_is_a_struct_of_col_fields(session):
    table = session.sql("SELECT * FROM VALUES (('a', 10), 1) AS tab(x, y)")
    assert spark_type_name(table.schema.field("x").type) == "struct<col1:string,col2:int>"
    assert table.to_pylist() == [{"x": {"col1": "a", "col2": 10}, "y": 1}]


UNTYPED_NULLS = [  # (expression, Spark's type, Spark's value)
    ("concat('a', NULL)", "string", None),
    ("concat(NULL)", "string", None),
    ("concat(1, NULL)", "string", None),
    ("substr(NULL, 1)", "string", None),
    ("left(NULL, 2)", "string", None),
    ("lpad(NULL, 2)", "string", None),
    ("overlay('abc' PLACING NULL FROM 1)", "string", None),
    ("repeat('a', NULL)", "string", None),
    ("space(NULL)", "string", None),
    ("substr('abc', NULL)", "string", None),
    ("substr('abc', 1, NULL)", "string", None),
    ("right('abc', NULL)", "string", None),
    ("overlay('abc' PLACING 'x' FROM NULL)", "string", None),
    ("split('a,b', NULL)", "array<string>", None),
    ("substr('abcdef', -3, 2)", "string", "de"),
]


@pytest.mark.parametrize("expression, spark_type, value", UNTYPED_NULLS,
                         ids=[e for e, _, _ in UNTYPED_NULLS])
def test_untyped_null_arguments_as_spark(session, expression, spark_type, value):
    assert _single(session, f"SELECT {expression}") == (spark_type, [value])


def test_a_column_of_nulls_is_void_and_cast_as_spark_casts_it(session):
    query = "SELECT {} FROM VALUES (NULL), (NULL) AS tab(col)"
    assert _single(session, query.format("col")) == ("void", [None, None])
    assert _single(session, query.format("concat(col, 'a')")) == ("string", [None, None])
    assert _single(session, query.format("abs(col)")) == ("double", [None, None])
    assert _single(session, query.format("try_sum(col)")) == ("double", [None])


def test_sums_of_strings_read_them_as_doubles(session):
    table = session.sql("SELECT sum(col) AS s, avg(col) AS a, try_sum(col) AS t "
                        "FROM VALUES ('1'), ('x'), (' 2 ') AS tab(col)")
    assert [spark_type_name(f.type) for f in table.schema] == ["double"] * 3
    assert table.to_pylist() == [{"s": 3.0, "a": 1.5, "t": 3.0}]
