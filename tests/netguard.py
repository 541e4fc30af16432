"""Block network access to anything but loopback during tests.

``install()`` patches ``socket.socket.connect``/``connect_ex``, ``socket.create_connection``
and ``socket.getaddrinfo``.  A blocked attempt raises ``RuntimeError`` and is appended to
``attempts`` so a fixture can fail the test even when library code swallowed the error.
Only Python-level sockets are covered (C libraries such as libpq connect on their own).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from typing import Any

__all__ = ["attempts", "clear", "install", "is_allowed_host", "is_installed", "uninstall"]

attempts: list[str] = []

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_lock = threading.Lock()
_originals: dict[str, Any] = {}


def is_allowed_host(host: Any) -> bool:
    """True for loopback IPs (127.0.0.0/8, ::1, IPv4-mapped loopback) and "localhost"."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _describe(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        host = host.decode() if isinstance(host, bytes) else str(host)
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return repr(address)


def _block(target: str) -> RuntimeError:
    attempts.append(target)
    return RuntimeError(f"network access to {target} blocked in tests")


def _check_socket(sock: socket.socket, address: Any) -> None:
    family = getattr(socket, "AF_UNIX", None)
    if family is not None and sock.family == family:
        return
    inet = sock.family in (socket.AF_INET, socket.AF_INET6)
    if inet and isinstance(address, tuple) and address and is_allowed_host(address[0]):
        return
    raise _block(_describe(address))


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check_socket(self, address)
    _originals["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check_socket(self, address)
    result: int = _originals["connect_ex"](self, address)
    return result


def _guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
    if not (isinstance(address, tuple) and address and is_allowed_host(address[0])):
        raise _block(_describe(address))
    sock: socket.socket = _originals["create_connection"](address, *args, **kwargs)
    return sock


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
    needs_dns = isinstance(name, str) and name != "" and not _is_ip_literal(name)
    if needs_dns and not is_allowed_host(name):
        port = args[0] if args else kwargs.get("port")
        raise _block(f"{name}:{port}" if port is not None else str(name))
    return _originals["getaddrinfo"](host, *args, **kwargs)


def install() -> None:
    """Patch the socket module (idempotent)."""
    with _lock:
        if _originals:
            return
        _originals.update(
            connect=socket.socket.connect,
            connect_ex=socket.socket.connect_ex,
            create_connection=socket.create_connection,
            getaddrinfo=socket.getaddrinfo,
        )
        socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
        socket.create_connection = _guarded_create_connection
        socket.getaddrinfo = _guarded_getaddrinfo


def uninstall() -> None:
    """Restore the original socket functions (idempotent)."""
    with _lock:
        if not _originals:
            return
        socket.socket.connect = _originals["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = _originals["connect_ex"]  # type: ignore[method-assign]
        socket.create_connection = _originals["create_connection"]
        socket.getaddrinfo = _originals["getaddrinfo"]
        _originals.clear()


def is_installed() -> bool:
    """Whether the guard is active."""
    return bool(_originals)


def clear() -> None:
    """Forget recorded attempts."""
    attempts.clear()
