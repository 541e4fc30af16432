"""The one sender: renders an outbox row and sends it through python-telegram-bot.

Telegram's answers are sorted into the dispatcher's three outcomes. ``BadRequest`` and
``TimedOut`` subclass ``NetworkError``, so they are caught first. A timeout or a network
error (python-telegram-bot raises ``NetworkError`` for a 5xx too) says Telegram itself is
not answering: the dispatcher then probes rather than trying every message in turn.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.common.render import Keyboard, Render
from jobs.dispatch import Delivered, Outcome, Retry, Undeliverable
from storage.models import OutboxMessage

# templates whose rendering takes a while (a chart drawn, a .docx filled in): off the loop
DRAWN = frozenset({"digest", "memo", "memo_ordered", "yearplan"})
_CHAT_GONE = ("chat not found", "user is deactivated", "peer_id_invalid", "bot was blocked")


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in keyboard
        ]
    )


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """Implements ``jobs.dispatch.Sender`` over the Bot API."""

    def __init__(self, bot: Bot, zone: ZoneInfo, render: Render) -> None:
        self.bot = bot
        self.zone = zone
        self.render = render  # every feature's templates (``bot.features.render``)

    async def send(self, message: OutboxMessage, language: str) -> Outcome:
        if message.template in DRAWN:  # a chart takes a while to draw: not on the event loop
            rendered = await asyncio.to_thread(
                self.render, message.template, message.params, language, self.zone
            )
        else:
            rendered = self.render(message.template, message.params, language, self.zone)
        try:
            if rendered.photo is not None:
                await self.bot.send_photo(message.chat_id, rendered.photo)
            if rendered.document is not None:
                document = rendered.document
                await self.bot.send_document(
                    message.chat_id, document.content, filename=document.filename
                )
            sent = await self.bot.send_message(
                message.chat_id, rendered.text, reply_markup=markup(rendered.keyboard)
            )
        except RetryAfter as error:
            return Retry(f"429: {error.message}", after=_seconds(error.retry_after))
        except Forbidden as error:
            return Undeliverable(f"403: {error.message}", person_unreachable=True)
        except BadRequest as error:
            gone = any(words in error.message.lower() for words in _CHAT_GONE)
            return Undeliverable(f"400: {error.message}", person_unreachable=gone)
        except TimedOut as error:
            return Retry(f"timed out: {error.message}", outage=True)
        except NetworkError as error:  # no connection, or a 5xx from Telegram's front
            return Retry(f"network: {error.message}", outage=True)
        except TelegramError as error:
            return Retry(f"telegram: {error.message}")
        return Delivered(sent.message_id)
