"""The Spark configuration a session starts with: Byzer's answers first, then the items of
`set k="v" where type="conf"` (docs/reference/spark-engine.md, "Configuration").

Byzer runs on Spark 3.3. Spark 4 changed a few defaults that a Byzer script meets in its answers;
they are set back here, and a script may still set them itself."""
from __future__ import annotations

from .choice import is_local

# Spark 4 defaults that change what a Byzer script gets, put back to Spark 3.3's.
SPARK33_ANSWERS = {
    # 4.0 turned ANSI mode on: `1/0`, a failed cast or an overflow would fail the query instead
    # of giving NULL or wrapping as Byzer's Spark does.
    "spark.sql.ansi.enabled": "false",
    # 4.0 parses datetimes the new parser cannot read as NULL; 3.3 fails with a message saying so.
    "spark.sql.legacy.timeParserPolicy": "EXCEPTION",
    # 4.0 writes ORC with zstd; Byzer's part files are `.snappy.orc`.
    "spark.sql.orc.compression.codec": "snappy",
}
# Byzer's own configuration (conf/byzer.properties) runs Spark with Kryo, which serializes what
# Spark caches, checkpoints and shuffles as RDDs. Measured with benchmarks/bench_spark_ray.py (Ray's
# output checkpointed by Spark), the driver JVM's peak from 1M to 10M rows: 683 -> 817 MB (1.20x)
# with Kryo, 555 -> 719 MB (1.29x) with Java's, the bound being 1.2x; time within the noise.
BYZER_DEFAULTS = {"spark.serializer": "org.apache.spark.serializer.KryoSerializer"}
# What a notebook needs from a Spark application whatever the script says.
QUIET = {
    "spark.ui.showConsoleProgress": "false",  # progress bars on the JVM's stderr
    "spark.log.structuredLogging.enabled": "false",  # plain log lines in Spark's log file
}
# A local Spark listens on this machine's loopback only, as the embedded Ray does.
LOCAL_ONLY = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}


def start_conf(master: str, script_conf: dict[str, str]) -> dict[str, str]:
    """Everything a new Spark gets: the defaults above, then the script's items, which win."""
    conf = dict(SPARK33_ANSWERS)
    conf.update(BYZER_DEFAULTS)
    conf.update(QUIET)
    if is_local(master):
        conf.update(LOCAL_ONLY)
    conf.update(script_conf)
    return conf


def apply_runtime(spark, conf: dict[str, str]) -> list[str]:
    """Set what a running session can change (SQL settings); return the keys it cannot, which
    take effect when Spark starts next."""
    static = []
    for key, value in conf.items():
        if spark.conf.isModifiable(key):
            spark.conf.set(key, value)
        else:
            static.append(key)
    return static
