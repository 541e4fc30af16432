"""A question the bot awaits outlives the process that asked it.

Two bot processes share one database (SQLite and PostgreSQL), each behind its own Telegram
endpoint, as two webhook processes behind a load balancer are: the question is asked in one and
answered in the other. A restart between question and answer loses nothing either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from jobs.calendar import OfficeCalendar
from jobs.settings import Settings
from jobs.tick import Planner
from storage import questions
from storage.db import Database
from storage.models import AssignmentStatus, Role
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
from tests.oversight.test_oversight_bot import staff_id


@pytest.fixture
def plan(settings: Settings) -> Settings:
    return only(settings, "quarterly-progress", each_member_of=["admin"])


@pytest.fixture
def office(db: Database, plan: Settings) -> Database:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR)
    Planner(plan, OfficeCalendar.from_office(plan.office)).materialise(db, bkk(1, 2))
    return db


@pytest.fixture
async def two_processes(office: Database, plan: Settings) -> AsyncIterator[tuple[Harness, Harness]]:
    clock = Clock(bkk(1, 2))
    async with (
        running_bot(office, plan, clock) as first,
        running_bot(office, plan, clock) as second,
    ):
        yield first, second


async def test_a_closed_day_previewed_in_one_process_is_confirmed_in_another(
    two_processes: tuple[Harness, Harness],
) -> None:
    first, second = two_processes
    (preview,) = await first.say(COORDINATOR, "/closeday 3/1/2568 วันหยุดพิเศษ")
    assert preview.startswith("สำนักงานปิดทำการวันศุกร์ที่ 3 มกราคม 2568")
    assert row_counts(first.db)["closed_day"] == 0
    (done,) = await second.press(COORDINATOR, first.last(COORDINATOR), "cf:yes")
    assert done == "ดำเนินการแล้ว การเปลี่ยนแปลงมีผลทันที"
    assert row_counts(first.db)["closed_day"] == 1
    (again,) = await first.press(COORDINATOR, first.last(COORDINATOR), "cf:yes")
    assert again == "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"  # taken once, whichever process took it


async def test_a_preview_left_too_long_is_not_applied(
    two_processes: tuple[Harness, Harness],
) -> None:
    first, second = two_processes
    await first.say(COORDINATOR, "/closeday 3/1/2568 วันหยุดพิเศษ")
    first.clock.advance(hours=1, seconds=1)
    (late,) = await second.press(COORDINATOR, first.last(COORDINATOR), "cf:yes")
    assert late == "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    assert row_counts(first.db)["closed_day"] == 0


async def _escalated(db: Database, plan: Settings, clock: Clock) -> int:
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    for moment in (bkk(1, 3, 9), bkk(1, 13, 9), bkk(1, 15, 9), bkk(1, 17, 9)):
        clock.now = moment
        planner.tick(db, moment)
    return q1_assignment(db, MALEE).id or 0


async def test_an_excuse_reason_typed_after_a_restart_is_applied(
    office: Database, plan: Settings
) -> None:
    clock = Clock(bkk(1, 2))
    malee = await _escalated(office, plan, clock)
    async with running_bot(office, plan, clock) as before:
        (ask,) = await before.press(DIRECTOR, 0, f"esc:x:{malee}")  # type: ignore[arg-type]
        assert ask.startswith("กรุณาพิมพ์เหตุผล")
    clock.advance(minutes=5)
    async with running_bot(office, plan, clock) as after:  # a new process: no memory of it
        (done,) = await after.say(DIRECTOR, "ลาป่วยตามใบรับรองแพทย์")
    assert done == "บันทึกการยกเว้นแล้ว เหตุผล: ลาป่วยตามใบรับรองแพทย์"
    assert q1_assignment(office, MALEE).status == AssignmentStatus.EXCUSED


async def test_cancel_drops_the_question_in_every_process(
    two_processes: tuple[Harness, Harness], plan: Settings
) -> None:
    first, second = two_processes
    malee = await _escalated(first.db, plan, first.clock)
    await first.press(DIRECTOR, 0, f"esc:x:{malee}")  # type: ignore[arg-type]
    (cancelled,) = await second.say(DIRECTOR, "/cancel")
    assert cancelled == "ยกเลิกแล้ว ไม่มีการเปลี่ยนแปลงข้อมูลใด"
    (stray,) = await first.say(DIRECTOR, "ลาป่วย")
    assert stray.startswith("ระบบไม่ทราบว่าข้อความนี้")
    assert q1_assignment(first.db, MALEE).status != AssignmentStatus.EXCUSED


def test_an_expired_question_is_as_if_never_asked(office: Database) -> None:
    coordinator = staff_id(office, COORDINATOR)
    asked = bkk(1, 2, 9)
    with office.transaction() as session:
        questions.ask(
            session,
            coordinator,
            questions.PAPER_DATE,
            {"assignment": 1},
            now=asked,
            ttl=timedelta(hours=12),
        )
    with office.transaction() as session:
        still = questions.latest(
            session, coordinator, questions.TYPED, now=asked + timedelta(hours=11)
        )
        assert still is not None and still.topic == questions.PAPER_DATE
        assert (
            questions.take(
                session, coordinator, questions.PAPER_DATE, now=asked + timedelta(hours=13)
            )
            is None
        )
    with office.transaction() as session:
        assert questions.purge_expired(session, asked + timedelta(days=1)) == 0  # met and deleted
        questions.ask(
            session,
            coordinator,
            questions.EXCUSE_REASON,
            {"assignment": 2},
            now=asked,
            ttl=timedelta(hours=1),
        )
    with office.transaction() as session:
        assert questions.purge_expired(session, asked + timedelta(hours=2)) == 1


def test_the_tick_forgets_questions_nobody_answered(office: Database, plan: Settings) -> None:
    coordinator = staff_id(office, COORDINATOR)
    asked = bkk(1, 2, 9)
    with office.transaction() as session:
        questions.ask(
            session,
            coordinator,
            questions.CALENDAR_CHANGE,
            {"kind": "closeday"},
            now=asked,
            ttl=timedelta(hours=1),
        )
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.tick(office, asked + timedelta(minutes=30))
    assert row_counts(office)["awaited_answer"] == 1
    planner.tick(office, asked + timedelta(hours=2))
    assert row_counts(office)["awaited_answer"] == 0
