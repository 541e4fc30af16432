"""A wake-up asked for while the engine is awake is kept, not dropped.

A handler that writes a message (the director's "remind again", a loan recorded) asks the
engine to wake at once. When a wake-up is already running, APScheduler would skip the new run
of the same job ("maximum number of running instances reached"), and the message would wait
for the safety net. Here the running wake-up is made slow for real (the fake Bot API answers
late), a second one is asked for meanwhile, and APScheduler's own events show it run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)
from telegram import Bot

from bot.common.services import system_clock
from bot.features import render
from bot.offline import FakeTelegram
from bot.runtime.sender import TelegramSender
from jobs.engine import WAKE_JOB, Engine
from jobs.settings import Settings
from storage import outbox
from storage.db import Database
from storage.models import Role
from storage.outbox import NewMessage
from tests.duties.test_tick import BANGKOK, SOMCHAI, join
from tests.harness import TOKEN
from tests.runtime.test_dispatch import DUTY
from tests.support import with_changes


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """Poll shared state (the fake server's record, APScheduler's events) until it holds."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 -- state changed by other threads and tasks
            await asyncio.sleep(0.01)


def enqueue(db: Database, key: str, now: Callable[[], datetime]) -> None:
    with db.transaction() as session:
        outbox.enqueue(session, [NewMessage(key, SOMCHAI, "duty", dict(DUTY))], now=now())


async def test_a_wake_up_asked_for_during_one_runs_after_it(
    db: Database, settings: Settings
) -> None:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    settings = with_changes(settings, engine={"safety_interval_seconds": 3600})
    clock = system_clock  # APScheduler keeps real time: so does the engine here
    enqueue(db, "test:first", clock)
    with FakeTelegram(token=TOKEN) as fake:
        fake.slow_seconds = 1.0  # the first message is answered late: the wake-up takes a while
        fake.set_fault_rate(1.0, ["timeout"], methods=["sendMessage"])
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            engine = Engine(
                db, settings, TelegramSender(bot, BANGKOK, render), clock, per_chat_interval=0
            )
            events: list[tuple[int, str]] = []

            def seen(event: JobEvent) -> None:
                if event.job_id == WAKE_JOB:
                    events.append((event.code, event.job_id))

            engine.start()
            assert engine.scheduler is not None
            engine.scheduler.add_listener(
                seen, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_MAX_INSTANCES
            )
            try:
                await until(lambda: bool(fake.calls_to("sendMessage")))  # the first is sending
                fake.set_fault_rate(0.0)
                enqueue(db, "test:second", clock)  # a handler writes a message …
                engine.wake_at(clock())  # … and asks for a wake-up, while one is running
                await until(lambda: len(fake.texts_to(SOMCHAI)) == 2)
                await until(lambda: events.count((EVENT_JOB_EXECUTED, WAKE_JOB)) >= 2)
            finally:
                engine.shutdown()
    assert (EVENT_JOB_MAX_INSTANCES, WAKE_JOB) not in events


async def test_a_wake_up_asked_for_is_never_put_off_by_the_one_that_ends(
    db: Database, settings: Settings
) -> None:
    """A handler asks for a wake-up at once; before APScheduler runs it (the loop is busy),
    the wake-up under way ends and moves the job to what it read as next due, later: the
    earlier one stays. An earlier moment still brings a later job forward."""
    clock = system_clock
    settings = with_changes(settings, engine={"safety_interval_seconds": 3600})
    with FakeTelegram(token=TOKEN) as fake:
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            engine = Engine(db, settings, TelegramSender(bot, BANGKOK, render), clock)
            engine.start()
            assert engine.scheduler is not None
            engine.scheduler.pause()  # nothing runs: what is asked for stays pending
            try:
                asked = clock()
                engine.wake_at(asked)  # the handler's "at once"
                engine.wake_at(asked + timedelta(hours=1))  # the ending wake-up's "next due"
                job = engine.scheduler.get_job(WAKE_JOB)
                assert job is not None and job.next_run_time <= clock()
                engine.scheduler.remove_job(WAKE_JOB)
                engine.wake_at(asked + timedelta(hours=1))
                engine.wake_at(asked + timedelta(minutes=5))
                job = engine.scheduler.get_job(WAKE_JOB)
                assert job is not None
                assert job.next_run_time == asked + timedelta(minutes=5)
            finally:
                engine.shutdown()
