"""Byzer variables (SPEC §2.2): request- and session-scoped values, rendered into statement text.

Minimal first version (full scope/visibility/re-render handling follows)."""
from __future__ import annotations

import re

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class Variables:
    def __init__(self):
        self._session: dict[str, str] = {}
        self._request: dict[str, str] = {}

    def begin_request(self) -> None:
        self._request = {}

    def end_request(self) -> None:
        self._request = {}

    def set(self, key: str, value: str, *, scope: str = "request", visible: bool = True) -> None:
        (self._session if scope == "session" else self._request)[key] = value

    def get(self, name: str, default=None):
        if name in self._request:
            return self._request[name]
        return self._session.get(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self._request or name in self._session

    def names(self) -> list:
        return list({**self._session, **self._request})

    def items(self) -> list:
        return list({**self._session, **self._request}.items())

    def render(self, text: str, for_select: bool = False) -> str:
        if "$" not in text:
            return text
        env = dict(self.items())

        def substitute(m):
            name = m.group(1) or m.group(2)
            return env[name] if name in env else m.group(0)

        return _REF.sub(substitute, text)
