"""A fake Telegram Bot API server for tests, the benchmarks and the offline demo.

It runs a real HTTP server on 127.0.0.1 in a daemon thread, so an unmodified
python-telegram-bot ``Bot``/``Application`` talks to it through ``base_url`` and
``base_file_url``.  Standard library only; no imports from the rest of the project.

This module is the HTTP server and the routing of a request to its method; ``FakeTelegram``
puts together the state (``state``), the Bot API methods (``methods``), fault injection
(``faults``) and what tests do with it (``helpers``); ``wire`` and ``text`` are the Bot API's
request format and Telegram's HTML.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.offline.faults import Faults
from bot.offline.helpers import Helpers
from bot.offline.methods import BotApiMethods, Handler
from bot.offline.state import ApiCall
from bot.offline.wire import (
    JSON,
    MAX_UPLOAD_BYTES,
    ApiError,
    UploadedFile,
    _json_reply,
    _Reply,
    parse_request,
)

_LOG = logging.getLogger(__name__)


# --------------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeTelegram, host: str, port: int) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__((host, port), _RequestHandler)

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup HTTPServer does."""
        super(ThreadingHTTPServer, self).server_bind()
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log connection errors quietly instead of printing tracebacks."""
        _LOG.debug("fake telegram: connection error from %s", client_address, exc_info=True)

    def close_connections(self) -> None:
        with self.connections_lock:
            conns = list(self.connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request logging."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        try:
            reply = self._answer()
        except Exception as exc:
            self.close_connection = True  # the request body may be half read
            reply = self.server.fake.internal_error(exc)
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(reply)

    def _answer(self) -> _Reply:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_UPLOAD_BYTES:
            self.close_connection = True
            error = {"ok": False, "error_code": 413, "description": "Request Entity Too Large"}
            return _json_reply(413, error)
        body = self._read_body(length)
        ctype = self.headers.get("Content-Type", "")
        return self.server.fake.handle_http(self.command, self.path, ctype, body)

    def _read_body(self, length: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, reply: _Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True


# --------------------------------------------------------------------------- the fake


class FakeTelegram(Helpers, Faults, BotApiMethods):
    """A fake Bot API server; use as a (sync) context manager or start()/stop()."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",  # noqa: S107
        bot_username: str = "staff_report_test_bot",
        *,
        strict_chats: bool = False,
        bot_first_name: str = "Staff Report Test Bot",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        prefix = token.split(":", 1)[0]
        super().__init__(
            bot_id=int(prefix) if prefix.isdigit() else 123456,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            strict_chats=strict_chats,
        )
        self._init_faults()
        self.token = token
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._handlers: dict[str, Handler] = self._build_handlers()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeTelegram:
        """Start serving in a daemon thread; returns self."""
        if self._server is not None:
            return self
        self._stopping = False
        self._server = _Server(self, self._host, self._port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-telegram",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server, wake long polls and close open connections."""
        server, thread = self._server, self._thread
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._server.server_port

    @property
    def base_url(self) -> str:
        """Value for ``Bot(base_url=...)``; PTB appends ``{token}/{method}``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``Bot(base_file_url=...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------ HTTP entry points

    def handle_http(self, verb: str, target: str, content_type: str, body: bytes) -> _Reply:
        """Answer one HTTP request (called from the server threads)."""
        path = urlsplit(target)
        if verb == "GET" and path.path.startswith("/file/bot"):
            return self._serve_file(unquote(path.path[len("/file/bot") :]))
        if not path.path.startswith("/bot"):
            return _json_reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        token, _, method = unquote(path.path[len("/bot") :]).partition("/")
        if token != self.token:
            return _json_reply(401, ApiError(401, "Unauthorized").body())
        try:
            params, files = parse_request(content_type, body, path.query)
        except ApiError as err:
            return _json_reply(err.status, err.body())
        return self._call(method, params, files)

    def internal_error(self, exc: BaseException) -> _Reply:
        """Log an unexpected exception and turn it into a 500 answer."""
        _LOG.error("fake telegram internal error", exc_info=exc)
        description = f"Internal Server Error: {exc!r}"
        with self._lock:
            self.internal_errors.append(description)
        return _json_reply(500, ApiError(500, description).body())

    def _serve_file(self, rest: str) -> _Reply:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return _json_reply(401, ApiError(401, "Unauthorized").body())
        with self._lock:
            stored = self._files_by_path.get(file_path)
        if stored is None:
            return _json_reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        mime = stored.mime_type or "application/octet-stream"
        return _Reply(200, stored.content, content_type=mime)

    def _call(self, method: str, params: JSON, files: dict[str, UploadedFile]) -> _Reply:
        reply, slow = self._call_locked(method, params, files)
        if slow:  # "timeout": done, but answered too late (outside the lock)
            time.sleep(self.slow_seconds)
        return reply

    def _call_locked(
        self, method: str, params: JSON, files: dict[str, UploadedFile]
    ) -> tuple[_Reply, bool]:
        slow: list[bool] = []
        reply = self._call_inner(method, params, files, slow)
        return reply, bool(slow)

    def _call_inner(
        self, method: str, params: JSON, files: dict[str, UploadedFile], slow: list[bool]
    ) -> _Reply:
        with self._cond:
            call = ApiCall(method, params, files, time.monotonic())
            self.calls.append(call)
            fault = self._next_fault(method)
            if fault == "timeout":
                slow.append(True)
            if fault == "disconnect":
                call.status = 0
                return _Reply(0, b"", drop=True)
            try:
                if isinstance(fault, ApiError):
                    raise fault
                result = self._dispatch(method, params, files)
            except ApiError as err:
                call.status, call.description = err.status, err.description
                return _json_reply(err.status, err.body())
            self._cond.notify_all()
            if fault == "lost_response":
                call.status = 0
                return _Reply(0, b"", drop=True)
            return _json_reply(200, {"ok": True, "result": result})

    def _dispatch(self, method: str, params: JSON, files: dict[str, UploadedFile]) -> Any:
        handler = self._handlers.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler(params, files)
