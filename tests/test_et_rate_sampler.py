"""RateSampler (byzer-lang SQLRateSampler): Byzer's documented example (byzer-doc
ml/feature/rate_sample.md, also the ET's codeExample) run verbatim; the exact split's rows."""
import pyarrow as pa
import pytest

from byzer_kernel.engine.ets.rate_sampler import RateSampler
from byzer_kernel.lang.errors import ByzerError


def test_documented_example_marks_every_row_grouped_by_label(session):
    out = session.execute(RateSampler.code_example).table
    assert out.column_names == ["features", "label", "__split__"]
    assert out.schema.field("__split__").type == pa.int32()
    rows = out.to_pylist()
    assert len(rows) == 10
    assert {r["__split__"] for r in rows} <= {0, 1}
    # Byzer's partitions: the least frequent label (1.0: 3 rows) first, input order within a label
    assert [r["label"] for r in rows] == [1.0] * 3 + [0.0] * 7
    assert [r["features"][0] for r in rows[3:6]] == [5.1, 5.1, 4.4]
    # the doc's follow-up selects split the table in two
    train = session.execute("select * from marked_dataset where __split__=0 as trainingTable;").table
    test = session.execute("select * from marked_dataset where __split__=1 as validateTable;").table
    assert train.num_rows + test.num_rows == 10


def test_random_split_follows_the_rate(session):
    session.catalog.register("big", pa.table({"label": [i % 2 for i in range(20000)]}))
    out = session.execute('train big as RateSampler.`` where sampleRate="0.7,0.3" as m;').table
    share = pa.compute.sum(pa.compute.equal(out["__split__"], 0)).as_py() / out.num_rows
    assert out.num_rows == 20000 and 0.65 < share < 0.75  # ~30 standard deviations of room


def test_exact_split_takes_floors_and_skips_a_row_per_share_as_byzer(session):
    session.execute(RateSampler.code_example.split("train data")[0])
    out = session.execute('train data as RateSampler.`/tmp/model` where labelCol="label" '
                          'and sampleRate="0.7,0.3" and isSplitWithSubLabel="true" as m;').table
    # label 0: 7 rows -> rows 0-3 (floor 4.9) get 0, row 4 skipped, rows 5-6 (floor 2.1) get 1;
    # label 1: 3 rows -> rows 0-1 get 0, row 2 skipped, floor(0.9) = 0 rows get 1
    assert [(r["label"], r["__split__"]) for r in out.to_pylist()] == \
        [(0.0, 0)] * 4 + [(0.0, 1)] * 2 + [(1.0, 0)] * 2
    assert [r["features"][0] for r in out.to_pylist()][:4] == [5.1, 5.1, 4.4, 5.1]


def test_labels_truncate_to_int_and_bad_input_is_named(session):
    session.catalog.register("t", pa.table({"y": [0.2, 0.9, 1.5, 1.0], "s": ["a", "b", "c", "d"]}))
    out = session.execute('train t as RateSampler.`` where labelCol="y" and sampleRate="0.5,0.5" '
                          'and isSplitWithSubLabel="true" as m;').table
    assert out.column("y").to_pylist() == [0.2, 1.5]  # labels 0 (0.2, 0.9) and 1 (1.5, 1.0)
    with pytest.raises(ByzerError, match="int/double/float/long"):
        session.execute('train t as RateSampler.`` where labelCol="s" as m;')
    with pytest.raises(ByzerError, match="Sum of sampleRates should equal to 1"):
        session.execute('train t as RateSampler.`` where labelCol="y" and sampleRate="0.7,0.7" as m;')
    with pytest.raises(ByzerError, match="seed"):
        session.execute('train t as RateSampler.`` where labelCol="y" and seed="1" as m;')
    with pytest.raises(ByzerError, match="labelCol `nope`"):
        session.execute('train t as RateSampler.`` where labelCol="nope" as m;')
    assert session.table("m").num_rows == 2  # earlier statements keep their effects
