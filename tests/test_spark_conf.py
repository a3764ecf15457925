"""The configuration a new Spark starts with (engine/spark/conf.py; docs/reference/spark-engine.md,
"Configuration"): Spark 3.3's answers and Byzer's Kryo serializer, the script's items winning."""
from byzer_kernel.engine.spark.conf import start_conf

KRYO = "org.apache.spark.serializer.KryoSerializer"
JAVA = "org.apache.spark.serializer.JavaSerializer"


def test_kryo_is_the_serializer_unless_the_script_sets_one():
    assert start_conf("local[2]", {})["spark.serializer"] == KRYO
    assert start_conf("spark://10.0.0.5:7077", {})["spark.serializer"] == KRYO
    assert start_conf("local[2]", {"spark.serializer": JAVA})["spark.serializer"] == JAVA


def test_spark33_answers_and_local_addresses():
    conf = start_conf("local[2]", {"spark.sql.ansi.enabled": "true"})
    assert conf["spark.sql.ansi.enabled"] == "true" and conf["spark.sql.legacy.timeParserPolicy"] == "EXCEPTION"
    assert conf["spark.driver.host"] == "127.0.0.1"
    assert "spark.driver.host" not in start_conf("yarn", {})
