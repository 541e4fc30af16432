"""Complaints against corruption (measure 1.7): every query, and every change with its audit
event in the caller's transaction.

Nothing here receives a Telegram id. The complainant is known only as "complainant" in the
audit log; conversations and limits are keyed by a keyed hash (``owner_tag``) made in bot/
with the day's key. The content is written and read through a ``Cipher`` (bot/ holds the
keys): nothing of a complaint's words reaches the database in clear.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import delete, event, func, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage import audit
from storage.db import execute_bulk
from storage.models import (
    Complaint,
    ComplaintDraft,
    ComplaintEntry,
    ComplaintHandler,
    ComplaintSecret,
    ComplaintStatus,
    ComplaintThrottle,
    OutboxMessage,
    OutboxState,
    Staff,
)
from storage.people import Actor

COMPLAINANT = Actor("complainant")
SYSTEM = Actor("system:tick")
NOTICE_PREFIX = "complaint:{id}:notice-"  # the outbox keys of the complainant's notices
DAY_PREFIX = "day:"  # the names of the days' keys in complaint_secret
CONTENT_FIELDS = ("what", "who", "occurred", "place", "contact", "outcome_text")
ENTRY_FIELDS = ("text", "file_id", "file_name")


class Cipher(Protocol):
    """Encrypts and decrypts the channel's content (bot.runtime.complaint_keys implements it)."""

    def seal(self, text: str) -> str: ...

    def open(self, token: str) -> str | None:
        """The text, or None when no key given can read the token."""

    def rotate(self, token: str) -> str | None:
        """The token encrypted again with the current key; None when unreadable."""


class UnreadableContent(Exception):
    """Some encrypted values cannot be read with the keys given; nothing was changed."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} encrypted values cannot be read with the keys given")
        self.count = count


@dataclass(frozen=True, slots=True)
class Content:
    """A complaint's words, decrypted for the director and the handlers."""

    what: str | None
    who: str | None
    occurred: str | None
    place: str | None
    contact: str | None
    outcome_text: str | None
    unreadable: bool  # a value could not be decrypted with the keys given


@dataclass(frozen=True, slots=True)
class EntryContent:
    text: str | None
    file_id: str | None
    file_name: str | None
    unreadable: bool


def _open_fields(row: Any, names: Sequence[str], cipher: Cipher) -> tuple[dict[str, Any], bool]:
    values: dict[str, Any] = {}
    unreadable = False
    for name in names:
        value = getattr(row, name)
        if value is not None and row.sealed:
            value = cipher.open(value)
            unreadable = unreadable or value is None
        values[name] = value
    return values, unreadable


def content(complaint: Complaint, cipher: Cipher) -> Content:
    """The complaint's words (a row from before revision 0009 not yet sealed reads as is)."""
    values, unreadable = _open_fields(complaint, CONTENT_FIELDS, cipher)
    return Content(**values, unreadable=unreadable)


def entry_content(row: ComplaintEntry, cipher: Cipher) -> EntryContent:
    values, unreadable = _open_fields(row, ENTRY_FIELDS, cipher)
    return EntryContent(**values, unreadable=unreadable)


def _seal(cipher: Cipher, value: str | None) -> str | None:
    return None if value is None else cipher.seal(value)


@dataclass(frozen=True, slots=True)
class Attachment:
    file_id: str
    file_name: str
    file_kind: str  # "document" or "photo"

    def as_json(self) -> dict[str, str]:
        return {"file_id": self.file_id, "file_name": self.file_name, "file_kind": self.file_kind}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attachment:
        return cls(str(data["file_id"]), str(data["file_name"]), str(data["file_kind"]))


@dataclass(frozen=True, slots=True)
class NewComplaint:
    code_hash: str
    what: str
    who: str | None
    occurred: str | None
    place: str | None
    contact: str | None  # what the complainant chose to leave for the office
    notify_token: str | None  # the encrypted chat, when they asked to be told
    acknowledge_by: datetime
    result_by: datetime
    attachments: list[Attachment] = field(default_factory=list)


def _audit(
    session: Session,
    actor: Actor,
    now: datetime,
    action: str,
    complaint_id: int | None,
    details: dict[str, Any] | None = None,
    subject_type: str = "complaint",
) -> None:
    audit.record(
        session,
        at=now,
        actor=actor.label,
        actor_staff_id=actor.staff_id,
        action=action,
        subject_type=subject_type,
        subject_id=complaint_id,
        details=details or {},
    )


# -- filing and reading ----------------------------------------------------------------


def file(session: Session, new: NewComplaint, cipher: Cipher, *, now: datetime) -> Complaint:
    """Record a complaint and its files, encrypted; the audit event says only what was given,
    not who."""
    complaint = Complaint(
        code_hash=new.code_hash,
        status=ComplaintStatus.RECEIVED.value,
        filed_at=now,
        what=cipher.seal(new.what),
        who=_seal(cipher, new.who),
        occurred=_seal(cipher, new.occurred),
        place=_seal(cipher, new.place),
        contact=_seal(cipher, new.contact),
        notify_token=new.notify_token,
        acknowledge_by=new.acknowledge_by,
        result_by=new.result_by,
        next_step=0,
        next_action_at=now,
        sealed=True,
    )
    session.add(complaint)
    session.flush()
    assert complaint.id is not None
    for attachment in new.attachments:
        add_entry(session, complaint.id, cipher, kind="filed", now=now, attachment=attachment)
    details = {
        "attachments": len(new.attachments),
        "contact_left": new.contact is not None,
        "notify": new.notify_token is not None,
    }
    _audit(session, COMPLAINANT, now, "complaint.filed", complaint.id, details)
    return complaint


def by_id(session: Session, complaint_id: int) -> Complaint | None:
    return session.get(Complaint, complaint_id)


def by_code_hash(session: Session, code_hash: str) -> Complaint | None:
    return session.exec(select(Complaint).where(Complaint.code_hash == code_hash)).first()


def entries(session: Session, complaint_id: int) -> Sequence[ComplaintEntry]:
    query = select(ComplaintEntry).where(ComplaintEntry.complaint_id == complaint_id)
    return session.exec(query.order_by(col(ComplaintEntry.id))).all()


def entry(session: Session, entry_id: int) -> ComplaintEntry | None:
    return session.get(ComplaintEntry, entry_id)


def add_entry(
    session: Session,
    complaint_id: int,
    cipher: Cipher,
    *,
    kind: str,
    now: datetime,
    text: str | None = None,
    attachment: Attachment | None = None,
    staff_id: int | None = None,
) -> ComplaintEntry:
    row = ComplaintEntry(
        complaint_id=complaint_id,
        at=now,
        kind=kind,
        staff_id=staff_id,
        text=_seal(cipher, text),
        file_id=cipher.seal(attachment.file_id) if attachment else None,
        file_name=cipher.seal(attachment.file_name) if attachment else None,
        file_kind=attachment.file_kind if attachment else None,
        sealed=True,
    )
    session.add(row)
    session.flush()
    return row


def add_information(
    session: Session,
    complaint_id: int,
    cipher: Cipher,
    *,
    now: datetime,
    text: str | None = None,
    attachment: Attachment | None = None,
) -> ComplaintEntry | None:
    """The complainant adds to an open complaint (with the tracking code); None once closed."""
    complaint = by_id(session, complaint_id)
    if complaint is None or complaint.status == ComplaintStatus.CLOSED.value:
        return None
    row = add_entry(
        session, complaint_id, cipher, kind="addition", now=now, text=text, attachment=attachment
    )
    details = {"entry": row.id, "text": text is not None, "file": attachment is not None}
    _audit(session, COMPLAINANT, now, "complaint.information_added", complaint_id, details)
    return row


def add_note(
    session: Session,
    complaint_id: int,
    cipher: Cipher,
    *,
    text: str,
    actor: Actor,
    now: datetime,
) -> ComplaintEntry | None:
    """A handler's note on what was done (not shown to the complainant)."""
    if by_id(session, complaint_id) is None:
        return None
    row = add_entry(
        session, complaint_id, cipher, kind="note", now=now, text=text, staff_id=actor.staff_id
    )
    _audit(session, actor, now, "complaint.note_added", complaint_id, {"entry": row.id})
    return row


def record_view(session: Session, complaint_id: int, *, actor: Actor, now: datetime) -> None:
    """Who opened a complaint, and when: reading it is itself evidence."""
    _audit(session, actor, now, "complaint.viewed", complaint_id)


def open_complaints(session: Session) -> Sequence[Complaint]:
    query = select(Complaint).where(col(Complaint.status) != ComplaintStatus.CLOSED.value)
    return session.exec(query.order_by(col(Complaint.id))).all()


def recently_closed(session: Session, *, since: datetime) -> Sequence[Complaint]:
    query = select(Complaint).where(
        Complaint.status == ComplaintStatus.CLOSED.value, col(Complaint.closed_at) >= since
    )
    return session.exec(query.order_by(col(Complaint.id))).all()


def counts_by_status(session: Session) -> dict[str, int]:
    query = select(Complaint.status, func.count()).group_by(col(Complaint.status))
    return {status: int(number) for status, number in session.exec(query).all()}


def filed_between(session: Session, start: datetime, end: datetime) -> int:
    query = select(func.count()).where(
        col(Complaint.filed_at) >= start, col(Complaint.filed_at) < end
    )
    return int(session.exec(query).one())


def closed_between(session: Session, start: datetime, end: datetime) -> Sequence[Complaint]:
    query = select(Complaint).where(
        col(Complaint.closed_at) >= start, col(Complaint.closed_at) < end
    )
    return session.exec(query.order_by(col(Complaint.id))).all()


# -- a handler's steps -----------------------------------------------------------------


class StepOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"  # someone got there first
    NOT_FOUND = "not_found"


def acknowledge(session: Session, complaint_id: int, *, actor: Actor, now: datetime) -> StepOutcome:
    """Take the complaint up (once: the first press wins); the tick re-plans it at once."""
    if by_id(session, complaint_id) is None:
        return StepOutcome.NOT_FOUND
    statement = (
        update(Complaint)
        .where(
            col(Complaint.id) == complaint_id,
            col(Complaint.status) == ComplaintStatus.RECEIVED.value,
        )
        .values(
            status=ComplaintStatus.ACKNOWLEDGED.value,
            acknowledged_at=now,
            acknowledged_by_staff_id=actor.staff_id,
            next_action_at=now,
        )
    )
    if execute_bulk(session, statement).rowcount != 1:
        return StepOutcome.ALREADY
    _audit(session, actor, now, "complaint.acknowledged", complaint_id)
    return StepOutcome.DONE


def close(
    session: Session,
    complaint_id: int,
    *,
    outcome: str,
    text: str,
    cipher: Cipher,
    actor: Actor,
    now: datetime,
    erase_at: datetime,
) -> StepOutcome:
    """Record the outcome and close the case (a complaint never acknowledged is acknowledged
    by the same step); its ladder stops, and its content is kept until ``erase_at``."""
    complaint = by_id(session, complaint_id)
    if complaint is None:
        return StepOutcome.NOT_FOUND
    if not complaint.sealed:  # from before revision 0009: its answer is sealed with the rest
        seal_plain(session, cipher)
    statement = (
        update(Complaint)
        .where(
            col(Complaint.id) == complaint_id,
            col(Complaint.status) != ComplaintStatus.CLOSED.value,
        )
        .values(
            status=ComplaintStatus.CLOSED.value,
            acknowledged_at=complaint.acknowledged_at or now,
            acknowledged_by_staff_id=complaint.acknowledged_by_staff_id or actor.staff_id,
            closed_at=now,
            closed_by_staff_id=actor.staff_id,
            outcome=outcome,
            outcome_text=cipher.seal(text),
            next_action_at=None,
            erase_at=erase_at,
        )
    )
    if execute_bulk(session, statement).rowcount != 1:
        return StepOutcome.ALREADY
    _audit(session, actor, now, "complaint.closed", complaint_id, {"outcome": outcome})
    return StepOutcome.DONE


# -- the ladder (the tick) -------------------------------------------------------------


def due(session: Session, *, now: datetime, limit: int) -> Sequence[Complaint]:
    query = (
        select(Complaint)
        .where(col(Complaint.next_action_at).is_not(None), col(Complaint.next_action_at) <= now)
        .order_by(col(Complaint.next_action_at))
        .limit(limit)
    )
    return session.exec(query).all()


def advance(
    session: Session, complaint: Complaint, *, next_step: int, next_action_at: datetime | None
) -> bool:
    """Move the ladder on, unless another tick (or a handler) changed it meanwhile."""
    statement = (
        update(Complaint)
        .where(
            col(Complaint.id) == complaint.id,
            col(Complaint.next_step) == complaint.next_step,
            col(Complaint.status) == complaint.status,
        )
        .values(next_step=next_step, next_action_at=next_action_at)
    )
    return bool(execute_bulk(session, statement).rowcount == 1)


def record_step(
    session: Session, complaint_id: int, *, action: str, now: datetime, details: dict[str, Any]
) -> None:
    _audit(session, SYSTEM, now, action, complaint_id, details)


def earliest_action(session: Session) -> datetime | None:
    """The next ladder step or erasure of any complaint."""
    ladder = session.exec(select(func.min(Complaint.next_action_at))).one()
    erase = session.exec(
        select(func.min(Complaint.erase_at)).where(col(Complaint.erased_at).is_(None))
    ).one()
    draft = session.exec(select(func.min(ComplaintDraft.expires_at))).one()
    key = session.exec(select(func.min(ComplaintSecret.expires_at))).one()
    found = [m for m in (ladder, erase, draft, key) if isinstance(m, datetime)]
    return min(found) if found else None


def closed_with_contact(session: Session) -> Sequence[Complaint]:
    query = select(Complaint).where(
        Complaint.status == ComplaintStatus.CLOSED.value, col(Complaint.notify_token).is_not(None)
    )
    return session.exec(query).all()


def notice_pending(session: Session, complaint_id: int) -> bool:
    """Whether a notice to the complainant still waits in the outbox (it needs the contact)."""
    prefix = NOTICE_PREFIX.format(id=complaint_id)
    query = select(OutboxMessage.id).where(
        col(OutboxMessage.idempotency_key).startswith(prefix),
        col(OutboxMessage.state).in_([OutboxState.PENDING.value, OutboxState.SENDING.value]),
    )
    return session.exec(query.limit(1)).first() is not None


def erase_contact(session: Session, complaint_id: int, *, now: datetime) -> bool:
    statement = (
        update(Complaint)
        .where(col(Complaint.id) == complaint_id, col(Complaint.notify_token).is_not(None))
        .values(notify_token=None)
    )
    if execute_bulk(session, statement).rowcount != 1:
        return False
    _audit(session, SYSTEM, now, "complaint.contact_erased", complaint_id)
    return True


def due_erasures(session: Session, *, now: datetime, limit: int) -> Sequence[Complaint]:
    query = (
        select(Complaint)
        .where(
            col(Complaint.erase_at).is_not(None),
            col(Complaint.erase_at) <= now,
            col(Complaint.erased_at).is_(None),
        )
        .order_by(col(Complaint.erase_at))
        .limit(limit)
    )
    return session.exec(query).all()


def erase_content(session: Session, complaint_id: int, *, now: datetime) -> bool:
    """The retention period is over: the content goes, the row stays to be counted."""
    statement = (
        update(Complaint)
        .where(col(Complaint.id) == complaint_id, col(Complaint.erased_at).is_(None))
        .values(
            what=None,
            who=None,
            occurred=None,
            place=None,
            contact=None,
            notify_token=None,
            outcome_text=None,
            erased_at=now,
            next_action_at=None,
        )
    )
    if execute_bulk(session, statement).rowcount != 1:
        return False
    removed = execute_bulk(
        session, delete(ComplaintEntry).where(col(ComplaintEntry.complaint_id) == complaint_id)
    ).rowcount
    _audit(session, SYSTEM, now, "complaint.erased", complaint_id, {"entries": int(removed or 0)})
    return True


# -- handlers --------------------------------------------------------------------------


def handlers(session: Session) -> Sequence[Staff]:
    """The active people the director named to follow up complaints."""
    query = (
        select(Staff)
        .join(ComplaintHandler, col(ComplaintHandler.staff_id) == col(Staff.id))
        .where(col(Staff.active))
        .order_by(col(Staff.id))
    )
    return session.exec(query).all()


def is_handler(session: Session, staff_id: int) -> bool:
    return session.get(ComplaintHandler, staff_id) is not None


def name_handler(session: Session, staff_id: int, *, actor: Actor, now: datetime) -> bool:
    """Add a handler; say whether they were new."""
    if session.get(Staff, staff_id) is None or is_handler(session, staff_id):
        return False
    session.add(ComplaintHandler(staff_id=staff_id, named_by_staff_id=actor.staff_id, named_at=now))
    session.flush()
    _audit(session, actor, now, "complaint.handler_named", staff_id, subject_type="staff")
    return True


def remove_handler(session: Session, staff_id: int, *, actor: Actor, now: datetime) -> bool:
    removed = execute_bulk(
        session, delete(ComplaintHandler).where(col(ComplaintHandler.staff_id) == staff_id)
    ).rowcount
    if not removed:
        return False
    _audit(session, actor, now, "complaint.handler_removed", staff_id, subject_type="staff")
    return True


# -- conversations and limits (keyed by a keyed hash made with the day's key) ----------


@dataclass(slots=True)
class Draft:
    """A conversation in progress, its data decrypted (the row holds it sealed with a key
    made from the day's key: gone with that key)."""

    owner_tag: str
    kind: str
    step: str
    data: dict[str, Any]
    version: int
    expires_at: datetime


def _sealed_data(cipher: Cipher, data: dict[str, Any]) -> dict[str, Any]:
    return {"sealed": cipher.seal(json.dumps(data, ensure_ascii=False))}


def draft(session: Session, owner_tag: str, cipher: Cipher, *, now: datetime) -> Draft | None:
    """The conversation in progress, unless it has expired (or cannot be read)."""
    found = session.get(ComplaintDraft, owner_tag)
    if found is None or found.expires_at <= now:
        return None
    plain = cipher.open(str(found.data.get("sealed", "")))
    if plain is None:
        return None
    data = json.loads(plain)
    return Draft(found.owner_tag, found.kind, found.step, data, found.version, found.expires_at)


def start_draft(
    session: Session,
    owner_tag: str,
    cipher: Cipher,
    *,
    kind: str,
    step: str,
    data: dict[str, Any],
    expires_at: datetime,
) -> None:
    """Begin a conversation, replacing any earlier one of the same writer."""
    drop_draft(session, owner_tag)
    session.add(
        ComplaintDraft(
            owner_tag=owner_tag,
            kind=kind,
            step=step,
            data=_sealed_data(cipher, data),
            version=0,
            expires_at=expires_at,
        )
    )
    session.flush()


def save_draft(
    session: Session,
    found: Draft,
    cipher: Cipher,
    *,
    step: str,
    data: dict[str, Any],
    expires_at: datetime,
) -> bool:
    """Store the next step, unless another update of the same writer (an album's second
    photo, another process) saved first: then the caller reads again and retries."""
    statement = (
        update(ComplaintDraft)
        .where(
            col(ComplaintDraft.owner_tag) == found.owner_tag,
            col(ComplaintDraft.version) == found.version,
        )
        .values(
            step=step,
            data=_sealed_data(cipher, data),
            version=found.version + 1,
            expires_at=expires_at,
        )
    )
    return bool(execute_bulk(session, statement).rowcount == 1)


def drop_draft(session: Session, owner_tag: str) -> bool:
    statement = delete(ComplaintDraft).where(col(ComplaintDraft.owner_tag) == owner_tag)
    return bool(execute_bulk(session, statement).rowcount)


def drop_expired(session: Session, *, now: datetime, throttle_before: datetime) -> int:
    """Forget unfinished conversations, old limits and the days' keys whose time is over."""
    drafts = execute_bulk(
        session, delete(ComplaintDraft).where(col(ComplaintDraft.expires_at) <= now)
    ).rowcount
    limits = execute_bulk(
        session,
        delete(ComplaintThrottle).where(col(ComplaintThrottle.window_start) < throttle_before),
    ).rowcount
    return int(drafts or 0) + int(limits or 0) + forget_days(session, now=now)


def hits(session: Session, owner_tag: str, action: str, *, window_start: datetime) -> int:
    """How often this writer did ``action`` in the window that began at ``window_start``."""
    row = session.get(ComplaintThrottle, (owner_tag, action))
    if row is None or row.window_start != window_start:
        return 0
    return row.count


def count_hit(session: Session, owner_tag: str, action: str, *, window_start: datetime) -> int:
    """Count one more ``action`` in the window; return the new count."""
    row = session.get(ComplaintThrottle, (owner_tag, action))
    if row is None:
        row = ComplaintThrottle(
            owner_tag=owner_tag, action=action, window_start=window_start, count=0
        )
    if row.window_start != window_start:
        row.window_start, row.count = window_start, 0
    row.count += 1
    session.add(row)
    session.flush()
    return row.count


# -- the keys kept in the database (each encrypted with the channel's key) -------------


def secret(session: Session, name: str) -> ComplaintSecret | None:
    return session.get(ComplaintSecret, name)


def day_secrets(session: Session) -> Sequence[ComplaintSecret]:
    query = select(ComplaintSecret).where(col(ComplaintSecret.name).startswith(DAY_PREFIX))
    return session.exec(query.order_by(col(ComplaintSecret.name))).all()


def keep_secret(
    session: Session,
    name: str,
    value: str,
    *,
    use_until: datetime | None = None,
    expires_at: datetime | None = None,
) -> ComplaintSecret:
    """Keep a new key under ``name``; when another process kept one first, that one (every
    process must use the same)."""
    row = ComplaintSecret(name=name, value=value, use_until=use_until, expires_at=expires_at)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        kept = session.get(ComplaintSecret, name, populate_existing=True)
        assert kept is not None
        return kept
    return row


def forget_days(session: Session, *, now: datetime) -> int:
    """Delete the days' keys whose time is over, and the limits counted under them: from then
    on no stored tag can be tied to a Telegram id by anyone. On SQLite the freed space is
    overwritten (``secure_delete``), so that the key does not linger in the file's free pages."""
    expired = session.exec(
        select(ComplaintSecret).where(
            col(ComplaintSecret.name).startswith(DAY_PREFIX),
            col(ComplaintSecret.expires_at) <= now,
        )
    ).all()
    if not expired:
        return 0
    _secure_delete(session)
    if session.get_bind().dialect.name == "sqlite":
        event.listen(session, "after_commit", _empty_the_log, once=True)
    ends = [row.use_until for row in expired if row.use_until is not None]
    removed = execute_bulk(
        session,
        delete(ComplaintSecret).where(col(ComplaintSecret.name).in_([r.name for r in expired])),
    ).rowcount
    if ends:
        execute_bulk(
            session,
            delete(ComplaintThrottle).where(col(ComplaintThrottle.window_start) < max(ends)),
        )
    return int(removed or 0)


def _empty_the_log(session: Session) -> None:
    """After the commit: copy the write-ahead log into the file and empty it, so that the
    deleted key is not left in the log's old frames (best effort: a reader may keep it)."""
    with session.get_bind().connect() as connection:  # type: ignore[union-attr]
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _secure_delete(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))


# -- first start with the key, and a change of key -------------------------------------


def seal_plain(session: Session, cipher: Cipher) -> int:
    """Encrypt the complaints and entries written in clear before revision 0009; their
    number. (The freed clear text is overwritten on SQLite: see :func:`compact`.)"""
    _secure_delete(session)
    sealed = 0
    for model, names in ((Complaint, CONTENT_FIELDS), (ComplaintEntry, ENTRY_FIELDS)):
        rows = session.exec(select(model).where(col(model.sealed).is_(False))).all()
        for row in rows:
            for name in names:
                setattr(row, name, _seal(cipher, getattr(row, name)))
            row.sealed = True
            session.add(row)
            sealed += 1
    session.flush()
    return sealed


@dataclass(frozen=True, slots=True)
class Rotation:
    complaints: int
    entries: int
    keys: int
    sealed_now: int  # rows from before revision 0009, encrypted for the first time


def rotate(session: Session, cipher: Cipher) -> Rotation:
    """Encrypt every value of the channel again with the current key (the first), in the
    caller's transaction; :class:`UnreadableContent` (and nothing changed, once the caller
    rolls back) when a value cannot be read with any key given."""
    sealed_now = seal_plain(session, cipher)
    failed = 0

    def again(value: str | None) -> str | None:
        nonlocal failed
        if value is None:
            return None
        rotated = cipher.rotate(value)
        if rotated is None:
            failed += 1
            return value
        return rotated

    complaint_rows = session.exec(select(Complaint)).all()
    for complaint in complaint_rows:
        for name in (*CONTENT_FIELDS, "notify_token"):
            setattr(complaint, name, again(getattr(complaint, name)))
        session.add(complaint)
    entry_rows = session.exec(select(ComplaintEntry)).all()
    for row in entry_rows:
        for name in ENTRY_FIELDS:
            setattr(row, name, again(getattr(row, name)))
        session.add(row)
    kept = session.exec(select(ComplaintSecret)).all()
    for key in kept:
        key.value = again(key.value) or key.value
        session.add(key)
    if failed:
        raise UnreadableContent(failed)
    session.flush()
    return Rotation(len(complaint_rows), len(entry_rows), len(kept), sealed_now)


def compact(engine: Engine) -> None:
    """SQLite: rewrite the file and empty the write-ahead log, so that text replaced by its
    encrypted form is not left in free pages or old log frames. PostgreSQL: nothing (its
    dead rows are reclaimed by autovacuum; old clear text may stay in the files until then)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
