"""The project register (โครงการ ของแผนปฏิบัติราชการ): one row per project and fiscal year.

:func:`sync_projects` makes the register of a fiscal year say what the office's sheet says,
in the caller's transaction: a new code is added, a changed row is updated, a code no longer
in the sheet is closed (``active`` false, ``closed_at``) — never deleted, since reports may
name it — and one that comes back is opened again. Running it twice with the same rows
changes nothing. The sheet is read by ``jobs.projects.sheet``; this module only keeps rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import Project, Staff, WorkGroup


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """One project as the sheet gives it, already matched (group, person: ``None`` if not)."""

    code: str
    name: str
    budget_satang: int
    group_id: int | None
    staff_id: int | None


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one import changed: the codes added, updated (or opened again) and closed."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    closed: tuple[str, ...]
    unchanged: int


def sync_projects(
    session: Session, fiscal_year: int, rows: Iterable[ProjectRow], *, now: datetime
) -> SyncReport:
    """Make the register of ``fiscal_year`` match ``rows`` (their codes unique); idempotent."""
    wanted = {row.code: row for row in rows}
    existing = {
        project.code: project
        for project in session.exec(select(Project).where(Project.fiscal_year == fiscal_year))
    }
    added: list[str] = []
    updated: list[str] = []
    closed: list[str] = []
    unchanged = 0
    for code, row in wanted.items():
        project = existing.get(code)
        if project is None:
            session.add(
                Project(
                    fiscal_year=fiscal_year,
                    code=code,
                    name=row.name,
                    budget_satang=row.budget_satang,
                    group_id=row.group_id,
                    staff_id=row.staff_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            added.append(code)
        elif _differs(project, row):
            project.name, project.budget_satang = row.name, row.budget_satang
            project.group_id, project.staff_id = row.group_id, row.staff_id
            project.active, project.closed_at, project.updated_at = True, None, now
            session.add(project)
            updated.append(code)
        else:
            unchanged += 1
    for code, project in existing.items():
        if code not in wanted and project.active:
            project.active, project.closed_at, project.updated_at = False, now, now
            session.add(project)
            closed.append(code)
    session.flush()
    return SyncReport(tuple(added), tuple(updated), tuple(closed), unchanged)


def _differs(project: Project, row: ProjectRow) -> bool:
    return not project.active or (
        project.name,
        project.budget_satang,
        project.group_id,
        project.staff_id,
    ) != (row.name, row.budget_satang, row.group_id, row.staff_id)


def projects_of_year(
    session: Session, fiscal_year: int, *, include_closed: bool = False
) -> Sequence[Project]:
    """The projects of a fiscal year, by code (the active ones unless ``include_closed``)."""
    query = select(Project).where(Project.fiscal_year == fiscal_year)
    if not include_closed:
        query = query.where(col(Project.active).is_(True))
    return session.exec(query.order_by(col(Project.code))).all()


def projects_of_staff(session: Session, staff_id: int, fiscal_year: int) -> Sequence[Project]:
    """The active projects a person is responsible for in a fiscal year, by code."""
    query = select(Project).where(
        Project.fiscal_year == fiscal_year,
        Project.staff_id == staff_id,
        col(Project.active).is_(True),
    )
    return session.exec(query.order_by(col(Project.code))).all()


def registered_names(session: Session) -> list[tuple[int, str]]:
    """(staff id, the name they registered with) of everyone active: whom a sheet may name."""
    query = select(Staff.id, Staff.full_name).where(col(Staff.active).is_(True))
    return [(staff_id, name) for staff_id, name in session.exec(query) if staff_id is not None]


@dataclass(frozen=True, slots=True)
class ProjectLine:
    """One open project as /projects lists it: the group's names and the person's, resolved."""

    code: str
    name: str
    budget_satang: int
    group_id: int | None
    group_th: str | None
    group_en: str | None
    person: str | None


def register_of_year(session: Session, fiscal_year: int) -> list[ProjectLine]:
    """The open projects of a fiscal year, by group (in the config's order) and code."""
    query = (
        select(Project, WorkGroup, Staff)
        .join(WorkGroup, col(WorkGroup.id) == col(Project.group_id), isouter=True)
        .join(Staff, col(Staff.id) == col(Project.staff_id), isouter=True)
        .where(Project.fiscal_year == fiscal_year, col(Project.active).is_(True))
        .order_by(col(WorkGroup.id).is_(None), col(WorkGroup.id), col(Project.code))
    )
    return [
        ProjectLine(
            project.code,
            project.name,
            project.budget_satang,
            project.group_id,
            group.name_th if group else None,
            group.name_en if group else None,
            staff.full_name if staff else None,
        )
        for project, group, staff in session.exec(query)
    ]
