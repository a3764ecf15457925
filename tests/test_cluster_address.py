"""Ray address forms and the probe that tells a GCS from a Ray client server (no Ray needed)."""
import socket
import threading

import pytest

from byzer_kernel.lang.errors import RayConnectionError
from byzer_kernel.runtime.ray_lifecycle import START_TIMEOUT_ENV, start_timeout
from byzer_kernel.runtime.ray_address import (Answer, is_this_machine, parse_ray_address, resolve_kind,
                                              tcp_reachable)


@pytest.mark.parametrize("text, kind, host, port, init", [
    ("local", "embedded", "", 0, None),
    (" LOCAL ", "embedded", "", 0, None),
    ("auto", "auto", "", 0, "auto"),
    ("worker", "auto", "", 0, "auto"),
    ("ray://10.1.2.3:10001", "client", "10.1.2.3", 10001, "ray://10.1.2.3:10001"),
    ("ray://head", "client", "head", 10001, "ray://head:10001"),
    ("127.0.0.1:10001", "endpoint", "127.0.0.1", 10001, None),
    ("head.example:6379", "endpoint", "head.example", 6379, None),
    ("[::1]:6379", "endpoint", "::1", 6379, None),
    ("somehost", "client", "somehost", 10001, "ray://somehost:10001"),
])
def test_address_forms(text, kind, host, port, init):
    target = parse_ray_address(text)
    assert (target.kind, target.host, target.port, target.init_address()) == (kind, host, port, init)


@pytest.mark.parametrize("text", ["127.0.0.1:notaport", "127.0.0.1:70000", "a b:1", "http://x/y:1"])
def test_bad_addresses_name_themselves(text):
    with pytest.raises(RayConnectionError) as caught:
        parse_ray_address(text)
    assert text.strip() in caught.value.message


def test_a_port_that_is_not_ray_is_told_apart():
    """A plain TCP server answers the connect probe but not Ray's gRPC: kind 'none'."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]

    def serve():
        for _ in range(4):
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        target = parse_ray_address(f"127.0.0.1:{port}")
        assert tcp_reachable(target.host, target.port)
        assert resolve_kind(target) == (target, Answer.NOTHING)
    finally:
        server.close()


def test_closed_port_is_not_reachable():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    assert not tcp_reachable("127.0.0.1", port)


def test_this_machine_in_every_spelling():
    """A GCS written as 127.0.0.1, localhost, the host name or an interface address is this
    machine (its node is then looked up in the GCS); other hosts are not."""
    import socket

    import psutil

    assert is_this_machine("127.0.0.1") and is_this_machine("localhost") and is_this_machine("[::1]")
    assert is_this_machine("127.0.0.3")  # the loopback range (test clusters' extra nodes)
    assert is_this_machine(socket.gethostname())
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET:
                assert is_this_machine(address.address)
    assert not is_this_machine("203.0.113.7")  # TEST-NET-3: never an interface of a test machine
    assert not is_this_machine("no-such-host.invalid")


@pytest.mark.parametrize("value, seconds", [(None, 120.0), ("45", 45.0), ("0", 1.0), ("soon", 120.0)])
def test_start_timeout_setting(monkeypatch, value, seconds):
    if value is None:
        monkeypatch.delenv(START_TIMEOUT_ENV, raising=False)
    else:
        monkeypatch.setenv(START_TIMEOUT_ENV, value)
    assert start_timeout() == seconds
