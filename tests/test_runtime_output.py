"""runtime.output: result rows -> Arrow, by position (docs/spec.md §6.7, docs/design.md §4.6)."""
import datetime
import decimal

import pandas as pd
import pytest

from byzer_kernel.lang.errors import SchemaError
from byzer_kernel.lang.schema import parse_schema
from byzer_kernel.runtime.output import ColumnBuilder, dataframe_to_table, rows_to_table

TWO_STRINGS = parse_schema("st(field(x,string),field(y,string))")


def test_rows_map_onto_the_schema_by_position_not_by_name():
    table = rows_to_table([{"b": "1", "a": "2"}, {"b": "3", "a": "4"}], TWO_STRINGS)
    assert table.schema.names == ["x", "y"]
    assert table.to_pylist() == [{"x": "1", "y": "2"}, {"x": "3", "y": "4"}]


def test_key_order_of_the_first_row_of_each_chunk_decides():
    rows = [{"a": "a0", "b": "b0"}, {"b": "b1", "a": "a1"}, {"b": "b2", "a": "a2"}]
    table = rows_to_table(rows, TWO_STRINGS, block_size=2)
    # chunk 1 takes (a, b) from its first row; chunk 2 starts with a row ordered (b, a)
    assert table.to_pylist() == [{"x": "a0", "y": "b0"}, {"x": "a1", "y": "b1"},
                                 {"x": "b2", "y": "a2"}]


def test_missing_keys_become_null_and_extra_keys_are_dropped():
    rows = [{"a": "1", "b": "2", "c": "3"}, {"a": "4"}]
    assert rows_to_table(rows, TWO_STRINGS).to_pylist() == [{"x": "1", "y": "2"}, {"x": "4", "y": None}]


def test_too_few_values_for_the_schema():
    with pytest.raises(SchemaError, match="the rows have 1 value"):
        rows_to_table([{"a": "1"}], TWO_STRINGS)


def test_misfit_value_names_column_declared_type_and_python_type():
    with pytest.raises(SchemaError) as info:
        rows_to_table([{"a": "ok", "b": "ok"}, {"a": "fine", "b": 114}], TWO_STRINGS)
    message = info.value.message
    assert "column `y`" in message and "declared string" in message and "Python int" in message


def test_float_into_long_column_is_a_misfit_not_a_truncation():
    schema = parse_schema("st(field(n,long))")
    with pytest.raises(SchemaError) as info:
        rows_to_table([{"n": 1}, {"n": 1.5}], schema)
    assert "column `n`" in info.value.message and "bigint" in info.value.message
    assert "Python float" in info.value.message


def test_int_overflowing_an_integer_column():
    with pytest.raises(SchemaError, match="column `n`"):
        rows_to_table([{"n": 2 ** 40}], parse_schema("st(field(n,integer))"))


def test_every_kind_of_value():
    schema = parse_schema("st(field(i,long),field(f,double),field(s,string),field(b,boolean),"
                          "field(bin,binary),field(d,date),field(arr,array(long)),"
                          "field(m,map(string,long)),field(st,st(field(k,string))),field(dec,decimal))")
    row = {"i": 1, "f": 2, "s": "x", "b": True, "bin": b"\x00", "d": datetime.date(2024, 1, 2),
           "arr": [1, 2], "m": {"k": 3}, "st": {"k": "v"}, "dec": 1.25}
    table = rows_to_table([row], schema)
    out = table.to_pylist()[0]
    assert out["f"] == 2.0 and out["m"] == [("k", 3)] and out["st"] == {"k": "v"} and out["dec"] == 1.25


def test_ddl_decimal_takes_floats():
    table = rows_to_table([{"p": 10.25}], parse_schema("p decimal(10,2)"))
    assert table.column(0)[0].as_py() == decimal.Decimal("10.25")


def test_nan_from_pandas_is_null():
    assert rows_to_table([{"a": float("nan"), "b": "x"}], TWO_STRINGS).to_pylist() == [{"x": None, "y": "x"}]


def test_non_dict_row():
    with pytest.raises(SchemaError, match="must be a dict"):
        rows_to_table([("a", "b")], TWO_STRINGS)


def test_dataframe_by_position_with_pandas_strings():
    df = pd.DataFrame({"q": ["a", "b"], "p": ["c", None]})
    assert dataframe_to_table(df, TWO_STRINGS).to_pylist() == [{"x": "a", "y": "c"}, {"x": "b", "y": None}]
    with pytest.raises(SchemaError, match="column `n`"):
        dataframe_to_table(pd.DataFrame({"v": [1.5]}), parse_schema("st(field(n,long))"))


def test_columns_batches_like_set_output():
    builder = ColumnBuilder(TWO_STRINGS)
    builder.add_columns([pd.Series(["a"]), pd.Series(["b"])])
    builder.add_columns([["c"], ["d"]])
    assert builder.table().to_pylist() == [{"x": "a", "y": "b"}, {"x": "c", "y": "d"}]


def test_empty_rows_give_an_empty_table_of_the_schema():
    table = rows_to_table([], TWO_STRINGS)
    assert table.num_rows == 0 and table.schema == TWO_STRINGS
