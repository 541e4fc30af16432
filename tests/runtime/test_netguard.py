"""The network guard blocks non-loopback targets, records them, and lets loopback through."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import netguard

REMOTE = ("93.184.216.34", 80)


@pytest.fixture(autouse=True)
def guard() -> Iterator[list[str]]:
    """Install the guard if needed; forget this file's deliberate attempts afterwards."""
    installed_here = not netguard.is_installed()
    netguard.install()
    netguard.clear()
    yield netguard.attempts
    netguard.clear()  # before the shared fixture checks for attempts
    if installed_here:
        netguard.uninstall()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server


def test_connect_to_remote_raises_and_is_recorded(guard: list[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        with pytest.raises(RuntimeError, match=r"network access to 93\.184\.216\.34:80 blocked"):
            sock.connect(REMOTE)
        with pytest.raises(RuntimeError):
            sock.connect_ex(REMOTE)
    with pytest.raises(RuntimeError):
        socket.create_connection(REMOTE, timeout=1)
    assert guard == ["93.184.216.34:80"] * 3


def test_dns_lookup_of_remote_names_is_blocked(guard: list[str]) -> None:
    with pytest.raises(RuntimeError, match=r"api\.telegram\.org:443"):
        socket.getaddrinfo("api.telegram.org", 443)
    assert guard == ["api.telegram.org:443"]
    assert socket.getaddrinfo("localhost", 80)  # resolving localhost stays allowed
    assert socket.getaddrinfo("93.184.216.34", 80)  # a literal needs no DNS; connect is guarded
    assert socket.getaddrinfo(None, 0, flags=socket.AI_PASSIVE)
    assert guard == ["api.telegram.org:443"]


def test_ipv6_remote_is_blocked(guard: list[str]) -> None:
    try:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        pytest.skip("no IPv6 support here")
    with sock, pytest.raises(RuntimeError, match=r"\[2001:db8::1\]:443"):
        sock.connect(("2001:db8::1", 443, 0, 0))
    assert guard == ["[2001:db8::1]:443"]


def test_swallowed_attempt_is_still_recorded(guard: list[str]) -> None:
    connection = http.client.HTTPConnection("93.184.216.34", 80, timeout=1)
    with contextlib.suppress(Exception):  # library-style swallowing
        connection.request("GET", "/")
    connection.close()
    assert guard == ["93.184.216.34:80"]


@pytest.mark.asyncio
async def test_asyncio_connection_is_blocked(guard: list[str]) -> None:
    with pytest.raises(RuntimeError):
        await asyncio.open_connection(*REMOTE)
    assert guard == ["93.184.216.34:80"]


def test_loopback_works(listener: socket.socket, guard: list[str]) -> None:
    port = listener.getsockname()[1]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.connect(("127.0.0.1", port))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.connect_ex(("127.0.0.1", port)) == 0
    with socket.create_connection(("localhost", port), timeout=1):
        pass
    assert netguard.is_allowed_host("127.8.9.10") and netguard.is_allowed_host("::1")
    assert netguard.is_allowed_host("::ffff:127.0.0.1")
    assert not netguard.is_allowed_host("0.0.0.0")  # noqa: S104
    assert not netguard.is_allowed_host("10.0.0.1")
    assert guard == []


@pytest.mark.asyncio
async def test_asyncio_loopback_works(listener: socket.socket, guard: list[str]) -> None:
    _reader, writer = await asyncio.open_connection("127.0.0.1", listener.getsockname()[1])
    writer.close()
    await writer.wait_closed()
    assert guard == []


def test_unix_sockets_are_allowed(tmp_path: Path, guard: list[str]) -> None:
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no AF_UNIX here")
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
    assert guard == []


def test_uninstall_restores_and_install_is_idempotent() -> None:
    guarded = socket.socket.connect
    netguard.install()  # already installed: no double wrapping
    assert socket.socket.connect is guarded
    netguard.uninstall()
    try:
        assert not netguard.is_installed()
        assert socket.socket.connect is not guarded
        assert socket.getaddrinfo.__module__ == "socket"
    finally:
        netguard.install()
    assert socket.socket.connect is guarded
