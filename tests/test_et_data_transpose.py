"""DataTranspose (byzer-extension DataTranspose): its codeExample (also byzer-lang's
streamingpro-it et_data_transpose01.byzer) run verbatim, against the .expected rows."""
import pyarrow as pa
import pytest

from byzer_kernel.engine.ets.data_transpose import DataTranspose
from byzer_kernel.lang.errors import ByzerError

# et_data_transpose01.byzer.expected (Spark's group-by order there is a hash order)
EXPECTED = [("王五", "数学", 65), ("王五", "英语", 90), ("王五", "语文", 87), ("李雷", "数学", 67),
            ("李雷", "英语", 24), ("李雷", "语文", 33), ("宫九", "数学", 77), ("宫九", "英语", 90),
            ("宫九", "语文", 87), ("张三", "数学", 88), ("张三", "英语", 77), ("张三", "语文", 92)]


def test_code_example_pivot_then_unpivot(session):
    result = session.execute(DataTranspose.code_example).table
    pivoted = session.table("data1")
    assert pivoted.schema == pa.schema([("name", pa.string()), ("数学", pa.int64()), ("英语", pa.int64()),
                                        ("语文", pa.int64())])
    assert pivoted.to_pylist() == [
        {"name": "张三", "数学": 88, "英语": 77, "语文": 92}, {"name": "王五", "数学": 65, "英语": 90, "语文": 87},
        {"name": "李雷", "数学": 67, "英语": 24, "语文": 33}, {"name": "宫九", "数学": 77, "英语": 90, "语文": 87}]
    assert result.column_names == ["name", "sbject", "score"]
    rows = [tuple(r.values()) for r in result.to_pylist()]
    assert sorted(rows) == sorted(EXPECTED)
    assert rows[:3] == [("张三", "数学", 88), ("张三", "英语", 77), ("张三", "语文", 92)]  # stack order


def test_pivot_sums_missing_cells_and_null_key(session):
    session.catalog.register("t", pa.table({"k": ["a", "a", "b", "a"], "p": ["x", "x", "y", None],
                                            "v": [1.5, 2.0, 3.0, 4.0]}))
    out = session.execute("run t as DataTranspose.`` where method='pivot' and indexCols='k' "
                          "and inputCol='p' and aggCol='v' as o;").table
    assert out.column_names == ["k", "null", "x", "y"]
    assert out.to_pylist() == [{"k": "a", "null": 4.0, "x": 3.5, "y": None},
                               {"k": "b", "null": None, "x": None, "y": 3.0}]


def test_unpivot_keeps_nulls_and_rejects_mixed_types(session):
    session.catalog.register("w", pa.table({"id": [1, 2], "a": [1, None], "b": [3, 4], "s": ["x", "y"]}))
    out = session.execute("run w as DataTranspose.`` where method='unpivot' and indexCols='id' "
                          "and unPivotCols='a,b' and mergedCol='col' and aggCol='val' as o;").table
    assert out.to_pylist() == [{"id": 1, "col": "a", "val": 1}, {"id": 1, "col": "b", "val": 3},
                               {"id": 2, "col": "a", "val": None}, {"id": 2, "col": "b", "val": 4}]
    with pytest.raises(ByzerError, match="one type"):
        session.execute("run w as DataTranspose.`` where method='unpivot' and indexCols='id' "
                        "and unPivotCols='a,s' and mergedCol='col' and aggCol='val' as o2;")


def test_bad_input_is_named(session):
    session.catalog.register("w", pa.table({"id": [1]}))
    with pytest.raises(ByzerError, match="method"):
        session.execute("run w as DataTranspose.`` where indexCols='id' as o;")
    with pytest.raises(ByzerError, match="inputCol"):
        session.execute("run w as DataTranspose.`` where method='pivot' and indexCols='id' as o;")
    with pytest.raises(ByzerError, match="no column `nope`"):
        session.execute("run w as DataTranspose.`` where method='pivot' and indexCols='nope' "
                        "and inputCol='id' and aggCol='id' as o;")
