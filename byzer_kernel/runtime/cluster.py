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
"rayAuthToken=..."` or env `BYZER_RAY_AUTH_TOKEN` (Ray's RAY_AUTH_MODE=token + RAY_AUTH_TOKEN).

Only one Ray can be connected per process, so the connection is process-wide (`_active`) and
shared by every session asking for the same place; it is shut down when the last session using it
closes (a Ray initialised by someone else is adopted for embedded use and never shut down).
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Optional

from ..lang.errors import RayConnectionError
from .ray_address import RayTarget, parse_ray_address, resolve_kind, tcp_reachable

ADDRESS_ENV = "BYZER_RAY_ADDRESS"
TOKEN_ENV = "BYZER_RAY_AUTH_TOKEN"
# Embedded Ray sizing, overridable for bigger machines.
EMBEDDED_CPUS_ENV = "BYZER_RAY_NUM_CPUS"
EMBEDDED_STORE_ENV = "BYZER_RAY_OBJECT_STORE_MB"
EMBEDDED_DASHBOARD_ENV = "BYZER_RAY_DASHBOARD"


@dataclass
class RayConnection:
    address: str  # the address in use ("embedded" for the local Ray)
    how: str  # how it was chosen: "rayAddress", "BYZER_RAY_ADDRESS", "code", "embedded"
    embedded: bool
    dashboard_url: Optional[str] = None
    kind: str = "embedded"  # embedded | client | gcs | auto | adopted
    requested: Optional[str] = None  # the address asked for (configured or in the code)
    notice: Optional[str] = None  # the one-line fallback notice, when the embedded Ray stood in
    token: Optional[str] = field(default=None, repr=False)


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
        token = (self.session.python_conf.get("rayAuthToken") or "").strip()
        return token or os.environ.get(TOKEN_ENV, "").strip() or None

    # -- connect ---------------------------------------------------------------------------------
    def connect(self, code_address: Optional[str] = None, events=None) -> RayConnection:
        """Make Ray ready in this process for this session and say which Ray it is."""
        with _lock:
            configured, how = self.configured_address()
            token = self.auth_token()
            requested = configured if configured else code_address
            current = self.connection
            if (current is not None and current.requested == requested and current.token == token
                    and _still_connected(current)):
                if current.notice and events is not None:
                    events.message(current.notice)
                return current
            if configured:
                connection = self._connect_configured(configured, how, token)
            else:
                connection = self._connect_code(code_address, token, events)
            connection.requested, connection.token = requested, token
            self.connection = connection
            return connection

    def _connect_configured(self, text: str, how: str, token: Optional[str]) -> RayConnection:
        target = parse_ray_address(text)
        if target.kind == "embedded":
            return self._use(target, how, token)
        if target.kind != "auto":
            answering = _answering(target, token)
            if answering is None or answering.kind in ("none", "refused"):
                raise RayConnectionError(f"the Ray cluster at {text} ({how}) {_why_not(answering)}")
            target = answering
        return self._use(target, how, token)

    def _connect_code(self, text: Optional[str], token: Optional[str], events) -> RayConnection:
        target = parse_ray_address(text) if text else RayTarget("embedded", "local")
        reason = None
        if target.kind not in ("embedded", "auto"):
            answering = _answering(target, token)
            if answering is None or answering.kind in ("none", "refused"):
                reason = _why_not(answering)
            else:
                target = answering
        if reason is None and target.kind != "embedded":
            try:
                return self._use(target, "code", token)
            except RayConnectionError as error:
                reason = f"could not be used ({error.message})"
        if reason is None:
            return self._use(RayTarget("embedded", "local"), "embedded", token)
        notice = f"Ray at {text} {reason}; using the embedded local Ray"
        if events is not None:
            events.message(notice)
        connection = self._use(RayTarget("embedded", "local"), "embedded", token)
        connection.notice = notice
        return connection

    def _use(self, target: RayTarget, how: str, token: Optional[str]) -> RayConnection:
        """Initialise Ray for target in this process (or reuse what is already there)."""
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
            context = _init_ray(target, **overrides)
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


# -- process-wide Ray ----------------------------------------------------------------------------
def _answering(target: RayTarget, token: Optional[str]) -> Optional[RayTarget]:
    if not tcp_reachable(target.host, target.port):
        return None
    return resolve_kind(target, token or _ambient_token())


def _why_not(answering: Optional[RayTarget]) -> str:
    if answering is None:
        return "did not answer"
    if answering.kind == "refused":
        return ('refused the connection: it uses token authentication and needs its token '
                '(!python conf "rayAuthToken=..." or env BYZER_RAY_AUTH_TOKEN)')
    return "answered but is not a Ray GCS or Ray client server"


def _ambient_token() -> Optional[str]:
    """The token Ray itself would send with no configured one (RAY_AUTH_MODE=token set outside)."""
    saved = _auth_env_saved if _auth_env_saved is not None else os.environ
    if (saved.get("RAY_AUTH_MODE") or "").lower() != "token":
        return None
    if saved.get("RAY_AUTH_TOKEN"):
        return saved["RAY_AUTH_TOKEN"].strip()
    path = saved.get("RAY_AUTH_TOKEN_PATH") or os.path.expanduser("~/.ray/auth_token")
    try:
        with open(path) as handle:
            return handle.read().strip() or None
    except OSError:
        return None


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
    from ray.job_config import JobConfig

    return JobConfig(_py_driver_sys_path=[p for p in sys.path if p and os.path.isdir(p)])


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
        return ray.init(
            address="local",  # never join a cluster named by RAY_ADDRESS by accident
            num_cpus=num_cpus or int(os.environ.get(EMBEDDED_CPUS_ENV) or max(2, os.cpu_count() or 2)),
            object_store_memory=(object_store_mb or int(os.environ.get(EMBEDDED_STORE_ENV) or 256))
            * 1024 ** 2,
            include_dashboard=include_dashboard,
            dashboard_host="127.0.0.1",
            _node_ip_address="127.0.0.1",  # the embedded Ray serves this machine only
            job_config=_job_config_with_sys_path(),
            **common)
    if target.kind == "gcs" or target.kind == "auto":  # this process is a driver on a node
        common["job_config"] = _job_config_with_sys_path()
    return ray.init(address=target.init_address(), **common)


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
            ray._private.worker._global_node)  # type: ignore[attr-defined]
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
            from ray._private.client_mode_hook import _explicitly_disable_client_mode

            ray.util.client.ray.disconnect()
            _explicitly_disable_client_mode()
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
    try:
        from ray._raylet import AuthenticationTokenLoader, Config

        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()
    except Exception:  # older Ray without token auth: nothing to refresh
        pass
