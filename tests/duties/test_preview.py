"""``staff-report-bot preview``: the year at a glance, in Thai B.E. dates, nothing sent."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.common.render import period_label
from bot.duties.preview import preview
from bot.offline.demo import demo_settings
from jobs.settings import Settings
from storage.db import Database
from storage.models import Role
from tests.duties.test_tick import HEAD, MALEE, SOMCHAI, join
from tests.support import EXAMPLE_CONFIG


def test_preview_prints_every_period_and_step_of_the_year_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the example's SQLite file would land here
    assert main(["preview", "--config", str(EXAMPLE_CONFIG), "--fy", "2568"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "สำนักงานศึกษาธิการจังหวัดพิจิตร: ปีงบประมาณ พ.ศ. 2568 (1 ตุลาคม 2567 – 30 กันยายน 2568)"
    )
    assert "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568: กำหนดส่งภายในวันที่ 10 มกราคม 2568 เวลา 16.30 น." in out
    assert "14 มกราคม 2568 เวลา 13.00 น.  รายงานผู้บังคับบัญชา → ศึกษาธิการจังหวัด" in out
    assert "สำนักงานส่งสำนักงานปลัดกระทรวงศึกษาธิการ (สป.) ภายในวันที่ 15 มกราคม 2568" in out
    assert "(วันครบกำหนดตรงกับวันหยุด: วันอาสาฬหบูชา)" in out  # Q3 due on a holiday, kept
    assert "ไตรมาสที่ 4 ปีงบประมาณ พ.ศ. 2568: กำหนดส่งภายในวันที่ 10 ตุลาคม 2568" in out
    assert "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2569" not in out
    assert list(tmp_path.iterdir()) == []  # no database was created


def test_a_due_date_on_a_saturday_is_closed_for_the_weekend_not_for_childrens_day(
    settings: Settings,
) -> None:
    """10 ม.ค. 2569 is a Saturday and วันเด็กแห่งชาติ: the Saturday is what closes the office."""
    text = preview(settings, 2569, None)
    assert "(วันครบกำหนดตรงกับวันหยุด: วันเสาร์)" in text
    assert "วันเด็ก" not in text


def test_two_steps_at_one_instant_are_previewed_as_the_one_message_sent(
    settings: Settings,
) -> None:
    """Due Saturday 10 ม.ค. 2569: the reminder a working day before and the due-day call both
    fall on Friday 9 ม.ค. at 08.30, and the tick sends the due-day call alone
    (tests/duties/test_tick.py: collapsed == 2), so the preview shows that one line."""
    text = preview(settings, 2569, None)
    start = text.index("[quarterly-progress]")
    text = text[start : text.index("ไตรมาสที่ 2", start)]
    friday = [line for line in text.splitlines() if "9 มกราคม 2569 เวลา 08.30 น." in line]
    assert friday == ["    9 มกราคม 2569 เวลา 08.30 น.  แจ้งเตือนวันครบกำหนด → ผู้รับผิดชอบ"]
    assert "    12 มกราคม 2569 เวลา 08.30 น.  ติดตาม ครั้งที่ 1 → ผู้รับผิดชอบ" in text


def test_a_monthly_report_due_early_in_a_month_is_labelled_with_the_month_before(
    settings: Settings,
) -> None:
    """The procurement summary due 10 ต.ค. 2568 sums up กันยายน 2568."""
    text = preview(settings, 2569, None)
    assert "\n  ประจำเดือนกันยายน 2568: กำหนดส่งภายในวันที่ 10 ตุลาคม 2568 เวลา 16.30 น." in text
    assert "\n  ประจำเดือนตุลาคม 2568: กำหนดส่งภายในวันที่ 10 ตุลาคม 2568" not in text


def test_a_monthly_label_names_the_month_covered() -> None:
    due = {"fiscal_year": 2569, "period_key": "2025-10", "month": 10}
    early = {**due, "due_at": "2025-10-10T09:30:00+00:00"}
    late = {**due, "due_at": "2025-10-20T09:30:00+00:00"}
    zone = ZoneInfo("Asia/Bangkok")
    assert period_label({**early, "covers_previous_month": True}, "th", zone) == (
        "ประจำเดือนกันยายน 2568"
    )
    assert period_label({**early, "covers_previous_month": True}, "en", zone) == (
        "for September 2025"
    )
    assert period_label({**late, "covers_previous_month": False}, "th", zone) == (
        "ประจำเดือนตุลาคม 2568"
    )
    assert period_label(early, "th", zone) == "ประจำเดือนกันยายน 2568"  # written before the rule
    moved = {**due, "due_at": "2025-11-03T09:30:00+00:00", "covers_previous_month": False}
    assert period_label(moved, "th", zone) == "ประจำเดือนตุลาคม 2568"  # 31 Oct moved to 3 Nov


def test_preview_names_the_registered_owners(db: Database, settings: Settings) -> None:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "development", Role.STAFF)
    join(db, HEAD, "ประเสริฐ หัวหน้า", "admin", Role.GROUP_HEAD)
    text = preview(settings, 2568, db)
    assert "ผู้รับผิดชอบ: ผู้อำนวยการกลุ่มอำนวยการ — ประเสริฐ หัวหน้า\n" in text  # สงป.301/302
    assert "ผู้รับผิดชอบ: กลุ่มพัฒนาการศึกษา (งานของกลุ่ม) — สมาชิกคนใดคนหนึ่งของกลุ่ม" in text


def test_preview_refuses_a_year_that_is_not_buddhist_era(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview", "--config", str(EXAMPLE_CONFIG), "--fy", "2025"]) == 2
    assert "is not a fiscal year in B.E." in capsys.readouterr().err


def test_a_ladder_in_seconds_is_previewed_to_the_second_with_numbered_followups() -> None:
    """The demo's ladder (-6s … +5s around a due instant with seconds): in minutes, all six
    instants would read 09.00 น. and look simultaneous."""
    now = datetime(2026, 1, 14, 9, 0, 0, tzinfo=ZoneInfo("Asia/Bangkok"))
    text = preview(demo_settings(now), 2569, None)
    day = "14 มกราคม 2569 เวลา"
    assert f"ปีงบประมาณ พ.ศ. 2569: กำหนดส่งภายในวันที่ {day} 09.00.12 น." in text
    steps = [line.strip() for line in text.splitlines() if line.startswith("    ")]
    assert steps == [
        f"{day} 09.00.06 น.  แจ้งเตือน → ผู้รับผิดชอบ",
        f"{day} 09.00.09 น.  แจ้งเตือนวันครบกำหนด → ผู้รับผิดชอบ",
        f"{day} 09.00.13 น.  ติดตาม ครั้งที่ 1 → ผู้รับผิดชอบ",
        f"{day} 09.00.15 น.  ติดตาม ครั้งที่ 2 → ผู้รับผิดชอบ",
        f"{day} 09.00.17 น.  รายงานผู้บังคับบัญชา → "
        "ศึกษาธิการจังหวัด, ผู้ประสานงานติดตามการรายงาน, ผู้อำนวยการกลุ่ม",
    ]
    english = preview(demo_settings(now), 2569, None, "en")
    assert "14 January 2026, 09:00:13  follow-up no. 1 → the owners" in english


def test_a_ladder_in_days_is_previewed_in_minutes(settings: Settings) -> None:
    text = preview(settings, 2568, None)
    assert "13 มกราคม 2568 เวลา 08.30 น.  ติดตาม ครั้งที่ 1 → ผู้รับผิดชอบ" in text
    assert "14 มกราคม 2568 เวลา 08.30 น.  ติดตาม ครั้งที่ 2 → ผู้รับผิดชอบ" in text
    assert not re.search(r"\d\d\.\d\d\.\d\d น\.", text)


def test_preview_in_english_reads_the_english_catalog_and_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    arguments = ["preview", "--config", str(EXAMPLE_CONFIG), "--fy", "2568", "--lang", "en"]
    assert main(arguments) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Phichit Provincial Education Office: fiscal year 2568 "
        "(1 October 2024 – 30 September 2025)\nNothing is sent: this is a preview.\n"
    )
    assert "quarter 1, fiscal year 2568: due by 10 January 2025, 16:30" in out
    assert "13 January 2025, 08:30  follow-up no. 1 → the owners" in out
    assert "14 January 2025, 13:00  escalation to the director → director" in out
    assert "the office sends to Office of the Permanent Secretary (OPS) by 15 January 2025" in out
    assert "(the due date is a closed day: Asarnha Bucha)" in out
    assert "Owed by: the director of Administration Group" in out
    assert "Owed by: the person responsible for each project, one report per project" in out
    thai_outside_titles = [line for line in out.splitlines() if re.search("[\u0e00-\u0e7f]", line)]
    assert thai_outside_titles == []
    with pytest.raises(SystemExit) as refused:
        main(["preview", "--config", str(EXAMPLE_CONFIG), "--lang", "fr"])
    assert refused.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
