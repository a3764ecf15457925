"""Python and Ray: the `Ray` ET, pyjava contexts, data servers and the cluster connection."""
from __future__ import annotations

import threading
from typing import Optional

from ..engine import Session

_shared: Optional[Session] = None
_shared_lock = threading.Lock()


def install(session: Session) -> Session:
    """Give an engine Session the Python/Ray capabilities (`run ... as Ray`, `!ray ...`)."""
    from .ray_et import install as install_ray

    install_ray(session)
    return session


def create_session(**kwargs) -> Session:
    return install(Session(**kwargs))


def shared_session() -> Session:
    """The one Session of this process, shared by the kernel and the %%byzer magic (docs/design.md §4.3)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = create_session()
        return _shared


def current_session() -> Optional[Session]:
    """The shared Session if one was made, else None: for callers that must never start one
    (completion, inspection, shutdown)."""
    return _shared


def close_shared_session() -> None:
    """Close the shared Session (its Ray connection, refreshers...); the next shared_session()
    makes a new one. The kernel calls it on shutdown."""
    global _shared
    with _shared_lock:
        session, _shared = _shared, None
    if session is not None:
        session.close()
