"""A kernel interrupt in a test: SIGINT to this process once the work it should stop has begun
(a query seen running in a database, a job in Spark), never before and never after."""
from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable

import pytest


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def interrupt_once_running(is_running: Callable[[], object], action: Callable[[], object],
                           seconds: float) -> float:
    """Runs `action` in this (the main) thread and sends SIGINT once `is_running()` is true; the
    action must leave with KeyboardInterrupt. Gives the seconds from the start to the interrupt's end."""
    inside, seen = threading.Event(), threading.Event()

    def interrupt(signum, frame):  # Python's own handler, but only while the action runs: a
        if inside.is_set():        # signal that comes late must not stop the rest of the tests
            raise KeyboardInterrupt

    def interrupt_when_running():
        deadline = time.monotonic() + seconds
        while inside.is_set() and time.monotonic() < deadline and not seen.is_set():
            if is_running():
                seen.set()
            time.sleep(0.05)
        if inside.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.signal(signal.SIGINT, interrupt)
    timer = threading.Thread(target=interrupt_when_running, daemon=True)
    try:
        inside.set()
        timer.start()
        began = time.monotonic()
        try:
            with pytest.raises(KeyboardInterrupt):
                action()
        finally:
            inside.clear()
        took = time.monotonic() - began
        timer.join(seconds + 5)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen.is_set(), "the interrupt came before the work began"
    return took
