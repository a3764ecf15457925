"""Spark's time windows on DuckDB: `window(ts, duration[, slide[, start]])` and
`session_window(ts, gap)`, which give each row a struct<start:timestamp,end:timestamp> column
named `window` / `session_window`, mostly grouped by (`GROUP BY a, window(ts, '5 minutes')`).

As Spark's analyzer does (TimeWindowing, SessionWindowing), the column is computed under the query
that calls the function: its FROM source is wrapped in a subquery that adds the column (under the
source's own name, so `tab.a` still resolves), and each call becomes a reference to it
(`window.start` then reads the struct's field). Sliding windows repeat each row once per window
that holds it; session windows of a GROUP BY merge, per group key, the rows whose
`[ts, ts + gap)` spans overlap or touch, as Spark merges sessions. Rows whose time is NULL (or
whose session gap is NULL or not positive) are dropped, as in Spark.

The builders below check the arguments and leave a marker call; `expand_time_windows`, which the
pipeline runs after the rewrite, turns the markers of each SELECT into the column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from sqlglot import exp

from ...lang.errors import ByzerRuntimeError
from .casts import SPARK_TYPE, TEXT, TIMESTAMPS, T, is_type, spark_cast
from .functions_datetime import TIMESTAMP
from .functions_datetime_intervals import CALENDAR, interval_kind
from .registry import duck, spark_function, spark_name

_MARKER = "spark_time_window"  # the marker call the builders return; its meta holds the _Window
_WINDOW = "time_window"  # meta key of the marker
_MICROS = {"week": 7 * 86_400_000_000, "day": 86_400_000_000, "hour": 3_600_000_000,
           "minute": 60_000_000, "second": 1_000_000, "millisecond": 1_000, "microsecond": 1}
_MONTHS = {"year": 12, "month": 1}
# Spark's interval strings, value-unit pairs (DuckDB would read more: '3' as 3 seconds, '01:02')
_INTERVAL_TEXT = (r"(?i)\s*(interval\s+)?([+-]?\d+(\.\d+)?\s*(year|month|week|day|hour|minute|second"
                  r"|millisecond|microsecond)s?\s*)+")
_PART = re.compile(r"\s*([+-]?\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class _Window:
    column: str  # "window" or "session_window": Spark's name of the column
    duration: int = 0  # time windows, in microseconds
    slide: int = 0
    start: int = 0
    gap: Optional[exp.Expression] = None  # session windows: a DuckDB INTERVAL per row

    def overlapping(self) -> int:
        """How many windows may hold one timestamp (Spark: ceil(duration / slide))."""
        return -(-self.duration // self.slide)


# --------------------------------------------------------------------------- the functions

@spark_function("window")
def window(time, duration, slide=None, start=None):
    duration_us = _window_duration(duration)
    slide_us = _window_duration(slide) if slide is not None else duration_us
    start_us = _window_duration(start) if start is not None else 0
    if duration_us <= 0:
        raise ByzerRuntimeError(f"window: the window duration ({duration_us}) must be greater than 0")
    if slide_us <= 0:
        raise ByzerRuntimeError(f"window: the slide duration ({slide_us}) must be greater than 0")
    if slide_us > duration_us:
        raise ByzerRuntimeError(f"window: the slide duration ({slide_us}) must be less than or "
                                f"equal to the windowDuration ({duration_us})")
    if abs(start_us) >= slide_us:
        raise ByzerRuntimeError(f"window: the absolute value of start time ({start_us}) must be "
                                f"less than the slideDuration ({slide_us})")
    return _marker(_timestamp(time, "window"), _Window("window", duration_us, slide_us, start_us))


@spark_function("session_window")
def session_window(time, gap):
    return _marker(_timestamp(time, "session_window"), _Window("session_window", gap=_session_gap(gap)))


spark_name("window")(lambda node: "window")
spark_name("session_window")(lambda node: "session_window")


def _marker(time: exp.Expression, window_: _Window) -> exp.Expression:
    marker = exp.Anonymous(this=_MARKER, expressions=[time])
    marker.meta[_WINDOW] = window_
    return marker


def _timestamp(time: exp.Expression, function: str) -> exp.Expression:
    """The time column as a timestamp: Spark casts a string or a date, and refuses numbers."""
    source = time.meta.get(SPARK_TYPE)
    if source is not None and source.this in TIMESTAMPS:
        return time
    if source is not None and not (source.this in (T.DATE, T.NULL) or is_type(source, TEXT)):
        raise ByzerRuntimeError(f"{function}: the time column must be a timestamp, not "
                                f"{source.sql(dialect='spark').lower()}")
    return spark_cast(time, source, exp.DataType.build(TIMESTAMP, dialect="spark"))


def _window_duration(arg: exp.Expression) -> int:
    """A duration of window(): an integer literal (microseconds) or a string literal such as
    '5 minutes' (a calendar interval without months, days counting 24 hours)."""
    value = arg.this if isinstance(arg, (exp.Cast, exp.TryCast)) else arg
    if isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal) and not value.this.is_string:
        return -int(value.this.this)
    if not isinstance(value, exp.Literal) or (not value.is_string and not value.is_int):
        raise ByzerRuntimeError("window: the duration and time inputs to window must be an "
                                "integer, long or string literal")
    if value.is_int:
        return int(value.this)
    parsed = _calendar_interval(value.this)
    if parsed is None:
        raise ByzerRuntimeError(f"window: unable to parse {value.this!r} as an interval")
    months, micros = parsed
    if months:
        raise ByzerRuntimeError(f"window: intervals greater than a month are not supported "
                                f"({value.this!r})")
    return micros


def _calendar_interval(text: str):
    """(months, microseconds) of a Spark interval string ('1 hour 30 minutes',
    'interval 5 minutes'), or None where Spark cannot read it."""
    body = re.sub(r"^\s*interval\s", "", text, flags=re.IGNORECASE)
    months = micros = 0
    position = 0
    for part in _PART.finditer(body):
        if part.start() != position:
            return None
        position = part.end()
        number, unit = part.group(1), part.group(2).lower()
        unit = unit[:-1] if unit.endswith("s") else unit
        if unit not in _MONTHS and unit not in _MICROS or ("." in number and unit != "second"):
            return None
        if unit in _MONTHS:
            months += int(number) * _MONTHS[unit]
        else:
            micros += round(float(number) * _MICROS[unit]) if "." in number else int(number) * _MICROS[unit]
    return (months, micros) if position == len(body) and position else None


def _session_gap(gap: exp.Expression) -> exp.Expression:
    """session_window's gap as a DuckDB INTERVAL: a string (per row if need be; what does not
    read as an interval is NULL, which drops the row) or a calendar interval."""
    if isinstance(gap, exp.Null):
        return exp.cast(exp.Null(), "INTERVAL")
    if isinstance(gap, exp.Literal) and gap.is_string:
        parsed = _calendar_interval(gap.this)
        if parsed is None:
            return exp.cast(exp.Null(), "INTERVAL")
        return duck("to_months(_0) + to_microseconds(_1)", exp.Literal.number(parsed[0]),
                    exp.Literal.number(parsed[1]))
    spark_type = gap.meta.get(SPARK_TYPE)
    if interval_kind(gap) == CALENDAR:
        return gap
    if spark_type is not None and spark_type.is_type(*exp.DataType.TEXT_TYPES):
        return duck(f"CASE WHEN regexp_full_match(_0, '{_INTERVAL_TEXT}') THEN TRY_CAST("
                    "regexp_replace(_0, '^\\s*interval\\s|\\+', '', 'gi') AS INTERVAL) END", gap)
    shown = interval_kind(gap) or (spark_type.sql(dialect="spark").lower() if spark_type else "that")
    raise ByzerRuntimeError(f"session_window: the gap duration must be a string or a calendar "
                            f"interval (make_interval), not {shown}")


# ----------------------------------------------------------------- the column, per SELECT

def expand_time_windows(tree: exp.Expression) -> exp.Expression:
    """Each SELECT that calls window() or session_window() gets the column from its source
    (innermost SELECTs first, so that a subquery's column is there for the query around it)."""
    if not any(node.name == _MARKER for node in tree.find_all(exp.Anonymous)):
        return tree  # most queries
    for select in reversed(list(tree.find_all(exp.Select))):
        markers = [marker for marker in select.find_all(exp.Anonymous)
                   if marker.name == _MARKER and marker.find_ancestor(exp.Select) is select]
        if markers:
            _add_window_column(select, markers)
    if any(node.name == _MARKER for node in tree.find_all(exp.Anonymous)):
        raise ByzerRuntimeError("window() and session_window() can only be used in a SELECT")
    return tree


def _add_window_column(select: exp.Select, markers: list) -> None:
    if len({_identity(marker) for marker in markers}) > 1:
        raise ByzerRuntimeError("Multiple time/session window expressions would result in a "
                                "cartesian product of rows, therefore they are currently not "
                                "supported")
    if select.args.get("joins") or select.args.get("laterals"):
        raise ByzerRuntimeError("window() and session_window() over a join are not supported by "
                                "the local engine: join in a subquery first")
    window_: _Window = markers[0].meta[_WINDOW]
    time = markers[0].expressions[0]
    for marker in markers:
        _replace_by_column(marker, window_.column)
    _exclude_from_stars(select, window_.column)
    if window_.gap is None:
        source = _time_windows(select, time, window_)
    elif select.args.get("group") is not None:
        source = _merged_sessions(select, time, window_)
    else:
        source = _row_sessions(select, time, window_)
    select.set("from_", exp.From(this=exp.Subquery(this=source, alias=_source_alias(select))))


def _identity(marker: exp.Expression) -> tuple:
    window_ = marker.meta[_WINDOW]
    gap = window_.gap.sql() if window_.gap is not None else None
    return window_.column, window_.duration, window_.slide, window_.start, gap, \
        marker.expressions[0].sql()


def _replace_by_column(marker: exp.Expression, name: str) -> None:
    column = exp.column(name, quoted=True)
    bare_projection = isinstance(marker.parent, exp.Select) and marker.arg_key == "expressions"
    marker.replace(exp.alias_(column, name, quoted=True) if bare_projection else column)


def _exclude_from_stars(select: exp.Select, name: str) -> None:
    """`SELECT *, window(...)`: the star is the source's columns, without the one added here."""
    for projection in select.expressions:
        if isinstance(projection, exp.Star):
            excluded = list(projection.args.get("except_") or [])
            projection.set("except_", excluded + [exp.column(name, quoted=True)])


def _source_alias(select: exp.Select) -> Optional[exp.TableAlias]:
    """The wrapped source keeps its name, so that `tab.a` still resolves."""
    from_ = select.args.get("from_")
    if from_ is None:
        return None
    source = from_.this
    name = source.alias_or_name if isinstance(source, exp.Table) else source.alias
    return exp.TableAlias(this=exp.to_identifier(name)) if name else None


def _from_source(select: exp.Select, *columns: exp.Expression) -> exp.Select:
    """`SELECT <columns>, * FROM <the query's source>` (no star without a FROM)."""
    from_ = select.args.get("from_")
    inner = exp.select(*columns)
    if from_ is not None:
        inner = inner.select(exp.Star()).from_(from_.this.copy())
    return inner


# Spark's TimeWindowing: the last window start at or before the time (Java's `%`, like DuckDB's,
# keeps the dividend's sign), then one window per slide back from it.
def _window_start(time: exp.Expression, window_: _Window, back: int) -> exp.Expression:
    return duck(f"epoch_us(_0) - (epoch_us(_0) - {window_.start} + {window_.slide}) % {window_.slide}"
                f" - {back * window_.slide}", time)


def _window_struct(start_us: exp.Expression, duration: int) -> exp.Expression:
    return duck(f"{{'start': make_timestamp(_0), 'end': make_timestamp(_0 + {duration})}}", start_us)


def _time_windows(select: exp.Select, time: exp.Expression, window_: _Window) -> exp.Select:
    """Tumbling windows: one per row. Sliding ones: every window that may hold the time (an
    UNNEST repeats the row, as Spark's Expand does); Spark keeps only those that do hold it when
    the slide does not divide the duration (otherwise it keeps them all, trusting the formula,
    which misplaces times more than a slide before 1970: Java's `%`, like DuckDB's, is negative).
    The time (a cast of a string, say) is computed once, under the windows."""
    has_source = select.args.get("from_") is not None
    timed = _from_source(select, exp.alias_(time.copy(), _TIME, quoted=True)).where(
        exp.Not(this=exp.Is(this=time.copy(), expression=exp.Null())))
    time_column = exp.column(_TIME, quoted=True)
    if window_.slide == window_.duration:
        windows = _window_struct(_window_start(time_column, window_, 0), window_.duration)
    else:
        windows = exp.Explode(this=exp.Array(expressions=[
            _window_struct(_window_start(time_column, window_, back), window_.duration)
            for back in range(window_.overlapping())]))
    windowed = exp.select(exp.alias_(windows, "window", quoted=True)).from_(_subquery(timed))
    if window_.duration % window_.slide == 0:
        return windowed.select(*_rest(has_source, _TIME))
    held = duck('"window".start <= _0 AND _0 < "window"."end"', time_column)
    return exp.select(*_rest(True, _TIME)).from_(_subquery(windowed.select(exp.Star()))).where(held)


def _rest(has_source: bool, *helpers: str) -> list:
    """The source's columns (a star without the helper columns), where there is a source."""
    excluded = [exp.column(name, quoted=True) for name in helpers]
    return [exp.Star(except_=excluded)] if has_source else []


def _subquery(select: exp.Select) -> exp.Subquery:
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier("rows")))


_TIME = "__spark_window_time"


# Spark's SessionWindowing: a row's session is [time, time + gap); a row without one (a NULL time,
# a NULL or non-positive gap) is dropped.
def _row_sessions(select: exp.Select, time: exp.Expression, window_: _Window) -> exp.Select:
    """Outside an aggregate, each row keeps its own session (Spark merges them only there)."""
    end = duck("_0 + _1", time, window_.gap)
    struct = duck("{'start': _0, 'end': _1}", time, end)
    return _from_source(select, exp.alias_(struct, "session_window", quoted=True)).where(
        duck("_1 > _0", time, end))


def _merged_sessions(select: exp.Select, time: exp.Expression, window_: _Window) -> exp.Select:
    """Per group key, in time order, a row whose session starts at or before the end of all the
    earlier ones joins them; the merged session spans its rows' sessions. Rows with equal starts
    are judged together (RANGE frames), so that they fall in one session. The query's WHERE
    filters the rows first, as in Spark."""
    keys = _partition_keys(select)
    end = duck("_0 + _1", time, window_.gap)
    named = [exp.alias_(time.copy(), "__s", quoted=True), exp.alias_(end, "__e", quoted=True)]
    named += [exp.alias_(key, f"__k{i}", quoted=True) for i, key in enumerate(keys)]
    rows = _from_source(select, *named).where(duck("_1 > _0", time, end))
    where = select.args.get("where")
    if where is not None:
        rows = rows.where(where.this.copy())
        select.set("where", None)
    by = ", ".join(f'"__k{i}"' for i in range(len(keys)))
    partition = f"PARTITION BY {by} " if keys else ""
    later = duck(f'SELECT *, CASE WHEN "__s" <= max("__e") OVER ({partition}ORDER BY "__s" RANGE '
                 f'BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE GROUP) THEN 0 ELSE 1 END AS "__new"')
    numbered = duck(f'SELECT * EXCLUDE ("__new"), sum("__new") OVER ({partition}ORDER BY "__s" RANGE '
                    f'BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "__session"')
    session = f'PARTITION BY {by + ", " if keys else ""}"__session"'
    helpers = ", ".join(['"__s"', '"__e"', '"__session"'] + [f'"__k{i}"' for i in range(len(keys))])
    merged = duck(f"SELECT * EXCLUDE ({helpers}), {{'start': min(__s) OVER ({session}), "
                  f"'end': max(__e) OVER ({session})}} AS session_window")
    return merged.from_(_subquery(numbered.from_(_subquery(later.from_(_subquery(rows))))))


def _partition_keys(select: exp.Select) -> list:
    """The query's other grouping expressions; an ordinal or a projection's alias stands for the
    projection."""
    aliased = {projection.alias: projection.this for projection in select.expressions
               if isinstance(projection, exp.Alias)}
    keys = []
    for key in select.args["group"].expressions:
        for item in _flattened(key):
            if isinstance(item, exp.Literal) and item.is_int:
                item = select.expressions[int(item.this) - 1].unalias()
            elif isinstance(item, exp.Column) and not item.table and item.name in aliased \
                    and not (isinstance(aliased[item.name], exp.Column)
                             and aliased[item.name].name == item.name):
                item = aliased[item.name]
            if not (isinstance(item, exp.Column) and item.name == "session_window" and not item.table):
                keys.append(item.copy())
    return keys


def _flattened(key: exp.Expression) -> list:
    if isinstance(key, (exp.Cube, exp.Rollup, exp.GroupingSets, exp.Tuple)):
        return [item for part in key.expressions for item in _flattened(part)]
    return [key.this] if isinstance(key, exp.Paren) else [key]
