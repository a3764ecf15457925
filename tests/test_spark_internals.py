"""The installed pyspark has every private part the Spark engine uses
(byzer_kernel/engine/spark/pyspark_internals.py), and they do on a running Spark what the engine
relies on."""
from byzer_kernel.engine.spark import pyspark_internals
from spark_local import local_spark  # noqa: F401  (fixture: one local[2] Spark)


def test_pyspark_has_the_private_parts_the_engine_uses():
    assert pyspark_internals.self_check() == []


def test_they_reach_the_running_jvm(local_spark):  # noqa: F811
    context = local_spark.sparkContext
    assert pyspark_internals.active_context() is context
    assert pyspark_internals.current_gateway() is not None
    assert pyspark_internals.scala_context(context).applicationId() == context.applicationId
    java = pyspark_internals.jvm(local_spark).java
    assert java.lang.Integer.parseInt("42") == 42
