"""`Discretizer` (byzer-lang streaming.dsl.mmlib.algs.SQLDiscretizer): numeric columns into bucket
numbers by Spark's Bucketizer (`method="bucketizer"`, given `splits`) or QuantileDiscretizer
(`method="quantile"`, `numBuckets`).

`train t as Discretizer.`path` where ...` returns the table with each bucket column added (Spark's
default output name `<uid>__output` when outputCol is not given) and saves the splits under the
path (discretizer_model.py); `register Discretizer.`path` as f` makes `f(array(...))` (array<double>
in and out: the i-th value bucketed by the i-th trained column, as Byzer's predict function);
`predict t as Discretizer.`path`` adds the bucket columns to t (Byzer's SQLDiscretizer has no
batchPredict and answers an empty param/description table; applying the model is the local choice).

Parameters are Byzer's current ones (inputCol, outputCol, splits, numBuckets, handleInvalid,
relativeError: the Spark params configureModel sets) and, as byzer-doc's examples write them, the
older per-column groups `fitParam.N.inputCol` / `fitParam.N.splitArray` / `fitParam.N.numBuckets`.
"""
from __future__ import annotations

import re
import uuid

import pyarrow as pa

from ...lang.errors import UsageError
from . import builtin_et
from .base import ET, Param, input_column
from .example_data import FEATURES
from . import discretizer_model as model

_GROUP_KEY = re.compile(r"fitParam\.(\d+)\.(\w+)$", re.IGNORECASE)
_GROUP_PARAMS = ("inputCol", "outputCol", "splits", "splitArray", "numBuckets", "handleInvalid",
                 "relativeError")
_DATA = FEATURES + """load jsonStr.`jsonStr` as data;
select features[0] as a ,features[1] as b from data
as data1;
"""


@builtin_et
class Discretizer(ET):
    name = "Discretizer"
    doc = ("Discretization: continuous columns into bucket numbers, by given splits (bucketizer) or "
           "by quantiles (quantile); train saves the splits, register makes a function of them.")
    alg_type = "algorithm"
    doc_type = "html"
    code_example = _DATA + """
train data1 as Discretizer.`/tmp/model`
where method="bucketizer"
and `inputCol`="a"
and `splits`="-inf,0.0,1.0,inf";

register Discretizer.`/tmp/model` as convert;
select convert(array(double(7))) as features as output;"""
    params = (
        Param("method", "the way to discretize: bucketizer (given splits) or quantile (numBuckets)",
              default="bucketizer", values=("bucketizer", "quantile")),
        Param("inputCol", "the numeric column to discretize"),
        Param("outputCol", "the bucket column's name (Spark's default: <uid>__output)"),
        Param("splits", "bucketizer: the split points, -inf ~ inf, at least 3, increasing; [x, y)",
              value_type="array[double]"),
        Param("numBuckets", "quantile: the number of buckets (at least 2)", default="2",
              value_type="int"),
        Param("handleInvalid", "null/NaN values: error, skip (drop the row) or keep (an extra bucket)",
              values=("error", "skip", "keep")),
        Param("relativeError", "quantile: approxQuantile's relative error", default="0.001",
              value_type="double"),
    )

    def checked(self, options: dict) -> dict:
        """The declared parameters as ET checks them, plus Byzer's `fitParam.N.name` groups."""
        groups = {k: v for k, v in options.items() if _GROUP_KEY.match(k)}
        for key in groups:
            if _GROUP_KEY.match(key).group(2).lower() not in {p.lower() for p in _GROUP_PARAMS}:
                raise UsageError(f"Discretizer has no parameter `{key}` (a fitParam group takes "
                                 f"{', '.join(_GROUP_PARAMS)})")
        checked = super().checked({k: v for k, v in options.items() if k not in groups})
        return {**checked, **groups}

    # -- train ------------------------------------------------------------------------------------
    def train(self, session, request, options, events) -> pa.Table:
        table = session.table(request.input_table)
        method = options["method"]
        metas = []
        for group in _groups(options):
            input_col = _column_name(table, group.get("inputCol"))
            values = table.column(input_col).to_pylist()
            if method == "bucketizer":
                text = group.get("splits") or group.get("splitArray")
                if text is None:
                    raise UsageError("Discretizer bucketizer needs `splits` (e.g. \"-inf,0.0,1.0,inf\")")
                splits = model.parse_splits(text, "splits")
            else:
                splits = model.quantile_splits(values, _buckets(group), _number(group, "relativeError"))
            keep = group.get("handleInvalid", "keep") == "keep"  # Byzer's parseParams default
            metas.append(model.ColumnMeta(input_col, splits, keep, dict(group)))
        root = _model_root(session, request.path)
        result = _transformed(table, metas, [g.get("handleInvalid", "error") for g in _groups(options)],
                              method)
        model.save(root, metas)  # after the transform: a failing column leaves the old model
        return result

    # -- predict and register ---------------------------------------------------------------------
    def predict(self, session, request, options, events) -> pa.Table:
        table = session.table(request.input_table)
        metas = model.load(_model_root(session, request.path), request.path)
        for meta in metas:
            meta.input_col = _column_name(table, meta.input_col)
        return _transformed(table, metas, [m.params.get("handleInvalid", "error") for m in metas],
                            metas and metas[0].params.get("method", "bucketizer"))

    def register(self, session, statement, options, events) -> None:
        from ..load_save import clean_str
        from ..script_udf import ScriptFunction
        from ..sparksql.session_functions import SessionFunction, name_problem

        path = clean_str(session.render(statement.path.raw))
        metas = model.load(_model_root(session, path), path)
        name = statement.name.strip("`")
        problem = name_problem(name) if re.fullmatch(r"[A-Za-z_]\w*", name) else \
            f"`{name}` is not a function name (letters, digits and _)"
        if problem:
            raise UsageError(problem)
        functions = session.functions

        def batch(features):
            results = []
            for row in features.to_pylist():
                if row is None:
                    results.append(None)
                    continue
                if len(row) > len(metas):
                    raise functions.failed(UsageError(
                        f"function `{name}`: {len(row)} values given, the model at `{path}` has "
                        f"{len(metas)} column(s)"))
                try:
                    results.append([metas[i].bucket(value) for i, value in enumerate(row)])
                except UsageError as error:
                    raise functions.failed(error) from None
                except Exception as error:  # ByzerRuntimeError of the bucket search
                    raise functions.failed(error) from None
            return pa.array(results, pa.list_(pa.float64()))

        spec = SessionFunction(name, "udf", f"byzer_udf_{name.lower()}", 1)
        functions.register(ScriptFunction(spec, batch, "DOUBLE[]"))
        return None


def _model_root(session, path: str):
    """The model folder under BYZER_HOME, `/tmp/model` included: Byzer prefixes an ET's path with
    the user's home (its PathFun), so models never land outside it."""
    if not path.strip().strip("/"):
        raise UsageError("Discretizer needs a model path: Discretizer.`/tmp/model`")
    return session.home / path.strip().lstrip("/")


def _groups(options: dict) -> list[dict]:
    """The column groups: `fitParam.N.*` in the order of N, or the top-level parameters."""
    grouped: dict[int, dict] = {}
    for key, value in options.items():
        match = _GROUP_KEY.match(key)
        if match:
            declared = {p.lower(): p for p in _GROUP_PARAMS}[match.group(2).lower()]
            grouped.setdefault(int(match.group(1)), {})[declared] = value
    shared = {k: v for k, v in options.items() if not _GROUP_KEY.match(k)}
    if not grouped:
        return [shared]
    if "inputCol" in shared:
        raise UsageError("Discretizer: give either `inputCol` or fitParam.N groups, not both")
    defaults = {k: shared[k] for k in ("relativeError", "numBuckets", "method") if k in shared}
    return [{**defaults, **grouped[n]} for n in sorted(grouped)]


def _column_name(table: pa.Table, name) -> str:
    if not name:
        raise UsageError("Discretizer: inputCol should be configured.")
    found = input_column("Discretizer", "inputCol", table, name)
    column = table.column(found)
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
            or pa.types.is_decimal(column.type)):
        raise UsageError(f"Discretizer: inputCol `{name}` must be numeric; it is {column.type}")
    return found


def _buckets(group: dict) -> int:
    text = group.get("numBuckets", "2")
    try:
        count = int(text)
    except ValueError:
        raise UsageError(f"Discretizer parameter `numBuckets` is an integer; got {text!r}") from None
    if count < 2:
        raise UsageError(f"Discretizer parameter `numBuckets` must be at least 2; got {count}")
    return count


def _number(group: dict, name: str) -> float:
    text = group.get(name, "0.001")
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"Discretizer parameter `{name}` is a number; got {text!r}") from None
    if not 0 <= value <= 1:
        raise UsageError(f"Discretizer parameter `{name}` is between 0 and 1; got {text}")
    return value


def _transformed(table: pa.Table, metas: list, handle: list, method) -> pa.Table:
    """The table with one bucket column per meta, as Spark's Bucketizer.transform with its
    handleInvalid (error by default when transforming; skip drops the row)."""
    prefix = "quantileDiscretizer" if method == "quantile" else "bucketizer"
    keep_rows = [True] * table.num_rows
    columns = []
    for meta, how in zip(metas, handle):
        if how not in ("error", "skip", "keep"):
            raise UsageError(f"Discretizer parameter `handleInvalid` given invalid value `{how}` "
                             "(one of error, skip, keep)")
        output = meta.params.get("outputCol") or f"{prefix}_{uuid.uuid4().hex[-12:]}__output"
        if output.lower() in (n.lower() for n in table.column_names + [c[0] for c in columns]):
            raise UsageError(f"Discretizer: Output column {output} already exists.")
        buckets = []
        for row, value in enumerate(table.column(meta.input_col).to_pylist()):
            if value is None or value != value:
                if how == "skip":
                    keep_rows[row] = False
                    buckets.append(None)
                    continue
                buckets.append(model.bucket_of(meta.splits, value, how == "keep"))
            else:
                buckets.append(model.bucket_of(meta.splits, value, False))
        columns.append((output, buckets))
    for output, buckets in columns:
        table = table.append_column(pa.field(output, pa.float64()), pa.array(buckets, pa.float64()))
    if not all(keep_rows):
        table = table.filter(pa.array(keep_rows))
    return table
