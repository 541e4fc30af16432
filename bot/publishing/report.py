"""/pubreport: the monthly E-Service and social reports to the staff meeting, pre-filled from
the queue — what was asked, what was published with its links, what is still waiting and
since when — each with a button that confirms the report and records those links as its
evidence.

Only the person who owes the report may confirm it (``storage.schedule.confirm``), and only
a report of the two the config names (``[publishing]``): a press carrying another report's
number changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.common.kit import Turn, button, command
from bot.publishing.texts import REPORT, report_keyboard, report_lines
from bot.runtime.sender import markup
from jobs.publishing.report import (
    ReportContent,
    report_params,
)
from jobs.publishing.step import month_content
from storage import audit, publications, schedule

AHEAD = timedelta(days=31)  # the reports listed: those due within a month, or already reminded
CONFIRMED = (schedule.ConfirmOutcome.ON_TIME, schedule.ConfirmOutcome.LATE)


def _content(session: Session, turn: Turn, duty: schedule.Duty) -> ReportContent | None:
    """The report's items, or None when it is not one of the two."""
    publishing, zone = turn.settings.publishing, turn.zone
    return month_content(session, publishing, zone, duty.period, duty.obligation)


@command()
async def report_command(turn: Turn) -> None:
    """/pubreport: each open E-Service or social report of the person, pre-filled."""
    person, now = turn.person, turn.now()

    def load(session: Session) -> list[dict[str, Any]]:
        duties = schedule.open_duties(session, person, due_before=now + AHEAD)
        found = [(duty, _content(session, turn, duty)) for duty in duties]
        return [
            {
                **report_params(d.obligation, d.period, content, now),
                "assignment_id": d.assignment.id,
            }
            for d, content in found
            if content is not None
        ]

    reports = await turn.run(load)
    if not reports:
        await turn.answer(turn._("You have no E-Service or social report open at the moment."))
        return
    for params in reports:
        text = "\n".join(report_lines(params, turn.language, turn.zone))
        keyboard = report_keyboard(int(params["assignment_id"]), turn._)
        await turn.answer(text, reply_markup=markup(keyboard))


@button(REPORT)
async def report_button(turn: Turn, assignment_id: int) -> None:
    """Confirm the report (the owner only) and record its links as the evidence."""
    now = turn.now()
    outcome, links = await turn.run(lambda s: _confirm(s, turn, assignment_id, now))
    _ = turn._
    if outcome in CONFIRMED:
        text = _(
            "The report is recorded as sent, with {count} links as its evidence. "
            "Thank you for your cooperation."
        )
        await turn.answer(text.format(count=len(links)))
    elif outcome is schedule.ConfirmOutcome.ALREADY:
        await turn.answer(_("This report was already confirmed. Nothing was changed."))
    else:
        await turn.answer(_("This report is not yours to confirm. Nothing was changed."))


def _confirm(
    session: Session, turn: Turn, assignment_id: int, now: datetime
) -> tuple[schedule.ConfirmOutcome, list[str]]:
    """The confirmation, the links as evidence and their event: one commit."""
    duty = schedule.duty(session, assignment_id)
    content = _content(session, turn, duty) if duty is not None else None
    if content is None:  # not one of the two reports: as if it did not exist
        return schedule.ConfirmOutcome.NOT_FOUND, []
    person = turn.person
    outcome, _duty = schedule.confirm(session, assignment_id, person=person, now=now, via="queue")
    if outcome not in CONFIRMED:
        return outcome, []
    publications.record_evidence(session, assignment_id, [i.id for i in content.published], now=now)
    audit.record(
        session,
        at=now,
        **audit.by_staff(person.id),
        action="publication.report_evidence",
        subject_type="assignment",
        subject_id=assignment_id,
        details={"links": content.links},
    )
    return outcome, content.links
