"""Byzer's own SQL functions (sparksql/functions_byzer.py) and Spark's hash functions through
Session.sql: values and Spark types."""
from __future__ import annotations

import re

import pytest

from byzer_kernel.engine import Session
from byzer_kernel.engine.types import spark_type_name


@pytest.fixture(scope="module")
def session():
    return Session()


def one_row(session, sql):
    table = session.sql(sql)
    types = {field.name: spark_type_name(field.type) for field in table.schema}
    return table.to_pylist()[0], types


def test_uuid_is_32_hex_digits_and_differs_per_call(session):
    row, types = one_row(session, "select uuid() as a, uuid() as b")
    assert types == {"a": "string", "b": "string"}
    assert re.fullmatch(r"[0-9a-f]{32}", row["a"]) and row["a"] != row["b"]


def test_vectors_are_arrays_of_doubles(session):
    row, types = one_row(session, "select vec_dense(array(1, 2.5)) as v, vec_array(array(1.0D, 2.0D)) as w")
    assert row == {"v": [1.0, 2.5], "w": [1.0, 2.0]}
    assert types == {"v": "array<double>", "w": "array<double>"}


def test_string_arrays_to_numbers(session):
    row, types = one_row(session, "select array_string_to_double(array('1.5', 'x', ' 2 ')) as d, "
                                  "array_string_to_float(array('1.5')) as f, "
                                  "array_string_to_int(array('7', '1.5', '-3')) as i")
    assert row == {"d": [1.5, None, 2.0], "f": [1.5], "i": [7, None, -3]}
    assert types == {"d": "array<double>", "f": "array<float>", "i": "array<int>"}


def test_number_arrays_to_strings(session):
    row, types = one_row(session, "select array_number_to_string(array(1, 2)) as s, "
                                  "array_int_to_string(array(3)) as t")
    assert row == {"s": ["1", "2"], "t": ["3"]}
    assert types == {"s": "array<string>", "t": "array<string>"}


def test_array_slice_is_scala_slice(session):
    row, types = one_row(session, "select array_slice(array('a','b','c','d'), 1, 3) as a, "
                                  "array_slice(array('a','b','c'), 1, -1) as b, "
                                  "array_slice(array('a','b'), 5, 9) as c, "
                                  "array_slice(array('a','b'), -2, 1) as d")
    assert row == {"a": ["b", "c"], "b": ["b", "c"], "c": [], "d": ["a"]}
    assert set(types.values()) == {"array<string>"}


def test_array_helpers(session):
    row, types = one_row(session, "select array_index(array('a','b'), 'b') as i, array_index(array('a'), 'z') as j, "
                                  "array_concat(array(array('a'), array('b','c'))) as c, "
                                  "mkString(',', array('a','b')) as m, "
                                  "padding_int_array(array(1,2,3), 2, 0) as cut, padding_int_array(array(1), 3, 9) as pad")
    assert row == {"i": 1, "j": -1, "c": ["a", "b", "c"], "m": "a,b", "cut": [1, 2], "pad": [1, 9, 9]}
    assert types["i"] == "int" and types["cut"] == "array<int>"


def test_vector_math(session):
    row, types = one_row(session, "select vec_argmax(array(1.0, 3.0, 2.0)) as a, vec_norm(array(3.0, 4.0), 2.0) as n, "
                                  "vec_sqdist(array(1.0, 2.0), array(2.0, 4.0)) as d, "
                                  "vec_mean(array(1.0, 2.0)) as m, vec_stddev(array(1.0, 2.0, 3.0)) as s")
    assert row == {"a": 1, "n": 5.0, "d": 5.0, "m": 1.5, "s": 1.0}
    assert types["a"] == "int" and types["n"] == "double"


def test_spark_hashes_of_columns(session):
    """Values recorded from Spark 3.3.4."""
    table = session.sql("select hash(x) as h, xxhash64(x) as x64 from values "
                        "('a'), ('hello world, this is long') as t(x)")
    assert [spark_type_name(f.type) for f in table.schema] == ["int", "bigint"]
    assert table.column("x64").to_pylist()[0] is not None


def test_spark_hash_values(session):
    row, types = one_row(session, "select hash('Spark', array(123), 2) as h, "
                                  "xxhash64('Spark', array(123), 2) as x, xxhash64(1, 'a', null, 2L) as y, "
                                  "sha2('Spark', 384) as s, crc32('Spark') as c")
    assert row["h"] == -1321691492 and row["x"] == 5602566077635097486
    assert row["y"] == 3570513804248678426 and row["c"] == 1557323817
    assert row["s"].startswith("1e40b8d06c248a1c")
    assert types == {"h": "int", "x": "bigint", "y": "bigint", "s": "string", "c": "bigint"}
