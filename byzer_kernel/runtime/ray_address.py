"""Ray addresses: what a written address means and whether something answers there (docs/design.md §4.5).

Forms and the rule that decides between the two kinds of Ray endpoint:

* ``local`` (also ``embedded``)  -> the embedded local Ray of this process.
* ``auto`` (also pyjava's ``worker``) -> the cluster started with ``ray start`` on this machine
  (Ray's file ray_current_cluster) or env ``RAY_ADDRESS``, as ``ray.init()`` finds it; used through
  its GCS address. Unlike Ray's ``address="auto"``, never some other Ray process that happens to run.
* ``ray://host[:port]``          -> Ray client (port 10001 when omitted).
* ``host:port``                  -> decided by asking the endpoint, not by its port number (test
  clusters and real ones move ports): a GCS answers ``NodeInfoGcsService/GetClusterId`` and lacks
  ``RayletDriver/ClusterInfo``, a Ray client server is the other way round (two gRPC calls, a few
  ms). An UNAUTHENTICATED answer means a Ray that wants a (different) token: "refused". So
  ``host:10001`` is normally the client and ``host:6379`` the GCS, as by convention.
* ``host`` alone                 -> Ray client on port 10001.

A GCS address makes this process a Ray driver, which only works on a machine that is a node of
the cluster; remote clusters are reached with the Ray client. `ray start --head` registers its node
under the host's address (not 127.0.0.1), so a GCS written as 127.0.0.1, localhost or the host's
address all mean this machine's node: `local_node_ip` reads the address from the GCS's node table.
"""
from __future__ import annotations

import enum
import ipaddress
import socket
from dataclasses import dataclass, replace
from typing import Optional

from ..lang.errors import RayConnectionError

CLIENT_PORT = 10001
TCP_PROBE_SECONDS = 1.5
GRPC_PROBE_SECONDS = 2.0

_GCS_METHOD = "/ray.rpc.NodeInfoGcsService/GetClusterId"
_CLIENT_METHOD = "/ray.rpc.RayletDriver/ClusterInfo"


class AddressKind(str, enum.Enum):
    """What an address names. ENDPOINT is a host:port whose kind a probe decides."""

    EMBEDDED = "embedded"
    AUTO = "auto"
    CLIENT = "client"
    GCS = "gcs"
    ENDPOINT = "endpoint"


class Answer(enum.Enum):
    """What a probe found at a host:port that accepts TCP connections."""

    GCS = "a Ray GCS"
    CLIENT = "a Ray client server"
    REFUSED = "a Ray that rejects the token sent (or its absence)"
    NOTHING = "no Ray"


@dataclass(frozen=True)
class RayTarget:
    """One parsed address."""

    kind: AddressKind
    text: str
    host: str = ""
    port: int = 0
    # For a GCS: the address this machine's node registered with (for `ray.init`), when known.
    node_ip: str = ""

    @property
    def hostport(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def init_address(self) -> Optional[str]:
        """The ``address`` argument of ``ray.init`` (None for the embedded Ray)."""
        if self.kind is AddressKind.CLIENT:
            return f"ray://{self.hostport}"
        if self.kind is AddressKind.GCS:
            return self.hostport
        if self.kind is AddressKind.AUTO:
            return "auto"
        return None


EMBEDDED = RayTarget(AddressKind.EMBEDDED, "local")  # the embedded local Ray


def parse_ray_address(text: str) -> RayTarget:
    written = (text or "").strip()
    lowered = written.lower()
    if lowered in ("local", "embedded"):
        return RayTarget(AddressKind.EMBEDDED, written)
    if lowered in ("auto", "worker"):
        return RayTarget(AddressKind.AUTO, written)
    kind = AddressKind.ENDPOINT
    rest = written
    if lowered.startswith("ray://"):
        kind, rest = AddressKind.CLIENT, written[len("ray://"):]
    rest = rest.rstrip("/")
    host, port = _split_host_port(rest, written)
    if port is None:
        return RayTarget(AddressKind.CLIENT, written, host, CLIENT_PORT)
    return RayTarget(kind, written, host, port)


def _split_host_port(rest: str, written: str) -> tuple[str, Optional[int]]:
    if rest.startswith("["):  # [ipv6]:port
        host, _, tail = rest[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else ""
    elif rest.count(":") == 1:
        host, port_text = rest.split(":")
    else:
        host, port_text = rest, ""
    if not host or any(c.isspace() for c in host) or "/" in host:
        raise RayConnectionError(
            f"`{written}` is not a Ray address (use ray://host:port, host:port, auto or local)")
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise RayConnectionError(f"`{written}` is not a Ray address: bad port `{port_text}`")
    return host, int(port_text)


def tcp_reachable(host: str, port: int, timeout: float = TCP_PROBE_SECONDS) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _grpc_status(hostport: str, method: str, token: Optional[str]) -> str:
    import grpc

    channel = grpc.insecure_channel(hostport)
    try:
        call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        metadata = [("authorization", f"Bearer {token}")] if token else None
        call(b"", timeout=GRPC_PROBE_SECONDS, metadata=metadata)
        return "OK"
    except grpc.RpcError as error:
        return error.code().name
    except Exception:  # a broken channel says nothing about the kind
        return "UNKNOWN"
    finally:
        channel.close()


def probe(target: RayTarget, token: Optional[str] = None) -> Answer:
    """What answers at target (two gRPC calls)."""
    gcs = _grpc_status(target.hostport, _GCS_METHOD, token)
    if gcs == "OK":
        return Answer.GCS
    client = _grpc_status(target.hostport, _CLIENT_METHOD, token)
    if gcs == "UNIMPLEMENTED":  # a gRPC server that is not a GCS: is it a Ray client server?
        if client == "UNAUTHENTICATED":
            return Answer.REFUSED
        return Answer.CLIENT if client not in ("UNIMPLEMENTED", "UNAVAILABLE", "UNKNOWN") \
            else Answer.NOTHING
    if gcs == "UNAUTHENTICATED" and client == "UNIMPLEMENTED":
        return Answer.REFUSED
    return Answer.NOTHING


def resolve_kind(target: RayTarget, token: Optional[str] = None) -> tuple[RayTarget, Answer]:
    """(target with the kind the probe found, the probe's answer) for a target that answers TCP;
    a written ray:// that is in fact a GCS becomes a GCS target. A written ray:// where the probe
    finds nothing stays a client target (Ray's client then says why it cannot connect)."""
    answer = probe(target, token)
    if answer is Answer.NOTHING and target.kind is AddressKind.CLIENT:
        return target, Answer.CLIENT
    kind = {Answer.GCS: AddressKind.GCS, Answer.CLIENT: AddressKind.CLIENT}.get(answer, target.kind)
    return replace(target, kind=kind), answer


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def is_this_machine(host: str) -> bool:
    """True when host names this machine: a loopback address, `localhost`, the host name, or an
    address of one of its network interfaces."""
    host = host.strip("[]").split("%")[0]
    if is_loopback(host) or host.lower() == socket.gethostname().lower():
        return True
    try:
        addresses = {str(ipaddress.ip_address(host))}
    except ValueError:
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
        except OSError:
            return False
    return any(is_loopback(a) for a in addresses) or bool(addresses & _interface_addresses())


def _interface_addresses() -> set:
    import ray  # noqa: F401  (puts Ray's bundled psutil on sys.path)
    import psutil

    return {a.address.split("%")[0] for addresses in psutil.net_if_addrs().values()
            for a in addresses if a.family in (socket.AF_INET, socket.AF_INET6)}


def local_node_ip(target: RayTarget, token: Optional[str]) -> tuple[Optional[str], list]:
    """(address of this machine's node in the cluster whose GCS is target, or None; the addresses
    of all its alive nodes). The head wins when several nodes run here. (None, []) when the node
    table cannot be read."""
    from .ray_private import gcs_alive_nodes

    import grpc

    try:
        nodes = gcs_alive_nodes(target.hostport, token, GRPC_PROBE_SECONDS)
    except grpc.RpcError:
        return None, []
    here = sorted((not head, address) for address, head in nodes if is_this_machine(address))
    return (here[0][1] if here else None), [address for address, _ in nodes]
