"""`load jdbc` and `save ... as jdbc` under the Spark engine through Spark's JDBC source
(engine/spark/jdbc.py), on the test session's PostgreSQL and MariaDB servers (tests/db_servers.py)
and the local Spark started with Debian's driver jars (tests/spark_local.py)."""
import pytest

from byzer_kernel.engine.spark.frame import SparkFrame
from byzer_kernel.engine.spark.jdbc import DRIVERS, _missing_driver_notice, driver_on_classpath
from spark_local import local_spark, spark_session  # noqa: F401  (fixtures: one local[2] Spark)


@pytest.fixture(params=["postgres_server", "mariadb_server"])
def server(request):
    return request.getfixturevalue(request.param)


def rows(session, query):
    return session.execute(query).table.to_pylist()


def test_load_and_save_go_through_sparks_jdbc_source(server, spark_session):
    server.execute("DROP TABLE IF EXISTS spark_nums")
    server.execute("DROP TABLE IF EXISTS spark_copy")
    server.execute("CREATE TABLE spark_nums (a INTEGER, b VARCHAR(10))")
    server.execute("INSERT INTO spark_nums VALUES (1, 'x'), (2, NULL)")
    spark_session.execute(server.connect_statement("db"))
    spark_session.execute("load jdbc.`db.spark_nums` as nums;")
    assert isinstance(spark_session.catalog.get("nums"), SparkFrame)  # read by Spark, not as Arrow
    assert rows(spark_session, "select * from nums order by a as o") == [{"a": 1, "b": "x"}, {"a": 2, "b": None}]
    spark_session.execute('load jdbc.`db` where directQuery="select a * 10 as t from spark_nums" as tens;')
    assert rows(spark_session, "select * from tens order by t as o") == [{"t": 10}, {"t": 20}]

    spark_session.execute("select a + 1 as a, upper(b) as b from nums as more;")
    saved = spark_session.execute("save overwrite more as jdbc.`db.spark_copy`;").table.to_pylist()
    assert saved[0]["status"] == "written" and saved[0]["format"] == "jdbc"
    spark_session.execute("save append nums as jdbc.`db.spark_copy`;")
    found = sorted(server.execute("SELECT a, b FROM spark_copy"), key=lambda row: (row[0], row[1] is None))
    assert [tuple(row) for row in found] == [(1, "x"), (2, "X"), (2, None), (3, None)]


def test_without_the_driver_jar_the_notice_says_which_jar_to_add(local_spark):  # noqa: F811
    assert driver_on_classpath(local_spark, "org.postgresql.Driver")
    assert not driver_on_classpath(local_spark, "com.example.NoSuchDriver")
    said = _missing_driver_notice("org.mariadb.jdbc.Driver", DRIVERS["mysql"])
    assert said.startswith("jdbc: Spark has no org.mariadb.jdbc.Driver on its classpath, so this project's reader")
    assert ('set spark.jars="/usr/share/java/mariadb-java-client.jar" where type="conf" '
            "(Debian/Ubuntu: apt-get install libmariadb-java)") in said
