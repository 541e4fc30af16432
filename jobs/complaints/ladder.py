"""The complaint ladder (measure 1.7): deadlines, reminders to the handlers, the director when
a deadline passes, the complainant's opt-in notices, and erasure after the retention period.

The functions at the top are pure (they take ``now`` and the calendar); ``ComplaintLadder``
runs them inside the tick's transaction and writes outbox rows with unique keys, as the
reports' ladder does.
"""

from __future__ import annotations

import calendar as months
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from jobs.calendar import OfficeCalendar
from jobs.ladder import working_days_late
from jobs.offsets import Span
from jobs.settings import ComplaintSettings
from storage import complaints, outbox, people
from storage.models import Complaint, ComplaintStatus, Role, Staff
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
STEPS = (
    "new",
    "acknowledge_reminder",
    "acknowledge_overdue",
    "result_reminder",
    "result_overdue",
)
ACKNOWLEDGE_STEPS = frozenset({"acknowledge_reminder", "acknowledge_overdue"})
OVERDUE = frozenset({"acknowledge_overdue", "result_overdue"})
CONTACT_CHAT = 0
"""The outbox's chat for a notice to a complainant: the real chat is kept only encrypted, in
the complaint, and the sender resolves it when it sends (it is never written in clear)."""
CONTACT_GRACE = timedelta(days=3)
"""How long a closed case's contact may wait for its last notice to go out (Telegram down)."""
BATCH = 200
THROTTLE_MEMORY = timedelta(days=2)
StandIns = Callable[[Session, list[Staff], datetime], list[Staff]]


# -- pure: deadlines and steps ----------------------------------------------------------


def add_months(day: date, count: int) -> date:
    """The same day ``count`` months later (or earlier); the 31st becomes the month's last."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    last = months.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def deadline(start: datetime, span: Span, calendar: OfficeCalendar) -> datetime:
    """The end of the office day ``span`` after ``start`` (``7wd``: the seventh working day
    after; ``90d``, ``3mo``: that day, or the next working day when the office is closed);
    plain durations (``30s``) count from ``start`` exactly."""
    if span.unit in ("h", "m", "s"):
        return start + span.as_offset().as_timedelta()
    day = start.astimezone(calendar.zone).date()
    if span.unit == "wd":
        day = calendar.shift_working_days(day, span.amount)
    else:
        day = add_months(day, span.amount) if span.is_months else day + timedelta(span.amount)
        day = calendar.next_working_day(day, include_today=True)
    return calendar.closing(day)


def ahead_of(moment: datetime, span: Span, calendar: OfficeCalendar) -> datetime:
    """``span`` before ``moment``, at the office's opening for day-based spans, and inside
    office hours (earlier, never later: a reminder must come before its deadline)."""
    if span.unit in ("h", "m", "s"):
        nominal = moment - span.as_offset().as_timedelta()
    else:
        day = moment.astimezone(calendar.zone).date()
        if span.unit == "wd":
            day = calendar.shift_working_days(day, -span.amount)
        else:
            day = add_months(day, -span.amount) if span.is_months else day - timedelta(span.amount)
        nominal = calendar.opening(day)
    return calendar.previous_office_moment(nominal)


def deadlines(
    filed_at: datetime, settings: ComplaintSettings, calendar: OfficeCalendar
) -> tuple[datetime, datetime]:
    """When the complaint must be acknowledged, and when it must have a result."""
    return (
        deadline(filed_at, settings.span("acknowledge_within"), calendar),
        deadline(filed_at, settings.span("result_within"), calendar),
    )


def step_instants(
    filed_at: datetime,
    acknowledge_by: datetime,
    result_by: datetime,
    settings: ComplaintSettings,
    calendar: OfficeCalendar,
) -> list[datetime]:
    """The instant of each of ``STEPS``, never earlier than the step before. A deadline's
    overdue step comes at the first office moment after it."""
    before = settings.span("remind_before")
    nominal = [
        filed_at,
        ahead_of(acknowledge_by, before, calendar),
        calendar.next_office_moment(acknowledge_by),
        ahead_of(result_by, before, calendar),
        calendar.next_office_moment(result_by),
    ]
    instants: list[datetime] = []
    for moment in nominal:
        instants.append(max(moment, instants[-1]) if instants else moment)
    return instants


@dataclass(frozen=True, slots=True)
class ComplaintProgress:
    due: tuple[str, ...]  # the steps to act on now (stale reminders dropped)
    next_step: int
    next_action_at: datetime | None


def applies(step: str, status: str) -> bool:
    """A closed complaint has no step left; an acknowledged one no acknowledgement step."""
    if status == ComplaintStatus.CLOSED.value:
        return False
    return not (status == ComplaintStatus.ACKNOWLEDGED.value and step in ACKNOWLEDGE_STEPS)


def plan(
    next_step: int, instants: Sequence[datetime], status: str, now: datetime
) -> ComplaintProgress:
    """What of the ladder has come by ``now``, and when the next step that still applies will.

    After downtime several steps may come at once: a reminder whose deadline has passed too
    is dropped, the overdue notice says it all.
    """
    reached = next_step
    while reached < len(instants) and instants[reached] <= now:
        reached += 1
    came = [STEPS[i] for i in range(next_step, reached) if applies(STEPS[i], status)]
    due = tuple(
        step
        for step in came
        if not (step.endswith("_reminder") and step.replace("_reminder", "_overdue") in came)
    )
    following = next(
        (instants[i] for i in range(reached, len(instants)) if applies(STEPS[i], status)), None
    )
    return ComplaintProgress(due, reached, following)


def erase_at(
    closed_at: datetime, settings: ComplaintSettings, calendar: OfficeCalendar
) -> datetime:
    return deadline(closed_at, settings.span("retention"), calendar)


def notice(complaint: Complaint, kind: str) -> NewMessage | None:
    """The complainant's notice of ``kind`` ("acknowledged", "closed"), if they asked for one.

    It names no chat: the sender finds the encrypted one in the complaint when it sends.
    """
    if complaint.notify_token is None or complaint.id is None:
        return None
    return NewMessage(
        idempotency_key=complaints.NOTICE_PREFIX.format(id=complaint.id) + kind,
        chat_id=CONTACT_CHAT,
        template="complaint_notice",
        params={"complaint_id": complaint.id, "kind": kind, "outcome": complaint.outcome},
    )


# -- the tick ---------------------------------------------------------------------------


class ComplaintLadder:
    """The complaints' part of the tick, in the tick's transaction."""

    def __init__(self, settings: ComplaintSettings) -> None:
        self.settings = settings

    def tick(
        self, session: Session, now: datetime, calendar: OfficeCalendar, stand_ins: StandIns
    ) -> int:
        """1. Each complaint whose step has come: its messages, its audit event, its next step.
        2. Erase the contact of closed complaints whose last notice is out.
        3. Erase the content of complaints kept past their retention period.
        4. Forget unfinished conversations and old limits.
        """
        written = 0
        for complaint in complaints.due(session, now=now, limit=BATCH):
            written += self._plan_one(session, complaint, now, calendar, stand_ins)
        self._erase_contacts(session, now)
        for complaint in complaints.due_erasures(session, now=now, limit=BATCH):
            complaints.erase_content(session, _id(complaint), now=now)
        complaints.drop_expired(session, now=now, throttle_before=now - THROTTLE_MEMORY)
        return written

    def _plan_one(
        self,
        session: Session,
        complaint: Complaint,
        now: datetime,
        calendar: OfficeCalendar,
        stand_ins: StandIns,
    ) -> int:
        instants = step_instants(
            complaint.filed_at,
            complaint.acknowledge_by,
            complaint.result_by,
            self.settings,
            calendar,
        )
        progress = plan(complaint.next_step, instants, complaint.status, now)
        if not complaints.advance(
            session,
            complaint,
            next_step=progress.next_step,
            next_action_at=progress.next_action_at,
        ):
            return 0  # another tick, or a handler's step, got there first
        written = 0
        for step in progress.due:
            recipients = self._recipients(session, step, now, stand_ins)
            written += self._send(session, complaint, step, recipients, now, calendar)
        return written

    def _recipients(
        self, session: Session, step: str, now: datetime, stand_ins: StandIns
    ) -> list[Staff]:
        """New: the handlers and the director. Reminders: the handlers (the director when
        there are none). Overdue: the director (or the acting officer while away)."""
        directors = stand_ins(session, list(people.holders_of(session, Role.DIRECTOR)), now)
        handlers = list(complaints.handlers(session))
        if step in OVERDUE:
            chosen = directors
        elif step == "new":
            chosen = handlers + directors
        else:
            chosen = handlers or directors
        unique: dict[int, Staff] = {}
        for staff in chosen:
            unique.setdefault(_sid(staff), staff)
        return list(unique.values())

    def _send(
        self,
        session: Session,
        complaint: Complaint,
        step: str,
        recipients: list[Staff],
        now: datetime,
        calendar: OfficeCalendar,
    ) -> int:
        index = STEPS.index(step)
        names = [staff.full_name for staff in complaints.handlers(session)]
        params = {**complaint_params(complaint), "step": step, "handlers": names}
        messages = [
            NewMessage(
                idempotency_key=f"complaint:{complaint.id}:step-{index}:to-{staff.id}",
                chat_id=staff.chat_id,
                staff_id=staff.id,
                template="complaint_step",
                params=params,
            )
            for staff in recipients
        ]
        action = {"new": "complaint.announced"}.get(
            step, "complaint.escalated" if step in OVERDUE else "complaint.reminded"
        )
        complaints.record_step(
            session,
            _id(complaint),
            action=action,
            now=now,
            details={"step": step, "to": [staff.id for staff in recipients]},
        )
        opens = calendar.next_office_moment(now).astimezone(now.tzinfo)
        log.info("complaint %s: %s, to %d people", complaint.id, step, len(recipients))
        return outbox.enqueue(session, messages, now=now, not_before=opens)

    def _erase_contacts(self, session: Session, now: datetime) -> None:
        for complaint in complaints.closed_with_contact(session):
            waited = complaint.closed_at is not None and complaint.closed_at + CONTACT_GRACE <= now
            if waited or not complaints.notice_pending(session, _id(complaint)):
                complaints.erase_contact(session, _id(complaint), now=now)

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        """The earliest step, erasure or expiry; now, when a closed case's contact may go."""
        found = [complaints.earliest_action(session)]
        for complaint in complaints.closed_with_contact(session):
            if not complaints.notice_pending(session, _id(complaint)):
                found.append(now)
            elif complaint.closed_at is not None:
                found.append(complaint.closed_at + CONTACT_GRACE)
        moments = [moment for moment in found if moment is not None]
        return min(moments) if moments else None


def announce_addition(
    session: Session, complaint_id: int, sitting: str, now: datetime, calendar: OfficeCalendar
) -> int:
    """The complainant added information: the handlers (or the director, when none is named)
    hear of it once per sitting, in office hours."""
    complaint = complaints.by_id(session, complaint_id)
    if complaint is None:
        return 0
    recipients = list(complaints.handlers(session)) or list(
        people.holders_of(session, Role.DIRECTOR)
    )
    mark = int(datetime.fromisoformat(sitting).timestamp()) if sitting else 0
    params = {**complaint_params(complaint), "step": "added", "handlers": []}
    messages = [
        NewMessage(
            idempotency_key=f"complaint:{complaint_id}:added-{mark}:to-{staff.id}",
            chat_id=staff.chat_id,
            staff_id=staff.id,
            template="complaint_step",
            params=params,
        )
        for staff in recipients
    ]
    opens = calendar.next_office_moment(now).astimezone(now.tzinfo)
    return outbox.enqueue(session, messages, now=now, not_before=opens)


def complaint_params(complaint: Complaint) -> dict[str, Any]:
    """What a message about a complaint may say: its number, status and dates — no content."""
    return {
        "complaint_id": complaint.id,
        "status": complaint.status,
        "filed_at": complaint.filed_at.isoformat(),
        "acknowledge_by": complaint.acknowledge_by.isoformat(),
        "result_by": complaint.result_by.isoformat(),
    }


# -- the monthly report (in the director's digest) --------------------------------------


def overdue(complaint: Complaint, now: datetime) -> str | None:
    """Which deadline an open complaint has missed at ``now``, if any."""
    if complaint.status == ComplaintStatus.CLOSED.value:
        return None
    if complaint.status == ComplaintStatus.RECEIVED.value and complaint.acknowledge_by < now:
        return "acknowledge"
    return "result" if complaint.result_by < now else None


def report_data(session: Session, now: datetime, calendar: OfficeCalendar) -> dict[str, Any]:
    """Counts by status, this month's new and closed ones, and the overdue ones (numbers and
    dates only: the digest names no complainant and quotes no complaint)."""
    local = now.astimezone(calendar.zone)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    late = []
    for complaint in complaints.open_complaints(session):
        missed = overdue(complaint, now)
        if missed is not None:
            by = complaint.acknowledge_by if missed == "acknowledge" else complaint.result_by
            late.append(
                {
                    "complaint_id": complaint.id,
                    "missed": missed,
                    "deadline": by.isoformat(),
                    "working_days_late": working_days_late(by, now, calendar),
                }
            )
    closed = complaints.closed_between(session, month_start, now)
    outcomes: dict[str, int] = {}
    for complaint in closed:
        outcomes[complaint.outcome or "-"] = outcomes.get(complaint.outcome or "-", 0) + 1
    return {
        "counts": complaints.counts_by_status(session),
        "filed_this_month": complaints.filed_between(session, month_start, now),
        "closed_this_month": len(closed),
        "outcomes_this_month": outcomes,
        "overdue": late,
    }


def _id(complaint: Complaint) -> int:
    assert complaint.id is not None
    return complaint.id


def _sid(staff: Staff) -> int:
    assert staff.id is not None
    return staff.id
