"""What the fiscal-year export reads: every period and assignment of a year, and the audit log.

Three queries give the year's rows (the rows with their owners, the owners' work groups, the
confirmation and excuse events) and one gives the audit log, whatever the size of the office.
Rows are sorted here, in Python, so that SQLite and PostgreSQL (whose collations differ) give
the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, not_, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, col

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

CONFIRMED = "assignment.confirmed"
COMPLAINT_EVENTS = "complaint."  # every action of the complaint channel starts so
EXCUSED = "assignment.excused"


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One assignment of one period (or a period nobody was assigned: ``assignment_id`` None).

    The owner's work groups are their memberships today, not when the period was due.
    """

    obligation_key: str
    title_th: str
    title_en: str
    measure: str
    ita_indicators: tuple[str, ...]
    period_key: str
    fiscal_year: int
    quarter: int | None
    month: int | None
    due_at: datetime
    onward_due_at: datetime | None
    assignment_id: int | None
    owner_name_th: str | None
    owner_name_en: str | None
    owner_is_group: bool
    owner_groups_th: tuple[str, ...]
    owner_groups_en: tuple[str, ...]
    status: str | None
    confirmed_at: datetime | None
    confirmed_by: str | None
    via: str | None
    evidence_file_name: str | None
    followups_unanswered: int
    escalated_at: datetime | None
    excuse_reason: str | None
    recurrence: dict[str, Any] = field(default_factory=dict)  # the obligation's, as stored
    project_code: str | None = None  # a per-project obligation's project
    project_name: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit event, with the name of the person who acted when it was a person."""

    id: int
    at: datetime
    actor: str
    actor_staff_id: int | None
    actor_name: str | None
    action: str
    subject_type: str
    subject_id: int | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Memberships:
    th: dict[int, tuple[str, ...]]
    en: dict[int, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class _Events:
    via: dict[int, str]
    reason: dict[int, str]


def _year_assignment_ids(fiscal_year: int) -> Select[Any]:
    return (
        select(col(Assignment.id))
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .where(col(Period.fiscal_year) == fiscal_year)
    )


def fiscal_year_rows(session: Session, fiscal_year: int) -> list[ReportRow]:
    """Every period of the fiscal year (B.E.) with each of its assignments.

    Ordered by obligation (the config's order), due date, period, owner's name.
    """
    found = list(session.execute(_rows_query(fiscal_year)).all())
    found.sort(key=_order)
    memberships = _memberships(session, fiscal_year)
    events = _events(session, fiscal_year)
    return [_row(item, memberships, events) for item in found]


_OWNER = sa_inspect(Staff).local_table.alias("owner")
_CONFIRMER = sa_inspect(Staff).local_table.alias("confirmer")
_RawRow = tuple[
    Obligation, Period, Assignment | None, str | None, WorkGroup | None, str | None, Project | None
]


def _rows_query(fiscal_year: int) -> Select[Any]:
    return (
        select(
            Obligation,
            Period,
            Assignment,
            _OWNER.c.full_name,
            WorkGroup,
            _CONFIRMER.c.full_name,
            Project,
        )
        .select_from(Period)
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .outerjoin(Assignment, col(Assignment.period_id) == col(Period.id))
        .outerjoin(_OWNER, _OWNER.c.id == col(Assignment.staff_id))
        .outerjoin(WorkGroup, col(WorkGroup.id) == col(Assignment.group_id))
        .outerjoin(_CONFIRMER, _CONFIRMER.c.id == col(Assignment.confirmed_by_staff_id))
        .outerjoin(Project, col(Project.id) == col(Assignment.project_id))
        .where(col(Period.fiscal_year) == fiscal_year)
    )


def _order(item: _RawRow) -> tuple[int, datetime, str, str, str, int]:
    obligation, period, assignment, owner_name, group, _, project = item
    name = owner_name or (group.name_th if group else "")
    return (
        obligation.id or 0,
        period.due_at,
        period.key,
        name,
        project.code if project else "",
        (assignment.id or 0) if assignment else 0,
    )


def _memberships(session: Session, fiscal_year: int) -> _Memberships:
    """The work groups of every person who owes something this year (one query)."""
    owners = (
        select(col(Assignment.staff_id))
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .where(col(Period.fiscal_year) == fiscal_year, col(Assignment.staff_id).is_not(None))
    )
    query = (
        select(col(StaffGroup.staff_id), col(WorkGroup.name_th), col(WorkGroup.name_en))
        .join(WorkGroup, col(WorkGroup.id) == col(StaffGroup.group_id))
        .where(col(StaffGroup.staff_id).in_(owners))
        .order_by(col(WorkGroup.id))
    )
    th: dict[int, tuple[str, ...]] = {}
    en: dict[int, tuple[str, ...]] = {}
    for staff_id, name_th, name_en in session.execute(query).all():
        th[staff_id] = (*th.get(staff_id, ()), name_th)
        en[staff_id] = (*en.get(staff_id, ()), name_en)
    return _Memberships(th, en)


def _events(session: Session, fiscal_year: int) -> _Events:
    """How each confirmation came in, and why each excuse was given (one query)."""
    query = (
        select(col(AuditEvent.subject_id), col(AuditEvent.action), col(AuditEvent.details))
        .where(
            col(AuditEvent.subject_type) == "assignment",
            col(AuditEvent.action).in_((CONFIRMED, EXCUSED)),
            col(AuditEvent.subject_id).in_(_year_assignment_ids(fiscal_year)),
        )
        .order_by(col(AuditEvent.id))
    )
    via: dict[int, str] = {}
    reason: dict[int, str] = {}
    for subject_id, action, details in session.execute(query).all():
        if subject_id is None or not isinstance(details, dict):
            continue
        target, key = (via, "via") if action == CONFIRMED else (reason, "reason")
        if details.get(key) is not None:
            target[subject_id] = str(details[key])
    return _Events(via, reason)


def _row(item: _RawRow, memberships: _Memberships, events: _Events) -> ReportRow:
    obligation, period, assignment, owner_name, group, confirmed_by, project = item
    staff_id = assignment.staff_id if assignment else None
    aid = assignment.id if assignment else None
    groups_th: tuple[str, ...]
    groups_en: tuple[str, ...]
    if group is not None:
        groups_th, groups_en = (group.name_th,), (group.name_en,)
    else:
        groups_th = memberships.th.get(staff_id or 0, ())
        groups_en = memberships.en.get(staff_id or 0, ())
    return ReportRow(
        obligation_key=obligation.key,
        title_th=obligation.title_th,
        title_en=obligation.title_en,
        measure=obligation.measure,
        ita_indicators=tuple(obligation.ita_indicators),
        period_key=period.key,
        fiscal_year=period.fiscal_year,
        quarter=period.quarter,
        month=period.month,
        due_at=period.due_at,
        onward_due_at=period.onward_due_at,
        assignment_id=aid,
        owner_name_th=owner_name or (group.name_th if group else None),
        owner_name_en=owner_name or (group.name_en if group else None),
        owner_is_group=group is not None,
        owner_groups_th=groups_th,
        owner_groups_en=groups_en,
        status=assignment.status if assignment else None,
        confirmed_at=assignment.confirmed_at if assignment else None,
        confirmed_by=confirmed_by,
        via=events.via.get(aid or 0),
        evidence_file_name=assignment.evidence_file_name if assignment else None,
        followups_unanswered=assignment.followups_unanswered if assignment else 0,
        escalated_at=assignment.escalated_at if assignment else None,
        excuse_reason=events.reason.get(aid or 0),
        recurrence=dict(obligation.recurrence),
        project_code=project.code if project else None,
        project_name=project.name if project else None,
    )


def audit_rows(
    session: Session, *, start: datetime, end: datetime, fiscal_year: int | None = None
) -> list[AuditRow]:
    """Audit events in ``[start, end)``, oldest first, with the acting person's name.

    With ``fiscal_year``, also the events about that year's assignments that happened
    outside the window (the last quarter's report is confirmed after the year ends).
    Never the complaint channel's events: the workbook goes to the coordinator, and
    complaints are the director's and the named handlers' alone.
    """
    in_window = and_(col(AuditEvent.at) >= start, col(AuditEvent.at) < end)
    about_year = (
        and_(
            col(AuditEvent.subject_type) == "assignment",
            col(AuditEvent.subject_id).in_(_year_assignment_ids(fiscal_year)),
        )
        if fiscal_year is not None
        else false()
    )
    query = (
        select(AuditEvent, col(Staff.full_name))
        .outerjoin(Staff, col(Staff.id) == col(AuditEvent.actor_staff_id))
        .where(or_(in_window, about_year))
        .where(not_(col(AuditEvent.action).startswith(COMPLAINT_EVENTS)))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    return [_audit_row(event, name) for event, name in session.execute(query).all()]


def _audit_row(event: AuditEvent, actor_name: str | None) -> AuditRow:
    return AuditRow(
        id=event.id or 0,
        at=event.at,
        actor=event.actor,
        actor_staff_id=event.actor_staff_id,
        actor_name=actor_name,
        action=event.action,
        subject_type=event.subject_type,
        subject_id=event.subject_id,
        details=dict(event.details or {}),
    )


def obligation_keys(rows: Iterable[ReportRow]) -> list[str]:
    """The obligations among ``rows``, in their order, each once."""
    return list(dict.fromkeys(row.obligation_key for row in rows))
