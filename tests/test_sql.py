"""Spark SQL semantics on DuckDB over the Arrow catalog (docs/spec.md §4.1, docs/design.md §4.2)."""
from decimal import Decimal

import pyarrow as pa
import pytest

from byzer_kernel.engine.catalog import Catalog
from byzer_kernel.engine.select_statement import split_select
from byzer_kernel.engine.sql import SqlEngine
from byzer_kernel.engine.types import spark_type_name
from byzer_kernel.lang.errors import ByzerRuntimeError


@pytest.fixture
def engine():
    catalog = Catalog()
    catalog.register("Data", pa.table({"Busn_A": [114, 55, 27], "Busn_B": [57, 134, 137], "g": ["x", "y", "x"]}))
    return SqlEngine(catalog)


def test_double_quoted_text_is_a_string_literal(engine):
    table = engine.query('select "hello world" as title')
    assert table.to_pylist() == [{"title": "hello world"}]
    assert spark_type_name(table.schema.field("title").type) == "string"


def test_literal_types_are_sparks(engine):
    table = engine.query("select 1 as a, 1.5 as b, 2L as c, 1.5D as d")
    assert [spark_type_name(f.type) for f in table.schema] == ["int", "decimal(2,1)", "bigint", "double"]


def test_table_names_are_case_insensitive(engine):
    assert engine.query("select count(*) as n from DATA").to_pylist() == [{"n": 3}]
    assert engine.query("select count(*) as n from data").to_pylist() == [{"n": 3}]


def test_array_index_is_zero_based_and_split_is_regex(engine):
    table = engine.query('select split("a.b.c", "[.]")[0] as first, array(10, 20, 30)[2] as third')
    assert table.to_pylist() == [{"first": "a", "third": 30}]


def test_sum_of_integers_is_bigint_as_in_spark(engine):
    table = engine.query("select g, sum(Busn_A) as total from data group by g order by g")
    assert table.to_pylist() == [{"g": "x", "total": 141}, {"g": "y", "total": 55}]
    assert spark_type_name(table.schema.field("total").type) == "bigint"


def test_decimal_casts_keep_sparks_decimal_types(engine):
    # Checked against Spark 3.3.4: cast to decimal(38,0) stays a decimal (DuckDB's HUGEINT sums,
    # which look the same in Arrow, are the only decimal(38,0) turned into bigint); a bare
    # `decimal` is decimal(10,0), rounding half up.
    table = engine.query("select cast(Busn_A as decimal(38,0)) as a, cast(1.5 as decimal) as c, "
                         "cast(Busn_A as decimal(5)) as d from data where Busn_A = 114")
    assert [spark_type_name(f.type) for f in table.schema] == ["decimal(38,0)", "decimal(10,0)", "decimal(5,0)"]
    assert table.to_pylist() == [{"a": Decimal(114), "c": Decimal(2), "d": Decimal(114)}]
    sums = engine.query("select sum(cast(Busn_A as decimal(38,0))) as e, sum(Busn_A) as b from data")
    assert [spark_type_name(f.type) for f in sums.schema] == ["decimal(38,0)", "bigint"]
    assert sums.to_pylist() == [{"e": Decimal(196), "b": 196}]


def test_structs_and_arrays_come_back_as_arrow_nested_types(engine):
    table = engine.query('select named_struct("a", 1, "b", "x") as s, array(1, 2) as l')
    assert table.to_pylist() == [{"s": {"a": 1, "b": "x"}, "l": [1, 2]}]
    assert spark_type_name(table.schema.field("s").type) == "struct<a:int,b:string>"
    assert spark_type_name(table.schema.field("l").type) == "array<int>"


def test_catalog_replacement_is_seen_by_the_next_query(engine):
    engine.query("select * from data")
    engine.catalog.register("data", pa.table({"x": [1]}))
    assert engine.query("select * from data").to_pylist() == [{"x": 1}]


def test_missing_table_names_it_and_lists_known_ones(engine):
    with pytest.raises(ByzerRuntimeError, match=r"table `nope` does not exist \(known tables: Data\)"):
        engine.query("select * from nope")


def test_sql_errors_carry_duckdbs_message(engine):
    with pytest.raises(ByzerRuntimeError, match="no_such_column"):
        engine.query("select no_such_column from data")


def test_ctes_are_not_mistaken_for_catalog_tables(engine):
    table = engine.query("with big as (select * from data where Busn_A > 50) select count(*) as n from big")
    assert table.to_pylist() == [{"n": 2}]


@pytest.mark.parametrize("text, sql, name", [
    ("select 1 as a", "select 1", "a"),
    ("select 1 as a as t", "select 1 as a", "t"),
    ("select 1 as a AS `jack`", "select 1 as a", "jack"),
    ("select 1 as a\n  as\n  out\n", "select 1 as a", "out"),
])
def test_trailing_as_name_rule(text, sql, name):
    assert split_select(text) == (sql, name)


def test_unix_timestamp_is_a_bigint_of_now_or_of_the_given_time(engine):
    import time

    table = engine.query('select unix_timestamp() as now, unix_timestamp("1970-01-02 00:00:00") as day')
    row = table.to_pylist()[0]
    assert abs(row["now"] - time.time()) < 5 and row["day"] == 86400
    assert spark_type_name(table.schema.field("now").type) == "bigint"


def test_a_syntax_error_names_tokens_by_their_text(engine):
    with pytest.raises(ByzerRuntimeError) as caught:
        engine.query("select from as res")
    message = str(caught.value)
    assert "<Token" not in message and "SQL syntax error at line 1:" in message
