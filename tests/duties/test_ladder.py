"""The ladder's instants with an injected calendar: weekends, Songkran and New Year skipped."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jobs.calendar import OfficeCalendar
from jobs.ladder import progress, step_instants, working_days_late
from jobs.settings import Ladder, LadderStep, Settings

BANGKOK = ZoneInfo("Asia/Bangkok")


def _local(instants: list[datetime]) -> list[str]:
    return [moment.astimezone(BANGKOK).strftime("%a %Y-%m-%d %H:%M") for moment in instants]


@pytest.fixture
def calendar(settings: Settings) -> OfficeCalendar:
    return OfficeCalendar.from_office(settings.office)


def test_the_plan_ladder_for_fy2568_q1(settings: Settings, calendar: OfficeCalendar) -> None:
    due = datetime(2025, 1, 10, 16, 30, tzinfo=BANGKOK)  # FY 2568 Q1, a Friday
    onward = datetime(2025, 1, 15, 16, 30, tzinfo=BANGKOK)  # to สป. by Wednesday the 15th
    instants = step_instants(settings.ladder("default"), due, calendar, onward_due_at=onward)
    assert _local(instants) == [
        "Fri 2025-01-03 08:30",  # reminder, due -7 days
        "Thu 2025-01-09 08:30",  # reminder, due -1 working day
        "Fri 2025-01-10 08:30",  # last call on the due day
        "Mon 2025-01-13 08:30",  # follow-up 1, due +1 working day (the weekend skipped)
        "Tue 2025-01-14 08:30",  # follow-up 2, +2 working days
        "Tue 2025-01-14 13:00",  # escalation, the onward deadline -1 working day, at 13.00
    ]


def test_songkran_is_skipped_by_working_day_offsets(
    settings: Settings, calendar: OfficeCalendar
) -> None:
    due = datetime(2025, 4, 10, 16, 30, tzinfo=BANGKOK)  # FY 2568 Q2
    instants = _local(step_instants(settings.ladder("default"), due, calendar))
    # 14-15 April Songkran, 16 April its substitution day: follow-up 2 waits until the 17th;
    # with no onward deadline the escalation is the step's otherwise, +3 working days (13.00)
    assert instants[3:] == ["Fri 2025-04-11 08:30", "Thu 2025-04-17 08:30", "Fri 2025-04-18 13:00"]


def test_new_year_holidays_move_reminders_before_the_due_date(
    settings: Settings, calendar: OfficeCalendar
) -> None:
    due = datetime(2026, 1, 2, 16, 30, tzinfo=BANGKOK)  # a Friday the cabinet made a holiday
    instants = _local(step_instants(settings.ladder("default"), due, calendar))
    assert instants[1:4] == [
        "Tue 2025-12-30 08:30",  # -1 working day: 31 Dec and 1 Jan are holidays
        "Tue 2025-12-30 08:30",  # the last call cannot fall on a closed day: it comes earlier
        "Mon 2026-01-05 08:30",  # follow-up 1 after the weekend
    ]


def test_clock_offsets_and_an_immediate_escalation(calendar: OfficeCalendar) -> None:
    def ladder(immediate: bool) -> Ladder:
        return Ladder(
            steps=[
                LadderStep(kind="reminder", offset="-10s"),
                LadderStep(kind="followup", offset="+5s"),
                LadderStep(kind="escalation", offset="+1h", immediate=immediate),
            ]
        )

    due = datetime(2025, 1, 10, 16, 0, tzinfo=BANGKOK)  # Friday, half an hour before closing
    at_once = step_instants(ladder(True), due, calendar)
    assert [m - due for m in at_once[:2]] == [timedelta(seconds=-10), timedelta(seconds=5)]
    assert at_once[2] == datetime(2025, 1, 10, 17, 0, tzinfo=BANGKOK)  # after hours, at once
    waits = step_instants(ladder(False), due, calendar)
    assert _local(waits[2:]) == ["Mon 2025-01-13 08:30"]  # the next office moment


def test_progress_returns_every_step_that_came_and_the_next_instant(
    settings: Settings, calendar: OfficeCalendar
) -> None:
    due = datetime(2025, 1, 10, 16, 30, tzinfo=BANGKOK)
    instants = step_instants(settings.ladder("default"), due, calendar)
    before = progress(0, instants, instants[0] - (instants[1] - instants[0]))
    assert before.is_idle and before.next_action_at == instants[0]
    after_downtime = progress(1, instants, datetime(2025, 1, 13, 12, 0, tzinfo=BANGKOK))
    assert after_downtime.due_steps == (1, 2, 3)
    assert after_downtime.next_step == 4 and after_downtime.next_action_at == instants[4]
    finished = progress(4, instants, datetime(2025, 2, 1, tzinfo=BANGKOK))
    assert finished.due_steps == (4, 5) and finished.next_action_at is None


def test_working_days_late_counts_only_working_days(calendar: OfficeCalendar) -> None:
    due = datetime(2025, 4, 10, 16, 30, tzinfo=BANGKOK)
    assert working_days_late(due, datetime(2025, 4, 10, 17, 0, tzinfo=BANGKOK), calendar) == 0
    assert working_days_late(due, datetime(2025, 4, 11, 9, 0, tzinfo=BANGKOK), calendar) == 1
    assert working_days_late(due, datetime(2025, 4, 22, 9, 0, tzinfo=BANGKOK), calendar) == 5
