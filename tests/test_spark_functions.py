"""`register ScriptUDF` functions called from Spark SQL under the Spark engine
(engine/spark/functions.py): the same script gives the same answers, NULLs, types and failure
messages on Spark (local[2], tests/spark_local.py) as on the embedded engine."""
import pytest

from byzer_kernel.engine import Session
from byzer_kernel.lang.errors import PythonCodeError, UnsupportedStatementError
from spark_local import local_spark  # noqa: F401  (fixture: one local[2] Spark)

FUNCTIONS = '''
register ScriptUDF.`` as plus_one where lang="python" and dataType="long" and code=\'\'\'
def apply(self, a):
    return None if a is None else a + 1
\'\'\';
register ScriptUDF.`` as tags where lang="python" and dataType="map(string,array(long))" and code=\'\'\'
def apply(self, s, n):
    return {s: [n, n]} if s is not None else None
\'\'\';
register ScriptUDF.`` as answer where lang="python" and dataType="integer" and code=\'\'\'
def apply(self):
    return 42
\'\'\';
register ScriptUDF.`` as total where lang="python" and udfType="udaf" and className="Total" and code=\'\'\'
from org.apache.spark.sql.types import DataTypes, StructType
import java.lang.Long as l
class Total:
    def inputSchema(self): return StructType().add("a", DataTypes.LongType)
    def bufferSchema(self): return StructType().add("total", DataTypes.LongType)
    def dataType(self): return DataTypes.LongType
    def deterministic(self): return True
    def initialize(self, buffer): buffer.update(0, l(0))
    def update(self, buffer, input):
        if not input.isNullAt(0): buffer.update(0, l(buffer.getLong(0) + input.getLong(0)))
    def merge(self, buffer1, buffer2): buffer1.update(0, l(buffer1.getLong(0) + buffer2.getLong(0)))
    def evaluate(self, buffer): return buffer.getLong(0)
\'\'\';
register ScriptUDF.`` as broken where lang="python" and dataType="long" and code=\'\'\'
def apply(self, a):
    return a // 0
\'\'\';
register ScriptUDF.`` as wrong_type where lang="python" and dataType="long" and code=\'\'\'
def apply(self, a):
    return "nope"
\'\'\';
select * from values (1, 'a', 10), (2, 'b', null), (1, null, 5) as t(k, s, n) as data;
'''
QUERIES = [
    "select k, plus_one(n) as p, tags(s, n) as m, answer() as x from data order by k, p",
    "select k, total(n) as total from data group by k order by k",
]


@pytest.fixture
def engines(local_spark, tmp_path, monkeypatch):  # noqa: F811
    """The same functions registered in an embedded session and in one on Spark."""
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    monkeypatch.setenv("BYZER_SPARK_MASTER", "local[2]")
    made = {}
    for engine in ("duckdb", "spark"):
        monkeypatch.setenv("BYZER_ENGINE", engine)
        made[engine] = Session(home=str(tmp_path / engine))
        made[engine].execute(FUNCTIONS)
    yield made
    for session in made.values():
        session.close()


def answers(session, query):
    """Column names and rows (Spark's Arrow names list elements and nullability its own way)."""
    result = session.execute(f"{query} as out")
    return result.table.column_names, result.table.to_pylist()


def test_spark_answers_as_the_embedded_engine(engines):
    for query in QUERIES:
        assert answers(engines["spark"], query) == answers(engines["duckdb"], query), query
    _, scalar = answers(engines["spark"], QUERIES[0])
    assert scalar == [{"k": 1, "p": 6, "m": None, "x": 42}, {"k": 1, "p": 11, "m": [("a", [10, 10])], "x": 42},
                      {"k": 2, "p": None, "m": [("b", [None, None])], "x": 42}]
    assert answers(engines["spark"], QUERIES[1])[1] == [{"k": 1, "total": 15}, {"k": 2, "total": 0}]


def failure(session, query) -> str:
    with pytest.raises(PythonCodeError) as caught:
        answers(session, query)
    return str(caught.value)


def test_a_failing_function_says_the_same_on_spark(engines):
    # Only rows with k = 1: Spark runs partitions in parallel, so the row that fails first (and is
    # named in the message) is not fixed when the rows differ.
    for query in ("select broken(k) as b from data where k = 1", "select wrong_type(k) as b from data"):
        said = failure(engines["spark"], query)
        assert said == failure(engines["duckdb"], query)
        assert "function `broken` failed at line 3 of its code while called with (" in said or \
            "function `wrong_type` returned 'nope' (str), which is not a value of its dataType long" in said
    assert answers(engines["spark"], "select plus_one(k) as p from data order by p")[1][0] == {"p": 2}  # usable


def test_a_function_registered_again_replaces_the_one_spark_has(engines):
    spark = engines["spark"]
    assert answers(spark, "select plus_one(1) as p")[1] == [{"p": 2}]
    spark.execute('register ScriptUDF.`` as plus_one where lang="python" and dataType="long" and '
                  "code='''\ndef apply(self, a):\n    return a + 100\n''';")
    assert answers(spark, "select plus_one(1) as p")[1] == [{"p": 101}]


def test_scala_functions_stay_unsupported_with_one_message(engines):
    with pytest.raises(UnsupportedStatementError) as caught:
        engines["spark"].execute('register ScriptUDF.`` as f where code="def apply(a: Int) = a";')
    said = str(caught.value)
    assert 'lang="scala" (lang defaults to scala, as in Byzer) is not supported under the Spark engine' in said
    assert 'write the function in Python (lang="python")' in said
