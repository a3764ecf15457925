"""The engine's built-in ETs, one small module each; `install` puts them in a Session's `ets`
(other layers add theirs, e.g. the runtime's `Ray`). docs/spec.md §13 lists them."""
from __future__ import annotations

from .base import ET, Param

BUILTIN: list[type] = []  # ET classes, in the order their modules register them


def builtin_et(cls: type) -> type:
    """Class decorator of an ET module: the class joins every new Session's ETs."""
    BUILTIN.append(cls)
    return cls


def install(session) -> None:
    _load_modules()
    for cls in BUILTIN:
        session.ets.setdefault(cls.name, cls())


def _load_modules() -> None:
    """Import every ET module of this package once (each registers itself)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if module.name not in ("base",):
            importlib.import_module(f"{__name__}.{module.name}")


__all__ = ["ET", "Param", "builtin_et", "install"]
