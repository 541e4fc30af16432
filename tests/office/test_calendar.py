"""The office calendar: working days, Thai holidays, office hours, the fiscal year."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.calendar import (
    BUDDHIST_ERA_OFFSET,
    CLOSED_DAY,
    WEEKEND,
    OfficeCalendar,
    buddhist_year,
    fiscal_quarter_of,
    fiscal_year_bounds,
    fiscal_year_of,
)
from jobs.settings import load_settings
from tests.support import EXAMPLE_CONFIG

BANGKOK = ZoneInfo("Asia/Bangkok")


def bangkok(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


@pytest.fixture
def office() -> OfficeCalendar:
    """The example config's office, with an office closure on Monday 29 December 2025."""
    example = OfficeCalendar.from_office(load_settings(EXAMPLE_CONFIG).office)
    return replace(example, closed_days=frozenset({date(2025, 12, 29)}))


@pytest.fixture
def always_open() -> OfficeCalendar:
    """The demo's calendar: every day, all day, no holidays."""
    return OfficeCalendar(
        zone=BANGKOK,
        opens=time(0, 0),
        closes=time(23, 59, 59),
        working_weekdays=frozenset(range(7)),
        closed_days=frozenset(),
        holiday_country=None,
    )


# ---- the fiscal year ------------------------------------------------------------------------


def test_buddhist_era_is_christian_era_plus_543() -> None:
    assert BUDDHIST_ERA_OFFSET == 543
    assert buddhist_year(2025) == 2568


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (date(2024, 9, 30), 2567),
        (date(2024, 10, 1), 2568),
        (date(2025, 1, 10), 2568),
        (date(2025, 9, 30), 2568),
        (date(2025, 10, 1), 2569),
    ],
)
def test_fiscal_year_runs_from_october_and_is_named_by_its_end(day: date, fiscal_year: int) -> None:
    assert fiscal_year_of(day) == fiscal_year


def test_fiscal_year_2568_runs_from_october_2024_to_september_2025() -> None:
    assert fiscal_year_bounds(2568) == (date(2024, 10, 1), date(2025, 9, 30))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 10, 1), (2568, 1)),
        (date(2024, 12, 31), (2568, 1)),
        (date(2025, 1, 1), (2568, 2)),
        (date(2025, 1, 10), (2568, 2)),
        (date(2025, 3, 31), (2568, 2)),
        (date(2025, 4, 1), (2568, 3)),
        (date(2025, 7, 1), (2568, 4)),
        (date(2025, 9, 30), (2568, 4)),
        (date(2025, 10, 1), (2569, 1)),
    ],
)
def test_fiscal_quarter_one_is_october_to_december(day: date, expected: tuple[int, int]) -> None:
    assert fiscal_quarter_of(day) == expected


# ---- working days ---------------------------------------------------------------------------


def test_the_example_office_works_monday_to_friday_in_bangkok() -> None:
    calendar = OfficeCalendar.from_office(load_settings(EXAMPLE_CONFIG).office)
    assert calendar.zone == BANGKOK
    assert (calendar.opens, calendar.closes) == (time(8, 30), time(16, 30))
    assert calendar.working_weekdays == frozenset({0, 1, 2, 3, 4})
    assert calendar.holiday_country == "TH"


def test_weekends_are_not_working_days(office: OfficeCalendar) -> None:
    assert office.is_working_day(date(2025, 1, 10))  # Friday
    assert not office.is_working_day(date(2025, 1, 18))  # Saturday
    assert not office.is_working_day(date(2025, 1, 19))  # Sunday
    assert office.closed_reason(date(2025, 1, 19)) == WEEKEND


def test_new_years_day_2025_is_not_a_working_day(office: OfficeCalendar) -> None:
    assert not office.is_working_day(date(2025, 1, 1))
    assert office.closed_reason(date(2025, 1, 1)) == "วันขึ้นปีใหม่"


@pytest.mark.parametrize("day", [date(2025, 4, 14), date(2025, 4, 15), date(2025, 4, 16)])
def test_songkran_and_its_substitution_day_are_not_working_days(
    office: OfficeCalendar, day: date
) -> None:
    assert not office.is_working_day(day)


def test_songkran_falling_on_a_sunday_gives_wednesday_16_april_2025_off(
    office: OfficeCalendar,
) -> None:
    assert office.closed_reason(date(2025, 4, 13)) == WEEKEND  # a Sunday: closed anyway
    assert office.public_holidays(2025)[date(2025, 4, 13)] == "วันสงกรานต์"
    assert office.closed_reason(date(2025, 4, 16)) == "ชดเชยวันสงกรานต์"
    assert office.is_working_day(date(2025, 4, 11))  # the Friday before
    assert office.is_working_day(date(2025, 4, 17))


def test_a_holiday_on_a_saturday_is_closed_for_the_weekend(office: OfficeCalendar) -> None:
    """วันเด็กแห่งชาติ (10 ม.ค. 2569) is a Saturday, and not an office holiday: the weekend
    is what closes the office."""
    assert office.public_holidays(2026)[date(2026, 1, 10)] == "วันเด็กแห่งชาติ"
    assert office.closed_reason(date(2026, 1, 10)) == WEEKEND


def test_the_royal_ploughing_ceremony_is_a_day_off_for_a_government_office(
    office: OfficeCalendar,
) -> None:
    assert office.closed_reason(date(2025, 5, 9)) == "วันพืชมงคล"


def test_public_holidays_are_named_in_thai_and_a_copy(office: OfficeCalendar) -> None:
    holidays_2025 = office.public_holidays(2025)
    assert holidays_2025[date(2025, 4, 14)] == "วันสงกรานต์"
    assert all(day.year == 2025 for day in holidays_2025)
    holidays_2025.clear()
    assert office.public_holidays(2025)


def test_a_config_closed_day_is_closed(office: OfficeCalendar) -> None:
    assert not office.is_working_day(date(2025, 12, 29))
    assert office.closed_reason(date(2025, 12, 29)) == CLOSED_DAY
    assert office.closed_reason(date(2025, 12, 30)) is None


def test_no_holiday_country_means_no_public_holidays(office: OfficeCalendar) -> None:
    secular = replace(office, holiday_country=None)
    assert secular.public_holidays(2025) == {}
    assert secular.is_working_day(date(2025, 4, 14))


def test_one_working_day_after_the_friday_before_songkran_is_thursday_17_april(
    office: OfficeCalendar,
) -> None:
    assert office.shift_working_days(date(2025, 4, 11), 1) == date(2025, 4, 17)


def test_one_working_day_before_the_thursday_after_songkran_is_friday_11_april(
    office: OfficeCalendar,
) -> None:
    assert office.shift_working_days(date(2025, 4, 17), -1) == date(2025, 4, 11)


def test_shifting_across_a_weekend_skips_it(office: OfficeCalendar) -> None:
    assert office.shift_working_days(date(2025, 1, 10), 1) == date(2025, 1, 13)
    assert office.shift_working_days(date(2025, 1, 13), -1) == date(2025, 1, 10)
    assert office.shift_working_days(date(2025, 1, 6), 5) == date(2025, 1, 13)
    assert office.shift_working_days(date(2025, 1, 17), -5) == date(2025, 1, 10)


def test_shifting_from_a_closed_day_counts_from_it(office: OfficeCalendar) -> None:
    assert office.shift_working_days(date(2025, 1, 11), 1) == date(2025, 1, 13)  # a Saturday
    assert office.shift_working_days(date(2025, 1, 11), -1) == date(2025, 1, 10)


def test_shifting_by_zero_keeps_the_day_even_if_closed(office: OfficeCalendar) -> None:
    assert office.shift_working_days(date(2025, 4, 14), 0) == date(2025, 4, 14)


def test_next_and_previous_working_day(office: OfficeCalendar) -> None:
    friday = date(2025, 1, 10)
    assert office.next_working_day(friday) == date(2025, 1, 13)
    assert office.next_working_day(friday, include_today=True) == friday
    assert office.previous_working_day(friday) == date(2025, 1, 9)
    assert office.previous_working_day(friday, include_today=True) == friday
    assert office.next_working_day(date(2025, 4, 12), include_today=True) == date(2025, 4, 17)
    assert office.previous_working_day(date(2025, 4, 16), include_today=True) == date(2025, 4, 11)


def test_the_new_year_break_2025_2026_with_an_office_closure(office: OfficeCalendar) -> None:
    # Mon 29 Dec closed by the office, Wed 31 Dec and Thu 1 Jan and Fri 2 Jan public holidays.
    assert office.next_working_day(date(2025, 12, 26)) == date(2025, 12, 30)
    assert office.next_working_day(date(2025, 12, 30)) == date(2026, 1, 5)


def test_a_calendar_without_any_working_day_raises_instead_of_looping() -> None:
    mondays = frozenset(date(2025, 1, 6) + timedelta(weeks=week) for week in range(120))
    never = OfficeCalendar(
        zone=BANGKOK,
        opens=time(8, 30),
        closes=time(16, 30),
        working_weekdays=frozenset({0}),
        closed_days=mondays,
        holiday_country=None,
    )
    with pytest.raises(ValueError, match="no working day"):
        never.next_working_day(date(2025, 1, 1))
    with pytest.raises(ValueError, match="no working day"):
        never.shift_working_days(date(2026, 6, 1), -1)


def test_office_hours_must_open_before_they_close() -> None:
    with pytest.raises(ValueError, match="open before"):
        OfficeCalendar(BANGKOK, time(17, 0), time(8, 0), frozenset({0}), frozenset(), None)


# ---- office hours ---------------------------------------------------------------------------


def test_opening_and_closing_are_aware_instants_in_bangkok(office: OfficeCalendar) -> None:
    assert office.opening(date(2025, 1, 10)) == bangkok(2025, 1, 10, 8, 30)
    closing = office.closing(date(2025, 1, 10))
    assert closing == bangkok(2025, 1, 10, 16, 30)
    assert closing == datetime(2025, 1, 10, 9, 30, tzinfo=UTC)
    assert closing.tzinfo == BANGKOK


def test_office_hours_are_half_open(office: OfficeCalendar) -> None:
    assert not office.in_office_hours(bangkok(2025, 1, 10, 8, 29))
    assert office.in_office_hours(bangkok(2025, 1, 10, 8, 30))
    assert office.in_office_hours(datetime(2025, 1, 10, 9, 29, 59, tzinfo=UTC))  # 16:29:59
    assert not office.in_office_hours(bangkok(2025, 1, 10, 16, 30))


def test_closed_days_are_never_in_office_hours(office: OfficeCalendar) -> None:
    assert not office.in_office_hours(bangkok(2025, 1, 11, 10, 0))  # Saturday
    assert not office.in_office_hours(bangkok(2025, 4, 14, 10, 0))  # Songkran
    assert not office.in_office_hours(bangkok(2025, 12, 29, 10, 0))  # the office's closure


def test_an_instant_in_utc_is_judged_in_the_office_zone(office: OfficeCalendar) -> None:
    # 2025-01-10 23:30 UTC is Saturday 06:30 in Bangkok.
    assert not office.in_office_hours(datetime(2025, 1, 10, 23, 30, tzinfo=UTC))
    # 2025-01-12 20:00 UTC is Monday 03:00 in Bangkok: before opening.
    assert office.next_office_moment(datetime(2025, 1, 12, 20, 0, tzinfo=UTC)) == bangkok(
        2025, 1, 13, 8, 30
    )


def test_a_naive_instant_is_refused(office: OfficeCalendar) -> None:
    with pytest.raises(ValueError, match="aware"):
        office.in_office_hours(datetime(2025, 1, 10, 10, 0))


def test_next_office_moment_is_the_instant_itself_in_office_hours(office: OfficeCalendar) -> None:
    instant = datetime(2025, 1, 10, 3, 0, tzinfo=UTC)
    moment = office.next_office_moment(instant)
    assert moment == instant
    assert moment.tzinfo == BANGKOK


def test_next_office_moment_waits_for_this_mornings_opening(office: OfficeCalendar) -> None:
    assert office.next_office_moment(bangkok(2025, 1, 10, 6, 0)) == bangkok(2025, 1, 10, 8, 30)


def test_next_office_moment_after_closing_is_the_next_mornings_opening(
    office: OfficeCalendar,
) -> None:
    assert office.next_office_moment(bangkok(2025, 1, 9, 20, 0)) == bangkok(2025, 1, 10, 8, 30)


def test_next_office_moment_skips_the_weekend(office: OfficeCalendar) -> None:
    assert office.next_office_moment(bangkok(2025, 1, 10, 16, 30)) == bangkok(2025, 1, 13, 8, 30)
    assert office.next_office_moment(bangkok(2025, 1, 11, 9, 0)) == bangkok(2025, 1, 13, 8, 30)


def test_next_office_moment_skips_songkran(office: OfficeCalendar) -> None:
    assert office.next_office_moment(bangkok(2025, 4, 14, 10, 0)) == bangkok(2025, 4, 17, 8, 30)


def test_previous_office_moment_is_the_instant_itself_in_office_hours(
    office: OfficeCalendar,
) -> None:
    assert office.previous_office_moment(bangkok(2025, 1, 10, 11, 0)) == bangkok(2025, 1, 10, 11, 0)


def test_a_reminder_meant_for_saturday_goes_on_friday_at_opening(office: OfficeCalendar) -> None:
    assert office.previous_office_moment(bangkok(2025, 1, 11, 8, 30)) == bangkok(2025, 1, 10, 8, 30)


def test_previous_office_moment_after_closing_is_that_days_opening(
    office: OfficeCalendar,
) -> None:
    assert office.previous_office_moment(bangkok(2025, 1, 10, 18, 0)) == bangkok(2025, 1, 10, 8, 30)


def test_previous_office_moment_before_opening_goes_back_to_the_last_working_day(
    office: OfficeCalendar,
) -> None:
    assert office.previous_office_moment(bangkok(2025, 1, 13, 7, 0)) == bangkok(2025, 1, 10, 8, 30)
    assert office.previous_office_moment(bangkok(2025, 4, 16, 9, 0)) == bangkok(2025, 4, 11, 8, 30)


# ---- the demo's round-the-clock calendar ---------------------------------------------------


def test_an_always_open_office_works_every_day_and_night(always_open: OfficeCalendar) -> None:
    sunday_night = bangkok(2025, 4, 13, 3, 0)
    assert always_open.is_working_day(date(2025, 4, 13))
    assert always_open.in_office_hours(sunday_night)
    assert always_open.next_office_moment(sunday_night) == sunday_night
    assert always_open.previous_office_moment(sunday_night) == sunday_night
    assert always_open.shift_working_days(date(2025, 4, 11), 3) == date(2025, 4, 14)
    assert always_open.shift_working_days(date(2025, 4, 11), -3) == date(2025, 4, 8)


def test_an_always_open_office_still_closes_for_the_last_second_of_the_day(
    always_open: OfficeCalendar,
) -> None:
    last_second = datetime(2025, 4, 13, 23, 59, 59, 500000, tzinfo=BANGKOK)
    assert not always_open.in_office_hours(last_second)
    assert always_open.next_office_moment(last_second) == bangkok(2025, 4, 14)
    assert always_open.previous_office_moment(last_second) == bangkok(2025, 4, 13)


def test_an_always_open_office_with_thai_holidays_closes_for_songkran(
    always_open: OfficeCalendar,
) -> None:
    thai = replace(always_open, holiday_country="TH")
    assert not thai.is_working_day(date(2025, 4, 13))
    assert thai.next_office_moment(bangkok(2025, 4, 13, 3, 0)) == bangkok(2025, 4, 17)
