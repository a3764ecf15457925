"""The Spark SQL golden corpus (Spark 3.3's recorded answers, tests/sparksql/) on the Spark engine:
every query through a Session under BYZER_ENGINE=spark on the tests' local[2] Spark, batched
into few Spark queries from two Sessions at once (tests/sparksql/spark_batches.py), each query
still judged by its own id.

A query listed in tests/sparksql/spark4_differences.txt must still differ (a version
difference of Spark 4 from 3.3, so the list stays honest); every other one must give Spark 3.3's
answer. docs/reference/spark-differences.md must name every listed query of both engines."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "sparksql"))
import conformance  # noqa: E402
import spark_batches  # noqa: E402
from spark_local import local_spark  # noqa: E402,F401  (fixture: one local[2] Spark)

ENTRIES = conformance.golden()
SPARK4 = conformance.known_differences(conformance.SPARK4_KNOWN)
DOC = Path(__file__).parent.parent / "docs" / "reference" / "spark-differences.md"


@pytest.fixture(scope="module")
def problems(local_spark):
    """id -> how the Spark engine's answer differs from the recording, for the whole corpus."""
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("BYZER_ENGINE", "spark")
        environment.setenv("BYZER_SPARK_MASTER", "local[2]")
        sessions = [conformance.new_session() for _ in range(2)]  # two streams of queries
    try:
        yield spark_batches.golden_problems_in_parallel(sessions, ENTRIES)
    finally:
        for session in sessions:
            session.close()


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["id"] for entry in ENTRIES])
def test_spark_engine_answers_as_spark_33(problems, entry):
    conformance.assert_answer(entry, problems[entry["id"]], SPARK4, "spark4_differences.txt")


def test_spark4_differences_name_real_queries_with_reasons():
    conformance.assert_listed_are_real(SPARK4, ENTRIES)


def test_the_differences_page_names_every_listed_query():
    named = set(re.findall(r"`([^`\s]+)`", DOC.read_text()))
    listed = set(SPARK4) | set(conformance.known_differences())
    assert listed - named == set(), f"{DOC.name} should list {sorted(listed - named)} with their reason"
