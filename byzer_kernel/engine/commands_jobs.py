"""`!show jobs` and `!kill JOB` over the session's job log (engine/jobs.py; docs/spec.md §10.6)."""
from __future__ import annotations

from typing import Optional

import pyarrow as pa

from ..lang.errors import ByzerRuntimeError, UsageError
from ..lang.secrets import mask_secrets, mask_values
from .jobs import KILLED, RUNNING

NO_TIMEOUT = -1  # Byzer's MLSQLJobInfo.timeout when the request set none


def jobs_table(session, key: Optional[str] = None) -> pa.Table:
    """Byzer's MLSQLJobInfo columns (owner, jobType, jobName, jobContent, groupId, startTime in
    epoch milliseconds, timeout) and two of ours: `state` and `elapsed` (seconds). Byzer lists
    only running jobs; the session's whole history is listed here, oldest first."""
    jobs = [session.jobs.find(key)] if key else session.jobs.all()
    return pa.table({
        "owner": pa.array([session.owner] * len(jobs), pa.string()),
        "jobType": pa.array(["script"] * len(jobs), pa.string()),
        "jobName": pa.array([job.name for job in jobs], pa.string()),
        "jobContent": pa.array([mask_values(mask_secrets(job.content), session.secret_values)
                                for job in jobs], pa.string()),
        "groupId": pa.array([job.group_id for job in jobs], pa.string()),
        "startTime": pa.array([int(job.start_time * 1000) for job in jobs], pa.int64()),
        "timeout": pa.array([NO_TIMEOUT] * len(jobs), pa.int64()),
        "state": pa.array([job.state for job in jobs], pa.string()),
        "elapsed": pa.array([round(job.elapsed, 3) for job in jobs], pa.float64()),
    })


def kill_command(session, statement, args, events):
    """`!kill JOB` (jobName or groupId). Byzer answers a table (param, description) that is empty
    when the kill went through and explains otherwise; so does this one."""
    if len(args) != 1:
        raise UsageError("usage: !kill JOB (a jobName or groupId of `!show jobs;`)")
    job = session.jobs.find(args[0])
    if job.state != RUNNING:
        text = f"job {job.name} has already ended ({job.state}); there is nothing to kill"
        events.message(text)
        return "kill", _answer([text])
    if job is session.jobs.current():
        # The job running this statement: it stops here, as a killed Spark job group fails its script.
        job.kill_requested = True
        raise ByzerRuntimeError(f"job {job.name} was killed by !kill; the statements after this one did not run")
    # Another thread's job: only the kernel's interrupt (KeyboardInterrupt in that thread) stops it.
    text = (f"job {job.name} runs in another request; stop it with the kernel's interrupt "
            f"(it is then listed as {KILLED})")
    events.message(text)
    return "kill", _answer([text])


def _answer(descriptions: list) -> pa.Table:
    return pa.table({"param": pa.array([""] * len(descriptions), pa.string()),
                     "description": pa.array(descriptions, pa.string())})
