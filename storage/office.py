"""The office's calendar as changed from chat, and who is on leave (and who acts for them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from storage import audit
from storage.models import ClosedDay, Leave, MeetingChange, Staff


def closed_days(session: Session) -> frozenset[date]:
    return frozenset(row.day for row in session.exec(select(ClosedDay)).all())


def add_closed_day(
    session: Session, day: date, reason: str, *, by_staff_id: int, now: datetime
) -> bool:
    """Close the office on ``day``; False if it was already closed from chat."""
    if session.get(ClosedDay, day) is not None:
        return False
    session.add(
        ClosedDay(day=day, reason=reason[:200], added_by_staff_id=by_staff_id, added_at=now)
    )
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="calendar.closed_day_added",
        subject_type="calendar",
        subject_id=None,
        details={"day": day.isoformat(), "reason": reason},
    )
    return True


def meeting_changes(session: Session) -> dict[str, date]:
    """``{"2025-01": date(2025, 1, 21)}``: months whose staff meeting was moved."""
    return {change.month: change.day for change in session.exec(select(MeetingChange)).all()}


def move_meeting(
    session: Session, month: str, day: date, *, by_staff_id: int, now: datetime
) -> None:
    """Move one month's staff meeting (a second move replaces the first)."""
    existing = session.get(MeetingChange, month)
    before = existing.day if existing is not None else None
    change = existing or MeetingChange(month=month, day=day)
    change.day, change.changed_by_staff_id, change.changed_at = day, by_staff_id, now
    session.add(change)
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="calendar.meeting_moved",
        subject_type="calendar",
        subject_id=None,
        details={
            "month": month,
            "to": day.isoformat(),
            "from": before.isoformat() if before else None,
        },
    )


def add_leave(
    session: Session,
    staff_id: int,
    starts_on: date,
    ends_on: date,
    *,
    by_staff_id: int,
    now: datetime,
    acting_staff_id: int | None = None,
    chosen_by_director: bool = False,
) -> Leave:
    leave = Leave(
        staff_id=staff_id,
        starts_on=starts_on,
        ends_on=ends_on,
        acting_staff_id=acting_staff_id,
        acting_chosen_by_director=chosen_by_director,
        created_by_staff_id=by_staff_id,
        created_at=now,
    )
    session.add(leave)
    session.flush()
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="staff.leave_recorded",
        subject_type="staff",
        subject_id=staff_id,
        details={
            "from": starts_on.isoformat(),
            "to": ends_on.isoformat(),
            "acting": acting_staff_id,
            "chosen_by_director": chosen_by_director,
        },
    )
    return leave


def _covering(day: date) -> tuple[ColumnElement[bool], ...]:
    """A leave that is in force on ``day``."""
    return (
        col(Leave.starts_on) <= day,
        col(Leave.ends_on) >= day,
        col(Leave.cancelled_at).is_(None),
    )


def leave_on(session: Session, staff_id: int, day: date) -> Leave | None:
    """The leave covering ``day`` for this person, if any."""
    query = select(Leave).where(Leave.staff_id == staff_id, *_covering(day))
    return session.exec(query.order_by(col(Leave.ends_on).desc())).first()


def on_leave(session: Session, day: date) -> dict[int, Leave]:
    """Everyone away on ``day``, by staff id."""
    query = select(Leave).where(*_covering(day))
    return {leave.staff_id: leave for leave in session.exec(query).all()}


def acting_for(session: Session, staff_id: int, day: date) -> Staff | None:
    """Who acts for ``staff_id`` on ``day`` (ผู้รักษาราชการแทน), if they are away and named one."""
    leave = leave_on(session, staff_id, day)
    if leave is None or leave.acting_staff_id is None:
        return None
    acting = session.get(Staff, leave.acting_staff_id)
    return acting if acting is not None and acting.active else None


def acting_leave(session: Session, staff_id: int, day: date) -> Leave | None:
    """The leave by which someone acts for ``staff_id`` on ``day``, if they are away and named
    an active acting officer."""
    leave = leave_on(session, staff_id, day)
    if leave is None or leave.acting_staff_id is None:
        return None
    acting = session.get(Staff, leave.acting_staff_id)
    return leave if acting is not None and acting.active else None


def leaves_of(session: Session, staff_id: int) -> Sequence[Leave]:
    query = select(Leave).where(Leave.staff_id == staff_id, col(Leave.cancelled_at).is_(None))
    return session.exec(query.order_by(col(Leave.starts_on))).all()


def is_acting(session: Session, staff_id: int, day: date) -> bool:
    """Whether ``staff_id`` acts for someone on leave on ``day``."""
    query = select(Leave.id).where(Leave.acting_staff_id == staff_id, *_covering(day))
    return session.exec(query.limit(1)).first() is not None
