"""Spark's time windows, window(...) and session_window(...), on the local engine
(byzer_kernel/engine/sparksql/time_windows.py).

Every expected answer below was checked on Spark 3.3.4 (pyspark, session time zone UTC) with the
same `clicks` table.
"""
from datetime import datetime

import pyarrow as pa
import pytest

from byzer_kernel.engine.catalog import Catalog
from byzer_kernel.engine.sql import SqlEngine
from byzer_kernel.engine.types import spark_type_name
from byzer_kernel.lang.errors import ByzerRuntimeError

WINDOW_TYPE = "struct<start:timestamp,end:timestamp>"


def at(minute: int, second: int = 0, day: int = 1) -> datetime:
    return datetime(2021, 1, day, 0, minute, second)


def window(start: datetime, end: datetime) -> dict:
    return {"start": start, "end": end}


@pytest.fixture(scope="module")
def engine():
    catalog = Catalog()
    catalog.register("clicks", pa.table({
        "user": ["u1", "u1", "u1", "u2", "u2", "u2", "u1"],
        "ts": pa.array([at(1), at(4), at(12), at(3, 30), at(5), None, at(9)], pa.timestamp("us")),
        "amount": [5.0, 7.5, 1.0, 2.0, 4.0, 9.0, 0.5],
    }))
    return SqlEngine(catalog)


def answer(engine, sql: str):
    table = engine.query(sql)
    rows = [tuple(_plain(value) for value in row.values()) for row in table.to_pylist()]
    return table.column_names, [spark_type_name(field.type) for field in table.schema], rows


def _plain(value):
    """Timestamps without a time zone, as Spark shows them in UTC."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def test_sliding_windows_count_a_row_in_each_window_holding_it(engine):
    names, types, rows = answer(engine, "SELECT user, window.start, window.end, count(*) AS n FROM clicks "
                                        "GROUP BY user, window(ts, '10 minutes', '5 minutes') ORDER BY user, start")
    assert names == ["user", "start", "end", "n"]
    assert types == ["string", "timestamp", "timestamp", "bigint"]
    assert rows == [("u1", datetime(2020, 12, 31, 23, 55), at(5), 2), ("u1", at(0), at(10), 3),
                    ("u1", at(5), at(15), 2), ("u1", at(10), at(20), 1),
                    ("u2", datetime(2020, 12, 31, 23, 55), at(5), 1), ("u2", at(0), at(10), 2),
                    ("u2", at(5), at(15), 1)]


def test_star_keeps_the_source_columns_and_the_start_time_shifts_windows(engine):
    names, types, rows = answer(engine, "SELECT *, window(ts, '10 minutes', '10 minutes', '3 minutes') "
                                        "FROM clicks ORDER BY user, ts")
    assert names == ["user", "ts", "amount", "window"]
    assert types == ["string", "timestamp", "double", WINDOW_TYPE]
    later = window(at(3), at(13))
    assert rows == [("u1", at(1), 5.0, window(datetime(2020, 12, 31, 23, 53), at(3))),
                    ("u1", at(4), 7.5, later), ("u1", at(9), 0.5, later), ("u1", at(12), 1.0, later),
                    ("u2", at(3, 30), 2.0, later), ("u2", at(5), 4.0, later)]  # no row for a NULL time


def test_window_fields_in_where_having_order_by_and_from_a_subquery(engine):
    assert answer(engine, "SELECT window.start, sum(amount) AS total FROM clicks GROUP BY window(ts, '15 minutes') "
                          "HAVING sum(amount) > 10 ORDER BY window.start DESC")[2] == [(at(0), 20.0)]
    assert answer(engine, "SELECT user, window(ts, '5 minutes').start AS s, amount FROM clicks "
                          "WHERE window(ts, '5 minutes').end > TIMESTAMP '2021-01-01 00:10:00' "
                          "ORDER BY 1, 2")[2] == [("u1", at(10), 1.0)]
    names, _, rows = answer(engine, "SELECT window.start, user FROM (SELECT window(ts, '5 minutes'), user "
                                    "FROM clicks) WHERE user = 'u2' ORDER BY 1")
    assert names == ["start", "user"] and rows == [(at(0), "u2"), (at(5), "u2")]


def test_windows_before_1970_keep_sparks_arithmetic(engine):
    # Spark's last window start uses Java's `%`, negative before 1970: 23:53:20 falls in 23:55-00:00
    assert answer(engine, "SELECT a, window(b, '5 minutes') FROM VALUES ('p', TIMESTAMP '1969-12-31 23:53:20') "
                          "AS t(a, b)")[2] == [("p", window(datetime(1969, 12, 31, 23, 55), datetime(1970, 1, 1)))]
    # a slide that does not divide the duration: only the windows that hold the time remain
    assert answer(engine, "SELECT window(b, '10 minutes', '3 minutes').start FROM VALUES "
                          "(TIMESTAMP '1969-12-31 23:53:20') AS t(b) ORDER BY 1")[2] == [
        (datetime(1969, 12, 31, 23, 45),), (datetime(1969, 12, 31, 23, 48),), (datetime(1969, 12, 31, 23, 51),)]


def test_sessions_merge_rows_whose_gaps_overlap_per_group(engine):
    names, types, rows = answer(engine, "SELECT user, session_window.start, session_window.end, count(*) AS n, "
                                        "sum(amount) FROM clicks GROUP BY user, session_window(ts, '5 minutes') "
                                        "ORDER BY user, start")
    assert names == ["user", "start", "end", "n", "sum(amount)"]
    assert types == ["string", "timestamp", "timestamp", "bigint", "double"]
    assert rows == [("u1", at(1), at(17), 4, 14.0), ("u2", at(3, 30), at(10), 2, 6.0)]


def test_session_gap_per_row_and_where_before_the_sessions(engine):
    names, types, rows = answer(engine, "SELECT user, session_window(ts, CASE WHEN user = 'u1' THEN '1 minute' "
                                        "ELSE '30 minutes' END) AS s, max(amount) FROM clicks GROUP BY user, s "
                                        "ORDER BY user, s")
    assert names == ["user", "s", "max(amount)"] and types[1] == WINDOW_TYPE
    assert rows == [("u1", window(at(1), at(2)), 5.0), ("u1", window(at(4), at(5)), 7.5),
                    ("u1", window(at(9), at(10)), 0.5), ("u1", window(at(12), at(13)), 1.0),
                    ("u2", window(at(3, 30), at(35)), 4.0)]
    assert answer(engine, "SELECT session_window, count(*) FROM clicks WHERE amount > 1 "
                          "GROUP BY session_window(ts, '4 minutes') ORDER BY 1")[2] == [(window(at(1), at(9)), 4)]


def test_session_window_outside_an_aggregate_is_each_rows_own(engine):
    assert answer(engine, "SELECT user, session_window(ts, '2 minutes') FROM clicks WHERE user = 'u2' "
                          "ORDER BY 2") == (["user", "session_window"], ["string", WINDOW_TYPE], [
        ("u2", window(at(3, 30), at(5, 30))), ("u2", window(at(5), at(7)))])


@pytest.mark.parametrize("sql, message", [
    ("SELECT window(ts, '5 minutes'), window(ts, '10 minutes') FROM clicks", "Multiple time/session window"),
    ("SELECT window(ts, '1 month') FROM clicks", "greater than a month"),
    ("SELECT window(ts, '5 minutes', '10 minutes') FROM clicks", "less than or equal to the windowDuration"),
    ("SELECT window(ts, 'five minutes') FROM clicks", "unable to parse"),
    ("SELECT window(amount, '5 minutes') FROM clicks", "must be a timestamp"),
    ("SELECT session_window(ts, 5) FROM clicks", "gap duration"),
])
def test_spark_rejects_these(engine, sql, message):
    with pytest.raises(ByzerRuntimeError, match=f"(?i){message}"):
        engine.query(sql)
