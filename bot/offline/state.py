"""What the fake knows and records: the bot, users, chats, messages, files, calls, updates.

``State`` holds it all under one lock; the Bot API methods (``methods``), fault injection
(``faults``) and the test-facing helpers (``helpers``) are built on it, and ``server`` serves
them over HTTP.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from bot.offline.text import render_text
from bot.offline.wire import JSON, ApiError, UploadedFile, _bad


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


class State:
    """The fake's state and recordings; every access holds ``_lock`` (``_cond`` wakes polls)."""

    def __init__(
        self, *, bot_id: int, bot_username: str, bot_first_name: str, strict_chats: bool
    ) -> None:
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.strict_chats = strict_chats
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = False  # the server stops: long polls answer at once
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

    # ------------------------------------------------------------------ the update queue

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

    # ------------------------------------------------------------------ message helpers

    def _find_message(self, chat_id: int, message_id: int) -> JSON | None:
        sent = self._bot_messages.get((chat_id, message_id))
        if sent is not None and not sent.deleted:
            return self._message_dict(sent, nested=False)
        message = self._user_messages.get((chat_id, message_id))
        return {k: v for k, v in message.items() if k != "reply_to_message"} if message else None

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
