"""Bad input (issue 2): one clear message naming the statement and its line:col; statements before
it keep their effects; nothing already in the catalog is lost."""
import pytest

from byzer_kernel.lang.errors import ByzerError

BEFORE = 'select 1 as a as kept;\nset v="1" where scope="session";\n'


@pytest.mark.parametrize("bad, line, col, words", [
    ("load jsonStr.`j` where a=b as t;", 3, 26, ["SyntaxError"]),
    ("set j='''never closed;", 3, 7, ["SyntaxError", "'''"]),
    ("  load avro.`x` as t;", 3, 3, ["unknown format `avro`"]),
    ("load parquet.`no/such/file.parquet` as t;", 3, 1, ["does not exist"]),
    ("load jsonStr.`undefinedVar` as t;", 3, 1, ["variable `undefinedVar` is not defined"]),
    ("select * from nowhere as t;", 3, 1, ["table `nowhere` does not exist"]),
    ("!assert kept ''':a > 1''' \"a must exceed one\";", 3, 1, ["a must exceed one"]),
    ("select a +* from kept as t;", 3, 1, ["select a +* from kept as t"]),
])
def test_bad_input_names_its_statement_and_keeps_earlier_effects(session, bad, line, col, words):
    session.execute('select 2 as b as earlier;')
    with pytest.raises(ByzerError) as info:
        session.execute(BEFORE + bad)
    error = info.value
    headline = str(error).splitlines()[0]
    assert (error.span.line, error.span.col) == (line, col)
    assert f"line {line}:{col}" in headline
    for word in words:
        assert word in str(error)
    if error.kind != "SyntaxError":  # a syntax error runs nothing; a run-time one keeps what ran
        assert "kept" in session.catalog and session.variables.get("v") == "1"
    assert session.execute("select b from earlier as again;").table.to_pylist() == [{"b": 2}]


def test_malformed_json_lines_are_rows_not_errors(session):
    result = session.execute("set j='''{\"a\":1}\n{oops''';\nload jsonStr.`j` as t;")
    assert result.table.column_names == ["_corrupt_record", "a"]
    assert result.table.to_pylist() == [{"_corrupt_record": None, "a": 1}, {"_corrupt_record": "{oops", "a": None}]
