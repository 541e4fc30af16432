"""The fiscal year's reporting calendar (plan measure 1.1 step 1): every deadline that falls in
the year, who owes it, and which of a person's dates a change of calendar moved.

Pure: the office as it stands (its obligations and who owes each, the calendar and the meeting
as changed from chat) is loaded once into ``Inputs`` (``jobs.yearplan.load``); the due dates
come from the engine's own recurrence (``jobs.recurrence.occurrences``), so the calendar says
what the reminders will do. Nothing here reads a clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from jobs.calendar import OfficeCalendar, fiscal_quarter_of, fiscal_year_bounds, fiscal_year_of
from jobs.recurrence import covers_previous_month, effective_meeting, occurrences
from jobs.settings import Meeting
from jobs.settings import Obligation as ObligationConfig

ANNOUNCE_WINDOW = timedelta(days=30)
"""The year's calendar goes out on the first working day of the fiscal year, at opening; a bot
that was down then catches up within this long (after that, ``/calendar`` shows it)."""

CHANGE_WINDOW = timedelta(days=7)
"""A change of calendar made from chat is announced to the people it moved within this long
(older ones, say from before this feature, are not announced again)."""

_SLACK = timedelta(days=14)  # a nominal date just outside the year may be moved into it


@dataclass(frozen=True)
class Duty:
    """One obligation and who owes it: each person (a member of a group that owes it as a
    whole included) and the groups that owe it as a whole."""

    config: ObligationConfig
    staff_ids: frozenset[int]
    group_ids: frozenset[int] = frozenset()
    fiscal_year: int | None = None  # a per-project report: owed for this year's periods only


@dataclass(frozen=True)
class Inputs:
    """The office at one moment: what the calendar is computed from."""

    duties: tuple[Duty, ...]
    base_calendar: OfficeCalendar  # the config's
    meeting: Meeting  # the config's
    closed: frozenset[date] = frozenset()  # closed from chat (/closeday)
    moved_meetings: Mapping[str, date] = field(default_factory=dict)  # /meeting: {"2025-01": …}
    today: date = date(2000, 1, 1)

    def calendar(self) -> OfficeCalendar:
        """The calendar with the days closed from chat (as ``Planner.refresh`` builds it)."""
        base = self.base_calendar
        return dataclasses.replace(base, closed_days=base.closed_days | self.closed)

    def effective_meeting(self, day: date) -> Meeting:
        """The meetings as moved from chat, around ``day`` (its fiscal year and the next)."""
        return effective_meeting(self.meeting, dict(self.moved_meetings), day)


@dataclass(frozen=True)
class Deadline:
    """One period's due date, and who owes it."""

    obligation: str
    title_th: str
    title_en: str
    measure: str
    period_key: str
    fiscal_year: int  # the fiscal year the report is about (B.E.)
    quarter: int | None
    month: int | None
    covers_previous_month: bool
    due_date: date
    due_at: datetime
    staff_ids: frozenset[int]
    group_ids: frozenset[int]

    @property
    def key(self) -> tuple[str, str]:
        return self.obligation, self.period_key

    @property
    def fiscal_quarter(self) -> int:
        """The quarter of the fiscal year the due date falls in (1: October to December)."""
        return fiscal_quarter_of(self.due_date)[1]

    def params(self) -> dict[str, Any]:
        """As an outbox message carries it (plain JSON)."""
        return {
            "obligation": self.obligation,
            "title_th": self.title_th,
            "title_en": self.title_en,
            "measure": self.measure,
            "period_key": self.period_key,
            "fiscal_year": self.fiscal_year,
            "quarter": self.quarter,
            "month": self.month,
            "covers_previous_month": self.covers_previous_month,
            "due_at": self.due_at.isoformat(),
            "due_date": self.due_date.isoformat(),
            "fiscal_quarter": self.fiscal_quarter,
        }


def deadlines_between(inputs: Inputs, start: date, end: date) -> list[Deadline]:
    """Every deadline whose due date is in [start, end], earliest first."""
    calendar, meeting = inputs.calendar(), inputs.effective_meeting(start)
    found = []
    for duty in inputs.duties:
        config = duty.config
        for occurrence in occurrences(
            config, start=start - _SLACK, end=end + _SLACK, calendar=calendar, meeting=meeting
        ):
            if not start <= occurrence.due_date <= end:
                continue
            if duty.fiscal_year is not None and occurrence.fiscal_year != duty.fiscal_year:
                continue  # another year's register owes it
            found.append(
                Deadline(
                    obligation=config.key,
                    title_th=config.title_th,
                    title_en=config.title_en,
                    measure=config.measure,
                    period_key=occurrence.key,
                    fiscal_year=occurrence.fiscal_year,
                    quarter=occurrence.quarter,
                    month=occurrence.month,
                    covers_previous_month=covers_previous_month(config.recurrence),
                    due_date=occurrence.due_date,
                    due_at=occurrence.due_at,
                    staff_ids=duty.staff_ids,
                    group_ids=duty.group_ids,
                )
            )
    return sorted(found, key=lambda d: (d.due_at, d.measure, d.obligation, d.period_key))


def year_deadlines(inputs: Inputs, fiscal_year: int) -> list[Deadline]:
    """The deadlines that fall in a fiscal year (B.E.): what the office must meet from 1
    October to 30 September, the report on last year's fourth quarter included."""
    return deadlines_between(inputs, *fiscal_year_bounds(fiscal_year))


def owed_by(deadlines: Iterable[Deadline], staff_id: int) -> list[Deadline]:
    """A person's own part of the calendar."""
    return [deadline for deadline in deadlines if staff_id in deadline.staff_ids]


# ---- when the year's calendar goes out ------------------------------------------------------


def announcement_at(calendar: OfficeCalendar, fiscal_year: int, working_day: int = 1) -> datetime:
    """The opening of the fiscal year's ``working_day``-th working day (1: 1 October, or the
    first day after it that the office opens)."""
    first = calendar.next_working_day(fiscal_year_bounds(fiscal_year)[0], include_today=True)
    return calendar.opening(calendar.shift_working_days(first, working_day - 1))


def announcement_due(calendar: OfficeCalendar, now: datetime, working_day: int = 1) -> int | None:
    """The fiscal year whose calendar should be out by ``now`` (None outside the window)."""
    fiscal_year = fiscal_year_of(now.astimezone(calendar.zone).date())
    at = announcement_at(calendar, fiscal_year, working_day)
    return fiscal_year if at <= now < at + ANNOUNCE_WINDOW else None


def next_announcement(calendar: OfficeCalendar, now: datetime, working_day: int = 1) -> datetime:
    """The next opening at which a fiscal year's calendar goes out, after ``now``."""
    fiscal_year = fiscal_year_of(now.astimezone(calendar.zone).date())
    at = announcement_at(calendar, fiscal_year, working_day)
    return at if at > now else announcement_at(calendar, fiscal_year + 1, working_day)


# ---- a change of calendar, and whose dates it moved ------------------------------------------


@dataclass(frozen=True)
class Change:
    """A change of calendar made from chat, as its audit event records it.

    ``kind``: ``closeday`` (``day``), ``meeting`` (``month``, ``day`` moved to, ``before`` the
    day it was on, None for the rule's), ``oneoff`` (``obligation``, the new duty's key) or,
    made outside chat, ``projects`` (``reason``: the fiscal year whose register was imported).
    """

    kind: str
    day: date | None = None
    month: str | None = None
    before: date | None = None
    obligation: str | None = None
    reason: str = ""  # a closed day's reason, a one-off's title

    def params(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "day": self.day.isoformat() if self.day else None,
            "month": self.month,
            "before": self.before.isoformat() if self.before else None,
            "obligation": self.obligation,
            "reason": self.reason,
        }


def around(inputs: Inputs, change: Change) -> tuple[Inputs, Inputs]:
    """The office without the change and with it, everything else as it stands now."""
    if change.kind == "closeday" and change.day is not None:
        return (
            dataclasses.replace(inputs, closed=inputs.closed - {change.day}),
            dataclasses.replace(inputs, closed=inputs.closed | {change.day}),
        )
    if change.kind == "meeting" and change.month is not None and change.day is not None:
        others = {m: d for m, d in inputs.moved_meetings.items() if m != change.month}
        before = others | ({change.month: change.before} if change.before else {})
        return (
            dataclasses.replace(inputs, moved_meetings=before),
            dataclasses.replace(inputs, moved_meetings=others | {change.month: change.day}),
        )
    if change.kind == "oneoff":
        without = tuple(d for d in inputs.duties if d.config.key != change.obligation)
        return dataclasses.replace(inputs, duties=without), inputs
    return inputs, inputs


@dataclass(frozen=True)
class Move:
    """One of a person's due dates that a change moved: ``before`` None is a new duty,
    ``after`` None a duty gone."""

    deadline: Deadline
    before: date | None
    after: date | None

    def params(self) -> dict[str, Any]:
        return {
            **self.deadline.params(),
            "before": self.before.isoformat() if self.before else None,
            "after": self.after.isoformat() if self.after else None,
        }


def moved_dates(
    before: Sequence[Deadline], after: Sequence[Deadline], today: date
) -> dict[int, list[Move]]:
    """Each person's due dates that differ between two calendars, by staff id (only those
    still ahead, old or new, from ``today`` on), earliest first."""
    old = {deadline.key: deadline for deadline in before}
    new = {deadline.key: deadline for deadline in after}
    moves: dict[int, list[Move]] = {}
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        people = (was.staff_ids if was else frozenset()) | (now.staff_ids if now else frozenset())
        for staff_id in people:
            day_before = was.due_date if was and staff_id in was.staff_ids else None
            day_after = now.due_date if now and staff_id in now.staff_ids else None
            if day_before == day_after:
                continue
            if max(d for d in (day_before, day_after) if d is not None) < today:
                continue
            shown = now if now is not None and day_after is not None else was
            assert shown is not None
            moves.setdefault(staff_id, []).append(Move(shown, day_before, day_after))
    for found in moves.values():
        found.sort(key=lambda move: (move.after or move.before or today, move.deadline.measure))
    return moves


def change_window(today: date) -> tuple[date, date]:
    """The deadlines a change is checked against: this fiscal year's and the next."""
    fiscal_year = fiscal_year_of(today)
    return fiscal_year_bounds(fiscal_year)[0], fiscal_year_bounds(fiscal_year + 1)[1]


def moves_of(inputs: Inputs, change: Change) -> dict[int, list[Move]]:
    """Whose dates ``change`` moved, and how (the office as it stands otherwise)."""
    without, with_it = around(inputs, change)
    start, end = change_window(inputs.today)
    return moved_dates(
        deadlines_between(without, start, end),
        deadlines_between(with_it, start, end),
        inputs.today,
    )
