"""What the coordinator and the director look at: who has reported, rates, escalations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.models import (
    Assignment,
    AuditEvent,
    Obligation,
    Period,
    Project,
    Staff,
    StaffGroup,
    WorkGroup,
)

ANSWERS = ("assignment.reminded_again", "assignment.excused", "assignment.director_will_order")


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One assignment of a period, as the coordinator's board shows it."""

    assignment: Assignment
    owner_name: str
    owner_name_en: str
    group_ids: tuple[int, ...]
    reachable: bool
    project_code: str = ""  # a per-project obligation's project
    project_name: str = ""


def current_period(session: Session, obligation_id: int, *, due_before: datetime) -> Period | None:
    """The obligation's live period: the latest one due before ``due_before``."""
    query = (
        select(Period)
        .where(Period.obligation_id == obligation_id, col(Period.due_at) <= due_before)
        .order_by(col(Period.due_at).desc())
    )
    return session.exec(query).first()


def earlier_periods(
    session: Session, obligation_id: int, *, before: datetime, limit: int
) -> Sequence[Period]:
    query = (
        select(Period)
        .where(Period.obligation_id == obligation_id, col(Period.due_at) < before)
        .order_by(col(Period.due_at).desc())
        .limit(limit)
    )
    return session.exec(query).all()


def obligation_by_key(session: Session, key: str) -> Obligation | None:
    return session.exec(select(Obligation).where(Obligation.key == key)).first()


def board(session: Session, period_id: int) -> list[BoardRow]:
    """Every assignment of a period with its owner's name and groups."""
    rows = session.exec(
        select(Assignment, Staff, WorkGroup, Project)
        .join(Staff, col(Staff.id) == col(Assignment.staff_id), isouter=True)
        .join(WorkGroup, col(WorkGroup.id) == col(Assignment.group_id), isouter=True)
        .join(Project, col(Project.id) == col(Assignment.project_id), isouter=True)
        .where(Assignment.period_id == period_id)
        .order_by(col(Assignment.id))
    ).all()
    memberships = _memberships(session, {s.id for _, s, _, _ in rows if s is not None and s.id})
    result = []
    for assignment, staff, group, project in rows:
        about = (project.code, project.name) if project is not None else ("", "")
        if staff is not None:
            result.append(
                BoardRow(
                    assignment,
                    staff.full_name,
                    staff.full_name,
                    memberships.get(staff.id or 0, ()),
                    staff.reachable,
                    *about,
                )
            )
        elif group is not None:
            result.append(
                BoardRow(assignment, group.name_th, group.name_en, (group.id or 0,), True, *about)
            )
    return result


def _memberships(session: Session, staff_ids: set[int]) -> dict[int, tuple[int, ...]]:
    if not staff_ids:
        return {}
    found: dict[int, list[int]] = {}
    query = select(StaffGroup).where(col(StaffGroup.staff_id).in_(staff_ids))
    for link in session.exec(query).all():
        found.setdefault(link.staff_id, []).append(link.group_id)
    return {staff_id: tuple(sorted(ids)) for staff_id, ids in found.items()}


def fiscal_year_board(
    session: Session, fiscal_year: int, *, due_before: datetime
) -> list[tuple[Obligation, Period, BoardRow]]:
    """Every assignment of the fiscal year that has come due, for rates and digests."""
    periods = session.exec(
        select(Period, Obligation)
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .where(Period.fiscal_year == fiscal_year, col(Period.due_at) <= due_before)
        .order_by(col(Period.due_at))
    ).all()
    return [
        (obligation, period, row)
        for period, obligation in periods
        for row in board(session, period.id or 0)
    ]


def person_history(
    session: Session, staff_id: int, fiscal_year: int
) -> list[tuple[Obligation, Period, Assignment]]:
    rows = session.exec(
        select(Obligation, Period, Assignment)
        .join(Period, col(Period.obligation_id) == col(Obligation.id))
        .join(Assignment, col(Assignment.period_id) == col(Period.id))
        .where(Assignment.staff_id == staff_id, Period.fiscal_year == fiscal_year)
        .order_by(col(Period.due_at))
    ).all()
    return [(o, p, a) for o, p, a in rows]


def escalated_between(
    session: Session, start: datetime, end: datetime
) -> list[tuple[Obligation, Period, BoardRow, list[AuditEvent]]]:
    """Assignments escalated in ``[start, end]``, with what the director answered since."""
    found = session.exec(
        select(Assignment.id, Period, Obligation)
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .where(col(Assignment.escalated_at) >= start, col(Assignment.escalated_at) <= end)
        .order_by(col(Assignment.escalated_at))
    ).all()
    ids = {assignment_id for assignment_id, _, _ in found if assignment_id}
    answers = _answers(session, ids)
    boards = {
        row.assignment.id: row
        for _, period, _ in found
        for row in board(session, period.id or 0)
        if row.assignment.id in ids
    }
    return [
        (obligation, period, boards[aid], answers.get(aid or 0, []))
        for aid, period, obligation in found
        if aid in boards
    ]


def _answers(session: Session, assignment_ids: set[int]) -> dict[int, list[AuditEvent]]:
    if not assignment_ids:
        return {}
    events = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "assignment",
            col(AuditEvent.subject_id).in_(assignment_ids),
            col(AuditEvent.action).in_(ANSWERS),
        )
        .order_by(col(AuditEvent.id))
    ).all()
    found: dict[int, list[AuditEvent]] = {}
    for event in events:
        found.setdefault(event.subject_id or 0, []).append(event)
    return found


def count_open_past_due(session: Session, now: datetime) -> int:
    query = (
        select(func.count())
        .select_from(Assignment)
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .where(col(Period.due_at) < now, col(Assignment.status).in_(("pending", "escalated")))
    )
    return int(session.exec(query).one())
