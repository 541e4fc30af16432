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

from sqlmodel import Session

from bot.common.i18n import Translate, format_date, format_datetime, format_month
from bot.common.kit import Turn, button, command
from bot.common.render import period_label
from bot.publishing.texts import REPORT
from bot.runtime.sender import markup
from jobs.publishing.report import (
    ReportContent,
    channel_of,
    covered_month,
    month_window,
    report_content,
)
from jobs.tick import duty_params
from storage import audit, publications, schedule
from storage.publications import PublicationView

AHEAD = timedelta(days=31)  # the reports listed: those due within a month, or already reminded
CONFIRMED = (schedule.ConfirmOutcome.ON_TIME, schedule.ConfirmOutcome.LATE)


def _content(session: Session, turn: Turn, duty: schedule.Duty) -> ReportContent | None:
    """The report's items, or None when it is not one of the two."""
    channel = channel_of(duty.obligation.key, turn.settings.publishing)
    if channel is None:
        return None
    month = covered_month(duty.period.due_at, turn.zone)
    start, end = month_window(month, turn.zone)
    return report_content(
        channel,
        month,
        publications.asked_between(session, start, end),
        publications.published_between(session, start, end),
        publications.waiting(session),
    )


@command()
async def report_command(turn: Turn) -> None:
    """/pubreport: each open E-Service or social report of the person, pre-filled."""
    person, due_before = turn.person, turn.now() + AHEAD

    def load(session: Session) -> list[tuple[schedule.Duty, ReportContent]]:
        duties = schedule.open_duties(session, person, due_before=due_before)
        found = [(duty, _content(session, turn, duty)) for duty in duties]
        return [(duty, content) for duty, content in found if content is not None]

    reports = await turn.run(load)
    if not reports:
        await turn.answer(turn._("You have no E-Service or social report open. Thank you."))
        return
    for duty, content in reports:
        label = turn._("Confirm the report with these links")
        keyboard = [[(label, REPORT(duty.assignment.id or 0))]]
        await turn.answer(report_text(turn, duty, content), reply_markup=markup(keyboard))


def report_text(turn: Turn, duty: schedule.Duty, content: ReportContent) -> str:
    _, language = turn._, turn.language
    title = duty.obligation.title_en if language == "en" else duty.obligation.title_th
    period = period_label(duty_params(duty.obligation, duty.period), language, turn.zone)
    lines = [
        f"{title} — {period}",
        _("Pre-filled from the publication queue, for {month}").format(
            month=format_month(content.month, language)
        ),
        "",
        _("Asked to publish ({count}):").format(count=len(content.asked)),
        *[_asked_line(item, turn) for item in content.asked],
        _("Published, with the links ({count}):").format(count=len(content.published)),
        *[_published_line(item, turn) for item in content.published],
        _("Still waiting ({count}):").format(count=len(content.waiting)),
        *[_waiting_line(item, turn) for item in content.waiting],
        "",
        _(
            'Press "Confirm the report with these links" to record the report as sent, with '
            "the links above as its evidence."
        ),
    ]
    return "\n".join(lines)


def _summary(item: PublicationView, _: Translate) -> str:
    first = (item.text.splitlines() or [""])[0]
    if not first:
        return _("(photos or files)")
    return first if len(first) <= 80 else first[:79] + "…"


def _asked_line(item: PublicationView, turn: Turn) -> str:
    asked = item.publication.requested_at or item.publication.created_at
    return turn._("• No. {number} {summary} ({name}, {date}): {state}").format(
        number=item.id,
        summary=_summary(item, turn._),
        name=item.sender.full_name,
        date=format_date(asked.astimezone(turn.zone), turn.language, "short"),
        state=_state(item, turn._),
    )


def _state(item: PublicationView, _: Translate) -> str:
    status = item.publication.status
    if status == publications.PUBLISHED:
        return _("published")
    if status == publications.DECLINED:
        return _("not published: {reason}").format(reason=item.publication.reason or "-")
    return _("waiting")


def _published_line(item: PublicationView, turn: Turn) -> str:
    when = item.publication.decided_at or item.publication.created_at
    head = turn._("• No. {number} {summary}, published on {date}:").format(
        number=item.id,
        summary=_summary(item, turn._),
        date=format_date(when.astimezone(turn.zone), turn.language, "short"),
    )
    return "\n".join([head, *[f"  {link}" for link in item.publication.links]])


def _waiting_line(item: PublicationView, turn: Turn) -> str:
    since = item.publication.requested_at or item.publication.created_at
    days = (turn.now() - since).days
    return turn._("• No. {number} {summary} ({name}): waiting since {since}, {days} days").format(
        number=item.id,
        summary=_summary(item, turn._),
        name=item.sender.full_name,
        since=format_datetime(since.astimezone(turn.zone), turn.language),
        days=days,
    )


@button(REPORT)
async def report_button(turn: Turn, assignment_id: int) -> None:
    """Confirm the report (the owner only) and record its links as the evidence."""
    now = turn.now()
    outcome, links = await turn.run(lambda s: _confirm(s, turn, assignment_id, now))
    _ = turn._
    if outcome in CONFIRMED:
        text = _("The report is recorded as sent, with {count} links as its evidence. Thank you.")
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
