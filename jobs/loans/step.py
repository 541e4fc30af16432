"""The property loans' share of the tick: each loan whose ladder step has come gets its
outbox rows written and is advanced, in the tick's transaction.

The timing is decided by the pure ``jobs.loans.ladder.plan_loan``; here are the recipients. A
borrower on leave hears when back (the procurement officer and the director do not wait);
a director or officer on leave with an acting officer named is replaced by that officer, as
for reports (``acting``, the planner's own rule).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from jobs.calendar import OfficeCalendar
from jobs.ladder import StepMessage
from jobs.loans.ladder import days_overdue, plan_loan
from jobs.settings import Settings
from jobs.steps import Step, TickContext
from storage import loans, office, outbox, people
from storage.loans import LoanView
from storage.models import Loan, OutboxMessage, Role, Staff
from storage.outbox import NewMessage

Acting = Callable[[Session, list[Staff], datetime], list[Staff]]


def write_loan_steps(
    session: Session,
    settings: Settings,
    calendar: OfficeCalendar,
    acting: Acting,
    now: datetime,
    *,
    batch: int,
) -> int:
    """1. Load the open loans whose next step has come (an index scan).
    2. Decide their steps with the pure ladder; advance each loan (conditionally).
    3. Write one message per recipient, with a key that makes a second tick write nothing.
    """
    written = 0
    for loan in loans.due(session, now=now, limit=batch):
        written += _plan_one(session, settings, calendar, acting, loan, now)
    return written


def _plan_one(
    session: Session,
    settings: Settings,
    calendar: OfficeCalendar,
    acting: Acting,
    loan: Loan,
    now: datetime,
) -> int:
    assert loan.id is not None
    found = loans.view(session, loan.id)
    if found is None or not found.is_open:
        loans.stop(session, loan.id)
        return 0
    ladder = settings.loans.ladder
    plan = plan_loan(loan.next_step, ladder, loan.due_at, calendar, now)
    if not loans.advance(
        session, loan, next_step=plan.next_step, next_action_at=plan.next_action_at
    ):
        return 0  # another tick got there first
    written = 0
    for message in plan.messages:
        immediate = ladder[message.step].immediate
        written += _send(session, found, message, calendar, acting, now, immediate)
    return written


def _send(
    session: Session,
    found: LoanView,
    message: StepMessage,
    calendar: OfficeCalendar,
    acting: Acting,
    now: datetime,
    immediate: bool,
) -> int:
    opens = now if immediate else calendar.next_office_moment(now).astimezone(now.tzinfo)
    params = loan_params(found, calendar, now)
    params.update(kind=message.kind, to=message.to, collapsed=message.collapsed)
    recipients = _recipients(session, found, message.to, calendar, acting, now)
    written = 0
    for staff, not_before, for_director in recipients:
        row = NewMessage(
            f"{loans.ladder_key_prefix(found.id)}{message.step}:to-{staff.id}",
            staff.chat_id,
            "loan",
            {**params, "for_director": for_director},
            staff.id,
        )
        written += outbox.enqueue(
            session, [row], now=now, not_before=max(opens, not_before or opens)
        )
    if message.to != "borrower" and written:
        to = [staff.id or 0 for staff, _, _ in recipients]
        loans.record_escalation(session, found.id, step=message.step, to=to, now=now)
    return written


def _recipients(
    session: Session,
    found: LoanView,
    to: str,
    calendar: OfficeCalendar,
    acting: Acting,
    now: datetime,
) -> list[tuple[Staff, datetime | None, bool]]:
    """Who hears of a step, when at the earliest, and whether as the director."""
    if to == "borrower":
        borrower = found.borrower
        if not borrower.active:
            return []
        away = office.leave_on(
            session, found.loan.borrower_staff_id, now.astimezone(calendar.zone).date()
        )
        back = calendar.opening(calendar.next_working_day(away.ends_on)) if away else None
        return [(borrower, back, False)]
    role = Role.DIRECTOR if to == "director" else Role.PROCUREMENT
    chosen = acting(session, list(people.holders_of(session, role)), now)
    return [(staff, None, to == "director") for staff in chosen]


def loan_params(found: LoanView, calendar: OfficeCalendar, now: datetime) -> dict[str, Any]:
    """A loan's message parameters: plain data, worded when it is sent."""
    loan = found.loan
    return {
        "loan_id": found.id,
        "borrower": found.borrower.full_name,
        "officer": found.recorded_by.full_name,
        "purpose": loan.purpose,
        "lent_on": loan.lent_on.isoformat(),
        "due_on": loan.due_on.isoformat(),
        "condition_out": loan.condition_out,
        "items": [
            {"asset": item.asset_number, "description": item.description}
            for item in found.outstanding
        ],
        "total_items": len(found.items),
        "days_overdue": days_overdue(loan.due_at, now, calendar),
    }


def directors_now(session: Session, today: date) -> list[Staff]:
    """Who hears of a damaged return now: the director, or the acting officer (ผู้รักษาราชการ
    แทน) while the director is on leave — the rule the planner applies to escalations."""
    chosen: dict[int, Staff] = {}
    for staff in people.holders_of(session, Role.DIRECTOR):
        acting = office.acting_for(session, staff.id or 0, today)
        chosen.setdefault((acting or staff).id or 0, acting or staff)
    return list(chosen.values())


class LoanStep(Step):
    """Property loans (measure 1.4): the borrower's ladder, the officer, the director."""

    name = "loans"

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        return write_loan_steps(
            session, tick.settings, tick.calendar, tick.acting, now, batch=tick.batch
        )

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        return loans.earliest_action(session)

    @staticmethod
    def drop_before_sending(session: Session, claimed: list[OutboxMessage]) -> list[OutboxMessage]:
        """A loan reminder whose loan came back meanwhile is not sent."""
        returned = loans.returned_among(session, {_loan_of(m) for m in claimed} - {0})
        for message in claimed:
            if _loan_of(message) in returned:
                assert message.id is not None
                outbox.cancel(session, message.id, reason="the loan was returned")
        return [m for m in claimed if _loan_of(m) not in returned]


def _loan_of(message: OutboxMessage) -> int:
    """The loan a ladder message is about (0 for any other message)."""
    return int(message.params.get("loan_id") or 0) if message.template == "loan" else 0
