"""The tick with an injected ``now`` on a real database: what is written to the outbox, once."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.features import render
from jobs.calendar import OfficeCalendar
from jobs.settings import Settings
from jobs.tick import Planner
from storage import people, schedule
from storage.db import Database
from storage.models import Assignment, AssignmentStatus, OutboxMessage, Period, Role
from tests.support import enrol

BANGKOK = ZoneInfo("Asia/Bangkok")
SOMCHAI, MALEE, HEAD, COORDINATOR, DIRECTOR = 11, 12, 13, 21, 31


def bkk(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


START = bkk(1, 2)


def join(
    db: Database, user_id: int, name: str, group: str | None, role: Role, now: datetime = START
) -> people.Person:
    return enrol(db, user_id, name, group, role, now)


@pytest.fixture
def office(db: Database) -> Database:
    return build_office(db)


def build_office(db: Database) -> Database:
    """Three members of the Administration group (one its head), a coordinator, a director."""
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    join(db, HEAD, "ประเสริฐ หัวหน้า", "admin", Role.GROUP_HEAD)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR)
    return db


def only(settings: Settings, *keys: str, **owners: list[str]) -> Settings:
    """The example's plan, cut to some obligations (and their owners changed)."""
    chosen = [o for o in settings.obligations if o.key in keys]
    if owners:
        chosen = [
            o.model_copy(
                update={"owners": o.owners.model_copy(update={"per_project": False, **owners})}
            )
            for o in chosen
        ]
    copy = settings.model_copy(update={"obligations": chosen})
    copy._source = settings.source
    return copy


@pytest.fixture
def planner(settings: Settings) -> Planner:
    quarterly = only(settings, "quarterly-progress", each_member_of=["admin"])
    return Planner(quarterly, OfficeCalendar.from_office(quarterly.office))


def outbox_rows(db: Database) -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def count(db: Database, table: type) -> int:
    with db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def q1_assignment(db: Database, user_id: int) -> Assignment:
    with db.transaction() as session:
        person = people.by_telegram_user(session, user_id)
        assert person is not None
        return session.exec(
            select(Assignment)
            .join(Period, col(Period.id) == col(Assignment.period_id))
            .where(Assignment.staff_id == person.id, Period.key == "2568-Q1")
        ).one()


def test_materialising_twice_creates_nothing_new(office: Database, planner: Planner) -> None:
    created = planner.materialise(office, bkk(1, 2))
    periods, assignments = count(office, Period), count(office, Assignment)
    assert periods == 9  # FY 2568 and 2569: 8 quarters, plus Q4 2567 due 10 Oct 2024
    assert created == assignments == 3 * 8  # all but Q4 2567 (past), for three members
    assert planner.materialise(office, bkk(1, 2)) == 0
    assert (count(office, Period), count(office, Assignment)) == (periods, assignments)


def test_each_reminder_is_written_once_at_its_instant(office: Database, planner: Planner) -> None:
    planner.materialise(office, bkk(1, 2))
    planner.tick(office, bkk(1, 2))
    assert outbox_rows(office) == []  # nothing is due before 3 January 08.30
    planner.tick(office, bkk(1, 3, 8, 30))
    first = outbox_rows(office)
    assert len(first) == 3
    assert {m.params["kind"] for m in first} == {"reminder"}
    assert {m.chat_id for m in first} == {SOMCHAI, MALEE, HEAD}
    assert all(m.params["period_key"] == "2568-Q1" and m.params["quarter"] == 1 for m in first)
    planner.tick(office, bkk(1, 3, 8, 31))
    assert len(outbox_rows(office)) == 3


def test_a_confirmation_stops_one_ladder_and_the_rest_reach_the_director(
    office: Database, planner: Planner
) -> None:
    planner.materialise(office, bkk(1, 2))
    for moment in (bkk(1, 3, 8, 30), bkk(1, 9, 8, 30)):
        planner.tick(office, moment)
    with office.transaction() as session:
        somchai = people.by_telegram_user(session, SOMCHAI)
        assert somchai is not None
        outcome, _ = schedule.confirm(
            session,
            q1_assignment(office, SOMCHAI).id or 0,
            person=somchai,
            now=bkk(1, 9, 10),
            via="button",
        )
    assert outcome is schedule.ConfirmOutcome.ON_TIME
    # follow-ups on the 13th and 14th, the escalation on the 14th at 13.00 (the 15th is สป.'s)
    for moment in (bkk(1, 10, 8, 30), bkk(1, 13, 8, 30), bkk(1, 14, 8, 30), bkk(1, 14, 13, 0)):
        planner.tick(office, moment)
    rows = outbox_rows(office)
    to_somchai = [m.params["kind"] for m in rows if m.chat_id == SOMCHAI]
    assert to_somchai == ["reminder", "reminder"]  # nothing after he confirmed
    to_malee = [(m.params["kind"], m.params["followup_number"]) for m in rows if m.chat_id == MALEE]
    assert to_malee == [
        ("reminder", 0),
        ("reminder", 0),
        ("last_call", 0),
        ("followup", 1),
        ("followup", 2),
    ]
    escalations = [m for m in rows if m.template == "escalation"]
    assert sorted(m.chat_id for m in escalations) == [HEAD, COORDINATOR, DIRECTOR]
    (to_director,) = [m for m in escalations if m.chat_id == DIRECTOR]
    assert to_director.params["for_director"] is True
    missing = to_director.params["missing"]
    assert [(m["name_th"], m["followups"], m["working_days_late"]) for m in missing] == [
        ("มาลี ศรีสุข", 2, 2),
        ("ประเสริฐ หัวหน้า", 2, 2),
    ]
    assert q1_assignment(office, MALEE).status == AssignmentStatus.ESCALATED.value
    assert q1_assignment(office, SOMCHAI).status == AssignmentStatus.ON_TIME.value


def test_a_restart_mid_ladder_catches_up_in_one_message_without_duplicates(
    office: Database, planner: Planner
) -> None:
    planner.materialise(office, bkk(1, 2))
    planner.tick(office, bkk(1, 3, 8, 30))  # the first reminder went out, then the bot was down
    planner.tick(office, bkk(1, 13, 10, 0))
    planner.tick(office, bkk(1, 13, 10, 0))  # a second wake-up at the same instant
    rows = [m for m in outbox_rows(office) if m.chat_id == MALEE]
    assert [(m.params["kind"], m.params["collapsed"]) for m in rows] == [
        ("reminder", 1),
        ("followup", 3),  # -1wd reminder, last call, follow-up 1: one message
    ]
    assert q1_assignment(office, MALEE).followups_unanswered == 1
    planner.tick(office, bkk(1, 20, 9, 0))  # down again over follow-up 2 and the escalation
    kinds = [m.params.get("kind") or m.template for m in outbox_rows(office) if m.chat_id == MALEE]
    assert kinds == ["reminder", "followup", "followup"]
    assert len([m for m in outbox_rows(office) if m.template == "escalation"]) == 3


def test_two_ticks_racing_write_each_message_once(office: Database, planner: Planner) -> None:
    planner.materialise(office, bkk(1, 2))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            planner.tick(office, bkk(1, 13, 9, 0))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = [m for m in outbox_rows(office) if m.template == "duty"]
    assert len(rows) == 3 and len({m.idempotency_key for m in rows}) == 3
    (digest,) = [m for m in outbox_rows(office) if m.template == "digest"]  # the 14th's meeting
    assert digest.chat_id == DIRECTOR


def test_a_newcomer_gets_the_duties_still_open_but_not_past_ones(
    office: Database, planner: Planner
) -> None:
    planner.materialise(office, bkk(1, 2))
    join(office, 14, "ใหม่ มาทีหลัง", "admin", Role.STAFF, now=bkk(1, 12))
    planner.materialise(office, bkk(1, 12))  # after Q1's due date
    with office.transaction() as session:
        newcomer = people.by_telegram_user(session, 14)
        assert newcomer is not None
        keys = session.exec(
            select(Period.key)
            .join(Assignment, col(Assignment.period_id) == col(Period.id))
            .where(Assignment.staff_id == newcomer.id)
            .order_by(col(Period.due_at))
        ).all()
    assert keys[0] == "2568-Q2" and "2568-Q1" not in keys


def test_a_group_duty_reminds_every_member_and_any_member_confirms(
    db: Database, settings: Settings
) -> None:
    join(db, SOMCHAI, "สมชาย ใจดี", "development", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "development", Role.STAFF)
    outsider = join(db, HEAD, "คนนอก", "admin", Role.STAFF)
    planner = Planner(
        only(settings, "eservice-update"), OfficeCalendar.from_office(settings.office)
    )
    planner.materialise(db, bkk(1, 2))
    planner.tick(db, bkk(1, 9, 9, 0))  # the meeting is Tue 14 Jan; due the 13th; -3wd = the 8th
    rows = [m for m in outbox_rows(db) if m.template == "duty"]  # beside: the report pre-filled
    assert sorted(m.chat_id for m in rows) == [SOMCHAI, MALEE]
    assignment_id = rows[0].assignment_id or 0
    assert {m.assignment_id for m in rows} == {assignment_id}
    assert rows[0].params["group_duty"] is True
    with db.transaction() as session:
        denied, _ = schedule.confirm(
            session, assignment_id, person=outsider, now=bkk(1, 9, 10), via="button"
        )
        malee = people.by_telegram_user(session, MALEE)
        assert malee is not None
        done, _ = schedule.confirm(
            session, assignment_id, person=malee, now=bkk(1, 9, 10), via="button"
        )
    assert (denied, done) == (schedule.ConfirmOutcome.NOT_ALLOWED, schedule.ConfirmOutcome.ON_TIME)


def test_the_coordinator_is_reminded_of_the_onward_deadline_with_the_counts(
    office: Database, planner: Planner
) -> None:
    planner.materialise(office, bkk(1, 2))
    with office.transaction() as session:
        somchai = people.by_telegram_user(session, SOMCHAI)
        assert somchai is not None
        schedule.confirm(
            session,
            q1_assignment(office, SOMCHAI).id or 0,
            person=somchai,
            now=bkk(1, 9),
            via="button",
        )
    planner.tick(office, bkk(1, 14, 13, 0))  # the escalation, one working day before the 15th
    assert [m for m in outbox_rows(office) if m.template == "onward"] == []
    planner.tick(office, bkk(1, 15, 8, 30))  # the day the office sends to สป.
    (onward,) = [m for m in outbox_rows(office) if m.template == "onward"]
    assert onward.chat_id == COORDINATOR
    assert onward.params["to_th"] == "สำนักงานปลัดกระทรวงศึกษาธิการ (สป.)"
    assert onward.params["counts"]["submitted_on_time"] == 1
    assert onward.params["counts"]["escalated"] == 2
    assert [m["name_th"] for m in onward.params["escalated"]] == ["มาลี ศรีสุข", "ประเสริฐ หัวหน้า"]
    assert onward.params["orders"] == []
    planner.tick(office, bkk(1, 15, 9, 0))
    assert len([m for m in outbox_rows(office) if m.template == "onward"]) == 1


def test_a_due_date_on_a_saturday_is_called_on_the_friday_for_today(
    office: Database, planner: Planner
) -> None:
    """Q1 of 2569 is due Saturday 10 January 2026: the due-day call goes on Friday the 9th and
    says that the due date is a Saturday and the report is asked for today."""
    planner.materialise(office, bkk(12, 20))
    planner.tick(office, bkk(1, 5, 9, 0, year=2026))  # the -7d reminder
    planner.tick(office, bkk(1, 9, 8, 30, year=2026))  # -1wd and the last call, both on Friday
    (call,) = [
        m
        for m in outbox_rows(office)
        if m.chat_id == MALEE and m.params["period_key"] == "2569-Q1" and m.params["collapsed"] == 2
    ]
    assert call.params["kind"] == "last_call"
    assert call.params["ahead_of_due_day"] is True and call.params["due_on_closed_day"] is True
    text = render("duty", call.params, "th", BANGKOK).text
    assert text.startswith("วันนี้เป็นวันทำการสุดท้ายก่อนครบกำหนดส่งรายงาน\n")
    assert "\nกำหนดส่งตรงกับวันเสาร์ที่ 10 ม.ค. 2569 โปรดจัดส่งภายในวันนี้\n" in text
    assert "ภายในวันที่ 10 มกราคม 2569" not in text
    english = render("duty", call.params, "en", BANGKOK).text
    assert "The due date falls on Saturday 10 Jan 2026: please send the report today" in english


def test_a_due_date_on_a_working_day_is_called_on_the_day(
    office: Database, planner: Planner
) -> None:
    planner.materialise(office, bkk(1, 2))
    for moment in (bkk(1, 3, 8, 30), bkk(1, 9, 8, 30), bkk(1, 10, 8, 30)):  # Friday the 10th
        planner.tick(office, moment)
    (call,) = [
        m for m in outbox_rows(office) if m.chat_id == MALEE and m.params["kind"] == "last_call"
    ]
    assert "ahead_of_due_day" not in call.params
    text = render("duty", call.params, "th", BANGKOK).text
    assert text.startswith("วันนี้เป็นวันครบกำหนดส่งรายงาน\n")
    assert "\nกำหนดส่ง: ภายในวันที่ 10 มกราคม 2568 เวลา 16.30 น.\n" in text
