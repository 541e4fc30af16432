"""The board's rows: one-time sign-in links, browser sessions, and what a grid cell shows.

Tokens are never stored: a link's and a session's SHA-256 are. A link is exchanged once and
only before it expires; a session lasts until it expires or its owner signs out, and ends
at once for a person deactivated meanwhile (checked at every request by the caller).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from storage import audit
from storage.db import execute_bulk
from storage.models import (
    Assignment,
    AuditEvent,
    BoardLink,
    BoardSession,
    Memo,
    MemoLine,
    Staff,
    StaffGroup,
    WorkGroup,
)

CONFIRMED = "assignment.confirmed"
EXCUSED = "assignment.excused"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


KEPT_AFTER_EXPIRY = timedelta(days=1)  # then a link or a session row goes (the audit log stays)


def new_link(session: Session, staff_id: int, *, now: datetime, valid_for: timedelta) -> str:
    """A fresh one-time link's token for ``staff_id`` (only its hash is kept). Links and
    sessions that expired more than a day ago are deleted on the way."""
    forget_expired(session, now=now)
    token = secrets.token_urlsafe(32)
    session.add(
        BoardLink(
            token_hash=digest(token), staff_id=staff_id, created_at=now, expires_at=now + valid_for
        )
    )
    audit.record(
        session,
        at=now,
        **audit.by_staff(staff_id),
        action="board.link_issued",
        subject_type="staff",
        subject_id=staff_id,
    )
    return token


def forget_expired(session: Session, *, now: datetime) -> None:
    before = now - KEPT_AFTER_EXPIRY
    execute_bulk(session, delete(BoardLink).where(col(BoardLink.expires_at) < before))
    execute_bulk(session, delete(BoardSession).where(col(BoardSession.expires_at) < before))


class LinkRefusal(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


def take_link(session: Session, token: str, *, now: datetime) -> int | LinkRefusal:
    """Use a link once: its owner's staff id, or why it is refused (a conditional UPDATE, so
    two browsers racing with one link get one session between them)."""
    found = session.exec(select(BoardLink).where(BoardLink.token_hash == digest(token))).first()
    if found is None:
        return LinkRefusal.UNKNOWN
    if found.used_at is not None:
        return LinkRefusal.USED
    if found.expires_at <= now:
        return LinkRefusal.EXPIRED
    result = execute_bulk(
        session,
        update(BoardLink)
        .where(col(BoardLink.id) == found.id, col(BoardLink.used_at).is_(None))
        .values(used_at=now),
    )
    if getattr(result, "rowcount", 0) != 1:
        return LinkRefusal.USED
    return found.staff_id


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str  # for the cookie; only its hash is kept
    csrf: str


def open_session(
    session: Session, staff_id: int, *, via: str, now: datetime, valid_for: timedelta
) -> NewSession:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(
        BoardSession(
            token_hash=digest(token),
            staff_id=staff_id,
            csrf=csrf,
            via=via,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    audit.record(
        session,
        at=now,
        **audit.by_staff(staff_id),
        action="board.signed_in",
        subject_type="staff",
        subject_id=staff_id,
        details={"via": via},
    )
    return NewSession(token, csrf)


def live_session(session: Session, token: str, *, now: datetime) -> BoardSession | None:
    """The session a cookie names, while it is neither expired nor signed out."""
    found = session.exec(
        select(BoardSession).where(BoardSession.token_hash == digest(token))
    ).first()
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    return found


def end_session(session: Session, token: str, *, now: datetime) -> bool:
    found = live_session(session, token, now=now)
    if found is None:
        return False
    found.ended_at = now
    session.add(found)
    audit.record(
        session,
        at=now,
        **audit.by_staff(found.staff_id),
        action="board.signed_out",
        subject_type="staff",
        subject_id=found.staff_id,
    )
    return True


@dataclass(frozen=True, slots=True)
class CellFacts:
    """What a cell adds to an assignment's status: how a confirmation came in, why an
    excuse was given, and the memo (number, fiscal year, the director's order) if any."""

    via: dict[int, str]
    reason: dict[int, str]
    memo: dict[int, Memo]


def cell_facts(session: Session, assignment_ids: Iterable[int]) -> CellFacts:
    """Two queries for any number of cells."""
    ids = sorted(set(assignment_ids))
    via: dict[int, str] = {}
    reason: dict[int, str] = {}
    memo: dict[int, Memo] = {}
    if not ids:
        return CellFacts(via, reason, memo)
    events = session.exec(
        select(AuditEvent.subject_id, AuditEvent.action, AuditEvent.details)
        .where(
            AuditEvent.subject_type == "assignment",
            col(AuditEvent.subject_id).in_(ids),
            col(AuditEvent.action).in_((CONFIRMED, EXCUSED)),
        )
        .order_by(col(AuditEvent.id))
    ).all()
    for subject_id, action, details in events:
        if action == CONFIRMED:
            via[subject_id or 0] = str((details or {}).get("via", ""))
        else:
            reason[subject_id or 0] = str((details or {}).get("reason", ""))
    memos = session.exec(
        select(MemoLine.assignment_id, Memo)
        .join(Memo, col(Memo.id) == col(MemoLine.memo_id))
        .where(col(MemoLine.assignment_id).in_(ids))
        .order_by(col(Memo.id))
    ).all()
    for assignment_id, found in memos:
        memo[assignment_id] = found  # the latest memo wins
    return CellFacts(via, reason, memo)


def assignments(session: Session, assignment_ids: Sequence[int]) -> list[Assignment]:
    if not assignment_ids:
        return []
    query = select(Assignment).where(col(Assignment.id).in_(list(assignment_ids)))
    return list(session.exec(query).all())


@dataclass(frozen=True, slots=True)
class GridRow:
    """One assignment as a grid cell needs it (the columns only, no ORM objects: the grid of a
    300-person office reads thousands)."""

    assignment_id: int
    period_id: int
    staff_id: int | None
    group_id: int | None  # a group's own duty
    status: str
    owner_name: str
    owner_name_en: str
    group_ids: tuple[int, ...]  # the owner's groups (a group's duty: that group)
    reachable: bool


def grid_rows(
    session: Session, period_ids: Sequence[int], *, assignment_id: int | None = None
) -> list[GridRow]:
    """Every assignment of these periods (or the one ``assignment_id`` names) with its
    owner's name and groups: two queries."""
    if not period_ids and assignment_id is None:
        return []
    chosen = (
        col(Assignment.id) == assignment_id
        if assignment_id is not None
        else col(Assignment.period_id).in_(list(period_ids))
    )
    rows = session.execute(
        columns(
            col(Assignment.id),
            col(Assignment.period_id),
            col(Assignment.staff_id),
            col(Assignment.group_id),
            col(Assignment.status),
            col(Staff.full_name),
            col(Staff.reachable),
            col(WorkGroup.name_th),
            col(WorkGroup.name_en),
        )
        .join(Staff, col(Staff.id) == col(Assignment.staff_id), isouter=True)
        .join(WorkGroup, col(WorkGroup.id) == col(Assignment.group_id), isouter=True)
        .where(chosen)
        .order_by(col(Assignment.id))
    ).all()
    owners = select(Assignment.staff_id).where(chosen).where(col(Assignment.staff_id).is_not(None))
    found: dict[int, list[int]] = {}
    links = session.exec(
        select(StaffGroup.staff_id, StaffGroup.group_id).where(col(StaffGroup.staff_id).in_(owners))
    ).all()
    for staff_id, group_id in links:
        found.setdefault(staff_id, []).append(group_id)
    result = []
    for aid, period_id, staff_id, group_id, status, name, reachable, g_th, g_en in rows:
        if staff_id is not None:
            groups = tuple(sorted(found.get(staff_id, ())))
            result.append(
                GridRow(aid or 0, period_id, staff_id, None, status, name, name, groups, reachable)
            )
        elif group_id is not None:
            result.append(
                GridRow(aid or 0, period_id, None, group_id, status, g_th, g_en, (group_id,), True)
            )
    return result
