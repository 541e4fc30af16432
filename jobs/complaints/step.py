"""The complaint channel's share of the tick (measure 1.7): ``ComplaintLadder`` in the
tick's transaction, its next wake, and its section of the director's digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from jobs.calendar import OfficeCalendar
from jobs.complaints.ladder import ComplaintLadder, report_data
from jobs.settings import Settings
from jobs.steps import Step, TickContext


class ComplaintStep(Step):
    name = "complaints"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.ladder = ComplaintLadder(settings.complaints)

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        return self.ladder.tick(session, now, tick.calendar, tick.complaint_stand_ins)

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        return self.ladder.next_wake(session, now)

    def digest_part(
        self, session: Session, calendar: OfficeCalendar, now: datetime
    ) -> dict[str, Any] | None:
        """Counts and overdue cases, for the director's copy only (the caller decides)."""
        if not self.settings.complaints.enabled:
            return None
        return report_data(session, now, calendar)
