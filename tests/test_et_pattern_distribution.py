"""PatternDistribution (byzer-extension SQLPatternDistribution): the documented example
(ml/eda/PatternDistribution.md, also the ET's codeExample) run verbatim, and the rows that
byzer-extension's SQLPatternSummaryTest asserts."""
import json

import pyarrow as pa
import pytest

from byzer_kernel.engine.ets.pattern_distribution import PatternDistribution, alternative_pattern
from byzer_kernel.lang.errors import ByzerError


def items(cell):
    outer = json.loads(cell)
    return outer, json.loads(outer["colPatternDistribution"])


def test_documented_example_verbatim(session):
    table = session.execute(PatternDistribution.code_example).table
    assert table.column_names == ["columnName", "patternDistribution"]
    assert table.column("columnName").to_pylist() == ["name"]  # only string columns
    assert table.column("patternDistribution").to_pylist() == [
        '{"colPatternDistribution":"[{\\"count\\":4,\\"ratio\\":0.6666666666666666,\\"pattern\\":\\"aaaaa\\",'
        '\\"alternativePattern\\":\\"a(5)\\"},{\\"count\\":1,\\"ratio\\":0.16666666666666666,'
        '\\"pattern\\":\\"aaa\\",\\"alternativePattern\\":\\"a(3)\\"},{\\"count\\":1,'
        '\\"ratio\\":0.16666666666666666,\\"pattern\\":\\"aaaa\\",\\"alternativePattern\\":\\"a(4)\\"}]",'
        '"totalCount":"3","limit":"100"}']


def test_byzer_unit_test_embarked_exact(session):
    session.catalog.register("df2", pa.table({
        "passangerId": [1, 2, 3, 4, 5, 7, 8, 9, 6],
        "name": ["aa", "bb", "cc", "dd", "ee", "ff", "dd", "hh", "ff"],
        "cabin": [None, None, None, "s", "hyt", "eqwewq", None, "4eweq", None],
        "embarked": ["kkk", None, "cc", None, "gg", "", "bdbds", "", "bvd"]}))
    table = session.execute("run df2 as PatternDistribution.`` as pd;").table
    assert table.to_pylist()[2] == {"columnName": "embarked", "patternDistribution": (
        '{"colPatternDistribution":"[{\\"count\\":2,\\"ratio\\":0.4,\\"pattern\\":\\"aa\\",\\"alternativePattern\\":\\"a(2)\\"},'
        '{\\"count\\":2,\\"ratio\\":0.4,\\"pattern\\":\\"aaa\\",\\"alternativePattern\\":\\"a(3)\\"},'
        '{\\"count\\":1,\\"ratio\\":0.2,\\"pattern\\":\\"aaaaa\\",\\"alternativePattern\\":\\"a(5)\\"}]",'
        '"totalCount":"3","limit":"100"}')}


def test_patterns_of_letters_digits_chinese_and_symbols(session):
    session.catalog.register("t", pa.table({"name": [
        "elenA我的", "我哎abe", "AA", "cc", "", None, "Abc.中文字符#123.01/abc中文", "AAAAAA,A,AA"]}))
    outer, got = items(session.execute("run t as PatternDistribution.`` as pd;").table
                       .column("patternDistribution")[0].as_py())
    assert outer["totalCount"] == "6" and outer["limit"] == "100"
    # SQLPatternSummaryTest's pairs (its ties come in Spark's hash order: compared as a set)
    assert {(i["pattern"], i["alternativePattern"]) for i in got} == {
        ("AA", "A(2)"), ("aaaaAAA", "a(4)A(3)"), ("AAaaa", "A(2)a(3)"), ("aa", "a(2)"),
        ("AAAAAA,A,AA", "A(6),A,A(2)"), ("Aaa.AAAA#999.99/aaaAA", "Aa(2).A(4)#9(3).9(2)/a(3)A(2)")}
    assert all(i["count"] == 1 and i["ratio"] == 1 / 6 for i in got)


def test_limit_pattern_limit_and_empty_values(session):
    session.catalog.register("t", pa.table({"s": ["ab12", "cd34", "X", " ", None, "abcdef"],
                                            "blank": ["", " ", None, None, None, None]}))
    rows = session.execute("run t as PatternDistribution.`` where limit='1' and patternLimit='2' as pd;").table.to_pylist()
    outer, got = items(rows[0]["patternDistribution"])
    assert outer == {"colPatternDistribution": outer["colPatternDistribution"], "totalCount": "2", "limit": "1"}
    assert got == [{"count": 3, "ratio": 0.75, "pattern": "aa", "alternativePattern": "a(2)"}]
    assert rows[1] == {"columnName": "blank", "patternDistribution": "{}"}
    rows = session.execute("run t as PatternDistribution.`` where excludeEmptyVal='false' as pd2;").table.to_pylist()
    _, got = items(rows[1]["patternDistribution"])
    assert {i["pattern"]: i["count"] for i in got} == {"": 1, " ": 1, None: 4}


def test_alternative_pattern_runs():
    assert alternative_pattern("999.99") == "9(3).9(2)"
    assert alternative_pattern("a,,A") == "a,,A"


def test_bad_limit_is_named(session):
    session.execute(PatternDistribution.code_example)
    with pytest.raises(ByzerError, match="limit"):
        session.execute("run table2 as PatternDistribution.`` where limit='none' as pd2;")
