"""A fake Telegram Bot API server for tests and the offline demo.

It runs a real HTTP server on 127.0.0.1 in a daemon thread, so an unmodified
python-telegram-bot ``Bot``/``Application`` talks to it through ``base_url`` and
``base_file_url``.  Standard library only; no imports from the rest of the project.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import json
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeTelegram",
    "MessageEdit",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
    "render_text",
]

JSON = dict[str, Any]
Handler = Callable[[JSON, "dict[str, UploadedFile]"], Any]

_LOG = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_FAULT_KINDS = frozenset(
    {
        "retry_after",
        "server_error",
        "bad_gateway",
        "disconnect",
        "lost_response",
        "timeout",
        "blocked",
    }
)
_CHAT_ACTIONS = frozenset(
    [
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    ]
)
_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ]
)
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INT_RE = re.compile(r"-?[0-9]+")

# Fields that python-telegram-bot sends JSON-encoded inside form data.
_JSON_FIELDS = frozenset(
    [
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "media",
        "results",
        "options",
        "message_ids",
    ]
)
_INT_FIELDS = frozenset(
    [
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "cache_time",
        "message_thread_id",
        "from_chat_id",
        "reply_to_message_id",
    ]
)
_BOOL_FIELDS = frozenset(
    [
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "has_spoiler",
    ]
)


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description, optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        """The JSON body Telegram would answer with."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class UploadedFile:
    """One file part of a multipart request."""

    field_name: str
    filename: str
    content: bytes
    mime_type: str


@dataclass
class StoredFile:
    """A file known to the fake (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    filename: str | None
    mime_type: str | None


@dataclass
class ApiCall:
    """One recorded Bot API request; status 0 means the connection was dropped."""

    method: str
    params: JSON
    files: dict[str, UploadedFile]
    at: float
    status: int = 200
    description: str | None = None


@dataclass
class MessageEdit:
    """One successful edit of a bot message."""

    method: str
    text: str | None
    reply_markup: JSON | None
    at: float
    date: int = 0


@dataclass
class SentMessage:
    """A message the bot sent; ``text`` is the raw text (or caption) as sent."""

    chat_id: int
    message_id: int
    text: str | None
    reply_markup: JSON | None = None
    kind: str = "text"
    file_bytes: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    parse_mode: str | None = None
    date: int = 0
    edits: list[MessageEdit] = field(default_factory=list)
    deleted: bool = False
    params: JSON = field(default_factory=dict)
    reply_to_message: JSON | None = None

    @property
    def plain_text(self) -> str | None:
        """The text as the user sees it (HTML tags removed, entities decoded)."""
        if self.text is None:
            return None
        return render_text(self.text, self.parse_mode)

    @property
    def buttons(self) -> list[JSON]:
        """All inline keyboard buttons, row by row, flattened."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    @property
    def callback_data(self) -> list[str]:
        """The callback_data of every inline button that has one."""
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def button_data(self, label: str) -> str:
        """callback_data of the first button whose text contains ``label``."""
        for button in self.buttons:
            if label in str(button.get("text", "")) and "callback_data" in button:
                return str(button["callback_data"])
        raise LookupError(f"no button with {label!r} in message {self.message_id}")


@dataclass
class _Fault:
    method: str | None
    status: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    drop: bool = False


def _json_reply(status: int, payload: JSON) -> _Reply:
    return _Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------- text rendering


def render_text(text: str, parse_mode: str | None) -> str:
    """Return the visible text; raise ApiError where Telegram would reject the markup."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return _render_html(text)
    if mode in ("", "markdown", "markdownv2"):
        return text  # Markdown is not validated by the fake.
    raise _bad("unsupported parse_mode")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _render_html(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            i = _html_entity(text, i, out)
        elif char == "<":
            i = _html_tag(text, i, stack)
        else:
            out.append(char)
            i += 1
    if stack:
        raise _bad(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return "".join(out)


def _html_entity(text: str, i: int, out: list[str]) -> int:
    match = _HTML_ENTITY_RE.match(text, i)
    if not match:
        out.append("&")
        return i + 1
    name = match.group(1)
    named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
    if name in named:
        out.append(named[name])
    else:
        code = int(name[2:], 16) if name.startswith("#x") else int(name[1:])
        out.append(chr(min(code, 0x10FFFF)))
    return match.end()


def _html_tag(text: str, i: int, stack: list[str]) -> int:
    closing = text.startswith("</", i)
    start = i + 2 if closing else i + 1
    name_match = _TAG_NAME_RE.match(text, start)
    name = name_match.group(0).lower() if name_match else ""
    end = text.find(">", start)
    offset = _byte_offset(text, i)
    if not closing:
        if name not in _HTML_TAGS:
            raise _bad(
                f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
            )
        if end < 0:
            raise _bad(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        stack.append(name)
        return end + 1
    if end < 0:
        raise _bad(f"can't parse entities: Unclosed end tag at byte offset {offset}")
    if not stack:
        raise _bad(f"can't parse entities: Unexpected end tag at byte offset {offset}")
    if name and name != stack[-1]:
        raise _bad(
            f"can't parse entities: Unmatched end tag at byte offset {offset}, "
            f'expected "</{stack[-1]}>", found "</{name}>"'
        )
    stack.pop()
    return end + 1


# --------------------------------------------------------------------------- request parsing


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if key == "reply_markup" else key
            raise _bad(f"can't parse {what} JSON object") from None
    if key in _INT_FIELDS and _INT_RE.fullmatch(value):
        return int(value)
    if key in _BOOL_FIELDS and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


def decode_params(raw: dict[str, Any]) -> JSON:
    """Turn the string values of a PTB request back into typed values."""
    return {key: _decode_value(key, value) for key, value in raw.items()}


def _unescape_filename(name: str) -> str:
    # httpx escapes '"' as %22 and '\' as '\\' in multipart filenames.
    return name.replace("\\\\", "\\").replace("%22", '"')


def _parse_multipart(content_type: str, body: bytes) -> tuple[JSON, dict[str, UploadedFile]]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise _bad("can't parse multipart/form-data request")
    params: JSON = {}
    files: dict[str, UploadedFile] = {}
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        if not isinstance(name, str):
            continue
        filename = part.get_filename()
        if filename is None:
            params[name] = content.decode("utf-8", "replace")
        else:
            mime = part.get_content_type()
            files[name] = UploadedFile(name, _unescape_filename(filename), content, mime)
    return params, files


def parse_request(
    content_type: str, body: bytes, query: str = ""
) -> tuple[JSON, dict[str, UploadedFile]]:
    """Parse query string plus a urlencoded, multipart or JSON body into params and files."""
    params: JSON = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, UploadedFile] = {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body.decode("utf-8") or "{}")
        except ValueError:
            raise _bad("can't parse JSON request body") from None
        if not isinstance(data, dict):
            raise _bad("JSON request body must be an object")
        params.update(data)
    elif kind == "multipart/form-data":
        form, files = _parse_multipart(content_type, body)
        params.update(form)
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return decode_params(params), files


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


class FakeTelegram:
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
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(prefix) if prefix.isdigit() else 123456
        self.bot_first_name = bot_first_name
        self.strict_chats = strict_chats
        self._host = host
        self._port = port
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        # recordings (cleared by clear())
        self.calls: list[ApiCall] = []
        self.sent: list[SentMessage] = []
        self.callback_answers: dict[str, JSON] = {}
        self.updates: list[JSON] = []
        self.internal_errors: list[str] = []
        # server state
        self._pending: list[JSON] = []
        self._next_update_id = 1
        self._poll_generation = 0
        self._users: dict[int, JSON] = {}
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._message_ids: dict[int, int] = {}
        self._bot_messages: dict[tuple[int, int], SentMessage] = {}
        self._user_messages: dict[tuple[int, int], JSON] = {}
        self._callback_ids: set[str] = set()
        self._counter = 0
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._webhook_url = ""
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._faults: list[_Fault] = []
        self._fault_share = 0.0
        self._fault_kinds: list[str] = []
        self._fault_methods: frozenset[str] | None = None
        self._rng = random.Random(0)
        self.slow_seconds = 2.0  # how late a "timeout" fault answers
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

    @property
    def bot_user(self) -> JSON:
        """The bot's own User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

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

    def _build_handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "getChat": self._get_chat,
            "sendChatAction": self._send_chat_action,
            "deleteMessage": self._delete_message,
        }
        return {name.lower(): handler for name, handler in handlers.items()}

    # ------------------------------------------------------------------ faults

    def block_chat(self, chat_id: int, *, notify: bool = False) -> None:
        """Make sends to ``chat_id`` fail with 403; ``notify`` feeds a my_chat_member update."""
        with self._cond:
            self._blocked.add(chat_id)
            if notify:
                self._feed("my_chat_member", self._member_change(chat_id, "member", "kicked"))

    def unblock_chat(self, chat_id: int) -> None:
        """Undo block_chat()."""
        with self._lock:
            self._blocked.discard(chat_id)

    def inject(
        self,
        method: str | None,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None: any method) with an error."""
        with self._lock:
            self._faults.append(_Fault(method, status, description, retry_after, times))

    def set_fault_rate(
        self,
        share: float,
        kinds: Sequence[str] = ("retry_after",),
        seed: int | None = 0,
        *,
        methods: Collection[str] | None = None,
    ) -> None:
        """Fail a random ``share`` of calls with one of ``kinds``.

        Kinds: retry_after (429, retry after 1 s), server_error (500), bad_gateway (502),
        disconnect (connection closed, nothing done), lost_response (done, answer lost),
        timeout (done, answered after ``slow_seconds``), blocked (403, bot blocked).
        ``methods`` None means every method except getUpdates.  share 0 turns it off.
        """
        unknown = set(kinds) - _FAULT_KINDS
        if unknown or not 0.0 <= share <= 1.0 or (share and not kinds):
            raise ValueError(f"bad fault settings: share={share} kinds={list(kinds)}")
        with self._lock:
            self._fault_share = share
            self._fault_kinds = list(kinds)
            self._fault_methods = None if methods is None else frozenset(m.lower() for m in methods)
            self._rng = random.Random(seed)

    def clear_faults(self) -> None:
        """Drop injected faults, the random fault rate and blocked chats."""
        with self._lock:
            self._faults.clear()
            self._fault_share = 0.0
            self._blocked.clear()

    def _next_fault(self, method: str) -> ApiError | str | None:
        for fault in self._faults:
            if fault.method is None or fault.method.lower() == method.lower():
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return ApiError(fault.status, fault.description, fault.retry_after)
        return self._random_fault(method)

    def _random_fault(self, method: str) -> ApiError | str | None:
        if self._fault_share <= 0:
            return None
        allowed = self._fault_methods
        if (allowed is None and method.lower() == "getupdates") or (
            allowed is not None and method.lower() not in allowed
        ):
            return None
        if self._rng.random() >= self._fault_share:
            return None
        kind = self._rng.choice(self._fault_kinds)
        if kind == "retry_after":
            return ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        if kind == "server_error":
            return ApiError(500, "Internal Server Error")
        if kind == "bad_gateway":
            return ApiError(502, "Bad Gateway")
        if kind == "blocked":
            return ApiError(403, "Forbidden: bot was blocked by the user")
        return kind

    # ------------------------------------------------------------------ recordings

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Every message the bot sent to ``chat_id`` (deleted ones included)."""
        with self._lock:
            return [m for m in self.sent if m.chat_id == chat_id]

    def texts_to(self, chat_id: int) -> list[str]:
        """Current raw text/caption ("" if none) of non-deleted messages to ``chat_id``."""
        return [m.text or "" for m in self.messages_to(chat_id) if not m.deleted]

    def plain_texts_to(self, chat_id: int) -> list[str]:
        """Like texts_to() but as the user sees it (HTML rendered)."""
        return [m.plain_text or "" for m in self.messages_to(chat_id) if not m.deleted]

    def last_message(self, chat_id: int) -> SentMessage:
        """The latest message the bot sent to ``chat_id``."""
        messages = self.messages_to(chat_id)
        if not messages:
            raise LookupError(f"the bot sent nothing to chat {chat_id}")
        return messages[-1]

    def calls_to(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (case-insensitive)."""
        with self._lock:
            return [c for c in self.calls if c.method.lower() == method.lower()]

    def callback_answer(self, update_or_id: JSON | str) -> JSON | None:
        """The answerCallbackQuery params for a fed button press, or None."""
        if isinstance(update_or_id, str):
            query_id = update_or_id
        else:
            query_id = str(update_or_id["callback_query"]["id"])
        with self._lock:
            return self.callback_answers.get(query_id)

    def clear(self) -> None:
        """Forget recordings (calls, sent, answers, fed updates); chat state stays."""
        with self._lock:
            self.calls.clear()
            self.sent.clear()
            self.callback_answers.clear()
            self.updates.clear()
            self.internal_errors.clear()

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 15.0,  # noqa: ASYNC109 -- polls shared state, a plain deadline is clearer
    ) -> list[SentMessage]:
        """Wait (async) until the bot sent at least ``count`` messages to ``chat_id``."""
        deadline = time.monotonic() + timeout
        while len(messages := self.messages_to(chat_id)) < count:
            if time.monotonic() >= deadline:
                texts = [m.text for m in messages]
                raise TimeoutError(f"expected {count} messages to {chat_id}, got {texts!r}")
            await asyncio.sleep(0.01)
        return messages

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 15.0,  # noqa: ASYNC109 -- same as wait_for_messages
    ) -> None:
        """Wait (async) until ``predicate()`` is true."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(0.01)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        """Wait (blocking) until ``predicate()`` is true; not from the bot's event loop."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            time.sleep(0.01)

    @property
    def pending_updates(self) -> list[JSON]:
        """Fed updates not yet confirmed by getUpdates."""
        with self._lock:
            return list(self._pending)

    # ------------------------------------------------------------------ users and chats

    def register_user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        """Make a user (and its private chat) known; None keeps the current value."""
        with self._lock:
            user = self._users.setdefault(
                user_id,
                {
                    "id": user_id,
                    "is_bot": False,
                    "first_name": "สมชาย",
                    "last_name": "ใจดี",
                    "language_code": "th",
                },
            )
            for key, value in (
                ("first_name", first_name),
                ("last_name", last_name),
                ("username", username),
                ("language_code", language_code),
            ):
                if value == "" and key != "first_name":
                    user.pop(key, None)
                elif value is not None:
                    user[key] = value
            self._chats[user_id] = self._private_chat(user)
            return dict(user)

    def register_chat(
        self, chat_id: int, *, chat_type: str = "group", title: str | None = None
    ) -> JSON:
        """Make a group/supergroup/channel chat known (default title "กลุ่มทดสอบ")."""
        with self._lock:
            chat = self._chats.setdefault(chat_id, {"id": chat_id, "type": chat_type})
            chat["type"] = chat_type
            if chat_type != "private" and (title is not None or "title" not in chat):
                chat["title"] = title or "กลุ่มทดสอบ"
            return dict(chat)

    @staticmethod
    def _private_chat(user: JSON) -> JSON:
        keys = ("id", "first_name", "last_name", "username")
        chat = {key: user[key] for key in keys if key in user}
        chat["type"] = "private"
        return chat

    def _chat_obj(self, chat_id: int) -> JSON:
        known = self._chats.get(chat_id)
        if known is not None:
            return dict(known)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": chat_type, "title": "Group"}

    def _resolve_chat_id(self, raw: Any) -> int:
        if isinstance(raw, bool) or raw is None or raw == "":
            raise _bad("chat_id is empty")
        if isinstance(raw, int):
            return raw
        name = str(raw).lstrip("@").lower()
        for chat in self._chats.values():
            if str(chat.get("username", "")).lower() == name and str(raw).startswith("@"):
                return int(chat["id"])
        raise _bad("chat not found")

    def _target_chat(self, params: JSON) -> JSON:
        chat_id = self._resolve_chat_id(params.get("chat_id"))
        if chat_id in self._blocked:
            if chat_id > 0:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if self.strict_chats and chat_id not in self._chats:
            raise _bad("chat not found")
        return self._chat_obj(chat_id)

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _next_serial(self) -> int:
        self._counter += 1
        return self._counter

    # ------------------------------------------------------------------ feeding updates

    def feed_raw(self, update: JSON) -> JSON:
        """Queue an arbitrary (even malformed) update; adds update_id when missing."""
        with self._cond:
            if not isinstance(update.get("update_id"), int):
                update = {"update_id": self._next_update_id, **update}
            self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
            self._pending.append(update)
            self.updates.append(update)
            self._cond.notify_all()
            return update

    def _feed(self, kind: str, payload: JSON) -> JSON:
        return self.feed_raw({"update_id": self._next_update_id, kind: payload})

    def _sender(
        self, user_id: int, chat_id: int | None, chat_type: str, **user_fields: str | None
    ) -> tuple[JSON, JSON]:
        user = self.register_user(user_id, **user_fields)
        if chat_type == "private" and chat_id in (None, user_id):
            chat = self._private_chat(user)
            self._blocked.discard(user_id)  # writing to a bot unblocks it
        else:
            target = user_id if chat_id is None else chat_id
            chat = self.register_chat(target, chat_type=chat_type)
        return user, chat

    def _user_message(self, user: JSON, chat: JSON, reply_to: int | None, **content: Any) -> JSON:
        chat_id = int(chat["id"])
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        replied = None if reply_to is None else self._find_message(chat_id, reply_to)
        if replied is not None:
            message["reply_to_message"] = replied
        message.update({k: v for k, v in content.items() if v is not None})
        self._user_messages[(chat_id, message["message_id"])] = message
        return message

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """Feed a text message; "/cmd args" gets a bot_command entity like Telegram adds.

        Name fields default to the user's known values (new users: สมชาย ใจดี, "th").
        """
        with self._cond:
            user, chat = self._sender(
                user_id,
                chat_id,
                chat_type,
                first_name=first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
            )
            entities = None
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                entities = [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]
            message = self._user_message(
                user, chat, reply_to_message_id, text=text, entities=entities
            )
            return self._feed("message", message)

    def user_presses_button(
        self,
        user_id: int,
        message: SentMessage | int,
        data: str,
        chat_id: int | None = None,
    ) -> JSON:
        """Feed a callback_query for an inline button on a bot message.

        An unknown message id is embedded as an inaccessible message (date 0).
        """
        with self._cond:
            user = self.register_user(user_id)
            if isinstance(message, SentMessage):
                chat_id, message_id = message.chat_id, message.message_id
            else:
                chat_id, message_id = (user_id if chat_id is None else chat_id), message
            sent = self._bot_messages.get((chat_id, message_id))
            if sent is not None:
                embedded = self._message_dict(sent)
            else:
                embedded = {"chat": self._chat_obj(chat_id), "message_id": message_id, "date": 0}
            query_id = f"{self.bot_id}{self._next_serial():08d}"
            self._callback_ids.add(query_id)
            query = {
                "id": query_id,
                "from": user,
                "message": embedded,
                "chat_instance": str(abs(chat_id) * 7919 + 17),
                "data": data,
            }
            return self._feed("callback_query", query)

    def user_sends_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> JSON:
        """Feed a document message; its bytes are downloadable via getFile."""
        with self._cond:
            user, chat = self._sender(user_id, chat_id, chat_type)
            stored = self._store_file("document", content, filename, mime_type)
            document = self._document_obj(stored)
            message = self._user_message(
                user, chat, reply_to_message_id, document=document, caption=caption
            )
            return self._feed("message", message)

    def user_sends_photo(
        self,
        user_id: int,
        content: bytes,
        caption: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> JSON:
        """Feed a photo message (one 512x512 size)."""
        with self._cond:
            user, chat = self._sender(user_id, chat_id, chat_type)
            stored = self._store_file("photo", content, None, "image/jpeg")
            photo = self._photo_obj(stored)
            message = self._user_message(user, chat, None, photo=photo, caption=caption)
            return self._feed("message", message)

    def _member_change(self, chat_id: int, old: str, new: str) -> JSON:
        actor = self._users.get(chat_id) or {"id": chat_id, "is_bot": False, "first_name": "User"}
        new_member: JSON = {"user": self.bot_user, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        return {
            "chat": self._chat_obj(chat_id),
            "from": actor,
            "date": int(time.time()),
            "old_chat_member": {"user": self.bot_user, "status": old},
            "new_chat_member": new_member,
        }

    # ------------------------------------------------------------------ files

    def _store_file(
        self, kind: str, content: bytes, filename: str | None, mime_type: str | None
    ) -> StoredFile:
        serial = self._next_serial()
        if kind == "photo":
            file_id, path = f"AgACAgFake{serial:06d}", f"photos/file_{serial}.jpg"
        else:
            suffix = PurePosixPath(filename or "").suffix
            file_id, path = f"BQACAgFake{serial:06d}", f"documents/file_{serial}{suffix}"
        stored = StoredFile(file_id, f"AQADFake{serial}", path, content, filename, mime_type)
        self._files[file_id] = stored
        self._files_by_path[path] = stored
        return stored

    def stored_file(self, file_id: str) -> StoredFile:
        """A file known to the fake by file_id."""
        with self._lock:
            return self._files[file_id]

    @staticmethod
    def _document_obj(stored: StoredFile) -> JSON:
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }
        if stored.filename:
            document["file_name"] = stored.filename
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    @staticmethod
    def _photo_obj(stored: StoredFile) -> list[JSON]:
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 512,
                "height": 512,
                "file_size": len(stored.content),
            }
        ]

    def _upload(self, params: JSON, files: dict[str, UploadedFile], kind: str) -> StoredFile:
        value = params.get(kind)
        upload = files.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://") :])
        if upload is not None:
            return self._store_file(kind, upload.content, upload.filename, upload.mime_type)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = PurePosixPath(urlsplit(value).path).name or None
            return self._store_file(kind, b"", name, None)
        if value:
            raise _bad("wrong file identifier/HTTP URL specified")
        raise _bad(f"there is no {kind} in the request")

    # ------------------------------------------------------------------ message helpers

    def _find_message(self, chat_id: int, message_id: int) -> JSON | None:
        sent = self._bot_messages.get((chat_id, message_id))
        if sent is not None and not sent.deleted:
            return self._message_dict(sent, nested=False)
        message = self._user_messages.get((chat_id, message_id))
        return {k: v for k, v in message.items() if k != "reply_to_message"} if message else None

    def _reply_target(self, chat_id: int, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and "message_id" in reply:
            message_id, lenient = reply["message_id"], reply.get("allow_sending_without_reply")
        elif params.get("reply_to_message_id") is not None:
            message_id = params["reply_to_message_id"]
            lenient = params.get("allow_sending_without_reply")
        else:
            return None
        found = self._find_message(chat_id, int(message_id))
        if found is None and not lenient:
            raise _bad("message to be replied not found")
        return found

    def _message_dict(self, sent: SentMessage, *, nested: bool = True) -> JSON:
        message: JSON = {
            "message_id": sent.message_id,
            "from": self.bot_user,
            "chat": self._chat_obj(sent.chat_id),
            "date": sent.date,
        }
        visible = sent.plain_text
        if sent.kind == "text":
            message["text"] = visible
        elif sent.kind == "document":
            message["document"] = self._document_obj(self._files[str(sent.file_id)])
        else:
            message["photo"] = self._photo_obj(self._files[str(sent.file_id)])
        if sent.kind != "text" and visible:
            message["caption"] = visible
        if sent.reply_markup and "inline_keyboard" in sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        if sent.edits:
            message["edit_date"] = sent.edits[-1].date
        if nested and sent.reply_to_message:
            message["reply_to_message"] = sent.reply_to_message
        return message

    def _check_markup(self, markup: Any) -> JSON | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data") if isinstance(button, dict) else None
                if isinstance(data, str) and len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                    raise _bad("BUTTON_DATA_INVALID")
        return markup

    @staticmethod
    def _check_text(text: Any, parse_mode: Any) -> str:
        if not isinstance(text, str):
            raise _bad("message text is empty")
        visible = render_text(text, parse_mode if isinstance(parse_mode, str) else None)
        if not visible.strip():
            raise _bad("message text is empty")
        if _utf16_len(visible) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        return text

    @staticmethod
    def _check_caption(caption: Any, parse_mode: Any) -> str | None:
        if not isinstance(caption, str) or not caption:
            return None
        visible = render_text(caption, parse_mode if isinstance(parse_mode, str) else None)
        if _utf16_len(visible) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        return caption

    def _record_sent(self, chat: JSON, params: JSON, **fields: Any) -> JSON:
        chat_id = int(chat["id"])
        reply_to = self._reply_target(chat_id, params)
        sent = SentMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            date=int(time.time()),
            parse_mode=params.get("parse_mode"),
            params=params,
            reply_to_message=reply_to,
            **fields,
        )
        self.sent.append(sent)
        self._bot_messages[(chat_id, sent.message_id)] = sent
        return self._message_dict(sent)

    def _editable(self, params: JSON) -> SentMessage:
        if params.get("inline_message_id"):
            raise _bad("message to edit not found")
        chat = self._target_chat(params)
        key = (int(chat["id"]), _int_param(params, "message_id", 0))
        sent = self._bot_messages.get(key)
        if sent is None or sent.deleted:
            if key in self._user_messages:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return sent

    # ------------------------------------------------------------------ API methods

    def _get_me(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return self.bot_user

    def _get_updates(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        if self._webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int_param(params, "offset", 0)
        limit = max(1, min(100, _int_param(params, "limit", 100)))
        timeout = max(0, _int_param(params, "timeout", 0))
        allowed = params.get("allowed_updates") or []
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()  # an older long poll gets terminated with 409
        deadline = time.monotonic() + timeout
        while True:
            batch = [u for u in self._pending if _update_allowed(u, allowed)][:limit]
            remaining = deadline - time.monotonic()
            if batch or self._stopping or remaining <= 0:
                return batch
            self._cond.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._pending = self._pending[offset:]
        elif offset:
            self._pending = [u for u in self._pending if int(u.get("update_id", 0)) >= offset]

    def _delete_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _set_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self._webhook_url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("parameter commands is required")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = commands
        return True

    def _delete_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _get_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        return list(self._commands.get(self._commands_key(params), []))

    def my_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set for a scope (default scope) and language code."""
        with self._lock:
            params = {"scope": scope, "language_code": language_code}
            return list(self._commands.get(self._commands_key(params), []))

    def _send_message(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._target_chat(params)
        text = self._check_text(params.get("text"), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        return self._record_sent(chat, params, text=text, reply_markup=markup, kind="text")

    def _send_file(self, params: JSON, files: dict[str, UploadedFile], kind: str) -> JSON:
        chat = self._target_chat(params)
        caption = self._check_caption(params.get("caption"), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        stored = self._upload(params, files, kind)
        return self._record_sent(
            chat,
            params,
            text=caption,
            reply_markup=markup,
            kind=kind,
            file_bytes=stored.content,
            filename=stored.filename,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
        )

    def _send_document(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return self._send_file(params, files, "document")

    def _send_photo(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return self._send_file(params, files, "photo")

    def _edit_message_text(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        sent = self._editable(params)
        if sent.kind != "text":
            raise _bad("there is no text in the message to edit")
        text = self._check_text(params.get("text"), params.get("parse_mode"))
        markup = self._check_markup(params.get("reply_markup"))
        parse_mode = params.get("parse_mode")
        if (text, markup, parse_mode) == (sent.text, sent.reply_markup, sent.parse_mode):
            raise _bad(_NOT_MODIFIED)
        sent.text, sent.reply_markup, sent.parse_mode = text, markup, parse_mode
        sent.edits.append(
            MessageEdit("editMessageText", text, markup, time.monotonic(), int(time.time()))
        )
        return self._message_dict(sent)

    def _edit_message_reply_markup(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        sent = self._editable(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup == sent.reply_markup:
            raise _bad(_NOT_MODIFIED)
        sent.reply_markup = markup
        edit = MessageEdit(
            "editMessageReplyMarkup", sent.text, markup, time.monotonic(), int(time.time())
        )
        sent.edits.append(edit)
        return self._message_dict(sent)

    def _answer_callback_query(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callback_ids:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[query_id] = params
        return True

    def _get_file(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _get_chat(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat_id = self._resolve_chat_id(params.get("chat_id"))
        if chat_id not in self._chats:
            raise _bad("chat not found")
        gifts = dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        )
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _send_chat_action(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self._target_chat(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _delete_message(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat_id = self._resolve_chat_id(params.get("chat_id"))
        key = (chat_id, _int_param(params, "message_id", 0))
        sent = self._bot_messages.get(key)
        if sent is not None and not sent.deleted:
            sent.deleted = True
            return True
        if self._user_messages.pop(key, None) is not None:
            return True
        raise _bad("message to delete not found")


def _int_param(params: JSON, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _bad(f"invalid {name} specified")


def _update_allowed(update: JSON, allowed: Any) -> bool:
    if not isinstance(allowed, list) or not allowed:
        return True
    kinds = [key for key in update if key != "update_id"]
    return not kinds or any(kind in allowed for kind in kinds)
