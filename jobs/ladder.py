"""The follow-up ladder: when each step of an obligation's ladder falls, and what is due now.

Pure: every function takes the instants it needs and returns new values; nothing reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from jobs.calendar import OfficeCalendar
from jobs.offsets import OffsetUnit
from jobs.settings import Ladder, LadderStep

STAFF_FACING = frozenset({"reminder", "last_call", "followup"})


def nominal_instant(step: LadderStep, due_at: datetime, calendar: OfficeCalendar) -> datetime:
    """Where the step falls before office hours are considered.

    Day offsets (``-7d``, ``+1wd``) land on a day, at the step's ``at`` or the office's
    opening; clock offsets (``30s``, ``2h``) are plain durations from the due instant.
    """
    offset = step.parsed_offset
    if not offset.is_day_based:
        return due_at + offset.as_timedelta()
    due_day = due_at.astimezone(calendar.zone).date()
    if offset.unit is OffsetUnit.WORKING_DAYS:
        day = calendar.shift_working_days(due_day, offset.amount)
    else:
        day = due_day + timedelta(days=offset.amount)
    return datetime.combine(day, step.at or calendar.opens, tzinfo=calendar.zone)


def step_instant(step: LadderStep, due_at: datetime, calendar: OfficeCalendar) -> datetime:
    """When the step's message goes out: inside office hours on a working day.

    A step meant before the due instant that falls outside office hours moves *earlier* (the
    reminder must arrive before the deadline); one after it moves *later*. An ``immediate``
    step (an escalation may be configured so) ignores office hours.
    """
    nominal = nominal_instant(step, due_at, calendar)
    if step.immediate or calendar.in_office_hours(nominal):
        moment = nominal
    elif nominal < due_at:
        moment = calendar.previous_office_moment(nominal)
    else:
        moment = calendar.next_office_moment(nominal)
    return moment.astimezone(UTC)


def step_instants(ladder: Ladder, due_at: datetime, calendar: OfficeCalendar) -> list[datetime]:
    """Every step's instant, never earlier than the step before it."""
    instants: list[datetime] = []
    for step in ladder.steps:
        instant = step_instant(step, due_at, calendar)
        instants.append(max(instant, instants[-1]) if instants else instant)
    return instants


@dataclass(frozen=True, slots=True)
class Progress:
    """What the planner decided for one assignment at ``now``."""

    due_steps: tuple[int, ...]  # ladder indices whose time has come, oldest first
    next_step: int
    next_action_at: datetime | None

    @property
    def is_idle(self) -> bool:
        return not self.due_steps


def progress(next_step: int, instants: Sequence[datetime], now: datetime) -> Progress:
    """Which steps from ``next_step`` on have come by ``now``, and when the next one will.

    After downtime several steps may have come at once; they are all returned, so that each
    step is accounted for exactly once and the caller can collapse them into one message.
    """
    reached = next_step
    while reached < len(instants) and instants[reached] <= now:
        reached += 1
    following = instants[reached] if reached < len(instants) else None
    return Progress(tuple(range(next_step, reached)), reached, following)


def working_days_late(due_at: datetime, now: datetime, calendar: OfficeCalendar) -> int:
    """How many working days have ended since the due date (0 on the due day itself)."""
    due_day: date = due_at.astimezone(calendar.zone).date()
    today = now.astimezone(calendar.zone).date()
    count, day = 0, due_day
    while True:
        day = calendar.next_working_day(day)
        if day > today:
            return count
        count += 1
