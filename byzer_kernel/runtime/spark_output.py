"""The answer of a Spark-fed run as a Spark DataFrame (docs/design.md §4.16).

A `ServedOutput` (foreach/map_iter) is read by Spark's executors straight from the Ray tasks that
hold it, one Spark task per partition (spark_tasks.output_reader), and checkpointed on the
executors' disks: the Ray servers serve once, so the DataFrame must never be computed from them
again. A table the driver process built (build_result, a pandas DataFrame) is small by nature of
where it was built, and goes to Spark as it is.
"""
from __future__ import annotations

import pyarrow as pa

from ..lang.errors import ByzerRuntimeError
from .served_partitions import ServedOutput

CONNECT_TIMEOUT = 30.0


def to_spark_dataframe(spark, answer, schema: pa.Schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    spark_schema = from_arrow_schema(schema, prefer_timestamp_ntz=False)
    if isinstance(answer, ServedOutput):
        return read_served_output(spark, answer, spark_schema)
    if answer.num_rows == 0:
        return spark.createDataFrame([], spark_schema)
    return spark.createDataFrame(answer, spark_schema)


def read_served_output(spark, output: ServedOutput, spark_schema):
    """One Spark task per served partition reads it; the rows are persisted on disk at once."""
    from pyspark import StorageLevel
    from pyspark.sql.pandas.types import to_arrow_schema

    from .spark_feed import ship_by_value
    from .spark_tasks import OUTPUT_LOST, output_reader

    count = len(output.addresses)
    if count == 0:
        return spark.createDataFrame([], spark_schema)
    ship_by_value()
    timezone = spark.conf.get("spark.sql.session.timeZone") or "UTC"
    arrow_schema = to_arrow_schema(spark_schema, timezone=timezone)
    reader = output_reader(list(output.addresses), arrow_schema, CONNECT_TIMEOUT)
    frame = spark.range(count, numPartitions=count).mapInArrow(reader, spark_schema)
    try:
        # Every partition read now, while the Ray servers wait, and kept as rows on the
        # executors' disks with no lineage back to Ray (whose servers serve once). Disk, not
        # memory: under local[N] the executors are the driver's JVM, which must stay flat
        # however large the output is.
        return frame.localCheckpoint(eager=True, storageLevel=StorageLevel.DISK_ONLY)
    except Exception as error:
        text = str(error)
        if OUTPUT_LOST not in text:
            raise  # Spark's own failure: the engine words it
        detail = text.split(OUTPUT_LOST + ": ", 1)[1].splitlines()[0]
        raise ByzerRuntimeError(f"reading the Ray output into Spark failed: {detail}") from None
