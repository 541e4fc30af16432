"""A row another session holds never freezes the process (issue 12).

Someone presses "ส่งรายงานแล้ว" on a reminder while another connection holds that assignment
(PostgreSQL: its row ``FOR UPDATE``; SQLite: the file's write lock, ``BEGIN IMMEDIATE``) for
longer than the database waits. The press waits on a worker thread and is answered "try again",
changing nothing; meanwhile the event loop runs on: another person's /mine is answered at once,
a 10 ms sleep never oversleeps by much, and the scheduler's wake-up goes round.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlmodel import select

from bot.features import render
from bot.runtime.sender import TelegramSender
from jobs.engine import Engine
from jobs.settings import Settings
from storage import audit, leader, outbox, schedule
from storage.db import LOCK_TIMEOUT_MS, Database
from storage.models import OutboxMessage, Role
from storage.outbox import NewMessage
from tests.duties.test_tick import MALEE, SOMCHAI, bkk, join, only, q1_assignment
from tests.harness import Clock, Harness, running_bot
from tests.support import holding_row

SQLITE_BUSY_SECONDS = 5.0  # storage/db.py: PRAGMA busy_timeout=5000
TRY_AGAIN = "ขณะนี้มีผู้ใช้งานพร้อมกันจำนวนมาก"
PROMPT = 1.0  # seconds: "at once" for an answer, "far below the lock wait" for the loop


@dataclass
class Office:
    bot: Harness
    engine: Engine
    gaps: list[float] = field(default_factory=list)

    @property
    def sqlite(self) -> bool:
        return self.bot.db.engine.url.get_backend_name() == "sqlite"

    @property
    def wait(self) -> float:
        """How long the database waits for a held row before it gives up."""
        return SQLITE_BUSY_SECONDS if self.sqlite else LOCK_TIMEOUT_MS / 1000


@pytest.fixture
def plan(settings: Settings) -> Settings:
    return only(settings, "quarterly-progress", each_member_of=["admin"])


@pytest.fixture
async def office(db: Database, plan: Settings) -> AsyncIterator[Office]:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    clock = Clock(bkk(1, 3, 8, 30))  # the first reminders of Q1 2568
    async with running_bot(db, plan, clock) as bot:
        sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
        engine = Engine(db, bot.settings, sender, clock, per_chat_interval=0.0)
        try:
            await engine.wake()
            yield Office(bot, engine)
        finally:
            engine.shutdown()


@contextmanager
def probing(office: Office, tick: float = 0.01) -> Iterator[None]:
    """A task that sleeps ``tick`` again and again, noting how long each sleep really took."""

    async def probe() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(tick)
            office.gaps.append(time.perf_counter() - started)

    task = asyncio.create_task(probe())
    try:
        yield
    finally:
        task.cancel()


def confirmations(db: Database, assignment_id: int) -> list[str]:
    with db.transaction() as session:
        events = audit.events(session, subject_type="assignment", subject_id=assignment_id)
        return [e.action for e in events if e.action.endswith("confirmed")]


def queue_for_malee(db: Database, office: Office) -> None:
    """Something for the dispatcher to send meanwhile (a copy of Malee's own reminder)."""
    with db.transaction() as session:
        (first,) = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == MALEE)).all()
        again = NewMessage("test:meanwhile", MALEE, "duty", dict(first.params), first.staff_id)
        outbox.enqueue(session, [again], now=office.bot.clock())


async def test_a_press_on_a_held_reminder_asks_to_try_again_and_others_are_answered(
    office: Office,
) -> None:
    """(a) the press is answered "try again" when the database gives up, changing nothing;
    (b) meanwhile another person's /mine is answered at once and the loop never stalls."""
    bot, hold = office.bot, office.wait + 1.5  # held longer than the database waits
    (reminder,) = await bot.fake.wait_for_messages(SOMCHAI, 1)
    assignment = q1_assignment(bot.db, SOMCHAI)
    assert assignment.status in schedule.OPEN_STATUSES

    with probing(office), holding_row(bot.db, "assignment", assignment.id or 0):
        held_at = time.perf_counter()
        press = bot.fake.user_presses_button(SOMCHAI, reminder, reminder.button_data("ส่งรายงานแล้ว"))
        asked = time.perf_counter()
        (owed,) = await bot.say(MALEE, "/mine")
        assert owed.startswith("รายงานที่ท่านต้องส่ง:")
        assert time.perf_counter() - asked < office.wait / 2
        assert bot.fake.callback_answer(press) is None  # Malee was answered first
        await bot.fake.wait_until(
            lambda: any(t.startswith(TRY_AGAIN) for t in bot.fake.texts_to(SOMCHAI)),
            timeout=office.wait + 2,
        )
        assert time.perf_counter() - held_at < hold  # answered while the row is still held
        assert bot.fake.callback_answer(press) is not None  # the button stops spinning
        await asyncio.sleep(hold - (time.perf_counter() - held_at))

    assert max(office.gaps) < PROMPT, f"the event loop stopped for {max(office.gaps):.2f} s"
    assert len(office.gaps) > hold / 0.01 / 4  # the probe kept waking up all along
    after = q1_assignment(bot.db, SOMCHAI)  # nothing changed
    assert after.status == assignment.status and after.confirmed_at is None
    assert confirmations(bot.db, assignment.id or 0) == []
    assert not reminder.edits and reminder.button_data("ส่งรายงานแล้ว")
    assert bot.fake.texts_to(SOMCHAI)[-1].startswith(TRY_AGAIN)


async def test_the_scheduler_goes_round_while_a_press_waits_for_a_held_reminder(
    office: Office,
) -> None:
    """(c) On PostgreSQL only that row is held: the tick, its heartbeat and the dispatch
    complete at once. On SQLite the whole file is held: the wake-up waits for the write lock
    on a worker thread, the loop running on, and completes once it is free."""
    bot, hold = office.bot, office.wait + 1.5
    (reminder,) = await bot.fake.wait_for_messages(SOMCHAI, 1)
    await bot.fake.wait_for_messages(MALEE, 1)
    assignment = q1_assignment(bot.db, SOMCHAI)
    bot.clock.advance(hours=1)  # nothing of the ladder is due: the tick touches no assignment
    queue_for_malee(bot.db, office)
    before = len(bot.fake.messages_to(MALEE))

    with probing(office), holding_row(bot.db, "assignment", assignment.id or 0):
        held_at = time.perf_counter()
        bot.fake.user_presses_button(SOMCHAI, reminder, reminder.button_data("ส่งรายงานแล้ว"))
        if office.sqlite:  # started so that its wait (5 s) outlasts the hold
            await asyncio.sleep(hold - 3.0)
        waking = asyncio.create_task(office.engine.wake())
        if not office.sqlite:
            await asyncio.wait_for(asyncio.shield(waking), timeout=office.wait - 1)
        await asyncio.sleep(hold - (time.perf_counter() - held_at))
        assert waking.done() is not office.sqlite  # SQLite: still waiting for the file

    await asyncio.wait_for(waking, timeout=PROMPT * 3)
    assert max(office.gaps) < PROMPT, f"the event loop stopped for {max(office.gaps):.2f} s"
    assert office.engine.last_tick == bot.clock()
    with bot.db.transaction() as session:
        beat = leader.last_beat(session)
    assert beat is not None and beat.at == bot.clock()
    (meanwhile,) = bot.fake.messages_to(MALEE)[before:]
    assert meanwhile.text is not None and meanwhile.text.startswith("แจ้งเตือนการส่งรายงาน")
    await bot.fake.wait_until(
        lambda: any(t.startswith(TRY_AGAIN) for t in bot.fake.texts_to(SOMCHAI))
    )
