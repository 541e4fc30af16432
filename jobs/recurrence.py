"""From an obligation's recurrence to its concrete occurrences (the periods people report on).

Pure: the window, the calendar and the meeting are passed in; nothing reads a clock. An
occurrence's ``key`` becomes a database key, so it depends only on what the occurrence is
about (the quarter, the month, the meeting), never on the window it was found in.
"""

from __future__ import annotations

import calendar as std_calendar
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from jobs.calendar import OfficeCalendar, fiscal_quarter_of, fiscal_year_bounds, fiscal_year_of
from jobs.offsets import OffsetUnit, parse_offset
from jobs.settings import (
    ORDINALS,
    WEEKDAYS,
    Meeting,
    MeetingRecurrence,
    MonthlyRecurrence,
    Obligation,
    OnceRecurrence,
    Onward,
    QuarterlyRecurrence,
    Recurrence,
    YearlyRecurrence,
)


@dataclass(frozen=True)
class Occurrence:
    """One period of an obligation: what it is about and when it is due.

    Words stay out of here: ``quarter`` and ``month`` let the bot layer say "ไตรมาสที่ 1".
    """

    key: str  # unique within its obligation and stable forever (a database key)
    fiscal_year: int  # B.E., the fiscal year the report is about
    due_date: date  # after the closed-day rule
    due_at: datetime  # aware, UTC
    onward_due_at: datetime | None  # aware, UTC: the office's own deadline to pass it on
    nominal_date: date  # before the closed-day rule
    quarter: int | None = None  # 1–4, for quarterly reports: the quarter covered
    month: int | None = None  # 1–12, for monthly and meeting reports: the month due (its key's)
    meeting_at: datetime | None = None  # aware, UTC: the staff meeting a meeting report feeds
    overridden: bool = False  # the due date is the config's due_overrides for this period


# ---- dates --------------------------------------------------------------------------------


def _clamped(year: int, month: int, day: int) -> date:
    """``day`` of a month, or its last day when the month is shorter ("the 31st" in February)."""
    return date(year, month, min(day, std_calendar.monthrange(year, month)[1]))


def _months(start: date, end: date) -> Iterator[tuple[int, int]]:
    """(year, month) of every month overlapping [start, end]."""
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def _nth_weekday(year: int, month: int, ordinal: str, weekday: int) -> date:
    """The day a rule such as "second tue" or "last fri" names in one month."""
    days = [
        date(year, month, number)
        for number in range(1, std_calendar.monthrange(year, month)[1] + 1)
        if date(year, month, number).weekday() == weekday
    ]
    return days[-1] if ordinal == "last" else days[ORDINALS.index(ordinal)]


def meeting_dates(meeting: Meeting, start: date, end: date) -> list[date]:
    """The staff meetings in [start, end]: the explicit dates if any, else the rule's."""
    if meeting.dates:
        return sorted({day for day in meeting.dates if start <= day <= end})
    if meeting.rule is None:
        return []
    ordinal, weekday = meeting.rule.split()
    found = (
        _nth_weekday(year, month, ordinal, WEEKDAYS.index(weekday))
        for year, month in _months(start, end)
    )
    return [day for day in found if start <= day <= end]


def materialisation_window(today: date) -> tuple[date, date]:
    """From the start of the current fiscal year to the end of the next one.

    The engine keeps at least this much materialised, so that a preview of the coming year
    and the reports still owed for the current one are both in the database.
    """
    fiscal_year = fiscal_year_of(today)
    return fiscal_year_bounds(fiscal_year)[0], fiscal_year_bounds(fiscal_year + 1)[1]


# ---- the due instant ----------------------------------------------------------------------


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _apply_closed_day_rule(obligation: Obligation, nominal: date, cal: OfficeCalendar) -> date:
    """Keep the plan's date ("by the 10th"), or move it to the previous/next working day."""
    if obligation.on_closed_day == "previous":
        return cal.previous_working_day(nominal, include_today=True)
    if obligation.on_closed_day == "next":
        return cal.next_working_day(nominal, include_today=True)
    return nominal


def _due_at(obligation: Obligation, due_date: date, cal: OfficeCalendar) -> datetime:
    """The obligation's own clock time on the due date, else the end of the office day."""
    if obligation.due_time is not None:
        return _utc(datetime.combine(due_date, obligation.due_time, tzinfo=cal.zone))
    return _utc(cal.closing(due_date))


def _onward_due_at(onward: Onward | None, due_date: date, cal: OfficeCalendar) -> datetime | None:
    """The ministry's deadline: never moved by closed days (it is not the office's date)."""
    if onward is None:
        return None
    if onward.day is not None:
        day = _clamped(due_date.year, due_date.month, onward.day)
        if day < due_date:
            day = _clamped(*_next_month(due_date), onward.day)
        return _utc(cal.closing(day))
    if onward.offset is None:
        return None
    offset = parse_offset(onward.offset)
    if offset.unit is OffsetUnit.WORKING_DAYS:
        return _utc(cal.closing(cal.shift_working_days(due_date, offset.amount)))
    if offset.unit is OffsetUnit.DAYS:
        return _utc(cal.closing(due_date + timedelta(days=offset.amount)))
    return _utc(cal.closing(due_date) + offset.as_timedelta())  # clock offsets, for demos


def _occurrence(
    obligation: Obligation,
    nominal: date,
    cal: OfficeCalendar,
    *,
    key: str,
    fiscal_year: int,
    quarter: int | None = None,
    month: int | None = None,
) -> Occurrence:
    """An occurrence due on ``nominal`` (moved by the closed-day rule), at the usual time;
    or on the day the config's ``due_overrides`` sets for it (the onward deadline stays the
    plan's: it is not the office's to move)."""
    planned = _apply_closed_day_rule(obligation, nominal, cal)
    override = obligation.due_overrides.get(key)
    due_date = planned if override is None else override
    return Occurrence(
        key=key,
        fiscal_year=fiscal_year,
        due_date=due_date,
        due_at=_due_at(obligation, due_date, cal),
        onward_due_at=_onward_due_at(obligation.onward, planned, cal),
        nominal_date=nominal,
        quarter=quarter,
        month=month,
        overridden=override is not None,
    )


# ---- one function per kind of recurrence -------------------------------------------------


def quarter_covered(due: date) -> tuple[int, int]:
    """(fiscal year, quarter) of the last quarter that ended before the month of ``due``.

    Due in January (or February, March) → quarter 1 (Oct–Dec) of the fiscal year then running.
    """
    previous = due.year * 12 + due.month - 2  # the month before, 0-based
    quarter_end = previous - (previous - 2) % 3  # the latest March, June, September, December
    return fiscal_quarter_of(date(quarter_end // 12, quarter_end % 12 + 1, 1))


FIRST_HALF_LAST_DAY = 15
"""A monthly report due by this day of a month reports on the month before."""


def covers_previous_month(recurrence: Recurrence | Mapping[str, Any]) -> bool:
    """Whether a monthly report is about the month before the one it is due in.

    The config does not say which month a monthly report covers, so its due day decides: one
    due in the first half of a month (the procurement summary by the 10th, the complaint
    follow-up by the 5th) can only sum up the month just ended; one due later in the month
    reports on that month. Other recurrences: no (a quarter names itself, a meeting its month).
    Takes the config's recurrence or the one stored with the obligation (a dict).
    """
    if isinstance(recurrence, Mapping):
        kind, day = recurrence.get("kind"), recurrence.get("day")
    else:
        kind, day = recurrence.kind, getattr(recurrence, "day", None)
    return kind == "monthly" and isinstance(day, int) and day <= FIRST_HALF_LAST_DAY


def month_covered(period_key: str, due: date, previous: bool | None) -> date:
    """The first day of the month a monthly report is about.

    The due month is the period's key (``2025-10``: the closed-day rule never moves it), or
    the due date's month when the key is not a month. ``previous`` is
    :func:`covers_previous_month` of the obligation; None (a message written before the rule
    was passed along) judges by the due day.
    """
    try:
        first = date.fromisoformat(f"{period_key}-01")
    except ValueError:
        first = due.replace(day=1)
    if previous is None:
        previous = due.day <= FIRST_HALF_LAST_DAY
    return (first - timedelta(days=1)).replace(day=1) if previous else first


def _quarterly_key(fiscal_year: int, quarter: int, due_month: int) -> str:
    """Plainly "2568-Q1"; another due month for the same quarter adds its own: "2568-Q1-02".

    Stable whatever else the config lists, so that adding a month renames nothing.
    """
    key = f"{fiscal_year}-Q{quarter}"
    return key if due_month % 3 == 1 else f"{key}-{due_month:02d}"


def _quarterly(
    obligation: Obligation, rule: QuarterlyRecurrence, start: date, end: date, cal: OfficeCalendar
) -> list[Occurrence]:
    found = []
    for year, month in _months(start, end):
        nominal = _clamped(year, month, rule.day)
        if month not in rule.months or not start <= nominal <= end:
            continue
        fiscal_year, quarter = quarter_covered(nominal)
        key = _quarterly_key(fiscal_year, quarter, month)
        found.append(
            _occurrence(obligation, nominal, cal, key=key, fiscal_year=fiscal_year, quarter=quarter)
        )
    return found


def _monthly(
    obligation: Obligation, rule: MonthlyRecurrence, start: date, end: date, cal: OfficeCalendar
) -> list[Occurrence]:
    found = []
    for year, month in _months(start, end):
        nominal = _clamped(year, month, rule.day)
        if start <= nominal <= end:
            found.append(
                _occurrence(
                    obligation,
                    nominal,
                    cal,
                    key=f"{year:04d}-{month:02d}",
                    fiscal_year=fiscal_year_of(nominal),
                    month=month,
                )
            )
    return found


def _yearly(
    obligation: Obligation, rule: YearlyRecurrence, start: date, end: date, cal: OfficeCalendar
) -> list[Occurrence]:
    found = []
    for year in range(start.year, end.year + 1):
        nominal = _clamped(year, rule.month, rule.day)
        if start <= nominal <= end:
            found.append(
                _occurrence(
                    obligation, nominal, cal, key=f"{year:04d}", fiscal_year=fiscal_year_of(nominal)
                )
            )
    return found


def _once(
    obligation: Obligation, rule: OnceRecurrence, start: date, end: date, cal: OfficeCalendar
) -> list[Occurrence]:
    if not start <= rule.date <= end:
        return []
    key = f"once-{rule.date.isoformat()}"
    return [_occurrence(obligation, rule.date, cal, key=key, fiscal_year=fiscal_year_of(rule.date))]


def _meeting_due_at(
    obligation: Obligation, due_date: date, meeting_at: time, cal: OfficeCalendar, at_meeting: bool
) -> datetime:
    """At the meeting itself, or at the end of the office day; the obligation's time wins."""
    if at_meeting and obligation.due_time is None:
        return _utc(datetime.combine(due_date, meeting_at, tzinfo=cal.zone))
    return _due_at(obligation, due_date, cal)


def _meeting_based(
    obligation: Obligation,
    rule: MeetingRecurrence,
    start: date,
    end: date,
    cal: OfficeCalendar,
    meeting: Meeting,
) -> list[Occurrence]:
    """Due ``days_before`` working days before each meeting (no closed-day rule: the meeting
    date is the office's own choice). The nominal date is the due date, so a meeting just
    after ``end`` whose report falls due by ``end`` is in the window."""
    found = []
    last_meeting = cal.shift_working_days(end, rule.days_before)
    for meeting_day in meeting_dates(meeting, start, last_meeting):
        planned = cal.shift_working_days(meeting_day, -rule.days_before)
        if not start <= planned <= end:
            continue
        key = f"meeting-{meeting_day:%Y-%m}"  # one meeting a month: moving it keeps the key
        override = obligation.due_overrides.get(key)
        due_date = planned if override is None else override
        at_meeting = rule.days_before == 0 and override is None
        found.append(
            Occurrence(
                key=key,
                fiscal_year=fiscal_year_of(meeting_day),
                due_date=due_date,
                due_at=_meeting_due_at(obligation, due_date, meeting.at, cal, at_meeting),
                onward_due_at=_onward_due_at(obligation.onward, planned, cal),
                nominal_date=planned,
                month=meeting_day.month,
                meeting_at=_utc(datetime.combine(meeting_day, meeting.at, tzinfo=cal.zone)),
                overridden=override is not None,
            )
        )
    return found


def meeting_of(period_key: str, meeting: Meeting, cal: OfficeCalendar) -> datetime | None:
    """The staff meeting a meeting report's period (``meeting-2026-01``) feeds, or None."""
    if not period_key.startswith("meeting-"):
        return None
    try:
        first = date.fromisoformat(f"{period_key.removeprefix('meeting-')}-01")
    except ValueError:
        return None
    last = _clamped(first.year, first.month, 31)
    days = meeting_dates(meeting, first, last)
    return _utc(datetime.combine(days[0], meeting.at, tzinfo=cal.zone)) if days else None


def occurrences(
    obligation: Obligation,
    *,
    start: date,
    end: date,
    calendar: OfficeCalendar,
    meeting: Meeting,
) -> list[Occurrence]:
    """Every occurrence whose nominal due date is in [start, end], sorted by due instant."""
    rule = obligation.recurrence
    found: list[Occurrence]
    if isinstance(rule, QuarterlyRecurrence):
        found = _quarterly(obligation, rule, start, end, calendar)
    elif isinstance(rule, MonthlyRecurrence):
        found = _monthly(obligation, rule, start, end, calendar)
    elif isinstance(rule, MeetingRecurrence):
        found = _meeting_based(obligation, rule, start, end, calendar, meeting)
    elif isinstance(rule, YearlyRecurrence):
        found = _yearly(obligation, rule, start, end, calendar)
    else:
        found = _once(obligation, rule, start, end, calendar)
    return sorted(found, key=lambda occurrence: (occurrence.due_at, occurrence.key))


def effective_meeting(meeting: Meeting, moved: dict[str, date], today: date) -> Meeting:
    """The meeting rule with the months the office moved from chat (``{"2025-01": date}``).

    Returns explicit dates over the materialisation window (and the year before, for
    reports), so that the rest of the code sees one list.
    """
    if not moved:
        return meeting
    start, end = materialisation_window(today)
    rule_dates = meeting_dates(
        meeting, start.replace(year=start.year - 1), end.replace(year=end.year + 1)
    )
    by_month = {f"{day:%Y-%m}": day for day in rule_dates} | moved
    return meeting.model_copy(update={"rule": None, "dates": sorted(by_month.values())})
