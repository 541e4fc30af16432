"""The memo's loop end to end (issue 15), over the fake Bot API: a person stays silent, the
coordinator receives the memo (.docx) and proposes it, the director orders "submit by …" with
typed words, the person receives the order, misses it, and the director is told again. Both
.docx files are opened with python-docx and read as the director would; the refusals (a staff
member's press, a forged memo, a second press) change nothing."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime

import docx
import pytest

from bot.features import render
from bot.offline import SentMessage
from bot.runtime.sender import TelegramSender
from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher
from jobs.settings import Settings
from jobs.tick import Planner
from storage import audit, memos, people, schedule
from storage.db import Database
from storage.models import AssignmentStatus, MemoDocumentKind, MemoOutcome, MemoState, Role
from tests.duties.test_tick import (
    COORDINATOR,
    DIRECTOR,
    MALEE,
    SOMCHAI,
    bkk,
    join,
    only,
    q1_assignment,
)
from tests.harness import Clock, Harness, running_bot
from tests.office.test_invites import row_counts
from tests.support import with_changes

# Q1 of fiscal year 2568: due Fri 10 Jan 2025; follow-ups 13 and 14 Jan; the memo 14 Jan
LADDER = (bkk(1, 3, 8, 30), bkk(1, 9, 8, 30), bkk(1, 10, 8, 30), bkk(1, 13, 8, 30))
ESCALATION = (bkk(1, 14, 8, 30), bkk(1, 14, 13, 0))
WORDS = "ให้จัดส่งโดยด่วน หากมีปัญหาให้แจ้งกลุ่มนโยบายและแผน"


@pytest.fixture
def plan(settings: Settings) -> Settings:
    chosen = only(settings, "quarterly-progress", each_member_of=["admin"])
    return with_changes(chosen, memo={"prefix": "ศธ 0262/"})


@pytest.fixture
async def office(db: Database, plan: Settings) -> AsyncIterator[tuple[Harness, Planner]]:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR)
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(db, bkk(1, 2))
    async with running_bot(db, plan, Clock(bkk(1, 2))) as harness:
        yield harness, planner


async def tick_and_deliver(bot: Harness, planner: Planner, *moments: datetime) -> None:
    """The engine's work at each instant: the tick writes, the dispatcher sends."""
    sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
    for moment in moments:
        bot.clock.now = moment
        planner.tick(bot.db, moment)
        await Dispatcher(bot.db, sender, bot.clock, per_chat_interval=0).dispatch()


async def deliver(bot: Harness) -> None:
    sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
    await Dispatcher(bot.db, sender, bot.clock, per_chat_interval=0).dispatch()


def confirm(db: Database, user_id: int, now: datetime) -> None:
    with db.transaction() as session:
        person = people.by_telegram_user(session, user_id)
        assert person is not None
        assignment_id = q1_assignment(db, user_id).id or 0
        schedule.confirm(session, assignment_id, person=person, now=now, via="button")


def documents(bot: Harness, user_id: int) -> list[SentMessage]:
    return [m for m in bot.fake.messages_to(user_id) if m.kind == "document"]


def with_buttons(bot: Harness, user_id: int) -> SentMessage:
    return [m for m in bot.fake.messages_to(user_id) if m.callback_data][-1]


def paragraphs(file: bytes | None) -> list[str]:
    assert file is not None
    document = docx.Document(io.BytesIO(file))
    return [p.text for p in document.paragraphs if p.text.strip()]


def order_box(file: bytes | None) -> str:
    assert file is not None
    (table,) = docx.Document(io.BytesIO(file)).tables
    return str(table.cell(0, 0).text)


async def alert(bot: Harness, user_id: int, message: SentMessage | int, data: str) -> str:
    """A press answered with a pop-up (nothing new in the chat): its text."""
    pressed = bot.fake.user_presses_button(user_id, message, data)
    await bot.fake.wait_until(lambda: bot.fake.callback_answer(pressed) is not None)
    answer = bot.fake.callback_answer(pressed)
    assert answer is not None
    return str(answer.get("text") or "")


async def escalate(bot: Harness, planner: Planner) -> int:
    """Somchai confirms in time, Malee stays silent; the memo reaches the coordinator."""
    confirm(bot.db, SOMCHAI, bkk(1, 9, 10))
    await tick_and_deliver(bot, planner, *LADDER, *ESCALATION)
    with bot.db.transaction() as session:
        (view,) = memos.memos_of_year(session, 2568)
    return view.memo.id or 0


async def test_the_memo_reaches_the_director_and_the_order_goes_back(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    memo_id = await escalate(bot, planner)

    # the coordinator: the memo as a Word file, and "เสนอ"
    (memo_file,) = documents(bot, COORDINATOR)
    assert memo_file.filename == "memo-2568-001.docx"
    lines = paragraphs(memo_file.file_bytes)
    assert lines[2] == "ที่  ศธ ๐๒๖๒/๑\tวันที่  ๑๔ มกราคม ๒๕๖๘"
    assert lines[3].startswith("เรื่อง\tขอรายงานผู้ยังไม่ส่งรายงานผลการดำเนินงานโครงการ")
    assert lines[3].endswith("ไตรมาสที่ ๑ ปีงบประมาณ พ.ศ. ๒๕๖๘")
    assert lines[4] == "เรียน  ศึกษาธิการจังหวัดพิจิตร"
    assert "ภายในวันที่ ๑๐ มกราคม ๒๕๖๘ นั้น" in lines[5]
    assert "จำนวน ๑ ราย ดังนี้" in lines[6]
    assert lines[7] == (
        "๑. มาลี ศรีสุข กลุ่มอำนวยการ กำหนดส่ง ๑๐ มกราคม ๒๕๖๘ "
        "ติดตามแล้วเมื่อวันที่ ๑๓ มกราคม ๒๕๖๘ และ ๑๔ มกราคม ๒๕๖๘"
    )
    assert "สมชาย" not in "\n".join(lines)  # he sent his report
    assert "(วิภา ประสานงาน)" in lines
    assert "....." in order_box(memo_file.file_bytes)  # the box still empty
    review = with_buttons(bot, COORDINATOR)
    assert (review.text or "").startswith("บันทึกข้อความเสนอศึกษาธิการจังหวัดพิจิตร เพื่อโปรดตรวจทาน\n")
    assert "บันทึกข้อความที่ ศธ 0262/1 ลงวันที่ 14 มกราคม 2568" in (review.text or "")
    assert "ผู้ยังไม่ส่งหลังการติดตาม 1 ราย: มาลี ศรีสุข" in (review.text or "")
    assert documents(bot, DIRECTOR) == []  # not before the coordinator proposes it

    # proposed: the director's copy, with the order's buttons
    bot.clock.now = bkk(1, 14, 13, 30)
    (proposed,) = await bot.press(COORDINATOR, review, review.button_data("เสนอ"))
    assert proposed == "เสนอบันทึกข้อความที่ ศธ 0262/1 ต่อศึกษาธิการจังหวัดพิจิตรแล้ว"
    assert not review.callback_data and "✅ เสนอแล้วเมื่อ 14 มกราคม 2568" in (review.text or "")
    again = await alert(bot, COORDINATOR, review, f"mp:{memo_id}")
    assert again == "บันทึกข้อความนี้เสนอแล้ว ไม่มีการเปลี่ยนแปลง"
    await deliver(bot)
    (director_file,) = documents(bot, DIRECTOR)
    assert paragraphs(director_file.file_bytes) == lines  # the same memo
    decide = with_buttons(bot, DIRECTOR)
    assert (decide.text or "").startswith("เรียน ศึกษาธิการจังหวัดพิจิตร บันทึกข้อความเพื่อโปรดพิจารณาสั่งการ")
    labels = [button["text"] for button in decide.buttons]
    assert labels == ["สั่งการให้จัดส่งภายใน 15 ม.ค. 2568", "ยกเว้น", "ทราบ จะสั่งการเอง"]

    # the order, with the director's own words
    bot.clock.now = bkk(1, 14, 14, 0)
    (asked,) = await bot.press(DIRECTOR, decide, decide.button_data("สั่งการให้จัดส่งภายใน"))
    assert asked.startswith("โปรดพิมพ์ข้อสั่งการในข้อความเดียว")
    assert bot.last(DIRECTOR).button_data("ไม่ระบุ") == f"mo:n:{memo_id}"
    (ordered,) = await bot.say(DIRECTOR, WORDS)
    assert ordered == (
        "บันทึกข้อสั่งการแล้ว: ให้จัดส่งภายในวันที่ 15 มกราคม 2568 เวลา 16.30 น. และแจ้งข้อสั่งการถึง มาลี ศรีสุข แล้ว"
    )
    twice = await alert(bot, DIRECTOR, decide, decide.button_data("ทราบ จะสั่งการเอง"))
    assert twice == "บันทึกข้อความนี้มีข้อสั่งการแล้ว ไม่มีการเปลี่ยนแปลง"
    again = await alert(bot, DIRECTOR, decide, decide.button_data("สั่งการให้จัดส่งภายใน"))
    assert again == twice  # no second question for the words either
    await deliver(bot)

    # the person concerned: the director's order with the new deadline
    order = bot.fake.messages_to(MALEE)[-1]
    assert (order.text or "").startswith("ข้อสั่งการของศึกษาธิการจังหวัดพิจิตร\n")
    assert "ศึกษาธิการจังหวัดพิจิตรสั่งการให้จัดส่งรายงานผลการดำเนินงานโครงการ" in (
        order.text or ""
    ) and "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568 ภายในวันที่ 15 มกราคม 2568 เวลา 16.30 น." in (
        order.text or ""
    )
    assert f"ข้อสั่งการ: “{WORDS}”" in (order.text or "")
    assert "(ตามบันทึกข้อความที่ ศธ 0262/1 ลงวันที่ 14 มกราคม 2568)" in (order.text or "")
    malee = q1_assignment(bot.db, MALEE).id
    assert order.button_data("ส่งรายงานแล้ว") == f"done:{malee}"
    (owed,) = await bot.say(MALEE, "/mine")  # her own list shows the order's deadline
    assert "ตามข้อสั่งการของผู้บังคับบัญชา: ภายในวันที่ 15 มกราคม 2568 เวลา 16.30 น." in owed

    # the version of record, to the director and the coordinator
    for reader in (DIRECTOR, COORDINATOR):
        record = documents(bot, reader)[-1]
        assert record.filename == "memo-2568-001-ordered.docx"
        assert paragraphs(record.file_bytes)[:8] == lines[:8]
        box = order_box(record.file_bytes).split("\n")
        assert box[1:4] == [
            "ให้ผู้รับผิดชอบจัดส่งรายงานโดยด่วน",
            WORDS,
            "ให้จัดส่งภายในวันที่ ๑๕ มกราคม ๒๕๖๘",
        ]
        assert "(วิชัย รักดี)" in box and "๑๔ มกราคม ๒๕๖๘" in box
        assert "....." not in "\n".join(box)
        caption = bot.fake.texts_to(reader)[-1]
        assert caption.startswith("ข้อสั่งการของศึกษาธิการจังหวัดพิจิตรท้ายบันทึกข้อความที่ ศธ 0262/1\n")

    # the morning of the new due day, then the deadline missed: the director told again
    await tick_and_deliver(bot, planner, bkk(1, 15, 8, 30))
    reminder = bot.fake.messages_to(MALEE)[-1]
    assert (reminder.text or "").startswith("วันนี้เป็นวันครบกำหนดตามข้อสั่งการของศึกษาธิการจังหวัดพิจิตร\n")
    assert "ตามข้อสั่งการท้ายบันทึกข้อความที่ ศธ 0262/1" in (reminder.text or "")
    told = len(bot.fake.messages_to(DIRECTOR))
    await tick_and_deliver(bot, planner, bkk(1, 15, 17, 0), bkk(1, 16, 8, 30), bkk(1, 16, 9, 0))
    (missed,) = bot.fake.messages_to(DIRECTOR)[told:]
    text = missed.text or ""
    assert text.startswith(
        "เรื่อง ผลการปฏิบัติตามข้อสั่งการท้ายบันทึกข้อความที่ ศธ 0262/1 ลงวันที่ 14 มกราคม 2568\n"
        "เรียน  ศึกษาธิการจังหวัดพิจิตร\n"
    )
    assert "บัดนี้พ้นกำหนดแล้ว ผู้รับผิดชอบ 1 ราย ยังไม่จัดส่งรายงาน ดังนี้\n1. มาลี ศรีสุข (กลุ่มอำนวยการ)" in text
    assert missed.button_data("เตือนอีกครั้งตอนนี้: มาลี ศรีสุข") == f"esc:r:{malee}"

    with bot.db.transaction() as session:
        view = memos.memo(session, memo_id)
        actions = [e.action for e in audit.events(session, subject_type="memo")]
        kept = {kind: memos.document(session, memo_id, kind) for kind in MemoDocumentKind}
    assert view is not None
    assert (view.memo.state, view.memo.outcome) == (
        MemoState.CLOSED.value,
        MemoOutcome.MISSED.value,
    )
    assert (view.memo.order_kind, view.memo.order_text) == ("deadline", WORDS)
    assert view.memo.new_due_at == bkk(1, 15, 16, 30)
    assert [line.outcome for line in view.lines] == [MemoOutcome.MISSED.value]
    assert actions == ["memo.written", "memo.proposed", "memo.ordered", "memo.closed"]
    assert all(kept.values())
    assert q1_assignment(bot.db, MALEE).status == AssignmentStatus.ESCALATED.value


async def test_refusals_and_forged_presses_change_nothing(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    memo_id = await escalate(bot, planner)
    review = with_buttons(bot, COORDINATOR)
    before = row_counts(bot.db)
    (staff,) = await bot.press(SOMCHAI, 0, f"mp:{memo_id}")  # type: ignore[arg-type]
    assert staff.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะผู้ประสานงานติดตามการรายงาน")
    (director,) = await bot.press(DIRECTOR, 0, f"mp:{memo_id}")  # type: ignore[arg-type]
    assert director.startswith("ขออภัย คำสั่งนี้ใช้ได้เฉพาะผู้ประสานงานติดตามการรายงาน")
    forged = await alert(bot, COORDINATOR, review, "mp:99999")
    assert forged == "ไม่พบบันทึกข้อความนี้ ไม่มีการเปลี่ยนแปลง"
    forged_order = await alert(bot, DIRECTOR, 0, "mo:d:99999")
    assert forged_order == "ไม่พบบันทึกข้อความนี้ ไม่มีการเปลี่ยนแปลง"
    stale = await alert(bot, COORDINATOR, review, "mp:abc")
    assert stale.startswith("ปุ่มนี้")  # the kit's stale button: the data does not fit
    (refused,) = await bot.press(SOMCHAI, 0, f"mo:o:{memo_id}")  # type: ignore[arg-type]
    assert refused.startswith("ขออภัย เฉพาะศึกษาธิการจังหวัดหรือผู้รักษาราชการแทน")
    assert row_counts(bot.db) == before  # a staff member's press is not even audited
    (coordinator,) = await bot.press(COORDINATOR, 0, f"mo:d:{memo_id}")  # type: ignore[arg-type]
    assert coordinator.startswith("ขออภัย เฉพาะศึกษาธิการจังหวัดหรือผู้รักษาราชการแทน")
    # the director cannot order on a memo not yet proposed to them
    for action in "od":
        not_yet = await alert(bot, DIRECTOR, 0, f"mo:{action}:{memo_id}")
        assert not_yet == "บันทึกข้อความนี้ยังไม่ได้เสนอผู้บังคับบัญชา ไม่มีการเปลี่ยนแปลง"
    with bot.db.transaction() as session:
        view = memos.memo(session, memo_id)
        refusals = [
            (e.action, e.details["reason"])
            for e in audit.events(session, subject_type="memo")
            if e.action == "memo.order_refused"
        ]
    assert view is not None and view.memo.state == MemoState.DRAFT.value
    assert refusals == [("memo.order_refused", "not_allowed")]  # the coordinator's, audited


async def test_the_director_exempts_with_a_reason_and_the_person_is_told(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    memo_id = await escalate(bot, planner)
    review = with_buttons(bot, COORDINATOR)
    await bot.press(COORDINATOR, review, review.button_data("เสนอ"))
    await deliver(bot)
    decide = with_buttons(bot, DIRECTOR)
    (asked,) = await bot.press(DIRECTOR, decide, decide.button_data("ยกเว้น"))
    assert asked.startswith("กรุณาพิมพ์เหตุผลของการยกเว้น")
    (done,) = await bot.say(DIRECTOR, "ลาคลอด")
    assert done == "บันทึกการยกเว้นแล้ว เหตุผล: ลาคลอด และแจ้ง มาลี ศรีสุข แล้ว"
    await deliver(bot)
    told = bot.fake.texts_to(MALEE)[-1]
    assert told.startswith("ศึกษาธิการจังหวัดพิจิตรอนุญาตให้ยกเว้นการจัดส่งรายงานผลการดำเนินงานโครงการ")
    assert "เหตุผล: ลาคลอด" in told
    assert q1_assignment(bot.db, MALEE).status == AssignmentStatus.EXCUSED.value
    record = documents(bot, DIRECTOR)[-1]
    box = order_box(record.file_bytes).split("\n")
    assert box[1:3] == ["อนุญาตให้ยกเว้นการจัดส่งรายงาน ด้วยเหตุผลดังนี้", "ลาคลอด"]
    with bot.db.transaction() as session:
        view = memos.memo(session, memo_id)
        excused = [e for e in audit.events(session) if e.action == "assignment.excused"]
    assert view is not None
    assert (view.memo.state, view.memo.outcome) == (MemoState.CLOSED.value, "excused")
    assert [e.details["reason"] for e in excused] == ["ลาคลอด"]


async def test_will_order_in_person_is_recorded_and_nothing_goes_to_the_person(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    memo_id = await escalate(bot, planner)
    review = with_buttons(bot, COORDINATOR)
    await bot.press(COORDINATOR, review, review.button_data("เสนอ"))
    await deliver(bot)
    decide = with_buttons(bot, DIRECTOR)
    before = len(bot.fake.messages_to(MALEE))
    (done,) = await bot.press(DIRECTOR, decide, decide.button_data("ทราบ จะสั่งการเอง"))
    assert done == "บันทึกแล้ว: ท่านจะสั่งการเอง ระบบจะไม่ส่งข้อความถึงผู้เกี่ยวข้อง"
    await deliver(bot)
    assert len(bot.fake.messages_to(MALEE)) == before
    assert "ทราบ จะสั่งการเอง" in order_box(documents(bot, COORDINATOR)[-1].file_bytes)
    with bot.db.transaction() as session:
        view = memos.memo(session, memo_id)
        will = [e for e in audit.events(session) if e.action == "assignment.director_will_order"]
    assert view is not None and view.memo.outcome == MemoOutcome.DIRECTOR.value
    assert len(will) == 1
