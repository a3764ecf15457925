"""Spark 3.3's answers (values, types, column names) for every example of its function
documentation and for everyday query shapes, against the project's (tests/sparksql/).

A query listed in tests/sparksql/known_differences.txt must still differ (the list stays honest);
every other query must give Spark's answer. No JVM: the answers are recorded golden files."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "sparksql"))
import conformance  # noqa: E402

ENTRIES = conformance.golden()
KNOWN = conformance.known_differences()


@pytest.fixture(scope="module")
def session():
    session = conformance.new_session()
    yield session
    session.close()


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry["id"] for entry in ENTRIES])
def test_answers_as_spark(session, entry):
    conformance.assert_answer(entry, conformance.compare(session, entry), KNOWN, "known_differences.txt")


def test_known_differences_name_real_queries_with_reasons():
    conformance.assert_listed_are_real(KNOWN, ENTRIES)
