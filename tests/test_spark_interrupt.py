"""A kernel interrupt while Spark runs a session's query (engine/spark/interrupts.py): SIGINT to
this process, what the kernel's interrupt is, once Spark's status tracker shows the job running.
The job must be cancelled (it would otherwise run for hours) and the session must go on, its
next statements getting their own answers."""
from interrupting import interrupt_once_running, wait_until
from spark_local import local_spark, spark_session  # noqa: F401  (fixtures: one local[2] Spark)

# Hours of work for two cores; Spark's range checks for a cancelled task as it goes.
ENDLESS = "select sum(id) as s from range(0, 100000000000000) as endless;"


def active_jobs(spark) -> list:
    return list(spark.sparkContext.statusTracker().getActiveJobsIds())


def interrupted(spark, action) -> None:
    """Run `action` and interrupt it once a Spark job runs; the job must then be cancelled."""
    interrupt_once_running(lambda: active_jobs(spark), action, 60)
    wait_until(lambda: not active_jobs(spark), 30, "Spark's job cancelled")


def still_usable(session) -> None:
    for value in ("one", "two"):  # each answer its own: no call reads the interrupted one's
        assert session.execute(f"select '{value}' as v as after").table.to_pylist() == [{"v": value}]


def test_an_interrupted_statement_cancels_its_spark_job(local_spark, spark_session, tmp_path):  # noqa: F811
    spark_session.execute(ENDLESS)  # lazy: nothing runs yet
    interrupted(local_spark, lambda: spark_session.execute(f"save overwrite endless as json.`{tmp_path / 'out'}`;"))
    still_usable(spark_session)


def test_interrupted_rows_of_a_result_cancel_its_spark_job(local_spark, spark_session):  # noqa: F811
    result = spark_session.execute(ENDLESS)
    interrupted(local_spark, lambda: result.shown_table(20))
    still_usable(spark_session)
