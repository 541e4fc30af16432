"""What the reporting calendar is computed from, read in one transaction: the engine's own
view of who owes what (``Planner.config_of`` for each active obligation, ``resolve_owners``
for its owners, or the project register's persons for a per-project one), the calendar and
the meeting as changed from chat, and the people."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.settings import Obligation as ObligationConfig
from jobs.settings import Settings
from jobs.yearplan.plan import Change, Duty, Inputs
from storage import office, people, schedule
from storage.models import AuditEvent, Role
from storage.people import Person

OVERSEERS = (Role.COORDINATOR, Role.DIRECTOR, Role.ADMIN)
"""Who receives (and may ask for) the whole office's calendar rather than their own."""


@dataclass(frozen=True)
class Office:
    """The inputs and the people (active, in registration order)."""

    inputs: Inputs
    people: Sequence[Person]

    def person(self, staff_id: int) -> Person | None:
        return next((p for p in self.people if p.id == staff_id), None)


def load_office(
    session: Session, settings: Settings, today: date, fiscal_year: int | None = None
) -> Office:
    """The office as of ``today``; a per-project report is owed, period by period, by the
    persons (or groups) responsible for the open projects of the period's fiscal year (read
    for the years around today's and around ``fiscal_year``)."""
    around = {fiscal_year_of(today), fiscal_year if fiscal_year is not None else 0}
    years = sorted({y + step for y in around if y for step in (-1, 0, 1)})
    roster = people.roster(session)
    members: dict[int, set[int]] = {}
    for person in roster:
        for group in person.groups:
            if group.id is not None:
                members.setdefault(group.id, set()).add(person.id)
    # the engine's own reading of an obligation (jobs.tick lists this feature's step, so it
    # is imported when first needed, not when this module loads)
    from jobs.tick import Planner

    planner = Planner(settings, OfficeCalendar.from_office(settings.office), steps=())
    duties = []
    for obligation in schedule.active_obligations(session):
        config = planner.config_of(obligation)
        if config is None:
            continue
        if not schedule.is_per_project(obligation.owners):
            owners = schedule.resolve_owners(session, obligation.owners)
            duties.append(_duty(config, owners, members))
            continue
        for year in years:  # each year's periods are owed by that year's register
            owners = schedule.project_owners(session, year)
            duties.append(_duty(config, owners, members, year))
    inputs = Inputs(
        duties=tuple(duties),
        base_calendar=planner.base_calendar,
        meeting=settings.meeting,
        closed=office.closed_days(session),
        moved_meetings=office.meeting_changes(session),
        today=today,
    )
    return Office(inputs, roster)


def _duty(
    config: ObligationConfig,
    owners: Sequence[schedule.Owner],
    members: dict[int, set[int]],
    fiscal_year: int | None = None,
) -> Duty:
    staff_ids = {o.staff_id for o in owners if o.staff_id is not None}
    group_ids = {o.group_id for o in owners if o.group_id is not None}
    for group_id in group_ids:
        staff_ids |= members.get(group_id, set())
    return Duty(config, frozenset(staff_ids), frozenset(group_ids), fiscal_year)


def change_of(event: AuditEvent) -> Change:
    """The change an audit event records (``storage.yearplan.CALENDAR_CHANGES``)."""
    details = event.details
    if event.action == "calendar.closed_day_added":
        return Change("closeday", day=_day(details.get("day")), reason=str(details.get("reason")))
    if event.action == "calendar.meeting_moved":
        return Change(
            "meeting",
            day=_day(details.get("to")),
            month=str(details.get("month")),
            before=_day(details.get("from")),
        )
    return Change(
        "oneoff", obligation=str(details.get("key")), reason=str(details.get("title") or "")
    )


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None
