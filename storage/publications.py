"""The publication queue (measures 1.2 and 1.3): news and documents a staff member sends for
the office's website or social page, the web officer's answer, and the links as evidence.

A publication is put together as a draft (its parts a row each), sent (waiting, with the web
officer's ladder in ``next_action_at``), then published with its links or declined with the
reason — each a conditional UPDATE with its audit event in the same transaction, so that two
presses or two processes decide it once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, delete, func, literal, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from storage import audit
from storage.db import execute_bulk
from storage.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Obligation,
    OutboxMessage,
    Period,
    Publication,
    PublicationEvidence,
    PublicationPart,
    Staff,
)
from storage.schedule import OPEN_STATUSES

DRAFT, WAITING, PUBLISHED, DECLINED = "draft", "waiting", "published", "declined"
WEB, SOCIAL, BOTH = "web", "social", "both"
DESTINATIONS = (WEB, SOCIAL, BOTH)
TEXT, PHOTO, DOCUMENT = "text", "photo", "document"
MAX_PARTS = 20  # what one request may carry (an album is at most ten)
SUBJECT = "publication"


@dataclass(frozen=True, slots=True)
class PublicationView:
    """A publication with its parts and the people concerned."""

    publication: Publication
    parts: tuple[PublicationPart, ...]
    sender: Staff
    decided_by: Staff | None

    @property
    def id(self) -> int:
        assert self.publication.id is not None
        return self.publication.id

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.parts if p.kind == TEXT and p.text)

    def count(self, kind: str) -> int:
        return sum(part.kind == kind for part in self.parts)


def channels(destination: str) -> set[str]:
    """The channels a destination reaches: ``both`` is the website and the social page."""
    return {WEB, SOCIAL} if destination == BOTH else {destination}


# -- the draft ---------------------------------------------------------------------------------


def start_draft(session: Session, staff_id: int, *, now: datetime) -> Publication:
    """A new draft for this person; an earlier one left unfinished is dropped."""
    drop_drafts(session, staff_id=staff_id)
    row = Publication(sender_staff_id=staff_id, created_at=now)
    session.add(row)
    session.flush()
    return row


def drop_drafts(
    session: Session, *, staff_id: int | None = None, before: datetime | None = None
) -> int:
    """Delete drafts (one person's, or those begun before ``before``) with their parts."""
    query = select(Publication.id).where(col(Publication.status) == DRAFT)
    if staff_id is not None:
        query = query.where(col(Publication.sender_staff_id) == staff_id)
    if before is not None:
        query = query.where(col(Publication.created_at) < before)
    ids = list(session.exec(query).all())
    if not ids:
        return 0
    execute_bulk(
        session, delete(PublicationPart).where(col(PublicationPart.publication_id).in_(ids))
    )
    execute_bulk(session, delete(Publication).where(col(Publication.id).in_(ids)))
    return len(ids)


def add_part(
    session: Session,
    publication_id: int,
    kind: str,
    *,
    now: datetime,
    text: str | None = None,
    file_id: str | None = None,
    file_name: str | None = None,
) -> int | None:
    """Add one message to a draft; the number of parts it now has, or None when the draft is
    gone or full (nothing added)."""
    found = session.get(Publication, publication_id)
    if found is None or found.status != DRAFT:
        return None
    count = _part_count(session, publication_id)
    if count >= MAX_PARTS:
        return None
    part = PublicationPart(
        publication_id=publication_id,
        kind=kind,
        text=text,
        file_id=file_id,
        file_name=file_name,
        added_at=now,
    )
    session.add(part)
    session.flush()
    return count + 1


def _part_count(session: Session, publication_id: int) -> int:
    query = select(func.count()).where(col(PublicationPart.publication_id) == publication_id)
    return int(session.exec(query).one())


def submit(
    session: Session,
    publication_id: int,
    destination: str,
    *,
    staff_id: int,
    next_action_at: datetime | None,
    now: datetime,
) -> bool:
    """The person's draft sent to the queue (once: a second press finds it sent), with its
    event."""
    if destination not in DESTINATIONS or not _part_count(session, publication_id):
        return False
    result = execute_bulk(
        session,
        update(Publication)
        .where(
            col(Publication.id) == publication_id,
            col(Publication.sender_staff_id) == staff_id,
            col(Publication.status) == DRAFT,
        )
        .values(
            status=WAITING,
            destination=destination,
            requested_at=now,
            next_step=0,
            next_action_at=next_action_at,
        ),
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    audit.record(
        session,
        at=now,
        **audit.by_staff(staff_id),
        action="publication.requested",
        subject_type=SUBJECT,
        subject_id=publication_id,
        details={"destination": destination},
    )
    return True


# -- the web officer's answer ------------------------------------------------------------------


def _decide(
    session: Session, publication_id: int, by_staff_id: int, now: datetime, **values: object
) -> bool:
    result = execute_bulk(
        session,
        update(Publication)
        .where(col(Publication.id) == publication_id, col(Publication.status) == WAITING)
        .values(decided_at=now, decided_by_staff_id=by_staff_id, next_action_at=None, **values),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def publish(
    session: Session, publication_id: int, links: Sequence[str], *, by_staff_id: int, now: datetime
) -> bool:
    """Marked published with its links (once), with the event."""
    if not _decide(session, publication_id, by_staff_id, now, status=PUBLISHED, links=list(links)):
        return False
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="publication.published",
        subject_type=SUBJECT,
        subject_id=publication_id,
        details={"links": list(links)},
    )
    return True


def decline(
    session: Session, publication_id: int, reason: str, *, by_staff_id: int, now: datetime
) -> bool:
    """Declined with the reason (once), with the event."""
    if not _decide(session, publication_id, by_staff_id, now, status=DECLINED, reason=reason):
        return False
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="publication.declined",
        subject_type=SUBJECT,
        subject_id=publication_id,
        details={"reason": reason},
    )
    return True


# -- reading -----------------------------------------------------------------------------------


def view(session: Session, publication_id: int) -> PublicationView | None:
    found = session.get(Publication, publication_id)
    if found is None:
        return None
    return _views(session, [found])[0]


def _views(session: Session, rows: Sequence[Publication]) -> list[PublicationView]:
    """The rows with their parts and people: three queries, whatever their number."""
    ids = [row.id for row in rows]
    parts: dict[int, list[PublicationPart]] = {}
    query = (
        select(PublicationPart)
        .where(col(PublicationPart.publication_id).in_(ids))
        .order_by(col(PublicationPart.id))
    )
    for part in session.exec(query).all():
        parts.setdefault(part.publication_id, []).append(part)
    wanted = {r.sender_staff_id for r in rows} | {r.decided_by_staff_id or 0 for r in rows}
    staff = {s.id: s for s in session.exec(select(Staff).where(col(Staff.id).in_(wanted))).all()}
    return [
        PublicationView(
            row,
            tuple(parts.get(row.id or 0, [])),
            staff[row.sender_staff_id],
            staff.get(row.decided_by_staff_id or 0),
        )
        for row in rows
    ]


def waiting(session: Session) -> list[PublicationView]:
    """Every item still waiting, the oldest first."""
    query = (
        select(Publication)
        .where(col(Publication.status) == WAITING)
        .order_by(col(Publication.requested_at), col(Publication.id))
    )
    return _views(session, session.exec(query).all())


def asked_between(session: Session, start: datetime, end: datetime) -> list[PublicationView]:
    """Items sent to the queue in ``[start, end)``, whatever became of them."""
    query = (
        select(Publication)
        .where(col(Publication.requested_at) >= start, col(Publication.requested_at) < end)
        .order_by(col(Publication.requested_at), col(Publication.id))
    )
    return _views(session, session.exec(query).all())


def published_between(session: Session, start: datetime, end: datetime) -> list[PublicationView]:
    """Items published in ``[start, end)``, in the order they were."""
    query = (
        select(Publication)
        .where(
            col(Publication.status) == PUBLISHED,
            col(Publication.decided_at) >= start,
            col(Publication.decided_at) < end,
        )
        .order_by(col(Publication.decided_at), col(Publication.id))
    )
    return _views(session, session.exec(query).all())


# -- the ladder --------------------------------------------------------------------------------


def due(session: Session, *, now: datetime, limit: int) -> Sequence[Publication]:
    """Waiting items whose next reminder has come (an index range scan)."""
    query = (
        select(Publication)
        .where(col(Publication.next_action_at) <= now)
        .order_by(col(Publication.next_action_at))
        .limit(limit)
    )
    return session.exec(query).all()


def advance(
    session: Session, row: Publication, *, next_step: int, next_action_at: datetime | None
) -> bool:
    """Move an item along its ladder, only if nobody else has (a conditional UPDATE)."""
    result = execute_bulk(
        session,
        update(Publication)
        .where(
            col(Publication.id) == row.id,
            col(Publication.next_step) == row.next_step,
            col(Publication.status) == WAITING,
        )
        .values(next_step=next_step, next_action_at=next_action_at),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def stop(session: Session, publication_id: int) -> None:
    execute_bulk(
        session,
        update(Publication)
        .where(col(Publication.id) == publication_id)
        .values(next_action_at=None),
    )


def earliest_action(session: Session) -> datetime | None:
    query = (
        select(Publication.next_action_at)
        .where(col(Publication.next_action_at).is_not(None))
        .order_by(col(Publication.next_action_at))
        .limit(1)
    )
    return session.exec(query).first()


def earliest_draft(session: Session) -> datetime | None:
    query = select(func.min(Publication.created_at)).where(col(Publication.status) == DRAFT)
    return session.exec(query).one()


def settled_among(session: Session, ids: Collection[int]) -> set[int]:
    """Of these items, those no longer waiting (published, declined, or gone)."""
    if not ids:
        return set()
    query = select(Publication.id).where(
        col(Publication.id).in_(list(ids)), col(Publication.status) == WAITING
    )
    still = {int(found) for found in session.exec(query).all() if found is not None}
    return set(ids) - still


# -- the monthly report's evidence -------------------------------------------------------------


def record_evidence(
    session: Session, assignment_id: int, publication_ids: Collection[int], *, now: datetime
) -> int:
    """These published items recorded as the report's evidence (each once)."""
    known = set(
        session.exec(
            select(PublicationEvidence.publication_id).where(
                col(PublicationEvidence.assignment_id) == assignment_id
            )
        ).all()
    )
    new = sorted(set(publication_ids) - known)
    for publication_id in new:
        session.add(
            PublicationEvidence(
                assignment_id=assignment_id, publication_id=publication_id, recorded_at=now
            )
        )
    session.flush()
    return len(new)


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One published link, as the evidence workbook lists it."""

    publication_id: int
    published_at: datetime
    destination: str
    url: str
    summary: str  # the content's first line
    sender: str
    published_by: str
    reports: tuple[str, ...]  # the keys of the reports it is evidence of


def link_rows(session: Session, start: datetime, end: datetime) -> list[LinkRow]:
    """Every link published in ``[start, end)``, by publication date: two queries, whatever
    their number (the items with their people and first text; the reports they are evidence
    of)."""
    sender, decider = aliased(Staff), aliased(Staff)
    first_text = (
        select(PublicationPart.text)
        .where(
            col(PublicationPart.publication_id) == col(Publication.id),
            col(PublicationPart.kind) == TEXT,
        )
        .order_by(col(PublicationPart.id))
        .limit(1)
        .correlate(Publication)
        .scalar_subquery()
    )
    published = (
        col(Publication.status) == PUBLISHED,
        col(Publication.decided_at) >= start,
        col(Publication.decided_at) < end,
    )
    query = (
        select(Publication, sender.full_name, decider.full_name, first_text)
        .join(sender, col(sender.id) == col(Publication.sender_staff_id))
        .outerjoin(decider, col(decider.id) == col(Publication.decided_by_staff_id))
        .where(*published)
        .order_by(col(Publication.decided_at), col(Publication.id))
    )
    found = session.exec(query).all()
    reports: dict[int, list[str]] = {}
    evidence = (
        select(PublicationEvidence.publication_id, Obligation.key)
        .join(Publication, col(Publication.id) == col(PublicationEvidence.publication_id))
        .join(Assignment, col(Assignment.id) == col(PublicationEvidence.assignment_id))
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .where(*published)
        .order_by(col(Obligation.key))
    )
    for publication_id, key in session.exec(evidence).all():
        reports.setdefault(publication_id, []).append(key)
    return [
        LinkRow(
            row.id or 0,
            row.decided_at or row.created_at,
            row.destination,
            url,
            ((text or "").splitlines() or [""])[0][:200],
            sender_name,
            decider_name or "",
            tuple(reports.get(row.id or 0, [])),
        )
        for row, sender_name, decider_name, text in found
        for url in row.links
    ]


PREFILL_KEY = "publication-report:"  # the pre-filled report's outbox key: …<assignment>:to-<staff>


def reports_to_prefill(
    session: Session, keys: Collection[str], *, limit: int
) -> list[tuple[Assignment, Period, Obligation]]:
    """The open monthly reports of ``keys`` whose ladder has begun (their first reminder is
    written) and whose pre-filled version was not yet written: one query, what is due only."""
    written = select(OutboxMessage.id).where(
        col(OutboxMessage.idempotency_key).like(
            literal(PREFILL_KEY) + cast(col(Assignment.id), String) + literal(":%")
        )
    )
    query = (
        _reports_of(keys)
        .where(
            col(Assignment.status).in_(OPEN_STATUSES),
            col(Assignment.next_step) > 0,
            ~written.exists(),
        )
        .order_by(col(Period.due_at), col(Assignment.id))
        .limit(limit)
    )
    return [(a, p, o) for a, p, o in session.exec(query).all()]


REPORT_EVIDENCE = "publication.report_evidence"  # the audit event of a report's links kept


def _reports_of(keys: Collection[str]) -> Select[Assignment, Period, Obligation]:
    """The assignments of the obligations ``keys``, with their period and obligation."""
    return (
        select(Assignment, Period, Obligation)
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .where(col(Obligation.key).in_(list(keys)))
    )


def confirmed_without_evidence(
    session: Session, keys: Collection[str], *, limit: int
) -> list[tuple[Assignment, Period, Obligation]]:
    """The monthly reports of ``keys`` confirmed another way than /pubreport's button (the
    reminder's "ส่งรายงานแล้ว", /done, on paper, the board) whose links were never kept: no
    ``publication.report_evidence`` event names them. One query, the oldest first."""
    kept = select(AuditEvent.id).where(
        col(AuditEvent.action) == REPORT_EVIDENCE,
        col(AuditEvent.subject_type) == "assignment",
        col(AuditEvent.subject_id) == col(Assignment.id),
    )
    confirmed = (AssignmentStatus.ON_TIME.value, AssignmentStatus.LATE.value)
    query = (
        _reports_of(keys)
        .where(
            col(Assignment.status).in_(confirmed),
            ~kept.exists(),
        )
        .order_by(col(Assignment.confirmed_at), col(Assignment.id))
        .limit(limit)
    )
    return [(a, p, o) for a, p, o in session.exec(query).all()]
