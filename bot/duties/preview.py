"""``staff-report-bot preview``: the whole fiscal year's periods and ladder steps, sent nowhere.

The same pure functions the engine uses (recurrence, ladder) run over the year, so what the
preview prints is what the bot will do.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from bot.common.i18n import N_, Translate, format_date, format_datetime, translator, weekday_name
from bot.common.render import period_label
from bot.common.roles import role_name
from jobs.calendar import (
    CLOSED_DAY,
    WEEKEND,
    OfficeCalendar,
    fiscal_year_bounds,
    fiscal_year_of,
    holiday_name,
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
    "followup": N_("follow-up no. {number}"),
    "escalation": N_("escalation to the director"),
}
CLOSED_NAMES = {CLOSED_DAY: N_("the office's own closed day")}


def preview_lines(
    settings: Settings, fiscal_year: int, database: Database | None, language: str = "th"
) -> Iterator[str]:
    """Every period and step of ``fiscal_year`` (B.E.), in Thai (or ``language``), a line each."""
    _ = translator(language)
    english = language == "en"
    calendar = OfficeCalendar.from_office(settings.office)
    start, end = fiscal_year_bounds(fiscal_year)
    yield _("{office}: fiscal year {fiscal_year} ({start} – {end})").format(
        office=settings.office.name_en if english else settings.office.name_th,
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
        title = obligation.title_en if english else obligation.title_th
        yield f"{obligation.measure} {title} [{obligation.key}]"
        yield "  " + _("Owed by: {owners}").format(
            owners=_owners(settings, obligation, database, _, language)
        )
        for occurrence in found:
            yield from _period_lines(settings, obligation, occurrence, calendar, _, language)


def _period_lines(
    settings: Settings,
    obligation: Obligation,
    occurrence: Occurrence,
    calendar: OfficeCalendar,
    _: Translate,
    language: str,
) -> Iterator[str]:
    zone = calendar.zone
    ladder = settings.ladder(obligation.ladder)
    instants = step_instants(ladder, occurrence.due_at, calendar)
    # a ladder in seconds (a demo's, a test's): without them two steps would look simultaneous
    seconds = any(moment.second or moment.microsecond for moment in [*instants, occurrence.due_at])
    params = {
        "fiscal_year": occurrence.fiscal_year,
        "period_key": occurrence.key,
        "quarter": occurrence.quarter,
        "month": occurrence.month,
        "covers_previous_month": covers_previous_month(obligation.recurrence),
        "due_at": occurrence.due_at.isoformat(),
    }
    due = format_datetime(occurrence.due_at.astimezone(zone), language, seconds=seconds)
    yield "  " + _("{period}: due by {due}").format(
        period=period_label(params, language, zone), due=due
    )
    closed = calendar.closed_reason(occurrence.due_date)
    if closed is not None:
        reason = _closed_name(closed, occurrence, _, language, settings.office.public_holidays)
        yield "    " + _("(the due date is a closed day: {reason})").format(reason=reason)
    if occurrence.due_date != occurrence.nominal_date:
        yield "    " + _("(moved from {date}, a closed day)").format(
            date=format_date(occurrence.nominal_date, language)
        )
    followups = 0
    for step, moment in zip(ladder.steps, instants, strict=True):
        when = format_datetime(moment.astimezone(zone), language, seconds=seconds)
        who = _director_line(_) if step.kind == "escalation" else _("the owners")
        followups += step.kind == "followup"
        name = _(STEP_NAMES[step.kind]).format(number=followups)
        yield "    " + _("{when}  {step} → {who}").format(when=when, step=name, who=who)
    if occurrence.onward_due_at is not None and obligation.onward is not None:
        onward = format_datetime(occurrence.onward_due_at.astimezone(zone), language)
        yield "    " + _("the office sends to {to} by {due}").format(
            to=obligation.onward.to_en if language == "en" else obligation.onward.to_th, due=onward
        )


def _closed_name(
    closed: str, occurrence: Occurrence, _: Translate, language: str, country: str | None
) -> str:
    """What closes the office that day: the weekday (วันเสาร์), a holiday's name, or the office's
    own closed day."""
    if closed == WEEKEND:
        return weekday_name(occurrence.due_date, language)
    if closed in CLOSED_NAMES:
        return _(CLOSED_NAMES[closed])
    if language == "en" and country:  # the holiday's English name, where the package has one
        return holiday_name(country, occurrence.due_date, "en_US") or closed
    return closed


def _director_line(_: Translate) -> str:
    roles = (Role.DIRECTOR, Role.COORDINATOR, Role.GROUP_HEAD)
    return ", ".join(role_name(role, _) for role in roles)


def _owners(
    settings: Settings,
    obligation: Obligation,
    database: Database | None,
    _: Translate,
    language: str,
) -> str:
    owners = obligation.owners

    def group(key: str) -> str:
        found = settings.group(key)
        return found.name_en if language == "en" else found.name_th

    parts = [_("each member of {group}").format(group=group(key)) for key in owners.each_member_of]
    parts += [_("each {role}").format(role=role_name(role, _)) for role in owners.each_with_role]
    parts += [_("{group} as a whole").format(group=group(key)) for key in owners.groups]
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


def preview(
    settings: Settings, fiscal_year: int, database: Database | None, language: str = "th"
) -> str:
    return "\n".join(preview_lines(settings, fiscal_year, database, language))


def current_fiscal_year(now: datetime, settings: Settings) -> int:
    return fiscal_year_of(now.astimezone(settings.office.zone).date())
