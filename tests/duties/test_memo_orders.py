"""The memo's side of the tick (issue 15): the memo written at the escalation with what it
states frozen, its first reader as ``[memo] review`` says, and the director's order's short
ladder as pure functions of ``now``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jobs.calendar import OfficeCalendar
from jobs.duties.memos import (
    MISSED,
    REMINDER,
    followup_days,
    order_deadline,
    order_instants,
    order_progress,
)
from jobs.settings import Settings
from jobs.tick import Planner
from storage import audit, memos
from storage.db import Database
from storage.models import MemoState
from tests.duties.test_tick import (
    COORDINATOR,
    DIRECTOR,
    HEAD,
    MALEE,
    bkk,
    build_office,
    only,
    outbox_rows,
)
from tests.support import with_changes

# Q1 of fiscal year 2568: due Fri 10 Jan 2025, follow-ups 13 and 14 Jan, escalation 14 Jan
ESCALATED = (bkk(1, 3, 8, 30), bkk(1, 10, 8, 30), bkk(1, 13, 8, 30), bkk(1, 14, 8, 30))


@pytest.fixture
def calendar(settings: Settings) -> OfficeCalendar:
    return OfficeCalendar.from_office(settings.office)


def _escalate(db: Database, settings: Settings, **memo: object) -> Planner:
    plan = only(settings, "quarterly-progress", each_member_of=["admin"])
    if memo:
        plan = with_changes(plan, memo=dict(memo))
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    build_office(db)
    planner.materialise(db, bkk(1, 2))
    for moment in (*ESCALATED, bkk(1, 14, 13, 0), bkk(1, 14, 17, 0)):
        planner.tick(db, moment)
    return planner


def test_the_escalation_writes_a_numbered_memo_for_the_coordinator_to_review(
    db: Database, settings: Settings
) -> None:
    _escalate(db, settings)
    with db.transaction() as session:
        (view,) = memos.memos_of_year(session, 2568)
        events = [e for e in audit.events(session, subject_type="memo")]
    memo = view.memo
    assert (memo.number, memo.fiscal_year, memo.dated) == (1, 2568, date(2025, 1, 14))
    assert (memo.state, memo.review) == (MemoState.DRAFT.value, "coordinator")
    assert [(line.number, line.name, line.group_name) for line in view.lines] == [
        (1, "สมชาย ใจดี", "กลุ่มอำนวยการ"),
        (2, "มาลี ศรีสุข", "กลุ่มอำนวยการ"),
        (3, "ประเสริฐ หัวหน้า", "กลุ่มอำนวยการ"),
    ]
    days = [memos.followup_days(line) for line in view.lines]
    assert days == [[date(2025, 1, 13), date(2025, 1, 14)]] * 3
    facts = memo.facts or {}
    assert facts["number"] == 1 and facts["dated"] == "2025-01-14" and facts["due"] == "2025-01-10"
    assert facts["title"].startswith("รายงานผลการดำเนินงานโครงการ") and facts["measure"] == "1.1"
    assert facts["group"] == "กลุ่มนโยบายและแผน" and facts["signer_name"] == "วิภา ประสานงาน"
    assert facts["settings"]["review"] == "coordinator"
    assert facts["deadline"] == bkk(1, 15, 16, 30).isoformat()
    (copy,) = [m for m in outbox_rows(db) if m.template == "memo"]
    assert (copy.chat_id, copy.params["role"]) == (COORDINATOR, "review")
    assert copy.params["memo"] == facts
    assert [(e.action, e.actor, e.details["number"]) for e in events] == [
        ("memo.written", "system:tick", 1)
    ]


def test_with_review_director_the_memo_goes_to_the_director_at_once(
    db: Database, settings: Settings
) -> None:
    _escalate(db, settings, review="director")
    with db.transaction() as session:
        (view,) = memos.memos_of_year(session, 2568)
    assert (view.memo.state, view.memo.review) == (MemoState.PROPOSED.value, "director")
    copies = sorted((m.chat_id, m.params["role"]) for m in outbox_rows(db) if m.template == "memo")
    assert copies == sorted([(DIRECTOR, "decide"), (COORDINATOR, "copy")])
    assert HEAD not in [c for c, _ in copies] and MALEE not in [c for c, _ in copies]


def test_a_second_tick_writes_no_second_memo(db: Database, settings: Settings) -> None:
    planner = _escalate(db, settings)
    planner.tick(db, bkk(1, 15, 9))
    with db.transaction() as session:
        assert len(memos.memos_of_year(session, 2568)) == 1
    assert len([m for m in outbox_rows(db) if m.template == "memo"]) == 1


def test_follow_up_days_are_the_ladders_follow_ups_that_have_come(
    calendar: OfficeCalendar,
) -> None:
    kinds = ["reminder", "followup", "followup", "escalation"]
    instants = [bkk(1, 3, 8, 30), bkk(1, 13, 8, 30), bkk(1, 13, 14), bkk(1, 14, 13)]
    assert followup_days(kinds, instants, bkk(1, 14, 13), calendar) == [date(2025, 1, 13)]
    assert followup_days(kinds, instants, bkk(1, 13, 9), calendar) == [date(2025, 1, 13)]
    assert followup_days(kinds, instants, bkk(1, 10), calendar) == []


@pytest.mark.parametrize(
    ("ordered", "deadline"),
    [
        (bkk(1, 14, 13), bkk(1, 15, 16, 30)),  # Tuesday: Wednesday's closing
        (bkk(1, 10, 15), bkk(1, 13, 16, 30)),  # Friday: Monday's
        (bkk(4, 11, 10), bkk(4, 17, 16, 30)),  # before Songkran (12–16 April closed)
    ],
)
def test_an_order_gives_one_working_day(
    calendar: OfficeCalendar, ordered: object, deadline: object
) -> None:
    assert order_deadline(ordered, calendar) == deadline  # type: ignore[arg-type]


def test_the_orders_ladder_reminds_on_the_due_morning_then_tells_the_director(
    calendar: OfficeCalendar,
) -> None:
    ordered, due = bkk(1, 14, 15), bkk(1, 15, 16, 30)
    instants = order_instants(ordered, due, calendar)
    assert instants == [bkk(1, 15, 8, 30), bkk(1, 16, 8, 30)]
    first = order_progress(0, instants, ordered)
    assert (first.due, first.next_step, first.next_action_at) == ((), 0, bkk(1, 15, 8, 30))
    morning = order_progress(0, instants, bkk(1, 15, 8, 30))
    assert (morning.due, morning.next_step, morning.next_action_at) == (
        (REMINDER,),
        1,
        bkk(1, 16, 8, 30),
    )
    after = order_progress(1, instants, bkk(1, 16, 8, 30))
    assert (after.due, after.next_step, after.next_action_at) == ((MISSED,), 2, None)
    # down over both: only the director is told (a reminder after the deadline means nothing)
    late = order_progress(0, instants, bkk(1, 20))
    assert late.due == (MISSED,)


def test_an_order_given_on_the_due_morning_has_no_reminder(calendar: OfficeCalendar) -> None:
    """The order itself reached the person that day; the reminder would repeat it."""
    due = bkk(1, 15, 16, 30)
    instants = order_instants(bkk(1, 15, 9), due, calendar)
    assert instants == [None, bkk(1, 16, 8, 30)]
    step = order_progress(0, instants, bkk(1, 15, 9))
    assert (step.due, step.next_step, step.next_action_at) == ((), 1, bkk(1, 16, 8, 30))
    clock_due = bkk(1, 15, 9) + timedelta(seconds=20)  # a demo's deadline, in seconds
    assert order_instants(bkk(1, 15, 9), clock_due, calendar)[0] is None
