"""DataSummary (byzer-extension SQLDataSummaryV2): its codeExample run verbatim, and the rows that
byzer-extension's own SQLDataSummaryV2Test asserts, on the same data."""
import datetime as dt
import decimal

import pyarrow as pa
import pytest

from byzer_kernel.engine.ets.data_summary import DataSummary
from byzer_kernel.lang.errors import ByzerError

ALL_METRICS = ("columnName,ordinalPosition,%25,%75,blankValueRatio,dataLength,dataType,max,maximumLength,"
               "mean,median,min,minimumLength,nonNullCount,nullValueRatio,skewness,totalCount,"
               "standardDeviation,standardError,uniqueValueRatio,categoryCount,primaryKeyCandidate,mode")
TS = dt.datetime(2021, 3, 8, 18, 0)


def lines(table):
    return [",".join(row.values()) for row in table.to_pylist()]


def test_code_example_verbatim(session):
    table = session.execute(DataSummary.code_example).table
    assert table.column_names == [
        "columnName", "ordinalPosition", "median", "blankValueRatio", "dataLength", "dataType", "max",
        "maximumLength", "mean", "min", "minimumLength", "nonNullCount", "nullValueRatio", "totalCount",
        "standardDeviation", "standardError", "uniqueValueRatio", "primaryKeyCandidate", "mode"]
    # age 57,67,57,25,31,23 and income 433000,1200,89000,36000,300000,238000 (jsonStr: long)
    assert lines(table) == [
        "age,1,44.0,0.0,8,long,67.0,,43.33,23.0,,6,0.0,6,19.16,7.82,0.8333,0,57.0",
        "income,2,163500.0,0.0,8,long,433000.0,,182866.67,1200.0,,6,0.0,6,168943.86,68971.04,1.0,1,",
    ]


def test_documented_parameters(session):
    session.execute(DataSummary.code_example)
    table = session.execute("run table2 as DataSummary.`` where metrics='mean, median, %75' "
                            "and roundAt='4' and approxSwitch=\"false\" as summaryTable;").table
    assert table.to_pylist() == [
        {"columnName": "age", "ordinalPosition": "1", "median": "44.0", "%75": "57.0", "mean": "43.3333"},
        {"columnName": "income", "ordinalPosition": "2", "median": "163500.0", "%75": "284500.0",
         "mean": "182866.6667"}]


def test_byzer_unit_test_first_dataset(session):
    session.catalog.register("data", pa.table({
        "name": ["elena", "abe", "AA", "cc", "", "bb"], "age": pa.array([57, 50, 10, 40, 30, 21], pa.int32()),
        "income": ["433000", "433000", "432000", "433000", "434000", "533000"], "date": [TS] * 6}))
    table = session.execute(f"run data as DataSummary.`` where metrics='{ALL_METRICS}' as out;").table
    assert lines(table) == [
        "name,1,,,,0.1667,5,string,elena,5,,AA,0,5,0.0,,6,,,1.0,5,1,",
        "age,2,23.25,35.0,47.5,0.0,4,integer,57.0,,34.67,10.0,,6,0.0,-0.11,6,17.77,7.26,1.0,0,1,",
        "income,3,,,,0.0,6,string,533000.0,6,,432000.0,6,6,0.0,,6,,,0.6667,4,0,433000.0",
        "date,4,,,,0.0,8,timestamp,2021-03-08 18:00:00,,,2021-03-08 18:00:00,,6,0.0,,6,,,0.1667,1,0,2021-03-08 18:00:00",
    ]


def test_byzer_unit_test_second_dataset_nan_null_decimal(session):
    nan = float("nan")
    session.catalog.register("data", pa.table({
        "name": ["elena", "abe", "AA", "cc", "", "bb"],
        "favoriteNumber": pa.array([57, 57, 57, 0, -1, 57], pa.int32()),
        "age": pa.array([57, 50, 10, 40, 30, 21], pa.int32()),
        "mock_col1": pa.array([110, 120, 130, 100, 150, 160], pa.int64()),
        "income": ["433000", "433000", "432000", "", "434000", "533000"], "date": [TS] * 6,
        "mock_col2": pa.array([110, 120, 130, nan, 150, nan], pa.float32()),
        "alived": [True] * 5 + [False], "extra": pa.nulls(6), "extra1": pa.nulls(6),
        "extra2": pa.array([decimal.Decimal(x) for x in (12, 2, 2, 2, 2, 2)], pa.decimal128(38, 18)),
        "extra3": [1.123, 1.123, 2.224, 2.0, 3.375, 3.375]}))
    table = session.execute(f"run data as DataSummary.`` where metrics='{ALL_METRICS}' as out;").table
    assert lines(table) == [
        "name,1,,,,0.1667,5,string,elena,5,,AA,0,5,0.0,,6,,,1.0,5,1,",
        "favoriteNumber,2,14.25,57.0,57.0,0.0,4,integer,57.0,,37.83,-1.0,,6,0.0,-0.71,6,29.69,12.12,0.5,0,0,57.0",
        "age,3,23.25,35.0,47.5,0.0,4,integer,57.0,,34.67,10.0,,6,0.0,-0.11,6,17.77,7.26,1.0,0,1,",
        "mock_col1,4,112.5,125.0,145.0,0.0,8,long,160.0,,128.33,100.0,,6,0.0,0.22,6,23.17,9.46,1.0,0,1,",
        "income,5,,,,0.1667,6,string,533000.0,6,,432000.0,0,5,0.0,,6,,,0.8,4,0,433000.0",
        "date,6,,,,0.0,8,timestamp,2021-03-08 18:00:00,,,2021-03-08 18:00:00,,6,0.0,,6,,,0.1667,1,0,2021-03-08 18:00:00",
        "mock_col2,7,117.5,125.0,135.0,0.0,4,float,150.0,,127.5,110.0,,4,0.3333,0.43,6,17.08,8.54,1.0,0,1,",
        "alived,8,,,,0.0,1,boolean,true,,,false,,6,0.0,,6,,,0.3333,2,0,true",
        "extra,9,,,,0.0,,void,,,,,,0,1.0,,6,,,0.0,0,0,",
        "extra1,10,,,,0.0,,void,,,,,,0,1.0,,6,,,0.0,0,0,",
        "extra2,11,2.0,2.0,2.0,0.0,16,decimal(38,18),12.0,,3.67,2.0,,6,0.0,1.79,6,4.08,1.67,0.3333,0,0,2.0",
        "extra3,12,1.34,2.11,3.09,0.0,8,double,3.38,,2.2,1.12,,6,0.0,0.15,6,1.01,0.41,0.6667,0,0,",
    ]


def test_all_null_columns_and_empty_table(session):
    session.catalog.register("nulls", pa.table({"col1": pa.nulls(2), "col2": pa.nulls(2)}))
    table = session.execute(f"run nulls as DataSummary.`` where metrics='{ALL_METRICS}' as out;").table
    assert lines(table) == ["col1,1,,,,0.0,,void,,,,,,0,1.0,,2,,,0.0,0,0,",
                            "col2,2,,,,0.0,,void,,,,,,0,1.0,,2,,,0.0,0,0,"]
    session.catalog.register("empty", pa.table({"id": pa.array([], pa.string())}))
    assert session.execute("run empty as DataSummary.`` as out;").table.num_columns == 0


def test_large_table_approximate_but_key_exact(session):
    """Above approxThreshold the distinct count is approximate, but a near-unique column is counted
    again exactly: a key column stays a primary key candidate."""
    n = 5000
    session.catalog.register("big", pa.table({"id": list(range(n)), "g": [i % 7 for i in range(n)]}))
    table = session.execute("run big as DataSummary.`` where approxThreshold='1000' "
                            "and metrics='uniqueValueRatio,primaryKeyCandidate,median' as out;").table
    rows = {r["columnName"]: r for r in table.to_pylist()}
    assert rows["id"]["uniqueValueRatio"] == "1.0" and rows["id"]["primaryKeyCandidate"] == "1"
    assert rows["g"]["primaryKeyCandidate"] == "0"
    assert abs(float(rows["id"]["median"]) - 2499.5) < 50


def test_bad_parameters_name_the_statement(session):
    session.execute(DataSummary.code_example)
    with pytest.raises(ByzerError, match="roundAt"):
        session.execute("run table2 as DataSummary.`` where roundAt='two' as out;")
    with pytest.raises(ByzerError, match="rountAt"):
        session.execute("run table2 as DataSummary.`` where rountAt='4' as out;")
    assert session.table("summaryTable").num_rows == 2  # earlier statements keep their effects
