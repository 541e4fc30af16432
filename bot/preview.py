"""``staff-report-bot preview``: the whole fiscal year's periods and ladder steps, sent nowhere.

The same pure functions the engine uses (recurrence, ladder) run over the year, so what the
preview prints is what the bot will do.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from bot.i18n import N_, Translate, format_date, format_datetime, translator, weekday_name
from bot.render import period_label
from bot.roles import role_name
from jobs.calendar import (
    CLOSED_DAY,
    WEEKEND,
    OfficeCalendar,
    fiscal_year_bounds,
    fiscal_year_of,
)
from jobs.ladder import step_instants
from jobs.recurrence import Occurrence, covers_previous_month, occurrences
from jobs.settings import Obligation, Settings
from storage import people, schedule
from storage.db import Database
from storage.models import Role

STEP_NAMES = {
    "reminder": N_("reminder"),
    "last_call": N_("last call"),
    "followup": N_("follow-up"),
    "escalation": N_("escalation to the director"),
}
CLOSED_NAMES = {CLOSED_DAY: N_("the office's own closed day")}


def preview_lines(settings: Settings, fiscal_year: int, database: Database | None) -> Iterator[str]:
    """Every period and step of ``fiscal_year`` (B.E.), in Thai, one line each."""
    _, language = translator("th"), "th"
    calendar = OfficeCalendar.from_office(settings.office)
    start, end = fiscal_year_bounds(fiscal_year)
    yield _("{office}: fiscal year {fiscal_year} ({start} – {end})").format(
        office=settings.office.name_th,
        fiscal_year=fiscal_year,
        start=format_date(start, language),
        end=format_date(end, language),
    )
    yield _("Nothing is sent: this is a preview.")
    for obligation in settings.obligations:
        found = [
            o
            for o in occurrences(
                obligation,
                start=start,
                end=end + timedelta(days=92),
                calendar=calendar,
                meeting=settings.meeting,
            )
            if o.fiscal_year == fiscal_year
        ]
        yield ""
        yield f"{obligation.measure} {obligation.title_th} [{obligation.key}]"
        yield "  " + _("Owed by: {owners}").format(
            owners=_owners(settings, obligation, database, _)
        )
        for occurrence in found:
            yield from _period_lines(settings, obligation, occurrence, calendar, _)


def _period_lines(
    settings: Settings,
    obligation: Obligation,
    occurrence: Occurrence,
    calendar: OfficeCalendar,
    _: Translate,
) -> Iterator[str]:
    zone, language = calendar.zone, "th"
    params = {
        "fiscal_year": occurrence.fiscal_year,
        "period_key": occurrence.key,
        "quarter": occurrence.quarter,
        "month": occurrence.month,
        "covers_previous_month": covers_previous_month(obligation.recurrence),
        "due_at": occurrence.due_at.isoformat(),
    }
    due = format_datetime(occurrence.due_at.astimezone(zone), language)
    yield "  " + _("{period}: due by {due}").format(
        period=period_label(params, language, zone), due=due
    )
    closed = calendar.closed_reason(occurrence.due_date)
    if closed is not None:
        reason = _closed_name(closed, occurrence, _)
        yield "    " + _("(the due date is a closed day: {reason})").format(reason=reason)
    if occurrence.due_date != occurrence.nominal_date:
        yield "    " + _("(moved from {date}, a closed day)").format(
            date=format_date(occurrence.nominal_date, language)
        )
    ladder = settings.ladder(obligation.ladder)
    for step, moment in zip(
        ladder.steps, step_instants(ladder, occurrence.due_at, calendar), strict=True
    ):
        when = format_datetime(moment.astimezone(zone), language)
        who = _director_line(_) if step.kind == "escalation" else _("the owners")
        yield "    " + _("{when}  {step} → {who}").format(
            when=when, step=_(STEP_NAMES[step.kind]), who=who
        )
    if occurrence.onward_due_at is not None and obligation.onward is not None:
        onward = format_datetime(occurrence.onward_due_at.astimezone(zone), language)
        yield "    " + _("the office sends to {to} by {due}").format(
            to=obligation.onward.to_th, due=onward
        )


def _closed_name(closed: str, occurrence: Occurrence, _: Translate) -> str:
    """What closes the office that day: the weekday (วันเสาร์), a holiday's name, or the office's
    own closed day."""
    if closed == WEEKEND:
        return weekday_name(occurrence.due_date, "th")
    return _(CLOSED_NAMES[closed]) if closed in CLOSED_NAMES else closed  # else a holiday


def _director_line(_: Translate) -> str:
    roles = (Role.DIRECTOR, Role.COORDINATOR, Role.GROUP_HEAD)
    return ", ".join(role_name(role, _) for role in roles)


def _owners(
    settings: Settings, obligation: Obligation, database: Database | None, _: Translate
) -> str:
    owners = obligation.owners
    parts = [
        _("each member of {group}").format(group=settings.group(key).name_th)
        for key in owners.each_member_of
    ]
    parts += [_("each {role}").format(role=role_name(role, _)) for role in owners.each_with_role]
    parts += [
        _("{group} as a whole").format(group=settings.group(key).name_th) for key in owners.groups
    ]
    described = ", ".join(parts)
    if database is None:
        return described + " " + _("(no database yet: nobody registered)")
    with database.transaction() as session:
        resolved = schedule.resolve_owners(session, owners.model_dump(mode="json"))
        persons = [people.by_id(session, o.staff_id) for o in resolved if o.staff_id is not None]
        names = [person.name for person in persons if person is not None]
        groups = [o.group_id for o in resolved if o.group_id is not None]
    listed = ", ".join(names) if names else _("nobody registered yet")
    if groups and not names:
        listed = _("any member of the group")
    return f"{described} — {listed}"


def preview(settings: Settings, fiscal_year: int, database: Database | None) -> str:
    return "\n".join(preview_lines(settings, fiscal_year, database))


def current_fiscal_year(now: datetime, settings: Settings) -> int:
    return fiscal_year_of(now.astimezone(settings.office.zone).date())
