"""`RateSampler` (byzer-lang streaming.dsl.mmlib.algs.SQLRateSampler): marks each row with
`__split__` (0 = the first share of `sampleRate`, 1 = the second), per label value.

Byzer's two algorithms, kept as they are (docs/spec.md §13.4):
- default: each row draws a uniform float r; `__split__` is 0 when r <= rate0, else 1. Rows come out
  grouped by label, the least frequent label first (Byzer's one partition per label, ordered by
  count). Byzer has no seed parameter, so neither has this (an unknown parameter is an error).
- `isSplitWithSubLabel="true"` (exactly that text, as Byzer compares it): within each label's rows,
  in input order, the first floor(rate0 * n) rows get 0 and, after skipping one row, the next
  floor(rate1 * n) get 1. The skipped row (Byzer's `beginIndex = endIndex + 1`) and the rows the
  floors leave over are not in the output, as in Byzer.
Labels are read as Byzer's getIntFromRow reads them: an int, long, float or double truncated to an
int (0.0 and 0.7 are one label); any other type, or a null, is an error.
"""
from __future__ import annotations

import random

import pyarrow as pa

from ...lang.errors import UsageError
from . import builtin_et
from .base import ET, Param, input_column
from .example_data import FEATURES

SPLIT_COLUMN = "__split__"


@builtin_et
class RateSampler(ET):
    name = "RateSampler"
    doc = ("Splits dataset into train and test, splitting ratio is specified by parameter sampleRate: "
           "adds the column __split__ (0: the first share, 1: the second).")
    alg_type = "process"
    code_example = FEATURES + """load jsonStr.`jsonStr` as data;

train data as RateSampler.`/tmp/model`
where labelCol="label"
and sampleRate="0.7,0.3" as marked_dataset;

select * from marked_dataset as output;"""
    params = (
        Param("labelCol", "The grouping column in the dataset", default="label", required=True),
        Param("sampleRate", "comma delimited double array, i.e 0.9,0.1", default="0.9,0.1",
              required=True, value_type="array[double]"),
        Param("isSplitWithSubLabel", "Exact splitting if true"),
    )

    def train(self, session, request, options, events) -> pa.Table:
        table = session.table(request.input_table)
        rates = _rates(options["sampleRate"])
        labels = _int_labels(table, options["labelCol"])
        if options.get("isSplitWithSubLabel", "") == "true":
            rows, splits = _exact_split(labels, rates)
        else:
            rows, splits = _random_split(labels, rates)
        picked = table.take(pa.array(rows, pa.int64()))
        return picked.append_column(pa.field(SPLIT_COLUMN, pa.int32()), pa.array(splits, pa.int32()))

    run = predict = train  # Byzer's run and batchPredict reach the same train


def _rates(text: str) -> list[float]:
    try:
        rates = [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"RateSampler parameter `sampleRate` is a comma delimited double array "
                         f"such as 0.7,0.3; got {text!r}") from None
    if abs(sum(rates) - 1.0) > 0.001 or len(rates) != 2:  # Byzer's own check and words
        raise UsageError("RateSampler: Sum of sampleRates should equal to 1 and number of elements "
                         f"should be 2 (sampleRate={text!r})")
    return rates


def _int_labels(table: pa.Table, label_col: str) -> list[int]:
    column = table.column(input_column("RateSampler", "labelCol", table, label_col))
    kind = column.type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
        raise UsageError(f"RateSampler: The type of labelCol should be int/double/float/long; "
                         f"`{label_col}` is {kind}")
    values = column.to_pylist()
    if None in values:
        raise UsageError(f"RateSampler: The type of labelCol should be int/double/float/long; "
                         f"`{label_col}` has a null in row {values.index(None) + 1}")
    return [_java_int(v) for v in values]


def _java_int(value) -> int:
    """Scala's Double.toInt: toward zero, NaN -> 0, saturating at the int range."""
    if isinstance(value, float):
        if value != value:
            return 0
        if abs(value) == float("inf"):
            return 2**31 - 1 if value > 0 else -2**31
    return max(-2**31, min(2**31 - 1, int(value)))


def _by_label(labels: list[int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels):
        groups.setdefault(label, []).append(row)
    return groups


def _random_split(labels: list[int], rates: list[float]) -> tuple[list, list]:
    draw = random.random  # Byzer: scala.util.Random.nextFloat per row, unseeded
    rows, splits = [], []
    # Byzer's partitions: one per label, in ascending order of the label's count
    for _, members in sorted(_by_label(labels).items(), key=lambda item: len(item[1])):
        for row in members:
            rows.append(row)
            splits.append(0 if draw() <= rates[0] else 1)
    return rows, splits


def _exact_split(labels: list[int], rates: list[float]) -> tuple[list, list]:
    rows, splits = [], []
    for _, members in sorted(_by_label(labels).items()):
        count, begin = len(members), 0
        for index, rate in enumerate(rates):
            end = begin + int(rate * count)
            for row in members[begin:end]:
                rows.append(row)
                splits.append(index)
            begin = end + 1  # Byzer skips the row after each share
    return rows, splits
