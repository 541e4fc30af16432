"""The follow-up ladder: when each step of an obligation's ladder falls, and what is due now.

Pure: every function takes the instants it needs and returns new values; nothing reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, Protocol

from jobs.calendar import OfficeCalendar
from jobs.offsets import Offset, OffsetUnit
from jobs.settings import BaseStep, Ladder, LadderStep

STAFF_FACING = frozenset({"reminder", "last_call", "followup"})


@dataclass(frozen=True, slots=True)
class Anchors:
    """The dates a period's steps count from: the staff due instant, and when the obligation
    has them, the office's own onward deadline (the 15th, to สป.) and the staff meeting."""

    due_at: datetime
    onward_due_at: datetime | None = None
    meeting_at: datetime | None = None


def _base(step: BaseStep, anchors: Anchors) -> tuple[datetime, Offset]:
    """The instant the step counts from and its offset; a step counted from a date the period
    lacks counts its ``otherwise`` from the due date (its own offset, when none is given)."""
    offset = step.parsed_offset
    if not isinstance(step, LadderStep) or step.anchor == "due":
        return anchors.due_at, offset  # a loan's step counts from the due-back date
    anchor = anchors.onward_due_at if step.anchor == "onward" else anchors.meeting_at
    if anchor is not None:
        return anchor, offset
    return anchors.due_at, step.parsed_otherwise or offset


def nominal_instant(
    step: BaseStep,
    due_at: datetime,
    calendar: OfficeCalendar,
    *,
    onward_due_at: datetime | None = None,
    meeting_at: datetime | None = None,
) -> datetime:
    """Where the step falls before office hours are considered.

    Day offsets (``-7d``, ``+1wd``) land on a day, at the step's ``at`` or the office's
    opening; clock offsets (``30s``, ``2h``) are plain durations from the instant the step
    counts from (the due instant, or the onward deadline or the meeting: ``from``).
    """
    base, offset = _base(step, Anchors(due_at, onward_due_at, meeting_at))
    if not offset.is_day_based:
        return base + offset.as_timedelta()
    base_day = base.astimezone(calendar.zone).date()
    if offset.unit is OffsetUnit.WORKING_DAYS:
        day = calendar.shift_working_days(base_day, offset.amount)
    else:
        day = base_day + timedelta(days=offset.amount)
    return datetime.combine(day, step.at or calendar.opens, tzinfo=calendar.zone)


def step_instant(
    step: BaseStep,
    due_at: datetime,
    calendar: OfficeCalendar,
    *,
    onward_due_at: datetime | None = None,
    meeting_at: datetime | None = None,
) -> datetime:
    """When the step's message goes out: inside office hours on a working day.

    A step meant before the instant it counts from that falls outside office hours moves
    *earlier* (a reminder must arrive before the due date, an escalation before the onward
    deadline or the meeting); one after it moves *later*. An ``immediate`` step (an
    escalation may be configured so) ignores office hours.
    """
    base, _offset = _base(step, Anchors(due_at, onward_due_at, meeting_at))
    nominal = nominal_instant(
        step, due_at, calendar, onward_due_at=onward_due_at, meeting_at=meeting_at
    )
    if step.immediate or calendar.in_office_hours(nominal):
        moment = nominal
    elif nominal < base:
        moment = calendar.previous_office_moment(nominal)
    else:
        moment = calendar.next_office_moment(nominal)
    return moment.astimezone(UTC)


def step_instants(
    ladder: Ladder,
    due_at: datetime,
    calendar: OfficeCalendar,
    *,
    onward_due_at: datetime | None = None,
    meeting_at: datetime | None = None,
) -> list[datetime]:
    """Every step's instant, never earlier than the step before it."""
    instants: list[datetime] = []
    for step in ladder.steps:
        instant = step_instant(
            step, due_at, calendar, onward_due_at=onward_due_at, meeting_at=meeting_at
        )
        instants.append(max(instant, instants[-1]) if instants else instant)
    return instants


def answer_by(
    ladder: Ladder, instants: Sequence[datetime], index: int, calendar: OfficeCalendar
) -> tuple[datetime, bool] | None:
    """By when a follow-up (step ``index``) asks for the report: before the escalation that
    follows it, or None when none does.

    An escalation at the office's opening: by the end of the working day before it (the date
    alone says it, ``with_time`` False); one later in its day, or on the follow-up's own day:
    its instant (``with_time`` True).
    """
    zone = calendar.zone
    following = [
        instants[later]
        for later in range(index + 1, len(ladder.steps))
        if ladder.steps[later].kind == "escalation"
    ]
    if not following:
        return None
    escalation = following[0].astimezone(zone)
    day = escalation.date()
    if escalation.time() <= calendar.opens:
        evening = calendar.closing(calendar.previous_working_day(day))
        if evening > instants[index]:
            return evening.astimezone(UTC), False
    return escalation.astimezone(UTC), True


# ---- does a period's ladder serve its deadline? ---------------------------------------------

Reason = Literal["before_due", "after_deadline", "no_day_to_order", "not_before_escalation"]
SEARCH_DAYS = 45
"""How far before a period's due date :func:`check_period` looks for one that would fit."""


@dataclass(frozen=True, slots=True)
class Misfit:
    """A follow-up or escalation that does not serve the deadline, and why."""

    step: int  # its index in the ladder
    kind: str
    at: datetime  # when the bot would send it (UTC)
    reason: Reason


@dataclass(frozen=True, slots=True)
class Fit:
    """How a period's ladder fits before the deadline its report feeds."""

    deadline: Literal["onward", "meeting"]
    deadline_at: datetime  # UTC
    misfits: tuple[Misfit, ...]
    latest_due: date | None  # the latest staff due date that would fit (None: none does)

    @property
    def fits(self) -> bool:
        return not self.misfits


def _misfits(
    ladder: Ladder, anchors: Anchors, deadline: Literal["onward", "meeting"], cal: OfficeCalendar
) -> tuple[Misfit, ...]:
    """The follow-ups and the escalation that break a rule of :func:`_reason`."""
    instants = step_instants(
        ladder,
        anchors.due_at,
        cal,
        onward_due_at=anchors.onward_due_at,
        meeting_at=anchors.meeting_at,
    )
    end = anchors.onward_due_at if deadline == "onward" else anchors.meeting_at
    assert end is not None
    escalations = [at for step, at in zip(ladder.steps, instants, strict=True) if _escalates(step)]
    found: list[Misfit] = []
    for index, (step, at) in enumerate(zip(ladder.steps, instants, strict=True)):
        if step.kind not in ("followup", "escalation"):
            continue
        first_escalation = escalations[0] if escalations and step.kind == "followup" else None
        reason = _reason(step, at, anchors.due_at, (deadline, end), first_escalation, cal)
        if reason is not None:
            found.append(Misfit(index, step.kind, at, reason))
    return tuple(found)


def _reason(
    step: BaseStep,
    at: datetime,
    due_at: datetime,
    deadline: tuple[Literal["onward", "meeting"], datetime],
    escalation: datetime | None,
    cal: OfficeCalendar,
) -> Reason | None:
    """The rules: every follow-up and escalation comes after the staff due instant; each
    follow-up before the escalation; before an onward deadline, on a working day before its
    day, the escalation at least one working day before it (the director has a day to
    order); before a meeting, before it starts."""
    kind, end = deadline
    day, last_day = at.astimezone(cal.zone).date(), end.astimezone(cal.zone).date()
    late = at >= end if kind == "meeting" else (day >= last_day or not cal.is_working_day(day))
    if at <= due_at:
        return "before_due"
    if late:
        return "after_deadline"
    if escalation is not None and at >= escalation:
        return "not_before_escalation"
    if (
        kind == "onward"
        and step.kind == "escalation"
        and day > cal.shift_working_days(last_day, -1)
    ):
        return "no_day_to_order"
    return None


def _escalates(step: BaseStep) -> bool:
    return step.kind == "escalation"


def check_period(
    ladder: Ladder,
    due_at: datetime,
    calendar: OfficeCalendar,
    *,
    onward_due_at: datetime | None = None,
    meeting_at: datetime | None = None,
) -> Fit | None:
    """Whether the period's follow-ups and escalation land before the deadline its report
    feeds (the onward deadline, else the staff meeting); None when it feeds none.

    When they do not, ``latest_due`` is the fix: the latest staff due date (a working day,
    at the same time of day) with which they would, searched back :data:`SEARCH_DAYS` days.
    """
    deadline: Literal["onward", "meeting"]
    if onward_due_at is not None:
        deadline, end = "onward", onward_due_at
    elif meeting_at is not None:
        deadline, end = "meeting", meeting_at
    else:
        return None
    anchors = Anchors(due_at, onward_due_at, meeting_at)
    misfits = _misfits(ladder, anchors, deadline, calendar)
    if not misfits:
        return Fit(deadline, end, (), None)
    local = due_at.astimezone(calendar.zone)
    latest: date | None = None
    for back in range(1, SEARCH_DAYS + 1):
        day = local.date() - timedelta(days=back)
        if not calendar.is_working_day(day):
            continue
        earlier = datetime.combine(day, local.timetz()).astimezone(UTC)
        if not _misfits(ladder, Anchors(earlier, onward_due_at, meeting_at), deadline, calendar):
            latest = day
            break
    return Fit(deadline, end, misfits, latest)


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


class RecipientStep(Protocol):
    """A step of a queue's ladder (a loan's, a publication's): its kind and who hears of it."""

    @property
    def kind(self) -> str: ...

    @property
    def to(self) -> str: ...


@dataclass(frozen=True, slots=True)
class StepMessage:
    """One message of a queue's ladder: the latest step that came for one kind of recipient."""

    step: int
    kind: str
    to: str
    collapsed: int  # how many steps for this recipient came at once (after downtime)


@dataclass(frozen=True, slots=True)
class StepPlan:
    messages: tuple[StepMessage, ...]
    next_step: int
    next_action_at: datetime | None


def plan_by_recipient(
    next_step: int, ladder: Sequence[RecipientStep], instants: Sequence[datetime], now: datetime
) -> StepPlan:
    """The steps from ``next_step`` on that have come by ``now``: one message per kind of
    recipient (the latest of its steps, so that downtime never sends a burst), and when the
    next step will come."""
    step = progress(next_step, instants, now)
    by_recipient: dict[str, list[int]] = {}
    for index in step.due_steps:
        by_recipient.setdefault(ladder[index].to, []).append(index)
    messages = sorted(
        (
            StepMessage(indices[-1], ladder[indices[-1]].kind, to, len(indices))
            for to, indices in by_recipient.items()
        ),
        key=lambda message: message.step,
    )
    return StepPlan(tuple(messages), step.next_step, step.next_action_at)


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
