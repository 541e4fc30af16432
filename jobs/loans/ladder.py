"""Property loans (measure 1.4): the due-back date, and when each step of the loan ladder falls.

Pure: nothing here reads a clock or the database; the tick and the handlers give ``now``.
The loan ladder is the report ladder's (``jobs.ladder``) with one more thing per step: who
hears of it (the borrower, the procurement officer, the director).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from jobs.calendar import OfficeCalendar
from jobs.ladder import StepPlan, plan_by_recipient, progress, step_instants, working_days_late
from jobs.settings import Ladder, LoanStep

OUT, OVERDUE, AWAITING_RECEIPT, RETURNED = "out", "overdue", "awaiting_receipt", "returned"
WITHDRAWN = "withdrawn"


def due_instant(due_on: date, calendar: OfficeCalendar) -> datetime:
    """A loan is due back by the end of the office day of its due-back date."""
    return calendar.closing(due_on).astimezone(UTC)


def default_due_on(lent_on: date, days: int, calendar: OfficeCalendar) -> date:
    """The office's loan period from the hand-over; a closed day moves to the next working day."""
    return calendar.next_working_day(lent_on + timedelta(days=days), include_today=True)


def instants(
    ladder: Sequence[LoanStep], due_at: datetime, calendar: OfficeCalendar
) -> list[datetime]:
    """Every step's instant, in office hours, never earlier than the step before it."""
    return step_instants(Ladder(steps=[*ladder]), due_at, calendar)


def first_step(
    ladder: Sequence[LoanStep], due_at: datetime, calendar: OfficeCalendar, now: datetime
) -> tuple[int, datetime | None]:
    """Where a new loan starts on its ladder: steps whose time has already passed when the
    loan is recorded (a reminder "due in three days" for a one-day loan) are skipped."""
    found = progress(0, instants(ladder, due_at, calendar), now)
    return found.next_step, found.next_action_at


def plan_loan(
    next_step: int,
    ladder: Sequence[LoanStep],
    due_at: datetime,
    calendar: OfficeCalendar,
    now: datetime,
) -> StepPlan:
    """The steps from ``next_step`` on that have come by ``now``: one message per kind of
    recipient (the latest of its steps), and when the next step will come."""
    return plan_by_recipient(next_step, ladder, instants(ladder, due_at, calendar), now)


def loan_state(status: str, due_at: datetime, now: datetime) -> str:
    """What a list shows: awaiting receipt, out, overdue (out after its due instant), returned,
    withdrawn (recorded in error)."""
    if status in (RETURNED, WITHDRAWN):
        return status
    if now > due_at:
        return OVERDUE
    return AWAITING_RECEIPT if status == AWAITING_RECEIPT else OUT


def days_overdue(due_at: datetime, now: datetime, calendar: OfficeCalendar) -> int:
    """Working days since the due-back date (0 on the day itself)."""
    return working_days_late(due_at, now, calendar) if now > due_at else 0
