"""Property loans (measure 1.4) end to end: the real Application over the fake Bot API, the
real engine (tick → outbox → dispatcher) woken by hand at each instant of an injected clock.

A loan walks from hand-over to the borrower's receipt, reminders before the due-back date,
the climb borrower → procurement officer → director, and a damaged return reported to the
director. Around it: who may do what, and bad input at each step changing nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlmodel import col, select

from bot.offline import SentMessage
from jobs.settings import Settings
from storage import audit, loans
from storage.db import Database
from storage.models import AwaitedAnswer, Loan, LoanItem, OutboxMessage, Role
from tests.duties.test_tick import bkk, join, only
from tests.harness import EngineOffice, office_with_engine
from tests.office.test_invites import row_counts
from tests.support import holding_row

BORROWER, OFFICER, DIRECTOR, OTHER, DEPUTY = 71, 72, 73, 74, 75
START = bkk(1, 6, 10)  # Monday 6 January 2568 B.E., 10.00
ITEMS = "7440-001-0001/2567 — เครื่องคอมพิวเตอร์โน้ตบุ๊ก\nP-2 — เครื่องฉายภาพ"


class Office(EngineOffice):
    """The office of these tests, with the presses they make."""

    async def press_and_wait(self, user: int, message: SentMessage, data: str) -> dict[str, str]:
        """A press answered with a toast or an alert (no new message): the answer."""
        update = self.bot.fake.user_presses_button(user, message, data)
        await self.bot.fake.wait_until(lambda: self.bot.fake.callback_answer(update) is not None)
        found = self.bot.fake.callback_answer(update)
        assert found is not None
        return found


@pytest.fixture
def plan(settings: Settings) -> Settings:
    return only(settings, "maintenance-plan")


@pytest.fixture
async def office(db: Database, plan: Settings) -> AsyncIterator[Office]:
    ids = {
        user: join(db, user, name, group, role).id
        for user, name, group, role in (
            (BORROWER, "สมชาย ใจดี", "development", Role.STAFF),
            (OFFICER, "สมศรี พัสดุ", "admin", Role.PROCUREMENT),
            (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
            (OTHER, "มาลี ศรีสุข", "admin", Role.STAFF),
            (DEPUTY, "สุดา รองผู้อำนวยการ", "policy", Role.COORDINATOR),
        )
    }
    async with office_with_engine(db, plan, START, ids, Office) as office:
        yield office


def the_loan(db: Database) -> Loan:
    with db.transaction() as session:
        (loan,) = session.exec(select(Loan)).all()
        return loan


def the_items(db: Database) -> list[LoanItem]:
    with db.transaction() as session:
        return list(session.exec(select(LoanItem).order_by(col(LoanItem.position))).all())


def draft_of(db: Database, staff_id: int) -> tuple[str, str, dict[str, object]] | None:
    with db.transaction() as session:
        row = session.get(AwaitedAnswer, (staff_id, "entry"))
        return (row.kind, row.step, dict(row.data)) if row else None


async def record_a_loan(office: Office) -> None:
    """The procurement officer's five steps, each answered as a Thai officer would."""
    bot = office.bot
    (ask,) = await bot.say(OFFICER, "/loan")
    assert ask.startswith("บันทึกการยืมพัสดุ ขั้นที่ 1 จาก 5: ผู้ยืมคือใคร")
    (choose,) = await bot.say(OFFICER, "สมชาย")
    assert choose == "กรุณาเลือกผู้ยืม:"
    (items,) = await office.press(OFFICER, bot.last(OFFICER), "สมชาย ใจดี")
    assert items.startswith("ผู้ยืม: สมชาย ใจดี\n\nขั้นที่ 2 จาก 5")
    (purpose,) = await bot.say(OFFICER, ITEMS)
    assert purpose.startswith("ขั้นที่ 3 จาก 5")
    (due,) = await bot.say(OFFICER, "ใช้ในการอบรมผู้บริหารสถานศึกษา")
    assert "ตามที่สำนักงานกำหนดคือวันที่ 13 มกราคม 2568 (7 วัน)" in due
    (condition,) = await office.press(OFFICER, bot.last(OFFICER), "ส่งคืนภายในวันที่ 13 มกราคม 2568")
    assert condition.startswith("ขั้นที่ 5 จาก 5")
    (preview,) = await office.press(OFFICER, bot.last(OFFICER), "สภาพดี ครบถ้วน")
    assert preview.splitlines() == [
        "กรุณาตรวจสอบรายละเอียดการยืมก่อนบันทึก:",
        "",
        "ผู้ยืม: สมชาย ใจดี",
        "รายการพัสดุ (2 รายการ):",
        "• 7440-001-0001/2567 — เครื่องคอมพิวเตอร์โน้ตบุ๊ก",
        "• P-2 — เครื่องฉายภาพ",
        "วัตถุประสงค์: ใช้ในการอบรมผู้บริหารสถานศึกษา",
        "วันที่ยืม: 6 มกราคม 2568",
        "กำหนดส่งคืน: ภายในวันที่ 13 มกราคม 2568",
        "สภาพเมื่อส่งมอบ: สภาพดี ใช้งานได้ครบถ้วน",
        "",
        'กดปุ่ม "ยืนยัน" เพื่อบันทึก ระบบจะแจ้งให้ผู้ยืมยืนยันการรับพัสดุ',
    ]
    (done,) = await office.press(OFFICER, bot.last(OFFICER), "ยืนยัน")
    loan = the_loan(bot.db)
    assert done.startswith(f"บันทึกการยืมเลขที่ {loan.id} แล้ว ระบบได้แจ้งให้ สมชาย ใจดี ยืนยันการรับพัสดุ")


async def test_a_loan_from_hand_over_to_overdue_escalation_to_a_damaged_return(
    office: Office,
) -> None:
    bot, ids = office.bot, office.ids
    await record_a_loan(office)
    loan = the_loan(bot.db)
    assert (loan.status, loan.lent_on, loan.due_on) == (
        "awaiting_receipt",
        date(2025, 1, 6),
        date(2025, 1, 13),
    )
    assert draft_of(bot.db, ids[OFFICER]) is None

    await office.at(bkk(1, 6, 10, 1))
    (handover,) = await bot.fake.wait_for_messages(BORROWER, 1)
    assert (handover.text or "").startswith(
        f"ส่งมอบพัสดุของทางราชการให้ท่านยืม (การยืมเลขที่ {loan.id})\n\nรายการพัสดุ (2 รายการ):"
    )
    assert "ผู้บันทึก: สมศรี พัสดุ" in (handover.text or "")
    (listed,) = await bot.say(OFFICER, "/loans")
    assert "รอผู้ยืมยืนยันการรับ" in listed and "สมชาย ใจดี" in listed

    # someone else presses the borrower's button: refused, nothing recorded
    refused = await office.press_and_wait(OTHER, handover, f"loan-recv:{loan.id}")
    assert refused["text"] == "ท่านไม่ใช่ผู้ยืมในรายการนี้ ไม่มีการเปลี่ยนแปลงใด ๆ"
    assert the_loan(bot.db).status == "awaiting_receipt"
    toast = await office.press_and_wait(BORROWER, handover, handover.button_data("ได้รับพัสดุแล้ว"))
    assert toast["text"] == "บันทึกเรียบร้อยแล้ว ขอบคุณที่ให้ความร่วมมือ"
    await bot.fake.wait_until(lambda: bool(handover.edits))
    assert "✅ ยืนยันการรับพัสดุแล้ว เมื่อ 6 มกราคม 2568 เวลา 10.01 น." in (handover.text or "")
    assert not handover.callback_data
    again = await office.press_and_wait(BORROWER, handover, f"loan-recv:{loan.id}")
    assert again["text"].startswith("รายการนี้ได้ยืนยันการรับพัสดุไว้แล้ว")
    assert the_loan(bot.db).status == "out"

    for moment in (bkk(1, 8, 8, 30), bkk(1, 10, 8, 30), bkk(1, 13, 8, 30), bkk(1, 14, 8, 30)):
        await office.at(moment)
    await bot.fake.wait_for_messages(BORROWER, 5)
    heads = [text.split("\n", 1)[0] for text in office.texts(BORROWER)[1:]]
    assert heads == [
        "แจ้งเตือนกำหนดส่งคืนพัสดุที่ยืม",
        "แจ้งเตือนกำหนดส่งคืนพัสดุที่ยืม",
        "วันนี้เป็นวันครบกำหนดส่งคืนพัสดุที่ยืม",
        "พัสดุที่ยืมเลยกำหนดส่งคืนแล้ว",
    ]
    assert "เลยกำหนดส่งคืนมาแล้ว 1 วันทำการ" in office.texts(BORROWER)[-1]
    assert office.texts(OFFICER)[-1] == listed  # the officer hears nothing yet

    heard = len(office.texts(OFFICER))
    await office.at(bkk(1, 16, 8, 30))
    (to_officer,) = (await bot.fake.wait_for_messages(OFFICER, heard + 1))[heard:]
    assert (to_officer.text or "").startswith("การยืมพัสดุเลยกำหนดส่งคืน กรุณาติดตาม\n\n")
    assert "ผู้ยืม: สมชาย ใจดี" in (to_officer.text or "")
    assert "เลยกำหนดส่งคืนมาแล้ว 3 วันทำการ" in (to_officer.text or "")
    assert not any("พัสดุ" in text for text in office.texts(DIRECTOR))  # the digest only

    heard = len(office.texts(DIRECTOR))
    await office.at(bkk(1, 20, 8, 30))
    (to_director,) = (await bot.fake.wait_for_messages(DIRECTOR, heard + 1))[heard:]
    assert (to_director.text or "").startswith(
        "เรียน ศึกษาธิการจังหวัด\nเรื่อง: พัสดุของทางราชการที่ยังไม่ได้ส่งคืนภายในกำหนด\n\n"
    )
    assert "พัสดุที่ยังไม่ได้ส่งคืน (2 จาก 2 รายการ):" in (to_director.text or "")
    assert "เห็นควรพิจารณาสั่งการให้ผู้ยืมส่งคืนพัสดุโดยเร็ว" in (to_director.text or "")

    # the return: the notebook damaged, the projector good
    (which,) = await bot.say(OFFICER, "/return")
    assert which == "กรุณาเลือกรายการยืมที่ส่งคืน"
    (checklist,) = await office.press(OFFICER, bot.last(OFFICER), f"เลขที่ {loan.id}: สมชาย ใจดี")
    assert "1. 7440-001-0001/2567 — เครื่องคอมพิวเตอร์โน้ตบุ๊ก: ยังไม่ส่งคืน" in checklist
    sheet = bot.last(OFFICER)
    notebook, projector = the_items(bot.db)
    await office.press_and_wait(OFFICER, sheet, f"lr:i:{notebook.id}:d")
    await office.press_and_wait(OFFICER, sheet, f"lr:i:{projector.id}:g")
    await bot.fake.wait_until(lambda: len(sheet.edits) == 2)
    assert "1. 7440-001-0001/2567 — เครื่องคอมพิวเตอร์โน้ตบุ๊ก: ชำรุด" in (sheet.text or "")
    assert "2. P-2 — เครื่องฉายภาพ: สภาพดี" in (sheet.text or "")
    (ask_note,) = await office.press(OFFICER, sheet, "ดำเนินการต่อ")
    assert ask_note.startswith("กรุณาระบุในข้อความเดียวว่าพัสดุชำรุดหรือขาดชิ้นส่วนใด")
    (preview,) = await bot.say(OFFICER, "จอภาพแตกที่มุมขวา")
    assert "หมายเหตุ: จอภาพแตกที่มุมขวา" in preview
    assert "ระบบจะรายงานศึกษาธิการจังหวัดเรื่องพัสดุที่ชำรุดหรือไม่ครบถ้วน" in preview
    (recorded,) = await office.press(OFFICER, bot.last(OFFICER), "ยืนยัน")
    assert recorded.splitlines() == [
        f"บันทึกการส่งคืนของการยืมเลขที่ {loan.id} แล้ว ได้รับคืน 2 จาก 2 รายการ",
        "ได้รับพัสดุคืนครบทุกรายการแล้ว ปิดการยืมเรียบร้อย",
        "ระบบได้รายงานศึกษาธิการจังหวัดเรื่องพัสดุที่ชำรุดหรือไม่ครบถ้วนแล้ว",
    ]
    assert [(i.return_condition, i.return_note) for i in the_items(bot.db)] == [
        ("damaged", "จอภาพแตกที่มุมขวา"),
        ("good", "จอภาพแตกที่มุมขวา"),
    ]
    assert the_loan(bot.db).status == "returned"

    heard = len(office.texts(DIRECTOR))
    await office.at(bkk(1, 20, 9))
    (damage,) = (await bot.fake.wait_for_messages(DIRECTOR, heard + 1))[heard:]
    assert (damage.text or "").startswith(
        "เรียน ศึกษาธิการจังหวัด\nเรื่อง: พัสดุที่ยืมได้รับคืนในสภาพชำรุดหรือไม่ครบถ้วน"
    )
    assert "• 7440-001-0001/2567 — เครื่องคอมพิวเตอร์โน้ตบุ๊ก: ชำรุด" in (damage.text or "")
    assert "P-2" not in (damage.text or "")
    assert "หมายเหตุ: จอภาพแตกที่มุมขวา" in (damage.text or "")
    await bot.fake.wait_for_messages(BORROWER, 6)
    assert office.texts(BORROWER)[-1].startswith(f"บันทึกการส่งคืนพัสดุแล้ว (การยืมเลขที่ {loan.id})")

    with bot.db.transaction() as session:
        actions = [event.action for event in audit.events(session, subject_type="loan")]
    assert actions == [
        "loan.recorded",
        "loan.received",
        "loan.escalated",
        "loan.escalated",
        "loan.returned",
    ]
    sent = len(bot.fake.sent)
    await office.at(bkk(2, 28, 9))  # the ladder is over: nothing more, ever
    assert len(bot.fake.sent) == sent


async def test_only_the_procurement_officer_records_loans_and_returns(office: Office) -> None:
    bot = office.bot
    before = row_counts(bot.db)
    for command in ("/loan", "/loan สมชาย", "/return", "/return 1", "/announce_maintenance"):
        (refused,) = await bot.say(OTHER, command)
        assert refused == "ขออภัย คำสั่งนี้ใช้ได้เฉพาะเจ้าหน้าที่พัสดุ พิมพ์ /help เพื่อดูคำสั่งที่ท่านใช้ได้"
    (refused,) = await bot.say(DIRECTOR, "/loan")
    assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะเจ้าหน้าที่พัสดุ")
    for data in ("ln:ok", "ln:b:1", "lr:s:1", "lr:ok", "mt:ok"):
        (refused,) = await bot.press(OTHER, bot.last(OTHER), data)
        assert refused.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะเจ้าหน้าที่พัสดุ")
    assert row_counts(bot.db) == before
    (help_officer,) = await bot.say(OFFICER, "/help")
    assert "/return" in help_officer and "/announce_maintenance" in help_officer
    (help_staff,) = await bot.say(OTHER, "/help")
    assert "/myloans" in help_staff and "/loan " not in help_staff and "/return" not in help_staff


async def test_bad_input_at_each_step_changes_nothing(office: Office) -> None:
    bot, ids = office.bot, office.ids
    officer = ids[OFFICER]
    await record_a_loan(office)  # the notebook is out on loan 1 now
    counted = row_counts(bot.db)

    await bot.say(OFFICER, "/loan")
    step = draft_of(bot.db, officer)
    (nobody,) = await bot.say(OFFICER, "ไม่มีใครชื่อนี้")
    assert nobody.startswith('ไม่พบบุคลากรที่ลงทะเบียนซึ่งมีชื่อตรงกับ "ไม่มีใครชื่อนี้"')
    for forged in ("ln:b:999999", "ln:b:abc", "ln:ok", "ln:d", "ln:c", "ln:zz"):
        (stale,) = await bot.press(OFFICER, bot.last(OFFICER), forged)
        assert stale == "ปุ่มนี้ใช้ไม่ได้แล้ว กรุณาพิมพ์คำสั่งอีกครั้ง"
    assert draft_of(bot.db, officer) == step

    await bot.say(OFFICER, "มาลี")
    await office.press(OFFICER, bot.last(OFFICER), "มาลี ศรีสุข")
    step = draft_of(bot.db, officer)
    assert step is not None and step[1] == "items"
    bad_lists = {
        "เครื่องพิมพ์เลเซอร์": "บรรทัดที่ 1: กรุณาพิมพ์หมายเลขครุภัณฑ์ ตามด้วยขีด และรายการพัสดุ",
        "A-1 — กล้อง\na-1 — กล้องอีกตัว": "บรรทัดที่ 2: หมายเลขครุภัณฑ์ a-1 ซ้ำกับรายการก่อนหน้า",
        "7440-001-0001/2567 — โน้ตบุ๊ก": "หมายเลขครุภัณฑ์ 7440-001-0001/2567 ยังอยู่ระหว่างการยืม",
        "\n".join(f"X-{n} — เก้าอี้" for n in range(21)): "การยืมแต่ละครั้งบันทึกได้ไม่เกิน 20 รายการ",
        "X" * 61 + " — ยาวเกิน": "บรรทัดที่ 1: หมายเลขครุภัณฑ์ยาวได้ไม่เกิน 60 ตัวอักษร",
    }
    for text, problem in bad_lists.items():
        (answer,) = await bot.say(OFFICER, text)
        assert answer.startswith(problem), answer
        assert answer.endswith("ยังไม่มีการบันทึก กรุณาพิมพ์รายการพัสดุทั้งหมดอีกครั้ง")
        assert draft_of(bot.db, officer) == step

    await bot.say(OFFICER, "C-9 — กล้องถ่ายภาพ")
    step = draft_of(bot.db, officer)
    (too_long,) = await bot.say(OFFICER, "ก" * 301)
    assert too_long == "กรุณาพิมพ์วัตถุประสงค์ในบรรทัดเดียว ความยาวไม่เกิน 300 ตัวอักษร"
    assert draft_of(bot.db, officer) == step

    await bot.say(OFFICER, "ถ่ายภาพกิจกรรม")
    step = draft_of(bot.db, officer)
    for day in ("31/2/2568", "3/1/2568", "11/1/2568", "7/4/2568", "1/1/2570", "พรุ่งนี้"):
        (answer,) = await bot.say(OFFICER, day)  # impossible, past, Saturday, Chakri Day, too far
        assert answer.startswith("กรุณาพิมพ์กำหนดส่งคืนเป็นวันทำการ ตั้งแต่วันนี้ถึงวันที่ 6 มกราคม 2569")
        assert draft_of(bot.db, officer) == step
    (condition,) = await bot.say(OFFICER, "9/1/2568")
    assert condition.startswith("ขั้นที่ 5 จาก 5")
    step = draft_of(bot.db, officer)
    assert step is not None and step[2]["due_on"] == "2025-01-09"
    (too_long,) = await bot.say(OFFICER, "ข" * 301)
    assert too_long.startswith("กรุณาระบุสภาพพัสดุในบรรทัดเดียว")
    assert draft_of(bot.db, officer) == step
    (preview,) = await bot.say(OFFICER, "มีรอยขีดข่วนที่เลนส์")
    assert "สภาพเมื่อส่งมอบ: มีรอยขีดข่วนที่เลนส์" in preview
    (hint,) = await bot.say(OFFICER, "ยืนยัน")  # typed, not pressed
    assert hint.startswith('กรุณากดปุ่ม "ยืนยัน" หรือ "ยกเลิก" ใต้ข้อความสรุป')
    (cancelled,) = await bot.say(OFFICER, "/cancel")
    assert cancelled == "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    assert draft_of(bot.db, officer) is None
    assert row_counts(bot.db) == counted

    # the return: a loan that does not exist, a forged item, nothing chosen
    (none,) = await bot.say(OFFICER, "/return 999")
    assert none.startswith("ไม่พบรายการยืมที่ยังไม่ส่งคืนตามเลขที่ดังกล่าว")
    loan = the_loan(bot.db)
    await bot.say(OFFICER, f"/return {loan.id}")
    sheet = bot.last(OFFICER)
    for forged in ("lr:i:999999:g", "lr:i:1:z", "lr:ok", "lr:n0"):
        (stale,) = await bot.press(OFFICER, sheet, forged)
        assert stale == "ปุ่มนี้ใช้ไม่ได้แล้ว กรุณาพิมพ์คำสั่งอีกครั้ง"
    (nothing,) = await bot.press(OFFICER, sheet, "lr:n")
    assert nothing == "กรุณากดปุ่มสภาพของพัสดุที่ได้รับคืนอย่างน้อยหนึ่งรายการ"
    notebook, _projector = the_items(bot.db)
    await office.press_and_wait(OFFICER, sheet, f"lr:i:{notebook.id}:g")
    (ask_note,) = await office.press(OFFICER, sheet, "ดำเนินการต่อ")
    assert ask_note.startswith("กรุณาพิมพ์หมายเหตุการส่งคืน")
    asked = bot.last(OFFICER)
    (too_long,) = await bot.say(OFFICER, "ค" * 501)
    assert too_long == "กรุณาพิมพ์หมายเหตุในข้อความเดียว ความยาวไม่เกิน 500 ตัวอักษร"
    (preview,) = await office.press(OFFICER, asked, "ไม่มีหมายเหตุ")
    assert "พัสดุที่ยังต้องส่งคืน (1 รายการ):\n• P-2 — เครื่องฉายภาพ" in preview
    (cancelled,) = await office.press(OFFICER, bot.last(OFFICER), "ยกเลิก")
    assert cancelled == "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    assert row_counts(bot.db) == counted


async def test_a_partial_return_keeps_the_rest_on_loan_and_visible(office: Office) -> None:
    bot = office.bot
    await record_a_loan(office)
    loan = the_loan(bot.db)
    notebook, _projector = the_items(bot.db)
    await bot.say(OFFICER, f"/return {loan.id}")
    sheet = bot.last(OFFICER)
    await office.press_and_wait(OFFICER, sheet, f"lr:i:{notebook.id}:g")
    await office.press(OFFICER, sheet, "ดำเนินการต่อ")
    await office.press(OFFICER, bot.last(OFFICER), "ไม่มีหมายเหตุ")
    (recorded,) = await office.press(OFFICER, bot.last(OFFICER), "ยืนยัน")
    assert recorded.splitlines()[1:] == ["ยังไม่ได้รับคืนอีก 1 รายการ"]
    assert the_loan(bot.db).status == "awaiting_receipt"
    (mine,) = await bot.say(BORROWER, "/myloans")
    assert "2 รายการ (ส่งคืนแล้ว 1) ยังไม่ส่งคืน: P-2" in mine
    (overview,) = await bot.say(DIRECTOR, "/loans")
    assert overview.startswith("การยืมพัสดุที่ยังไม่ส่งคืน 1 รายการ เลยกำหนดส่งคืน 0 รายการ")
    (own,) = await bot.say(BORROWER, "/loans")  # staff see their own, as with /myloans
    assert own == mine
    (nothing,) = await bot.say(OTHER, "/myloans")
    assert nothing == "ขณะนี้ท่านไม่มีพัสดุของทางราชการที่ยืมอยู่"
    await office.at(bkk(1, 8, 8, 30))
    await bot.fake.wait_for_messages(BORROWER, 2)
    reminder = office.texts(BORROWER)[-1]
    assert "พัสดุที่ยังไม่ได้ส่งคืน (1 จาก 2 รายการ):\n• P-2 — เครื่องฉายภาพ" in reminder
    with bot.db.transaction() as session:
        assert [v.id for v in loans.open_loans(session)] == [loan.id]


async def test_the_maintenance_plan_is_a_yearly_report_announced_to_all_staff(
    office: Office,
) -> None:
    bot, ids = office.bot, office.ids
    await office.at(bkk(10, 24, 8, 30))  # a week before 31 October 2568
    (reminder,) = await bot.fake.wait_for_messages(OFFICER, 1)
    assert "รายงาน: ประกาศแผนซ่อมบำรุงครุภัณฑ์ประจำปีให้บุคลากรทราบ" in (reminder.text or "")
    assert "/announce_maintenance" in (reminder.text or "")
    (ask,) = await bot.say(OFFICER, "/announce_maintenance")
    assert ask.startswith("กรุณาพิมพ์ประกาศแผนซ่อมบำรุงครุภัณฑ์ประจำปี")
    (short,) = await bot.say(OFFICER, "สั้น")
    assert short == "กรุณาพิมพ์ประกาศในข้อความเดียว ความยาว 10 ถึง 3000 ตัวอักษร"
    text = "ตรวจเช็กเครื่องปรับอากาศทุกห้อง\n\nวันที่ 10–14 พฤศจิกายน 2568 ติดต่อสมศรี โทร 1234"
    (preview,) = await bot.say(OFFICER, text)
    assert preview.startswith(f"ประกาศนี้จะส่งถึงบุคลากร 5 คน:\n\n{text}\n\n")
    (sent,) = await office.press(OFFICER, bot.last(OFFICER), "ยืนยัน")
    assert sent.splitlines() == [
        "ระบบกำลังส่งประกาศถึงบุคลากร 5 คน",
        'บันทึกการส่งรายงาน "ประกาศแผนซ่อมบำรุงครุภัณฑ์ประจำปีให้บุคลากรทราบ" แล้ว',
    ]
    await office.at(bkk(10, 24, 8, 31))
    for user in ids:
        messages = await bot.fake.wait_for_messages(user, 1)
        assert (messages[-1].text or "").startswith(
            f"ประกาศแผนซ่อมบำรุงครุภัณฑ์ ประจำปีงบประมาณ พ.ศ. 2569\n\n{text}\n\nจาก สมศรี พัสดุ"
        )
    with bot.db.transaction() as session:
        keys = session.exec(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.template == "maintenance")
        ).all()
        events = [
            e.action for e in audit.events(session) if e.action.startswith(("maint", "assign"))
        ]
    assert len(set(keys)) == len(keys) == 5
    assert events == ["maintenance.announced", "assignment.confirmed"]
    received = len(office.texts(OFFICER))
    await office.at(bkk(11, 3, 9))  # confirmed: no last call, no follow-up
    assert len(office.texts(OFFICER)) == received


async def test_an_entry_left_alone_is_forgotten_and_records_nothing(office: Office) -> None:
    bot = office.bot
    before = row_counts(bot.db)
    await bot.say(OFFICER, "/loan สมชาย")
    choices = bot.last(OFFICER)
    bot.clock.advance(hours=13)
    (stale,) = await office.press(OFFICER, choices, "สมชาย ใจดี")
    assert stale == "ปุ่มนี้ใช้ไม่ได้แล้ว กรุณาพิมพ์คำสั่งอีกครั้ง"
    (expired,) = await bot.say(OFFICER, ITEMS)
    assert expired.startswith("รายการที่ยังบันทึกไม่เสร็จหมดอายุแล้ว")
    assert draft_of(bot.db, office.ids[OFFICER]) is None
    assert row_counts(bot.db) == before


async def test_a_loan_recorded_in_error_is_withdrawn_before_receipt(office: Office) -> None:
    """/cancel_loan: previewed, confirmed; the borrower is told, the hand-over's button stops
    working, no reminder follows, and the register keeps the loan as withdrawn."""
    bot = office.bot
    await record_a_loan(office)
    await office.at(START)  # the hand-over reaches the borrower
    handover = bot.last(BORROWER)
    loan = the_loan(bot.db)

    bad = {
        "/cancel_loan": "กรุณาพิมพ์ /cancel_loan ตามด้วยเลขที่รายการยืมและเหตุผล",
        "/cancel_loan abc ผิดคน": "กรุณาพิมพ์ /cancel_loan ตามด้วยเลขที่รายการยืมและเหตุผล",
        f"/cancel_loan {loan.id}": "กรุณาระบุเหตุผลต่อท้ายเลขที่รายการยืม",
        f"/cancel_loan {loan.id} " + "ก" * 301: "กรุณาระบุเหตุผลต่อท้ายเลขที่รายการยืม",
        "/cancel_loan 999 ผิดคน": "ไม่พบรายการยืมเลขที่ 999",
    }
    before = row_counts(bot.db)
    for text, expected in bad.items():
        (answer,) = await bot.say(OFFICER, text)
        assert answer.startswith(expected), text
    (refused,) = await bot.say(OTHER, f"/cancel_loan {loan.id} ผิดคน")
    assert refused.startswith("ขออภัย")
    assert row_counts(bot.db) == before and the_loan(bot.db).status == "awaiting_receipt"

    (preview,) = await bot.say(OFFICER, f"/cancel_loan {loan.id} บันทึกผู้ยืมผิดคน")
    assert preview.splitlines()[0] == f"ยืนยันการยกเลิกรายการยืมเลขที่ {loan.id} ซึ่งบันทึกผิดพลาด หรือไม่"
    assert "เหตุผล: บันทึกผู้ยืมผิดคน" in preview and the_loan(bot.db).status == "awaiting_receipt"
    (done,) = await office.press(OFFICER, bot.last(OFFICER), "ยืนยัน")
    assert done == f"ยกเลิกรายการยืมเลขที่ {loan.id} แล้ว และได้แจ้งให้ สมชาย ใจดี ทราบแล้ว"
    await office.at(START)
    told = office.texts(BORROWER)[-1]
    assert told.startswith(f"ยกเลิกรายการยืมพัสดุเลขที่ {loan.id} แล้ว เนื่องจากบันทึกผิดพลาด")
    assert "เหตุผล: บันทึกผู้ยืมผิดคน" in told

    alert = await office.press_and_wait(BORROWER, handover, f"loan-recv:{loan.id}")
    assert alert["text"].startswith("รายการยืมนี้ถูกยกเลิกแล้ว") and alert["show_alert"]
    assert the_loan(bot.db).status == "withdrawn" and the_loan(bot.db).received_at is None
    (again,) = await bot.say(OFFICER, f"/cancel_loan {loan.id} ผิดคน")
    assert again == f"รายการยืมเลขที่ {loan.id} ปิดแล้ว ไม่มีการเปลี่ยนแปลงใด ๆ"
    (listing,) = await bot.say(OFFICER, "/loans")
    assert listing == "ขณะนี้ไม่มีพัสดุที่อยู่ระหว่างการยืม"
    (own,) = await bot.say(BORROWER, "/myloans")
    assert "ยกเลิกแล้ว (บันทึกผิดพลาด)" in own and "ได้รับพัสดุแล้ว" not in own

    sent = len(office.texts(BORROWER))
    for moment in (bkk(1, 8, 8, 30), bkk(1, 10, 8, 30), bkk(1, 13, 8, 30), bkk(1, 20, 9)):
        await office.at(moment)  # the whole ladder's time passes: nobody hears of it
    assert len(office.texts(BORROWER)) == sent
    assert not [t for t in office.texts(DIRECTOR) if f"เลขที่ {loan.id}" in t]
    with bot.db.transaction() as session:
        events = audit.events(session, subject_type="loan", subject_id=loan.id)
        assert [e.action for e in events] == ["loan.recorded", "loan.withdrawn"]
        assert events[-1].details == {"reason": "บันทึกผู้ยืมผิดคน"}
        assert loans.assets_out(session, ["P-2"]) == {}  # the items may be lent again


async def test_a_received_loan_cannot_be_withdrawn(office: Office) -> None:
    bot = office.bot
    await record_a_loan(office)
    await office.at(START)
    loan = the_loan(bot.db)
    await office.press_and_wait(BORROWER, bot.last(BORROWER), f"loan-recv:{loan.id}")
    (answer,) = await bot.say(OFFICER, f"/cancel_loan {loan.id} ผิดคน")
    assert answer.startswith(f"ผู้ยืมได้ยืนยันการรับพัสดุตามรายการยืมเลขที่ {loan.id} แล้ว จึงยกเลิกรายการไม่ได้")
    assert the_loan(bot.db).status == "out" and draft_of(bot.db, office.ids[OFFICER]) is None


async def test_a_loan_withdrawn_before_its_hand_over_went_out_is_never_heard_of(
    office: Office,
) -> None:
    bot = office.bot
    await record_a_loan(office)  # the hand-over waits in the outbox for the dispatcher
    loan = the_loan(bot.db)
    await bot.say(OFFICER, f"/cancel_loan {loan.id} บันทึกซ้ำ")
    (done,) = await office.press(OFFICER, bot.last(OFFICER), "ยืนยัน")
    assert done == (
        f"ยกเลิกรายการยืมเลขที่ {loan.id} แล้ว ข้อความแจ้งการส่งมอบพัสดุยังไม่ได้ส่งถึง สมชาย ใจดี "
        "ระบบจึงจะไม่ส่งข้อความดังกล่าว"
    )
    await office.at(START)
    await office.at(bkk(1, 14, 9))
    assert office.texts(BORROWER) == []
    with bot.db.transaction() as session:
        states = {
            m.idempotency_key: m.state
            for m in session.exec(select(OutboxMessage)).all()
            if m.idempotency_key.startswith(f"loan:{loan.id}:")
        }
    assert states == {f"loan:{loan.id}:handover:to-{office.ids[BORROWER]}": "cancelled"}


async def test_a_press_on_a_loan_another_session_holds_never_stops_the_event_loop(
    office: Office,
) -> None:
    """The borrower's "received" waits for the row on a worker thread: meanwhile the event
    loop (every other user, the scheduler) runs on, and the press is answered at the end."""
    bot, hold, tick = office.bot, 2.0, 0.01  # held 2 s: under the lock (3 s) and busy (5 s) waits
    await record_a_loan(office)
    loan = the_loan(bot.db)
    await office.at(bkk(1, 6, 10, 1))
    (handover,) = await bot.fake.wait_for_messages(BORROWER, 1)
    gaps: list[float] = []
    stop = asyncio.Event()

    async def probe() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(tick)
            gaps.append(time.perf_counter() - started)

    with holding_row(bot.db, "property_loan", loan.id or 0):
        probing = asyncio.create_task(probe())
        data = handover.button_data("ได้รับพัสดุแล้ว")
        update = bot.fake.user_presses_button(BORROWER, handover, data)
        await asyncio.sleep(hold)
        assert bot.fake.callback_answer(update) is None  # still waiting for the row
    try_again = "ขณะนี้มีผู้ใช้งานพร้อมกันจำนวนมาก"
    await bot.fake.wait_until(
        lambda: (
            (bot.fake.callback_answer(update) or {}).get("text")
            == "บันทึกเรียบร้อยแล้ว ขอบคุณที่ให้ความร่วมมือ"
            or any(t.startswith(try_again) for t in office.texts(BORROWER))
        )
    )
    stop.set()
    await probing
    assert max(gaps) < 1.0, f"the event loop stopped for {max(gaps):.2f} s"
    assert len(gaps) > hold / tick / 4  # the probe kept waking up while the row was held
    done = not any(t.startswith(try_again) for t in office.texts(BORROWER))
    assert the_loan(bot.db).status == ("out" if done else "awaiting_receipt")
