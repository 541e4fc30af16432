"""The audit log: append-only. This module offers no way to change or remove an event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.db import table_of
from storage.models import AuditEvent

_INSERT = table_of(AuditEvent).insert()


def by_staff(staff_id: int) -> dict[str, Any]:
    """Who acted, when it was a person: ``audit.record(..., **audit.by_staff(12))``."""
    return {"actor": f"staff:{staff_id}", "actor_staff_id": staff_id}


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: int | None,
    actor_staff_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one event (who, what, when) in the caller's transaction; return its id.

    One INSERT statement, without the unit of work: a confirmation press writes one event, and
    the ORM's bookkeeping for an object nobody reads back would cost more than the write. The
    session is flushed first, so that a row the event refers to is there.
    """
    session.flush()
    result = session.connection().execute(
        _INSERT,
        {
            "at": at,
            "actor": actor,
            "actor_staff_id": actor_staff_id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "details": details or {},
        },
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def events(
    session: Session, *, subject_type: str | None = None, subject_id: int | None = None
) -> Sequence[AuditEvent]:
    """Events in the order they happened, optionally about one subject."""
    query = select(AuditEvent)
    if subject_type is not None:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    return session.exec(query.order_by(col(AuditEvent.id))).all()
