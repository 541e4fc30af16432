"""The publication queue's share of the tick: each waiting item whose reminder has come gets
its outbox rows written and is advanced, in the tick's transaction; drafts left unfinished
are dropped.

The timing is the pure ``jobs.publishing.ladder.plan_item``'s; here are the recipients: every
web officer, or (a step ``to = "coordinator"``) the coordinators.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from jobs.calendar import OfficeCalendar
from jobs.ladder import StepMessage
from jobs.publishing.ladder import plan_item
from jobs.publishing.report import (
    ReportContent,
    channel_of,
    covered_month,
    month_window,
    report_content,
    report_params,
)
from jobs.publishing.settings import PublishingSettings
from jobs.settings import Settings
from jobs.steps import Step, TickContext
from storage import audit, office, outbox, people, publications, schedule
from storage.models import Obligation, OutboxMessage, Period, Publication, Role, Staff
from storage.outbox import NewMessage
from storage.publications import DOCUMENT, PHOTO, PublicationView

DRAFT_TTL = timedelta(hours=2)  # a /publish left alone this long is forgotten (its question)
DRAFT_KEPT = timedelta(days=1)  # and its rows deleted once surely past any question about it
SUMMARY = 600  # characters of the content a queue message shows (the rest: "show content")
REQUEST, WAITING = "publication_request", "publication_waiting"  # the officer's, coordinator's
PREFILLED = "publication_report"  # a monthly report, pre-filled, to its owners


def queue_params(found: PublicationView) -> dict[str, Any]:
    """An item's message parameters: plain data, worded when it is sent."""
    row = found.publication
    text = found.text
    return {
        "publication_id": found.id,
        "sender": found.sender.full_name,
        "destination": row.destination,
        "requested_at": row.requested_at.isoformat() if row.requested_at else None,
        "summary": text[:SUMMARY] + ("…" if len(text) > SUMMARY else ""),
        "photos": found.count(PHOTO),
        "documents": found.count(DOCUMENT),
    }


def queue_messages(
    found: PublicationView, recipients: list[Staff], what: str, params: dict[str, Any]
) -> list[NewMessage]:
    """One message about an item to each recipient, keyed so that a retry adds nothing."""
    template = WAITING if params.get("to") == "coordinator" else REQUEST
    return [
        NewMessage(
            f"publication:{found.id}:{what}:to-{staff.id}",
            staff.chat_id,
            template,
            {**queue_params(found), **params},
            staff.id,
        )
        for staff in recipients
    ]


def calendar_of(settings: Settings, session: Session) -> OfficeCalendar:
    """The office's calendar with the days closed from chat (as the tick sees it)."""
    base = OfficeCalendar.from_office(settings.office)
    return dataclasses.replace(base, closed_days=base.closed_days | office.closed_days(session))


def web_officers(session: Session) -> list[Staff]:
    return list(people.holders_of(session, Role.WEB_OFFICER))


def _plan_one(session: Session, tick: TickContext, row: Publication, now: datetime) -> int:
    assert row.id is not None
    found = publications.view(session, row.id)
    if found is None or found.publication.status != publications.WAITING:
        publications.stop(session, row.id)
        return 0
    ladder = tick.settings.publishing.ladder
    requested = row.requested_at or row.created_at
    plan = plan_item(row.next_step, ladder, requested, tick.calendar, now)
    if not publications.advance(
        session, row, next_step=plan.next_step, next_action_at=plan.next_action_at
    ):
        return 0  # another tick got there first
    return sum(_send(session, found, message, now) for message in plan.messages)


def _send(session: Session, found: PublicationView, message: StepMessage, now: datetime) -> int:
    role = Role.COORDINATOR if message.to == "coordinator" else Role.WEB_OFFICER
    recipients = list(people.holders_of(session, role))
    params = {"kind": message.kind, "to": message.to, "collapsed": message.collapsed}
    rows = queue_messages(found, recipients, f"step-{message.step}", params)
    return outbox.enqueue(session, rows, now=now)


def write_prefilled(session: Session, tick: TickContext, now: datetime) -> int:
    """The monthly E-Service and social reports whose first reminder went out: each owner
    gets the report pre-filled from the queue, once (the key), with the button to confirm it."""
    settings = tick.settings.publishing
    keys = [settings.website_report, settings.social_report]
    written = 0
    for assignment, period, obligation in publications.reports_to_prefill(
        session, keys, limit=tick.batch
    ):
        content = _content(session, tick, period, obligation)
        params = {**report_params(obligation, period, content, now), "assignment_id": assignment.id}
        key = f"{publications.PREFILL_KEY}{assignment.id}:to-"
        rows = [
            NewMessage(f"{key}{staff.id}", staff.chat_id, PREFILLED, params, staff.id)
            for staff in schedule.recipients(session, assignment)
        ]
        written += outbox.enqueue(session, rows, now=now)
    return written


def keep_links_of_confirmed(session: Session, tick: TickContext, now: datetime) -> int:
    """A monthly report confirmed another way than /pubreport's button keeps the links of its
    month as its evidence all the same (the event says so even when the month had none, so
    that each report is looked at once); the number of reports looked at."""
    settings = tick.settings.publishing
    keys = [settings.website_report, settings.social_report]
    found = publications.confirmed_without_evidence(session, keys, limit=tick.batch)
    for assignment, period, obligation in found:
        content = _content(session, tick, period, obligation)
        assignment_id = assignment.id or 0
        ids = [item.id for item in content.published]
        publications.record_evidence(session, assignment_id, ids, now=now)
        audit.record(
            session,
            at=now,
            actor="system:tick",
            action=publications.REPORT_EVIDENCE,
            subject_type="assignment",
            subject_id=assignment_id,
            details={"links": content.links},
        )
    return len(found)


def month_content(
    session: Session,
    settings: PublishingSettings,
    zone: ZoneInfo,
    period: Period,
    obligation: Obligation,
) -> ReportContent | None:
    """What the month a report covers asked for and published, and what still waits; None
    when the report is not one of the two (``[publishing] website_report/social_report``)."""
    channel = channel_of(obligation.key, settings)
    if channel is None:
        return None
    month = covered_month(period.due_at, zone)
    start, end = month_window(month, zone)
    return report_content(
        channel,
        month,
        publications.asked_between(session, start, end),
        publications.published_between(session, start, end),
        publications.waiting(session),
    )


def _content(
    session: Session, tick: TickContext, period: Period, obligation: Obligation
) -> ReportContent:
    """The content of one of the two reports (the callers' queries take their keys only)."""
    found = month_content(session, tick.settings.publishing, tick.calendar.zone, period, obligation)
    assert found is not None
    return found


class PublishingStep(Step):
    """The publication queue (measures 1.2, 1.3): the web officer's reminders."""

    name = "publishing"

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        publications.drop_drafts(session, before=now - DRAFT_KEPT)
        written = sum(
            _plan_one(session, tick, row, now)
            for row in publications.due(session, now=now, limit=tick.batch)
        )
        keep_links_of_confirmed(session, tick, now)
        return written + write_prefilled(session, tick, now)

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        draft = publications.earliest_draft(session)
        found = [publications.earliest_action(session), draft + DRAFT_KEPT if draft else None]
        return min((moment for moment in found if moment is not None), default=None)

    @staticmethod
    def drop_before_sending(session: Session, claimed: list[OutboxMessage]) -> list[OutboxMessage]:
        """A reminder about an item published or declined meanwhile is not sent, nor a
        pre-filled report confirmed meanwhile."""
        settled = publications.settled_among(session, {_item_of(m) for m in claimed} - {0})
        confirmed = schedule.closed_among(session, {_report_of(m) for m in claimed} - {0})
        kept = []
        for message in claimed:
            if _item_of(message) in settled or _report_of(message) in confirmed:
                assert message.id is not None
                outbox.cancel(session, message.id, reason="answered meanwhile")
            else:
                kept.append(message)
        return kept


def _report_of(message: OutboxMessage) -> int:
    """The report (assignment) a pre-filled report is about (0 for any other message)."""
    if message.template != PREFILLED:
        return 0
    return int(message.params.get("assignment_id") or 0)


def _item_of(message: OutboxMessage) -> int:
    """The queued item a reminder is about (0 for any other message)."""
    if message.template not in (REQUEST, WAITING):
        return 0
    return int(message.params.get("publication_id") or 0)
