"""PredictionEva (byzer-lang SQLPredictionEva): its codeExample's script (byzer-lang streamingpro-it
et_prediction_eva01.byzer) run verbatim; auc and prc against Spark 3.3.4's BinaryClassificationMetrics."""
import random

import pyarrow as pa
import pytest

from byzer_kernel.engine.ets.prediction_eva import PredictionEva
from byzer_kernel.lang.errors import ByzerError


def test_code_example_metrics(session):
    out = session.execute(PredictionEva.code_example).table
    # res3 as Spark 3.3.4 computes it: String(struct) is "{1, [0.0, 1.0]}", so [1] is the first value
    assert session.table("res3").column("prob").to_pylist() == [0.0, 1.1747056153273105e-18, 1.0, 0.2, 0.5, 0.1]
    assert out.schema == pa.schema([("metrics", pa.string()), ("value", pa.string())])
    # TP=1 (0.5/1.0) FP=1 (1.0/0.0) FN=3; auc and prc as Spark's BinaryClassificationMetrics gives them
    assert out.to_pylist() == [
        {"metrics": "threshold", "value": "0.5"}, {"metrics": "precision", "value": "0.5"},
        {"metrics": "recall", "value": "0.25"}, {"metrics": "f1", "value": "0.3333333333333333"},
        {"metrics": "auc", "value": "0.5"}, {"metrics": "prc", "value": "0.5791666666666666"}]


def test_areas_match_spark_on_tied_scores(session):
    random.seed(3)
    rows = [(round(random.random(), 2), float(random.random() < 0.4)) for _ in range(300)]
    session.catalog.register("p", pa.table({"prob": [r[0] for r in rows], "label": [r[1] for r in rows]}))
    out = dict(session.execute("run p as PredictionEva.`` as m;").table.to_pylist()[i].values()
               for i in range(6))
    # Spark 3.3.4 BinaryClassificationMetrics over the same 300 (score, label) pairs
    assert out["auc"] == "0.48384805718475066"
    assert out["prc"] == "0.39697862099585385"


def test_zero_division_threshold_and_label_value(session):
    session.catalog.register("q", pa.table({"score": [0.1, 0.2], "y": [2, 0]}))
    out = dict(tuple(r.values()) for r in session.execute(
        "run q as PredictionEva.`` where probCol='score' and labelCol='y' and threshold='0.9' "
        "and labelValue='2' as m;").table.to_pylist())
    assert out["threshold"] == "0.9" and out["precision"] == "NaN" and out["recall"] == "0.0"
    assert out["f1"] == "0.0"


def test_bad_input_named(session):
    session.catalog.register("s", pa.table({"prob": ["0.1"], "label": [1.0]}))
    with pytest.raises(ByzerError, match="probCol `prob` must be numeric"):
        session.execute("run s as PredictionEva.`` as m;")
    with pytest.raises(ByzerError, match="labelCol `nope`"):
        session.execute("run s as PredictionEva.`` where labelCol='nope' and probCol='label' as m;")
    with pytest.raises(ByzerError, match="probColumn"):
        session.execute("run s as PredictionEva.`` where probColumn='x' as m;")
