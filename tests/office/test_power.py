"""Power that protects itself (issue 11), over the fake Bot API on both databases: the director
role, the acting officer and complaint handlers change only by the director's decision, every
change and attempt is told to the director, and escalations are answered only by who may."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.cli import main
from bot.features import render
from bot.runtime.complaint_keys import ENV_VAR
from bot.runtime.sender import TelegramSender
from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher
from jobs.settings import Settings
from jobs.tick import Planner
from storage import audit, migrate, people
from storage.db import Database
from storage.models import (
    AuditEvent,
    Leave,
    OutboxMessage,
    PowerProposal,
    ProposalState,
    Role,
)
from tests.complaints.test_complaints_bot import KEY, file_complaint
from tests.duties.test_tick import bkk, only, q1_assignment
from tests.harness import Clock, Harness, running_bot
from tests.office.test_invites import row_counts
from tests.support import EXAMPLE_CONFIG, enrol, invite_code

DIRECTOR, ADMIN, COORDINATOR, DEPUTY = 31, 41, 21, 51
HEAD, SOMCHAI, MEMBER = 13, 11, 61  # the admin group's head and a member; development's member


def sid(db: Database, user_id: int) -> int:
    with db.transaction() as session:
        person = people.by_telegram_user(session, user_id)
    assert person is not None
    return person.id


def roles(db: Database, user_id: int) -> frozenset[Role]:
    with db.transaction() as session:
        person = people.by_telegram_user(session, user_id)
    assert person is not None
    return person.roles


def outbox_to(db: Database, user_id: int, template: str) -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == user_id, OutboxMessage.template == template)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


def actions(db: Database, action: str) -> list[AuditEvent]:
    with db.transaction() as session:
        return [event for event in audit.events(session) if event.action == action]


def proposals(db: Database) -> list[PowerProposal]:
    with db.transaction() as session:
        return list(session.exec(select(PowerProposal).order_by(col(PowerProposal.id))).all())


def leaves(db: Database) -> list[Leave]:
    with db.transaction() as session:
        return list(session.exec(select(Leave)).all())


async def deliver(bot: Harness) -> None:
    """What the engine's dispatcher does: send the outbox through the bot's own sender."""
    sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
    await Dispatcher(bot.db, sender, bot.clock, per_chat_interval=0).dispatch()


async def told(bot: Harness, user_id: int, start: str) -> str:
    """The message to ``user_id`` that starts with ``start`` (waiting for it a little)."""
    await bot.fake.wait_until(lambda: any(t.startswith(start) for t in bot.fake.texts_to(user_id)))
    return next(t for t in bot.fake.texts_to(user_id) if t.startswith(start))


@pytest.fixture
async def office(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """A director, an admin, a coordinator, a deputy; no report due (only power messages)."""
    monkeypatch.setenv(ENV_VAR, KEY)
    for user_id, name, group, role in (
        (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
        (ADMIN, "อนันต์ ดูแลระบบ", "personnel", Role.ADMIN),
        (COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR),
        (DEPUTY, "สุดา รองผู้อำนวยการ", "policy", Role.STAFF),
    ):
        enrol(db, user_id, name, group, role, now=bkk(1, 2))
    async with running_bot(db, only(settings), Clock(bkk(1, 6, 9))) as harness:
        yield harness


# -- the director role -----------------------------------------------------------------------


async def test_an_admin_making_themselves_director_only_proposes_until_the_director_confirms(
    office: Harness,
) -> None:
    bot, admin = office, sid(office.db, ADMIN)
    await bot.say(ADMIN, f"/person {admin}")
    (proposed,) = await bot.press(ADMIN, bot.last(ADMIN), f"p:{admin}:rl:director")
    assert proposed.startswith(
        "เสนอแล้ว การเปลี่ยนแปลงจะมีผลเมื่อศึกษาธิการจังหวัดยืนยันภายในวันที่ 8 มกราคม 2568"
    )
    assert Role.DIRECTOR not in roles(bot.db, ADMIN)  # nothing else changed
    (found,) = proposals(bot.db)
    assert (found.state, found.subject_staff_id) == (ProposalState.PENDING.value, admin)
    before = row_counts(bot.db)
    (again,) = await bot.press(ADMIN, bot.last(ADMIN), f"p:{admin}:rl:director")
    assert again.startswith("การเปลี่ยนแปลงนี้รอการยืนยันจากศึกษาธิการจังหวัดอยู่แล้ว")
    assert row_counts(bot.db) == before
    await deliver(bot)
    notice = await told(bot, DIRECTOR, "เรื่อง  ขอความเห็นชอบการเปลี่ยนแปลงบทบาทในระบบ")
    assert "รายการ: มอบบทบาทศึกษาธิการจังหวัดให้คุณอนันต์ ดูแลระบบ" in notice
    assert "ผู้ขอ: คุณอนันต์ ดูแลระบบ เมื่อวันที่ 6 มกราคม 2568 เวลา 09.00 น." in notice
    asked = next(m for m in bot.fake.messages_to(DIRECTOR) if m.text == notice)
    assert asked.callback_data == [f"pw:y:{found.id}", f"pw:n:{found.id}"]
    # the admin forges the director's button: refused, audited, the director told
    (forged,) = await bot.press(ADMIN, 0, f"pw:y:{found.id}")  # type: ignore[arg-type]
    assert forged.startswith("ขออภัย การเปลี่ยนแปลงนี้เป็นอำนาจของศึกษาธิการจังหวัดเท่านั้น")
    assert Role.DIRECTOR not in roles(bot.db, ADMIN)
    assert proposals(bot.db)[0].state == ProposalState.PENDING.value
    assert [e.actor_staff_id for e in actions(bot.db, "power.refused")] == [admin]
    (confirmed,) = await bot.press(DIRECTOR, asked, f"pw:y:{found.id}")
    assert confirmed.startswith("ยืนยันแล้ว การเปลี่ยนแปลงมีผลตั้งแต่บัดนี้")
    assert Role.DIRECTOR in roles(bot.db, ADMIN)
    assert proposals(bot.db)[0].state == ProposalState.CONFIRMED.value
    await deliver(bot)
    news = await told(bot, ADMIN, "เรื่อง  ศึกษาธิการจังหวัดเห็นชอบการเปลี่ยนแปลงบทบาทในระบบแล้ว")
    assert "ผู้พิจารณา: คุณวิชัย รักดี" in news
    (late,) = await bot.press(DIRECTOR, asked, f"pw:y:{found.id}")
    assert late == "ข้อเสนอนี้ได้รับการพิจารณาแล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"


async def test_a_proposal_not_confirmed_in_time_expires_and_the_director_and_proposer_are_told(
    office: Harness,
) -> None:
    bot, admin = office, sid(office.db, ADMIN)
    await bot.say(ADMIN, f"/person {admin}")
    await bot.press(ADMIN, bot.last(ADMIN), f"p:{admin}:rl:director")
    (found,) = proposals(bot.db)
    await deliver(bot)
    planner = Planner(bot.settings, OfficeCalendar.from_office(bot.settings.office))
    assert planner.next_wake(bot.db, bot.clock()) == found.expires_at  # the engine wakes for it
    bot.clock.now = bkk(1, 8, 9)  # 48 hours later
    planner.tick(bot.db, bot.clock())
    assert proposals(bot.db)[0].state == ProposalState.EXPIRED.value
    assert Role.DIRECTOR not in roles(bot.db, ADMIN)
    await deliver(bot)
    for user_id in (DIRECTOR, ADMIN):
        expired = await told(bot, user_id, "เรื่อง  ข้อเสนอเปลี่ยนแปลงบทบาทในระบบพ้นกำหนดการยืนยัน")
        assert "ศึกษาธิการจังหวัดไม่ได้ยืนยันภายในกำหนด จึงไม่มีการเปลี่ยนแปลงใด ๆ" in expired
    (pressed,) = await bot.press(DIRECTOR, 0, f"pw:y:{found.id}")  # type: ignore[arg-type]
    assert pressed == "ข้อเสนอนี้พ้นกำหนดก่อนได้รับการยืนยัน ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    assert Role.DIRECTOR not in roles(bot.db, ADMIN)


async def test_a_press_after_the_expiry_detects_it_before_the_tick_does(office: Harness) -> None:
    bot, admin = office, sid(office.db, ADMIN)
    await bot.say(ADMIN, f"/person {admin}")
    await bot.press(ADMIN, bot.last(ADMIN), f"p:{admin}:rl:director")
    (found,) = proposals(bot.db)
    bot.clock.now = bkk(1, 8, 9, 1)  # no tick has run since it expired
    (pressed,) = await bot.press(DIRECTOR, 0, f"pw:y:{found.id}")  # type: ignore[arg-type]
    assert pressed == "ข้อเสนอนี้พ้นกำหนดก่อนได้รับการยืนยัน ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    assert proposals(bot.db)[0].state == ProposalState.EXPIRED.value
    assert Role.DIRECTOR not in roles(bot.db, ADMIN)
    assert len(outbox_to(bot.db, ADMIN, "power")) == 1  # the proposer told of the expiry


async def test_the_director_role_is_never_left_empty_nor_taken_by_an_admin(
    office: Harness,
) -> None:
    bot, director = office, sid(office.db, DIRECTOR)
    await bot.say(ADMIN, f"/person {director}")
    card = bot.last(ADMIN)
    before = row_counts(bot.db)
    (demote,) = await bot.press(ADMIN, card, f"p:{director}:rl:director")
    assert demote.startswith("ขออภัย การเปลี่ยนแปลงนี้จะทำให้สำนักงานไม่มีผู้ดำรงบทบาทศึกษาธิการจังหวัด")
    (off,) = await bot.press(ADMIN, card, f"p:{director}:off")
    assert off.startswith("ขออภัย การเปลี่ยนแปลงนี้เป็นอำนาจของศึกษาธิการจังหวัดเท่านั้น")
    assert roles(bot.db, DIRECTOR) >= {Role.DIRECTOR}
    with bot.db.transaction() as session:
        still = people.by_id(session, director)
    assert still is not None and still.staff.active
    after = row_counts(bot.db)
    assert after["power_proposal"] == before["power_proposal"] == 0
    assert len(actions(bot.db, "power.refused")) == 2
    await deliver(bot)
    refused = await told(bot, DIRECTOR, "เรื่อง  แจ้งการขอเปลี่ยนแปลงบทบาทในระบบที่ไม่ได้รับอนุญาต")
    assert "ผู้ขอ: คุณอนันต์ ดูแลระบบ" in refused and "ไม่มีการเปลี่ยนแปลงใด ๆ" in refused
    # an admin who is the only director cannot take the role away from themselves either
    with bot.db.transaction() as session:
        people.set_role(
            session, director, Role.ADMIN, True, actor=people.Actor("test"), now=bkk(1, 6)
        )
    await bot.say(DIRECTOR, f"/person {director}")
    (own,) = await bot.press(DIRECTOR, bot.last(DIRECTOR), f"p:{director}:rl:director")
    assert own.startswith("ขออภัย การเปลี่ยนแปลงนี้จะทำให้สำนักงานไม่มีผู้ดำรงบทบาทศึกษาธิการจังหวัด")
    assert Role.DIRECTOR in roles(bot.db, DIRECTOR)


async def test_only_the_director_names_complaint_handlers_and_the_handler_is_told(
    office: Harness,
) -> None:
    bot, deputy = office, sid(office.db, DEPUTY)
    before = row_counts(bot.db)
    (refused,) = await bot.say(ADMIN, f"/handlers {deputy}")
    assert refused.startswith("ขออภัย การเปลี่ยนแปลงนี้เป็นอำนาจของศึกษาธิการจังหวัดเท่านั้น")
    assert row_counts(bot.db)["complaint_handler"] == before["complaint_handler"]
    (event,) = actions(bot.db, "power.refused")
    assert event.details["attempted"] == "handler_named" and event.subject_id == deputy
    (named,) = await bot.say(DIRECTOR, f"/handlers {deputy}")
    assert named.startswith("มอบหมาย สุดา รองผู้อำนวยการ เป็นผู้รับผิดชอบเรื่องร้องเรียนแล้ว")
    await deliver(bot)
    refused_notice = await told(bot, DIRECTOR, "เรื่อง  แจ้งการขอเปลี่ยนแปลงบทบาทในระบบที่ไม่ได้รับอนุญาต")
    assert "รายการ: มอบหมายคุณสุดา รองผู้อำนวยการ เป็นผู้รับผิดชอบเรื่องร้องเรียน" in refused_notice
    made = await told(bot, DEPUTY, "เรื่อง  แจ้งการเปลี่ยนแปลงบทบาทในระบบ")
    assert "ผู้ดำเนินการ: คุณวิชัย รักดี" in made


# -- the acting officer ----------------------------------------------------------------------


async def test_the_coordinator_cannot_name_themselves_acting_and_only_proposes_another(
    office: Harness,
) -> None:
    bot, coordinator, deputy = office, sid(office.db, COORDINATOR), sid(office.db, DEPUTY)
    (own,) = await bot.say(COORDINATOR, f"/acting {coordinator} 6/1/2568 10/1/2568")
    assert own.startswith("ขออภัย ท่านไม่อาจแต่งตั้งตนเองได้")
    assert leaves(bot.db) == [] and proposals(bot.db) == []
    (event,) = actions(bot.db, "power.refused")
    assert event.actor_staff_id == coordinator and event.details["reason"] == "self"
    (proposed,) = await bot.say(COORDINATOR, f"/acting {deputy} 6/1/2568 10/1/2568")
    assert proposed.startswith("เสนอแล้ว")
    assert leaves(bot.db) == []  # nothing until the director confirms
    await deliver(bot)
    refused = await told(bot, DIRECTOR, "เรื่อง  แจ้งการขอเปลี่ยนแปลงบทบาทในระบบที่ไม่ได้รับอนุญาต")
    assert "รายการ: ให้คุณวิภา ประสานงาน เป็นผู้รักษาราชการแทน" in refused
    assert "ผู้ขอไม่อาจแต่งตั้งตนเองได้" in refused
    asked = await told(bot, DIRECTOR, "เรื่อง  ขอความเห็นชอบการเปลี่ยนแปลงบทบาทในระบบ")
    assert "ตั้งแต่วันที่ 6 มกราคม 2568 ถึงวันที่ 10 มกราคม 2568" in asked
    await told(bot, DEPUTY, "เรื่อง  ขอความเห็นชอบการเปลี่ยนแปลงบทบาทในระบบ")  # the person too
    deputy_copy = next(
        m for m in bot.fake.messages_to(DEPUTY) if m.text and "ขอความเห็นชอบ" in m.text
    )
    assert deputy_copy.callback_data == []  # only a director gets the buttons
    (found,) = proposals(bot.db)
    message = next(m for m in bot.fake.messages_to(DIRECTOR) if m.text == asked)
    (confirmed,) = await bot.press(DIRECTOR, message, f"pw:y:{found.id}")
    assert confirmed.startswith("ยืนยันแล้ว")
    (leave,) = leaves(bot.db)
    assert (leave.staff_id, leave.acting_staff_id) == (sid(bot.db, DIRECTOR), deputy)
    assert leave.acting_chosen_by_director is False  # confirmed, not chosen by the director


async def test_an_acting_range_beyond_the_limit_is_refused(office: Harness) -> None:
    bot, deputy = office, sid(office.db, DEPUTY)
    for span in ("1/12/2569 31/12/2569", "6/1/2568 31/12/2599", "8/3/2568 9/3/2568"):
        (usage,) = await bot.say(DIRECTOR, f"/acting {deputy} {span}")
        assert usage.startswith("กรุณาพิมพ์ /acting") and "ไม่เกิน 60 วัน" in usage, span
    (also,) = await bot.say(COORDINATOR, f"/acting {deputy} 6/1/2568 31/12/2599")
    assert also.startswith("กรุณาพิมพ์ /acting")
    assert leaves(bot.db) == [] and proposals(bot.db) == []
    (fits,) = await bot.say(DIRECTOR, f"/acting {deputy} 6/3/2568 4/5/2568")  # 60 days, ahead 59
    assert "ผู้รักษาราชการแทน คือ คุณสุดา รองผู้อำนวยการ" in fits
    (leave,) = leaves(bot.db)
    assert leave.acting_chosen_by_director is True


async def test_complaint_notices_reach_the_director_unless_the_director_chose_the_acting_officer(
    office: Harness,
) -> None:
    bot, deputy = office, sid(office.db, DEPUTY)
    await bot.say(COORDINATOR, f"/acting {deputy} 6/1/2568 10/1/2568")
    (found,) = proposals(bot.db)
    await bot.press(DIRECTOR, 0, f"pw:y:{found.id}")  # type: ignore[arg-type]
    await file_complaint(bot)
    planner = Planner(bot.settings, OfficeCalendar.from_office(bot.settings.office))
    planner.tick(bot.db, bot.clock())
    to_director = outbox_to(bot.db, DIRECTOR, "complaint_step")
    to_deputy = outbox_to(bot.db, DEPUTY, "complaint_step")
    assert [m.params["step"] for m in to_director] == ["new"]  # the director still hears
    assert [m.params["step"] for m in to_deputy] == ["new"]
    assert set(to_director[0].params) == {  # numbers and dates only, never content
        "complaint_id",
        "status",
        "filed_at",
        "acknowledge_by",
        "result_by",
        "step",
        "handlers",
    }
    # the director's own choice: the acting officer alone hears while the director is away
    with bot.db.transaction() as session:
        for leave in session.exec(select(Leave)).all():
            leave.cancelled_at = bot.clock()
            session.add(leave)
    await bot.say(DIRECTOR, f"/acting {deputy} 6/1/2568 10/1/2568")
    await file_complaint(bot, 5550123988)
    planner.tick(bot.db, bot.clock())
    assert len(outbox_to(bot.db, DIRECTOR, "complaint_step")) == 1
    assert len(outbox_to(bot.db, DEPUTY, "complaint_step")) == 2


# -- the invite on the server ----------------------------------------------------------------


def test_invite_for_a_director_is_refused_while_a_director_is_active(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    config = tmp_path / "config.toml"
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    config.write_text(
        text.replace('url = "sqlite:///staff-report-bot.sqlite3"', f'url = "{url}"', 1),
        encoding="utf-8",
    )
    arguments = ["invite", "--config", str(config), "--role", "director"]
    assert main(arguments) == 0  # the very first director: by invite on the server
    capsys.readouterr()
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    enrol(database, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR)
    before = row_counts(database)
    assert main(arguments) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "handed over in chat" in error and "current director confirms" in error
    after = row_counts(database)
    assert after["invite"] == before["invite"]
    assert after["audit_event"] == before["audit_event"] + 1  # the attempt, audited
    database.dispose()


# -- escalations -----------------------------------------------------------------------------


@pytest.fixture
async def escalated(
    db: Database, settings: Settings
) -> AsyncIterator[tuple[Harness, dict[int, int]]]:
    """Q1's progress report owed by the admin group (its head late too) and a member of
    development, escalated on 17 January; the escalations delivered."""
    plan = only(settings, "quarterly-progress", each_member_of=["admin", "development"])
    for user_id, name, group, role in (
        (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
        (COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR),
        (HEAD, "ประเสริฐ หัวหน้า", "admin", Role.GROUP_HEAD),
        (SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF),
        (MEMBER, "กานดา พัฒนา", "development", Role.STAFF),
    ):
        enrol(db, user_id, name, group, role, now=bkk(1, 2))
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(db, bkk(1, 2))
    for moment in (bkk(1, 3, 9), bkk(1, 13, 9), bkk(1, 15, 9), bkk(1, 17, 9)):
        planner.tick(db, moment)
    async with running_bot(db, plan, Clock(bkk(1, 17, 10))) as harness:
        await deliver(harness)
        yield harness, assignments_by_owner(db)


def assignments_by_owner(db: Database) -> dict[int, int]:
    """Each owner's Q1 assignment (the one escalated)."""
    return {user: q1_assignment(db, user).id or 0 for user in (HEAD, SOMCHAI, MEMBER)}


def escalation_buttons(bot: Harness, user_id: int) -> list[str]:
    (message,) = [
        m for m in bot.fake.messages_to(user_id) if m.text and "ยังไม่ได้รับรายงานจาก" in m.text
    ]
    return message.callback_data


async def test_a_late_group_head_gets_no_buttons_for_their_own_line(
    escalated: tuple[Harness, dict[int, int]],
) -> None:
    bot, owed = escalated
    await bot.fake.wait_until(lambda: len(bot.fake.messages_to(HEAD)) >= 1)
    head = escalation_buttons(bot, HEAD)
    assert f"esc:r:{owed[SOMCHAI]}" in head and f"esc:x:{owed[SOMCHAI]}" in head
    assert not [data for data in head if data.endswith(f":{owed[HEAD]}")]  # their own line
    assert not [data for data in head if data.endswith(f":{owed[MEMBER]}")]  # another group
    assert not [data for data in head if data.startswith("esc:o:")]
    assert escalation_buttons(bot, COORDINATOR) == []  # told, not asked to answer
    director = escalation_buttons(bot, DIRECTOR)
    assert {f"esc:{a}:{owed[who]}" for a in "rxo" for who in owed} == set(director)


async def test_forged_escalation_presses_by_a_group_head_are_refused_and_audited(
    escalated: tuple[Harness, dict[int, int]],
) -> None:
    bot, owed = escalated
    before = row_counts(bot.db)
    cases = (
        (HEAD, f"esc:x:{owed[MEMBER]}", "ขออภัย ผู้อำนวยการกลุ่มพิจารณาได้เฉพาะรายงานของกลุ่มงานของตน"),
        (HEAD, f"esc:x:{owed[HEAD]}", "ขออภัย รายงานนี้เป็นรายงานที่ท่านต้องส่งเอง"),
        (HEAD, f"esc:r:{owed[HEAD]}", "ขออภัย รายงานนี้เป็นรายงานที่ท่านต้องส่งเอง"),
        (HEAD, f"esc:o:{owed[SOMCHAI]}", "ขออภัย เฉพาะศึกษาธิการจังหวัดหรือผู้รักษาราชการแทน"),
        (COORDINATOR, f"esc:x:{owed[SOMCHAI]}", "ขออภัย คำสั่งนี้ใช้ได้เฉพาะ"),
    )
    for user_id, data, refusal in cases:
        (answer,) = await bot.press(user_id, 0, data)  # type: ignore[arg-type]
        assert answer.startswith(refusal), data
    refused = actions(bot.db, "assignment.escalation_answer_refused")
    assert [(e.subject_id, e.details["action"], e.details["reason"]) for e in refused] == [
        (owed[MEMBER], "x", "other_group"),
        (owed[HEAD], "x", "own"),
        (owed[HEAD], "r", "own"),
        (owed[SOMCHAI], "o", "director_only"),
        (owed[SOMCHAI], "x", "not_allowed"),
    ]
    after = row_counts(bot.db)
    assert after["audit_event"] == before["audit_event"] + len(cases)
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in before.items() if k != "audit_event"
    }
    assert not actions(bot.db, "assignment.excused")
    # their own group's other member: allowed, and the reason is checked again when typed
    (ask,) = await bot.press(HEAD, 0, f"esc:x:{owed[SOMCHAI]}")  # type: ignore[arg-type]
    assert ask.startswith("กรุณาพิมพ์เหตุผล")
    (excused,) = await bot.say(HEAD, "ลาป่วย")
    assert excused.endswith("ลาป่วย")
    (event,) = actions(bot.db, "assignment.excused")
    assert event.subject_id == owed[SOMCHAI]


async def test_a_director_code_made_before_the_first_director_came_no_longer_works(
    office: Harness,
) -> None:
    bot = office
    code = invite_code(bot.db, None, Role.DIRECTOR, uses=3, now=bkk(1, 2))  # made in advance
    before = row_counts(bot.db)
    (refused,) = await bot.say(880_111, f"/start {code}", first_name="ผู้แอบอ้าง")
    assert refused.startswith("รหัสลงทะเบียนนี้ถูกใช้")
    after = row_counts(bot.db)
    assert after["staff"] == before["staff"] and after["staff_role"] == before["staff_role"]
    (event,) = actions(bot.db, "power.refused")
    assert event.details == {"attempted": "director_invite", "reason": "director_exists"}
