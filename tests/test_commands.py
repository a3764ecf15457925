"""`!python conf|env`, `!assert`, `!show tables`, `!desc` and statements the local engine does not run."""
import json

import pyarrow as pa
import pytest

from byzer_kernel.engine.commands import decode_env_value
from byzer_kernel.lang.errors import ByzerError


def test_python_conf_is_kept_for_the_session_and_lists_the_conf(session):
    session.execute('!python conf "schema=st(field(a,long))";')
    result = session.execute("!python conf 'dataMode=data';")
    assert session.python_conf == {"schema": "st(field(a,long))", "dataMode": "data"}
    assert result.table.column_names == ["k", "v", "config"]
    assert result.table.column("k").to_pylist() == ["schema", "dataMode"]
    assert json.loads(result.table.column("config")[0].as_py()) == {"__mlsql_cl__": "python_runner_conf_cl"}


def test_python_env_goes_to_its_own_list(session):
    result = session.execute("!python env '''PYTHON_ENV=:''';")
    assert session.python_env == {"PYTHON_ENV": ":"}
    assert session.python_conf == {}
    assert result.table.to_pylist()[0]["v"] == ":"


def test_python_conf_value_keeps_spaces_and_later_equal_signs(session):
    session.execute('!python conf "opts= a=b c";')
    assert session.python_conf["opts"] == " a=b c"


def test_python_conf_args_are_rendered_and_colon_names_substituted(session):
    session.execute('set dir="/data"; set port="12345"; !python conf "root=${dir}/x"; !python conf "rayAddress=127.0.0.1:port";')
    assert session.python_conf["root"] == "/data/x"
    # ":port" names a variable of the same request, so it is replaced (ScriptEnvDecode)
    assert session.python_conf["rayAddress"] == "127.0.0.112345"


def test_decode_leaves_colons_alone_without_a_matching_variable():
    assert decode_env_value("rayAddress=127.0.0.1:10001", {}) == "rayAddress=127.0.0.1:10001"
    assert decode_env_value("a=x:b y", {"b": "B"}) == "a=xB y"


def test_python_conf_without_equal_sign_is_an_error(session):
    with pytest.raises(ByzerError, match=r'line 1:1 .*expects "key=value"'):
        session.execute('!python conf "schema";')


def test_unknown_command_and_case_sensitive_names(session):
    with pytest.raises(ByzerError, match=r"line 2:1 .*not supported by the local engine: !Python"):
        session.execute('select 1 as a as t;\n!Python conf "a=b";')
    assert "t" in session.catalog  # the statement before the failing one kept its effect


def test_unsupported_statements_fail_at_run_time_with_their_line(session):
    for text in ["insert into t select 1", "create table x (a int)", "drop table x", "refresh table x",
                 "connect jdbc where url=\"x\" as db", "register ScriptUDF.`` as f",
                 "train data as RandomForest.`/tmp/m` where a=\"b\"", "include lib.`x`"]:
        with pytest.raises(ByzerError, match="not supported by the local engine"):
            session.execute("select 1 as a as t;\n" + text + ";")


def test_assert_passes_and_keeps_the_table_as_result(session):
    session.execute("select 1 as a union all select 2 as a as t;")
    result = session.execute("!assert t ''':a > 0''' \"a must be positive\";")
    assert result.table_name == "t" and result.table.num_rows == 2


def test_assert_failure_gives_the_message_with_its_line(session):
    session.execute("select 1 as a union all select 2 as a as t;")
    with pytest.raises(ByzerError, match=r"line 2:1 .*a must be one") as info:
        session.execute("select 3 as b as u;\n!assert t ''':a == 1''' \"a must be one\";")
    assert "u" in session.catalog and "t" in session.catalog
    assert "!assert" in str(info.value)


def test_assert_treats_null_as_failure(session):
    session.catalog.register("n", pa.table({"a": [1, None]}))
    with pytest.raises(ByzerError, match="no nulls"):
        session.execute("!assert n ''':a is not null and :a > 0''' \"no nulls\";")


def test_show_tables_lists_the_catalog(session):
    session.execute("select 1 as a as first; select 1 as a, 2 as b as Second;")
    table = session.execute("!show tables;").table
    assert table.to_pylist() == [
        {"tableName": "first", "numRows": 1, "numColumns": 1},
        {"tableName": "Second", "numRows": 1, "numColumns": 2},
    ]


def test_desc_lists_columns_with_spark_types(session):
    session.execute('select 1 as a, 2L as b, "x" as c, array(1.5D) as d as t;')
    table = session.execute("!desc t;").table
    assert table.column("col_name").to_pylist() == ["a", "b", "c", "d"]
    assert table.column("data_type").to_pylist() == ["int", "bigint", "string", "array<double>"]


def test_desc_of_unknown_table_names_it(session):
    with pytest.raises(ByzerError, match=r"table `nope` does not exist"):
        session.execute("!desc nope;")


def test_ray_command_explains_its_forms(tmp_path):
    from byzer_kernel.runtime import create_session

    session = create_session(home=str(tmp_path))
    with pytest.raises(ByzerError, match=r"line 1:1 .*usage: !ray on TABLE '''code''' named OUTPUT, or !ray status"):
        session.execute("!ray start;")
    session.close()
