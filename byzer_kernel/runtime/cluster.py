"""Ray connection manager (DESIGN §4.5).

    connection = cluster_for(session).connect(code_address, events)   # lazily, once per session
    connection.address / connection.how / connection.embedded
    cluster_for(session).status() -> dict for the status widget
    runtime_env_for(session) -> {"env_vars": {...}} for remote calls (`!python env` items)
    connection_lost_error(session, error) -> RayConnectionError | None   (the runner's hook)
    start_embedded(num_cpus=..., include_dashboard=...)   # hold the embedded Ray (tests, warm-up)

Which Ray serves a run:
1. a configured address wins: `!python conf "rayAddress=..."`, else env `BYZER_RAY_ADDRESS`. It must
   answer: otherwise `RayConnectionError` naming it (within seconds: TCP and gRPC probes first);
2. else the address written in the code (`RayContext.connect(globals(), "host:10001")`) when it
   answers; when it does not, the embedded Ray serves and each such run says so in one line;
3. else (no address, `None`, `local`) the embedded local Ray, started on first need.
Forms of an address: see ray_address.py. Token-authenticated clusters: `!python conf
"rayAuthToken=..."` or env `BYZER_RAY_AUTH_TOKEN` win; with neither, a cluster that asks for a token
gets Ray's own one: env RAY_AUTH_TOKEN, else the file RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token (the
file Ray keeps for clusters started on this machine: `ray start --head` turns token authentication
on when it exists, and `ray.init()` writes it). Ray's own token goes only to addresses of this
machine, unless RAY_AUTH_MODE=token says to send it everywhere (RAY_AUTH_MODE=disabled: never).
The connection's notice names where the token came from, never the token.

The embedded Ray listens on 127.0.0.1 only, and its start waits up to BYZER_RAY_START_TIMEOUT
seconds (default 120: a loaded machine needs more than Ray's fixed 30 s), once more after a failed
attempt whose processes are all stopped first.

Only one Ray can be connected per process, so the connection is process-wide (`_active`) and
shared by every session asking for the same place; it is shut down when the last session using it
closes (a Ray initialised by someone else is adopted for embedded use and never shut down).
"""
from __future__ import annotations

import logging
import os
import re
import sys
import threading
from dataclasses import dataclass, field, replace
from typing import Optional

from ..lang.errors import RayConnectionError
from . import ray_private
from .ray_address import (RayTarget, is_loopback, is_this_machine, local_node_ip,
                          parse_ray_address, resolve_kind, tcp_reachable)

ADDRESS_ENV = "BYZER_RAY_ADDRESS"
TOKEN_ENV = "BYZER_RAY_AUTH_TOKEN"
# Embedded Ray sizing, overridable for bigger machines.
EMBEDDED_CPUS_ENV = "BYZER_RAY_NUM_CPUS"
EMBEDDED_STORE_ENV = "BYZER_RAY_OBJECT_STORE_MB"
EMBEDDED_DASHBOARD_ENV = "BYZER_RAY_DASHBOARD"
START_TIMEOUT_ENV = "BYZER_RAY_START_TIMEOUT"
DEFAULT_START_TIMEOUT = 120.0


@dataclass
class RayConnection:
    address: str  # the address in use ("embedded" for the local Ray)
    how: str  # how it was chosen: "rayAddress", "BYZER_RAY_ADDRESS", "code", "embedded"
    embedded: bool
    dashboard_url: Optional[str] = None
    kind: str = "embedded"  # embedded | client | gcs | auto | adopted
    requested: Optional[str] = None  # the address asked for (configured or in the code)
    notice: Optional[str] = None  # the fallback notice (repeated each run) or the token's source
    token: Optional[str] = field(default=None, repr=False)  # the configured token
    token_source: Optional[str] = None  # where the token sent came from ("~/.ray/auth_token", ...)
    repeat_notice: bool = False


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    source: str  # e.g. "token from rayAuthToken", "token from ~/.ray/auth_token"


@dataclass
class _ActiveRay:
    """The Ray this process is connected to, and the managers that use it."""

    key: tuple  # (kind, address, token) of what was initialised
    owned: bool  # started/connected by us (so we shut it down)
    dashboard_url: Optional[str]
    users: set = field(default_factory=set)


_lock = threading.RLock()
_active: Optional[_ActiveRay] = None
_auth_env_saved: Optional[dict] = None


class ClusterManager:
    def __init__(self, session):
        self.session = session
        self.connection: Optional[RayConnection] = None

    # -- what the session asks for -------------------------------------------------------------
    def configured_address(self) -> tuple[Optional[str], Optional[str]]:
        conf = (self.session.python_conf.get("rayAddress") or "").strip()
        if conf:
            return conf, "rayAddress"
        env = os.environ.get(ADDRESS_ENV, "").strip()
        if env:
            return env, ADDRESS_ENV
        return None, None

    def auth_token(self) -> Optional[str]:
        token = self._configured_token()
        return token.value if token else None

    def _configured_token(self) -> Optional[_Token]:
        conf = (self.session.python_conf.get("rayAuthToken") or "").strip()
        if conf:
            return _Token(conf, "token from rayAuthToken")
        env = os.environ.get(TOKEN_ENV, "").strip()
        return _Token(env, f"token from {TOKEN_ENV}") if env else None

    # -- connect ---------------------------------------------------------------------------------
    def connect(self, code_address: Optional[str] = None, events=None) -> RayConnection:
        """Make Ray ready in this process for this session and say which Ray it is."""
        with _lock:
            configured, how = self.configured_address()
            token = self._configured_token()
            requested = configured if configured else code_address
            current = self.connection
            if (current is not None and current.requested == requested
                    and current.token == (token.value if token else None)
                    and _still_connected(current)):
                if current.notice and current.repeat_notice and events is not None:
                    events.message(current.notice)
                return current
            if configured:
                connection = self._connect_configured(configured, how, token)
            else:
                connection = self._connect_code(code_address, token, events)
            connection.requested, connection.token = requested, token.value if token else None
            if connection.token_source and not connection.notice:
                where = connection.address
                if requested and requested != where:  # auto -> the address it found
                    where = f"{requested} ({where})"
                connection.notice = (f"Ray at {where} uses token authentication: sent the "
                                     f"{connection.token_source}")
                if events is not None and not token:  # Ray's own token: say which one went out
                    events.message(connection.notice)
            self.connection = connection
            return connection

    def _connect_configured(self, text: str, how: str, token: Optional[_Token]) -> RayConnection:
        target = parse_ray_address(text)
        if target.kind == "embedded":
            return self._use(target, how, None)
        target, token, reason = _reach(target, token)
        if reason is not None:
            raise RayConnectionError(f"the Ray cluster at {text} ({how}) {reason}")
        return self._use(target, how, token)

    def _connect_code(self, text: Optional[str], token: Optional[_Token], events) -> RayConnection:
        target = parse_ray_address(text) if text else RayTarget("embedded", "local")
        reason = None
        if target.kind != "embedded":
            target, token, reason = _reach(target, token)
        if reason is None and target.kind != "embedded":
            try:
                return self._use(target, "code", token)
            except RayConnectionError as error:
                reason = f"could not be used ({error.message})"
        if reason is None:
            return self._use(RayTarget("embedded", "local"), "embedded", None)
        notice = f"Ray at {text} {reason}; using the embedded local Ray"
        if events is not None:
            events.message(notice)
        connection = self._use(RayTarget("embedded", "local"), "embedded", None)
        connection.notice, connection.repeat_notice = notice, True
        return connection

    def _use(self, target: RayTarget, how: str, token: Optional[_Token]) -> RayConnection:
        """Initialise Ray for target in this process (or reuse what is already there)."""
        connection = self._init(target, how, token.value if token else None)
        if token is not None and not connection.embedded:
            connection.token_source = token.source
        return connection

    def _init(self, target: RayTarget, how: str, token: Optional[str]) -> RayConnection:
        global _active
        import ray

        key = _key(target, token)
        if _active is not None and ray.is_initialized() and _active.key == key:
            _active.users.add(id(self))
            return self._connection_for(target, how, _active)
        if _active is None and ray.is_initialized() and target.kind == "embedded":
            # Someone (a test fixture, the user's own ray.init) started Ray: serve on it.
            _active = _ActiveRay(key, owned=False, dashboard_url=_dashboard_of_current())
            _active.users.add(id(self))
            return self._connection_for(target, how, _active)
        _disconnect_process()
        _apply_auth_env(token)
        for attempt in (1, 2):
            try:
                context = _init_ray(target)
                break
            except Exception as error:
                _disconnect_process()
                # A fresh head's first Ray client session sometimes fails to start its server
                # process ("Initialization failure from server"); a second one normally works.
                if attempt == 1 and isinstance(error, ConnectionAbortedError):
                    continue
                if isinstance(error, RayConnectionError):
                    raise
                raise RayConnectionError(_init_failure(target, how, error)) from None
        _active = _ActiveRay(key, owned=True, dashboard_url=_dashboard_url(context))
        _active.users.add(id(self))
        return self._connection_for(target, how, _active)

    def _connection_for(self, target: RayTarget, how: str, active: _ActiveRay) -> RayConnection:
        embedded = target.kind == "embedded"
        address = "embedded" if embedded else (target.init_address() or target.text)
        kind = target.kind if active.owned else "adopted"
        return RayConnection(address, how, embedded, active.dashboard_url, kind)

    # -- failures, status, close -------------------------------------------------------------
    def connection_lost(self, error: BaseException) -> RayConnectionError:
        """Turn a Ray failure seen during a run into one clear error and forget the connection,
        so that the next run connects afresh (the session stays usable)."""
        with _lock:
            where = self.connection.address if self.connection else "(none)"
            self.connection = None
            _disconnect_process()
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return RayConnectionError(
            f"the Ray cluster at {where} stopped answering during the run "
            f"({type(error).__name__}: {first[:200]}); the next run connects again")

    def status(self) -> dict:
        from .cluster_status import cluster_status

        configured, how = self.configured_address()
        return cluster_status(self.connection, configured, how)

    def close(self) -> None:
        with _lock:
            if _active is not None:
                _active.users.discard(id(self))
                if not _active.users:
                    _disconnect_process()
            self.connection = None


def cluster_for(session) -> ClusterManager:
    manager = getattr(session, "_cluster_manager", None)
    if manager is None:
        manager = ClusterManager(session)
        session._cluster_manager = manager
        session.close_hooks.append(manager.close)
    return manager


def start_embedded(**overrides) -> Optional[str]:
    """Start the embedded Ray now and hold it for the life of the process (test suites, the
    kernel's warm-up); sessions then reuse it and closing them does not stop it. overrides:
    num_cpus, include_dashboard, object_store_mb. Returns the dashboard URL, if any."""
    global _active
    import ray

    with _lock:
        target = RayTarget("embedded", "local")
        if not (_active is not None and _active.key == _key(target, None) and ray.is_initialized()):
            _disconnect_process()
            _apply_auth_env(None)
            context = _init_ray(target, **overrides)  # RayConnectionError when it cannot start
            _active = _ActiveRay(_key(target, None), owned=True, dashboard_url=_dashboard_url(context))
        _active.users.add("held")
        return _active.dashboard_url


def connection_lost_error(session, error: BaseException) -> Optional[RayConnectionError]:
    """For the runner: when `error` (raised while code ran) means the cluster went away, the one
    clear RayConnectionError to raise instead (the connection is dropped, so the session stays
    usable); None when the error is the code's own."""
    manager = getattr(session, "_cluster_manager", None)
    if manager is None or manager.connection is None:
        return None
    if not _is_connection_failure(error):
        return None
    if _still_connected(manager.connection) and _answers(manager.connection):
        return None
    return manager.connection_lost(error)


def _is_connection_failure(error: BaseException) -> bool:
    if isinstance(error, ConnectionError):
        return True
    try:
        from ray import exceptions

        return isinstance(error, (exceptions.RaySystemError, exceptions.NodeDiedError,
                                  exceptions.ObjectLostError, exceptions.LocalRayletDiedError))
    except (ImportError, AttributeError):
        return False


def _answers(connection: RayConnection) -> bool:
    if connection.embedded:
        return True
    try:
        target = parse_ray_address(connection.address.replace("ray://", ""))
    except RayConnectionError:
        return False
    return target.kind in ("auto",) or tcp_reachable(target.host, target.port)


def runtime_env_for(session) -> dict:
    """runtime_env for Ray tasks and actors: `!python env` items become their OS environment
    (SPEC §5.3), as they do for Byzer's Python processes, with PY_EXECUTE_USER added."""
    env_vars = {"PY_EXECUTE_USER": str(session.owner)}
    env_vars.update({str(k): str(v) for k, v in session.python_env.items()})
    return {"env_vars": env_vars}


# -- reaching a cluster ---------------------------------------------------------------------------
def _reach(target: RayTarget, token: Optional[_Token]):
    """(target with its kind settled, the token to send, None) when a Ray answers at target and
    can serve this process; (target, token, why not) otherwise. Seconds at most, never Ray's own
    minute-long waits: TCP and gRPC probes, the cluster's node table for a GCS."""
    if target.kind == "auto":
        found = ray_private.local_cluster_address()
        if not found:
            return target, token, ("found no Ray cluster started with `ray start` on this machine "
                                   "(nor env RAY_ADDRESS)")
        target = replace(parse_ray_address(found), text=target.text)
    if not tcp_reachable(target.host, target.port):
        return target, token, "did not answer"
    answering = resolve_kind(target, token.value if token else None)
    if answering.kind == "refused" and token is None:
        ambient = _ambient_token(target)
        if ambient is not None:
            answering, token = resolve_kind(target, ambient.value), ambient
    if answering.kind == "refused":
        if token is None:
            return target, token, ('refused the connection: it uses token authentication and '
                                   'needs its token (!python conf "rayAuthToken=..." or env '
                                   f'{TOKEN_ENV})')
        return target, token, (f"refused the {token.source}: it uses token authentication with "
                               f'another token (!python conf "rayAuthToken=..." or env {TOKEN_ENV})')
    if answering.kind == "none":
        return target, token, "answered but is not a Ray GCS or Ray client server"
    if answering.kind == "gcs":
        node_ip, nodes = local_node_ip(answering, token.value if token else None)
        if node_ip is None and nodes:
            return answering, token, (
                f"is the GCS of a Ray cluster with no node on this machine (its nodes: "
                f"{', '.join(sorted(set(nodes))[:5])}); a GCS address serves only on a node of the "
                f"cluster: use its Ray client address, e.g. ray://{answering.host}:10001")
        answering = replace(answering, node_ip=node_ip or "")
    return answering, token, None


def _ambient_token(target: RayTarget) -> Optional[_Token]:
    """The token Ray itself would use (env RAY_AUTH_TOKEN, else the file RAY_AUTH_TOKEN_PATH or
    ~/.ray/auth_token), for a cluster on this machine, or for any with RAY_AUTH_MODE=token."""
    saved = _auth_env_saved if _auth_env_saved is not None else os.environ
    mode = (saved.get("RAY_AUTH_MODE") or "").strip().lower()
    if mode == "disabled" or (mode != "token" and not is_this_machine(target.host)):
        return None
    if (saved.get("RAY_AUTH_TOKEN") or "").strip():
        return _Token(saved["RAY_AUTH_TOKEN"].strip(), "token from RAY_AUTH_TOKEN")
    path = saved.get("RAY_AUTH_TOKEN_PATH")
    where = f"{path} (RAY_AUTH_TOKEN_PATH)" if path else "~/.ray/auth_token"
    try:
        with open(path or os.path.expanduser("~/.ray/auth_token")) as handle:
            value = handle.read().strip()
    except OSError:
        return None
    return _Token(value, f"token from {where}") if value else None


# -- process-wide Ray ----------------------------------------------------------------------------
def _still_connected(connection: RayConnection) -> bool:
    import ray

    if _active is None or not ray.is_initialized():
        return False
    if connection.kind == "client":
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


def _key(target: RayTarget, token: Optional[str]) -> tuple:
    if target.kind == "embedded":  # ours whatever the token: it authenticates itself
        return ("embedded", None, None)
    return (target.kind, target.init_address(), token)


def _init_ray(target: RayTarget, num_cpus: Optional[int] = None,
              include_dashboard: Optional[bool] = None, object_store_mb: Optional[int] = None):
    import ray

    # User prints reach the notebook; Ray's own start-up chatter (INFO) does not.
    common = dict(namespace="default", log_to_driver=True, logging_level=logging.WARNING)
    _quiet_token_notice()
    if target.kind == "embedded":
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
    if target.kind != "gcs":
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
        os.environ.update(waits)
        try:
            with ray_private.loopback_node_address(), ray_private.node_start_wait(seconds):
                return ray.init(**init_args)
        except Exception as error:
            _stop_attempt(before)
            if attempt == 2:
                raise RayConnectionError(
                    f"the embedded local Ray did not start (twice, {seconds:g} s each; "
                    f"{START_TIMEOUT_ENV} sets the time): {type(error).__name__}: "
                    f"{_first_line(error)}") from None
        finally:
            for name in waits:
                os.environ.pop(name, None)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__


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
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    where = "the embedded local Ray" if target.kind == "embedded" else \
        f"the Ray cluster at {target.text} ({how})"
    hint = ""
    if "uthenticat" in text or "token" in text.lower():
        hint = ' (it needs a token: !python conf "rayAuthToken=..." or env BYZER_RAY_AUTH_TOKEN)'
    return f"could not connect to {where}: {type(error).__name__}: {text[:300]}{hint}"


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


def _disconnect_process() -> None:
    global _active
    import ray

    active, _active = _active, None
    if active is not None and not active.owned:
        return  # not ours to shut down
    try:
        ray.shutdown()  # also when is_initialized() says False: a dead client still holds state
    except Exception:  # a dead cluster may fail its own shutdown; the process must go on
        pass
    if active is not None and active.key[0] == "client":
        try:  # leave Ray's client mode even when the server is gone, so ray.init works again
            ray.util.client.ray.disconnect()
            ray_private.leave_client_mode()
        except Exception:
            pass


_AUTH_VARS = ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")


def _apply_auth_env(token: Optional[str]) -> None:
    """Ray reads its token from the environment (RAY_AUTH_MODE=token, RAY_AUTH_TOKEN) and caches
    it in the C++ layer: set or restore the variables, then refresh Ray's caches."""
    global _auth_env_saved
    if _auth_env_saved is None:
        _auth_env_saved = {name: os.environ.get(name) for name in _AUTH_VARS}
    if token:
        os.environ["RAY_AUTH_MODE"] = "token"
        os.environ["RAY_AUTH_TOKEN"] = token
        os.environ.pop("RAY_AUTH_TOKEN_PATH", None)
    else:
        for name, value in _auth_env_saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    ray_private.refresh_auth_config()
