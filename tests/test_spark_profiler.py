"""`!profiler` under the Spark engine (docs/reference/profiler.md): `explain` shows Spark's own plan
of the query, not DuckDB's; `sql` and `conf` work as on the embedded engine."""
from spark_local import local_spark, spark_session  # noqa: F401  (fixtures: one local[2] Spark)


def test_explain_shows_spark_plan(spark_session):  # noqa: F811
    spark_session.execute("select 1 as a as t")
    plan = spark_session.execute("!profiler explain '''select a + 1 as b from t''';").table
    assert plan.column("name").to_pylist() == ["doc"]
    text = plan.column("info")[0].as_py()
    assert text.startswith("== Physical Plan ==") and "Project [" in text and "duckdb" not in text.lower()


def test_explain_of_a_table_with_byzer_second_argument_gives_the_logical_plans(spark_session):  # noqa: F811
    spark_session.execute("select 1 as a as t")
    text = spark_session.execute("!profiler explain t extended;").table.column("info")[0].as_py()
    for part in ("== Parsed Logical Plan ==", "== Analyzed Logical Plan ==", "== Optimized Logical Plan ==",
                 "== Physical Plan =="):
        assert part in text


def test_sql_and_conf_under_spark(spark_session):  # noqa: F811
    spark_session.execute('set spark.sql.shuffle.partitions="3" where type="conf"; select 2 as a as t')
    assert spark_session.execute("!profiler sql '''select a * 2 as b from t''';").table.to_pylist() == [{"b": 4}]
    conf = spark_session.execute("!profiler conf;").table.to_pylist()
    assert {"name": "spark.sql.shuffle.partitions", "value": "3"} in conf
