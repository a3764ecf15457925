"""`!show jobs` and `!kill`: every Session.execute call is a job of the session."""
import threading

import pytest

from byzer_kernel.engine import Observer
from byzer_kernel.lang.errors import ByzerError, ByzerRuntimeError, UsageError

JOB_COLUMNS = ["owner", "jobType", "jobName", "jobContent", "groupId", "startTime", "timeout", "state", "elapsed"]


def test_show_jobs_lists_every_run_with_state_and_elapsed_time(session):
    session.execute("\n  select 1 as a as t;\nselect 2 as b as u;")
    with pytest.raises(ByzerError):
        session.execute("select * from nope as x;")
    table = session.execute("!show jobs;").table
    assert table.column_names == JOB_COLUMNS
    rows = table.to_pylist()
    assert [(r["jobName"], r["jobContent"], r["state"]) for r in rows] == [
        ("1", "select 1 as a as t;", "finished"),
        ("2", "select * from nope as x;", "failed"),
        ("3", "!show jobs;", "running"),  # the job showing them
    ]
    assert all(r["owner"] == session.owner and r["jobType"] == "script" and r["timeout"] == -1 for r in rows)
    assert rows[0]["startTime"] <= rows[1]["startTime"] <= rows[2]["startTime"]
    assert all(r["elapsed"] >= 0 for r in rows) and len({r["groupId"] for r in rows}) == 3


def test_show_one_job_by_name_or_group_id(session):
    session.execute("select 1 as a as t;")
    group_id = session.jobs.all()[0].group_id
    by_name = session.execute('!show "jobs/1";').table.to_pylist()
    by_group = session.execute(f"!show jobs {group_id};").table.to_pylist()
    assert by_name == by_group and by_name[0]["jobContent"] == "select 1 as a as t;"


def test_kill_of_an_ended_job_says_it_has_ended(session):
    session.execute("select 1 as a as t;")
    result = session.execute("!kill 1;")
    assert result.table.column_names == ["param", "description"]
    assert result.messages == ["job 1 has already ended (finished); there is nothing to kill"]


def test_kill_of_an_unknown_job_is_a_clear_error(session):
    session.execute("select 1 as a as t;")
    with pytest.raises(ByzerRuntimeError, match=r"line 2:1 .*no job `42` in this session \(jobs: 1, 2;"):
        session.execute("select 2 as b as kept;\n!kill 42;")
    assert "kept" in session.catalog
    with pytest.raises(UsageError, match="usage: !kill JOB"):
        session.execute("!kill;")


def test_kill_of_the_running_job_stops_it_there(session):
    with pytest.raises(ByzerRuntimeError, match=r"line 2:1 .*job 1 was killed by !kill") as error:
        session.execute("select 1 as a as before;\n!kill 1;\nselect 2 as b as after;")
    assert "!kill 1" in str(error.value)
    assert "before" in session.catalog and "after" not in session.catalog
    assert session.jobs.all()[0].state == "killed"


def test_an_interrupt_marks_the_job_killed(session):
    class InterruptOnStart(Observer):
        def statement_started(self, statement):
            raise KeyboardInterrupt  # what the kernel's interrupt raises in the running cell

    with pytest.raises(KeyboardInterrupt):
        session.execute("select 1 as a as t;", InterruptOnStart())
    assert session.jobs.all()[0].state == "killed"


def test_a_job_running_in_another_thread_is_listed_running(session):
    started, release = threading.Event(), threading.Event()

    class Waits(Observer):
        def statement_started(self, statement):
            started.set()
            release.wait(30)  # ended by release.set() below, never by the timeout

    worker = threading.Thread(target=session.execute, args=("select 1 as a as t;", Waits()))
    worker.start()
    try:
        assert started.wait(30)
        states = session.execute("!show jobs;").table.to_pylist()
        assert [(r["jobName"], r["state"]) for r in states] == [("1", "running"), ("2", "running")]
        answer = session.execute("!kill 1;")
        assert "runs in another request" in answer.messages[0]
    finally:
        release.set()
        worker.join()
    assert session.jobs.all()[0].state == "finished"
