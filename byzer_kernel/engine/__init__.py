"""statements -> tables: the Session, one executor per statement kind, formats and SQL."""
from .session import Observer, Result, Session

__all__ = ["Observer", "Result", "Session"]
