"""Discretizer (byzer-lang SQLDiscretizer): the codeExample and byzer-doc's bucketizer.md and
quantile.md examples run verbatim with their documented outputs; the model folder; Spark's bucket
rules; quantile splits against Spark 3.3.4's QuantileDiscretizer."""
import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from byzer_kernel.engine.ets.discretizer import _DATA, Discretizer
from byzer_kernel.engine.ets.discretizer_model import bucket_of, quantile_splits
from byzer_kernel.lang.errors import ByzerError

BUCKETIZER_DOC = _DATA.replace("select features", "select features") + """
TRAIN data1 AS Discretizer.`/tmp/model`
WHERE method="bucketizer"
and `fitParam.0.inputCol`="a"
and `fitParam.0.splitArray`="-inf,0.0,1.0,inf"
and `fitParam.1.inputCol`="b"
and `fitParam.1.splitArray`="-inf,0.0,1.0,inf";
REGISTER Discretizer.`/tmp/model` as convert;
SELECT convert(array(7,8)) as features as output;"""

QUANTILE_DOC = """-- create test data
SET jsonStr='''
{"features":[5.1,3.5,1.4,0.2],"label":0.0},
{"features":[5.1,3.5,1.4,0.2],"label":1.0}
{"features":[5.1,3.5,1.4,0.2],"label":0.0}
{"features":[4.4,2.9,1.4,0.2],"label":0.0}
{"features":[5.1,3.5,1.4,0.2],"label":1.0}
{"features":[5.1,3.5,1.4,0.2],"label":0.0}
{"features":[5.1,3.5,1.4,0.2],"label":0.0}
{"features":[4.7,3.2,1.3,0.2],"label":1.0}
{"features":[5.1,3.5,1.4,0.2],"label":0.0}
{"features":[5.1,3.5,1.4,0.2],"label":0.0}
''';
LOAD jsonStr.`jsonStr` AS data;
SELECT features[0] AS a ,features[1] AS b FROM data
as data1;
TRAIN data1 AS Discretizer.`/tmp/model`
WHERE method="quantile"
and `fitParam.0.inputCol`="a"
and `fitParam.0.outputCol`="a_v"
and `fitParam.0.numBuckets`="3"
and `fitParam.1.inputCol`="b"
and `fitParam.1.outputCol`="b_v"
and `fitParam.1.numBuckets`="3";
REGISTER Discretizer.`/tmp/model` as convert;
SELECT convert(array(7,8)) AS features AS output;"""


def test_code_example(session, tmp_path):
    out = session.execute(Discretizer.code_example).table
    assert out.to_pylist() == [{"features": [2.0]}]
    # the model where Byzer writes it, under BYZER_HOME: Dataset[(Int, DiscretizerTrainData)]
    model = pq.read_table(tmp_path / "tmp/model/meta/columns/discretizer").to_pylist()
    assert [(m["_1"], m["_2"]["inputCol"], m["_2"]["splits"], m["_2"]["handleInvalid"]) for m in model] \
        == [(0, "a", [-math.inf, 0.0, 1.0, math.inf], True)]


def test_bucketizer_doc_example(session):
    assert session.execute(BUCKETIZER_DOC).table.to_pylist() == [{"features": [2.0, 2.0]}]  # doc: [2,2]


def test_quantile_doc_example_and_predict(session):
    assert session.execute(QUANTILE_DOC).table.to_pylist() == [{"features": [1.0, 1.0]}]  # doc: [1,1]
    out = session.execute("predict data1 as Discretizer.`/tmp/model` as p;").table
    assert out.column_names == ["a", "b", "a_v", "b_v"]
    # splits [-inf, 5.1, inf] and [-inf, 3.5, inf]: 4.4 and 2.9 are in bucket 0
    assert out.column("a_v").to_pylist() == [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    assert out.column("b_v").to_pylist() == [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0]


def test_train_output_adds_the_bucket_column(session):
    session.execute(_DATA)
    out = session.execute('train data1 as Discretizer.`m` where inputCol="b" and outputCol="bv" '
                          'and splits="-inf,3.0,3.4,inf" as t;').table
    assert out.column_names == ["a", "b", "bv"]
    assert out.column("bv").to_pylist()[:4] == [2.0, 2.0, 2.0, 0.0]
    default = session.execute('train data1 as Discretizer.`m` where inputCol="a" '
                              'and splits="-inf,0.0,1.0,inf" as t2;').table
    assert default.column_names[2].startswith("bucketizer_") and default.column_names[2].endswith("__output")


def test_spark_bucket_rules():
    splits = [0.0, 1.0, 2.0]
    assert [bucket_of(splits, v, False) for v in (0.0, 0.5, 1.0, 2.0)] == [0.0, 0.0, 1.0, 1.0]
    assert bucket_of(splits, float("nan"), True) == 2.0 and bucket_of(splits, None, True) == 2.0
    with pytest.raises(ByzerError, match="out of Bucketizer bounds \\[0.0, 2.0\\]"):
        bucket_of(splits, 7.0, False)
    with pytest.raises(ByzerError, match="encountered NaN"):
        bucket_of(splits, None, False)


def test_quantile_splits_as_spark():
    # Spark 3.3.4 QuantileDiscretizer(numBuckets=...).fit(...).getSplits on the same values
    assert quantile_splits([5.1] * 7 + [4.4, 4.7, 5.1], 10, 0.001) == [-math.inf, 4.4, 4.7, 5.1, math.inf]
    ties = [float(i % 10) for i in range(200)]
    assert quantile_splits(ties, 4, 0.001) == [-math.inf, 2.0, 4.0, 7.0, math.inf]
    assert quantile_splits(ties, 3, 0.001) == [-math.inf, 3.0, 6.0, math.inf]


def test_bad_input_named(session):
    session.execute(_DATA)
    with pytest.raises(ByzerError, match="strictly increasing"):
        session.execute('train data1 as Discretizer.`m` where inputCol="a" and splits="-inf,1,0,inf";')
    with pytest.raises(ByzerError, match="out of Bucketizer bounds"):
        session.execute('train data1 as Discretizer.`m` where inputCol="a" and splits="0,1,2";')
    with pytest.raises(ByzerError, match="inputCol should be configured"):
        session.execute('train data1 as Discretizer.`m` where splits="-inf,0,inf";')
    with pytest.raises(ByzerError, match="fitParam.0.colour"):
        session.execute('train data1 as Discretizer.`m` where `fitParam.0.colour`="a";')
    with pytest.raises(ByzerError, match="numBuckets` must be at least 2"):
        session.execute('train data1 as Discretizer.`m` where method="quantile" and inputCol="a" and numBuckets="1";')
    with pytest.raises(ByzerError, match="no model at `nowhere`"):
        session.execute("register Discretizer.`nowhere` as f;")
    session.execute('train data1 as Discretizer.`m` where inputCol="a" and splits="-inf,0,inf" as ok;')
    session.execute("register Discretizer.`m` as g;")
    with pytest.raises(ByzerError, match="2 values given"):
        session.execute("select g(array(1.0, 2.0)) as x as y;")
    assert session.table("ok").num_rows == 10  # earlier statements keep their effects
