"""One local Spark (`local[2]`) for the whole test session, and engine Sessions under the Spark
engine that use it. pyspark runs one Spark application per process: a Session asking for Spark
where one already runs uses it (engine/spark/launch.py), so the JVM starts once for every test.
Registered for every test module in tests/conftest.py."""
import os
import sys

import pytest

from byzer_kernel.engine import Session

# Debian's JDBC driver jars (libpostgresql-jdbc-java, libmariadb-java; dev/test installs them).
JDBC_JARS = ("/usr/share/java/postgresql.jar", "/usr/share/java/mariadb-java-client.jar")


@pytest.fixture(scope="session")
def local_spark():
    """A SparkSession on local[2] started the way a user would (plain pyspark), stopped after the
    last test. Small and quiet: two shuffle partitions, no UI, loopback only."""
    from byzer_kernel.engine.spark.launch import import_pyspark

    import_pyspark()
    from pyspark.sql import SparkSession

    # Python workers (registered functions) in this interpreter, not `python3` from PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    spark = (SparkSession.builder.master("local[2]").appName("byzer-kernel-tests")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.shuffle.partitions", "2")
             # JDBC drivers for Spark's JDBC source (test_spark_jdbc.py): Spark takes jars at its start.
             .config("spark.jars", ",".join(jar for jar in JDBC_JARS if os.path.exists(jar)))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


@pytest.fixture
def spark_session(local_spark, tmp_path, monkeypatch):
    """A fresh engine Session chosen to run on Spark (local[2]) through the environment, its
    relative paths under a temporary BYZER_HOME. Its Spark starts (adopts local_spark) at its first
    statement that needs one."""
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    monkeypatch.setenv("BYZER_ENGINE", "spark")
    monkeypatch.setenv("BYZER_SPARK_MASTER", "local[2]")
    session = Session(home=str(tmp_path))
    yield session
    session.close()


@pytest.fixture
def spark_ipython(local_spark, tmp_path, monkeypatch):
    """IPython with `%load_ext byzer_kernel` (its shared session fresh): (shell, ByzerMagics), for the
    front-end's doors (%config, -o VAR, Out[n]). After the test: the default engine again, no
    variable the test left, no shared session."""
    from IPython.core.interactiveshell import InteractiveShell

    import byzer_kernel.runtime as runtime
    from byzer_kernel.magics import ByzerMagics

    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    runtime.close_shared_session()
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "byzer_kernel")
    magics = next(c for c in shell.configurables if isinstance(c, ByzerMagics))
    before = set(shell.user_ns)
    yield shell, magics
    magics.engine = magics.spark_master = ""
    for name in set(shell.user_ns) - before:
        shell.user_ns.pop(name, None)
    runtime.close_shared_session()
