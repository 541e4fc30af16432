"""What a message about an assignment carries: the duty, its period, the assignment, its
project, as plain data worded when it is sent.

Shared: the duties' ladder (``jobs.duties.step``) writes these parameters into its reminders
and escalations, and the chat (``bot.duties``, ``bot.oversight``) builds the same ones when a
person is shown a duty, so that a message reads the same whoever wrote it.
"""

from __future__ import annotations

from typing import Any

from jobs.recurrence import covers_previous_month
from storage.models import Assignment, Obligation, Period, Project


def reminder_params(
    obligation: Obligation,
    period: Period,
    assignment: Assignment,
    *,
    kind: str,
    collapsed: int = 1,
    followup_number: int = 0,
    project: Project | None = None,
) -> dict[str, Any]:
    """A "duty" message's parameters: a reminder, a follow-up, a snoozed or a further one."""
    return {
        **duty_params(obligation, period),
        "assignment_id": assignment.id,
        "kind": kind,
        "collapsed": collapsed,
        "followup_number": followup_number,
        "group_duty": assignment.group_id is not None,
        **project_params(project),
    }


def project_params(project: Project | None) -> dict[str, Any]:
    """A per-project assignment's project, as every message about it names it (code, name)."""
    if project is None:
        return {}
    return {"project_code": project.code, "project_name": project.name}


def duty_params(obligation: Obligation, period: Period) -> dict[str, Any]:
    return {
        "obligation": obligation.key,
        "title_th": obligation.title_th,
        "title_en": obligation.title_en,
        "measure": obligation.measure,
        "period_id": period.id,
        "period_key": period.key,
        "fiscal_year": period.fiscal_year,
        "quarter": period.quarter,
        "month": period.month,
        "covers_previous_month": covers_previous_month(obligation.recurrence),
        "due_at": period.due_at.isoformat(),
    }
