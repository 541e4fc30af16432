"""How late a missing report is, as the escalation and the digest say it: working days once
one has ended since the due day, the hours before that, "today" within the first hour —
never "เลยกำหนด 0 วันทำการ"."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.features import render

BANGKOK = ZoneInfo("Asia/Bangkok")


def _escalation(**lateness: int) -> dict[str, Any]:
    return {
        "obligation": "quarterly-progress",
        "title_th": "รายงานรายไตรมาส",
        "title_en": "Quarterly report",
        "measure": "1.1",
        "period_id": 1,
        "period_key": "2569-Q2",
        "fiscal_year": 2569,
        "quarter": 2,
        "month": None,
        "due_at": "2026-01-10T09:30:00+00:00",
        "for_director": True,
        "missing": [
            {
                "assignment_id": 7,
                "name_th": "มาลี ศรีสุข",
                "name_en": "Malee Srisuk",
                "groups_th": ["กลุ่มอำนวยการ"],
                "groups_en": ["Administration Group"],
                "followups": 2,
                **lateness,
            }
        ],
    }


@pytest.mark.parametrize(
    ("lateness", "thai", "english"),
    [
        ({"working_days_late": 0, "late_seconds": 5}, "ครบกำหนดส่งวันนี้", "due today"),
        ({"working_days_late": 0, "late_seconds": 3599}, "ครบกำหนดส่งวันนี้", "due today"),
        (
            {"working_days_late": 0, "late_seconds": 3 * 3600 + 10},
            "เลยกำหนด 3 ชั่วโมง",
            "3 hours late",
        ),
        # due on Friday afternoon, escalated on Saturday at once: no working day has ended
        ({"working_days_late": 0, "late_seconds": 17 * 3600}, "เลยกำหนด 17 ชั่วโมง", "17 hours late"),
        (
            {"working_days_late": 5, "late_seconds": 7 * 86400},
            "เลยกำหนด 5 วันทำการ",
            "5 working days late",
        ),
        ({"working_days_late": 0}, "ครบกำหนดส่งวันนี้", "due today"),  # a row written before
    ],
)
def test_the_escalation_says_how_late_as_a_person_would(
    lateness: dict[str, int], thai: str, english: str
) -> None:
    params = _escalation(**lateness)
    text = render("escalation", params, "th", BANGKOK).text
    assert f"1. มาลี ศรีสุข (กลุ่มอำนวยการ) ติดตามแล้ว 2 ครั้ง {thai}\n" in text
    assert "0 วันทำการ" not in text
    english_text = render("escalation", params, "en", BANGKOK).text
    assert f"1. Malee Srisuk (Administration Group): 2 follow-ups unanswered, {english}\n" in (
        english_text
    )
