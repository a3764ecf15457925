"""What changes in pyjava and Ray while the user's code runs, restored afterwards (docs/design.md §4.4).

* `pyjava.api.mlsql.RayContext.connect` is routed to the session's cluster manager.
* Every task and actor the code starts (through `RemoteFunction._remote` / `ActorClass._remote`)
  gets the `!python env` items as environment variables and is recorded, so that an interrupted run
  can cancel/kill what it started.
"""
from __future__ import annotations

import contextlib
import threading

_lock = threading.RLock()
_original_connect = None


def original_connect():
    """pyjava's own `RayContext.connect` (captured before the first patch)."""
    global _original_connect
    if _original_connect is None:
        from pyjava.api.mlsql import RayContext

        _original_connect = RayContext.__dict__["connect"].__func__
    return _original_connect


@contextlib.contextmanager
def routed_connect(routed):
    from pyjava.api.mlsql import RayContext

    with _lock:
        saved = RayContext.__dict__["connect"]
        original_connect()
        RayContext.connect = staticmethod(routed)
        try:
            yield
        finally:
            RayContext.connect = saved


def with_env_vars(runtime_env, env: dict):
    """Merge env vars into a task's runtime_env; variables the code set itself win."""
    if not env:
        return runtime_env
    runtime_env = dict(runtime_env or {})
    runtime_env["env_vars"] = {**env, **(runtime_env.get("env_vars") or {})}
    return runtime_env


class StartedWork:
    """Tasks and actors started during one run."""

    def __init__(self):
        self.task_refs: list = []
        self.actors: list = []

    def cancel_all(self) -> None:
        import ray

        for ref in self.task_refs:
            try:
                ray.cancel(ref, force=True, recursive=True)  # on Ctrl-C only: see run.distribute
            except Exception:  # already finished, or not cancellable: nothing left to stop
                pass
        for actor in self.actors:
            try:
                ray.kill(actor, no_restart=True)
            except Exception:
                pass
        self.task_refs, self.actors = [], []


@contextlib.contextmanager
def track_ray_work(env: dict, started: StartedWork):
    """Imports Ray (it does not start it): a task the code starts later is covered as well.
    Tasks get `max_retries=0` unless the user set it: Ray would silently rerun user code whose
    worker died (docs/design.md §4.7: crashes are user errors)."""
    import ray

    from . import ray_private

    function_cls, actor_cls = ray_private.remote_entry_points()
    original_task, original_actor = function_cls._remote, actor_cls._remote

    def task_remote(self, args=None, kwargs=None, **options):
        options.setdefault("max_retries", 0)  # `.remote()` passes the decorator's options here
        if env:
            options["runtime_env"], options["serialized_runtime_env_info"] = \
                ray_private.task_runtime_env(with_env_vars(options.get("runtime_env"), env))
        result = original_task(self, args, kwargs, **options)
        refs = result if isinstance(result, list) else [result]
        started.task_refs.extend(r for r in refs if isinstance(r, ray.ObjectRef))
        return result

    def actor_remote(self, args=None, kwargs=None, **options):
        if env:
            options["runtime_env"] = ray_private.actor_runtime_env(
                with_env_vars(options.get("runtime_env"), env))
        handle = original_actor(self, args, kwargs, **options)
        started.actors.append(handle)
        return handle

    with _lock:
        function_cls._remote, actor_cls._remote = task_remote, actor_remote
        try:
            yield
        finally:
            function_cls._remote, actor_cls._remote = original_task, original_actor
