"""What a test (or the demo) does with the fake: people write, send files and press buttons;
what the bot sent and called is read back and waited for."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bot.offline.state import ApiCall, SentMessage, State
from bot.offline.text import _utf16_len
from bot.offline.wire import JSON


class Helpers(State):
    """The test-facing side of the fake."""

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

    # ------------------------------------------------------------------ people write and press

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
