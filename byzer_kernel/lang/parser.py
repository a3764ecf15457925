"""Placeholder parser (being written): returns an empty Script so the package imports."""
from __future__ import annotations

from .statements import Script


def parse(text: str) -> Script:
    return Script(source=text, statements=[])
