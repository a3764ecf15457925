"""statements -> tables: the Session, one executor per statement kind, formats and SQL."""
from .observer import Observer

__all__ = ["Observer", "Result", "Session"]


def __getattr__(name):
    # The Session loads Arrow and every format: only on first use, so that a front-end importing
    # the Observer starts fast (the kernel warms the Session up in the background).
    if name in ("Result", "Session"):
        from . import session

        return getattr(session, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
