"""The memo to the director (issue 15) on the tick's side: written at the escalation, and the
short ladder of the director's order.

At the escalation the tick numbers the memo (``storage.memos``) and freezes what it states as
plain data, :func:`memo_facts` — the report, the period, who is missing with their follow-up
days, the office's names and its ``[memo]`` choices — in the memo's row and in the outbox
message that carries it. Nothing here renders a document: the .docx is written in ``bot/``
when the message is sent, from those facts, so every copy (the coordinator's, the
director's, the export's) reads the same. Who receives it first follows ``[memo] review``:
the coordinators, who propose it (``เสนอ``), or the director at once.

The director's order "submit by …" gives one working day (:func:`order_deadline`) and its own
ladder (:func:`order_instants`, :func:`order_progress`): a reminder on the new due day's
morning, and if the report is still missing after the deadline, the director is told again,
citing the memo's number. :class:`MemoOrderStep` runs it at each tick, with idempotency keys.
Pure functions take ``now``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.settings import Settings
from jobs.steps import Step, TickContext
from storage import memos, office, outbox, people, schedule
from storage.models import (
    AssignmentStatus,
    MemoOutcome,
    MemoState,
    OutboxMessage,
    Role,
    Staff,
)
from storage.outbox import NewMessage

REVIEW, DECIDE, COPY = "review", "decide", "copy"  # what a copy of the memo asks of its reader
REMINDER, MISSED = 0, 1  # the order ladder's steps
# the order and its reminder are dropped before sending once the report is settled
ORDER_TEMPLATES = ("director_order", "order_reminder")
StandIns = Callable[[Session, list[Staff], datetime], list[Staff]]


# -- the memo's facts ------------------------------------------------------------------------


def followup_days(
    kinds: Sequence[str], instants: Sequence[datetime], now: datetime, calendar: OfficeCalendar
) -> list[date]:
    """The office days of the ladder's follow-ups that have come by ``now`` (each once)."""
    days: list[date] = []
    for kind, instant in zip(kinds, instants, strict=True):
        day = instant.astimezone(calendar.zone).date()
        if kind == "followup" and instant <= now and day not in days:
            days.append(day)
    return days


def memo_day(now: datetime, calendar: OfficeCalendar) -> date:
    """The date written on a memo: today, or the next office day when written after hours."""
    return calendar.next_office_moment(now).astimezone(calendar.zone).date()


@dataclass(frozen=True, slots=True)
class Missing:
    """One person (or group) missing, as the memo lists them."""

    assignment_id: int
    name: str
    group: str
    followups: Sequence[date]
    position: str = ""
    name_en: str = ""  # a group's English name, for the English copies (a person's is one)
    group_en: str = ""
    project_code: str = ""  # a per-project obligation: the project the line is about
    project_name: str = ""


def memo_facts(
    view: memos.MemoView,
    *,
    settings: Settings,
    period: Mapping[str, Any],
    onward_due_at: datetime | None,
    signer_name: str,
    english: Mapping[int, tuple[str, str]] | None = None,
    projects: Mapping[int, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """What a memo states, as JSON-ready data: ``bot.duties`` writes the words from it (the
    period's label, the dates in B.E.) and fills the template with the ``[memo]`` choices
    kept here (``settings``), so that a copy rendered later reads as the first did.
    ``english``: each line's name and group in English (assignment id → both), for the
    chat and the English evidence workbook; the memo itself is Thai."""
    memo, zone, english, projects = view.memo, settings.office.zone, english or {}, projects or {}
    due_at = datetime.fromisoformat(str(period["due_at"]))
    return {
        "memo_id": memo.id,
        "number": memo.number,
        "fiscal_year": memo.fiscal_year,
        "dated": memo.dated.isoformat(),
        "title": period.get("title_th", ""),
        "title_en": period.get("title_en", ""),
        "measure": period.get("measure", ""),
        "period": dict(period),
        "due": due_at.astimezone(zone).date().isoformat(),
        "onward_due_at": onward_due_at.isoformat() if onward_due_at else None,
        "missing": [
            {
                "assignment_id": line.assignment_id,
                "name": line.name,
                "group": line.group_name,
                "position": line.position,
                "due": line.due_at.astimezone(zone).date().isoformat(),
                "followups": list(line.followups),
                "name_en": english.get(line.assignment_id, (line.name, ""))[0] or line.name,
                "group_en": english.get(line.assignment_id, ("", line.group_name))[1]
                or line.group_name,
                **_project_of(projects.get(line.assignment_id)),
            }
            for line in view.lines
        ],
        "office": settings.office.name_th,
        "group": settings.coordinating_group.name_th,
        "director_title": settings.director.title_th,
        "director_title_en": settings.director.title_en,
        "signer_name": signer_name,
        "settings": settings.memo.model_dump(mode="json"),
    }


def _project_of(project: tuple[str, str] | None) -> dict[str, str]:
    """A line's project (code, name), when the report is owed per project."""
    if project is None or not any(project):
        return {}
    return {"project_code": project[0], "project_name": project[1]}


def office_calendar(session: Session, settings: Settings) -> OfficeCalendar:
    """The config's calendar with the days closed from chat (as the tick sees it)."""
    calendar = OfficeCalendar.from_office(settings.office)
    extra = office.closed_days(session)
    return dataclasses.replace(calendar, closed_days=calendar.closed_days | extra)


def deciders(session: Session, today: date) -> list[Staff]:
    """Who decides on a memo today: the director, or the acting officer while the director is
    away (ผู้รักษาราชการแทน), each once."""
    chosen: dict[int, Staff] = {}
    for staff in people.holders_of(session, Role.DIRECTOR):
        acting = office.acting_for(session, staff.id or 0, today)
        chosen.setdefault((acting or staff).id or 0, acting or staff)
    return list(chosen.values())


def coordinators(session: Session) -> list[Staff]:
    return [staff for staff in people.holders_of(session, Role.COORDINATOR) if staff.active]


def memo_messages(facts: Mapping[str, Any], role: str, to: Sequence[Staff]) -> list[NewMessage]:
    """One copy of the memo per reader: ``review`` (the coordinator's, with "เสนอ"),
    ``decide`` (the director's, with the order's buttons) or ``copy`` (for information)."""
    params = {"memo": dict(facts), "role": role}
    return [
        NewMessage(
            f"memo:{facts['memo_id']}:{role}:to-{staff.id}", staff.chat_id, "memo", params, staff.id
        )
        for staff in to
    ]


@dataclass(frozen=True)
class Escalated:
    """One period's escalation, as the tick collected it."""

    period_id: int
    obligation_id: int
    period: Mapping[str, Any]  # ``jobs.params.duty_params``
    due_at: datetime
    onward_due_at: datetime | None
    missing: Sequence[Missing]


def write_memo(
    session: Session,
    settings: Settings,
    calendar: OfficeCalendar,
    escalated: Escalated,
    *,
    stand_ins: StandIns,
    now: datetime,
) -> int:
    """At an escalation, in the tick's transaction: the memo numbered with its lines and its
    facts, and its copies in the outbox — to the coordinators, who review and propose it, or
    (``[memo] review = "director"``, or no coordinator registered) to the director at once
    with a copy to the coordinators. Returns the messages written."""
    dated = memo_day(now, calendar)
    review = settings.memo.review
    reviewers = stand_ins(session, coordinators(session), now)
    at_once = review == "director" or not reviewers
    view = memos.create_memo(
        session,
        fiscal_year=fiscal_year_of(dated),
        period_id=escalated.period_id,
        obligation_id=escalated.obligation_id,
        dated=dated,
        lines=[_line(person, escalated.due_at) for person in escalated.missing],
        review="director" if at_once else "coordinator",
        now=now,
    )
    memo_id = view.memo.id or 0
    signer = reviewers[0].full_name if reviewers else ""
    facts = memo_facts(
        view,
        settings=settings,
        period=escalated.period,
        onward_due_at=escalated.onward_due_at,
        signer_name=signer,
        english={p.assignment_id: (p.name_en, p.group_en) for p in escalated.missing},
        projects={p.assignment_id: (p.project_code, p.project_name) for p in escalated.missing},
    )
    facts["deadline"] = order_deadline(now, calendar).isoformat()
    memos.set_facts(session, memo_id, facts)
    directors = stand_ins(session, deciders(session, now.astimezone(calendar.zone).date()), now)
    if at_once:
        first = directors[0].id if directors else None
        memos.propose(session, memo_id, by_staff_id=None, to_staff_id=first, now=now)
        messages = memo_messages(facts, DECIDE, directors) + memo_messages(facts, COPY, reviewers)
    else:
        messages = memo_messages(facts, REVIEW, reviewers)
    details = {
        "number": view.memo.number,
        "fiscal_year": view.memo.fiscal_year,
        "to": [staff.id for staff in (directors if at_once else reviewers)],
    }
    action = "memo.proposed" if at_once else "memo.written"
    memos.record_event(session, memo_id, action, now=now, actor="system:tick", details=details)
    return outbox.enqueue(session, messages, now=now)


def _line(person: Missing, due_at: datetime) -> memos.NewMemoLine:
    return memos.NewMemoLine(
        assignment_id=person.assignment_id,
        name=person.name,
        group=person.group,
        position=person.position,
        due_at=due_at,
        followups=person.followups,
    )


# -- the director's order and its short ladder ----------------------------------------------


def order_deadline(ordered_at: datetime, calendar: OfficeCalendar) -> datetime:
    """The new deadline an order "submit by …" sets: the end of the next working day after
    the order's. One working day, as each of the plan's follow-ups gives: a memo that reaches
    the director a working day before the onward deadline (the 15th) asks for the report by
    the 15th itself."""
    day = ordered_at.astimezone(calendar.zone).date()
    return calendar.closing(calendar.next_working_day(day))


def order_instants(
    ordered_at: datetime, new_due_at: datetime, calendar: OfficeCalendar
) -> list[datetime | None]:
    """The order's steps: a reminder at the opening of the new due day (None when that is not
    after the order: the order itself has just been told), then, once the deadline has passed,
    the director told again (at the next office moment after it)."""
    reminder = calendar.opening(new_due_at.astimezone(calendar.zone).date())
    kept = reminder if ordered_at < reminder < new_due_at else None
    return [kept, calendar.next_office_moment(new_due_at)]


@dataclass(frozen=True, slots=True)
class OrderProgress:
    due: tuple[int, ...]  # the steps whose time has come (REMINDER, MISSED)
    next_step: int
    next_action_at: datetime | None


def order_progress(step: int, instants: Sequence[datetime | None], now: datetime) -> OrderProgress:
    """From step ``step``: which steps are due at ``now``, and the next one. A reminder that
    comes due together with the missed deadline (the bot was down) is not sent."""
    due: list[int] = []
    index = step
    while index < len(instants):
        instant = instants[index]
        if instant is not None and instant > now:
            break
        if instant is not None:
            due.append(index)
        index += 1
    if MISSED in due and REMINDER in due:
        due.remove(REMINDER)
    following = next((at for at in instants[index:] if at is not None), None)
    return OrderProgress(tuple(due), index, following)


def first_order_action(instants: Sequence[datetime | None]) -> datetime | None:
    return next((at for at in instants if at is not None), None)


class MemoOrderStep(Step):
    """The order's ladder: the reminder on the new due day, then the director told again."""

    name = "memos"

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        written = 0
        for view in memos.due_orders(session, now=now, limit=tick.batch):
            written += self._advance(session, tick, view, now)
        return written

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        return memos.earliest_order(session)

    @staticmethod
    def drop_before_sending(session: Session, claimed: list[OutboxMessage]) -> list[OutboxMessage]:
        """The order and its reminder are not sent once the report came in (or was excused)."""
        reminders = {
            m.assignment_id
            for m in claimed
            if m.template in ORDER_TEMPLATES and m.assignment_id is not None
        }
        settled = schedule.closed_among(session, reminders)
        kept = []
        for message in claimed:
            if message.template in ORDER_TEMPLATES and message.assignment_id in settled:
                outbox.cancel(session, message.id or 0, reason="the report is settled")
            else:
                kept.append(message)
        return kept

    def _advance(
        self, session: Session, tick: TickContext, view: memos.MemoView, now: datetime
    ) -> int:
        memo = view.memo
        if memo.state != MemoState.ORDERED.value or memo.ordered_at is None:
            memos.advance_order(
                session, memo, order_step=memo.order_step, next_action_at=None, now=now
            )
            return 0
        instants = order_instants(memo.ordered_at, memo.new_due_at or now, tick.calendar)
        step = order_progress(memo.order_step, instants, now)
        ids = {line.assignment_id for line in view.lines}
        still_open = ids - schedule.closed_among(session, ids)
        if MISSED in step.due:
            return self._missed(session, tick, view, still_open, now)
        if not memos.advance_order(
            session, memo, order_step=step.next_step, next_action_at=step.next_action_at, now=now
        ):
            return 0
        if REMINDER not in step.due:
            return 0
        return outbox.enqueue(session, _reminders(session, view, still_open), now=now)

    def _missed(
        self,
        session: Session,
        tick: TickContext,
        view: memos.MemoView,
        still_open: set[int],
        now: datetime,
    ) -> int:
        """The deadline has passed: the memo is closed with what came of it, and the director
        (or the acting officer) is told of those still missing, citing the memo."""
        memo = view.memo
        outcome = MemoOutcome.MISSED if still_open else MemoOutcome.SUBMITTED
        if not memos.advance_order(
            session,
            memo,
            order_step=MISSED + 1,
            next_action_at=None,
            outcome=outcome.value,
            now=now,
        ):
            return 0
        memos.set_line_outcomes(session, memo.id or 0, _line_outcomes(session, view, still_open))
        details = {"outcome_of_order": outcome.value, "still_missing": sorted(still_open)}
        memos.record_event(
            session, memo.id or 0, "memo.closed", now=now, actor="system:tick", details=details
        )
        if not still_open:
            return 0
        today = now.astimezone(tick.calendar.zone).date()
        directors = tick.acting(session, deciders(session, today), now)
        params = order_params(memo)
        params["missing"] = [
            item
            for item in params["memo"].get("missing", [])
            if item["assignment_id"] in still_open
        ]
        messages = [
            NewMessage(
                f"memo:{memo.id}:missed:to-{staff.id}",
                staff.chat_id,
                "order_missed",
                params,
                staff.id,
            )
            for staff in directors
        ]
        return outbox.enqueue(session, messages, now=now)


def order_params(memo: Any) -> dict[str, Any]:
    """What every message about an order says of it: the memo's facts, the order (the tick's
    messages and ``bot.duties``'s alike)."""
    return {
        "memo": dict(memo.facts or {}),
        "order_kind": memo.order_kind,
        "order_text": memo.order_text or "",
        "new_due_at": memo.new_due_at.isoformat() if memo.new_due_at else None,
    }


def _reminders(session: Session, view: memos.MemoView, still_open: set[int]) -> list[NewMessage]:
    params = order_params(view.memo)
    messages = []
    for line in view.lines:
        if line.assignment_id not in still_open:
            continue
        assignment = schedule.duty(session, line.assignment_id)
        if assignment is None:
            continue
        for staff in schedule.recipients(session, assignment.assignment):
            messages.append(
                NewMessage(
                    f"memo:{view.memo.id}:order-reminder:{line.assignment_id}:to-{staff.id}",
                    staff.chat_id,
                    "order_reminder",
                    params | {"assignment_id": line.assignment_id},
                    staff.id,
                    line.assignment_id,
                )
            )
    return messages


def _line_outcomes(session: Session, view: memos.MemoView, still_open: set[int]) -> dict[int, str]:
    outcomes = {}
    for line in view.lines:
        if line.assignment_id in still_open:
            outcomes[line.assignment_id] = MemoOutcome.MISSED.value
            continue
        duty = schedule.duty(session, line.assignment_id)
        excused = duty is not None and duty.assignment.status == AssignmentStatus.EXCUSED.value
        outcomes[line.assignment_id] = (
            MemoOutcome.EXCUSED.value if excused else MemoOutcome.SUBMITTED.value
        )
    return outcomes
