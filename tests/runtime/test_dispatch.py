"""The dispatcher and the one sender, over real HTTP to the fake Bot API server."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import col, select
from telegram import Bot

from bot.features import render
from bot.offline import FakeTelegram
from bot.runtime.sender import TelegramSender
from jobs.calendar import OfficeCalendar
from jobs.dispatch import REMINDER_LIFETIME, Dispatcher
from jobs.settings import Settings
from jobs.tick import Planner
from storage import outbox, people
from storage.db import Database
from storage.models import OutboxMessage, OutboxState, Role
from storage.outbox import NewMessage
from tests.duties.test_tick import (
    BANGKOK,
    COORDINATOR,
    MALEE,
    SOMCHAI,
    bkk,
    join,
    only,
    q1_assignment,
)
from tests.harness import TOKEN, Clock

DUTY = {
    "kind": "reminder",
    "assignment_id": 1,
    "title_th": "รายงานทดสอบ",
    "title_en": "Test report",
    "period_key": "2568-Q1",
    "fiscal_year": 2568,
    "quarter": 1,
    "month": None,
    "due_at": bkk(1, 10, 16, 30).isoformat(),
    "collapsed": 1,
    "followup_number": 0,
}


@dataclass
class Rig:
    db: Database
    fake: FakeTelegram
    clock: Clock
    dispatcher: Dispatcher

    def enqueue(self, *chat_ids: int, template: str = "duty") -> None:
        with self.db.transaction() as session:
            messages = []
            for number, chat_id in enumerate(chat_ids):
                person = people.by_telegram_user(session, chat_id)
                messages.append(
                    NewMessage(
                        f"test:{number}:{chat_id}",
                        chat_id,
                        template,
                        dict(DUTY),
                        person.id if person else None,
                    )
                )
            outbox.enqueue(session, messages, now=self.clock())

    def rows(self) -> list[OutboxMessage]:
        with self.db.transaction() as session:
            return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


@pytest.fixture
async def rig(db: Database) -> AsyncIterator[Rig]:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    clock = Clock(bkk(1, 3, 8, 30))
    with FakeTelegram(token=TOKEN) as fake:
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            sender = TelegramSender(bot, BANGKOK, render)
            yield Rig(db, fake, clock, Dispatcher(db, sender, clock, per_chat_interval=0.0))


async def test_a_reminder_is_rendered_in_thai_with_its_button_and_recorded(rig: Rig) -> None:
    rig.enqueue(SOMCHAI)
    report = await rig.dispatcher.dispatch()
    assert report.sent == 1
    (message,) = rig.fake.messages_to(SOMCHAI)
    assert message.text == (
        "แจ้งเตือนการส่งรายงาน\n\nรายงาน: รายงานทดสอบ\n"
        "รอบรายงาน: ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568\n"
        "กำหนดส่ง: ภายในวันที่ 10 มกราคม 2568 เวลา 16.30 น.\n\n"
        "ขอความร่วมมือจัดส่งรายงานถึงกลุ่มนโยบายและแผนภายในกำหนด เมื่อจัดส่งแล้วโปรดกดปุ่ม "
        '"ส่งรายงานแล้ว" ด้านล่าง ส่วนไฟล์หลักฐานแนบตามมาภายหลังได้'
    )
    assert message.button_data("ส่งรายงานแล้ว") == "done:1"
    (row,) = rig.rows()
    assert (row.state, row.telegram_message_id) == (OutboxState.SENT.value, message.message_id)


async def test_a_429_is_retried_no_sooner_than_telegram_asked(rig: Rig) -> None:
    rig.fake.inject(
        "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    rig.enqueue(SOMCHAI)
    report = await rig.dispatcher.dispatch()
    assert (report.sent, report.retried) == (0, 1)
    (row,) = rig.rows()
    assert row.state == OutboxState.PENDING.value and row.attempts == 1
    assert row.not_before - rig.clock() >= timedelta(seconds=7)
    rig.clock.advance(seconds=6)
    assert (await rig.dispatcher.dispatch()).sent == 0  # not yet
    rig.clock.advance(seconds=2)
    assert (await rig.dispatcher.dispatch()).sent == 1
    assert len(rig.fake.messages_to(SOMCHAI)) == 1


async def test_server_errors_back_off_and_then_deliver(rig: Rig) -> None:
    rig.fake.inject("sendMessage", status=502, description="Bad Gateway", times=2)
    rig.enqueue(SOMCHAI)
    assert (await rig.dispatcher.dispatch()).outage  # Telegram down since now: probe in 1 s
    rig.clock.advance(seconds=2)  # the failed probe waits one second behind the others
    await rig.dispatcher.dispatch()
    (row,) = rig.rows()
    assert row.attempts == 2 and row.state == OutboxState.PENDING.value
    assert (row.last_error or "").startswith("network: Bad Gateway")
    assert row.not_before == rig.clock() + timedelta(seconds=2 + 1)  # down 2 s: wait 2 s more
    rig.clock.advance(seconds=2)
    assert (await rig.dispatcher.dispatch()).sent == 0  # not yet
    rig.clock.advance(seconds=1)
    assert (await rig.dispatcher.dispatch()).sent == 1


async def test_while_telegram_is_unreachable_one_probe_goes_and_the_others_wait(
    rig: Rig,
) -> None:
    rig.fake.set_fault_rate(1.0, ["disconnect"], methods=["sendMessage"])
    rig.enqueue(SOMCHAI, MALEE, COORDINATOR)
    report = await rig.dispatcher.dispatch()
    assert report.outage and report.sent == 0
    assert len(rig.fake.calls_to("sendMessage")) == 1  # not one timeout per message
    rows = rig.rows()
    assert {r.state for r in rows} == {OutboxState.PENDING.value}
    assert [r.attempts for r in rows] == [1, 0, 0]
    assert [r.failed_since for r in rows] == [rig.clock()] * 3, rows
    rig.fake.clear_faults()
    rig.clock.advance(seconds=1)
    report = await rig.dispatcher.dispatch()  # the next probe gets through: everything goes
    assert report.sent == 3 and not report.outage
    assert {r.state for r in rig.rows()} == {OutboxState.SENT.value}


async def test_the_probe_interval_grows_with_the_outage_and_stays_within_five_minutes(
    rig: Rig,
) -> None:
    rig.fake.set_fault_rate(1.0, ["bad_gateway"], methods=["sendMessage"])
    rig.enqueue(SOMCHAI)
    started = rig.clock()
    probes = []
    for _ in range(4 * 60):  # four simulated hours, a look every minute
        before = len(rig.fake.calls_to("sendMessage"))
        await rig.dispatcher.dispatch()
        if len(rig.fake.calls_to("sendMessage")) > before:
            probes.append(rig.clock() - started)
        rig.clock.advance(minutes=1)
    gaps = [later - earlier for earlier, later in itertools.pairwise(probes)]
    assert max(gaps) <= timedelta(minutes=6)  # at most five minutes, checked every minute
    assert len(probes) >= 4 * 60 / 6
    (row,) = rig.rows()
    assert row.state == OutboxState.PENDING.value  # never given up


async def test_a_blocked_person_is_marked_unreachable_and_the_coordinator_told(rig: Rig) -> None:
    rig.fake.block_chat(SOMCHAI)
    rig.enqueue(SOMCHAI, MALEE)
    report = await rig.dispatcher.dispatch()
    assert (report.sent, report.failed) == (2, 1)  # Malee's reminder and the notice
    failed = next(r for r in rig.rows() if r.chat_id == SOMCHAI)
    assert failed.state == OutboxState.FAILED.value and "blocked" in (failed.last_error or "")
    with rig.db.transaction() as session:
        somchai = people.by_telegram_user(session, SOMCHAI)
    assert somchai is not None and not somchai.staff.reachable
    (notice,) = rig.fake.texts_to(COORDINATOR)
    assert notice.startswith("ระบบไม่สามารถติดต่อคุณสมชาย ใจดี ทาง Telegram ได้")
    assert "จะรายงานศึกษาธิการจังหวัดหากยังไม่ได้รับรายงาน" in notice
    await rig.dispatcher.dispatch()
    assert len(rig.fake.texts_to(COORDINATOR)) == 1  # told once


async def test_messages_to_one_chat_are_spaced_by_the_per_chat_interval(rig: Rig) -> None:
    rig.dispatcher.per_chat_interval = 0.2
    rig.enqueue(SOMCHAI, SOMCHAI, SOMCHAI, MALEE)
    await rig.dispatcher.dispatch()
    times = [
        call.at
        for call in rig.fake.calls_to("sendMessage")
        if str(call.params.get("chat_id")) == str(SOMCHAI)
    ]
    assert len(times) == 3
    assert all(later - earlier >= 0.2 for earlier, later in itertools.pairwise(times))


async def test_a_reminder_that_failed_until_long_past_due_expires_and_nobody_is_told(
    rig: Rig,
) -> None:
    rig.fake.inject("sendMessage", status=500, description="Internal Server Error")
    rig.enqueue(SOMCHAI)
    await rig.dispatcher.dispatch()
    rig.clock.now = bkk(1, 10, 16, 30) + REMINDER_LIFETIME + timedelta(minutes=1)
    report = await rig.dispatcher.dispatch()
    assert (report.sent, report.failed, report.expired) == (0, 0, 1)
    (row,) = rig.rows()
    assert row.state == OutboxState.EXPIRED.value
    assert rig.fake.texts_to(COORDINATOR) == []  # not a failure: nothing to tell


async def test_a_later_reminder_to_the_same_person_replaces_one_not_yet_sent(
    rig: Rig, settings: Settings
) -> None:
    plan = only(settings, "quarterly-progress", each_member_of=["admin"])
    Planner(plan, OfficeCalendar.from_office(plan.office)).materialise(rig.db, bkk(1, 2))
    assignment = q1_assignment(rig.db, SOMCHAI).id
    with rig.db.transaction() as session:
        somchai = people.by_telegram_user(session, SOMCHAI)
        assert somchai is not None
        outbox.enqueue(
            session,
            [
                NewMessage(
                    f"assignment:{assignment}:step-{step}:to-{somchai.id}",
                    SOMCHAI,
                    "duty",
                    {**DUTY, "kind": kind, "assignment_id": assignment},
                    somchai.id,
                    assignment_id=assignment,
                )
                for step, kind in ((0, "reminder"), (1, "last_call"))
            ],
            now=rig.clock(),
        )
    report = await rig.dispatcher.dispatch()
    assert (report.sent, report.expired) == (1, 1)
    first, second = rig.rows()
    assert first.state == OutboxState.SUPERSEDED.value
    assert second.state == OutboxState.SENT.value and second.params["collapsed"] == 2
    (text,) = rig.fake.texts_to(SOMCHAI)
    assert text.startswith("วันนี้เป็นวันครบกำหนดส่งรายงาน")
    assert "(ข้อความนี้รวมการแจ้งเตือนที่ค้างส่ง 2 รายการไว้ด้วยกัน)" in text


async def test_a_person_found_blocked_is_reported_once_however_many_messages_fail(
    rig: Rig,
) -> None:
    rig.fake.block_chat(SOMCHAI)
    rig.enqueue(SOMCHAI, SOMCHAI, SOMCHAI)
    report = await rig.dispatcher.dispatch()
    assert (report.failed, report.sent) == (3, 1)
    assert len(rig.fake.texts_to(COORDINATOR)) == 1


async def test_a_lost_escalation_is_not_said_to_reach_the_director_anyway(rig: Rig) -> None:
    rig.fake.inject("sendMessage", status=400, description="Bad Request: message is too long")
    rig.enqueue(SOMCHAI, template="escalation")
    with rig.db.transaction() as session:
        row = session.exec(select(OutboxMessage)).one()
        row.params = {**DUTY, "missing": [], "for_director": False}
        session.add(row)
    await rig.dispatcher.dispatch()
    (notice,) = rig.fake.texts_to(COORDINATOR)
    assert notice.startswith("ไม่สามารถส่งข้อความถึงคุณสมชาย ใจดี ได้")
    assert "จะรายงานศึกษาธิการจังหวัด" not in notice
    assert notice.endswith("กรุณาติดต่อผู้นั้นโดยตรงและแจ้งเรื่องดังกล่าวให้ทราบ ระบบจะไม่ส่งข้อความนี้ซ้ำอีก")
