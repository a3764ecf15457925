"""What `Discretizer` learns and keeps: per input column its splits (byzer-lang
DiscretizerTrainData: inputCol, splits, handleInvalid, params), Spark's bucket search over them,
Spark's QuantileDiscretizer splits, and the model folder Byzer writes.

The model is where Byzer puts it, `<path>/meta/columns/discretizer` (MetaConst.DISCRETIZER_PATH of
getMetaPath), one Parquet file whose rows are Byzer's Dataset[(Int, DiscretizerTrainData)]: `_1` the
column's index, `_2` a struct of inputCol, splits, handleInvalid and params.
"""
from __future__ import annotations

import bisect
import math
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ...lang.errors import ByzerRuntimeError, UsageError

MODEL_FOLDER = ("meta", "columns", "discretizer")
_META_TYPE = pa.struct([("inputCol", pa.string()), ("splits", pa.list_(pa.float64())),
                        ("handleInvalid", pa.bool_()), ("params", pa.map_(pa.string(), pa.string()))])


@dataclass
class ColumnMeta:
    """One column's discretization (Byzer's DiscretizerTrainData)."""

    input_col: str
    splits: list
    keep_invalid: bool  # handleInvalid == "keep" (Byzer's model default) vs error
    params: dict = field(default_factory=dict)

    def bucket(self, value) -> float:
        return bucket_of(self.splits, value, self.keep_invalid)


def parse_splits(text: str, what: str) -> list:
    """Byzer's getSplits: comma separated numbers, `-inf` and `inf`; Spark's Bucketizer then wants
    at least three, strictly increasing."""
    splits = []
    for part in text.split(","):
        word = part.strip()
        if word in ("-inf", "inf"):
            splits.append(-math.inf if word == "-inf" else math.inf)
            continue
        try:
            splits.append(float(word))
        except ValueError:
            # NumberUtils.toDouble would read a bad number as 0.0 and fail later; say which it is
            raise UsageError(f"Discretizer {what}: `{word}` is not a number (-inf, inf or a double) "
                             f"in {text!r}") from None
    check_splits(splits, what)
    return splits


def check_splits(splits: list, what: str) -> None:
    if len(splits) < 3:
        raise UsageError(f"Discretizer {what}: Splits must contain at least 3 values (Spark's "
                         f"Bucketizer); got {len(splits)}")
    if any(b <= a for a, b in zip(splits, splits[1:])):
        raise UsageError(f"Discretizer {what}: Splits must be strictly increasing; got "
                         f"{', '.join(_shown(s) for s in splits)}")


def bucket_of(splits: list, value, keep_invalid: bool) -> float:
    """Spark's Bucketizer.binarySearchForBuckets: [x, y) buckets, the last one closed; a null or
    NaN goes to an extra bucket (len - 1) when kept, else is an error."""
    if value is None or value != value:
        if keep_invalid:
            return float(len(splits) - 1)
        raise ByzerRuntimeError("Bucketizer encountered NaN value. To handle or skip NaNs, try "
                                "setting Bucketizer.handleInvalid.")
    value = float(value)
    if value == splits[-1]:
        return float(len(splits) - 2)
    position = bisect.bisect_left(splits, value)
    if position < len(splits) and splits[position] == value:
        return float(position)
    if position == 0 or position == len(splits):
        raise ByzerRuntimeError(f"Feature value {_shown(value)} out of Bucketizer bounds "
                                f"[{_shown(splits[0])}, {_shown(splits[-1])}].  Check your features, "
                                "or loosen the lower/upper bound constraints.")
    return float(position - 1)


def quantile_splits(values: list, num_buckets: int, relative_error: float) -> list:
    """QuantileDiscretizer.fit: approxQuantile at 0, 1/n, ..., 1 over the non-null, non-NaN values;
    the ends become -inf/inf, -0.0 becomes 0.0, duplicates go. The quantile is the exact one Spark's
    summary answers while it holds every value (the value of rank ceil(p * count)); on large inputs
    Spark's answer may be another value within relativeError * count ranks of it."""
    data = sorted(float(v) for v in values if v is not None and v == v)
    if not data:
        raise UsageError("Discretizer quantile: the input column has no values to take quantiles of")
    splits = []
    for step in range(num_buckets + 1):
        p = step / num_buckets
        if p <= relative_error:
            splits.append(data[0])
        elif p >= 1 - relative_error:
            splits.append(data[-1])
        else:
            splits.append(data[max(math.ceil(p * len(data)) - 1, 0)])
    splits[0], splits[-1] = -math.inf, math.inf
    return sorted({0.0 if s == 0 else s for s in splits})


# -- the model folder -------------------------------------------------------------------------------
def model_folder(root: Path) -> Path:
    return root.joinpath(*MODEL_FOLDER)


def save(root: Path, metas: list) -> None:
    import pyarrow.parquet as pq

    folder = model_folder(root)
    if folder.exists():
        shutil.rmtree(folder)  # Byzer writes with SaveMode.Overwrite
    folder.mkdir(parents=True)
    structs = [{"inputCol": m.input_col, "splits": m.splits, "handleInvalid": m.keep_invalid,
                "params": list(m.params.items())} for m in metas]
    table = pa.table({"_1": pa.array(range(len(metas)), pa.int32()), "_2": pa.array(structs, _META_TYPE)})
    pq.write_table(table, folder / "part-00000.parquet")


def load(root: Path, shown_path: str) -> list:
    import pyarrow.parquet as pq

    folder = model_folder(root)
    if not folder.is_dir():
        raise UsageError(f"Discretizer: no model at `{shown_path}` (train a Discretizer there first: "
                         f"train t as Discretizer.`{shown_path}` where ...)")
    try:
        rows = pq.read_table(folder).to_pylist()
    except (pa.ArrowException, OSError) as error:
        raise ByzerRuntimeError(f"Discretizer: the model at `{shown_path}` cannot be read: {error}") from None
    metas = []
    for row in sorted(rows, key=lambda r: r["_1"]):  # Byzer sorts by the index
        meta = row["_2"]
        metas.append(ColumnMeta(meta["inputCol"], list(meta["splits"]), bool(meta["handleInvalid"]),
                                dict(meta["params"] or [])))
    return metas


def _shown(value: float) -> str:
    from ...lang.java_values import java_double

    return java_double(value)
