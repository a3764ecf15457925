"""Spark as a second engine behind the same statements (docs/reference/spark-engine.md). Nothing
here imports pyspark until Spark starts; a Session without Spark never loads it."""
