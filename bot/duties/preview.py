"""``staff-report-bot preview``: the whole fiscal year's periods and ladder steps, sent nowhere.

The same pure functions the engine uses (recurrence, ladder) run over the year, so what the
preview prints is what the bot will do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.common.i18n import N_, Translate, format_date, format_datetime, translator, weekday_name
from bot.common.render import period_label
from bot.common.roles import head_of_group, role_name
from bot.common.words import ESCALATION
from jobs.calendar import (
    CLOSED_DAY,
    WEEKEND,
    OfficeCalendar,
    fiscal_year_bounds,
    fiscal_year_of,
    holiday_name,
)
from jobs.ladder import SEARCH_DAYS, STAFF_FACING, Fit, Misfit, check_period, step_instants
from jobs.recurrence import Occurrence, covers_previous_month, occurrences
from jobs.settings import Ladder, LadderStep, Obligation, Settings, override_key
from storage import people, schedule
from storage.db import Database
from storage.models import Role

STEP_NAMES = {
    "reminder": N_("reminder"),
    "last_call": N_("last call"),
    "followup": N_("follow-up no. {number}"),
    "escalation": ESCALATION,
}
CLOSED_NAMES = {CLOSED_DAY: N_("the office's own closed day")}
MISFITS = {
    "before_due": N_("comes before the staff due date"),
    "after_deadline": N_("is not before it"),
    "not_before_escalation": N_("does not come before the escalation"),
    "no_day_to_order": N_("leaves the director less than a working day to order"),
}


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
        found = _of_year(settings, obligation, calendar, fiscal_year)
        yield ""
        title = obligation.title_en if english else obligation.title_th
        yield f"{obligation.measure} {title} [{obligation.key}]"
        if obligation.owners.per_project:
            yield "  " + _("Owed by: {owners}").format(
                owners=_("the person responsible for each project, one report per project")
            )
            yield from _project_lines(database, fiscal_year, _, language)
        else:
            yield "  " + _("Owed by: {owners}").format(
                owners=_owners(settings, obligation, database, _, language)
            )
        for occurrence in found:
            yield from _period_lines(settings, obligation, occurrence, calendar, _, language)


def _of_year(
    settings: Settings, obligation: Obligation, calendar: OfficeCalendar, fiscal_year: int
) -> list[Occurrence]:
    """The obligation's periods of a fiscal year (a report on its last quarter is due after
    it ends)."""
    start, end = fiscal_year_bounds(fiscal_year)
    return [
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


def _instants(ladder: Ladder, occurrence: Occurrence, calendar: OfficeCalendar) -> list[datetime]:
    return step_instants(
        ladder,
        occurrence.due_at,
        calendar,
        onward_due_at=occurrence.onward_due_at,
        meeting_at=occurrence.meeting_at,
    )


def _fit(ladder: Ladder, occurrence: Occurrence, calendar: OfficeCalendar) -> Fit | None:
    return check_period(
        ladder,
        occurrence.due_at,
        calendar,
        onward_due_at=occurrence.onward_due_at,
        meeting_at=occurrence.meeting_at,
    )


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
    instants = _instants(ladder, occurrence, calendar)
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
        reason = _closed_name(
            closed, occurrence.due_date, _, language, settings.office.public_holidays
        )
        yield "    " + _("(the due date is a closed day: {reason})").format(reason=reason)
    if occurrence.overridden:
        yield "    " + _("(set by the config's due_overrides; the plan's date is {date})").format(
            date=format_date(occurrence.nominal_date, language)
        )
    elif occurrence.due_date != occurrence.nominal_date:
        yield "    " + _("(moved from {date}, a closed day)").format(
            date=format_date(occurrence.nominal_date, language)
        )
    followups = 0
    steps = list(zip(ladder.steps, instants, strict=True))
    for index, (step, moment) in enumerate(steps):
        followups += step.kind == "followup"
        if _sent_with_the_next(steps, index):
            continue
        when = format_datetime(moment.astimezone(zone), language, seconds=seconds)
        who = _director_line(_) if step.kind == "escalation" else _("the owners")
        name = _(STEP_NAMES[step.kind]).format(number=followups)
        yield "    " + _("{when}  {step} → {who}").format(when=when, step=name, who=who)
    if occurrence.onward_due_at is not None and obligation.onward is not None:
        yield "    " + _onward_line(settings, obligation, occurrence, calendar, _, language)
    if occurrence.meeting_at is not None:
        meeting = occurrence.meeting_at.astimezone(zone)
        yield (
            "    "
            + _("the staff meeting of {when}").format(when=format_datetime(meeting, language))
            + _closed_note(meeting.date(), calendar, _, language, settings.office.public_holidays)
        )
    fit = _fit(ladder, occurrence, calendar)
    if fit is not None and not fit.fits:
        yield "    ⚠ " + fit_sentence(
            settings, obligation, occurrence, ladder, fit, calendar, language
        )


def _sent_with_the_next(steps: Sequence[tuple[LadderStep, datetime]], index: int) -> bool:
    """A step for the owners that falls at the same instant as the next one for them (a
    reminder a working day before a Saturday due date, and the due-day call, both on the
    Friday) is not a message of its own: the tick sends the later step alone."""
    step, moment = steps[index]
    if index + 1 == len(steps) or step.kind not in STAFF_FACING:
        return False
    following, when = steps[index + 1]
    return when == moment and following.kind in STAFF_FACING


def _onward_line(
    settings: Settings,
    obligation: Obligation,
    occurrence: Occurrence,
    calendar: OfficeCalendar,
    _: Translate,
    language: str,
) -> str:
    """``สำนักงานส่ง… ภายในวันที่ 15 เมษายน 2569 (วันสงกรานต์ ซึ่งเป็นวันหยุด)``: a date, never
    an hour (สป. sets none), and why that day is closed when it is."""
    assert occurrence.onward_due_at is not None and obligation.onward is not None
    day = occurrence.onward_due_at.astimezone(calendar.zone).date()
    line = _("the office sends to {to} by {due}").format(
        to=obligation.onward.to_en if language == "en" else obligation.onward.to_th,
        due=format_date(day, language),
    )
    return line + _closed_note(day, calendar, _, language, settings.office.public_holidays)


def _closed_note(
    day: date, calendar: OfficeCalendar, _: Translate, language: str, country: str | None
) -> str:
    closed = calendar.closed_reason(day)
    if closed is None:
        return ""
    reason = _closed_name(closed, day, _, language, country)
    return " " + _("({reason}, a closed day)").format(reason=reason)


def fit_sentence(
    settings: Settings,
    obligation: Obligation,
    occurrence: Occurrence,
    ladder: Ladder,
    fit: Fit,
    calendar: OfficeCalendar,
    language: str,
) -> str:
    """One sentence on a period whose follow-ups or escalation miss the deadline its report
    feeds: which steps, when, why, and the fix (the latest staff due date that fits, as the
    config writes it; or moving a meeting set on a closed day)."""
    _ = translator(language)
    zone = calendar.zone
    country = settings.office.public_holidays
    end = fit.deadline_at.astimezone(zone)
    if fit.deadline == "onward" and obligation.onward is not None:
        to = obligation.onward.to_en if language == "en" else obligation.onward.to_th
        deadline = _("the office sends to {to} by {due}").format(
            to=to, due=format_date(end.date(), language)
        )
    else:
        deadline = _("the staff meeting of {when}").format(when=format_datetime(end, language))
    deadline += _closed_note(end.date(), calendar, _, language, country)
    problems = ""
    for misfit in fit.misfits:
        said = _misfit(ladder, misfit, zone, _, language)
        problems = (
            _("{earlier}; {later}").format(earlier=problems, later=said) if problems else said
        )
    return _("{deadline}: {problems}. {fix}").format(
        deadline=_capitalised(deadline),
        problems=problems,
        fix=_fix(obligation, occurrence, fit, calendar, _, language),
    )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _misfit(ladder: Ladder, misfit: Misfit, zone: ZoneInfo, _: Translate, language: str) -> str:
    number = sum(step.kind == "followup" for step in ladder.steps[: misfit.step + 1])
    return _("{step} on {when} {reason}").format(
        step=_(STEP_NAMES[misfit.kind]).format(number=number),
        when=format_datetime(misfit.at.astimezone(zone), language),
        reason=_(MISFITS[misfit.reason]),
    )


def _fix(
    obligation: Obligation,
    occurrence: Occurrence,
    fit: Fit,
    calendar: OfficeCalendar,
    _: Translate,
    language: str,
) -> str:
    if fit.latest_due is None and _meeting_on_closed_day(occurrence, calendar):
        return _("Fix: move the meeting to a working day (/meeting, or [meeting] dates).")
    if fit.latest_due is None:
        return _("No staff due date in the {days} days before fits: shorten the ladder.").format(
            days=SEARCH_DAYS
        )
    iso = fit.latest_due.isoformat()
    if obligation.recurrence.kind == "once":
        setting = f'recurrence = {{ kind = "once", date = {iso} }}'
    else:
        setting = f'due_overrides = {{ "{override_key(occurrence.key)}" = {iso} }}'
    return _("Fix: make this period due by {date} at the latest ({setting}).").format(
        date=format_date(fit.latest_due, language), setting=setting
    )


def _meeting_on_closed_day(occurrence: Occurrence, calendar: OfficeCalendar) -> bool:
    if occurrence.meeting_at is None:
        return False
    return not calendar.is_working_day(occurrence.meeting_at.astimezone(calendar.zone).date())


def fit_warnings(
    settings: Settings, fiscal_years: Iterable[int], language: str = "en"
) -> Iterator[str]:
    """For ``check-config``: a sentence for each period of these fiscal years whose steps
    miss the onward deadline or the meeting its report feeds.

    A meeting the rule sets on a closed day is left to the preview: the office moves such a
    meeting from chat (/meeting), which the config file does not show.
    """
    calendar = OfficeCalendar.from_office(settings.office)
    for fiscal_year in fiscal_years:
        for obligation in settings.obligations:
            ladder = settings.ladder(obligation.ladder)
            for occurrence in _of_year(settings, obligation, calendar, fiscal_year):
                fit = _fit(ladder, occurrence, calendar)
                if fit is None or fit.fits or _meeting_on_closed_day(occurrence, calendar):
                    continue
                sentence = fit_sentence(
                    settings, obligation, occurrence, ladder, fit, calendar, language
                )
                yield f"{obligation.key} {occurrence.key}: {sentence}"


def _closed_name(closed: str, day: date, _: Translate, language: str, country: str | None) -> str:
    """What closes the office that day: the weekday (วันเสาร์), a holiday's name, or the office's
    own closed day."""
    if closed == WEEKEND:
        return weekday_name(day, language)
    if closed in CLOSED_NAMES:
        return _(CLOSED_NAMES[closed])
    if language == "en" and country:  # the holiday's English name, where the package has one
        return holiday_name(country, day, "en_US") or closed
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
    parts += [head_of_group(group(key), _) for key in owners.head_of]
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


def _project_lines(
    database: Database | None, fiscal_year: int, _: Translate, language: str
) -> Iterator[str]:
    """A per-project obligation: each open project of the year and who owes its reports
    (the register, ``staff-report-bot projects import``), or that none is imported."""
    duties = []
    if database is not None:
        with database.transaction() as session:
            duties = schedule.project_duties(session, fiscal_year)
    if not duties:
        yield "  " + _(
            "No project of fiscal year {year} is imported, so nobody owes it yet: import the "
            "action plan with staff-report-bot projects import FILE.xlsx --fy {year}"
        ).format(year=fiscal_year)
        return
    yield "  " + _("Projects of fiscal year {year} ({count}), one report each:").format(
        year=fiscal_year, count=len(duties)
    )
    for duty in duties:
        if duty.person is not None:
            who = duty.person
        elif duty.group_th is not None:
            group = duty.group_en if language == "en" and duty.group_en else duty.group_th
            who = _("{group} as a whole").format(group=group)
        else:
            who = _("nobody: no registered person or group matched, so it is not reminded")
        yield "    " + _("{code} {name} — {who}").format(code=duty.code, name=duty.name, who=who)


def preview(
    settings: Settings, fiscal_year: int, database: Database | None, language: str = "th"
) -> str:
    return "\n".join(preview_lines(settings, fiscal_year, database, language))


def current_fiscal_year(now: datetime, settings: Settings) -> int:
    return fiscal_year_of(now.astimezone(settings.office.zone).date())
