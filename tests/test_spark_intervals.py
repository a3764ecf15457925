"""Interval columns of Spark tables (byzer_kernel/engine/spark/intervals.py): year-month, day-time
and calendar intervals, alone or in arrays, reach Arrow typed and shown as the embedded engine
types and shows the same query; an interval inside a struct comes as its text."""
from byzer_kernel.engine import Session
from byzer_kernel.engine.types import spark_type_name
from spark_local import local_spark, spark_session  # noqa: F401  (fixtures: one local[2] Spark)

QUERY = ("SELECT INTERVAL '3-1' YEAR TO MONTH AS ym, make_ym_interval(-1, 1) AS negative_ym, "
         "INTERVAL '1 02:03:04.5' DAY TO SECOND AS dt, "
         "make_interval(100, 11, 1, 1, 12, 30, 01.001001) AS calendar, "
         "make_interval(0, 1, 0, 1, 0, 0, 100.000001) AS calendar_seconds, "
         "make_dt_interval(100, null, 3) AS missing, "
         "array(INTERVAL '2' YEAR, null) AS years")
EXPECTED = {
    "ym": ("interval year to month", "INTERVAL '3-1' YEAR TO MONTH"),
    "negative_ym": ("interval year to month", "INTERVAL '-0-11' YEAR TO MONTH"),
    "dt": ("interval day to second", "INTERVAL '1 02:03:04.5' DAY TO SECOND"),
    "calendar": ("interval", "100 years 11 months 8 days 12 hours 30 minutes 1.001001 seconds"),
    "calendar_seconds": ("interval", "1 months 1 days 1 minutes 40.000001 seconds"),
    "missing": ("interval day to second", "None"),
    "years": ("array<interval year>", "[INTERVAL '2' YEAR, None]"),
}


def shown(table):
    """Each column's Spark type and its first value as text."""
    row = table.to_pylist()[0]
    return {field.name: (spark_type_name(field.type), str(row[field.name])) for field in table.schema}


def test_interval_columns_come_typed_as_on_the_embedded_engine(spark_session):
    on_spark = spark_session.sql(QUERY)
    assert shown(on_spark) == EXPECTED
    embedded = Session()
    try:
        assert shown(embedded.sql(QUERY)) == shown(on_spark)
    finally:
        embedded.close()


def test_interval_tables_show_their_schema_and_first_rows_and_nested_ones_their_text(spark_session):
    spark_session.execute("select c, c as again from values (interval '25' month), (null) as t(c) as months;")
    frame = spark_session.catalog.get("months")
    # The schema without rows (`!desc`), then a preview and every row.
    assert [spark_type_name(field.type) for field in frame.schema] == ["interval month"] * 2
    assert [[str(v) for v in row.values()] for row in frame.preview(1).to_pylist()] == [
        ["INTERVAL '25' MONTH"] * 2]
    assert [str(row["again"]) for row in frame.to_arrow().to_pylist()] == ["INTERVAL '25' MONTH", "None"]
    nested = spark_session.sql("select named_struct('x', interval '2' day) as s, map(1, interval 3 month) as m")
    assert nested.to_pylist() == [{"s": "{INTERVAL '2' DAY}", "m": "{1 -> INTERVAL '3' MONTH}"}]


def test_interval_columns_through_spark_connect(spark_connect, session):
    """The same carrying over Spark Connect (selectExpr is one call for both kinds of session)."""
    session.execute(f'!engine spark where master="{spark_connect}";')
    assert shown(session.sql(QUERY)) == EXPECTED
