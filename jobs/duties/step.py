"""The reports' duties on the tick's side: each assignment whose time has come gets its
ladder's steps (reminders, the last call, follow-ups) and, at the escalation, one message per
period and recipient and the memo to the director (``jobs.duties.memos``); the coordinator is
reminded of the office's onward deadline (the 15th, to สป.).

The timing is decided by the pure ladder (``jobs.ladder``); here are the recipients and the
messages' parameters (``jobs.params``). The planner (``jobs.tick.Planner``) runs this step
first in its transaction, before the director's digest and the other features' steps
(``jobs/features.py``), and counts its assignments and escalations in its report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from jobs.calendar import CLOSED_DAY, WEEKEND, holiday_name
from jobs.duties.memos import Escalated, Missing, followup_days, write_memo
from jobs.ladder import (
    STAFF_FACING,
    Progress,
    answer_by,
    progress,
    step_instants,
    working_days_late,
)
from jobs.params import duty_params, project_params, reminder_params
from jobs.recurrence import meeting_of
from jobs.settings import Obligation as ObligationConfig
from jobs.settings import Settings
from jobs.steps import Step, TickContext
from storage import memos, office, outbox, people, power, schedule
from storage.models import (
    Assignment,
    AssignmentStatus,
    Obligation,
    Period,
    Project,
    Role,
    Staff,
    WorkGroup,
)
from storage.outbox import NewMessage


@dataclass
class DutyTally:
    """What the duties' step did in one tick (the planner's ``TickReport`` adds it up)."""

    assignments: int = 0
    escalations: int = 0
    messages: int = 0


@dataclass
class _Escalation:
    """Assignments of one period that reach the director in this tick."""

    period: Period
    obligation: Obligation
    missing: list[dict[str, Any]] = field(default_factory=list)
    assignment_ids: list[int] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    group_ids: set[int] = field(default_factory=set)


class DutyStep(Step):
    """The reports' ladder, the escalations with their memos, the onward reminders."""

    name = "duties"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._configs = {o.key: o for o in settings.obligations}

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        return self.run(session, tick, now).messages

    def run(self, session: Session, tick: TickContext, now: datetime) -> DutyTally:
        """1. Load the assignments whose time has come (an index scan).
        2. Decide each one's steps with the pure ladder functions.
        3. Advance each assignment (conditionally) and write its outbox rows; then the
           escalations, one message per period and recipient.
        4. Remind the coordinator of onward deadlines (the 15th, to สป.).
        """
        return _DutyTick(self.settings, self._configs, tick).run(session, now)

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        found = [
            moment
            for moment in (schedule.earliest_action(session), schedule.earliest_onward(session))
            if moment is not None
        ]
        return min(found) if found else None


class _DutyTick:
    """One tick of the duties: the calendar and the staff meeting as the planner sees them
    now (with the changes made from chat), and its stand-in rule for people on leave."""

    def __init__(
        self, settings: Settings, configs: Mapping[str, ObligationConfig], tick: TickContext
    ) -> None:
        self.settings = settings
        self.calendar = tick.calendar
        self.meeting = tick.meeting
        self._configs = configs
        self._acting_for_absent = tick.acting
        self._batch = tick.batch

    def run(self, session: Session, now: datetime) -> DutyTally:
        tally = DutyTally()
        escalations: dict[int, _Escalation] = {}
        for due in schedule.due_assignments(session, now=now, limit=self._batch):
            tally.assignments += 1
            tally.messages += self._plan_one(session, due, now, escalations)
        for escalation in escalations.values():
            tally.escalations += 1
            tally.messages += self._escalate(session, escalation, now)
        tally.messages += self._onward_reminders(session, now)
        return tally

    def _ladder_instants(self, obligation: Obligation, period: Period) -> list[datetime]:
        """The period's steps, counted from its due instant, its onward deadline and the
        staff meeting it feeds (as moved from chat), as each step says."""
        return step_instants(
            self.settings.ladder(obligation.ladder_key),
            period.due_at,
            self.calendar,
            onward_due_at=period.onward_due_at,
            meeting_at=meeting_of(period.key, self.meeting, self.calendar),
        )

    def _plan_one(
        self,
        session: Session,
        due: schedule.DueAssignment,
        now: datetime,
        escalations: dict[int, _Escalation],
    ) -> int:
        assignment, period, obligation = due.assignment, due.period, due.obligation
        owner = people.by_id(session, assignment.staff_id) if assignment.staff_id else None
        if not obligation.active or (owner is not None and not owner.staff.active):
            schedule.stop(session, _id(assignment.id))
            return 0
        if owner is not None and self._wait_for_return(session, assignment, owner, now):
            return 0
        ladder = self.settings.ladder(obligation.ladder_key)
        instants = self._ladder_instants(obligation, period)
        step = progress(assignment.next_step, instants, now)
        kinds = [ladder.steps[i].kind for i in step.due_steps]
        escalate = "escalation" in kinds
        followups = assignment.followups_unanswered + kinds.count("followup")
        if not schedule.advance(
            session,
            assignment,
            next_step=step.next_step,
            next_action_at=step.next_action_at,
            status=AssignmentStatus.ESCALATED.value if escalate else assignment.status,
            followups_unanswered=followups,
            escalated_at=now if escalate else assignment.escalated_at,
        ):
            return 0  # another tick got there first
        written = self._remind(session, due, step, kinds, followups, now, instants)
        if escalate:
            self._collect_escalation(session, due, owner, followups, now, escalations)
        return written

    def _wait_for_return(
        self, session: Session, assignment: Assignment, owner: people.Person, now: datetime
    ) -> bool:
        """An owner on leave: nothing is sent; the steps wait until the first working day
        back (the due date does not move), then arrive as one message."""
        today = now.astimezone(self.calendar.zone).date()
        away = office.leave_on(session, owner.id, today)
        if away is None:
            return False
        back = self.calendar.opening(self.calendar.next_working_day(away.ends_on))
        schedule.advance(
            session,
            assignment,
            next_step=assignment.next_step,
            next_action_at=back,
            status=assignment.status,
            followups_unanswered=assignment.followups_unanswered,
            escalated_at=assignment.escalated_at,
        )
        return True

    def _remind(
        self,
        session: Session,
        due: schedule.DueAssignment,
        step: Progress,
        kinds: Sequence[str],
        followups: int,
        now: datetime,
        instants: Sequence[datetime],
    ) -> int:
        """One message for all the staff-facing steps that came at once (stale ones collapse)."""
        facing = [i for i, kind in zip(step.due_steps, kinds, strict=True) if kind in STAFF_FACING]
        if not facing:
            return 0
        last = facing[-1]
        kind = kinds[step.due_steps.index(last)]
        assignment = due.assignment
        away = office.on_leave(session, now.astimezone(self.calendar.zone).date())
        params = reminder_params(
            due.obligation,
            due.period,
            assignment,
            kind=kind,
            collapsed=len(facing),
            followup_number=followups if kind == "followup" else 0,
            project=due.project,
        )
        if due.obligation.key == self.settings.loans.maintenance_obligation:
            params["announce"] = True  # announcing the plan (/announce_maintenance) confirms it
        if kind == "followup":
            params.update(self._followup_params(due.obligation, instants, last, now))
        # caught up after downtime at night or on a holiday: still only in office hours
        opens = self.calendar.next_office_moment(now).astimezone(now.tzinfo)
        if kind == "last_call":
            params.update(self._ahead_of_due_day(due.period, opens))
        messages = [
            NewMessage(
                idempotency_key=f"assignment:{assignment.id}:step-{last}:to-{staff.id}",
                chat_id=staff.chat_id,
                staff_id=staff.id,
                assignment_id=assignment.id,
                template="duty",
                params=params,
            )
            for staff in schedule.recipients(session, assignment)
            if staff.id not in away  # a group's duty: members on leave are not reminded
        ]
        return outbox.enqueue(session, messages, now=now, not_before=opens)

    def _followup_params(
        self, obligation: Obligation, instants: Sequence[datetime], index: int, now: datetime
    ) -> dict[str, Any]:
        """Who follows up (the coordinating group), by when the report is asked for (before
        the escalation that follows; none once that has come, after downtime) and to whom
        the memo goes after that (the director)."""
        ladder = self.settings.ladder(obligation.ladder_key)
        group, director = self.settings.coordinating_group, self.settings.director
        params: dict[str, Any] = {
            "coordinator_th": group.name_th,
            "coordinator_en": group.name_en,
            "director_th": director.title_th,
            "director_en": director.title_en,
        }
        by = answer_by(ladder, instants, index, self.calendar)
        if by is not None and by[0] > now:
            params["answer_by"], params["answer_by_time"] = by[0].isoformat(), by[1]
        return params

    def _ahead_of_due_day(self, period: Period, sent: datetime) -> dict[str, Any]:
        """A last call that goes out before the due day (the due day is a Saturday or a
        holiday, or the ladder calls a day ahead) says so: "today" is then not the due date,
        and a due date on a closed day asks for the report today."""
        zone = self.calendar.zone
        due_day = period.due_at.astimezone(zone).date()
        if sent.astimezone(zone).date() >= due_day:
            return {}
        return {
            "ahead_of_due_day": True,
            "due_on_closed_day": not self.calendar.is_working_day(due_day),
        }

    def _collect_escalation(
        self,
        session: Session,
        due: schedule.DueAssignment,
        owner: people.Person | None,
        followups: int,
        now: datetime,
        escalations: dict[int, _Escalation],
    ) -> None:
        period_id = _id(due.period.id)
        batch = escalations.setdefault(period_id, _Escalation(due.period, due.obligation))
        group = people.group(session, due.assignment.group_id) if due.assignment.group_id else None
        groups: Iterable[WorkGroup] = owner.groups if owner else ([group] if group else [])
        batch.assignment_ids.append(_id(due.assignment.id))
        batch.assignments.append(due.assignment)
        batch.group_ids.update(_id(g.id) for g in groups)
        batch.missing.append(
            {
                "assignment_id": due.assignment.id,
                "name_th": owner.name if owner else (group.name_th if group else "-"),
                "name_en": owner.name if owner else (group.name_en if group else "-"),
                "groups_th": [g.name_th for g in groups],
                "groups_en": [g.name_en for g in groups],
                **project_params(due.project),
                "followups": followups,
                "working_days_late": working_days_late(due.period.due_at, now, self.calendar),
                "late_seconds": max(0, round((now - due.period.due_at).total_seconds())),
            }
        )

    def _escalate(self, session: Session, escalation: _Escalation, now: datetime) -> int:
        """One message per period and recipient: the director, the coordinator, group heads."""
        recipients = self._acting_for_absent(
            session, people.escalation_recipients(session, escalation.group_ids), now
        )
        first = min(escalation.assignment_ids)
        director = self.settings.director
        params = {
            **duty_params(escalation.obligation, escalation.period),
            "missing": escalation.missing,
            "director_th": self.settings.memo.director_title or director.title_th,
            "director_en": director.title_en,
        }
        for assignment_id in escalation.assignment_ids:
            schedule.record_event(
                session,
                assignment_id,
                "assignment.escalated",
                now=now,
                actor="system:tick",
                details={"to": [staff.id for staff in recipients]},
            )
        messages = [
            NewMessage(
                idempotency_key=f"period:{escalation.period.id}:escalation:{first}:to-{staff.id}",
                chat_id=staff.chat_id,
                staff_id=staff.id,
                template="escalation",
                params={
                    **params,
                    "for_director": self._answers_for_director(session, staff, now),
                    "answerable": self._answerable(session, staff, escalation, now),
                    **self._copy_to(session, staff, escalation),
                },
            )
            for staff in recipients
        ]
        written = outbox.enqueue(session, messages, now=now)
        return written + self._write_memo(session, escalation, now)

    def _copy_to(self, session: Session, staff: Staff, escalation: _Escalation) -> dict[str, Any]:
        """Whom a copy is addressed to (สำเนาเรียน), worded in bot/: a group head as the
        director of their groups concerned, anyone else as the coordinating group."""
        person = people.by_id(session, _id(staff.id))
        heads = (
            [g for g in person.groups if g.id in escalation.group_ids]
            if person is not None and people.holds(session, staff, Role.GROUP_HEAD)
            else []
        )
        if heads:
            return {
                "copy_heads_th": [g.name_th for g in heads],
                "copy_heads_en": [g.name_en for g in heads],
            }
        group = self.settings.coordinating_group
        return {"copy_to_th": group.name_th, "copy_to_en": group.name_en}

    def _write_memo(self, session: Session, escalation: _Escalation, now: datetime) -> int:
        """The memo to the director (บันทึกข้อความ) beside the escalation: numbered, what it
        states frozen, its copies to whoever sees it first (``jobs.duties.memos``)."""
        obligation, period = escalation.obligation, escalation.period
        kinds = [step.kind for step in self.settings.ladder(obligation.ladder_key).steps]
        days = followup_days(kinds, self._ladder_instants(obligation, period), now, self.calendar)
        missing = [
            Missing(
                assignment_id=int(item["assignment_id"]),
                name=str(item["name_th"]),
                group=", ".join(item["groups_th"]) or "-",
                followups=days,
                name_en=str(item["name_en"]),
                group_en=", ".join(item["groups_en"]) or "-",
                project_code=str(item.get("project_code") or ""),
                project_name=str(item.get("project_name") or ""),
            )
            for item in escalation.missing
        ]
        escalated = Escalated(
            period_id=_id(period.id),
            obligation_id=_id(obligation.id),
            period=duty_params(obligation, period),
            due_at=period.due_at,
            onward_due_at=period.onward_due_at,
            missing=missing,
        )
        return write_memo(
            session,
            self.settings,
            self.calendar,
            escalated,
            stand_ins=self._acting_for_absent,
            now=now,
        )

    def _answerable(
        self, session: Session, staff: Staff, escalation: _Escalation, now: datetime
    ) -> list[int]:
        """The lines this recipient may answer, so that only they carry buttons: the same
        rule the press is checked against (never a line about the recipient themselves)."""
        person = people.by_id(session, _id(staff.id))
        if person is None:
            return []
        today = now.astimezone(self.calendar.zone).date()
        return [
            _id(assignment.id)
            for assignment in escalation.assignments
            if power.escalation_answer(session, person, assignment, today, "r")
            is power.Answer.ALLOWED
        ]

    def _answers_for_director(self, session: Session, staff: Staff, now: datetime) -> bool:
        """The director, or whoever acts for the director today, is addressed as such."""
        today = now.astimezone(self.calendar.zone).date()
        return people.holds(session, staff, Role.DIRECTOR) or office.is_acting(
            session, _id(staff.id), today
        )

    def _onward_reminders(self, session: Session, now: datetime) -> int:
        """Tell the coordinator to forward the reports by the office's own deadline (to สป.):
        what came in, who was reported to the director, and whether the day is closed."""
        written = 0
        for period, obligation in schedule.due_onward_reminders(session, now=now):
            if not schedule.clear_onward(session, _id(period.id)):
                continue
            config = self._configs.get(obligation.key)
            counts = schedule.period_counts(session, _id(period.id))
            params = {
                **duty_params(obligation, period),
                "onward_due_at": period.onward_due_at.isoformat() if period.onward_due_at else None,
                "to_th": config.onward.to_th if config and config.onward else "",
                "to_en": config.onward.to_en if config and config.onward else "",
                "counts": counts,
                **self._onward_day(period.onward_due_at),
                "escalated": self._escalated(session, _id(period.id)),
                "orders": orders(session, _id(period.id)),
            }
            messages = [
                NewMessage(
                    idempotency_key=f"period:{period.id}:onward:to-{staff.id}",
                    chat_id=staff.chat_id,
                    staff_id=staff.id,
                    template="onward",
                    params=params,
                )
                for staff in people.holders_of(session, Role.COORDINATOR)
            ]
            written += outbox.enqueue(session, messages, now=now)
        return written

    def _onward_day(self, onward_due_at: datetime | None) -> dict[str, Any]:
        """When the onward deadline's day is closed (Songkran, a weekend): why, and the last
        working day before it, by which the office has to send."""
        if onward_due_at is None:
            return {}
        day = onward_due_at.astimezone(self.calendar.zone).date()
        reason = self.calendar.closed_reason(day)
        if reason is None:
            return {}
        country = self.calendar.holiday_country
        named = reason not in (WEEKEND, CLOSED_DAY)
        return {
            "onward_closed": {
                "kind": "weekend" if reason == WEEKEND else "holiday" if named else "closed_day",
                "name_th": reason if named else None,
                "name_en": (holiday_name(country, day, "en_US") if named and country else None)
                or (reason if named else None),
                "send_by": self.calendar.previous_working_day(day).isoformat(),
            }
        }

    def _escalated(self, session: Session, period_id: int) -> list[dict[str, Any]]:
        """Who of the period was reported to the director, and their status now."""
        found = []
        for assignment in schedule.period_assignments(session, period_id):
            if assignment.escalated_at is None:
                session.refresh(assignment)  # escalated in this very tick (a bulk UPDATE)
            if assignment.escalated_at is None:
                continue
            owner = people.by_id(session, assignment.staff_id) if assignment.staff_id else None
            group = (
                people.group(session, assignment.group_id)
                if owner is None and assignment.group_id
                else None
            )
            groups = owner.groups if owner else ([group] if group else [])
            found.append(
                {
                    "name_th": owner.name if owner else (group.name_th if group else "-"),
                    "name_en": owner.name if owner else (group.name_en if group else "-"),
                    "groups_th": [g.name_th for g in groups] if owner else [],
                    "groups_en": [g.name_en for g in groups] if owner else [],
                    "status": assignment.status,
                    **project_params(
                        session.get(Project, assignment.project_id)
                        if assignment.project_id
                        else None
                    ),
                }
            )
        return found


def orders(session: Session, period_id: int) -> list[dict[str, Any]]:
    """What the director ordered on the period's memos (none yet: nothing)."""
    return [
        {
            "number": memo.number,
            "fiscal_year": memo.fiscal_year,
            "kind": memo.order_kind,
            "text": memo.order_text or "",
            "new_due_at": memo.new_due_at.isoformat() if memo.new_due_at else None,
        }
        for memo in memos.memos_of_period(session, period_id)
        if memo.order_kind is not None
    ]


def _id(value: int | None) -> int:
    assert value is not None
    return value
