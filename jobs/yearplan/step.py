"""The tick's side of the reporting calendar: the year's calendar on the first working day of
the fiscal year, and the dates a change of calendar made from chat moved, to the people whose
dates they are."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlmodel import Session

from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.steps import Step, TickContext
from jobs.yearplan import load as loading
from jobs.yearplan.notices import write_moves, write_year
from jobs.yearplan.plan import CHANGE_WINDOW, announcement_due, moves_of, next_announcement
from storage import office, outbox, people
from storage import yearplan as changes

NEWCOMER_WINDOW = timedelta(days=7)  # a newcomer is sent the year's calendar within this long


class YearPlanStep(Step):
    name = "yearplan"

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        today = now.astimezone(tick.calendar.zone).date()
        found: list[loading.Office] = []

        def the_office() -> loading.Office:  # loaded once, and only when needed
            if not found:
                found.append(loading.load_office(session, self.settings, today))
            return found[0]

        written = 0
        fiscal_year = self._due(tick.calendar, now)
        if fiscal_year is not None and not outbox.has_prefix(session, f"yearplan:{fiscal_year}:"):
            written += write_year(session, self.settings, the_office(), fiscal_year, now)
        this_year = fiscal_year_of(today)
        newcomers = self._newcomers(session, this_year, now)
        if newcomers:  # registered since the year's calendar went out: theirs, once
            written += write_year(
                session, self.settings, the_office(), this_year, now, only=newcomers
            )
        for event in changes.calendar_changes(session, since=now - CHANGE_WINDOW):
            key = str(event.id)
            if outbox.has_prefix(session, f"yearplan:change:{key}:"):
                continue
            change = loading.change_of(event)
            current = the_office()
            by = people.by_id(session, event.actor_staff_id or 0)
            moves = moves_of(current.inputs, change)
            written += write_moves(
                session, self.settings, current, moves, change, key=key, tell=by, now=now
            )
        return written

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        """The next start of a fiscal year; now, while a change is still to be announced or
        the year's calendar is due and unsent (and someone oversees, so it will be written)."""
        base = OfficeCalendar.from_office(self.settings.office)
        calendar = dataclasses.replace(
            base, closed_days=base.closed_days | office.closed_days(session)
        )
        pending = [
            event.at
            for event in changes.calendar_changes(session, since=now - CHANGE_WINDOW)
            if not outbox.has_prefix(session, f"yearplan:change:{event.id}:")
        ]
        fiscal_year = self._due(calendar, now)
        if (
            fiscal_year is not None
            and not outbox.has_prefix(session, f"yearplan:{fiscal_year}:")
            and any(people.holders_of(session, role) for role in loading.OVERSEERS)
        ):
            pending.append(now)
        if pending:
            return min(pending)
        plan = self.settings.yearplan
        return next_announcement(calendar, now, plan.working_day) if plan.announce else None

    def _newcomers(self, session: Session, fiscal_year: int, now: datetime) -> set[int]:
        """Who registered since the fiscal year's calendar went out (within a week: someone
        who owes nothing gets none, and is not looked at for ever) and has not had it."""
        window = now - NEWCOMER_WINDOW
        if not self.settings.yearplan.announce or not people.registered_since(session, window):
            return set()  # the usual tick: nobody new this week, no look through the outbox
        announced = outbox.first_written(session, f"yearplan:{fiscal_year}:")
        if announced is None:  # not out yet: the announcement itself will name them
            return set()
        since = max(announced, window)
        found = set(people.registered_since(session, since))
        keys = {f"yearplan:{fiscal_year}:to-{staff_id}": staff_id for staff_id in found}
        return found - {keys[key] for key in outbox.written_keys(session, keys)}

    def _due(self, calendar: OfficeCalendar, now: datetime) -> int | None:
        """The fiscal year whose calendar goes out now, if the office sends it at all."""
        plan = self.settings.yearplan
        return announcement_due(calendar, now, plan.working_day) if plan.announce else None
