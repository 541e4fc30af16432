"""The web officer's ladder: when each reminder of a queued item falls, and what is due now.

Pure: nothing here reads a clock or the database; the tick and the handlers give ``now``.
The steps count from the moment the item was sent (``+1wd``: the next working day at the
office's opening), in office hours, as the report ladder's do (``jobs.ladder``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jobs.calendar import OfficeCalendar
from jobs.ladder import StepPlan, plan_by_recipient, step_instants
from jobs.publishing.settings import PublishStep
from jobs.settings import BaseStep, Ladder


def instants(
    ladder: Sequence[PublishStep], requested_at: datetime, calendar: OfficeCalendar
) -> list[datetime]:
    """Every step's instant, in office hours, never earlier than the step before it."""
    steps = [BaseStep(kind=s.kind, offset=s.offset, at=s.at) for s in ladder]
    return step_instants(Ladder(steps=steps), requested_at, calendar)


def first_wake(
    ladder: Sequence[PublishStep], requested_at: datetime, calendar: OfficeCalendar
) -> datetime | None:
    """When a newly sent item's first reminder falls."""
    found = instants(ladder, requested_at, calendar)
    return found[0] if found else None


def plan_item(
    next_step: int,
    ladder: Sequence[PublishStep],
    requested_at: datetime,
    calendar: OfficeCalendar,
    now: datetime,
) -> StepPlan:
    """The steps from ``next_step`` on that have come by ``now``: one message per kind of
    recipient (the latest of its steps), and when the next step will come."""
    return plan_by_recipient(next_step, ladder, instants(ladder, requested_at, calendar), now)
