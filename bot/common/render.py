"""What every outbox template shares: ``Rendered`` (text, buttons, a picture or a file), the
period's label, when and how late, in the reader's language.

The tick stores a template name and plain parameters; the words are chosen when the message
is sent, by the template its feature declares (``Feature.templates``), so that each person
reads it in their own language. ``bot.features.render`` finds the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date

from bot.common.i18n import Translate, buddhist_year, format_datetime, translator
from jobs.recurrence import month_covered

Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback data)


Render = Callable[[str, dict[str, Any], str, ZoneInfo], "Rendered"]  # template → Rendered


@dataclass(frozen=True)
class Document:
    """A file sent with a message (the memo's .docx): its name as the reader sees it."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Rendered:
    text: str
    keyboard: Keyboard = field(default_factory=list)
    photo: bytes | None = None  # sent before the text (the digest's chart)
    document: Document | None = None  # sent before the text, like the photo (a memo)


def title(params: dict[str, Any], language: str) -> str:
    return str(params.get("title_en" if language == "en" else "title_th") or "")


def when(iso: str | None, language: str, zone: ZoneInfo) -> str:
    if not iso:
        return "-"
    return format_datetime(datetime.fromisoformat(iso).astimezone(zone), language)


SIX_MONTH_QUARTER = 2
"""The fiscal year's second quarter closes its first six months: its report is also the
six-month report (รอบ ๖ เดือน), as the plan calls it."""


def project_of(params: dict[str, Any]) -> str:
    """A per-project assignment's project as every message names it, ``P-01 ชื่อโครงการ``
    (``project_code``, ``project_name`` in the row's parameters); '' for any other."""
    code, name = params.get("project_code") or "", params.get("project_name") or ""
    return f"{code} {name}".strip()


def period_label(params: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    """``ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568``, ``ประจำเดือนมกราคม 2568`` …"""
    _ = translator(language)
    fiscal_year, key = params.get("fiscal_year"), str(params.get("period_key") or "")
    if params.get("quarter") == SIX_MONTH_QUARTER:  # the plan's รอบ ๖ เดือน
        return _("quarter {quarter}, fiscal year {fiscal_year} (the six-month report)").format(
            quarter=params["quarter"], fiscal_year=fiscal_year
        )
    if params.get("quarter"):
        return _("quarter {quarter}, fiscal year {fiscal_year}").format(
            quarter=params["quarter"], fiscal_year=fiscal_year
        )
    if key.startswith("meeting-"):
        month, year = _month_and_year(
            date.fromisoformat(f"{key.removeprefix('meeting-')}-01"), language
        )
        return _("for the staff meeting of {month} {year}").format(month=month, year=year)
    if params.get("month"):  # the month the report is about, not always the month it is due
        due = datetime.fromisoformat(str(params["due_at"])).astimezone(zone)
        covered = month_covered(key, due.date(), params.get("covers_previous_month"))
        month, year = _month_and_year(covered, language)
        return _("for {month} {year}").format(month=month, year=year)
    return _("fiscal year {fiscal_year}").format(fiscal_year=fiscal_year)


def _month_and_year(day: date, language: str) -> tuple[str, int]:
    month = babel_format_date(day, "MMMM", locale=language)
    return month, buddhist_year(day.year) if language == "th" else day.year


def lateness(item: dict[str, Any], _: Translate) -> str:
    """How late, as a person says it: ``เลยกำหนด 2 วันทำการ`` once a working day has ended
    since the due day, before that the hours (``เลยกำหนด 3 ชั่วโมง``), or within the first
    hour ``ครบกำหนดส่งวันนี้`` — never "0 working days late"."""
    days = int(item.get("working_days_late") or 0)
    if days > 0:
        return _("{days} working days late").format(days=days)
    hours = int(item.get("late_seconds") or 0) // 3600
    if hours > 0:
        return _("{hours} hours late").format(hours=hours)
    return _("due today")
