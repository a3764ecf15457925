"""Byzer variables (docs/spec.md §2.2-§2.4): the env that `set` writes and every statement is rendered with.

Byzer keeps one env per request (one `Session.execute`: a cell or a script run); `scope="session"`
values are also kept in a session store that seeds the env of every later request.
"""
from __future__ import annotations

from typing import Iterable, Optional, Union

from ..lang.templates import render as render_template
from ..lang.templates_builtins import date_builtins, template_builtin


def parse_visibility(visible: Union[bool, str, Iterable[str]]) -> bool:
    """True when a variable is visible to `select`; `visible="un_select"` (a comma list) hides it."""
    if isinstance(visible, bool):
        return visible
    names = visible.split(",") if isinstance(visible, str) else list(visible)
    return "un_select" not in {n.strip() for n in names}


class Variables:
    def __init__(self, home: Optional[str] = None, owner: Optional[str] = None):
        self._session: dict[str, str] = {}  # scope=session: survives requests
        self._env: dict[str, str] = {}  # the current request's env (session values included)
        self._hidden: set = set()  # names set with visible="un_select"
        self._session_hidden: set = set()
        self.builtins: dict[str, str] = {"SKIP_AUTH": "true"}
        if home is not None:
            self.builtins["HOME"] = home
        if owner is not None:
            self.builtins["OWNER"] = owner

    # -- request lifetime ---------------------------------------------------------------------
    def begin_request(self) -> None:
        self._env = dict(self._session)
        self._hidden = set(self._session_hidden)

    def end_request(self) -> None:
        """Drop request-scoped variables; session-scoped ones stay visible between requests."""
        self.begin_request()

    # -- access --------------------------------------------------------------------------------
    def set(self, key: str, value: str, *, scope: str = "request",
            visible: Union[bool, str, Iterable[str]] = True) -> None:
        self._env[key] = value
        if parse_visibility(visible):
            self._hidden.discard(key)
        else:
            self._hidden.add(key)
        if scope == "session":
            self._session[key] = value
            self._session_hidden.discard(key)
            if key in self._hidden:
                self._session_hidden.add(key)

    def get(self, name: str, default=None):
        return self._env.get(name, default)

    def __contains__(self, name: str) -> bool:
        return name in self._env

    def names(self) -> list:
        return list(self._env)

    def items(self) -> list:
        return list(self._env.items())

    # -- rendering -----------------------------------------------------------------------------
    def context(self, for_select: bool = False) -> dict:
        """The Velocity context: built-ins, then the variables (a variable may shadow a built-in)."""
        context: dict = {}
        if not for_select:
            context.update(self.builtins)
        context.update(date_builtins())
        context["template"] = template_builtin(self._env)
        if for_select:
            context.update((k, v) for k, v in self._env.items() if k not in self._hidden)
        else:
            context.update(self._env)
        return context

    def render(self, text: str, for_select: bool = False) -> str:
        """Velocity-render text (docs/spec.md §2.4); ``for_select`` hides un_select variables and HOME/OWNER."""
        if "$" not in text and "#" not in text:
            return text
        return render_template(text, self.context(for_select))

    def rerender_all(self) -> None:
        """docs/spec.md §2.3: after a set, render every value against the whole env and keep what changed,
        so that forward references resolve whatever the order of the sets."""
        context = None
        for key, value in list(self._env.items()):
            if not isinstance(value, str) or ("$" not in value and "#" not in value):
                continue
            if context is None:
                context = self.context()
            rendered = render_template(value, context)
            if rendered != value:
                self._env[key] = rendered
                context[key] = rendered  # Byzer updates the env it renders with as it goes
