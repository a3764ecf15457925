"""Environment variables set for a while, in this process only (the driver process)."""
from __future__ import annotations

import contextlib
import os


@contextlib.contextmanager
def temporary_environ(values: dict):
    """Set `values` in os.environ for the block; afterwards every name has its earlier value (or
    is absent again), whatever the block did."""
    saved = snapshot(values)
    os.environ.update({str(k): str(v) for k, v in values.items()})
    try:
        yield
    finally:
        restore(saved)


def snapshot(names) -> dict:
    """name -> its value now, or None where it is not set."""
    return {name: os.environ.get(name) for name in names}


def restore(saved: dict) -> None:
    """Put back what snapshot() saw: earlier values, and absence where there was none."""
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
