"""Bad input under the Spark engine (docs/reference/spark-engine.md, "Errors"): one message each,
and the session stays usable and goes back to the embedded engine with its tables."""
import os
import socket
import subprocess
import sys
import time

import pyarrow as pa
import pytest

from byzer_kernel.engine.spark.frame import SparkFrame
from byzer_kernel.lang.errors import SparkError, SparkUnavailableError
from spark_local import local_spark, spark_session  # noqa: F401  (fixtures: one local[2] Spark)

RUN_IN_SUBPROCESS = """
import os
from byzer_kernel.engine import Session
s = Session(home=os.getcwd())
s.execute("select 'kept' as v as before")
try:
    s.execute('!engine spark where master="local[1]";\\nselect * from before as t')
except Exception as error:
    print(type(error).__name__)
    print(error)
print(s.execute("!engine duckdb; select v from before as after").table.to_pylist())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_without_java(tmp_path, java_home=None):
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "BYZER_ENGINE", "BYZER_SPARK_MASTER")}
    env["PATH"] = str(tmp_path)  # no java on it (the interpreter is named by its full path)
    if java_home:
        env["JAVA_HOME"] = java_home
    done = subprocess.run([sys.executable, "-c", RUN_IN_SUBPROCESS], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_no_java_runtime_says_what_to_install_and_the_session_goes_on(tmp_path):
    lines = run_without_java(tmp_path)
    assert lines[0] == "SparkUnavailableError"
    assert lines[1] == (
        "SparkUnavailable at line 2:1 in `select * from before as t`: Spark needs a Java runtime and none was "
        "found on PATH: install a Java 17 runtime (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`) or "
        "set JAVA_HOME to one; a Spark Connect server (`!engine spark where master=\"sc://HOST:PORT\"`) needs no "
        "local Java")
    assert lines[2] == "[{'v': 'kept'}]"


def test_java_home_without_java(tmp_path):
    lines = run_without_java(tmp_path, java_home=str(tmp_path / "jdk"))
    assert f"JAVA_HOME is {tmp_path / 'jdk'}, which holds no bin/java: install a Java 17 runtime" in lines[1]
    assert lines[2] == "[{'v': 'kept'}]"


@pytest.mark.parametrize("scheme, what", [("spark", "Spark master"), ("sc", "Spark Connect server")])
def test_a_master_that_does_not_answer_fails_fast_naming_it(local_spark, session, scheme, what):
    session.execute("select 'kept' as v as before")
    master = f"{scheme}://127.0.0.1:{free_port()}"
    session.execute(f'!engine spark where master="{master}"')
    started = time.monotonic()
    with pytest.raises(SparkUnavailableError) as failure:
        session.execute("select * from before as t")
    assert time.monotonic() - started < 30
    assert f"the {what} {master} does not answer (127.0.0.1:" in str(failure.value)
    assert "start it, or choose another master" in str(failure.value)
    assert session.execute("!engine duckdb; select v from before as after").table.to_pylist() == [{"v": "kept"}]


def test_sql_errors_point_at_the_place_in_the_script(spark_session):
    spark_session.execute("select 1 as a as t")
    with pytest.raises(SparkError) as failure:
        spark_session.execute("set x = 1;\nselect a,\n       nope\nfrom t as u")
    error = failure.value
    assert (error.span.line, error.span.col) == (3, 8)
    assert error.headline().startswith("SparkError at line 3:8 in `select a, nope from t as u`: "
                                       "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function "
                                       "parameter with name `nope` cannot be resolved. Did you mean one of the "
                                       "following? [`a`]")
    assert error.detail == "       nope\n       ^"
    assert "Project" not in str(error)  # no plan, no JVM stack
    with pytest.raises(SparkError, match=r"at line 1:15 .*\[PARSE_SYNTAX_ERROR\] Syntax error at or near 't'"):
        spark_session.execute("select * form t as u")
    with pytest.raises(SparkError, match=r"TABLE_OR_VIEW_NOT_FOUND\] The table or view `missing` cannot be found"):
        spark_session.execute("select * from missing as u")


def test_sql_from_variables_names_the_place_in_its_own_text(spark_session):
    with pytest.raises(SparkError) as failure:
        spark_session.execute('set cols = "a, nope";\nselect ${cols} from (select 1 as a) as u')
    assert failure.value.span.line == 2
    assert str(failure.value).splitlines()[0].endswith("(line 1:11 of the SQL)")


def test_failures_while_rows_are_fetched_name_their_statement(spark_session, tmp_path):
    result = spark_session.execute("select raise_error('boom') as x as t")  # Spark runs it lazily
    with pytest.raises(SparkError, match=r"at line 1:1 in `select raise_error\('boom'\) as x as t`: .*boom"):
        result.shown_table(20)
    with pytest.raises(SparkError, match=r"PATH_NOT_FOUND\] Path does not exist: file:.*nowhere"):
        spark_session.execute("load parquet.`nowhere` as p")
    with pytest.raises(SparkError, match="DATA_SOURCE_NOT_FOUND"):
        spark_session.execute("load noSuchSource.`x` as p")
    assert spark_session.execute("select 1 as ok as fine").table.to_pylist() == [{"ok": 1}]


def test_back_to_duckdb_keeps_the_catalog(spark_session):
    spark_session.catalog.register("arrow_made", pa.table({"x": [1]}))
    spark_session.execute("select 2 as y as spark_made")
    spark_session.execute("select raise_error('never') as z as broken")
    assert isinstance(spark_session.catalog.get("spark_made"), SparkFrame)
    result = spark_session.execute("!engine duckdb; select x, y from arrow_made, spark_made as both")
    assert result.table.to_pylist() == [{"x": 1, "y": 2}]
    assert result.messages == ["Spark stopped; these Spark tables could not be kept: broken"]
    assert "broken" not in spark_session.catalog


def test_a_spark_that_died_is_one_message_then_starts_anew(tmp_path):
    """The JVM of the session's own Spark killed between statements: one SparkUnavailable, then the
    next statement starts a new Spark (a process of its own: this one's Spark is shared)."""
    script = (
        "import os\n"
        "from byzer_kernel.engine import Session\n"
        "s = Session(home=os.getcwd())\n"
        "s.execute('!engine spark where master=\"local[1]\"; select 1 as a as t')\n"
        "proc = __import__('pyspark').SparkContext._gateway.proc\n"
        "proc.kill(); proc.wait()\n"
        "try:\n"
        "    s.execute('select a from t as u')\n"
        "except Exception as error:\n"
        "    print(type(error).__name__, str(error).split(': ', 1)[1].split(':')[0])\n"
        "print(s.execute('select 2 as b as v').table.to_pylist())\n"
        "s.close()\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["SparkUnavailableError Spark (local[1]) no longer answers", "[{'b': 2}]"]
