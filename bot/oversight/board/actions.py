"""What the board lets a viewer do, with the chat's storage functions and audit events: mark a
paper submission with its date (the coordinator, as "received on paper"), excuse with a reason
and remind now (whoever may answer an escalation for that assignment: the director or the
acting officer, a group head for their group — ``storage.power``). Each is decided again on the
server, in the transaction that writes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session

from bot.common.texts import clean_text
from jobs.calendar import OfficeCalendar
from jobs.params import reminder_params
from storage import audit, outbox, people, power, schedule
from storage.models import Role
from storage.outbox import NewMessage

MAX_REASON = 500  # as the chat's excuse
PAPER_ROLES = (Role.COORDINATOR,)  # as the chat's "received on paper" button
AUDITED_ROLES = (Role.DIRECTOR, Role.COORDINATOR, Role.GROUP_HEAD)  # as the chat's refusals


class Outcome(StrEnum):
    DONE_ON_TIME = "on_time"
    DONE_LATE = "late"
    EXCUSED = "excused"
    REMINDED = "reminded"
    NOT_OPEN = "not_open"  # confirmed, excused or gone meanwhile
    REFUSED = "refused"  # the viewer's role does not allow it for this assignment
    BAD_DATE = "bad_date"
    NO_REASON = "no_reason"


@dataclass(frozen=True, slots=True)
class Done:
    outcome: Outcome
    names: str = ""  # who was reminded


def mark_paper(
    session: Session,
    person: people.Person,
    assignment_id: int,
    day: date | None,
    *,
    now: datetime,
    calendar: OfficeCalendar,
) -> Done:
    """Confirmed on the owner's behalf: received now (today), or at the close of that day."""
    if not person.has_any(*PAPER_ROLES):
        return Done(Outcome.REFUSED)
    today = now.astimezone(calendar.zone).date()
    if day is None or day > today:
        return Done(Outcome.BAD_DATE)
    received = now if day == today else calendar.closing(day)
    outcome, _duty = schedule.confirm(
        session,
        assignment_id,
        person=person,
        now=now,
        via="paper",
        received_at=received,
        on_behalf=True,
    )
    if outcome is schedule.ConfirmOutcome.ON_TIME:
        return Done(Outcome.DONE_ON_TIME)
    if outcome is schedule.ConfirmOutcome.LATE:
        return Done(Outcome.DONE_LATE)
    return Done(Outcome.NOT_OPEN)


def excuse(
    session: Session,
    person: people.Person,
    assignment_id: int,
    reason: str,
    *,
    now: datetime,
    today: date,
) -> Done:
    duty = schedule.duty(session, assignment_id)
    if duty is None or duty.assignment.status not in schedule.OPEN_STATUSES:
        return Done(Outcome.NOT_OPEN)
    if not _allowed(session, person, duty, "x", now, today):
        return Done(Outcome.REFUSED)
    cleaned = clean_text(reason, MAX_REASON)
    if not cleaned:
        return Done(Outcome.NO_REASON)
    if not schedule.excuse(session, assignment_id, person=person, reason=cleaned, now=now):
        return Done(Outcome.NOT_OPEN)
    return Done(Outcome.EXCUSED)


def remind(
    session: Session, person: people.Person, assignment_id: int, *, now: datetime, today: date
) -> Done:
    """One more reminder now to whoever owes it (the chat's "remind again"), keyed by the
    minute so that a second press in the same minute sends nothing more."""
    duty = schedule.duty(session, assignment_id)
    if duty is None or duty.assignment.status not in schedule.OPEN_STATUSES:
        return Done(Outcome.NOT_OPEN)
    if not _allowed(session, person, duty, "r", now, today):
        return Done(Outcome.REFUSED)
    step = f"again-{now:%Y%m%d%H%M}"
    recipients = schedule.recipients(session, duty.assignment)
    params = reminder_params(duty.obligation, duty.period, duty.assignment, kind="again")
    messages = [
        NewMessage(
            f"assignment:{assignment_id}:{step}:to-{staff.id}",
            staff.chat_id,
            "duty",
            params,
            staff.id,
            assignment_id,
        )
        for staff in recipients
    ]
    outbox.enqueue(session, messages, now=now)
    schedule.record_event(
        session,
        assignment_id,
        "assignment.reminded_again",
        now=now,
        **audit.by_staff(person.id),
        details={"via": "board"},
    )
    return Done(Outcome.REMINDED, ", ".join(s.full_name for s in recipients) or "-")


def _allowed(
    session: Session,
    person: people.Person,
    duty: schedule.Duty,
    action: str,
    now: datetime,
    today: date,
) -> bool:
    verdict = power.escalation_answer(session, person, duty.assignment, today, action)
    if verdict is not power.Answer.ALLOWED and person.has_any(*AUDITED_ROLES):
        schedule.record_event(
            session,
            duty.assignment.id or 0,
            "assignment.escalation_answer_refused",
            now=now,
            **audit.by_staff(person.id),
            details={"action": action, "reason": verdict.value, "via": "board"},
        )
    return verdict is power.Answer.ALLOWED
