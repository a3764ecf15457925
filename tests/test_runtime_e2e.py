"""`run command as Ray` through Session.execute: the seed example and Byzer's documented cases."""
import pytest

from byzer_kernel.lang.errors import ByzerError, PythonCodeError, SchemaError
from seed import SEED, SEED_RESULT

pytestmark = pytest.mark.ray


def test_seed_example_runs_verbatim(ray_session):
    result = ray_session.execute(SEED)
    assert result.table_name == "python_output_table"
    assert result.table.to_pylist() == SEED_RESULT
    assert ray_session.table("python_output_table").to_pylist() == SEED_RESULT
    assert any("pythonExec" in m and "does not exist" in m for m in result.messages)
    # and a select over the output works as any table
    rows = ray_session.execute("select ProductName from python_output_table where SubProduct like '1%' "
                               "as picked;").table.column(0).to_pylist()
    assert rows == ["55_jackm", "27_jackm", "101_jackm", "125_jackm"]


def test_seed_again_in_the_same_session_is_identical(ray_session):
    first = ray_session.execute(SEED).table
    assert ray_session.execute(SEED).table.equals(first)


def test_documented_hello_world_from_command(ray_session):
    result = ray_session.execute('''
!python conf "schema=st(field(hello,string))";
run command as Ray.`` where inputTable="command" and outputTable="out"
and code=\'\'\'context.build_result([{"hello": "world"}])\'\'\' as hello_table;''')
    assert result.table_name == "hello_table"
    assert result.table.to_pylist() == [{"hello": "world"}]
    assert ray_session.table("out").to_pylist() == [{"hello": "world"}]


def test_documented_add_one_in_model_mode(ray_session):
    result = ray_session.execute("""
select 1 as a as mockTable;
!python conf "schema=st(field(a,long))";
!python conf "dataMode=model";
run command as Ray.`` where inputTable="mockTable" and outputTable="mockTable_2" and code='''
def add_one(rows):
    for row in rows:
        row["a"] = row["a"] + 1
        yield row
context.build_result(add_one(context.rayContext.collect()))
''';""")
    assert result.table.to_pylist() == [{"a": 2}]


def test_ray_on_macro(ray_session):
    ray_session.execute(SEED)
    result = ray_session.execute("""
!python conf "schema=st(field(n,long))";
!python conf "dataMode=model";
!ray on data '''
context.build_result([{"n": len(list(context.rayContext.collect()))}])
''' named counted;""")
    assert result.table_name == "counted"
    assert ray_session.table("counted").to_pylist() == [{"n": 7}]


def test_variables_render_inside_the_code(ray_session):
    result = ray_session.execute("""
set greeting="hi";
!python conf "schema=st(field(g,string))";
!python conf "dataMode=model";
run command as Ray.`` where inputTable="command" and outputTable="o" and code='''
context.build_result([{"g": "${greeting}"}])
''';""")
    assert result.table.to_pylist() == [{"g": "hi"}]


def test_missing_schema_names_the_statement(ray_session):
    with pytest.raises(SchemaError) as info:
        ray_session.execute('run command as Ray.`` where inputTable="command" and outputTable="o" '
                            "and code='''x = 1''';")
    text = str(info.value)
    assert "Using `!python conf` to specify the python return value format is required" in text
    assert "line 1:1" in text


def test_failures_leave_the_session_usable(ray_session):
    ray_session.execute(SEED)
    with pytest.raises(PythonCodeError) as info:
        ray_session.execute("""
!python conf "dataMode=data";
run command as Ray.`` where inputTable="data" and outputTable="bad" and code='''
from pyjava.api.mlsql import RayContext
rc = RayContext.connect(globals(), None)
def boom(row):
    return {"a": str(1 / (row["Busn_A"] - 27)), "b": "x"}
rc.foreach(boom)
''';""")
    text = str(info.value)
    assert "ZeroDivisionError" in text and 'line 5, in boom' in text
    assert 'return {"a": str(1 / (row["Busn_A"] - 27)), "b": "x"}' in text
    assert "line 3:1" in text  # the run statement's place in the cell
    with pytest.raises(ByzerError):
        ray_session.execute('!python conf "schema=st(field(a,nope))";\n'
                            "run command as Ray.`` where inputTable=\"data\" and outputTable=\"o\" "
                            "and code='''x = 1''';")
    assert ray_session.table("python_output_table").to_pylist() == SEED_RESULT
    assert ray_session.table("data").num_rows == 7
    assert ray_session.execute(SEED).table.to_pylist() == SEED_RESULT
