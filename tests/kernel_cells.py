"""Talking to a real kernel through a jupyter_client client, for the tests that start one: run a
cell and collect what it shows, ask for completions."""
import time


def run_cell(client, code: str, timeout: float = 300) -> list:
    """The iopub messages of one cell, up to its idle status, after checking that its
    execute_reply says ok."""
    msg_id = client.execute(code)
    messages, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = client.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            assert reply["content"]["status"] == "ok", reply["content"]
            return messages


def complete(client, code: str, cursor_pos: int = None, timeout: float = 120) -> dict:
    """The content of the kernel's complete_reply for `code` with the cursor at `cursor_pos`
    (its end by default)."""
    msg_id = client.complete(code, len(code) if cursor_pos is None else cursor_pos)
    while True:
        reply = client.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            assert reply["content"]["status"] == "ok", reply["content"]
            return reply["content"]
