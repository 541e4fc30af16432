"""The reporting calendar's one query: the changes of calendar made from chat, as the audit log
recorded them (the calendar feature announces each once, by its event's id)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import AuditEvent

CALENDAR_CHANGES = ("calendar.closed_day_added", "calendar.meeting_moved", "obligation.added")


def calendar_changes(session: Session, *, since: datetime) -> Sequence[AuditEvent]:
    """The closed days, moved meetings and one-offs added from chat since ``since``, by a
    person, oldest first."""
    query = (
        select(AuditEvent)
        .where(
            col(AuditEvent.action).in_(CALENDAR_CHANGES),
            col(AuditEvent.at) >= since,
            col(AuditEvent.actor_staff_id).is_not(None),
        )
        .order_by(col(AuditEvent.id))
    )
    return session.exec(query).all()
