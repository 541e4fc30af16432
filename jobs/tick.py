"""The tick: given the database and ``now``, record every message that should have gone out.

Nothing here sends anything: the tick writes outbox rows (unique keys) and advances each
assignment in the same transaction; the dispatcher sends later. Run it twice, or in two
processes at once, and each message is still written once.

This module orchestrates: it materialises the config's obligations into periods and
assignments (the schedule every feature reads), refreshes the calendar and the meeting from
the changes made in chat, then runs the reports' duties (``jobs.duties.step``), the
director's digest before each staff meeting, and each feature's step (``jobs/features.py``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from jobs.calendar import OfficeCalendar
from jobs.duties.step import DutyStep
from jobs.features import STEPS
from jobs.ladder import step_instants
from jobs.oversight.digest import digest_report
from jobs.recurrence import (
    Occurrence,
    effective_meeting,
    materialisation_window,
    meeting_dates,
    occurrences,
)
from jobs.settings import Obligation as ObligationConfig
from jobs.settings import Settings
from jobs.steps import Step, TickContext
from storage import office, outbox, people, schedule
from storage.db import Database
from storage.models import Obligation, Role, Staff
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
BATCH = 500
REPORTING_LAG = timedelta(days=92)


@dataclass
class TickReport:
    assignments: int = 0
    messages: int = 0
    escalations: int = 0
    created_assignments: int = 0


class Planner:
    """The office's schedule, computed from the config and the database at a given ``now``."""

    def __init__(
        self, settings: Settings, calendar: OfficeCalendar, steps: Sequence[type[Step]] = STEPS
    ) -> None:
        self.settings = settings
        self.base_calendar = calendar
        self.calendar = calendar
        self.meeting = settings.meeting
        self._configs = {o.key: o for o in settings.obligations}
        # the reports' own ladder, run before the digest and the features' steps
        self.duties = DutyStep(settings)
        self.steps: tuple[Step, ...] = tuple(step(settings) for step in steps)

    def refresh(self, session: Session, today: date) -> None:
        """Take in the calendar changes made from chat (closed days, a moved meeting).

        Called at every tick and materialisation: a change takes effect at the next tick.
        """
        extra = office.closed_days(session)
        self.calendar = dataclasses.replace(
            self.base_calendar, closed_days=self.base_calendar.closed_days | extra
        )
        self.meeting = effective_meeting(
            self.settings.meeting, office.meeting_changes(session), today
        )

    def config_of(self, obligation: Obligation) -> ObligationConfig | None:
        """The config's obligation, or one added from chat (stored whole in its row)."""
        found = self._configs.get(obligation.key)
        if found is not None or obligation.source == "config":
            return found
        return ObligationConfig.model_validate(
            {
                "key": obligation.key,
                "title_th": obligation.title_th,
                "title_en": obligation.title_en,
                "measure": obligation.measure,
                "ita_indicators": obligation.ita_indicators,
                "owners": obligation.owners,
                "recurrence": obligation.recurrence,
                "ladder": obligation.ladder_key,
                "on_closed_day": obligation.on_closed_day,
            }
        )

    # -- materialising periods and assignments -----------------------------------------

    def sync_config(self, session: Session, now: datetime) -> None:
        """Mirror the config's obligations into the database."""
        schedule.sync_obligations(session, (_spec(o) for o in self.settings.obligations), now=now)

    def materialise(self, db: Database, now: datetime) -> int:
        """Create the periods of this and next fiscal year, and the assignments still open.

        Idempotent: run twice, nothing new. A period already due gets no new assignment (a
        person who joins later owes what is still open, not what was due before they came).
        """
        start, end = materialisation_window(now.astimezone(self.calendar.zone).date())
        end += REPORTING_LAG  # the report on next year's last quarter is due after it ends
        created = 0
        with db.transaction() as session:
            self.refresh(session, now.astimezone(self.calendar.zone).date())
            self.sync_config(session, now)
            for obligation in schedule.active_obligations(session):
                config = self.config_of(obligation)
                if config is None or obligation.id is None:
                    continue
                per_project = schedule.is_per_project(obligation.owners)
                owners = [] if per_project else schedule.resolve_owners(session, obligation.owners)
                specs = self._period_specs(config, start, end, now)
                for period in schedule.ensure_periods(session, obligation.id, specs, now=now):
                    if period.due_at <= now:
                        continue
                    if per_project:  # one a project of the period's fiscal year
                        created += schedule.ensure_project_assignments(session, period, now=now)
                    else:
                        created += schedule.ensure_assignments(session, period, owners, now=now)
        return created

    def _period_specs(
        self, config: ObligationConfig, start: date, end: date, now: datetime
    ) -> list[schedule.PeriodSpec]:
        found = occurrences(
            config, start=start, end=end, calendar=self.calendar, meeting=self.meeting
        )
        return [
            schedule.PeriodSpec(
                key=o.key,
                fiscal_year=o.fiscal_year,
                due_at=o.due_at,
                quarter=o.quarter,
                month=o.month,
                onward_due_at=o.onward_due_at,
                onward_action_at=self._onward_action_at(config, o, now),
            )
            for o in found
        ]

    def _onward_action_at(
        self, config: ObligationConfig, occurrence: Occurrence, now: datetime
    ) -> datetime | None:
        """The coordinator hears of the onward deadline on the day the office sends, at
        opening: the deadline's own day, or the last working day before it when it is closed
        (the 15th of April is in Songkran); never before the period's escalation, so that the
        message can say who was reported to the director (and, given the time, what the
        director ordered). Never for a deadline already past when the period is first seen."""
        onward_due_at = occurrence.onward_due_at
        if onward_due_at is None or onward_due_at <= now:
            return None
        day = onward_due_at.astimezone(self.calendar.zone).date()
        sends = self.calendar.opening(self.calendar.previous_working_day(day, include_today=True))
        ladder = self.settings.ladder(config.ladder)
        instants = step_instants(
            ladder,
            occurrence.due_at,
            self.calendar,
            onward_due_at=onward_due_at,
            meeting_at=occurrence.meeting_at,
        )
        escalations = [
            at for step, at in zip(ladder.steps, instants, strict=True) if step.kind == "escalation"
        ]
        return max([sends, *escalations[:1]])

    # -- the tick -------------------------------------------------------------------------

    def tick(self, db: Database, now: datetime, *, batch: int = BATCH) -> TickReport:
        """In one transaction, with the calendar and the meeting as changed from chat:
        1. the reports' duties (``jobs/duties/step.py``): each assignment whose time has come
           advanced and reminded, the escalations, the onward deadlines;
        2. before each monthly staff meeting, the director's digest;
        3. each feature's step, in the order of ``jobs/features.py``.
        """
        report = TickReport()
        with db.transaction() as session:
            self.refresh(session, now.astimezone(self.calendar.zone).date())
            context = TickContext(
                self.settings,
                self.calendar,
                self._acting_for_absent,
                self._complaint_stand_ins,
                batch,
                self.meeting,
            )
            duties = self.duties.run(session, context, now)
            report.assignments += duties.assignments
            report.escalations += duties.escalations
            report.messages += duties.messages
            report.messages += self._digest_if_due(session, now)
            for step in self.steps:  # each feature's share (jobs/features.py)
                report.messages += step.write(session, context, now)
        return report

    def next_digest(self, now: datetime) -> tuple[date, datetime] | None:
        """The next staff meeting and when its digest goes (one working day before, 08.30)."""
        today = now.astimezone(self.calendar.zone).date()
        for meeting in meeting_dates(self.meeting, today, today + timedelta(days=62)):
            return meeting, self.calendar.opening(self.calendar.shift_working_days(meeting, -1))
        return None

    def _digest_if_due(self, session: Session, now: datetime) -> int:
        """Before each monthly staff meeting, the director's digest (once per meeting)."""
        upcoming = self.next_digest(now)
        if upcoming is None or now < upcoming[1]:
            return 0
        meeting = upcoming[0]
        if outbox.has_prefix(session, f"digest:{meeting.isoformat()}:"):
            return 0  # sent already: the data is not computed again at every tick
        # every recipient here is the director or the acting officer
        data = digest_report(session, self.steps, self.calendar, now, director=True)
        recipients = self._acting_for_absent(
            session, list(people.holders_of(session, Role.DIRECTOR)), now
        )
        messages = [
            NewMessage(
                f"digest:{meeting.isoformat()}:to-{staff.id}",
                staff.chat_id,
                "digest",
                data,
                staff.id,
            )
            for staff in recipients
        ]
        return outbox.enqueue(session, messages, now=now)

    def _acting_for_absent(
        self, session: Session, recipients: list[Staff], now: datetime
    ) -> list[Staff]:
        """While someone is on leave with an acting officer named, the acting officer is told
        instead (ผู้รักษาราชการแทน); the others are told as usual."""
        today = now.astimezone(self.calendar.zone).date()
        chosen: dict[int, Staff] = {}
        for staff in recipients:
            acting = office.acting_for(session, _id(staff.id), today)
            chosen.setdefault(_id((acting or staff).id), acting or staff)
        return list(chosen.values())

    def _complaint_stand_ins(
        self, session: Session, recipients: list[Staff], now: datetime
    ) -> list[Staff]:
        """Complaint notices while the director is away: the acting officer alone only when
        the director chose them (``/acting`` by the director); an acting officer the
        coordinator proposed, even once confirmed, is told beside the director."""
        today = now.astimezone(self.calendar.zone).date()
        chosen: dict[int, Staff] = {}
        for staff in recipients:
            leave = office.acting_leave(session, _id(staff.id), today)
            acting = session.get(Staff, leave.acting_staff_id) if leave else None
            if acting is not None:
                chosen.setdefault(_id(acting.id), acting)
            if acting is None or leave is None or not leave.acting_chosen_by_director:
                chosen.setdefault(_id(staff.id), staff)
        return list(chosen.values())

    def next_wake(self, db: Database, now: datetime) -> datetime | None:
        """The earliest instant at which the tick or the dispatcher has something to do."""
        with db.transaction() as session:
            candidates = [
                self.duties.next_wake(session, now),
                outbox.next_due_at(session),
                *(step.next_wake(session, now) for step in self.steps),
            ]
        digest = self.next_digest(now)
        candidates.append(digest[1] if digest and digest[1] > now else None)
        found = [moment for moment in candidates if moment is not None]
        return min(found) if found else None


def _spec(config: ObligationConfig) -> schedule.ObligationSpec:
    return schedule.ObligationSpec(
        key=config.key,
        title_th=config.title_th,
        title_en=config.title_en,
        measure=config.measure,
        ita_indicators=list(config.ita_indicators),
        owners=config.owners.model_dump(mode="json"),
        recurrence=config.recurrence.model_dump(mode="json"),
        onward=config.onward.model_dump(mode="json") if config.onward else None,
        ladder_key=config.ladder,
        on_closed_day=config.on_closed_day,
    )


def _id(value: int | None) -> int:
    assert value is not None
    return value
