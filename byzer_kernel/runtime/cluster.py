"""Ray connection manager (docs/design.md §4.5).

    connection = cluster_for(session).connect(code_address, events)   # lazily, once per session
    connection.address / connection.how / connection.embedded
    cluster_for(session).status() -> dict for the status widget
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

Starting, adopting and ending the Ray of this process: ray_lifecycle.py.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from typing import Optional

from ..lang.errors import RayConnectionError
from . import ray_lifecycle, ray_private
from .user_errors import error_line
from .ray_address import (EMBEDDED, AddressKind, Answer, RayTarget, is_this_machine, local_node_ip,
                          parse_ray_address, resolve_kind, tcp_reachable)

ADDRESS_ENV = "BYZER_RAY_ADDRESS"
TOKEN_ENV = "BYZER_RAY_AUTH_TOKEN"


@dataclass
class RayConnection:
    address: str  # the address in use ("embedded" for the local Ray)
    how: str  # how it was chosen: "rayAddress", "BYZER_RAY_ADDRESS", "code", "embedded"
    embedded: bool
    dashboard_url: Optional[str] = None
    kind: str = "embedded"  # an AddressKind's value, or "adopted" (a Ray someone else started)
    requested: Optional[str] = None  # the address asked for (configured or in the code)
    notice: Optional[str] = None  # the fallback notice (repeated each run) or the token's source
    token: Optional[str] = field(default=None, repr=False)  # the configured token
    token_source: Optional[str] = None  # where the token sent came from ("~/.ray/auth_token", ...)
    repeat_notice: bool = False


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    source: str  # e.g. "token from rayAuthToken", "token from ~/.ray/auth_token"


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
        with ray_lifecycle.lock:
            configured, how = self.configured_address()
            token = self._configured_token()
            requested = configured if configured else code_address
            current = self.connection
            if (current is not None and current.requested == requested
                    and current.token == (token.value if token else None)
                    and ray_lifecycle.still_connected(current)):
                if current.notice and current.repeat_notice and events is not None:
                    events.message(current.notice)
                return current
            if configured:
                connection = self._connect_configured(configured, how, token, events)
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

    def _connect_configured(self, text: str, how: str, token: Optional[_Token], events=None) -> RayConnection:
        target = parse_ray_address(text)
        if target.kind is AddressKind.EMBEDDED:
            _starting_embedded(events)
            return self._use(target, how, None)
        target, token, reason = _reach(target, token)
        if reason is not None:
            raise RayConnectionError(f"the Ray cluster at {text} ({how}) {reason}")
        return self._use(target, how, token)

    def _connect_code(self, text: Optional[str], token: Optional[_Token], events) -> RayConnection:
        target = parse_ray_address(text) if text else EMBEDDED
        reason = None
        if target.kind is not AddressKind.EMBEDDED:
            target, token, reason = _reach(target, token)
        if reason is None and target.kind is not AddressKind.EMBEDDED:
            try:
                return self._use(target, "code", token)
            except RayConnectionError as error:
                reason = f"could not be used ({error.message})"
        if reason is None:
            _starting_embedded(events)
            return self._use(EMBEDDED, "embedded", None)
        notice = f"Ray at {text} {reason}; using the embedded local Ray"
        if events is not None:
            events.message(notice)
        _starting_embedded(events)
        connection = self._use(EMBEDDED, "embedded", None)
        connection.notice, connection.repeat_notice = notice, True
        return connection

    def _use(self, target: RayTarget, how: str, token: Optional[_Token]) -> RayConnection:
        """Initialise Ray for target in this process (or reuse what is already there)."""
        connection = self._init(target, how, token.value if token else None)
        if token is not None and not connection.embedded:
            connection.token_source = token.source
        return connection

    def _init(self, target: RayTarget, how: str, token: Optional[str]) -> RayConnection:
        return self._connection_for(target, how, ray_lifecycle.acquire(target, how, token, id(self)))

    def _connection_for(self, target: RayTarget, how: str, active: ray_lifecycle.ActiveRay) -> RayConnection:
        embedded = target.kind is AddressKind.EMBEDDED
        address = "embedded" if embedded else (target.init_address() or target.text)
        kind = target.kind.value if active.owned else "adopted"
        return RayConnection(address, how, embedded, active.dashboard_url, kind)

    # -- failures, status, close -------------------------------------------------------------
    def connection_lost(self, error: BaseException) -> RayConnectionError:
        """Turn a Ray failure seen during a run into one clear error and forget the connection,
        so that the next run connects afresh (the session stays usable)."""
        with ray_lifecycle.lock:
            where = self.connection.address if self.connection else "(none)"
            self.connection = None
            ray_lifecycle.disconnect_process()
        return RayConnectionError(
            f"the Ray cluster at {where} stopped answering during the run "
            f"({type(error).__name__}: {error_line(error, 200)}); the next run connects again")

    def status(self) -> dict:
        from .cluster_status import cluster_status

        configured, how = self.configured_address()
        return cluster_status(self.connection, configured, how)

    def close(self) -> None:
        ray_lifecycle.release(id(self))
        self.connection = None


def _starting_embedded(events) -> None:
    """Tell a run that waits (its progress) that the embedded Ray is what it waits for now."""
    starting = getattr(events, "starting_embedded", None)
    if starting is not None:
        starting()


def cluster_for(session) -> ClusterManager:
    manager = session.cluster_manager
    if manager is None:
        manager = session.cluster_manager = ClusterManager(session)
        session.close_hooks.append(manager.close)
    return manager


def start_embedded(**overrides) -> Optional[str]:
    """Start the embedded Ray now and hold it for the life of the process (ray_lifecycle says how);
    returns the dashboard URL, if any. RayConnectionError when it cannot start."""
    return ray_lifecycle.start_embedded(**overrides)


def connection_lost_error(session, error: BaseException) -> Optional[RayConnectionError]:
    """For the runner: when `error` (raised while code ran) means the cluster went away, the one
    clear RayConnectionError to raise instead (the connection is dropped, so the session stays
    usable); None when the error is the code's own."""
    manager = session.cluster_manager
    if manager is None or manager.connection is None:
        return None
    if not _is_connection_failure(error):
        return None
    if ray_lifecycle.still_connected(manager.connection) and _keeps_answering(manager.connection):
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


# A cluster dies process by process: a node's death can reach the run a moment before the GCS
# stops taking connections, so a remote cluster has to keep answering this long to count as alive.
DYING_CLUSTER_SECONDS = 5.0


def _keeps_answering(connection: RayConnection) -> bool:
    deadline = time.monotonic() + DYING_CLUSTER_SECONDS
    while _answers(connection):
        if connection.embedded or time.monotonic() >= deadline:
            return True
        time.sleep(0.2)
    return False


def _answers(connection: RayConnection) -> bool:
    if connection.embedded:
        return True
    try:
        target = parse_ray_address(connection.address.replace("ray://", ""))
    except RayConnectionError:
        return False
    return target.kind is AddressKind.AUTO or tcp_reachable(target.host, target.port)


# -- reaching a cluster ---------------------------------------------------------------------------
def _reach(target: RayTarget, token: Optional[_Token]):
    """(target with its kind settled, the token to send, None) when a Ray answers at target and
    can serve this process; (target, token, why not) otherwise. Seconds at most, never Ray's own
    minute-long waits: TCP and gRPC probes, the cluster's node table for a GCS."""
    if target.kind is AddressKind.AUTO:
        found = ray_private.local_cluster_address()
        if not found:
            return target, token, ("found no Ray cluster started with `ray start` on this machine "
                                   "(nor env RAY_ADDRESS)")
        target = replace(parse_ray_address(found), text=target.text)
    if not tcp_reachable(target.host, target.port):
        return target, token, "did not answer"
    answering, answer = resolve_kind(target, token.value if token else None)
    if answer is Answer.REFUSED and token is None:
        ambient = _ambient_token(target)
        if ambient is not None:
            (answering, answer), token = resolve_kind(target, ambient.value), ambient
    if answer is Answer.REFUSED:
        if token is None:
            return target, token, ('refused the connection: it uses token authentication and '
                                   'needs its token (!python conf "rayAuthToken=..." or env '
                                   f'{TOKEN_ENV})')
        return target, token, (f"refused the {token.source}: it uses token authentication with "
                               f'another token (!python conf "rayAuthToken=..." or env {TOKEN_ENV})')
    if answer is Answer.NOTHING:
        return target, token, "answered but is not a Ray GCS or Ray client server"
    if answering.kind is AddressKind.GCS:
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
    saved = ray_lifecycle.saved_auth_env()
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


