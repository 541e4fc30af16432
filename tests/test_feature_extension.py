"""Adding a feature takes its package and one line per composition root: the example
feature (``tests/example_feature``: /ping, a button, a template, an audit name and a tick
step) is added here by passing the roots' lists with one more entry, and it works through
the real Application, the real tick and the real sender over the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.common.feature import Catalog
from bot.common.i18n import translator
from bot.features import CATALOG, FEATURES
from bot.runtime.sender import TelegramSender
from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher
from jobs.features import STEPS
from jobs.settings import Settings
from jobs.tick import Planner
from storage.db import Database
from storage.models import Role
from tests.example_feature import chat
from tests.example_feature.step import PingStep
from tests.harness import running_bot
from tests.support import NOW, audit_names, enrol

WITH_PING = (*FEATURES, chat.FEATURE)  # the one line in bot/features.py
STEPS_WITH_PING = (*STEPS, PingStep)  # the one line in jobs/features.py
COORDINATOR = 7001


@pytest.mark.asyncio
async def test_the_example_feature_answers_in_chat(db: Database, settings: Settings) -> None:
    enrol(db, COORDINATOR, "นางสาวปิงปอง ทดสอบ", "policy", Role.COORDINATOR)
    async with running_bot(db, settings, features=WITH_PING, steps=STEPS_WITH_PING) as bot:
        assert await bot.say(COORDINATOR, "/ping") == ["pong, นางสาวปิงปอง ทดสอบ"]
        assert await bot.press(COORDINATOR, bot.last(COORDINATOR), "ping:1") == ["pong 1"]
        # data that does not fit the button's shape is refused by the kit, in one place
        press = bot.fake.user_presses_button(COORDINATOR, bot.last(COORDINATOR), "ping:0")
        await bot.fake.wait_until(lambda: bot.fake.callback_answer(press) is not None)
        alert = bot.fake.callback_answer(press)
        assert alert is not None and alert.get("show_alert")
        stale = translator("th")("This button is no longer valid. Please type the command again.")
        assert alert.get("text") == stale


@pytest.mark.asyncio
async def test_without_its_line_the_feature_is_not_there(db: Database, settings: Settings) -> None:
    enrol(db, COORDINATOR, "นางสาวปิงปอง ทดสอบ", "policy", Role.COORDINATOR)
    async with running_bot(db, settings) as bot:
        (answer,) = await bot.say(COORDINATOR, "/ping")
        assert "pong" not in answer


@pytest.mark.asyncio
async def test_the_example_step_runs_in_the_tick_and_its_template_is_sent(
    db: Database, settings: Settings
) -> None:
    enrol(db, COORDINATOR, "นางสาวปิงปอง ทดสอบ", "policy", Role.COORDINATOR)
    calendar = OfficeCalendar.from_office(settings.office)
    planner = Planner(settings, calendar, STEPS_WITH_PING)
    opening = calendar.opening(NOW.astimezone(calendar.zone).date())
    assert planner.tick(db, opening - timedelta(minutes=1)).messages == 0
    assert planner.tick(db, opening).messages == 1
    assert planner.tick(db, opening + timedelta(minutes=5)).messages == 0  # once a day
    assert planner.next_wake(db, opening) is not None
    catalog = Catalog(WITH_PING)
    assert catalog.audit["ping.sent"] == "a morning ping"
    async with running_bot(db, settings, features=WITH_PING, steps=STEPS_WITH_PING) as bot:
        sender = TelegramSender(bot.app.bot, calendar.zone, catalog.render)
        clock = lambda: opening  # noqa: E731
        await Dispatcher(db, sender, clock, per_chat_interval=0, steps=STEPS_WITH_PING).dispatch()
        await bot.fake.wait_for_messages(COORDINATOR, 1)
        assert bot.last(COORDINATOR).text == f"good morning, ping {opening.date().isoformat()}"


def test_two_features_may_not_claim_the_same_name() -> None:
    with pytest.raises(ValueError, match="ping"):
        Catalog((*WITH_PING, chat.FEATURE))


def test_every_features_audit_names_reach_the_catalog() -> None:
    """The evidence workbook names what the features declare: none left out of its feature."""
    assert CATALOG.audit == audit_names()
