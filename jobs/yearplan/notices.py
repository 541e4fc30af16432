"""The reporting calendar's messages, as outbox rows (plain parameters; the words are the bot's,
``bot/yearplan/texts.py``): a person's or the whole office's year, and the dates a change moved.

Each has its key, so that writing it again (a restart, a second tick) inserts nothing:
``yearplan:{fiscal year}:to-{staff}`` and ``yearplan:change:{change}:to-{staff}`` (and
``…:summary``, to whoever made the change).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from jobs.settings import Settings
from jobs.yearplan.load import OVERSEERS, Office
from jobs.yearplan.plan import (
    Change,
    Deadline,
    Move,
    change_window,
    deadlines_between,
    moved_dates,
    owed_by,
    year_deadlines,
)
from storage import audit, outbox
from storage.outbox import NewMessage
from storage.people import Person

YEAR = "yearplan"
MOVED = "yearplan_moved"
CHANGE_SUMMARY = "yearplan_change"


def whole_office(person: Person) -> bool:
    """The coordinator, the director and the admin see the whole office's calendar."""
    return person.has_any(*OVERSEERS)


def year_params(
    settings: Settings,
    office: Office,
    fiscal_year: int,
    person: Person,
    deadlines: Sequence[Deadline] | None = None,
) -> dict[str, Any]:
    """One person's calendar of a fiscal year, or the whole office's for those who oversee."""
    every = year_deadlines(office.inputs, fiscal_year) if deadlines is None else deadlines
    office_wide = whole_office(person)
    shown = every if office_wide else owed_by(every, person.id)
    owners = {(d.config.key, d.fiscal_year): d for d in office.inputs.duties} if office_wide else {}
    group = settings.coordinating_group
    return {
        "fiscal_year": fiscal_year,
        "scope": "office" if office_wide else "person",
        "name": person.name,
        "office_th": settings.office.name_th,
        "office_en": settings.office.name_en,
        "coordinator_th": group.name_th,
        "coordinator_en": group.name_en,
        "deadlines": [
            {**d.params(), **(_owners(settings, duty) if duty is not None else {})}
            for d in shown
            if (duty := _duty_of(owners, d)) is not None or not office_wide
        ],
    }


def _duty_of(owners: Mapping[tuple[str, int | None], Any], deadline: Deadline) -> Any:
    """The duty a deadline comes from (a per-project one: of the period's fiscal year)."""
    return owners.get((deadline.obligation, None)) or owners.get(
        (deadline.obligation, deadline.fiscal_year)
    )


def _owners(settings: Settings, duty: Any) -> dict[str, Any]:
    """Who owes an obligation, as the plan says it (groups, roles) and how many people."""
    spec = duty.config.owners

    groups = {group.key: group for group in settings.groups}

    def names(keys: Sequence[str]) -> list[list[str]]:  # a group since dropped: its key
        return [[groups[k].name_th, groups[k].name_en] if k in groups else [k, k] for k in keys]

    return {
        "owners": {
            "each_member_of": names(spec.each_member_of),
            "each_with_role": [str(role) for role in spec.each_with_role],
            "groups": names(spec.groups),
            "head_of": names(spec.head_of),
            "per_project": spec.per_project,
            "people": len(duty.staff_ids),
        }
    }


def write_year(
    session: Session,
    settings: Settings,
    office: Office,
    fiscal_year: int,
    now: datetime,
    *,
    only: Collection[int] | None = None,
) -> int:
    """The fiscal year's calendar to every active person who owes something in it (or, with
    ``only``, to those of them), and the whole office's to those who oversee; once per person
    and year."""
    deadlines = year_deadlines(office.inputs, fiscal_year)
    messages = []
    for person in office.people:
        if only is not None and person.id not in only:
            continue
        params = year_params(settings, office, fiscal_year, person, deadlines)
        if not params["deadlines"] and params["scope"] == "person":
            continue  # nothing to announce to someone who owes nothing this year
        messages.append(
            NewMessage(
                f"yearplan:{fiscal_year}:to-{person.id}",
                person.staff.chat_id,
                YEAR,
                params,
                person.id,
            )
        )
    written = outbox.enqueue(session, messages, now=now)
    if written:  # the evidence that the coordinator announced the year (plan 1.1 step 1)
        _record(session, "yearplan.announced", messages, now, fiscal_year=fiscal_year)
    return written


def _record(
    session: Session, action: str, messages: Sequence[NewMessage], now: datetime, **details: Any
) -> None:
    to = [m.staff_id for m in messages if m.template != CHANGE_SUMMARY]
    audit.record(
        session,
        at=now,
        actor="system:tick",
        action=action,
        subject_type="calendar",
        subject_id=None,
        details={**details, "to": to},
    )


def write_moves(
    session: Session,
    settings: Settings,
    office: Office,
    moves: Mapping[int, Sequence[Move]],
    change: Change,
    *,
    key: str,
    tell: Person | None,
    now: datetime,
) -> int:
    """Tell each active person whose dates moved (old date → new date), and ``tell`` (who made
    the change) whom; ``key`` names the change (``yearplan:change:{key}:…``), once.

    Any change of calendar can be announced so, a re-import of the projects too: load the
    office before and after, ``moved_dates`` of their deadlines, then this.
    """
    group = settings.coordinating_group
    common = {
        "change": change.params(),
        "coordinator_th": group.name_th,
        "coordinator_en": group.name_en,
    }
    messages, told = [], []
    for staff_id, found in sorted(moves.items()):
        person = office.person(staff_id)
        if person is None:
            continue  # no longer active
        told.append({"name": person.name, "dates": len(found)})
        messages.append(
            NewMessage(
                f"yearplan:change:{key}:to-{staff_id}",
                person.staff.chat_id,
                MOVED,
                {**common, "moves": [move.params() for move in found]},
                staff_id,
            )
        )
    if tell is not None:
        messages.append(
            NewMessage(
                f"yearplan:change:{key}:summary",
                tell.staff.chat_id,
                CHANGE_SUMMARY,
                {**common, "told": told},
                tell.id,
            )
        )
    written = outbox.enqueue(session, messages, now=now)
    if written and told:
        _record(session, "yearplan.moves_announced", messages, now, change=change.params(), key=key)
    return written


def write_office_change(
    session: Session,
    settings: Settings,
    before: Office,
    after: Office,
    *,
    key: str,
    tell: Person | None,
    now: datetime,
    change: Change | None = None,
) -> int:
    """Tell each person whose dates differ between two loadings of the office
    (``load_office`` before and after a change made outside chat: a re-import of the projects,
    say), and ``tell`` whom; ``key`` names the change, once (``projects-2569-<import id>``)."""
    start, end = change_window(after.inputs.today)
    moves = moved_dates(
        deadlines_between(before.inputs, start, end),
        deadlines_between(after.inputs, start, end),
        after.inputs.today,
    )
    if not moves:  # nobody made it in chat: no summary that nothing moved
        return 0
    return write_moves(
        session, settings, after, moves, change or Change("update"), key=key, tell=tell, now=now
    )
