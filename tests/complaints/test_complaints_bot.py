"""The complaint channel end to end: the real Application and engine over the fake Bot API,
a clock moved by hand, both databases."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select as select_rows
from sqlmodel import SQLModel, col, select

from bot.common.services import services_of
from bot.complaints.sender import ComplainantSender
from bot.features import render
from bot.offline import SentMessage
from bot.runtime import logs
from bot.runtime.complaint_keys import ENV_VAR
from bot.runtime.sender import TelegramSender
from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher
from jobs.settings import Settings
from jobs.tick import Planner
from storage import audit, complaints, people
from storage.db import Database
from storage.models import Complaint, ComplaintEntry, ComplaintStatus, OutboxMessage, Role
from tests.duties.test_tick import bkk, only
from tests.harness import Clock, Harness, running_bot
from tests.office.test_invites import row_counts
from tests.support import enrol, holding_row, with_changes

KEY = "k3y-for-the-complaint-tests-0123456789-abcdefghij"
COMPLAINANT = 5550123987
IDENTITY = {"username": "somsak_w", "first_name": "สมศักดิ์", "last_name": "วงศ์ใหญ่"}
DIRECTOR, COORDINATOR, ADMIN, STAFF, HANDLER = 31, 21, 41, 11, 12
CODE = re.compile(r"\n\n([0-9A-Z]{4}-[0-9A-Z]{4})\n\n")
WHAT = "เจ้าหน้าที่การเงินเรียกเงิน 2,000 บาท เพื่อเร่งการเบิกจ่ายค่าตอบแทน"
COMPLAINT_TABLES = ("complaint", "complaint_entry")


@pytest.fixture(autouse=True)
def _complaint_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, KEY)


def staff_id(db: Database, user_id: int) -> int:
    with db.transaction() as session:
        person = people.by_telegram_user(session, user_id)
    assert person is not None
    return person.id


@pytest.fixture
async def office(db: Database, settings: Settings) -> AsyncIterator[Harness]:
    """A director with one named handler, a coordinator, an admin, a staff member; no report
    obligations (so that only complaint messages go out); the engine on an injected clock."""
    for user_id, name, group, role in (
        (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
        (COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR),
        (ADMIN, "อนันต์ ดูแลระบบ", "personnel", Role.ADMIN),
        (STAFF, "สมชาย ใจดี", "admin", Role.STAFF),
        (HANDLER, "มาลี ศรีสุข", "admin", Role.STAFF),
    ):
        enrol(db, user_id, name, group, role, now=bkk(1, 2))
    with db.transaction() as session:
        complaints.name_handler(
            session,
            staff_id(db, HANDLER),
            actor=people.Actor("test"),
            now=bkk(1, 2),
        )
    plan = only(settings)
    async with running_bot(db, plan, Clock(bkk(1, 6, 9))) as harness:
        yield harness


def with_button(bot: Harness, user_id: int, data: str) -> SentMessage:
    """The latest message to ``user_id`` that carries a button with ``data``."""
    for message in reversed(bot.fake.messages_to(user_id)):
        if data in message.callback_data:
            return message
    raise AssertionError(f"no message to {user_id} has the button {data}")


async def press(bot: Harness, user_id: int, data: str, expect: int = 1) -> list[str]:
    return await bot.press(user_id, with_button(bot, user_id, data), data, expect)


async def file_complaint(
    bot: Harness,
    user_id: int = COMPLAINANT,
    *,
    notify: bool = False,
    contact: str | None = None,
    opening: str = "/complain",
) -> str:
    """Walk the whole conversation, begun with ``opening``; return the tracking code."""
    (intro, what) = await bot.say(user_id, opening, expect=2, **IDENTITY)
    assert intro.startswith("ช่องทางร้องเรียนการทุจริตและประพฤติมิชอบ สำนักงานศึกษาธิการจังหวัดพิจิตร")
    assert "ไม่ต้องเปิดเผยตัวตนต่อสำนักงาน" in intro and what.startswith("1/4 ")
    (who,) = await bot.say(user_id, WHAT)
    assert who.startswith("2/4 ")
    (when,) = await bot.say(user_id, "นางสาว ข. เจ้าหน้าที่การเงิน")
    assert when.startswith("3/4 ")
    (where,) = await press(bot, user_id, "cm:skip")
    assert where.startswith("4/4 ")
    (files,) = await bot.say(user_id, "ที่สำนักงาน ห้องการเงิน")
    assert files.startswith("หากมีหลักฐาน")
    (received,) = await bot.send_file(user_id, "สลิปโอนเงิน.pdf", b"%PDF-1.4 slip")
    assert received == "ได้รับไฟล์แล้ว (รวม 1 ไฟล์)"
    (contact_question,) = await press(bot, user_id, "cm:next")
    assert contact_question.startswith("ท่านประสงค์จะให้ข้อมูลติดต่อกลับ")
    if contact is None:
        (notify_question,) = await press(bot, user_id, "cm:anon")
    else:
        await press(bot, user_id, "cm:contact")
        (notify_question,) = await bot.say(user_id, contact)
    assert notify_question.startswith("ท่านต้องการให้บอทแจ้งในแชตนี้")
    (summary,) = await press(bot, user_id, "cm:notify" if notify else "cm:quiet")
    assert summary.startswith("กรุณาตรวจสอบเรื่องร้องเรียนก่อนส่ง:") and WHAT in summary
    (done,) = await press(bot, user_id, "cm:send")
    assert done.startswith("สำนักงานได้รับเรื่องร้องเรียนของท่านแล้ว รหัสติดตามเรื่องของท่านคือ")
    assert "สำนักงานจะตอบรับเรื่องภายในวันที่ " in done
    found = CODE.search(done)
    assert found is not None
    return found.group(1)


async def wake(bot: Harness, at: datetime | None = None) -> None:
    """Move the clock (if asked), then what the engine does when it wakes: the tick, then the
    dispatcher through the bot's own sender (the complainant's notices resolved by it)."""
    if at is not None:
        bot.clock.now = at
    planner = Planner(bot.settings, OfficeCalendar.from_office(bot.settings.office))
    planner.tick(bot.db, bot.clock())
    inner = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
    sender = ComplainantSender(inner, bot.db, services_of(bot.app).complaint_keys)
    await Dispatcher(bot.db, sender, bot.clock, per_chat_interval=0).dispatch()


async def told(bot: Harness, user_id: int, start: str) -> str:
    """The message to ``user_id`` that starts with ``start`` (waiting for it a little)."""
    await bot.fake.wait_until(lambda: any(t.startswith(start) for t in texts(bot, user_id)))
    return next(t for t in texts(bot, user_id) if t.startswith(start))


def texts(bot: Harness, user_id: int) -> list[str]:
    return bot.fake.texts_to(user_id)


def complaint_row(db: Database, complaint_id: int = 1) -> Complaint:
    with db.transaction() as session:
        found = complaints.by_id(session, complaint_id)
    assert found is not None
    return found


def actions(db: Database, complaint_id: int = 1) -> list[tuple[str, str]]:
    with db.transaction() as session:
        events = audit.events(session, subject_type="complaint", subject_id=complaint_id)
    return [(event.actor, event.action) for event in events]


# -- the walk through ----------------------------------------------------------------------


async def test_an_unregistered_person_complains_and_follows_it_to_the_outcome(
    office: Harness,
) -> None:
    bot = office
    code = await file_complaint(bot)
    assert "ภายในวันที่ 15 มกราคม 2568 เวลา 16.30 น. และแจ้งผลการพิจารณาภายในวันที่ 8 เมษายน 2568" in (
        bot.last(COMPLAINANT).text or ""
    )
    await wake(bot)
    new = "มีเรื่องร้องเรียนใหม่: เรื่องร้องเรียนที่ 1"
    assert WHAT not in await told(bot, HANDLER, new)  # it names the complaint, not its content
    await told(bot, DIRECTOR, new)
    assert not texts(bot, COORDINATOR) and not texts(bot, ADMIN)

    # one working day before the acknowledgement deadline, the handler is reminded
    await wake(bot, bkk(1, 14, 8, 30))
    await told(bot, HANDLER, "แจ้งเตือน: เรื่องร้องเรียนที่ 1 ยังไม่ได้ตอบรับ")

    (listing,) = await bot.say(HANDLER, "/complaints")
    assert "• เรื่องร้องเรียนที่ 1: ได้รับเรื่องแล้ว รอเจ้าหน้าที่ตอบรับ" in listing
    (card,) = await press(bot, HANDLER, "cp:1:open")
    assert WHAT in card and "ข้อมูลติดต่อกลับ: ไม่มี (ไม่ระบุตัวตน)" in card
    assert "แนบมากับเรื่องร้องเรียน: ไฟล์แนบ 1" in card and "สลิปโอนเงิน" not in card
    assert with_button(bot, HANDLER, "cp:1:file:1").button_data("ไฟล์แนบ 1") == "cp:1:file:1"
    sent = await press(bot, HANDLER, "cp:1:file:1")
    assert sent == ["เรื่องร้องเรียนที่ 1 – ไฟล์แนบ 1"]  # the file itself, by Telegram's file id
    (acknowledged,) = await press(bot, HANDLER, "cp:1:ack")
    assert acknowledged.startswith("ตอบรับเรื่องร้องเรียนที่ 1 แล้ว")

    # the complainant, with the code alone, sees it and adds information
    (status,) = await bot.say(COMPLAINANT, f"/complaint {code.lower()}")
    assert "สถานะ: ตอบรับแล้ว อยู่ระหว่างการพิจารณา" in status
    assert "ตอบรับเรื่องเมื่อ: 14 มกราคม 2568 เวลา 08.30 น." in status
    (ask,) = await press(bot, COMPLAINANT, f"cm:add:{code.replace('-', '')}")
    assert ask.startswith("กรุณาพิมพ์ข้อมูลที่ต้องการเพิ่ม")
    (added,) = await bot.say(COMPLAINANT, "มีพยานอีก 2 คนที่เห็นเหตุการณ์")
    assert added.startswith("เพิ่มข้อมูลในเรื่องร้องเรียนของท่านแล้ว")
    (thanks,) = await press(bot, COMPLAINANT, "cm:end")
    assert thanks.startswith("ขอบคุณ")
    await wake(bot)
    await told(bot, HANDLER, "ผู้ร้องเรียนเพิ่มข้อมูลในเรื่องร้องเรียนที่ 1")

    # the handler records the outcome; the complainant reads it with the code
    await bot.say(HANDLER, "/complaints")
    (card,) = await press(bot, HANDLER, "cp:1:open")
    assert "มีพยานอีก 2 คนที่เห็นเหตุการณ์" in card
    await press(bot, HANDLER, "cp:1:note")
    (noted,) = await bot.say(HANDLER, "สอบข้อเท็จจริงเจ้าหน้าที่การเงินแล้ว")
    assert noted == "บันทึกการดำเนินการไว้กับเรื่องร้องเรียนที่ 1 แล้ว"
    await press(bot, HANDLER, "cp:1:close")
    (ask,) = await press(bot, HANDLER, "cp:1:outcome:substantiated")
    assert ask.startswith("ผลการพิจารณา: มีมูล ได้ดำเนินการแล้ว")
    answer = "สำนักงานได้ตั้งกรรมการสอบข้อเท็จจริงและดำเนินการทางวินัยแล้ว"
    (preview,) = await bot.say(HANDLER, answer)
    assert preview.startswith("เรื่องร้องเรียนที่ 1 จะปิดเรื่องด้วยผลการพิจารณา: มีมูล")
    assert row_counts(bot.db)["complaint"] == 1 and complaint_row(bot.db).closed_at is None
    (closed,) = await press(bot, HANDLER, "cp:1:confirm")
    assert closed.startswith("ปิดเรื่องร้องเรียนที่ 1 แล้ว")
    (status,) = await bot.say(COMPLAINANT, f"/complaint {code}")
    assert "สถานะ: ปิดเรื่องแล้ว มีผลการพิจารณา" in status
    assert "ผลการพิจารณา: มีมูล ได้ดำเนินการแล้ว" in status and answer in status
    assert "เพิ่มข้อมูล" not in str(bot.last(COMPLAINANT).callback_data)

    handler = f"staff:{staff_id(bot.db, HANDLER)}"
    assert actions(bot.db) == [
        ("complainant", "complaint.filed"),
        ("system:tick", "complaint.announced"),
        ("system:tick", "complaint.reminded"),
        (handler, "complaint.viewed"),
        (handler, "complaint.acknowledged"),
        ("complainant", "complaint.information_added"),
        (handler, "complaint.viewed"),
        (handler, "complaint.note_added"),
        (handler, "complaint.closed"),
    ]
    assert row_counts(bot.db)["complaint_draft"] == 0  # every conversation is gone


async def test_a_complainant_who_asked_is_told_and_their_chat_is_erased_at_close(
    office: Harness,
) -> None:
    bot = office
    code = await file_complaint(bot, notify=True, contact="โทร 081-234-5678")
    row = complaint_row(bot.db)
    assert row.notify_token and str(COMPLAINANT) not in row.notify_token
    assert row.contact and "081" not in row.contact  # encrypted at rest
    keys = services_of(bot.app).complaint_keys
    assert keys is not None and complaints.content(row, keys).contact == "โทร 081-234-5678"
    await bot.say(HANDLER, "/complaints")
    await press(bot, HANDLER, "cp:1:open")
    await press(bot, HANDLER, "cp:1:ack")
    await wake(bot)
    await told(bot, COMPLAINANT, "เรื่องร้องเรียนของท่านได้รับการตอบรับแล้ว")
    await press(bot, HANDLER, "cp:1:open")
    await press(bot, HANDLER, "cp:1:close")
    await press(bot, HANDLER, "cp:1:outcome:referred")
    await bot.say(HANDLER, "ส่งเรื่องให้สำนักงาน ป.ป.ช. ประจำจังหวัดพิจิตรแล้ว")
    await press(bot, HANDLER, "cp:1:confirm")
    await wake(bot)
    outcome = await told(bot, COMPLAINANT, "เรื่องร้องเรียนของท่านมีผลการพิจารณาแล้ว")
    assert outcome.startswith("เรื่องร้องเรียนของท่านมีผลการพิจารณาแล้ว: ส่งเรื่องให้หน่วยงานที่มีอำนาจดำเนินการ")
    assert "ส่งเรื่องให้สำนักงาน ป.ป.ช. ประจำจังหวัดพิจิตรแล้ว" in outcome
    await wake(bot)  # the notice is out: the next tick erases the contact
    assert complaint_row(bot.db).notify_token is None
    with bot.db.transaction() as session:
        notices = session.exec(
            select(OutboxMessage).where(OutboxMessage.template == "complaint_notice")
        ).all()
    assert [n.chat_id for n in notices] == [0, 0]  # never the chat itself
    assert ("system:tick", "complaint.contact_erased") in actions(bot.db)
    (status,) = await bot.say(COMPLAINANT, f"/complaint {code}")
    assert "ปิดเรื่องแล้ว" in status


async def test_a_complaint_nobody_acknowledges_reaches_the_director(office: Harness) -> None:
    bot = office
    await file_complaint(bot)
    await wake(bot)
    await told(bot, DIRECTOR, "มีเรื่องร้องเรียนใหม่")
    await wake(bot, bkk(1, 16, 9))  # the day after the deadline of 15 January
    overdue = await told(bot, DIRECTOR, "เรื่องร้องเรียนที่ 1 ไม่ได้ตอบรับภายในกำหนด")
    assert "ผู้รับผิดชอบเรื่องร้องเรียน: มาลี ศรีสุข" in overdue
    assert [t for t in texts(bot, HANDLER) if "ไม่ได้ตอบรับภายในกำหนด" in t] == []
    assert ("system:tick", "complaint.escalated") in actions(bot.db)
    (listing,) = await bot.say(DIRECTOR, "/complaints")
    assert "— เกินกำหนด" in listing
    # the director's digest (before the staff meeting of 11 February) counts it as overdue
    await wake(bot, bkk(2, 10, 8, 30))
    await bot.fake.wait_until(lambda: any("มาตรการข้อ 1.7" in t for t in texts(bot, DIRECTOR)))
    digest = [t for t in texts(bot, DIRECTOR) if "เรื่องร้องเรียน (มาตรการข้อ 1.7)" in t]
    assert digest and "• เรื่องร้องเรียนที่ 1: ไม่ได้ตอบรับภายใน 15 มกราคม 2568" in digest[0]
    (_chart, coordinators) = await bot.say(COORDINATOR, "/digest", expect=2)
    assert coordinators.startswith("สรุป") and "เรื่องร้องเรียน" not in coordinators
    (_chart, directors) = await bot.say(DIRECTOR, "/digest", expect=2)
    assert "เกินกำหนด (1 เรื่อง):" in directors


# -- a row another session holds -----------------------------------------------------------

HOLD = 2.0  # seconds: under PostgreSQL's lock timeout (3 s) and SQLite's busy timeout (5 s)
TRY_AGAIN = "ขณะนี้มีผู้ใช้งานพร้อมกันจำนวนมาก"


async def test_a_press_on_a_complaint_another_session_holds_does_not_stop_the_bot(
    office: Harness,
) -> None:
    """Issue 12: the handler's "Acknowledge" waits for the held row off the event loop, so
    everything else keeps running meanwhile; the handler gets an answer all the same."""
    bot = office
    await file_complaint(bot)
    await bot.say(HANDLER, "/complaints")
    await press(bot, HANDLER, "cp:1:open")
    gaps: list[float] = []
    stop = asyncio.Event()

    async def probe() -> None:  # how late each 10 ms sleep wakes up: the loop's stalls
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            gaps.append(time.perf_counter() - started)

    with holding_row(bot.db, "complaint", 1) as release:

        async def release_later() -> None:
            await asyncio.sleep(HOLD)
            release()

        watcher, releaser = asyncio.create_task(probe()), asyncio.create_task(release_later())
        started = time.perf_counter()
        (answer,) = await press(bot, HANDLER, "cp:1:ack")
        waited = time.perf_counter() - started
        stop.set()
        await asyncio.gather(watcher, releaser)
    assert answer.startswith(("ตอบรับเรื่องร้องเรียนที่ 1 แล้ว", TRY_AGAIN)), answer
    assert waited >= HOLD * 0.9  # the press did meet the held row
    assert max(gaps) < 1.0, f"the event loop stalled {max(gaps):.2f} s"


# -- who may see complaints ---------------------------------------------------------------


async def test_only_the_director_and_named_handlers_see_complaints(office: Harness) -> None:
    bot = office
    await file_complaint(bot)
    refusal = "ขออภัย เรื่องร้องเรียนเปิดดูได้เฉพาะศึกษาธิการจังหวัด"
    for user_id in (COORDINATOR, ADMIN, STAFF):
        (refused,) = await bot.say(user_id, "/complaints")
        assert refused.startswith(refusal), user_id
        (forged,) = await bot.press(user_id, bot.last(user_id), "cp:1:open")
        assert forged.startswith(refusal), user_id
        (helped,) = await bot.say(user_id, "/help")
        assert "/complaints" not in helped and "/complain —" in helped
        (handlers,) = await bot.say(user_id, "/handlers")
        assert handlers.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะ")
    (stranger,) = await bot.say(COMPLAINANT, "/complaints")
    assert stranger.startswith("สวัสดี")  # how to register: an unknown person sees nothing
    (helped,) = await bot.say(HANDLER, "/help")
    assert "/complaints" in helped and "/handlers" not in helped
    (helped,) = await bot.say(DIRECTOR, "/help")
    assert "/complaints" in helped and "/handlers" in helped
    with bot.db.transaction() as session:
        viewed = [e for e in audit.events(session) if e.action == "complaint.viewed"]
    assert viewed == []


# -- the link on the office's website -------------------------------------------------------

LINK = "https://t.me/staff_report_test_bot?start=complain"  # the fake server's bot
WEBSITE = "ลิงก์ช่องทางร้องเรียนสำหรับเผยแพร่บนเว็บไซต์ของสำนักงาน"


def not_about_complaints(db: Database) -> list[str]:
    """The audit log's actions other than the complaint channel's."""
    with db.transaction() as session:
        events = audit.events(session)
    return [e.action for e in events if not e.action.startswith("complaint.")]


async def test_the_websites_link_opens_the_channel_for_anyone_and_is_no_invite(
    office: Harness,
) -> None:
    """``t.me/<bot>?start=complain`` makes Telegram send ``/start complain``: the complaint
    begins as with /complain, for a stranger and for a registered person alike."""
    bot = office
    before, office_events = row_counts(bot.db), not_about_complaints(bot.db)
    code = await file_complaint(bot, opening="/start complain")
    (status,) = await bot.say(COMPLAINANT, f"/complaint {code}")
    assert status.startswith("เรื่องร้องเรียนของท่าน")
    invalid_code = "รหัสลงทะเบียนนี้ไม่ถูกต้อง"
    assert not [t for t in texts(bot, COMPLAINANT) if t.startswith(invalid_code)]
    with bot.db.transaction() as session:
        assert people.by_telegram_user(session, COMPLAINANT) is None  # nobody was registered
    assert not_about_complaints(bot.db) == office_events  # no invite was tried or used
    assert row_counts(bot.db)["staff"] == before["staff"]
    (intro, what) = await bot.say(STAFF, "/start complain", expect=2)  # registered: the same
    assert intro.startswith("ช่องทางร้องเรียนการทุจริตและประพฤติมิชอบ") and what.startswith("1/4 ")
    (cancelled,) = await bot.say(STAFF, "/cancel")
    assert cancelled.startswith("ยกเลิกแล้ว")
    (other,) = await bot.say(COMPLAINANT, "/start complaint")  # no other word opens it
    assert other.startswith(invalid_code)


async def test_the_director_is_given_the_link_for_the_website(office: Harness) -> None:
    bot = office
    (listing,) = await bot.say(DIRECTOR, "/complaints")
    assert f"\n\n{WEBSITE} (เปิดบอทเข้าสู่การร้องเรียนได้ทันที โดยไม่ต้องลงทะเบียน): {LINK}" in listing
    (handler,) = await bot.say(HANDLER, "/complaints")
    assert handler.startswith("เรื่องร้องเรียนที่อยู่ระหว่างดำเนินการ") and LINK not in handler
    for user_id in (COORDINATOR, ADMIN, STAFF):
        for asked in ("/complaints", "/help", "/start"):
            (answer,) = await bot.say(user_id, asked)
            assert LINK not in answer and WEBSITE not in answer, (user_id, asked)


async def test_the_director_names_and_removes_a_handler(office: Harness) -> None:
    bot = office
    somchai = staff_id(bot.db, STAFF)
    (named,) = await bot.say(DIRECTOR, f"/handlers {somchai}")
    assert named == "มอบหมาย สมชาย ใจดี เป็นผู้รับผิดชอบเรื่องร้องเรียนแล้ว ใช้คำสั่ง /complaints ได้"
    (listing,) = await bot.say(STAFF, "/complaints")
    assert listing.startswith("เรื่องร้องเรียนที่อยู่ระหว่างดำเนินการ: 0 เรื่อง")
    (again,) = await bot.say(DIRECTOR, f"/handlers {somchai}")
    assert again == "สมชาย ใจดี เป็นผู้รับผิดชอบเรื่องร้องเรียนอยู่แล้ว"
    await bot.say(DIRECTOR, "/handlers")
    (removed,) = await press(bot, DIRECTOR, f"ch:{somchai}")
    assert removed == "ยกเลิกการมอบหมาย สมชาย ใจดี เป็นผู้รับผิดชอบเรื่องร้องเรียนแล้ว"
    (refused,) = await bot.say(STAFF, "/complaints")
    assert refused.startswith("ขออภัย เรื่องร้องเรียน")
    for bad in ("/handlers abc", "/handlers 999999", f"/handlers {'9' * 30}"):
        (answer,) = await bot.say(DIRECTOR, bad)
        assert answer.startswith(("กรุณาพิมพ์ /handlers", "ไม่พบบุคลากร")), bad
    with bot.db.transaction() as session:
        events = [e.action for e in audit.events(session, subject_type="staff")]
    assert events.count("complaint.handler_named") == 2  # the fixture's, and this one
    assert events.count("complaint.handler_removed") == 1


async def test_a_handler_keeps_complaints_in_their_menu_when_their_roles_change(
    office: Harness,
) -> None:
    bot = office
    handler = staff_id(bot.db, HANDLER)

    def menu_of(user_id: int) -> list[list[str]]:
        calls = bot.fake.calls_to("setMyCommands")
        return [
            [c["command"] for c in call.params["commands"]]
            for call in calls
            if call.params.get("scope", {}).get("chat_id") == user_id
        ]

    async def menus_after(count: int) -> None:
        """The menu is set after the answer is sent: wait for it, never read ahead of it."""
        await bot.fake.wait_until(lambda: len(menu_of(HANDLER)) >= count)

    before = len(menu_of(HANDLER))
    await bot.say(ADMIN, f"/person {handler}")
    (made_head,) = await bot.press(ADMIN, bot.last(ADMIN), f"p:{handler}:rl:group_head")
    assert "ผู้อำนวยการกลุ่ม" in made_head
    await menus_after(before + 1)
    await bot.say(HANDLER, "/language en")
    await menus_after(before + 2)

    after_role, after_language = menu_of(HANDLER)[-2:]
    assert "complaints" in after_role and "complaints" in after_language
    assert "handlers" not in after_role  # naming handlers stays the director's


async def test_the_coordinators_evidence_workbook_holds_no_complaint_event(
    office: Harness,
) -> None:
    bot = office
    await file_complaint(bot)
    await wake(bot)
    await bot.say(HANDLER, "/complaints")
    await press(bot, HANDLER, "cp:1:open")
    await press(bot, HANDLER, "cp:1:ack")
    with bot.db.transaction() as session:
        logged = [e.action for e in audit.events(session, subject_type="complaint")]
    assert {"complaint.filed", "complaint.viewed", "complaint.acknowledged"} <= set(logged)
    count = len(bot.fake.messages_to(COORDINATOR))
    bot.fake.user_sends_text(COORDINATOR, "/export 2568")
    (document,) = (await bot.fake.wait_for_messages(COORDINATOR, count + 1))[count:]
    assert document.kind == "document"
    workbook = openpyxl.load_workbook(io.BytesIO(document.file_bytes or b""))
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any("สมชาย" in cell or "ลงทะเบียน" in cell for cell in cells)  # the log is there
    assert not [cell for cell in cells if "complaint" in cell or "ร้องเรียน" in cell]


# -- bad input, limits, cancel, group chats -------------------------------------------------


async def test_bad_input_is_answered_politely_and_changes_nothing(office: Harness) -> None:
    bot = office
    code = await file_complaint(bot)
    before = row_counts(bot.db)
    (_intro, _question) = await bot.say(COMPLAINANT, "/complain", expect=2)
    (empty,) = await bot.say(COMPLAINANT, "   \u200b  ")
    assert empty == "กรุณาพิมพ์คำตอบเป็นข้อความ (ต้องไม่เว้นว่าง)"
    (huge,) = await bot.say(COMPLAINANT, "ก" * 4000)
    assert huge.startswith("ข้อความยาวเกินไป กรุณาย่อให้ไม่เกิน 3000 ตัวอักษร (ขณะนี้ 4000 ตัวอักษร)")
    stale = bot.fake.user_presses_button(COMPLAINANT, bot.last(COMPLAINANT), "cm:send")
    await bot.fake.wait_until(lambda: bot.fake.callback_answer(stale) is not None)
    alert = bot.fake.callback_answer(stale)  # a button that does not fit: an alert, no change
    assert alert is not None and alert["text"].startswith("ปุ่มนี้")
    (cancelled,) = await bot.say(COMPLAINANT, "/cancel")
    assert cancelled.startswith("ยกเลิกแล้ว")
    counts = row_counts(bot.db)
    for table in (*COMPLAINT_TABLES, "complaint_draft", "audit_event", "outbox_message"):
        assert counts[table] == before[table], table
    (wrong,) = await bot.say(COMPLAINANT, "/complaint ABCD-EFGH")
    assert wrong.startswith("ไม่พบเรื่องร้องเรียนที่มีรหัสติดตามเรื่องนี้")
    (junk,) = await bot.say(COMPLAINANT, "/complaint ' OR 1=1 --")
    assert junk.startswith("ไม่พบเรื่องร้องเรียน")
    (bare,) = await bot.say(COMPLAINANT, "/complaint")
    assert bare.startswith("กรุณาพิมพ์ /complaint ตามด้วยรหัสติดตามเรื่อง")
    for _ in range(3):
        await bot.say(COMPLAINANT, "/complaint ZZZZ-ZZZZ")
    (locked,) = await bot.say(COMPLAINANT, f"/complaint {code}")  # even the right one, now
    assert locked.startswith("บัญชีนี้พิมพ์รหัสติดตามเรื่องไม่ถูกต้องหลายครั้งเกินไป")
    bot.clock.advance(hours=1)
    (status,) = await bot.say(COMPLAINANT, f"/complaint {code}")
    assert status.startswith("เรื่องร้องเรียนของท่าน")
    (forged,) = await bot.press(COMPLAINANT, bot.last(COMPLAINANT), "cm:add:ZZZZZZZZ")
    assert forged.startswith("ไม่พบเรื่องร้องเรียน")
    bot.fake.user_sends_text(COMPLAINANT, "/complain", chat_id=-100777, chat_type="supergroup")
    (group,) = await bot.fake.wait_for_messages(-100777, 1)
    assert (group.text or "").startswith("กรุณาส่งข้อความถึงระบบโดยตรง (แชตส่วนตัว)")
    counts = row_counts(bot.db)
    for table in (*COMPLAINT_TABLES, "audit_event", "outbox_message"):
        assert counts[table] == before[table], table


async def test_the_daily_limit_of_complaints_per_account(office: Harness) -> None:
    bot = office
    for _ in range(3):
        await file_complaint(bot)
    (refused,) = await bot.say(COMPLAINANT, "/complain")
    assert refused.startswith("บัญชีนี้ส่งเรื่องร้องเรียนครบจำนวนที่ส่งได้ในหนึ่งวันแล้ว")
    assert row_counts(bot.db)["complaint"] == 3 and row_counts(bot.db)["complaint_draft"] == 0
    bot.clock.advance(days=1)
    await file_complaint(bot)
    assert row_counts(bot.db)["complaint"] == 4


async def test_an_english_speaker_files_in_english(office: Harness) -> None:
    bot = office
    with bot.db.transaction() as session:
        people.set_language(session, staff_id(bot.db, STAFF), people.Language.EN)
    (intro, question) = await bot.say(STAFF, "/complain", expect=2)
    assert intro.startswith("Complaint channel against corruption, Phichit Provincial Education")
    assert question.startswith("1/4 What happened?")
    assert not re.search("[\u0e00-\u0e7f]", intro + question)


# -- retention -----------------------------------------------------------------------------


async def test_after_the_retention_period_only_counts_remain(
    db: Database, settings: Settings
) -> None:
    plan = with_changes(only(settings), complaints={"retention": "30d"})
    enrol(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR, now=bkk(1, 2))
    async with running_bot(db, plan, Clock(bkk(1, 6, 9))) as bot:
        code = await file_complaint(bot)
        await bot.say(DIRECTOR, "/complaints")
        await press(bot, DIRECTOR, "cp:1:open")
        await press(bot, DIRECTOR, "cp:1:close")
        await press(bot, DIRECTOR, "cp:1:outcome:unfounded")
        await bot.say(DIRECTOR, "ไม่พบมูลความผิด")
        await press(bot, DIRECTOR, "cp:1:confirm")
        assert complaint_row(db).erase_at == bkk(2, 5, 16, 30)  # 30 days after closing
        await wake(bot, bkk(2, 5, 9))
        keys = services_of(bot.app).complaint_keys
        assert keys is not None
        assert complaints.content(complaint_row(db), keys).what == WHAT  # not yet
        await wake(bot, bkk(2, 6, 9))
        row = complaint_row(db)
        assert (row.what, row.who, row.place, row.contact, row.outcome_text) == (None,) * 5
        assert row.status == ComplaintStatus.CLOSED.value and row.outcome == "unfounded"
        with db.transaction() as session:
            assert session.exec(select(ComplaintEntry)).all() == []
        assert ("system:tick", "complaint.erased") in actions(db)
        (status,) = await bot.say(COMPLAINANT, f"/complaint {code}")
        assert "รายละเอียดของเรื่องถูกลบแล้วเมื่อครบระยะเวลาการเก็บรักษา" in status
        (card,) = await press(bot, DIRECTOR, "cp:1:open")
        assert "เนื้อหาถูกลบแล้ว" in card and WHAT not in card


# -- anonymity -----------------------------------------------------------------------------


def identity_forms() -> list[str]:
    """The complainant's id, chat id (the same in a private chat), username and names, as
    text in any form a careless program might write them."""
    return [
        str(COMPLAINANT),
        format(COMPLAINANT, "x"),
        str(float(COMPLAINANT)),
        *IDENTITY.values(),
        f"{IDENTITY['first_name']} {IDENTITY['last_name']}",
    ]


def every_value(db: Database) -> list[tuple[str, str, str]]:
    """(table, column, text) of every value of every table."""
    found = []
    with db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(select_rows(table)).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    found.append((table.name, column, text))
    return found


@pytest.fixture
def quiet_libraries() -> Any:
    """The production logging policy (bot.runtime.logs), undone afterwards."""
    names = ("telegram", "httpcore", "httpx", "apscheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    yield logs.keep_libraries_quiet
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def test_an_anonymous_complaint_leaves_no_trace_of_who_filed_it(
    office: Harness, caplog: pytest.LogCaptureFixture, quiet_libraries: Any
) -> None:
    caplog.set_level(logging.DEBUG)  # our own loggers at DEBUG …
    quiet_libraries()  # … the libraries as the bot runs them
    bot = office
    code = await file_complaint(bot)
    await bot.say(COMPLAINANT, "/complaint 0000-0000")  # a wrong code: counted, keyed hash
    await bot.say(COMPLAINANT, f"/complaint {code}")
    await press(bot, COMPLAINANT, f"cm:add:{code.replace('-', '')}")
    await bot.send_file(COMPLAINANT, "ภาพเพิ่มเติม.pdf", b"%PDF more")
    await bot.say(COMPLAINANT, "/complain", expect=2)
    await bot.say(COMPLAINANT, "ร่างที่ยังไม่ส่ง")  # a draft in progress, under a keyed hash
    await wake(bot)
    await bot.say(HANDLER, "/complaints")
    await press(bot, HANDLER, "cp:1:open")
    await press(bot, HANDLER, "cp:1:ack")
    await wake(bot)
    values = every_value(bot.db)
    assert {table for table, _, _ in values} >= {"complaint", "complaint_entry", "audit_event"}
    for form in identity_forms():
        leaks = [(table, column) for table, column, text in values if form in text]
        assert not leaks, f"{form!r} is stored in {leaks}"
        logged = [r.name for r in caplog.records if form in r.getMessage() + (r.exc_text or "")]
        assert not logged, f"{form!r} is logged by {logged}"
    seen = [r.getMessage() for r in caplog.records]
    assert "complaint 1 filed" in seen and "complaint 1: new, to 2 people" in seen
    with bot.db.transaction() as session:
        complaint_ids = session.exec(select(Complaint.id).order_by(col(Complaint.id))).all()
    assert complaint_ids == [1]


# -- files -----------------------------------------------------------------------------------

WARNING = (
    "โปรดทราบก่อนส่งไฟล์: ชื่อไฟล์และเนื้อหาในไฟล์จะถึงศึกษาธิการจังหวัดและผู้รับผิดชอบเรื่องร้องเรียนตามที่ส่งมาทุกประการ"
)


async def test_the_complainant_is_warned_before_a_file_and_handlers_see_neutral_names(
    office: Harness,
) -> None:
    bot = office
    code = await file_complaint(bot)  # sends "สลิปโอนเงิน.pdf" at the files step
    said = texts(bot, COMPLAINANT)
    asked = next(i for i, t in enumerate(said) if t.startswith("หากมีหลักฐาน"))
    received = said.index("ได้รับไฟล์แล้ว (รวม 1 ไฟล์)")
    assert WARNING in said[asked] and asked < received  # warned before the file came
    assert "เปลี่ยนชื่อไฟล์ หรือส่งภาพหน้าจอ" in said[asked]
    await bot.say(COMPLAINANT, f"/complaint {code}")
    (ask,) = await press(bot, COMPLAINANT, f"cm:add:{code.replace('-', '')}")
    assert WARNING in ask  # and again before adding one
    await bot.send_file(COMPLAINANT, "หลักฐานของสมศักดิ์ วงศ์ใหญ่.pdf", b"%PDF named")
    await press(bot, COMPLAINANT, "cm:end")

    await bot.say(HANDLER, "/complaints")
    (card,) = await press(bot, HANDLER, "cp:1:open")
    assert "แนบมากับเรื่องร้องเรียน: ไฟล์แนบ 1" in card
    assert "ไฟล์แนบ 2" in card and "สมศักดิ์" not in card and ".pdf" not in card
    opened = with_button(bot, HANDLER, "cp:1:file:1")
    labels = [
        str(button["text"]) for button in opened.buttons if "file:" in button["callback_data"]
    ]
    assert labels == ["ไฟล์แนบ 1", "ไฟล์แนบ 2"]
    second = opened.button_data("ไฟล์แนบ 2")
    sent = await bot.press(HANDLER, opened, second)
    assert sent == ["เรื่องร้องเรียนที่ 1 – ไฟล์แนบ 2"]
    document = bot.last(HANDLER)
    assert document.kind == "document" and document.file_bytes == b"%PDF named"
