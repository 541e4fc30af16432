"""A whole ladder in real time (offsets in seconds), through the real Application and engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.common.services import system_clock
from bot.offline.demo import demo_settings
from storage import schedule
from storage.db import Database
from storage.models import AssignmentStatus, Role
from tests.duties.test_tick import COORDINATOR, DIRECTOR, MALEE, SOMCHAI, join
from tests.harness import Harness, running_bot
from tests.office.test_invites import row_counts
from tests.support import with_changes


@pytest.fixture
async def office(db: Database, tmp_path: Path) -> AsyncIterator[Harness]:
    now = system_clock()
    for user_id, name, group, role in (
        (SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF),
        (MALEE, "มาลี ศรีสุข", "admin", Role.STAFF),
        (COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR),
        (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
    ):
        join(db, user_id, name, group, role, now=now)
    settings = demo_settings(now, due_in=timedelta(seconds=8))
    settings = with_changes(settings, evidence={"local_copy_dir": tmp_path / "evidence"})
    async with running_bot(db, settings, system_clock, engine=True) as harness:
        yield harness


def first_lines(bot: Harness, chat_id: int) -> list[str]:
    return [text.split("\n", 1)[0] for text in bot.fake.texts_to(chat_id)]


async def test_a_whole_ladder_runs_and_reaches_the_director(office: Harness) -> None:
    bot = office
    (reminder,) = await bot.fake.wait_for_messages(SOMCHAI, 1, timeout=10)
    assert reminder.text is not None and reminder.text.startswith("แจ้งเตือนการส่งรายงาน\n")
    assert "รายงาน: รายงานผลการดำเนินงานโครงการ (ตัวอย่าง)" in reminder.text
    data = reminder.button_data("ส่งรายงานแล้ว")
    pressed = bot.fake.user_presses_button(SOMCHAI, reminder, data)
    await bot.fake.wait_until(lambda: bool(reminder.edits))  # the reminder now shows it is done
    await bot.fake.wait_until(lambda: bot.fake.callback_answer(pressed) is not None)  # and toasts
    toast = bot.fake.callback_answer(pressed)
    assert toast is not None and toast["text"] == "บันทึกเรียบร้อยแล้ว ขอบคุณที่ให้ความร่วมมือ"
    assert not reminder.callback_data
    head, confirmation, hint = (reminder.text or "").rsplit("\n\n", 2)
    assert head.startswith("แจ้งเตือนการส่งรายงาน\n")
    assert confirmation.startswith("✅ ส่งรายงานแล้ว (ตามกำหนด) เมื่อ ")
    assert hint.startswith("หากมีไฟล์หลักฐาน (เอกสารหรือรูปภาพ) กรุณาส่งในแชตนี้ภายใน 30 นาที")
    (kept,) = await bot.send_file(SOMCHAI, "สงป301-ไตรมาส1.pdf", b"%PDF-1.4 evidence")
    assert kept == "จัดเก็บไฟล์หลักฐาน สงป301-ไตรมาส1.pdf ไว้กับรายงานเรียบร้อยแล้ว ขอบคุณที่ให้ความร่วมมือ"
    with bot.db.transaction() as session:
        duty = schedule.duty(session, int(data.split(":")[1]))
    assert duty is not None and duty.assignment.status == AssignmentStatus.ON_TIME.value
    assert duty.assignment.evidence_file_name == "สงป301-ไตรมาส1.pdf"
    kept_copy = Path(duty.assignment.evidence_path or "")
    assert kept_copy.read_bytes() == b"%PDF-1.4 evidence"  # noqa: ASYNC240

    await bot.fake.wait_for_messages(DIRECTOR, 1, timeout=20)
    assert first_lines(bot, MALEE) == [
        "แจ้งเตือนการส่งรายงาน",
        "วันนี้เป็นวันครบกำหนดส่งรายงาน",
        "การติดตาม ครั้งที่ 1: รายงานเลยกำหนดส่งแล้ว",
        "การติดตาม ครั้งที่ 2: รายงานเลยกำหนดส่งแล้ว",
    ]
    assert first_lines(bot, SOMCHAI) == [
        "แจ้งเตือนการส่งรายงาน",  # and nothing after the confirmation but the evidence's answer
        kept,
    ]
    (to_director,) = bot.fake.texts_to(DIRECTOR)
    assert to_director.startswith(  # เรื่อง before เรียน, the director's title from the config
        "เรื่อง  ขอรายงานผู้ยังไม่ส่งรายงานผลการดำเนินงานโครงการ (ตัวอย่าง)\nเรียน  ศึกษาธิการจังหวัดตัวอย่าง\n"
    )
    assert "ยังไม่ได้รับรายงานจาก 1 ราย ดังนี้\n1. มาลี ศรีสุข (กลุ่มอำนวยการ) ติดตามแล้ว 2 ครั้ง" in to_director
    assert "สมชาย" not in to_director
    assert to_director.endswith(  # the obligation's own measure, and the closing formula
        "ข้อเสนอ (ตามมาตรการข้อ 1.1 ของแผนฯ): เห็นควรให้ศึกษาธิการจังหวัดตัวอย่างพิจารณาสั่งการ"
        "ให้ผู้รับผิดชอบจัดส่งรายงานโดยเร็ว\nจึงเรียนมาเพื่อโปรดพิจารณาสั่งการ"
    )
    await bot.fake.wait_for_messages(COORDINATOR, 1)
    copy = bot.fake.texts_to(COORDINATOR)[0]
    assert copy.split("\n")[1] == "สำเนาเรียน  กลุ่มนโยบายและแผน (เพื่อโปรดทราบ)"
    assert copy.endswith("\nจึงเรียนมาเพื่อโปรดทราบ")


async def test_the_director_reminds_again_then_excuses_with_a_reason(office: Harness) -> None:
    bot = office
    (escalation,) = await bot.fake.wait_for_messages(DIRECTOR, 1, timeout=25)
    remind_data = escalation.button_data("เตือนอีกครั้งตอนนี้: มาลี ศรีสุข")
    before = len(bot.fake.messages_to(MALEE))
    (answer,) = await bot.press(DIRECTOR, escalation, remind_data)
    assert answer == "ระบบกำลังส่งการแจ้งเตือนเพิ่มเติมถึง มาลี ศรีสุข"
    (again,) = (await bot.fake.wait_for_messages(MALEE, before + 1))[before:]
    assert again.text is not None
    assert again.text.startswith("แจ้งเตือนเพิ่มเติมตามข้อสั่งการของผู้บังคับบัญชา")
    (question,) = await bot.press(DIRECTOR, escalation, escalation.button_data("ยกเว้น: มาลี ศรีสุข"))
    assert question.startswith("กรุณาพิมพ์เหตุผลของการยกเว้น")
    (done,) = await bot.say(DIRECTOR, "ลาคลอด")
    assert done == "บันทึกการยกเว้นแล้ว เหตุผล: ลาคลอด"
    assignment_id = int(remind_data.rsplit(":", 1)[1])
    with bot.db.transaction() as session:
        duty = schedule.duty(session, assignment_id)
    assert duty is not None and duty.assignment.status == AssignmentStatus.EXCUSED.value


async def test_bad_confirmations_are_answered_politely_and_change_nothing(
    office: Harness,
) -> None:
    bot = office
    (reminder,) = await bot.fake.wait_for_messages(SOMCHAI, 1, timeout=10)
    data = reminder.button_data("ส่งรายงานแล้ว")
    await bot.fake.wait_for_messages(MALEE, 1)
    malee_reminder = bot.fake.messages_to(MALEE)[0]
    before = row_counts(bot.db)
    # Malee presses Somchai's button (forged into her own chat: a modified client can)
    update = bot.fake.user_presses_button(MALEE, malee_reminder, data)
    await bot.fake.wait_until(lambda: bot.fake.callback_answer(update) is not None)
    answer = bot.fake.callback_answer(update)
    assert answer is not None and answer["text"].startswith("ท่านไม่ใช่ผู้รับผิดชอบรายงานนี้")
    for forged in ("done:", "done:abc", "done:99999999", "done:" + "9" * 40):
        pressed = bot.fake.user_presses_button(SOMCHAI, reminder, forged)
        await bot.fake.wait_until(lambda: bot.fake.callback_answer(pressed) is not None)  # noqa: B023
    assert row_counts(bot.db)["audit_event"] == before["audit_event"]
    bot.fake.user_presses_button(SOMCHAI, reminder, data)
    await bot.fake.wait_until(lambda: bool(reminder.edits))
    counted = row_counts(bot.db)
    update = bot.fake.user_presses_button(SOMCHAI, reminder, data)
    await bot.fake.wait_until(lambda: bot.fake.callback_answer(update) is not None)
    answer = bot.fake.callback_answer(update)
    assert answer is not None and answer["text"].startswith("รายงานนี้ได้รับการยืนยันไว้แล้ว")
    assert row_counts(bot.db)["audit_event"] == counted["audit_event"]
    # someone who is not the director, coordinator or a group head cannot excuse
    (refused,) = await bot.press(SOMCHAI, reminder, f"esc:x:{data.split(':')[1]}")
    assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะ")
    # a file sent in reply to her reminder is Malee's confirmation, with its evidence
    sent_before = len(bot.fake.messages_to(MALEE))
    bot.fake.user_sends_document(
        MALEE,
        "ภาพถ่ายหนังสือนำส่ง.pdf",
        b"%PDF",
        "application/pdf",
        reply_to_message_id=malee_reminder.message_id,
    )
    (reply,) = (await bot.fake.wait_for_messages(MALEE, sent_before + 1))[sent_before:]
    assert (reply.text or "").startswith("✅ ส่งรายงานแล้ว (ตามกำหนด) เมื่อ ")
    assert "จัดเก็บไฟล์หลักฐาน ภาพถ่ายหนังสือนำส่ง.pdf ไว้กับรายงานเรียบร้อยแล้ว" in (reply.text or "")
    assert (malee_reminder.text or "").endswith((reply.text or "").split("\n", 1)[0])
