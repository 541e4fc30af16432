"""Under injected faults (429, 5xx, resets, lost answers, timeouts, a blocked user) every
reminder is delivered or its person marked unreachable, and no ladder stalls short of the
director."""

from __future__ import annotations

from sqlmodel import select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.features import render
from bot.offline import FakeTelegram
from bot.runtime.sender import TelegramSender
from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher
from jobs.settings import Settings
from jobs.tick import Planner
from storage import outbox, people
from storage.db import Database
from storage.models import AssignmentStatus, OutboxMessage, OutboxState
from tests.duties.test_tick import (
    BANGKOK,
    COORDINATOR,
    DIRECTOR,
    HEAD,
    MALEE,
    SOMCHAI,
    bkk,
    build_office,
    only,
    q1_assignment,
)
from tests.harness import TOKEN, Clock

LADDER = [
    bkk(1, 3, 8, 30),
    bkk(1, 9, 8, 30),
    bkk(1, 10, 8, 30),
    bkk(1, 13, 8, 30),
    bkk(1, 15, 8, 30),
    bkk(1, 17, 8, 30),
]
KINDS = ["retry_after", "server_error", "bad_gateway", "disconnect", "lost_response", "timeout"]


async def test_the_ladder_reaches_the_director_through_faults(
    db: Database, settings: Settings
) -> None:
    office = build_office(db)
    plan = only(settings, "quarterly-progress", each_member_of=["admin"])
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(office, bkk(1, 2))
    clock = Clock(bkk(1, 2))
    with FakeTelegram(token=TOKEN) as fake:
        fake.set_fault_rate(0.35, KINDS, seed=7, methods=["sendMessage"])
        fake.slow_seconds = 0.6
        fake.block_chat(MALEE)
        request = HTTPXRequest(read_timeout=0.3, connection_pool_size=4)
        async with Bot(TOKEN, base_url=fake.base_url, request=request) as bot:
            dispatcher = Dispatcher(
                office, TelegramSender(bot, BANGKOK, render), clock, per_chat_interval=0.0
            )
            for step in LADDER:
                clock.now = step
                planner.tick(office, step)
                for _ in range(60):  # retries come due as the clock moves on
                    await dispatcher.dispatch()
                    with office.transaction() as session:
                        if outbox.backlog(session) == 0:
                            break
                    clock.advance(seconds=30)
    with office.transaction() as session:
        rows = list(session.exec(select(OutboxMessage)).all())
        malee = people.by_telegram_user(session, MALEE)
    assert malee is not None and not malee.staff.reachable
    assert {m.state for m in rows} <= {OutboxState.SENT.value, OutboxState.FAILED.value}
    failed = [m for m in rows if m.state == OutboxState.FAILED.value]
    assert failed and {m.chat_id for m in failed} == {MALEE}  # only the blocked person
    assert any(
        m.template == "unreachable"
        and m.chat_id == COORDINATOR
        and m.state == OutboxState.SENT.value
        for m in rows
    )
    (to_director,) = [m for m in rows if m.template == "escalation" and m.chat_id == DIRECTOR]
    assert to_director.state == OutboxState.SENT.value
    assert [m["name_th"] for m in to_director.params["missing"]] == [
        "สมชาย ใจดี",
        "มาลี ศรีสุข",
        "ประเสริฐ หัวหน้า",
    ]
    for user in (SOMCHAI, MALEE, HEAD):
        assert q1_assignment(office, user).status == AssignmentStatus.ESCALATED.value
    faults = [c for c in fake.calls if c.method == "sendMessage" and c.status != 200]
    assert len(faults) >= 5  # the faults really happened
