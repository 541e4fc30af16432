"""The real python-telegram-bot Application, built by our factory, against the fake Bot API.

Tests speak as users (``say``, ``press``) and read what the bot answered, over real HTTP on
127.0.0.1. Nothing of ours is mocked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.app import AnyApplication, build_application, polling
from bot.common.feature import Feature
from bot.common.services import Services
from bot.features import FEATURES, render
from bot.offline import FakeTelegram, SentMessage
from bot.runtime.sender import TelegramSender
from jobs.engine import Engine
from jobs.features import STEPS
from jobs.settings import Settings
from jobs.steps import Step
from storage.db import Database
from tests.support import NOW, with_changes

TOKEN = "123456:TEST-TOKEN-abcdefghij"


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Harness:
    fake: FakeTelegram
    app: AnyApplication
    db: Database
    settings: Settings
    clock: Any = field(default_factory=Clock)

    async def say(self, user_id: int, text: str, *, expect: int = 1, **user: Any) -> list[str]:
        """``user_id`` types ``text``; return the ``expect`` messages the bot answers with."""
        before = len(self.fake.messages_to(user_id))
        self.fake.user_sends_text(user_id, text, **user)
        messages = await self.fake.wait_for_messages(user_id, before + expect)
        return [m.text or "" for m in messages[before:]]

    async def press(
        self, user_id: int, message: SentMessage, data: str, expect: int = 1
    ) -> list[str]:
        """``user_id`` presses a button with ``data`` on ``message``; return the answers."""
        before = len(self.fake.messages_to(user_id))
        self.fake.user_presses_button(user_id, message, data)
        messages = await self.fake.wait_for_messages(user_id, before + expect)
        return [m.text or "" for m in messages[before:]]

    async def send_file(
        self, user_id: int, filename: str, content: bytes, expect: int = 1
    ) -> list[str]:
        """``user_id`` sends a document; return the bot's answers."""
        before = len(self.fake.messages_to(user_id))
        self.fake.user_sends_document(user_id, filename, content, "application/pdf")
        messages = await self.fake.wait_for_messages(user_id, before + expect)
        return [m.text or "" for m in messages[before:]]

    def last(self, user_id: int) -> SentMessage:
        return self.fake.last_message(user_id)


@asynccontextmanager
async def running_bot(
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    token: str = TOKEN,
    *,
    engine: bool = False,
    features: Sequence[Feature] = FEATURES,
    steps: Sequence[type[Step]] = STEPS,
) -> AsyncIterator[Harness]:
    """Start the fake server and the real Application polling it; stop both afterwards.

    ``engine`` also starts the reminder engine (the scheduler), as ``run`` does; ``features``
    and ``steps`` are the bot's own unless a test brings one more.
    """
    with FakeTelegram(token=token) as fake:
        settings = with_changes(
            settings, telegram={"base_url": fake.base_url, "base_file_url": fake.base_file_url}
        )
        clock = clock or Clock()
        services = Services(settings, db, clock)
        app = build_application(services, token, with_engine=engine, features=features, steps=steps)
        async with polling(app):
            yield Harness(fake, app, db, settings, clock)


@dataclass
class EngineOffice:
    """A running bot and its reminder engine (tick → outbox → dispatcher), woken by the test
    at each instant of its clock, as APScheduler would; ``ids``: Telegram user → staff id."""

    bot: Harness
    engine: Engine
    ids: dict[int, int]

    async def at(self, moment: datetime) -> None:
        """Move the clock and wake the engine, as APScheduler would at that instant."""
        self.bot.clock.now = moment
        await self.engine.wake()

    def texts(self, user: int) -> list[str]:
        return self.bot.fake.texts_to(user)

    async def press(self, user: int, message: SentMessage, label: str) -> list[str]:
        return await self.bot.press(user, message, message.button_data(label))


OfficeT = TypeVar("OfficeT", bound=EngineOffice)


@asynccontextmanager
async def office_with_engine(
    db: Database, settings: Settings, start: datetime, ids: dict[int, int], kind: type[OfficeT]
) -> AsyncIterator[OfficeT]:
    """``kind`` (an :class:`EngineOffice`) over a bot whose clock starts at ``start``."""
    clock = Clock(start)
    async with running_bot(db, settings, clock) as bot:
        sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
        engine = Engine(db, bot.settings, sender, clock, per_chat_interval=0.0)
        try:
            yield kind(bot, engine, ids)
        finally:
            engine.shutdown()
