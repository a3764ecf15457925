"""`PredictionEva` (byzer-lang streaming.dsl.mmlib.algs.SQLPredictionEva): a binary classifier's
threshold, precision, recall, f1, auc and prc as two string columns (metrics, value).

As Byzer computes them: TP/FP/TN/FN count `probCol >= threshold` against `labelCol == labelValue`;
auc and prc are Spark's BinaryClassificationMetrics (exact: one curve point per distinct score, a
label > 0.5 is positive, trapezoids; the PR curve starts at (0, precision of the top score)).
Values print as Java's Double.toString (NaN for 0/0, as Byzer's division gives).
Local differences (docs/spec.md §13.4): Byzer declares `labelVal` but reads `labelValue`; both are
read here (labelValue first). Byzer casts a given `threshold` string to Double and fails; here it is
parsed as a number.
"""
from __future__ import annotations

import pyarrow as pa

from ...lang.errors import UsageError
from . import builtin_et
from .base import ET, Param, input_column


@builtin_et
class PredictionEva(ET):
    name = "PredictionEva"
    doc = ("PredictionEva is an extension for evaluating the prediction result: f1-score, precision, "
           "recall, auc value and prc value.")
    alg_type = "process"
    doc_type = "html"
    # byzer-lang streamingpro-it et_prediction_eva01.byzer (the codeExample's data lives there)
    code_example = """set jsonStr='''
{"probability":{"type":1,"values":[0,1]},"label":0.0},
{"probability":{"type":1,"values":[1.1747056153273105e-18,1]},"label":1.0}
{"probability":{"type":1,"values":[1,0]},"label":0.0}
{"probability":{"type":1,"values":[0.2,0.8]},"label":1.0}
{"probability":{"type":1,"values":[0.5,0.5]},"label":1.0}
{"probability":{"type":1,"values":[0.1,0.9]},"label":1.0}
''';
load jsonStr.`jsonStr` as data;
-- extract the probability from the values
select replace(String(probability), "[","") as prob, label from data as res1;
select replace(prob, "]", "") as prob, label from res1 as res2;
select Double(split(prob, ",")[1]) as prob, label from res2 as res3;
run res3 as PredictionEva.`` where labelCol='label' and probCol='prob';"""
    params = (
        Param("labelCol", "Specify the column name that contains the prediction result",
              default="label", required=True),
        Param("labelVal", "Specify the value reveals the positive samples.", default="1.0",
              value_type="double"),
        Param("labelValue", "the value of a positive sample (the name Byzer's code reads)"),
        Param("probCol", "Specify the column of the probability value.", default="prob", required=True),
        Param("threshold", "The value that defines whether a sample record is positive or not.",
              default="0.5", value_type="double"),
    )

    def train(self, session, request, options, events) -> pa.Table:
        import numpy as np

        table = session.table(request.input_table)
        scores = _doubles(table, options["probCol"], "probCol", np)
        labels = _doubles(table, options["labelCol"], "labelCol", np)
        threshold = _number(options["threshold"], "threshold")
        label_value = _number(options.get("labelValue", options["labelVal"]), "labelValue")
        if len(scores) == 0:
            raise UsageError("PredictionEva: the input table has no rows to evaluate")
        predicted, actual = scores >= threshold, labels == label_value
        tp, fp = float(np.sum(predicted & actual)), float(np.sum(predicted & ~actual))
        fn = float(np.sum(~predicted & actual))
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 is NaN, as on the JVM
            precision = np.float64(tp) / (tp + fp)
            recall = np.float64(tp) / (tp + fn)
            f1 = np.float64(2 * tp) / (2 * tp + fp + fn)
        auc, prc = _areas(scores, labels, np)
        from ...lang.java_values import java_double

        rows = [("threshold", threshold), ("precision", precision), ("recall", recall), ("f1", f1),
                ("auc", auc), ("prc", prc)]
        return pa.table({"metrics": pa.array([name for name, _ in rows], pa.string()),
                         "value": pa.array([java_double(float(v)) for _, v in rows], pa.string())})

    run = train  # Byzer's run calls the ET's train


def _doubles(table: pa.Table, column: str, param: str, np):
    values = table.column(input_column("PredictionEva", param, table, column))
    if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)
            or pa.types.is_decimal(values.type)):
        raise UsageError(f"PredictionEva: {param} `{column}` must be numeric (Byzer reads it as a "
                         f"double); it is {values.type}")
    if values.null_count:
        raise UsageError(f"PredictionEva: {param} `{column}` has {values.null_count} null value(s); "
                         "every row needs a value")
    return np.asarray(values.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _number(text: str, param: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise UsageError(f"PredictionEva parameter `{param}` is a number; got {text!r}") from None


def _areas(scores, labels, np) -> tuple[float, float]:
    """Spark's areaUnderROC and areaUnderPR (BinaryClassificationMetrics with numBins = 0)."""
    order = np.argsort(-scores, kind="stable")
    ordered, positive = scores[order], (labels[order] > 0.5)
    ends = np.r_[np.nonzero(np.diff(ordered))[0], len(ordered) - 1]  # last row of each distinct score
    tp = np.cumsum(positive)[ends].astype(np.float64)
    fp = np.cumsum(~positive)[ends].astype(np.float64)
    total_pos, total_neg = tp[-1], fp[-1]
    recall = tp / total_pos if total_pos else np.zeros_like(tp)
    fpr = fp / total_neg if total_neg else np.zeros_like(fp)
    precision = tp / (tp + fp)
    roc_x, roc_y = np.r_[0.0, fpr, 1.0], np.r_[0.0, recall, 1.0]
    pr_x, pr_y = np.r_[0.0, recall], np.r_[precision[0], precision]
    return _trapezoids(roc_x, roc_y, np), _trapezoids(pr_x, pr_y, np)


def _trapezoids(x, y, np) -> float:
    area = 0.0  # summed left to right, as Spark's AreaUnderCurve folds the sliding pairs
    for x1, x2, y1, y2 in zip(x[:-1].tolist(), x[1:].tolist(), y[:-1].tolist(), y[1:].tolist()):
        area += (x2 - x1) * (y2 + y1) / 2.0
    return area
