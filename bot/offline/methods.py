"""The Bot API methods the bot uses, answered as Telegram would (its checks and its errors)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from bot.offline.state import MessageEdit, SentMessage, State, StoredFile
from bot.offline.text import _utf16_len, render_text
from bot.offline.wire import (
    JSON,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_TEXT_LENGTH,
    ApiError,
    UploadedFile,
    _bad,
    _int_param,
)

Handler = Callable[[JSON, "dict[str, UploadedFile]"], Any]

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
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
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


class BotApiMethods(State):
    """One method per Bot API method (``_build_handlers`` names them), called under the lock."""

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


def _update_allowed(update: JSON, allowed: Any) -> bool:
    if not isinstance(allowed, list) or not allowed:
        return True
    kinds = [key for key in update if key != "update_id"]
    return not kinds or any(kind in allowed for kind in kinds)
