"""The office calendar (working days, office hours, Thai holidays) and the Thai fiscal year.

Pure: nothing here reads a clock. Callers pass the day or the instant they mean, so that the
planner, the preview and the tests all ask the same questions of the same function. The only
data read is the ``holidays`` package's static tables, cached per (country, year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays

from jobs.settings import WEEKDAYS, Office

BUDDHIST_ERA_OFFSET = 543
"""B.E. = C.E. + 543: 2025 C.E. is 2568 B.E."""

MAX_SEARCH_DAYS = 400
"""How far any search for a working day may look before giving up (a year and some)."""

HOLIDAY_CATEGORIES = frozenset({"public", "government"})
"""A Provincial Education Office is a government office: its staff also get the days the
``holidays`` package files under "government" only (the Royal Ploughing Ceremony,
วันพืชมงคล), which are not in its default "public" category."""

CLOSED_DAY = "closed day"
WEEKEND = "weekend"


def buddhist_year(year: int) -> int:
    """The Buddhist Era year of a Christian Era year (Thai documents count in B.E.)."""
    return year + BUDDHIST_ERA_OFFSET


def fiscal_year_of(day: date) -> int:
    """The Thai fiscal year (B.E.) of ``day``: 1 Oct – 30 Sep, named by the year it ends in."""
    return buddhist_year(day.year + (1 if day.month >= 10 else 0))


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """The first and last day of a fiscal year (B.E.): 2568 → 2024-10-01, 2025-09-30."""
    ends_in = fiscal_year - BUDDHIST_ERA_OFFSET
    return date(ends_in - 1, 10, 1), date(ends_in, 9, 30)


def fiscal_quarter_of(day: date) -> tuple[int, int]:
    """(fiscal year, quarter 1–4) of ``day``; quarter 1 is October to December."""
    return fiscal_year_of(day), (day.month - 10) % 12 // 3 + 1


def _supported_categories(country: str) -> tuple[str, ...]:
    """Our categories that the country's table knows (asking for others raises)."""
    known = holidays.country_holidays(country).supported_categories
    return tuple(sorted(HOLIDAY_CATEGORIES.intersection(known)))


@lru_cache(maxsize=64)
def _holidays_of(country: str, year: int) -> Mapping[date, str]:
    """The country's holidays of one year, in Thai whatever the environment's locale.

    Cached: the working-day searches ask for the same year thousands of times. Read-only so
    that no caller can edit the shared copy.
    """
    table = holidays.country_holidays(
        country, years=year, language="th", categories=_supported_categories(country)
    )
    return MappingProxyType({day: name for day, name in table.items() if day.year == year})


def holiday_name(country: str, day: date, language: str) -> str | None:
    """A public holiday's name in another language the package knows (``en_US``), for an
    English reader; the calendar itself keeps the Thai names."""
    table = holidays.country_holidays(
        country, years=day.year, language=language, categories=_supported_categories(country)
    )
    return table.get(day)


def _weekday_numbers(names: list[str]) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(name) for name in names)


@dataclass(frozen=True)
class OfficeCalendar:
    """When the office works: its zone, its hours, its weekdays, its holidays and closures.

    Office hours are the half-open interval [opens, closes) of each working day.
    """

    zone: ZoneInfo
    opens: time
    closes: time
    working_weekdays: frozenset[int]  # Monday = 0
    closed_days: frozenset[date]  # the config's own, on top of the public holidays
    holiday_country: str | None  # "TH", or None for no public holidays

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError(
                f"office hours must open before they close ({self.opens}, {self.closes})"
            )
        if not self.working_weekdays:
            raise ValueError("an office calendar needs at least one working weekday")

    @classmethod
    def from_office(cls, office: Office) -> OfficeCalendar:
        """The calendar the config's ``[office]`` section describes."""
        return cls(
            zone=office.zone,
            opens=office.office_hours.start,
            closes=office.office_hours.end,
            working_weekdays=_weekday_numbers(list(office.working_days)),
            closed_days=frozenset(office.closed_days),
            holiday_country=office.public_holidays,
        )

    # ---- days -------------------------------------------------------------------------

    def public_holidays(self, year: int) -> dict[date, str]:
        """The public holidays of ``year`` with their Thai names (a copy, free to edit)."""
        return dict(self._holidays(year))

    def _holidays(self, year: int) -> Mapping[date, str]:
        if self.holiday_country is None:
            return MappingProxyType({})
        return _holidays_of(self.holiday_country, year)

    def closed_reason(self, day: date) -> str | None:
        """Why the office is closed on ``day``, or None: the weekend first (it closes the
        office whatever else falls on it: วันเด็กแห่งชาติ is always a Saturday and never
        an office holiday), then the public holiday's Thai name, then the office's own day."""
        if day.weekday() not in self.working_weekdays:
            return WEEKEND
        holiday = self._holidays(day.year).get(day)
        if holiday is not None:
            return holiday
        if day in self.closed_days:
            return CLOSED_DAY
        return None

    def is_working_day(self, day: date) -> bool:
        """A working weekday that is neither a public holiday nor one of the office's closures."""
        return self.closed_reason(day) is None

    def _step(self, day: date, direction: int) -> date:
        """The nearest working day strictly after (+1) or before (-1) ``day``, within bounds."""
        candidate = day
        for _ in range(MAX_SEARCH_DAYS):
            candidate += timedelta(days=direction)
            if self.is_working_day(candidate):
                return candidate
        side = "after" if direction > 0 else "before"
        raise ValueError(f"no working day within {MAX_SEARCH_DAYS} days {side} {day}")

    def shift_working_days(self, day: date, n: int) -> date:
        """The n-th working day after (n > 0) or before (n < 0) ``day``; ``day`` itself for 0.

        ``day`` need not be a working day: +1 from a Saturday is the following Monday (if that
        is a working day), as "one working day after the due date" means when the date was kept.
        """
        direction = 1 if n > 0 else -1
        for _ in range(abs(n)):
            day = self._step(day, direction)
        return day

    def next_working_day(self, day: date, *, include_today: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself, if allowed and working)."""
        if include_today and self.is_working_day(day):
            return day
        return self._step(day, 1)

    def previous_working_day(self, day: date, *, include_today: bool = False) -> date:
        """The last working day before ``day`` (or ``day`` itself, if allowed and working)."""
        if include_today and self.is_working_day(day):
            return day
        return self._step(day, -1)

    # ---- instants ---------------------------------------------------------------------

    def opening(self, day: date) -> datetime:
        """When the office opens on ``day``, in its zone (whether or not ``day`` is working)."""
        return datetime.combine(day, self.opens, tzinfo=self.zone)

    def closing(self, day: date) -> datetime:
        """The end of the office day: the default due instant of a report due on ``day``."""
        return datetime.combine(day, self.closes, tzinfo=self.zone)

    def _local(self, instant: datetime) -> datetime:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(f"an aware instant is needed, got {instant!r}")
        return instant.astimezone(self.zone)

    def in_office_hours(self, instant: datetime) -> bool:
        """Whether messages may go now: a working day, within [opens, closes) local time."""
        local = self._local(instant)
        if not self.is_working_day(local.date()):
            return False
        return self.opening(local.date()) <= local < self.closing(local.date())

    def next_office_moment(self, instant: datetime) -> datetime:
        """``instant`` if in office hours, else the next opening (today's, if still to come).

        Used to hold a message sent at night or on a holiday until people are at work.
        """
        local = self._local(instant)
        if self.in_office_hours(local):
            return local
        today = local.date()
        if self.is_working_day(today) and local < self.opening(today):
            return self.opening(today)
        return self.opening(self.next_working_day(today))

    def previous_office_moment(self, instant: datetime) -> datetime:
        """``instant`` if in office hours, else the opening of the latest working day whose
        opening is not after ``instant``.

        The rule is deliberately simple: a reminder meant for Saturday 08:30 (or for Friday
        evening) goes on Friday at opening time, so that it is never later than meant and
        people have the whole working day to act on it.
        """
        local = self._local(instant)
        if self.in_office_hours(local):
            return local
        today = local.date()
        if self.is_working_day(today) and self.opening(today) <= local:
            return self.opening(today)
        return self.opening(self.previous_working_day(today))
