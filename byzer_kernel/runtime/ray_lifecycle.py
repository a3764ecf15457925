"""The Ray of this process (the driver process, driver.py): its start, its auth environment, its end.

Only one Ray can be connected per process, so the connection is process-wide (`_active`) and
shared by every session asking for the same place; it is shut down when the last session using it
releases it (a Ray initialised by someone else is adopted for embedded use and never shut down).

The embedded Ray listens on 127.0.0.1 only, and its start waits up to BYZER_RAY_START_TIMEOUT
seconds (default 120: a loaded machine needs more than Ray's fixed 30 s), once more after a failed
attempt whose processes are all stopped first. Ray reads its token from the environment of this
process (never the kernel's): apply_auth_env sets or restores it.
"""
from __future__ import annotations

import logging
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Optional

from ..lang.errors import RayConnectionError
from . import ray_private
from .environment import restore, snapshot, temporary_environ
from .ray_address import EMBEDDED, AddressKind, RayTarget, is_loopback
from .user_errors import error_line

# Embedded Ray sizing, overridable for bigger machines.
EMBEDDED_CPUS_ENV = "BYZER_RAY_NUM_CPUS"
EMBEDDED_STORE_ENV = "BYZER_RAY_OBJECT_STORE_MB"
EMBEDDED_DASHBOARD_ENV = "BYZER_RAY_DASHBOARD"
START_TIMEOUT_ENV = "BYZER_RAY_START_TIMEOUT"
DEFAULT_START_TIMEOUT = 120.0


@dataclass
class ActiveRay:
    """The Ray this process is connected to, and the managers that use it."""

    key: tuple  # (kind, address, token) of what was initialised
    owned: bool  # started/connected by us (so we shut it down)
    dashboard_url: Optional[str]
    users: set = field(default_factory=set)


lock = threading.RLock()
_active: Optional[ActiveRay] = None
_auth_env_saved: Optional[dict] = None


def saved_auth_env() -> dict:
    """The auth variables as they were before this process set any (what Ray itself would use)."""
    return _auth_env_saved if _auth_env_saved is not None else dict(os.environ)


def acquire(target: RayTarget, how: str, token: Optional[str], user) -> "ActiveRay":
    """Initialise Ray for target in this process (or reuse what is already there) for `user`."""
    global _active
    import ray

    key = ray_key(target, token)
    if _active is not None and ray.is_initialized() and _active.key == key:
        _active.users.add(user)
        return _active
    if _active is None and ray.is_initialized() and target.kind is AddressKind.EMBEDDED:
        # Someone (a test fixture, the user's own ray.init) started Ray: serve on it.
        _active = ActiveRay(key, owned=False, dashboard_url=_dashboard_of_current())
        _active.users.add(user)
        return _active
    disconnect_process()
    apply_auth_env(token)
    for attempt in (1, 2):
        try:
            context = _init_ray(target)
            break
        except Exception as error:
            disconnect_process()
            # A fresh head's first Ray client session sometimes fails to start its server
            # process ("Initialization failure from server", or a channel closed at once on a
            # loaded machine); a second one normally works.
            if attempt == 1 and (isinstance(error, ConnectionAbortedError) or (
                    target.kind is AddressKind.CLIENT and isinstance(error, ConnectionError))):
                continue
            if isinstance(error, RayConnectionError):
                raise
            raise RayConnectionError(_init_failure(target, how, error)) from None
    _active = ActiveRay(key, owned=True, dashboard_url=_dashboard_url(context))
    _active.users.add(user)
    return _active


def release(user) -> None:
    """`user` no longer needs Ray; the last one out shuts down a Ray this process started."""
    with lock:
        if _active is not None:
            _active.users.discard(user)
            if not _active.users:
                disconnect_process()


def start_embedded(**overrides) -> Optional[str]:
    """Start the embedded Ray now and hold it for the life of the process (test suites, the
    kernel's warm-up); sessions then reuse it and closing them does not stop it. overrides:
    num_cpus, include_dashboard, object_store_mb. Returns the dashboard URL, if any."""
    global _active
    import ray

    with lock:
        target = EMBEDDED
        if not (_active is not None and _active.key == ray_key(target, None) and ray.is_initialized()):
            disconnect_process()
            apply_auth_env(None)
            context = _init_ray(target, **overrides)  # RayConnectionError when it cannot start
            _active = ActiveRay(ray_key(target, None), owned=True, dashboard_url=_dashboard_url(context))
        _active.users.add("held")
        return _active.dashboard_url


def still_connected(connection) -> bool:
    import ray

    if _active is None or not ray.is_initialized():
        return False
    if connection.kind == AddressKind.CLIENT.value:
        try:
            return bool(ray.util.client.ray.is_connected())
        except Exception:
            return False
    return True


def _job_config_with_sys_path():
    """Workers on this machine get the driver's sys.path (Ray's own mechanism for the script
    directory), so code pickled by reference imports there as it does here. A job-level
    runtime_env would do the same but costs seconds on the first task."""
    return ray_private.job_config_with_sys_path([p for p in sys.path if p and os.path.isdir(p)])


def ray_key(target: RayTarget, token: Optional[str]) -> tuple:
    if target.kind is AddressKind.EMBEDDED:  # ours whatever the token: it authenticates itself
        return (AddressKind.EMBEDDED, None, None)
    return (target.kind, target.init_address(), token)


def _init_ray(target: RayTarget, num_cpus: Optional[int] = None,
              include_dashboard: Optional[bool] = None, object_store_mb: Optional[int] = None):
    import ray

    # User prints reach the notebook; Ray's own start-up chatter (INFO) does not.
    common = dict(namespace="default", log_to_driver=True, logging_level=logging.WARNING)
    _quiet_token_notice()
    if target.kind is AddressKind.EMBEDDED:
        if include_dashboard is None:
            include_dashboard = os.environ.get(EMBEDDED_DASHBOARD_ENV, "1") != "0"
        return _start_embedded_ray(
            address="local",  # never join a cluster named by RAY_ADDRESS by accident
            num_cpus=num_cpus or int(os.environ.get(EMBEDDED_CPUS_ENV) or max(2, os.cpu_count() or 2)),
            object_store_memory=(object_store_mb or int(os.environ.get(EMBEDDED_STORE_ENV) or 256))
            * 1024 ** 2,
            include_dashboard=include_dashboard,
            dashboard_host="127.0.0.1",
            _node_ip_address="127.0.0.1",  # the embedded Ray serves this machine only
            job_config=_job_config_with_sys_path(),
            **common)
    if target.kind is not AddressKind.GCS:
        return ray.init(address=target.init_address(), **common)
    # This process becomes a driver on this machine's node, named by the address it registered
    # with (Ray would otherwise guess it from the GCS host, e.g. 127.0.0.1 for the host's IP).
    common["job_config"] = _job_config_with_sys_path()
    if is_loopback(target.node_ip):
        with ray_private.loopback_node_address():  # Ray would swap 127.0.0.x for the host's IP
            return ray.init(address=target.init_address(), _node_ip_address=target.node_ip, **common)
    return ray.init(address=target.init_address(), _node_ip_address=target.node_ip or None, **common)


# Ray's waits while the embedded Ray starts, all bounded by BYZER_RAY_START_TIMEOUT (a value set in
# the environment by the user wins): the GCS writing its port file (Python, default 30 s), the
# raylet waiting for its dashboard and runtime-env agents (C++, default 30 s), the driver's core
# worker waiting for its node in the GCS (C++, default 10 s). The raylet registering with the GCS
# is a fixed 30 s in Python (ray_private.node_start_wait stretches it).
_START_WAITS = {"RAY_gcs_server_port_wait_time_s": 1, "RAY_agent_register_timeout_ms": 1000,
                "RAY_raylet_start_wait_time_s": 1}


def start_timeout() -> float:
    try:
        value = float(os.environ.get(START_TIMEOUT_ENV) or DEFAULT_START_TIMEOUT)
    except ValueError:
        value = DEFAULT_START_TIMEOUT
    return max(value, 1.0)


def _start_embedded_ray(**init_args):
    """ray.init() for the embedded Ray: every process on 127.0.0.1, a start that may take up to
    BYZER_RAY_START_TIMEOUT, and one more attempt after a failed one, whose processes (a half-
    started Ray leaves them running) are stopped first."""
    import ray

    seconds = start_timeout()
    waits = {name: str(int(seconds * unit)) for name, unit in _START_WAITS.items()
             if name not in os.environ}
    for attempt in (1, 2):
        before = _descendants()
        try:
            with temporary_environ(waits), ray_private.loopback_node_address(), \
                    ray_private.node_start_wait(seconds):
                return ray.init(**init_args)
        except Exception as error:
            _stop_attempt(before)
            if attempt == 2:
                raise RayConnectionError(
                    f"the embedded local Ray did not start (twice, {seconds:g} s each; "
                    f"{START_TIMEOUT_ENV} sets the time): {type(error).__name__}: "
                    f"{error_line(error)}") from None


def _descendants() -> list:
    import ray  # noqa: F401  (puts Ray's bundled psutil on sys.path)
    import psutil

    try:
        return psutil.Process().children(recursive=True)
    except psutil.Error:
        return []


def _stop_attempt(before: list) -> None:
    """Stop every process a failed start left: the processes started since (this process's new
    descendants) and any other process naming their Ray session directory (agents whose raylet
    is gone are no longer descendants)."""
    import ray
    import psutil

    try:
        ray.shutdown()
    except Exception:  # a half-started Ray may fail its own shutdown
        pass
    known = {p.pid for p in before}
    started = [p for p in _descendants() if p.pid not in known]
    sessions = set()
    for proc in started:
        try:
            sessions.update(_SESSION_DIR.findall(" ".join(proc.cmdline())))
        except psutil.Error:
            pass
    me = os.getpid()
    if sessions:
        for proc in psutil.process_iter(["pid", "cmdline"]):
            cmdline = " ".join(proc.info.get("cmdline") or [])
            if proc.pid != me and any(session in cmdline for session in sessions):
                started.append(proc)
    for proc in started:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(started, timeout=10)


_SESSION_DIR = re.compile(r"/[^\s=,'\"]*/session_\d{4}-\d\d-\d\d_[\d_-]+")


class _TokenNoticeFilter(logging.Filter):
    """Ray announces on every start that token authentication is on; it is on by design here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Token authentication is enabled")


def _quiet_token_notice() -> None:
    ray_logger = logging.getLogger("ray")
    if not any(isinstance(f, _TokenNoticeFilter) for f in ray_logger.filters):
        ray_logger.addFilter(_TokenNoticeFilter())
        for handler in ray_logger.handlers:
            handler.addFilter(_TokenNoticeFilter())


def _init_failure(target: RayTarget, how: str, error: BaseException) -> str:
    text = error_line(error)
    where = "the embedded local Ray" if target.kind is AddressKind.EMBEDDED else \
        f"the Ray cluster at {target.text} ({how})"
    hint = ""
    if "uthenticat" in text or "token" in text.lower():
        hint = ' (it needs a token: !python conf "rayAuthToken=..." or env BYZER_RAY_AUTH_TOKEN)'
    return f"could not connect to {where}: {type(error).__name__}: {text}{hint}"


def _dashboard_url(context) -> Optional[str]:
    url = getattr(context, "dashboard_url", None) or None
    if url and not url.startswith("http"):
        url = "http://" + url
    return url


def _dashboard_of_current() -> Optional[str]:
    try:
        import ray

        return _dashboard_url(ray.get_runtime_context()) or _dashboard_url(
            ray_private.global_node())
    except Exception:
        return None


def disconnect_process() -> None:
    global _active
    import ray

    active, _active = _active, None
    if active is not None and not active.owned:
        return  # not ours to shut down
    try:
        ray.shutdown()  # also when is_initialized() says False: a dead client still holds state
    except Exception:  # a dead cluster may fail its own shutdown; the process must go on
        pass
    if active is not None and active.key[0] is AddressKind.CLIENT:
        try:  # leave Ray's client mode even when the server is gone, so ray.init works again
            ray.util.client.ray.disconnect()
            ray_private.leave_client_mode()
        except Exception:
            pass


_AUTH_VARS = ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")


def apply_auth_env(token: Optional[str]) -> None:
    """Ray reads its token from the environment (RAY_AUTH_MODE=token, RAY_AUTH_TOKEN) and caches
    it in the C++ layer: set or restore the variables, then refresh Ray's caches."""
    global _auth_env_saved
    if _auth_env_saved is None:
        _auth_env_saved = snapshot(_AUTH_VARS)
    if token:
        os.environ["RAY_AUTH_MODE"] = "token"
        os.environ["RAY_AUTH_TOKEN"] = token
        os.environ.pop("RAY_AUTH_TOKEN_PATH", None)
    else:
        restore(_auth_env_saved)
    ray_private.refresh_auth_config()
