"""The coordinator's, the director's and staff's oversight commands, over the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from sqlmodel import col, select

from jobs.calendar import OfficeCalendar
from jobs.settings import Settings
from jobs.tick import Planner
from storage import audit, people, schedule
from storage.db import Database
from storage.models import AssignmentStatus, OutboxMessage, Period, Role
from tests.duties.test_tick import (
    COORDINATOR,
    DIRECTOR,
    HEAD,
    MALEE,
    SOMCHAI,
    bkk,
    join,
    only,
    q1_assignment,
)
from tests.harness import Clock, Harness, running_bot
from tests.office.test_invites import row_counts

DEPUTY = 41


@pytest.fixture
def plan(settings: Settings) -> Settings:
    return only(settings, "quarterly-progress", each_member_of=["admin"])


@pytest.fixture
async def office(db: Database, plan: Settings) -> AsyncIterator[tuple[Harness, Planner]]:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    join(db, HEAD, "ประเสริฐ หัวหน้า", "admin", Role.GROUP_HEAD)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR)
    join(db, DEPUTY, "สุดา รองผู้อำนวยการ", "policy", Role.STAFF)
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(db, bkk(1, 2))
    clock = Clock(bkk(1, 2))
    async with running_bot(db, plan, clock) as harness:
        yield harness, planner


def staff_id(db: Database, user_id: int) -> int:
    with db.transaction() as session:
        person = people.by_telegram_user(session, user_id)
    assert person is not None
    return person.id


def tick_at(bot: Harness, planner: Planner, moment: datetime) -> None:
    bot.clock.now = moment
    planner.tick(bot.db, moment)


def outbox_to(db: Database, chat_id: int, template: str = "duty") -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id, OutboxMessage.template == template)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


async def test_status_shows_each_group_by_state_and_refuses_staff(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    with bot.db.transaction() as session:
        somchai = people.by_telegram_user(session, SOMCHAI)
        assert somchai is not None
        schedule.confirm(
            session,
            q1_assignment(bot.db, SOMCHAI).id or 0,
            person=somchai,
            now=bkk(1, 9),
            via="button",
        )
    tick_at(bot, planner, bkk(1, 13, 9))
    (board,) = await bot.say(COORDINATOR, "/status")
    assert board.startswith("1.1 รายงานผลการดำเนินงานโครงการ")
    assert "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568 กำหนดส่งภายในวันที่ 10 มกราคม 2568 เวลา 16.30 น." in board
    assert "กลุ่มอำนวยการ (3)" in board
    assert "  ส่งตามกำหนด 1: สมชาย ใจดี" in board
    assert "  ยังไม่ส่ง 2: มาลี ศรีสุข, ประเสริฐ หัวหน้า" in board
    (refused,) = await bot.say(SOMCHAI, "/status")
    assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะ")
    (unknown,) = await bot.say(COORDINATOR, "/status nothing-like-it")
    assert unknown.startswith("ไม่พบรายงานรหัส nothing-like-it")


async def test_the_coordinator_marks_a_paper_submission_with_its_date(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    tick_at(bot, planner, bkk(1, 13, 9))
    await bot.say(COORDINATOR, "/status quarterly-progress")
    board = bot.last(COORDINATOR)
    assert not [d for d in board.callback_data if d.startswith("esc:")]  # not hers to excuse
    (question,) = await bot.press(
        COORDINATOR, board, board.button_data("ได้รับรายงานฉบับเอกสารแล้ว: มาลี ศรีสุข")
    )
    assert question.startswith("ได้รับรายงานเมื่อวันที่เท่าใด")
    before = row_counts(bot.db)
    (bad,) = await bot.say(COORDINATOR, "31/2/2568")
    assert bad.startswith("กรุณาพิมพ์วันที่ที่ผ่านมาแล้ว") and row_counts(bot.db) == before
    (done,) = await bot.say(COORDINATOR, "10/1/2568")
    assert done == "บันทึกว่าได้รับรายงานฉบับเอกสารเมื่อวันที่ 10 มกราคม 2568 แล้ว (ตามกำหนด)"
    malee = q1_assignment(bot.db, MALEE)
    assert malee.status == AssignmentStatus.ON_TIME.value
    with bot.db.transaction() as session:
        (event,) = [
            e
            for e in audit.events(session, subject_type="assignment", subject_id=malee.id)
            if e.action.endswith("confirmed")
        ]
    assert event.details["via"] == "paper"
    assert event.actor_staff_id == staff_id(bot.db, COORDINATOR)


async def test_history_lists_a_persons_year(office: tuple[Harness, Planner]) -> None:
    bot, planner = office
    tick_at(bot, planner, bkk(1, 20, 9))
    (text,) = await bot.say(DIRECTOR, f"/history {staff_id(bot.db, MALEE)}")
    assert text.startswith("คุณมาลี ศรีสุข: ปีงบประมาณ พ.ศ. 2568")
    assert "10 มกราคม 2568: รายงานผู้บังคับบัญชาแล้ว" in text
    (refused,) = await bot.say(MALEE, f"/history {staff_id(bot.db, MALEE)}")
    assert refused.startswith("ขออภัย")


async def test_a_closed_day_from_chat_is_previewed_confirmed_and_moves_the_next_tick(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    (preview,) = await bot.say(COORDINATOR, "/closeday 3/1/2568 วันหยุดพิเศษ")
    assert preview.startswith("สำนักงานปิดทำการวันศุกร์ที่ 3 มกราคม 2568 (วันหยุดพิเศษ)")
    assert row_counts(bot.db)["closed_day"] == 0  # nothing until confirmed
    (done,) = await bot.press(COORDINATOR, bot.last(COORDINATOR), "cf:yes")
    assert done == "ดำเนินการแล้ว การเปลี่ยนแปลงมีผลทันที"
    tick_at(bot, planner, bkk(1, 2, 9, 0))  # the first reminder was due on the 3rd, 08.30 …
    (moved,) = outbox_to(bot.db, MALEE)  # … a closed day now: it comes a day earlier
    assert moved.params["kind"] == "reminder" and moved.not_before == bkk(1, 2, 9, 0)
    (refused,) = await bot.say(SOMCHAI, "/closeday 6/1/2568 ไม่มีเหตุผล")
    assert refused.startswith("ขออภัย")


async def test_moving_the_meeting_and_adding_a_one_off_take_effect(
    office: tuple[Harness, Planner], settings: Settings
) -> None:
    bot, planner = office
    (preview,) = await bot.say(COORDINATOR, "/oneoff admin 24/1/2568 รายงานผลการสำรวจครุภัณฑ์")
    assert "รายงานผลการสำรวจครุภัณฑ์" in preview and "บุคลากรทุกคนในกลุ่มอำนวยการ" in preview
    await bot.press(COORDINATOR, bot.last(COORDINATOR), "cf:yes")
    planner.materialise(bot.db, bkk(1, 2, 10))
    tick_at(bot, planner, bkk(1, 17, 8, 30))  # due 24 Jan: -7 days
    titles = [m.params["title_th"] for m in outbox_to(bot.db, MALEE)]
    assert "รายงานผลการสำรวจครุภัณฑ์" in titles
    (cancelled,) = await bot.say(COORDINATOR, "/meeting 21/1/2568")
    assert "การประชุมเจ้าหน้าที่ประจำเดือนมกราคม 2568 เลื่อนเป็นวันอังคารที่ 21 มกราคม 2568" in cancelled
    (no,) = await bot.press(COORDINATOR, bot.last(COORDINATOR), "cf:no")
    assert no == "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    assert row_counts(bot.db)["meeting_change"] == 0
    await bot.say(COORDINATOR, "/meeting 21/1/2568")
    await bot.press(COORDINATOR, bot.last(COORDINATOR), "cf:yes")
    meeting_plan = Planner(only(settings, "eservice-update"), planner.base_calendar)
    meeting_plan.materialise(bot.db, bkk(1, 2, 11))
    with bot.db.transaction() as session:
        period = session.exec(select(Period).where(Period.key == "meeting-2025-01")).one()
    assert period.due_at == bkk(1, 20, 16, 30)  # one working day before the moved meeting


async def test_leave_pauses_a_ladder_until_the_return(office: tuple[Harness, Planner]) -> None:
    bot, planner = office
    (recorded,) = await bot.say(MALEE, "/leave 2/1/2568 14/1/2568")
    assert recorded.startswith("บันทึกการลาของคุณมาลี ศรีสุข แล้ว: 2 มกราคม 2568 – 14 มกราคม 2568")
    for day in (3, 9, 10, 13, 14):
        tick_at(bot, planner, bkk(1, day, 9))
    assert outbox_to(bot.db, MALEE) == []  # nothing while away
    (away,) = await bot.say(COORDINATOR, "/status")
    assert "ยังไม่ส่ง 3: สมชาย ใจดี, มาลี ศรีสุข (ลา), ประเสริฐ หัวหน้า" in away
    assert len(outbox_to(bot.db, SOMCHAI)) == 5  # reminders 3, 9, last call 10, follow-ups 13, 14
    tick_at(bot, planner, bkk(1, 15, 8, 30))  # back: one message for everything missed
    (back,) = outbox_to(bot.db, MALEE)
    assert (back.params["kind"], back.params["collapsed"]) == ("followup", 5)
    (mine,) = await bot.say(MALEE, "/mine")
    assert mine.startswith("รายงานที่ท่านต้องส่ง:") and "(เลยกำหนดแล้ว)" in mine


async def test_the_acting_officer_receives_the_escalation_while_the_director_is_away(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    (recorded,) = await bot.say(  # the director's own choice (the coordinator only proposes)
        DIRECTOR, f"/acting {staff_id(bot.db, DEPUTY)} 14/1/2568 20/1/2568"
    )  # away on the 14th, when the escalation comes (13.00, a working day before the 15th)
    assert "ผู้รักษาราชการแทน คือ คุณสุดา รองผู้อำนวยการ" in recorded
    for moment in (bkk(1, 3, 9), bkk(1, 13, 9), bkk(1, 15, 9), bkk(1, 17, 9)):
        tick_at(bot, planner, moment)
    assert outbox_to(bot.db, DIRECTOR, "escalation") == []
    (to_deputy,) = outbox_to(bot.db, DEPUTY, "escalation")
    names = [m["name_th"] for m in to_deputy.params["missing"]]
    assert names == ["สมชาย ใจดี", "มาลี ศรีสุข", "ประเสริฐ หัวหน้า"]
    assert to_deputy.params["for_director"] is True  # addressed as the director's stand-in
    malee = q1_assignment(bot.db, MALEE).id
    bot.fake.user_presses_button(DEPUTY, 0, f"esc:o:{malee}")
    await bot.fake.wait_for_messages(DEPUTY, 1)
    assert bot.fake.texts_to(DEPUTY)[-1].startswith("บันทึกแล้ว: ศึกษาธิการจังหวัดจะสั่งการเอง")
    bot.clock.now = bkk(1, 21, 9)  # the director is back: the deputy's buttons no longer work
    bot.fake.user_presses_button(DEPUTY, 0, f"esc:o:{malee}")
    await bot.fake.wait_for_messages(DEPUTY, 2)
    assert bot.fake.texts_to(DEPUTY)[-1].startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะ")
    assert len(outbox_to(bot.db, COORDINATOR, "escalation")) == 1


async def test_snooze_adds_one_reminder_tomorrow_and_never_past_the_due_date(
    office: tuple[Harness, Planner],
) -> None:
    bot, _planner = office
    assignment_id = q1_assignment(bot.db, SOMCHAI).id
    bot.clock.now = bkk(1, 3, 9)
    before = bot.fake.messages_to(SOMCHAI)
    (answer,) = await bot.press(SOMCHAI, before[-1] if before else 0, f"sz:{assignment_id}")  # type: ignore[arg-type]
    assert answer == "ระบบจะแจ้งเตือนท่านอีกครั้งในวันที่ 6 มกราคม 2568 เวลา 08.30 น."
    (snoozed,) = outbox_to(bot.db, SOMCHAI)
    assert snoozed.not_before == bkk(1, 6, 8, 30)
    bot.clock.now = bkk(1, 10, 9)  # the due day: tomorrow is past the due instant
    (refused,) = await bot.press(SOMCHAI, 0, f"sz:{assignment_id}")  # type: ignore[arg-type]
    assert refused.startswith("กำหนดส่งมาถึงก่อนวันทำการถัดไป")
    (other,) = await bot.press(MALEE, 0, f"sz:{assignment_id}")  # type: ignore[arg-type]
    assert other.startswith("ท่านไม่ใช่ผู้รับผิดชอบรายงานนี้")
    assert len(outbox_to(bot.db, SOMCHAI)) == 1


async def test_the_digest_is_a_chart_and_text_and_shows_the_directors_answers(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    for moment in (bkk(1, 3, 9), bkk(1, 13, 9), bkk(1, 15, 9), bkk(1, 17, 9)):
        tick_at(bot, planner, moment)
    malee = q1_assignment(bot.db, MALEE).id
    bot.fake.user_presses_button(DIRECTOR, 0, f"esc:o:{malee}")
    await bot.fake.wait_for_messages(DIRECTOR, 1)
    assert bot.fake.texts_to(DIRECTOR)[-1].startswith("บันทึกแล้ว: ศึกษาธิการจังหวัดจะสั่งการเอง")
    count = len(bot.fake.messages_to(DIRECTOR))
    bot.fake.user_sends_text(DIRECTOR, "/digest")
    photo, text = (await bot.fake.wait_for_messages(DIRECTOR, count + 2))[count:]
    assert photo.kind == "photo" and (photo.file_bytes or b"").startswith(b"\x89PNG\r\n\x1a\n")
    assert text.text is not None
    assert text.text.startswith("สรุปผลการส่งรายงาน ปีงบประมาณ พ.ศ. 2568 ข้อมูล ณ วันที่ 17 มกราคม 2568")
    assert "• กลุ่มอำนวยการ: 0% (0/3)" in text.text
    assert "ค้างส่งขณะนี้ (3 ราย):" in text.text
    assert "• มาลี ศรีสุข: รายงานผลการดำเนินงานโครงการ" in text.text
    assert "ยังไม่ส่ง (ศึกษาธิการจังหวัดจะสั่งการเอง)" in text.text
    (refused,) = await bot.say(SOMCHAI, "/digest")
    assert refused.startswith("ขออภัย")


async def test_export_sends_the_workbook_as_a_document(office: tuple[Harness, Planner]) -> None:
    bot, planner = office
    tick_at(bot, planner, bkk(1, 13, 9))
    count = len(bot.fake.messages_to(COORDINATOR))
    bot.fake.user_sends_text(COORDINATOR, "/export 2568")
    (document,) = (await bot.fake.wait_for_messages(COORDINATOR, count + 1, timeout=15))[count:]
    assert document.kind == "document" and document.filename == "ita-evidence-2568.xlsx"
    assert (document.file_bytes or b"").startswith(b"PK")  # an xlsx is a zip
    (refused,) = await bot.say(MALEE, "/export")
    assert refused.startswith("ขออภัย")


async def test_a_long_status_is_split_within_telegrams_limit(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    for number in range(150):
        join(
            bot.db,
            10_000 + number,
            f"บุคลากรทดสอบที่ {number:03d} นามสกุลยาวพอสมควร",
            "admin",
            Role.STAFF,
            now=bkk(1, 2),
        )
    planner.materialise(bot.db, bkk(1, 2, 1))
    tick_at(bot, planner, bkk(1, 13, 9))
    parts = await bot.say(COORDINATOR, "/status", expect=2)
    assert all(len(part) <= 4096 for part in parts)
    joined = "\n".join(parts)
    assert all(f"บุคลากรทดสอบที่ {n:03d}" in joined for n in range(150))  # nothing cut
