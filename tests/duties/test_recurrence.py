"""From an obligation's recurrence to its periods, with the example config's plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from jobs.calendar import OfficeCalendar
from jobs.recurrence import (
    Occurrence,
    covers_previous_month,
    materialisation_window,
    meeting_dates,
    month_covered,
    occurrences,
    quarter_covered,
)
from jobs.settings import (
    Meeting,
    MeetingRecurrence,
    MonthlyRecurrence,
    Obligation,
    OnceRecurrence,
    Onward,
    QuarterlyRecurrence,
    Settings,
    YearlyRecurrence,
    load_settings,
)

BANGKOK = ZoneInfo("Asia/Bangkok")
CONFIG = Path(__file__).parents[2] / "config.example.toml"


@pytest.fixture(scope="module")
def example() -> Settings:
    return load_settings(CONFIG)


@pytest.fixture(scope="module")
def office(example: Settings) -> OfficeCalendar:
    return OfficeCalendar.from_office(example.office)


def obligation(settings: Settings, key: str, **changes: Any) -> Obligation:
    """One of the example's obligations, perhaps with some fields replaced."""
    found = next(item for item in settings.obligations if item.key == key)
    return found.model_copy(update=changes)


def find(
    settings: Settings,
    item: Obligation,
    start: date,
    end: date,
    *,
    meeting: Meeting | None = None,
) -> list[Occurrence]:
    calendar = OfficeCalendar.from_office(settings.office)
    return occurrences(
        item, start=start, end=end, calendar=calendar, meeting=meeting or settings.meeting
    )


def bangkok(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


# ---- quarterly ------------------------------------------------------------------------------


def test_the_q1_report_of_fy_2568_is_due_10_january_2025_at_the_end_of_the_office_day(
    example: Settings,
) -> None:
    [first] = find(
        example, obligation(example, "quarterly-progress"), date(2025, 1, 1), date(2025, 1, 31)
    )
    assert first.key == "2568-Q1"
    assert (first.fiscal_year, first.quarter, first.month) == (2568, 1, None)
    assert first.nominal_date == first.due_date == date(2025, 1, 10)
    assert first.due_at == bangkok(2025, 1, 10, 16, 30)
    assert first.due_at.tzinfo == UTC
    assert first.onward_due_at == bangkok(2025, 1, 15, 16, 30)
    assert first.onward_due_at is not None and first.onward_due_at.tzinfo == UTC


def test_fiscal_year_2568_has_four_quarterly_reports_the_last_due_in_october_2025(
    example: Settings,
) -> None:
    found = find(
        example, obligation(example, "quarterly-progress"), date(2024, 10, 1), date(2025, 12, 31)
    )
    fy_2568 = [item for item in found if item.fiscal_year == 2568]
    assert [(item.key, item.quarter, item.due_date) for item in fy_2568] == [
        ("2568-Q1", 1, date(2025, 1, 10)),
        ("2568-Q2", 2, date(2025, 4, 10)),
        ("2568-Q3", 3, date(2025, 7, 10)),  # Asalha Bucha: "by the 10th" keeps it
        ("2568-Q4", 4, date(2025, 10, 10)),
    ]
    assert found[0].key == "2567-Q4"  # due 10 October 2024, about the year before


@pytest.mark.parametrize(
    ("due", "covered"),
    [
        (date(2025, 1, 10), (2568, 1)),
        (date(2025, 3, 10), (2568, 1)),
        (date(2025, 4, 10), (2568, 2)),
        (date(2025, 7, 10), (2568, 3)),
        (date(2025, 10, 10), (2568, 4)),
        (date(2025, 12, 10), (2568, 4)),
    ],
)
def test_a_quarterly_report_covers_the_quarter_that_ended_before_its_month(
    due: date, covered: tuple[int, int]
) -> None:
    assert quarter_covered(due) == covered


def test_a_second_due_month_for_the_same_quarter_gets_a_key_of_its_own(example: Settings) -> None:
    twice = obligation(
        example,
        "quarterly-progress",
        recurrence=QuarterlyRecurrence(kind="quarterly", day=10, months=[1, 2]),
    )
    found = find(example, twice, date(2025, 1, 1), date(2025, 2, 28))
    assert [item.key for item in found] == ["2568-Q1", "2568-Q1-02"]


# ---- the closed-day rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "due_date"),
    [
        ("keep", date(2025, 5, 10)),
        # Friday 9 May is the Royal Ploughing Ceremony, a day off for government offices.
        ("previous", date(2025, 5, 8)),
        # Sunday 11 May is Visakha Bucha, so Monday 12 May is its substitution day.
        ("next", date(2025, 5, 13)),
    ],
)
def test_a_due_date_on_saturday_10_may_2025_follows_the_closed_day_rule(
    example: Settings, rule: str, due_date: date
) -> None:
    monthly = obligation(example, "procurement-summary", on_closed_day=rule)
    [may] = find(example, monthly, date(2025, 5, 1), date(2025, 5, 31))
    assert may.nominal_date == date(2025, 5, 10)
    assert may.due_date == due_date
    assert may.due_at == datetime.combine(due_date, time(16, 30), tzinfo=BANGKOK)
    assert may.key == "2025-05"


def test_a_due_date_in_songkran_moves_to_the_next_working_day(example: Settings) -> None:
    monthly = obligation(
        example, "procurement-summary", recurrence=MonthlyRecurrence(kind="monthly", day=14)
    )
    [april] = find(example, monthly, date(2025, 4, 1), date(2025, 4, 30))
    assert april.due_date == date(2025, 4, 17)  # past Songkran and its substitution day


def test_an_obligation_due_time_replaces_the_end_of_the_office_day(example: Settings) -> None:
    noon = obligation(example, "quarterly-progress", due_time=time(12, 0))
    [first] = find(example, noon, date(2025, 1, 1), date(2025, 1, 31))
    assert first.due_at == datetime(2025, 1, 10, 5, 0, tzinfo=UTC)


# ---- monthly ---------------------------------------------------------------------------------


def by_the_5th(settings: Settings) -> Obligation:
    """A monthly report due by the 5th, its due date moved to the next working day when the
    office is closed: the example's procurement summary (by the 10th), due earlier."""
    return obligation(
        settings, "procurement-summary", recurrence=MonthlyRecurrence(kind="monthly", day=5)
    )


def test_monthly_reports_are_keyed_by_their_month(example: Settings) -> None:
    found = find(example, by_the_5th(example), date(2025, 9, 1), date(2025, 11, 30))
    assert [(item.key, item.month, item.fiscal_year) for item in found] == [
        ("2025-09", 9, 2568),
        ("2025-10", 10, 2569),
        ("2025-11", 11, 2569),
    ]
    assert found[1].due_date == date(2025, 10, 6)  # Sunday 5 October moves to Monday


def test_a_monthly_report_due_in_the_first_half_of_a_month_covers_the_month_before(
    example: Settings,
) -> None:
    procurement = obligation(example, "procurement-summary")  # by the 10th
    assert covers_previous_month(procurement.recurrence)
    assert covers_previous_month(by_the_5th(example).recurrence)
    assert covers_previous_month(procurement.recurrence.model_dump(mode="json"))  # as stored
    assert not covers_previous_month(MonthlyRecurrence(kind="monthly", day=16))
    assert not covers_previous_month({"kind": "monthly", "day": 25})
    for other in ("quarterly-progress", "eservice-update", "maintenance-plan", "ita-017"):
        assert not covers_previous_month(obligation(example, other).recurrence)


def test_the_month_covered_comes_from_the_key_not_the_moved_due_date() -> None:
    assert month_covered("2025-10", date(2025, 10, 10), True) == date(2025, 9, 1)
    assert month_covered("2026-01", date(2026, 1, 12), True) == date(2025, 12, 1)
    assert month_covered("2025-10", date(2025, 10, 31), False) == date(2025, 10, 1)
    assert month_covered("2025-05", date(2025, 6, 2), False) == date(2025, 5, 1)  # 31 May moved
    assert month_covered("2025-10", date(2025, 10, 10), None) == date(2025, 9, 1)  # by the day
    assert month_covered("2025-10", date(2025, 10, 20), None) == date(2025, 10, 1)


def test_day_31_is_the_last_day_of_shorter_months(example: Settings) -> None:
    end_of_month = obligation(
        example,
        "procurement-summary",
        recurrence=MonthlyRecurrence(kind="monthly", day=31),
        on_closed_day="keep",
    )
    found = find(example, end_of_month, date(2024, 1, 1), date(2025, 4, 30))
    nominal = {item.key: item.nominal_date for item in found}
    assert nominal["2024-02"] == date(2024, 2, 29)
    assert nominal["2025-02"] == date(2025, 2, 28)
    assert nominal["2025-04"] == date(2025, 4, 30)


def test_the_window_is_about_nominal_dates(example: Settings) -> None:
    monthly = obligation(example, "procurement-summary")  # Saturday 10 May → Tuesday 13 May
    assert find(example, monthly, date(2025, 5, 11), date(2025, 5, 31)) == []
    assert [item.key for item in find(example, monthly, date(2025, 5, 10), date(2025, 5, 10))] == [
        "2025-05"
    ]


# ---- meetings ----------------------------------------------------------------------------


def test_second_tuesday_meetings_of_january_to_march_2025() -> None:
    meeting = Meeting(rule="second tue")
    assert meeting_dates(meeting, date(2025, 1, 1), date(2025, 3, 31)) == [
        date(2025, 1, 14),
        date(2025, 2, 11),
        date(2025, 3, 11),
    ]


def test_last_friday_meetings() -> None:
    meeting = Meeting(rule="last fri")
    assert meeting_dates(meeting, date(2025, 1, 1), date(2025, 5, 31)) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 28),
        date(2025, 4, 25),
        date(2025, 5, 30),
    ]


def test_meeting_dates_are_cut_to_the_window() -> None:
    meeting = Meeting(rule="second tue")
    assert meeting_dates(meeting, date(2025, 1, 15), date(2025, 2, 11)) == [date(2025, 2, 11)]


def test_explicit_meeting_dates_win_over_the_rule() -> None:
    meeting = Meeting(
        rule="second tue", dates=[date(2025, 2, 20), date(2025, 1, 16), date(2025, 4, 2)]
    )
    assert meeting_dates(meeting, date(2025, 1, 1), date(2025, 3, 31)) == [
        date(2025, 1, 16),
        date(2025, 2, 20),
    ]


def test_meeting_reports_are_due_one_working_day_before_each_meeting(example: Settings) -> None:
    found = find(
        example, obligation(example, "eservice-update"), date(2025, 1, 1), date(2025, 3, 31)
    )
    assert [(item.key, item.due_date, item.month) for item in found] == [
        ("meeting-2025-01", date(2025, 1, 13), 1),
        ("meeting-2025-02", date(2025, 2, 10), 2),
        ("meeting-2025-03", date(2025, 3, 10), 3),
    ]
    assert found[0].due_at == bangkok(2025, 1, 13, 16, 30)
    assert found[0].fiscal_year == 2568
    assert found[0].onward_due_at is None


def test_a_report_due_at_the_meeting_itself_is_due_when_it_starts(example: Settings) -> None:
    at_meeting = obligation(
        example, "eservice-update", recurrence=MeetingRecurrence(kind="meeting", days_before=0)
    )
    [january] = find(example, at_meeting, date(2025, 1, 1), date(2025, 1, 31))
    assert january.due_date == date(2025, 1, 14)
    assert january.due_at == datetime(2025, 1, 14, 2, 0, tzinfo=UTC)  # 09:00 in Bangkok


def test_working_days_before_a_meeting_skip_songkran(example: Settings) -> None:
    after_songkran = Meeting(dates=[date(2025, 4, 17)])
    [april] = find(
        example,
        obligation(example, "eservice-update"),
        date(2025, 4, 1),
        date(2025, 4, 30),
        meeting=after_songkran,
    )
    assert (april.key, april.due_date) == ("meeting-2025-04", date(2025, 4, 11))


def test_a_meeting_on_a_holiday_is_kept_as_the_office_chose_it(example: Settings) -> None:
    # The second Tuesday of April 2026 is Songkran; the office would list its own date.
    at_meeting = obligation(
        example, "eservice-update", recurrence=MeetingRecurrence(kind="meeting", days_before=0)
    )
    [april] = find(example, at_meeting, date(2026, 4, 1), date(2026, 4, 30))
    assert april.due_date == date(2026, 4, 14)


def test_a_meeting_report_due_before_the_window_ends_is_in_it(example: Settings) -> None:
    first_monday = Meeting(rule="first mon")  # Monday 1 December 2025
    found = find(
        example,
        obligation(example, "eservice-update"),
        date(2025, 11, 1),
        date(2025, 11, 30),
        meeting=first_monday,
    )
    # The meeting of Monday 3 November had its report due on Friday 31 October, before it.
    assert [(item.key, item.due_date) for item in found] == [
        ("meeting-2025-12", date(2025, 11, 28))
    ]


# ---- yearly and once ---------------------------------------------------------------------


def test_a_yearly_report_is_keyed_by_its_year(example: Settings) -> None:
    found = find(example, obligation(example, "ita-016"), date(2024, 10, 1), date(2027, 9, 30))
    assert [(item.key, item.due_date, item.fiscal_year) for item in found] == [
        ("2025", date(2025, 4, 10), 2568),
        ("2026", date(2026, 4, 10), 2569),
        ("2027", date(2027, 4, 10), 2570),  # a Saturday, kept: the rule is "keep"
    ]
    assert found[0].due_at == bangkok(2025, 4, 10, 16, 30)
    assert (found[0].quarter, found[0].month) == (None, None)


def test_a_yearly_day_31_in_a_short_month_is_its_last_day(example: Settings) -> None:
    yearly = obligation(
        example, "ita-016", recurrence=YearlyRecurrence(kind="yearly", month=2, day=31)
    )
    found = find(example, yearly, date(2024, 1, 1), date(2025, 12, 31))
    assert [item.nominal_date for item in found] == [date(2024, 2, 29), date(2025, 2, 28)]


def test_a_one_off_report_is_found_only_in_a_window_holding_its_date(example: Settings) -> None:
    once = obligation(
        example, "ita-016", recurrence=OnceRecurrence(kind="once", date=date(2025, 6, 30))
    )
    [found] = find(example, once, date(2025, 6, 1), date(2025, 6, 30))
    assert (found.key, found.due_date, found.fiscal_year) == (
        "once-2025-06-30",
        date(2025, 6, 30),
        2568,
    )
    assert find(example, once, date(2025, 7, 1), date(2025, 12, 31)) == []


# ---- the onward deadline ---------------------------------------------------------------------


def test_an_onward_day_before_the_due_day_is_in_the_next_month(example: Settings) -> None:
    onward = Onward(to_th="สป.", to_en="OPS", day=5)
    [first] = find(
        example,
        obligation(example, "quarterly-progress", onward=onward),
        date(2025, 1, 1),
        date(2025, 1, 31),
    )
    assert first.onward_due_at == bangkok(2025, 2, 5, 16, 30)


def test_an_onward_offset_in_working_days_skips_songkran(example: Settings) -> None:
    onward = Onward(to_th="สป.", to_en="OPS", offset="+3wd")
    monthly = obligation(
        example,
        "procurement-summary",
        recurrence=MonthlyRecurrence(kind="monthly", day=11),
        onward=onward,
    )
    [april] = find(example, monthly, date(2025, 4, 1), date(2025, 4, 30))
    assert april.onward_due_at == bangkok(2025, 4, 21, 16, 30)


def test_an_onward_offset_in_days_is_not_moved_by_closed_days(example: Settings) -> None:
    onward = Onward(to_th="สป.", to_en="OPS", offset="+5d")
    monthly = obligation(
        example,
        "procurement-summary",
        recurrence=MonthlyRecurrence(kind="monthly", day=8),
        onward=onward,
    )
    [april] = find(example, monthly, date(2025, 4, 1), date(2025, 4, 30))
    assert april.onward_due_at == bangkok(2025, 4, 13, 16, 30)  # Songkran, a Sunday


# ---- keys and the window -------------------------------------------------------------------


def test_every_example_obligation_has_unique_keys_over_the_window(example: Settings) -> None:
    start, end = materialisation_window(date(2025, 11, 15))
    for item in example.obligations:
        keys = [occurrence.key for occurrence in find(example, item, start, end)]
        assert keys, item.key
        assert len(keys) == len(set(keys)), item.key


def test_keys_and_dates_do_not_depend_on_the_window(example: Settings) -> None:
    for item in example.obligations:
        whole = find(example, item, date(2024, 10, 1), date(2026, 9, 30))
        halves = find(example, item, date(2024, 10, 1), date(2025, 8, 31)) + find(
            example, item, date(2025, 9, 1), date(2026, 9, 30)
        )
        assert whole == halves, item.key


def test_occurrences_are_sorted_by_due_instant(example: Settings) -> None:
    unsorted = Meeting(dates=[date(2025, 3, 11), date(2025, 1, 14), date(2025, 2, 11)])
    found = find(
        example,
        obligation(example, "eservice-update"),
        date(2025, 1, 1),
        date(2025, 12, 31),
        meeting=unsorted,
    )
    assert [item.due_at for item in found] == sorted(item.due_at for item in found)


def test_the_materialisation_window_runs_to_the_end_of_the_next_fiscal_year() -> None:
    assert materialisation_window(date(2025, 11, 15)) == (date(2025, 10, 1), date(2027, 9, 30))
    assert materialisation_window(date(2025, 9, 30)) == (date(2024, 10, 1), date(2026, 9, 30))
