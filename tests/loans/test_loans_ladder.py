"""The property-loan ladder (measure 1.4), pure: given the due-back date and ``now``, which
steps have come and to whom — and the tick that writes them, once, on a real database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from jobs.calendar import OfficeCalendar
from jobs.loans.ladder import (
    OVERDUE,
    days_overdue,
    default_due_on,
    due_instant,
    first_step,
    instants,
    loan_state,
    plan_loan,
)
from jobs.settings import LOAN_LADDER, Settings
from jobs.tick import Planner
from storage import loans, outbox
from storage.db import Database
from storage.models import OutboxMessage, OutboxState, ReturnCondition, Role
from tests.duties.test_tick import bkk, join, only
from tests.support import with_changes

BORROWER, OFFICER, DIRECTOR, DEPUTY = 61, 62, 63, 64


@pytest.fixture
def calendar(settings: Settings) -> OfficeCalendar:
    return OfficeCalendar.from_office(settings.office)


def test_the_default_due_back_date_is_the_regulations_period_on_a_working_day(
    calendar: OfficeCalendar,
) -> None:
    assert default_due_on(date(2025, 1, 6), 7, calendar) == date(2025, 1, 13)
    # Saturday 11 January → Monday 13 January
    assert default_due_on(date(2025, 1, 6), 5, calendar) == date(2025, 1, 13)
    # 7 April (Chakri Day, a Monday) → Tuesday 8 April
    assert default_due_on(date(2025, 3, 31), 7, calendar) == date(2025, 4, 8)
    assert due_instant(date(2025, 1, 13), calendar) == bkk(1, 13, 16, 30)


def test_the_default_ladder_reminds_then_climbs_to_the_officer_and_the_director(
    calendar: OfficeCalendar,
) -> None:
    due = due_instant(date(2025, 1, 13), calendar)
    assert instants(LOAN_LADDER, due, calendar) == [
        bkk(1, 8, 8, 30),  # -3wd
        bkk(1, 10, 8, 30),  # -1wd
        bkk(1, 13, 8, 30),  # the due day
        bkk(1, 14, 8, 30),  # +1wd, the borrower
        bkk(1, 16, 8, 30),  # +3wd, the procurement officer
        bkk(1, 20, 8, 30),  # +5wd, the director
    ]
    assert [step.to for step in LOAN_LADDER] == [
        "borrower",
        "borrower",
        "borrower",
        "borrower",
        "procurement",
        "director",
    ]


def test_each_step_comes_once_and_the_next_one_is_known(calendar: OfficeCalendar) -> None:
    due = due_instant(date(2025, 1, 13), calendar)
    plan = plan_loan(0, LOAN_LADDER, due, calendar, bkk(1, 7, 12))
    assert plan.messages == () and plan.next_step == 0 and plan.next_action_at == bkk(1, 8, 8, 30)
    plan = plan_loan(0, LOAN_LADDER, due, calendar, bkk(1, 8, 8, 30))
    assert [(m.step, m.kind, m.to, m.collapsed) for m in plan.messages] == [
        (0, "reminder", "borrower", 1)
    ]
    assert (plan.next_step, plan.next_action_at) == (1, bkk(1, 10, 8, 30))
    plan = plan_loan(4, LOAN_LADDER, due, calendar, bkk(1, 16, 9))
    assert [(m.kind, m.to) for m in plan.messages] == [("escalation", "procurement")]
    plan = plan_loan(6, LOAN_LADDER, due, calendar, bkk(2, 1))
    assert plan.messages == () and plan.next_action_at is None


def test_after_downtime_each_recipient_gets_one_message_for_the_steps_missed(
    calendar: OfficeCalendar,
) -> None:
    due = due_instant(date(2025, 1, 13), calendar)
    plan = plan_loan(0, LOAN_LADDER, due, calendar, bkk(1, 17, 10))
    assert [(m.step, m.to, m.collapsed) for m in plan.messages] == [
        (3, "borrower", 4),
        (4, "procurement", 1),
    ]
    assert plan.next_step == 5


def test_a_new_loan_skips_reminders_already_past_when_it_is_recorded(
    calendar: OfficeCalendar,
) -> None:
    due = due_instant(date(2025, 1, 9), calendar)  # a three-day loan from Monday
    assert first_step(LOAN_LADDER, due, calendar, bkk(1, 6, 10)) == (1, bkk(1, 8, 8, 30))
    due = due_instant(date(2025, 1, 6), calendar)  # due back this very afternoon
    assert first_step(LOAN_LADDER, due, calendar, bkk(1, 6, 10)) == (3, bkk(1, 7, 8, 30))


def test_the_state_a_list_shows(calendar: OfficeCalendar) -> None:
    due = due_instant(date(2025, 1, 13), calendar)
    assert loan_state("awaiting_receipt", due, bkk(1, 13, 16)) == "awaiting_receipt"
    assert loan_state("out", due, bkk(1, 13, 16)) == "out"
    assert loan_state("out", due, bkk(1, 13, 16, 31)) == OVERDUE
    assert loan_state("awaiting_receipt", due, bkk(1, 14)) == OVERDUE
    assert loan_state("returned", due, bkk(2, 1)) == "returned"
    assert days_overdue(due, bkk(1, 13, 17), calendar) == 0
    assert days_overdue(due, bkk(1, 16, 9), calendar) == 3


# -- the tick, on a real database ---------------------------------------------------------


def record_loan(db: Database, calendar: OfficeCalendar, *, borrower: int, officer: int) -> int:
    due = due_instant(date(2025, 1, 13), calendar)
    step, at = first_step(LOAN_LADDER, due, calendar, bkk(1, 6, 10))
    with db.transaction() as session:
        loan = loans.create(
            session,
            loans.NewLoan(
                borrower_staff_id=borrower,
                recorded_by_staff_id=officer,
                purpose="อบรมผู้บริหารสถานศึกษา",
                lent_on=date(2025, 1, 6),
                due_on=date(2025, 1, 13),
                due_at=due,
                condition_out="สภาพดี ใช้งานได้ครบถ้วน",
                items=[("7440-001-0001/2567", "เครื่องคอมพิวเตอร์โน้ตบุ๊ก"), ("P-2", "เครื่องฉาย")],
                next_step=step,
                next_action_at=at,
            ),
            now=bkk(1, 6, 10),
        )
    assert loan.id is not None
    return loan.id


def loan_rows(db: Database) -> list[OutboxMessage]:
    with db.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.template == "loan")
        return list(session.exec(query.order_by(col(OutboxMessage.id))).all())


@pytest.fixture
def loan_office(db: Database, settings: Settings) -> tuple[Database, Planner, dict[int, int]]:
    ids = {
        user: join(db, user, name, group, role).id
        for user, name, group, role in (
            (BORROWER, "สมชาย ใจดี", "development", Role.STAFF),
            (OFFICER, "สมศรี พัสดุ", "admin", Role.PROCUREMENT),
            (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
            (DEPUTY, "สุดา รองผู้อำนวยการ", "policy", Role.STAFF),
        )
    }
    plan = only(settings)  # no report obligations: only the loans speak
    return db, Planner(plan, OfficeCalendar.from_office(plan.office)), ids


def test_the_tick_writes_each_step_once_to_the_right_person(
    loan_office: tuple[Database, Planner, dict[int, int]], calendar: OfficeCalendar
) -> None:
    db, planner, ids = loan_office
    loan_id = record_loan(db, calendar, borrower=ids[BORROWER], officer=ids[OFFICER])
    with db.transaction() as session:
        assert loans.earliest_action(session) == bkk(1, 8, 8, 30)
    assert planner.next_wake(db, bkk(1, 6, 10)) == bkk(1, 8, 8, 30)
    for moment in (bkk(1, 8, 8, 30), bkk(1, 8, 8, 30), bkk(1, 16, 9), bkk(1, 20, 9)):
        planner.tick(db, moment)
    rows = loan_rows(db)
    keys = [row.idempotency_key for row in rows]
    assert keys == [
        f"loan:{loan_id}:step-0:to-{ids[BORROWER]}",
        f"loan:{loan_id}:step-3:to-{ids[BORROWER]}",
        f"loan:{loan_id}:step-4:to-{ids[OFFICER]}",
        f"loan:{loan_id}:step-5:to-{ids[DIRECTOR]}",
    ]
    assert rows[1].params["collapsed"] == 3 and rows[1].params["kind"] == "followup"
    assert rows[2].params["days_overdue"] == 3
    assert rows[3].params["for_director"] is True
    assert [item["asset"] for item in rows[3].params["items"]] == ["7440-001-0001/2567", "P-2"]
    with db.transaction() as session:
        assert loans.earliest_action(session) is None  # the ladder has run its course


def test_the_acting_officer_hears_while_the_director_is_away_and_the_borrower_when_back(
    loan_office: tuple[Database, Planner, dict[int, int]], calendar: OfficeCalendar
) -> None:
    from storage import office

    db, planner, ids = loan_office
    loan_id = record_loan(db, calendar, borrower=ids[BORROWER], officer=ids[OFFICER])
    with db.transaction() as session:
        office.add_leave(
            session,
            ids[DIRECTOR],
            date(2025, 1, 20),
            date(2025, 1, 24),
            by_staff_id=ids[DIRECTOR],
            now=bkk(1, 6),
            acting_staff_id=ids[DEPUTY],
        )
        office.add_leave(
            session,
            ids[BORROWER],
            date(2025, 1, 14),
            date(2025, 1, 15),
            by_staff_id=1,
            now=bkk(1, 6),
        )
    planner.tick(db, bkk(1, 13, 9))  # the due day: to the borrower (not on leave yet)
    planner.tick(db, bkk(1, 14, 9))  # +1wd: the borrower is away until the 15th
    planner.tick(db, bkk(1, 20, 9))  # +3wd and +5wd
    by_key = {row.idempotency_key: row for row in loan_rows(db)}
    followup = by_key[f"loan:{loan_id}:step-3:to-{ids[BORROWER]}"]
    assert followup.not_before == bkk(1, 16, 8, 30)  # the first working day back
    assert f"loan:{loan_id}:step-5:to-{ids[DEPUTY]}" in by_key
    assert f"loan:{loan_id}:step-5:to-{ids[DIRECTOR]}" not in by_key
    assert by_key[f"loan:{loan_id}:step-5:to-{ids[DEPUTY]}"].params["for_director"] is True


def test_a_complete_return_stops_the_ladder_and_cancels_what_was_not_sent(
    loan_office: tuple[Database, Planner, dict[int, int]], calendar: OfficeCalendar
) -> None:
    db, planner, ids = loan_office
    loan_id = record_loan(db, calendar, borrower=ids[BORROWER], officer=ids[OFFICER])
    planner.tick(db, bkk(1, 8, 8, 30))
    with db.transaction() as session:  # the first reminder went out
        outbox.mark_sent(session, loan_rows(db)[0].id or 0, telegram_message_id=1, now=bkk(1, 8, 9))
        found = loans.view(session, loan_id)
        assert found is not None
        first, second = (item.id or 0 for item in found.items)
        partial = loans.record_return(
            session,
            loan_id,
            {first: ReturnCondition.GOOD},
            "",
            by_staff_id=ids[OFFICER],
            now=bkk(1, 9),
        )
    assert partial is not None and not partial.closed and len(partial.outstanding) == 1
    planner.tick(db, bkk(1, 10, 8, 30))
    assert [item["asset"] for item in loan_rows(db)[-1].params["items"]] == ["P-2"]
    with db.transaction() as session:
        done = loans.record_return(
            session,
            loan_id,
            {first: ReturnCondition.DAMAGED, second: ReturnCondition.MISSING_PART},
            "สายไฟหาย",
            by_staff_id=ids[OFFICER],
            now=bkk(1, 10, 9),
        )
        again = loans.record_return(
            session, loan_id, {second: ReturnCondition.GOOD}, "", by_staff_id=1, now=bkk(1, 10, 9)
        )
    assert done is not None and done.closed and [i.asset_number for i in done.returned] == ["P-2"]
    assert [i.return_condition for i in done.not_good] == ["missing_part"]
    assert again is None  # the loan is closed: nothing more to record
    assert [row.state for row in loan_rows(db)] == [
        OutboxState.SENT.value,
        OutboxState.CANCELLED.value,  # the reminder of the 10th, not sent before the return
    ]
    planner.tick(db, bkk(1, 31))
    assert len(loan_rows(db)) == 2
    with db.transaction() as session:
        assert loans.earliest_action(session) is None


def test_the_ladder_comes_from_the_config(settings: Settings, calendar: OfficeCalendar) -> None:
    short = with_changes(
        settings,
        loans={
            "ladder": [
                LOAN_LADDER[0].model_copy(update={"offset": "-1d", "to": "borrower"}),
                LOAN_LADDER[-1].model_copy(update={"offset": "+1wd", "to": "director"}),
            ]
        },
    )
    due = due_instant(date(2025, 1, 13), calendar)
    # -1d is Sunday: the reminder comes on Friday at opening, never later than meant
    assert instants(short.loans.ladder, due, calendar) == [bkk(1, 10, 8, 30), bkk(1, 14, 8, 30)]
