"""`!python conf|env`, `!assert`, `!show tables`, `!desc` and statements the local engine does not run."""
import json
import os
import subprocess
import sys

import pyarrow as pa
import pytest

from byzer_kernel.engine.commands import decode_env_value
from byzer_kernel.lang.errors import ByzerError, ByzerRuntimeError


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
    assert result.table.to_pylist()[0]["k"] == "PYTHON_ENV"


def test_secret_conf_values_are_masked_in_results_and_kept_in_the_session(session):
    secrets = {"rayAuthToken": "tok-123", "dbPassword": "pw-456", "MY_SECRET_KEY": "sec-789", "apiTOKEN": "t-0"}
    for key, value in secrets.items():
        session.execute(f'!python conf "{key}={value}";')
    result = session.execute('!python conf "dataMode=data";')
    assert session.python_conf == {**secrets, "dataMode": "data"}  # the real values reach the runtime
    shown = dict(zip(result.table.column("k").to_pylist(), result.table.column("v").to_pylist()))
    assert shown == {**{key: "***" for key in secrets}, "dataMode": "data"}
    text = str(result.table.to_pylist())
    assert not any(value in text for value in secrets.values())


def test_every_python_env_value_is_masked_in_results(session):
    session.execute("!python env '''AWS_ACCESS_KEY_ID=AKIA42''';")
    result = session.execute('!python env "PATH_EXTRA=/opt/bin";')
    assert session.python_env == {"AWS_ACCESS_KEY_ID": "AKIA42", "PATH_EXTRA": "/opt/bin"}
    assert result.table.column("v").to_pylist() == ["***", "***"]
    assert result.table.column("k").to_pylist() == ["AWS_ACCESS_KEY_ID", "PATH_EXTRA"]


def test_error_headlines_of_python_commands_hide_secret_values(session):
    with pytest.raises(ByzerError) as error:
        session.execute('!python conf "rayAuthToken tok-123";')  # a missing "=" still hides the token
    assert "expects \"key=value\"" in str(error.value) and "tok-123" not in str(error.value)
    with pytest.raises(ByzerError) as error:
        session.execute('!python env "=hunter2";')
    assert "line 1:1" in str(error.value) and "hunter2" not in str(error.value)


@pytest.mark.parametrize("pair, shown_name", [("=bad", '""'), ("A\x00B=1", '"A\\u0000B"')], ids=["empty", "nul"])
def test_invalid_env_names_are_refused_and_earlier_state_kept(session, pair, shown_name):
    session.execute('!python env "GOOD=1";')
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute(f'select 1 as a as kept;\n!python env "{pair}";')
    message = str(error.value)
    assert "line 2:1" in message and f"{shown_name} is not a valid environment variable name" in message
    assert session.python_env == {"GOOD": "1"} and "kept" in session.catalog
    # The session's environment is still usable by a new process, as the Python runtime does.
    done = subprocess.run([sys.executable, "-c", "import os; print(os.environ['GOOD'])"],
                          env={**os.environ, **session.python_env}, capture_output=True, text=True)
    assert done.stdout.strip() == "1"
    session.execute('!python env "LATER=2";')
    assert session.python_env == {"GOOD": "1", "LATER": "2"}


def test_env_value_with_nul_is_refused_without_echoing_it(session):
    with pytest.raises(ByzerRuntimeError) as error:
        session.execute('!python env "TOKEN_FILE=s3cr3t\x00x";')
    assert "the value of TOKEN_FILE holds a NUL character" in str(error.value)
    assert "s3cr3t" not in str(error.value) and session.python_env == {}


def test_plan_masks_secret_conf_and_env_values(session):
    cell = ('!python conf "rayAuthToken=tok-123";\n'
            "!python conf '''dataMode=data''';\n"
            "!python env `PYTHON_ENV=secret-env`;\n")
    assert session.plan(cell).describe().splitlines() == [
        '1:1\t!python conf "rayAuthToken=***"',
        "2:1\t!python conf '''dataMode=data'''",
        "3:1\t!python env `PYTHON_ENV=***`"]
    # A Byzer Notebook #%python cell: its #%env header becomes a `!python env` statement.
    notebook_cell = session.plan("#%python\n#%env=secret-env\nprint(1)\n").describe()
    assert "!python env '''PYTHON_ENV=***'''" in notebook_cell and "secret-env" not in notebook_cell


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
                 "connect es where url=\"x\" as db", "register ScriptUDF.`` as f",
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
        {"namespace": "", "tableName": "first", "isTemporary": True, "numRows": 1, "numColumns": 1},
        {"namespace": "", "tableName": "Second", "isTemporary": True, "numRows": 1, "numColumns": 2},
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


def test_ray_status_is_a_cluster_status_event_with_the_sessions_view(tmp_path):
    from byzer_kernel.engine import Observer
    from byzer_kernel.runtime import create_session

    class Heard(Observer):
        def __init__(self):
            self.views = []

        def cluster_status(self, view):
            self.views.append(view)

    session = create_session(home=str(tmp_path))
    events = Heard()
    assert session.execute("!ray status;", events).table is None
    (view,) = events.views
    assert view is session.cluster_view and "connected" in view.status()  # status never starts Ray
    session.close()
