"""The complaint channel's pure parts: deadlines, the ladder at any ``now``, codes and keys."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.runtime.complaint_keys import (
    ENV_VAR,
    ComplaintKeyError,
    ComplaintKeys,
    load_complaint_keys,
    new_code,
    normalise_code,
)
from jobs.calendar import OfficeCalendar
from jobs.complaints.ladder import STEPS, add_months, deadlines, plan, step_instants
from jobs.offsets import parse_span
from jobs.settings import ComplaintSettings, ConfigError, Settings, parse_settings
from storage.models import ComplaintStatus
from tests.duties.test_tick import bkk

KEY = "k3y-for-the-complaint-tests-0123456789-abcdefghij"


@pytest.fixture
def calendar(settings: Settings) -> OfficeCalendar:
    return OfficeCalendar.from_office(settings.office)


def test_the_plan_default_deadlines_count_working_days_and_months(
    calendar: OfficeCalendar,
) -> None:
    filed = bkk(1, 6, 9)  # Monday 6 January 2568
    acknowledge_by, result_by = deadlines(filed, ComplaintSettings(), calendar)
    assert acknowledge_by == bkk(1, 15, 16, 30)  # the seventh working day, end of the day
    # 6 April is Chakri Day (a Sunday), the 7th its substitute: the next working day
    assert result_by == bkk(4, 8, 16, 30)


def test_months_keep_the_day_or_take_the_months_last() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 15), -3) == date(2024, 12, 15)
    assert add_months(date(2025, 1, 6), 60) == date(2030, 1, 6)


def test_steps_remind_the_handlers_before_and_reach_the_director_after_each_deadline(
    calendar: OfficeCalendar,
) -> None:
    filed = bkk(1, 6, 9)
    settings = ComplaintSettings()
    acknowledge_by, result_by = deadlines(filed, settings, calendar)
    instants = dict(
        zip(STEPS, step_instants(filed, acknowledge_by, result_by, settings, calendar), strict=True)
    )
    assert instants == {
        "new": filed,
        "acknowledge_reminder": bkk(1, 14, 8, 30),
        "acknowledge_overdue": bkk(1, 16, 8, 30),
        "result_reminder": bkk(4, 4, 8, 30),  # one working day before 8 April: 4 April
        "result_overdue": bkk(4, 9, 8, 30),
    }


def test_the_ladder_at_any_now(calendar: OfficeCalendar) -> None:
    filed = bkk(1, 6, 9)
    settings = ComplaintSettings()
    acknowledge_by, result_by = deadlines(filed, settings, calendar)
    instants = step_instants(filed, acknowledge_by, result_by, settings, calendar)
    received = ComplaintStatus.RECEIVED.value
    first = plan(0, instants, received, filed)
    assert first.due == ("new",) and first.next_step == 1 and first.next_action_at == instants[1]
    assert plan(1, instants, received, bkk(1, 13, 9)).due == ()
    assert plan(1, instants, received, bkk(1, 14, 9)).due == ("acknowledge_reminder",)
    # after downtime, the reminder whose deadline has passed too is dropped
    late = plan(1, instants, received, bkk(1, 20, 9))
    assert late.due == ("acknowledge_overdue",) and late.next_action_at == instants[3]
    # acknowledged: no acknowledgement step any more; the next is the outcome's reminder
    acknowledged = plan(1, instants, ComplaintStatus.ACKNOWLEDGED.value, bkk(1, 13, 9))
    assert acknowledged.due == () and acknowledged.next_action_at == instants[3]
    closed = plan(1, instants, ComplaintStatus.CLOSED.value, bkk(5, 1, 9))
    assert closed.due == () and closed.next_action_at is None


def test_short_spans_for_tests_and_demos_count_from_the_instant(calendar: OfficeCalendar) -> None:
    settings = ComplaintSettings(acknowledge_within="30s", result_within="2m", remind_before="10s")
    filed = bkk(1, 6, 10)
    acknowledge_by, result_by = deadlines(filed, settings, calendar)
    assert (acknowledge_by, result_by) == (
        filed + timedelta(seconds=30),
        filed + timedelta(minutes=2),
    )
    instants = step_instants(filed, acknowledge_by, result_by, settings, calendar)
    assert instants[1] == filed + timedelta(seconds=20)
    assert instants[2] == acknowledge_by


def test_a_wrong_span_in_the_config_names_the_key() -> None:
    data = {
        "office": {"name_th": "สำนักงาน", "name_en": "Office"},
        "groups": [{"key": "policy", "name_th": "น", "name_en": "P", "coordinator": True}],
        "complaints": {"enabled": True, "result_within": "three months"},
    }
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, source="config.toml")
    assert "complaints.result_within" in str(raised.value)
    assert parse_span("3mo").is_months and str(parse_span("+7wd")) == "7wd"


def test_codes_are_easy_to_type_and_forgiving() -> None:
    code = new_code()
    assert len(code) == 9 and code[4] == "-"
    assert normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")
    assert normalise_code("7k3m-9qxa") == "7K3M9QXA"
    assert normalise_code("7K3M-9QXO") == "7K3M9QX0"  # O is read as zero
    assert normalise_code("๗K3M9QXA") == "7K3M9QXA"  # Thai digits
    for wrong in ("", "7K3M", "7K3M-9QXA-1", "UUUU-UUUU", "' OR 1=1 --", "๑" * 50):
        assert normalise_code(wrong) is None
    assert len({new_code() for _ in range(200)}) == 200


def test_keys_seal_the_content_and_the_contact() -> None:
    keys, other = ComplaintKeys.from_secret(KEY), ComplaintKeys.from_secret(KEY + "x")
    token = keys.seal_contact(5550123987, "en")
    assert "5550123987" not in token
    assert keys.open_contact(token) == (5550123987, "en")
    assert other.open_contact(token) is None and keys.open_contact("not-a-token") is None
    sealed = keys.seal("เจ้าหน้าที่เรียกเงิน")
    assert "เจ้าหน้าที่" not in sealed and keys.open(sealed) == "เจ้าหน้าที่เรียกเงิน"
    assert other.open(sealed) is None
    both = ComplaintKeys([KEY + "x", KEY])  # the new key first, the old one to read
    assert both.open(sealed) == "เจ้าหน้าที่เรียกเงิน" and both.count == 2
    assert other.open(both.rotate(sealed) or "") == "เจ้าหน้าที่เรียกเงิน"


def test_the_key_comes_from_the_environment_or_a_file_and_placeholders_are_refused(
    tmp_path: Path,
) -> None:
    sealed = load_complaint_keys(ComplaintSettings(), {ENV_VAR: KEY}).seal("x")
    key_file = tmp_path / "complaint-key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    from_file = load_complaint_keys(ComplaintSettings(key_file=key_file), {})
    assert from_file.open(sealed) == "x" and from_file.count == 1
    key_file.write_text(f"{KEY}x\n{KEY}\n", encoding="utf-8")  # new, then old: both read
    assert load_complaint_keys(ComplaintSettings(key_file=key_file), {}).count == 2
    for wrong in ("short", "paste-your-complaint-key-here-0123456789"):
        with pytest.raises(ComplaintKeyError, match="at least 32 random characters"):
            load_complaint_keys(ComplaintSettings(), {ENV_VAR: wrong})
    with pytest.raises(ComplaintKeyError, match=ENV_VAR) as raised:
        load_complaint_keys(ComplaintSettings(), {})
    assert "enabled = false" in str(raised.value)
