"""The audit log: append-only. This module offers no way to change or remove an event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import AuditEvent


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
) -> AuditEvent:
    """Append one event (who, what, when) in the caller's transaction."""
    event = AuditEvent(
        at=at,
        actor=actor,
        actor_staff_id=actor_staff_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


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
