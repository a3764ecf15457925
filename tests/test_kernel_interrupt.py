"""Interrupting the Byzer kernel during `run command as Ray` cancels the Ray work, gives one error
naming the statement, leaves the progress output saying "interrupted" (not "failed"), and the
kernel answers the next cells."""
import time

import pytest
from jupyter_client.manager import start_new_kernel

from kernelspec_tools import jupyter_path_with_byzer

LONG_RUN = """set rows='''
{"n":1},
{"n":2}
''';
load jsonStr.`rows` as numbers;
!python conf "schema=st(field(n,long))";
!python conf "dataMode=data";
run command as Ray.`` where inputTable="numbers" and outputTable="slow" and code='''
import time
from pyjava.api.mlsql import RayContext
ray_context = RayContext.connect(globals(), None)

def slow(row):
    time.sleep(300)
    return row

ray_context.foreach(slow)
''';"""

# After the interrupt: the CPUs come free, and the state API (served by the embedded Ray's
# dashboard, which an interrupt used to kill) still answers.
AFTER_INTERRUPT = """%%python
import time
from byzer_kernel.runtime import shared_session
from byzer_kernel.runtime.driver_client import cluster_for
view = cluster_for(shared_session())
deadline = time.monotonic() + 60
def busy(status):
    return status["resources"]["CPU"]["used"] > 0 or status["tasks"]["running"] != 0
while time.monotonic() < deadline and busy(view.status()):
    time.sleep(0.5)
status = view.status()
(status["resources"]["CPU"]["used"], status["tasks"]["running"], status["actors"]["alive"], status["errors"])"""


def collect(client, msg_id, until_idle=True, stop=None, timeout=300):
    messages = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if stop is not None and stop(msg):
            return messages
        if until_idle and msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return messages
    raise AssertionError(f"no end of {msg_id} in {timeout}s: {[m['msg_type'] for m in messages]}")


def reply_to(client, msg_id):
    while True:
        reply = client.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def execute(client, code):
    msg_id = client.execute(code)
    messages = collect(client, msg_id)
    return reply_to(client, msg_id), messages


def is_progress(msg) -> bool:
    return (msg["msg_type"] in ("display_data", "update_display_data")
            and "progress" in msg["content"].get("metadata", {}).get("byzer", {}))


def text_of(msg) -> str:
    return msg["content"].get("data", {}).get("text/plain", "")


@pytest.mark.ray
def test_interrupt_cancels_the_run_and_the_kernel_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path_with_byzer(tmp_path / "spec"))
    monkeypatch.setenv("BYZER_HOME", str(tmp_path))
    monkeypatch.delenv("BYZER_RAY_ADDRESS", raising=False)
    manager, client = start_new_kernel(kernel_name="byzer")
    try:
        msg_id = client.execute(LONG_RUN)
        started = collect(client, msg_id, until_idle=False, timeout=180,
                          stop=lambda m: is_progress(m) and "— running: 0/2 partitions" in text_of(m))
        manager.interrupt_kernel()  # the partitions were handed to Ray: the progress shows them
        # While the embedded Ray started, the progress output said so.
        assert any("— starting Ray: " in text_of(m) for m in started if is_progress(m))
        messages = started + collect(client, msg_id)
        reply = reply_to(client, msg_id)
        assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
        errors = [m for m in messages if m["msg_type"] == "error"]
        assert len(errors) == 1
        assert errors[0]["content"]["traceback"][0].startswith("KeyboardInterrupt at line 8:1 in `run command as Ray")
        progress = [m for m in messages if is_progress(m)]
        assert progress[0]["msg_type"] == "display_data"
        final = progress[-1]
        assert final["msg_type"] == "update_display_data"
        assert final["content"]["metadata"]["byzer"]["progress"] == "interrupted"
        assert "— interrupted after " in text_of(final) and "failed" not in text_of(final)
        assert "byzer-progress-interrupted" in final["content"]["data"]["text/html"]

        reply, messages = execute(client, AFTER_INTERRUPT)
        assert reply["status"] == "ok", reply
        results = [text_of(m) for m in messages if m["msg_type"] == "execute_result"]
        assert results == ["(0.0, 0, 0, [])"], results
        reply, messages = execute(client, "select n + 1 as m from numbers as next_one;")
        assert reply["status"] == "ok"
        assert "| 3 |" in [text_of(m) for m in messages if m["msg_type"] == "execute_result"][0]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
