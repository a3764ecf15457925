"""Every use of Ray's private internals, in one place (see pyproject.toml for the Ray range).

Ray has no public hook for what the runtime needs here (adding env vars and a retry default to
every task the user's code starts, recording those tasks for an interrupt). Each accessor checks at
first use that the internal still exists and otherwise raises one clear error naming it, so a Ray
upgrade that moves it fails loudly at the first run instead of misbehaving.
"""
from __future__ import annotations

import importlib
from typing import Any

SUPPORTED_RAY = "ray>=2.60,<2.61"


class RayInternalsChanged(RuntimeError):
    """The installed Ray lacks an internal that byzer_kernel relies on."""


def _lookup(module_name: str, *attributes: str) -> Any:
    try:
        value: Any = importlib.import_module(module_name)
        for attribute in attributes:
            value = getattr(value, attribute)
        return value
    except (ImportError, AttributeError) as error:
        import ray

        dotted = ".".join((module_name, *attributes))
        raise RayInternalsChanged(
            f"this Ray ({ray.__version__}) lacks `{dotted}`, which byzer_kernel uses; "
            f"install {SUPPORTED_RAY}") from error


def remote_entry_points() -> tuple:
    """(RemoteFunction, ActorClass): their `_remote` methods are where every `.remote()` call
    passes, with the options already merged."""
    function_cls = _lookup("ray.remote_function", "RemoteFunction")
    actor_cls = _lookup("ray.actor", "ActorClass")
    for cls in (function_cls, actor_cls):
        if not callable(getattr(cls, "_remote", None)):
            raise RayInternalsChanged(f"{cls.__qualname__}._remote is missing; install {SUPPORTED_RAY}")
    return function_cls, actor_cls


def task_runtime_env(runtime_env: dict) -> tuple:
    """(parsed runtime_env, serialized runtime_env info) as `_remote` expects them for a task:
    tasks take their environment from the form computed at decoration time."""
    parse = _lookup("ray._private.utils", "parse_runtime_env_for_task_or_actor")
    serialize = _lookup("ray._private.utils", "get_runtime_env_info")
    parsed = parse(runtime_env)
    return parsed, serialize(parsed, is_job_runtime_env=False, serialize=True)


def actor_runtime_env(runtime_env: dict):
    return _lookup("ray._private.utils", "parse_runtime_env_for_task_or_actor")(runtime_env)
