"""The Bot API's wire format: limits, error answers, requests parsed into typed parameters."""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

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
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    drop: bool = False


def _json_reply(status: int, payload: JSON) -> _Reply:
    return _Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


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


def _int_param(params: JSON, name: str, default: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _bad(f"invalid {name} specified")
