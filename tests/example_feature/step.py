"""The tick's side of /ping: every working day at opening, one message to each coordinator."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from jobs.steps import Step, TickContext
from storage import outbox, people
from storage.models import Role
from storage.outbox import NewMessage


class PingStep(Step):
    name = "ping"

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        today = now.astimezone(tick.calendar.zone).date()
        if not tick.calendar.is_working_day(today) or now < tick.calendar.opening(today):
            return 0
        messages = [
            NewMessage(
                f"ping:{today.isoformat()}:to-{staff.id}",
                staff.chat_id,
                "ping-morning",
                {"day": today.isoformat()},
                staff.id,
            )
            for staff in people.holders_of(session, Role.COORDINATOR)
        ]
        return outbox.enqueue(session, messages, now=now)

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        return now + timedelta(days=1)  # the tick checks the calendar; a day is soon enough
