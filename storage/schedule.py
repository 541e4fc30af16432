"""Obligations, periods and assignments: the schedule, kept in the database.

The tick reads only assignments whose ``next_action_at`` has come (an index scan) and advances
each one with a conditional UPDATE, so two ticks racing each other act once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from storage import audit
from storage.db import execute_bulk, table_of
from storage.models import (
    Assignment,
    AssignmentStatus,
    Obligation,
    OutboxMessage,
    Period,
    Project,
    Role,
    Staff,
    StaffGroup,
    StaffRole,
    WorkGroup,
)
from storage.people import Person

OPEN_STATUSES = (AssignmentStatus.PENDING.value, AssignmentStatus.ESCALATED.value)


@dataclass(frozen=True, slots=True)
class ObligationSpec:
    """An obligation as the config file describes it (plain data for this layer)."""

    key: str
    title_th: str
    title_en: str
    measure: str
    ita_indicators: list[str]
    owners: dict[str, Any]
    recurrence: dict[str, Any]
    onward: dict[str, Any] | None
    ladder_key: str
    on_closed_day: str


@dataclass(frozen=True, slots=True)
class PeriodSpec:
    key: str
    fiscal_year: int
    due_at: datetime
    quarter: int | None
    month: int | None
    onward_due_at: datetime | None
    onward_action_at: datetime | None


def sync_obligations(session: Session, specs: Iterable[ObligationSpec], *, now: datetime) -> None:
    """Mirror the config's obligations; retire (not delete) those the config dropped."""
    wanted = {spec.key: spec for spec in specs}
    existing = {o.key: o for o in session.exec(select(Obligation)).all()}
    for key, spec in wanted.items():
        row = existing.get(key) or Obligation(key=key, title_th="", title_en="", measure="")
        for name in ObligationSpec.__dataclass_fields__:
            setattr(row, name, getattr(spec, name))
        row.active, row.source, row.updated_at = True, "config", now
        session.add(row)
    for key, row in existing.items():
        if key not in wanted and row.source == "config" and row.active:
            row.active, row.updated_at = False, now
            session.add(row)
    session.flush()


def active_obligations(session: Session) -> Sequence[Obligation]:
    query = select(Obligation).where(col(Obligation.active)).order_by(col(Obligation.id))
    return session.exec(query).all()


def ensure_periods(
    session: Session, obligation_id: int, specs: Iterable[PeriodSpec], *, now: datetime
) -> list[Period]:
    """Insert missing periods; move a period whose dates the config changed.

    Open assignments of a moved period are woken (``next_action_at = now``) so that the
    next tick re-plans them from the new dates.
    """
    existing = {
        p.key: p
        for p in session.exec(select(Period).where(Period.obligation_id == obligation_id)).all()
    }
    result = []
    for spec in specs:
        period = existing.get(spec.key)
        if period is None:
            period = Period(obligation_id=obligation_id, **_period_fields(spec))
            session.add(period)
        elif period.due_at != spec.due_at or period.onward_due_at != spec.onward_due_at:
            for name, value in _period_fields(spec).items():
                setattr(period, name, value)
            session.add(period)
            _wake_open_assignments(session, period, now)
        result.append(period)
    session.flush()
    return result


def _period_fields(spec: PeriodSpec) -> dict[str, Any]:
    return {
        "key": spec.key,
        "fiscal_year": spec.fiscal_year,
        "due_at": spec.due_at,
        "quarter": spec.quarter,
        "month": spec.month,
        "onward_due_at": spec.onward_due_at,
        "onward_action_at": spec.onward_action_at,
    }


def _wake_open_assignments(session: Session, period: Period, now: datetime) -> None:
    if period.id is None:
        return
    execute_bulk(
        session,
        update(Assignment)
        .where(
            col(Assignment.period_id) == period.id,
            col(Assignment.status).in_(OPEN_STATUSES),
            col(Assignment.next_action_at).is_not(None),
        )
        .values(next_action_at=now),
    )


@dataclass(frozen=True, slots=True)
class Owner:
    """Who owes a period: one person (``staff_id``) or a whole group (``group_id``); for a
    per-project obligation, for one project (``project_id``, the key: one assignment a
    project, so that two projects of one person are two assignments)."""

    staff_id: int | None = None
    group_id: int | None = None
    project_id: int | None = None

    @property
    def key(self) -> str:
        if self.project_id is not None:
            return f"project:{self.project_id}"
        return f"staff:{self.staff_id}" if self.staff_id is not None else f"group:{self.group_id}"


def resolve_owners(session: Session, owners: dict[str, Any]) -> list[Owner]:
    """The config's owner description as concrete, active people and groups."""
    group_ids = _group_ids(session, owners.get("each_member_of", []))
    staff_ids: set[int] = set()
    if group_ids:
        staff_ids |= set(
            session.exec(
                select(StaffGroup.staff_id)
                .join(Staff, col(Staff.id) == col(StaffGroup.staff_id))
                .where(col(StaffGroup.group_id).in_(group_ids), col(Staff.active))
            ).all()
        )
    roles = owners.get("each_with_role", [])
    if roles:
        staff_ids |= set(
            session.exec(
                select(StaffRole.staff_id)
                .join(Staff, col(Staff.id) == col(StaffRole.staff_id))
                .where(col(StaffRole.role).in_(roles), col(Staff.active))
            ).all()
        )
    headed = _group_ids(session, owners.get("head_of", []))
    if headed:  # the group's head (ผอ.กลุ่ม): the group-head role, in that group
        staff_ids |= set(
            session.exec(
                select(StaffRole.staff_id)
                .join(Staff, col(Staff.id) == col(StaffRole.staff_id))
                .join(StaffGroup, col(StaffGroup.staff_id) == col(StaffRole.staff_id))
                .where(
                    StaffRole.role == Role.GROUP_HEAD.value,
                    col(StaffGroup.group_id).in_(headed),
                    col(Staff.active),
                )
            ).all()
        )
    whole_groups = _group_ids(session, owners.get("groups", []))
    return [Owner(staff_id=s) for s in sorted(staff_ids)] + [
        Owner(group_id=g) for g in sorted(whole_groups)
    ]


def _group_ids(session: Session, keys: list[str]) -> list[int]:
    if not keys:
        return []
    query = select(WorkGroup.id).where(col(WorkGroup.key).in_(keys), col(WorkGroup.active))
    return [group_id for group_id in session.exec(query).all() if group_id is not None]


def is_per_project(owners: dict[str, Any]) -> bool:
    """The obligation is owed once per project of the register (``owners.per_project``)."""
    return bool(owners.get("per_project"))


@dataclass(frozen=True, slots=True)
class ProjectDuty:
    """An open project of a fiscal year and who owes its per-project reports (``owner``
    None: nobody), with the names ``preview`` shows."""

    code: str
    name: str
    owner: Owner | None
    person: str | None  # the responsible person's registered name, when they owe it
    group_th: str | None  # the group, when the group as a whole owes it
    group_en: str | None


def project_duties(session: Session, fiscal_year: int) -> list[ProjectDuty]:
    """Who owes each open project of a fiscal year, by code: its responsible person while
    active; a project whose person was not matched (or has left) is owed by its group as a
    whole; one with neither is owed by no one (``preview`` says so)."""
    query = (
        select(Project, Staff, WorkGroup)
        .join(Staff, col(Staff.id) == col(Project.staff_id), isouter=True)
        .join(WorkGroup, col(WorkGroup.id) == col(Project.group_id), isouter=True)
        .where(Project.fiscal_year == fiscal_year, col(Project.active).is_(True))
        .order_by(col(Project.code))
    )
    found = []
    for project, staff, group in session.exec(query).all():
        if staff is not None and staff.active:
            owner = Owner(staff_id=staff.id, project_id=project.id)
            found.append(
                ProjectDuty(project.code, project.name, owner, staff.full_name, None, None)
            )
        elif group is not None and group.active:
            owner = Owner(group_id=group.id, project_id=project.id)
            found.append(
                ProjectDuty(project.code, project.name, owner, None, group.name_th, group.name_en)
            )
        else:
            found.append(ProjectDuty(project.code, project.name, None, None, None, None))
    return found


def project_owners(session: Session, fiscal_year: int) -> list[Owner]:
    """The owners of the open projects of a fiscal year (:func:`project_duties`)."""
    return [duty.owner for duty in project_duties(session, fiscal_year) if duty.owner]


def ensure_project_assignments(session: Session, period: Period, *, now: datetime) -> int:
    """A per-project period: one assignment per open project of its fiscal year, owed by its
    responsible person; a project closed (or dropped from the sheet) since is withdrawn from
    the period while nothing about it has been sent (:func:`withdraw_closed_projects`)."""
    owners = project_owners(session, period.fiscal_year)
    withdraw_closed_projects(
        session, period, {o.project_id for o in owners if o.project_id}, now=now
    )
    hand_over_projects(session, period, owners, now=now)
    return ensure_assignments(session, period, owners, now=now)


def _untouched(period_id: int) -> Any:
    """An assignment of the period nobody has heard of: pending, no ladder step come, no
    message about it in the outbox."""
    touched = select(OutboxMessage.id).where(col(OutboxMessage.assignment_id) == col(Assignment.id))
    return and_(
        col(Assignment.period_id) == period_id,
        col(Assignment.status) == AssignmentStatus.PENDING.value,
        col(Assignment.next_step) == 0,
        ~touched.exists(),
    )


def hand_over_projects(
    session: Session, period: Period, owners: Iterable[Owner], *, now: datetime
) -> list[int]:
    """A project whose person (or group) the sheet changed: its untouched assignments of
    ``period`` pass to the new owner (audited); one already reminded stays with whoever was
    told, as a withdrawal does."""
    assert period.id is not None
    wanted = {o.project_id: o for o in owners if o.project_id is not None}
    query = select(Assignment).where(
        _untouched(period.id), col(Assignment.project_id).in_(list(wanted))
    )
    moved = []
    for assignment in session.exec(query).all():
        owner = wanted[assignment.project_id or 0]
        if (assignment.staff_id, assignment.group_id) == (owner.staff_id, owner.group_id):
            continue
        details = {
            "project_id": assignment.project_id,
            "from_staff_id": assignment.staff_id,
            "from_group_id": assignment.group_id,
            "to_staff_id": owner.staff_id,
            "to_group_id": owner.group_id,
        }
        assignment.staff_id, assignment.group_id = owner.staff_id, owner.group_id
        session.add(assignment)
        moved.append(assignment.id or 0)
        record_event(
            session,
            assignment.id or 0,
            "assignment.handed_over",
            now=now,
            actor="system:projects",
            details=details,
        )
    session.flush()
    return moved


def withdraw_closed_projects(
    session: Session, period: Period, open_projects: set[int], *, now: datetime
) -> list[int]:
    """The assignments of ``period`` for projects no longer open, withdrawn (deleted, with an
    audit event) only while untouched: still pending, no ladder step come (``next_step`` 0)
    and no message about it in the outbox. One already reminded, followed up, confirmed or
    excused stays as it is: the person was told, and the director or the coordinator
    decides (excuse it) — the bot never drops a duty someone has heard of."""
    assert period.id is not None
    query = select(Assignment.id, Assignment.project_id).where(
        _untouched(period.id),
        col(Assignment.project_id).is_not(None),
        col(Assignment.project_id).not_in(open_projects),
    )
    withdrawn = []
    for assignment_id, project_id in session.exec(query).all():
        result = execute_bulk(
            session,
            delete(Assignment).where(
                col(Assignment.id) == assignment_id,
                col(Assignment.status) == AssignmentStatus.PENDING.value,
                col(Assignment.next_step) == 0,
            ),
        )
        if getattr(result, "rowcount", 0) == 1 and assignment_id is not None:
            withdrawn.append(assignment_id)
            record_event(
                session,
                assignment_id,
                "assignment.withdrawn",
                now=now,
                actor="system:projects",
                details={"period_id": period.id, "project_id": project_id, "why": "closed"},
            )
    return withdrawn


def ensure_assignments(
    session: Session, period: Period, owners: Iterable[Owner], *, now: datetime
) -> int:
    """Create the missing assignments of one period; return how many were new.

    A new assignment is due for planning at once (``next_action_at = now``): the next tick
    works out which of its ladder steps come when.
    """
    assert period.id is not None
    have = set(
        session.exec(select(Assignment.owner_key).where(Assignment.period_id == period.id)).all()
    )
    created = 0
    for owner in owners:
        if owner.key in have:
            continue
        session.add(
            Assignment(
                period_id=period.id,
                owner_key=owner.key,
                staff_id=owner.staff_id,
                group_id=owner.group_id,
                project_id=owner.project_id,
                next_action_at=now,
                created_at=now,
            )
        )
        created += 1
    session.flush()
    return created


@dataclass(frozen=True, slots=True)
class DueAssignment:
    """One assignment whose next action has come, with what the planner needs."""

    assignment: Assignment
    period: Period
    obligation: Obligation
    project: Project | None = None  # a per-project obligation's project


def due_assignments(session: Session, *, now: datetime, limit: int) -> list[DueAssignment]:
    """Assignments whose ``next_action_at`` has come, oldest first (an index range scan)."""
    query = (
        select(Assignment, Period, Obligation, Project)
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .join(Project, col(Project.id) == col(Assignment.project_id), isouter=True)
        .where(col(Assignment.next_action_at) <= now)
        .order_by(col(Assignment.next_action_at), col(Assignment.id))
        .limit(limit)
    )
    return [DueAssignment(a, p, o, j) for a, p, o, j in session.exec(query).all()]


def advance(
    session: Session,
    assignment: Assignment,
    *,
    next_step: int,
    next_action_at: datetime | None,
    status: str,
    followups_unanswered: int,
    escalated_at: datetime | None,
) -> bool:
    """Move an assignment along its ladder, only if nobody else has (a conditional UPDATE)."""
    result = execute_bulk(
        session,
        update(Assignment)
        .where(
            col(Assignment.id) == assignment.id,
            col(Assignment.next_step) == assignment.next_step,
            col(Assignment.status).in_(OPEN_STATUSES),
        )
        .values(
            next_step=next_step,
            next_action_at=next_action_at,
            status=status,
            followups_unanswered=followups_unanswered,
            escalated_at=escalated_at,
        ),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def stop(session: Session, assignment_id: int) -> None:
    """Nothing more to do for this assignment (its owner left, or the duty was retired)."""
    execute_bulk(
        session,
        update(Assignment).where(col(Assignment.id) == assignment_id).values(next_action_at=None),
    )


def earliest_action(session: Session) -> datetime | None:
    """When the tick next has something to do."""
    query = (
        select(Assignment.next_action_at)
        .where(col(Assignment.next_action_at).is_not(None))
        .order_by(col(Assignment.next_action_at))
        .limit(1)
    )
    value = session.exec(query).first()
    return value if isinstance(value, datetime) else None


def due_onward_reminders(session: Session, *, now: datetime) -> Sequence[tuple[Period, Obligation]]:
    query = (
        select(Period, Obligation)
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .where(col(Period.onward_action_at) <= now)
        .order_by(col(Period.onward_action_at))
    )
    return [(p, o) for p, o in session.exec(query).all()]


def earliest_onward(session: Session) -> datetime | None:
    query = (
        select(Period.onward_action_at)
        .where(col(Period.onward_action_at).is_not(None))
        .order_by(col(Period.onward_action_at))
        .limit(1)
    )
    value = session.exec(query).first()
    return value if isinstance(value, datetime) else None


def clear_onward(session: Session, period_id: int) -> bool:
    result = execute_bulk(
        session,
        update(Period)
        .where(col(Period.id) == period_id, col(Period.onward_action_at).is_not(None))
        .values(onward_action_at=None),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def period_assignments(session: Session, period_id: int) -> Sequence[Assignment]:
    query = select(Assignment).where(Assignment.period_id == period_id)
    return session.exec(query.order_by(col(Assignment.id))).all()


def record_event(
    session: Session,
    assignment_id: int,
    action: str,
    *,
    now: datetime,
    actor: str,
    actor_staff_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        at=now,
        actor=actor,
        actor_staff_id=actor_staff_id,
        action=action,
        subject_type="assignment",
        subject_id=assignment_id,
        details=details,
    )


def period_counts(session: Session, period_id: int) -> dict[str, int]:
    """How many assignments of a period are in each status."""
    counts = {status.value: 0 for status in AssignmentStatus}
    for status in session.exec(
        select(Assignment.status).where(Assignment.period_id == period_id)
    ).all():
        counts[status] = counts.get(status, 0) + 1
    return counts


class ConfirmOutcome(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    ALREADY = "already"  # confirmed (or excused) before: nothing changes
    NOT_ALLOWED = "not_allowed"  # someone else's duty
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class Duty:
    """An assignment with its period and obligation (and project), as people see it."""

    assignment: Assignment
    period: Period
    obligation: Obligation
    project: Project | None = None  # a per-project obligation's project


# The statements of a confirmation press, built once: a press is the bot's busiest path, and
# building a statement costs more than running it.
_DUTY = (
    select(Assignment, Period, Obligation, Project)
    .join(Period, col(Period.id) == col(Assignment.period_id))
    .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
    .join(Project, col(Project.id) == col(Assignment.project_id), isouter=True)
    .where(col(Assignment.id) == bindparam("assignment_id"))
)
_CONFIRM = (
    table_of(Assignment)
    .update()
    .where(
        table_of(Assignment).c.id == bindparam("assignment_id"),
        table_of(Assignment).c.status.in_(OPEN_STATUSES),
    )
    .values(
        status=bindparam("status"),
        confirmed_at=bindparam("confirmed_at"),
        confirmed_by_staff_id=bindparam("confirmed_by_staff_id"),
        next_action_at=bindparam("next_action_at"),
    )
)


def duty(session: Session, assignment_id: int) -> Duty | None:
    row = session.exec(_DUTY, params={"assignment_id": assignment_id}).first()
    return Duty(*row) if row else None


def may_confirm(assignment: Assignment, person: Person) -> bool:
    """The owner; for a group's duty, any member of that group (the group head included)."""
    if assignment.staff_id is not None:
        return assignment.staff_id == person.id
    return any(group.id == assignment.group_id for group in person.groups)


def confirm(
    session: Session,
    assignment_id: int,
    *,
    person: Person,
    now: datetime,
    via: str,
    received_at: datetime | None = None,
    on_behalf: bool = False,
) -> tuple[ConfirmOutcome, Duty | None]:
    """Record "sent": on time or late by the due instant, with its audit event, at once.

    ``received_at`` is when a paper submission arrived (the coordinator marks it on the
    owner's behalf, ``on_behalf``); otherwise the confirmation time is ``now``.
    """
    found = duty(session, assignment_id)
    if found is None:
        return ConfirmOutcome.NOT_FOUND, None
    if not on_behalf and not may_confirm(found.assignment, person):
        return ConfirmOutcome.NOT_ALLOWED, found
    submitted = received_at or now
    late = submitted > found.period.due_at
    status = AssignmentStatus.LATE if late else AssignmentStatus.ON_TIME
    changes = {
        "status": status.value,
        "confirmed_at": submitted,
        "confirmed_by_staff_id": person.id,
        "next_action_at": None,
    }
    result = session.connection().execute(_CONFIRM, {"assignment_id": assignment_id, **changes})
    if result.rowcount != 1:  # confirmed meanwhile, by another press or process
        return ConfirmOutcome.ALREADY, found
    record_event(
        session,
        assignment_id,
        "assignment.confirmed",
        now=now,
        **audit.by_staff(person.id),
        details={"status": status.value, "via": via, "submitted_at": submitted.isoformat()},
    )
    for name, value in changes.items():  # what was written, without reading it back
        set_committed_value(found.assignment, name, value)
    return (ConfirmOutcome.LATE if late else ConfirmOutcome.ON_TIME), found


def attach_evidence(
    session: Session,
    assignment_id: int,
    *,
    person: Person,
    file_id: str,
    file_name: str,
    path: str | None,
    now: datetime,
) -> bool:
    """Keep the evidence file with a confirmation the person may touch."""
    found = duty(session, assignment_id)
    if found is None or not may_confirm(found.assignment, person):
        return False
    assignment = found.assignment
    assignment.evidence_file_id, assignment.evidence_file_name = file_id, file_name[:300]
    assignment.evidence_path = path
    session.add(assignment)
    record_event(
        session,
        assignment_id,
        "assignment.evidence_attached",
        now=now,
        **audit.by_staff(person.id),
        details={"file_name": file_name, "kept_locally": path is not None},
    )
    return True


def excuse(
    session: Session, assignment_id: int, *, person: Person, reason: str, now: datetime
) -> bool:
    """Excuse an open assignment (the director's or coordinator's decision), with the reason."""
    result = execute_bulk(
        session,
        update(Assignment)
        .where(col(Assignment.id) == assignment_id, col(Assignment.status).in_(OPEN_STATUSES))
        .values(status=AssignmentStatus.EXCUSED.value, next_action_at=None),
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    record_event(
        session,
        assignment_id,
        "assignment.excused",
        now=now,
        **audit.by_staff(person.id),
        details={"reason": reason},
    )
    return True


def open_duties(session: Session, person: Person, *, due_before: datetime) -> list[Duty]:
    """What a person still owes (their own, and their groups'), earliest due first.

    Periods further ahead than ``due_before`` are left out unless their ladder has started.
    """
    group_ids = [g.id for g in person.groups if g.id is not None]
    owned = col(Assignment.staff_id) == person.id
    if group_ids:
        owned = or_(owned, col(Assignment.group_id).in_(group_ids))
    query = (
        select(Assignment, Period, Obligation, Project)
        .join(Period, col(Period.id) == col(Assignment.period_id))
        .join(Obligation, col(Obligation.id) == col(Period.obligation_id))
        .join(Project, col(Project.id) == col(Assignment.project_id), isouter=True)
        .where(owned, col(Assignment.status).in_(OPEN_STATUSES))
        .where(or_(col(Period.due_at) <= due_before, col(Assignment.next_step) > 0))
        .order_by(col(Period.due_at), col(Assignment.id))
    )
    return [Duty(*row) for row in session.exec(query).all()]


def recipients(session: Session, assignment: Assignment) -> list[Staff]:
    """Who is reminded of an assignment: its owner, or every active member of its group."""
    if assignment.staff_id is not None:
        staff = session.get(Staff, assignment.staff_id)
        return [staff] if staff is not None and staff.active else []
    query = (
        select(Staff)
        .join(StaffGroup, col(StaffGroup.staff_id) == col(Staff.id))
        .where(StaffGroup.group_id == assignment.group_id, col(Staff.active))
        .order_by(col(Staff.id))
    )
    return list(session.exec(query).all())


def closed_among(session: Session, assignment_ids: set[int]) -> set[int]:
    """Which of these assignments are no longer open (confirmed or excused)."""
    if not assignment_ids:
        return set()
    query = select(Assignment.id).where(
        col(Assignment.id).in_(assignment_ids), col(Assignment.status).not_in(OPEN_STATUSES)
    )
    return {assignment_id for assignment_id in session.exec(query).all() if assignment_id}


def wake_all_open(session: Session, now: datetime) -> None:
    """The calendar changed: every open assignment is re-planned at the next tick."""
    execute_bulk(
        session,
        update(Assignment)
        .where(col(Assignment.status).in_(OPEN_STATUSES), col(Assignment.next_action_at) > now)
        .values(next_action_at=now),
    )


def add_one_off(
    session: Session, spec: ObligationSpec, *, by_staff_id: int, now: datetime
) -> Obligation | None:
    """A duty the coordinator adds from chat (a one-off); None if the key is taken."""
    if session.exec(select(Obligation).where(Obligation.key == spec.key)).first() is not None:
        return None
    row = Obligation(**{name: getattr(spec, name) for name in ObligationSpec.__dataclass_fields__})
    row.source, row.updated_at = "chat", now
    session.add(row)
    session.flush()
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="obligation.added",
        subject_type="obligation",
        subject_id=row.id,
        details={
            "key": spec.key,
            "title": spec.title_th,
            "recurrence": spec.recurrence,
            "owners": spec.owners,
        },
    )
    return row
