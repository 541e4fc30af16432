"""What a feature adds to the tick, declared in one place: a ``Step`` subclass in the
feature's package of ``jobs/``, listed once in ``jobs/features.py``.

The tick (``jobs.tick.Planner``) writes each step's outbox rows in its transaction and asks
each when it next has something to do; the dispatcher lets each drop, just before sending,
what has become pointless (a loan reminder after the loan came back); the digest takes each
step's part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from jobs.calendar import OfficeCalendar
from jobs.settings import Meeting, Settings
from storage.models import OutboxMessage, Staff

StandIns = Callable[[Session, list[Staff], datetime], list[Staff]]


@dataclass(frozen=True)
class TickContext:
    """What a step may use, as the planner sees it at this tick."""

    settings: Settings
    calendar: OfficeCalendar  # the config's calendar with the days closed from chat
    acting: StandIns  # an acting officer instead of someone on leave (reports, loans)
    complaint_stand_ins: StandIns  # who hears of complaints while the director is away
    batch: int
    meeting: Meeting  # the staff meeting's rule with the months moved from chat


class Step:
    """One feature's share of the tick; every method has a do-nothing default."""

    name = "step"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        """Write the outbox rows whose time has come and advance the feature's rows; the
        number of messages written."""
        return 0

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        """The earliest instant at which ``write`` has something to do."""
        return None

    def digest_part(
        self, session: Session, calendar: OfficeCalendar, now: datetime
    ) -> dict[str, Any] | None:
        """The feature's part of the director's digest (under ``name``), or None."""
        return None

    @staticmethod
    def drop_before_sending(session: Session, claimed: list[OutboxMessage]) -> list[OutboxMessage]:
        """Of the messages about to be sent, those still worth sending (cancel the others)."""
        return claimed
