"""The session's Spark in the cluster status view (docs/reference/progress.md, "The cluster
status"; engine/spark/status.py gives the facts, widgets.py renders them), against the local Spark
of the tests (tests/spark_local.py: local[2], no UI, so executors come from the status tracker)."""
import io

import pytest

from byzer_kernel import widgets
from byzer_kernel.cli_stderr import StderrEvents
from byzer_kernel.runtime import create_session
from spark_local import local_spark  # noqa: F401  (fixture: one local[2] Spark)


@pytest.fixture
def runtime_session(tmp_path, monkeypatch):
    """A runtime session (with `!ray`), on the engine the test's environment chooses."""
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    made = []

    def make(engine):
        monkeypatch.setenv("BYZER_ENGINE", engine)
        monkeypatch.setenv("BYZER_SPARK_MASTER", "local[2]")
        made.append(create_session(home=str(tmp_path)))
        return made[-1]

    yield make
    for session in made:
        session.close()


def printed_status(session) -> str:
    stream = io.StringIO()
    assert session.execute("!ray status;", StderrEvents(stream)).table is None
    return stream.getvalue()


def test_duckdb_sessions_show_no_spark(runtime_session):
    session = runtime_session("duckdb")
    status = widgets.read_status(session)
    assert status["spark"] is None
    assert "Spark" not in widgets.status_text(status) and "Spark" not in widgets.status_html(status)
    assert "Spark" not in printed_status(session)


def test_spark_chosen_but_not_started_says_so_and_starts_nothing(runtime_session):
    session = runtime_session("spark")
    status = widgets.read_status(session)
    assert status["spark"] == {"started": False, "master": "local[2]"}
    said = ("Spark: not started (starts on local[2] at the first statement that needs it)")
    assert said in widgets.status_text(status).splitlines()
    assert said in widgets.status_html(status)
    assert said in printed_status(session)
    assert not session.spark.running


def test_a_running_spark_shows_its_application_and_executors(runtime_session, local_spark):  # noqa: F811
    session = runtime_session("spark")
    session.execute("select 1 as a as t;")
    spark = widgets.read_status(session)["spark"]
    context = local_spark.sparkContext
    assert spark["started"] and spark["master"] == "local[2]" and spark["version"] == local_spark.version
    assert spark["app_id"] == context.applicationId and spark["errors"] == []
    assert spark["ui"] is None  # the tests' Spark runs without its UI
    executors = spark["executors"]
    assert executors["count"] == 1 and executors["cores"] == 2 and executors["memory"] > 0
    lines = printed_status(session).splitlines()
    assert f"Spark {local_spark.version}: local[2], application {context.applicationId}" in lines
    memory = widgets.amount("memory", executors["memory"])
    assert f"Spark executors: 1, 2 cores, {memory} storage memory" in lines
    assert "Spark UI: not running" in lines
    assert lines[0].startswith("Ray: not connected")  # Spark beside Ray, which it does not start
    page = widgets.status_html(widgets.read_status(session))
    assert 'class="byzer-status-spark"' in page and "executors: <b>1</b> · cores: <b>2</b>" in page
    assert "Spark UI not running" in page


def test_the_spark_ui_is_a_styled_link():
    spark = {"started": True, "master": "spark://10.0.0.5:7077", "version": "4.3.0", "app_id": "app-1",
             "ui": "http://10.0.0.5:4040", "connect": False, "errors": [],
             "executors": {"count": 2, "cores": 8, "memory": 2 * 1024 ** 3}}
    page = widgets.spark_html(spark)
    assert ('<a class="byzer-spark-ui-link" href="http://10.0.0.5:4040" target="_blank" rel="noopener"'
            in page) and "Spark UI ↗</a>" in page and "border-radius:12px" in page
    assert widgets.spark_text(spark) == ["Spark 4.3.0: spark://10.0.0.5:7077, application app-1",
                                         "Spark executors: 2, 8 cores, 2.0 GiB storage memory",
                                         "Spark UI: http://10.0.0.5:4040"]
