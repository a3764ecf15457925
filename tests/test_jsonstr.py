"""jsonStr reading, rule by rule of docs/spec.md §3.1 (Spark 3.3 `spark.read.json(Dataset[String])`)."""
import math
from decimal import Decimal

import pyarrow as pa
import pytest

from byzer_kernel.engine.formats.json_exact import read_lines_exact
from byzer_kernel.engine.formats.json_fast import read_fast
from byzer_kernel.engine.formats.json_options import JsonReadOptions
from byzer_kernel.engine.formats.json_reader import read_json_text
from byzer_kernel.lang.errors import ByzerRuntimeError
from byzer_kernel.lang.java_values import java_double

from seed import SEED_JSON as SEED


def read(text, **options):
    """Read through the public function and check the exact path agrees with it."""
    table = read_json_text(text, options)
    exact = read_lines_exact(text.split("\n"), JsonReadOptions.parse(options))
    assert exact.schema == table.schema
    assert exact.to_pylist() == table.to_pylist() or _nan_equal(exact, table)
    return table


def _nan_equal(a, b):
    return str(a.to_pylist()) == str(b.to_pylist())


def fields(table):
    return [(f.name, str(f.type)) for f in table.schema]


def test_seed_document_example_seven_rows():
    table = read(SEED)
    assert fields(table) == [("Busn_A", "int64"), ("Busn_B", "int64")]
    assert table.num_rows == 7
    assert table.to_pylist()[0] == {"Busn_A": 114, "Busn_B": 57}
    assert table.column("Busn_A").to_pylist() == [114, 55, 27, 101, 125, 27, 105]
    assert table.column("Busn_B").to_pylist() == [57, 134, 137, 129, 145, 60, 49]


def test_seed_shape_takes_the_fast_path():
    assert read_fast(SEED) is not None


def test_blank_lines_skipped_and_indentation_fine():
    table = read('\n   {"a":1}\n\n\t  \n      {"a":2}  \n')
    assert table.to_pylist() == [{"a": 1}, {"a": 2}]


def test_trailing_comma_and_blanks_after_it():
    assert read('{"a":1},\n{"a":2} , \r\n').to_pylist() == [{"a": 1}, {"a": 2}]


def test_only_first_value_of_a_line_is_read():
    table = read('{"a":1},{"a":2,"b":3}\n')
    assert fields(table) == [("a", "int64")]  # the ignored object adds nothing to the schema
    assert table.to_pylist() == [{"a": 1}]
    assert read('{"a":1}  {"a":2}\n').to_pylist() == [{"a": 1}]
    assert read('{"a":1}{"b":2}').to_pylist() == [{"a": 1}]


def test_carriage_return_inside_a_line_does_not_split_it():
    assert read('{"a":1}\r{"a":2}\n').to_pylist() == [{"a": 1}]


def test_root_array_gives_its_elements_as_rows():
    table = read('[{"a":1},{"a":2,"b":"x"}]\n{"a":3}')
    assert fields(table) == [("a", "int64"), ("b", "string")]
    assert table.to_pylist() == [{"a": 1, "b": None}, {"a": 2, "b": "x"}, {"a": 3, "b": None}]
    assert read("[]\n").num_rows == 0


def test_single_quoted_json_is_accepted():
    table = read("{'a': 1, 'b': 'it', \"c\": 'say \"hi\"'}\n{'a': 2, 'b': 'x\\'y'}")
    assert table.column("a").to_pylist() == [1, 2]
    assert table.column("c").to_pylist() == ['say "hi"', None]
    assert table.column("b").to_pylist()[1] == "x'y"


def test_malformed_lines_become_corrupt_records():
    table = read('{"a":1}\n{"a":\n// a comment\n{"a":2}')
    assert fields(table) == [("_corrupt_record", "string"), ("a", "int64")]
    assert table.to_pylist() == [
        {"_corrupt_record": None, "a": 1},
        {"_corrupt_record": '{"a":', "a": None},
        {"_corrupt_record": "// a comment", "a": None},
        {"_corrupt_record": None, "a": 2},
    ]


def test_pretty_printed_objects_do_not_work():
    table = read('{\n  "a": 1\n}')
    assert fields(table) == [("_corrupt_record", "string")]
    assert table.column("_corrupt_record").to_pylist() == ["{", '  "a": 1', "}"]


def test_root_scalar_is_corrupt_and_keeps_raw_line():
    table = read('  42\n{"a":1}')
    assert table.to_pylist() == [{"_corrupt_record": "  42", "a": None}, {"_corrupt_record": None, "a": 1}]


def test_all_whitespace_value_gives_empty_schema_and_no_rows():
    for text in ("", "   ", "\n\n  \t\n"):
        table = read_json_text(text, {})
        assert table.num_columns == 0 and table.num_rows == 0


def test_integer_long_and_decimal_inference():
    table = read('{"a":1,"b":9223372036854775807,"c":12345678901234567890123}')
    assert fields(table) == [("a", "int64"), ("b", "int64"), ("c", "decimal128(23, 0)")]
    assert table.to_pylist() == [{"a": 1, "b": 9223372036854775807, "c": Decimal("12345678901234567890123")}]
    merged = read('{"c":1}\n{"c":99999999999999999999}')
    assert fields(merged) == [("c", "decimal128(20, 0)")]


def test_float_is_double_and_long_widens_to_double():
    table = read('{"x":1}\n{"x":2.5}\n{"x":1e3}')
    assert fields(table) == [("x", "double")]
    assert table.column("x").to_pylist() == [1.0, 2.5, 1000.0]


def test_strings_dates_and_booleans():
    table = read('{"d":"2024-05-29","t":"2024-05-29T10:00:00","b":true,"s":"x"}\n{"d":"2020-01-01","b":false}')
    assert fields(table) == [("b", "bool"), ("d", "string"), ("s", "string"), ("t", "string")]
    assert table.column("d").to_pylist() == ["2024-05-29", "2020-01-01"]
    assert table.column("t").to_pylist() == ["2024-05-29T10:00:00", None]


def test_null_only_and_empty_string_columns_are_strings():
    table = read('{"n":null,"e":""}\n{"n":null,"e":""}')
    assert fields(table) == [("e", "string"), ("n", "string")]
    assert table.to_pylist() == [{"e": "", "n": None}] * 2


def test_empty_string_in_a_number_column_is_null_for_that_field_only():
    table = read('{"a":1,"b":"x"}\n{"a":"","b":"y"}')
    assert fields(table) == [("a", "int64"), ("b", "string")]
    assert table.to_pylist() == [{"a": 1, "b": "x"}, {"a": None, "b": "y"}]


def test_objects_become_sorted_structs_and_arrays_merge_elements():
    table = read('{"s":{"z":1,"a":"x"},"l":[1,2.5],"e":[]}\n{"s":{"m":true},"e":[{"k":1}]}')
    assert fields(table) == [
        ("e", "list<item: struct<k: int64>>"),
        ("l", "list<item: double>"),
        ("s", "struct<a: string, m: bool, z: int64>"),
    ]
    assert table.to_pylist() == [
        {"e": [], "l": [1.0, 2.5], "s": {"a": "x", "m": None, "z": 1}},
        {"e": [{"k": 1}], "l": None, "s": {"a": None, "m": True, "z": None}},
    ]


def test_empty_objects_and_empty_names_disappear():
    table = read('{"keep":1,"gone":{},"":2,"empty_list":[]}')
    assert fields(table) == [("empty_list", "list<item: string>"), ("keep", "int64")]


def test_incompatible_types_become_json_text():
    table = read('{"a":1}\n{"a":"x"}\n{"a":true}\n{"a":{"z":1,"y":[1,"q"]}}\n{"a":1.0e10}\n{"a":0.5}\n{"a":null}')
    assert fields(table) == [("a", "string")]
    assert table.column("a").to_pylist() == ["1", "x", "true", '{"z":1,"y":[1,"q"]}', "1.0E10", "0.5", None]


def test_array_of_mixed_elements_renders_each_as_text():
    table = read('{"a":[1,"x",{"k":"v\\n"},false]}')
    assert fields(table) == [("a", "list<item: string>")]
    assert table.column("a").to_pylist() == [["1", "x", '{"k":"v\\n"}', "false"]]


def test_missing_keys_are_null():
    assert read('{"a":1}\n{"b":2}').to_pylist() == [{"a": 1, "b": None}, {"a": None, "b": 2}]


def test_columns_sorted_by_java_string_compare():
    table = read('{"b":1,"A":2,"_x":3,"a1":4,"a_b":5}')
    assert table.column_names == ["A", "_x", "a1", "a_b", "b"]
    nested = read('{"s":{"b":1,"A":2,"_x":3}}')
    assert [f.name for f in nested.schema.field("s").type] == ["A", "_x", "b"]


def test_utf16_order_puts_supplementary_characters_before_high_bmp():
    table = read('{"\uff21":1,"\U0001F600":2}')
    assert table.column_names == ["\U0001F600", "\uff21"]  # surrogates (0xD83D) sort before 0xFF21


def test_names_equal_but_for_case_keep_the_first_like_spark():
    table = read('{"a":1}\n{"A":2}')
    assert fields(table) == [("a", "int64")]
    assert table.column("a").to_pylist() == [1, None]


def test_nan_and_infinity_are_doubles():
    table = read_json_text('{"x":NaN}\n{"x":-Infinity}\n{"x":1}', {})
    assert fields(table) == [("x", "double")]
    values = table.column("x").to_pylist()
    assert math.isnan(values[0]) and values[1] == -math.inf and values[2] == 1.0


def test_options_dropmalformed_and_failfast():
    text = '{"a":1}\n{bad\n{"a":2}'
    assert read_json_text(text, {"mode": "DROPMALFORMED"}).to_pylist() == [{"a": 1}, {"a": 2}]
    with pytest.raises(ByzerRuntimeError, match="FAILFAST"):
        read_json_text(text, {"mode": "FAILFAST"})
    renamed = read_json_text(text, {"columnNameOfCorruptRecord": "broken"})
    assert renamed.column_names == ["a", "broken"]


def test_option_primitives_as_string_and_single_quotes_off():
    table = read_json_text('{"a":1,"b":true,"c":1.50}', {"primitivesAsString": "true"})
    assert table.to_pylist() == [{"a": "1", "b": "true", "c": "1.5"}]
    table = read_json_text("{'a':1}", {"allowSingleQuotes": "false"})
    assert table.column_names == ["_corrupt_record"]


def test_fast_path_declines_what_it_cannot_vouch_for():
    assert read_fast('{"a":1}\n{"a":"x"}') is None  # pyarrow refuses the conflict
    assert read_fast('{"a":99999999999999999999}') is None  # pyarrow would make it a double
    assert read_fast('{"a":1} {"a":2}') is None  # pyarrow would read two rows
    assert read_fast('{"a":\n1}') is None
    assert read_fast('{"a":1}\n{"A":1}') is None
    table = read_fast('{"d":"2024-01-01","n":{"t":"2024-01-01 10:00:00"}}')
    assert table.to_pylist() == [{"d": "2024-01-01", "n": {"t": "2024-01-01 10:00:00"}}]


def test_large_input_agrees_between_fast_and_exact_paths():
    lines = [f'  {{"k{i % 7}":{i},"s":"v{i}","f":{i / 4},"n":{{"y":{i},"x":[{i}]}}}},' for i in range(3000)]
    text = "\n".join(lines)
    fast = read_fast(text)
    assert fast is not None
    exact = read_lines_exact(text.split("\n"), JsonReadOptions.parse({}))
    assert fast.schema == exact.schema and fast.to_pylist() == exact.to_pylist()
    assert fast.column_names == ["f", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "n", "s"]


@pytest.mark.parametrize("value,text", [
    (1.0, "1.0"), (0.5, "0.5"), (100.0, "100.0"), (1e7, "1.0E7"), (1.5e-5, "1.5E-5"),
    (0.001, "0.001"), (123456.789, "123456.789"), (-2.5e20, "-2.5E20"), (-0.0, "-0.0"),
])
def test_java_double_to_string(value, text):
    assert java_double(value) == text


def test_table_is_arrow():
    assert isinstance(read(SEED), pa.Table)


def test_big_input_is_checked_in_two_halves():
    lines = [f'  {{"a":{i}}},' for i in range(400_000)]  # about 5 MB: the check splits it in two
    table = read_fast("\n".join(lines))
    assert table.num_rows == 400_000 and table.column("a").to_pylist()[-1] == 399_999
    lines[-3] = '{"a":1} {"a":2}'  # a second value on a line in the second half
    assert read_fast("\n".join(lines)) is None
    assert read_json_text("\n".join(lines), {}).num_rows == 400_000
