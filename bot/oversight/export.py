"""A fiscal year as evidence for the ITA assessor: an XLSX workbook or a CSV file.

The export is a Thai official document by definition, so its words are plain Thai constants
here, not catalog messages (the chat's texts, which each reader gets in their own language, go
through ``bot/common/locale``). Dates are written as Thai text with B.E. years in the office's time
zone (``10 มกราคม 2568 เวลา 16.30 น.``), never as spreadsheet dates, so that no program can
show them in C.E.

XLSX: a first sheet "สรุป" (the office, the fiscal year, counts and the on-time rate per
obligation), one sheet per obligation (titled with its key, cut to 31 characters and made
unique) listing every period and who owed it, and a last sheet "บันทึกการดำเนินการ" (the
audit log). In every sheet the table's header is row ``HEADER_ROW``, bold, with the panes
frozen below it; the rows above it say what the sheet is.

CSV: one UTF-8 file with a byte-order mark (so that Excel reads Thai correctly) holding every
obligation's rows, the obligation first. When ``out`` is a path the audit log is written beside
it as ``<stem>-audit.csv``; when ``out`` is a stream only the main file is written.

Four queries per export, whatever the size of the office (see ``storage.reports``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.common.i18n import fiscal_year_label, format_date, format_datetime
from bot.common.render import period_label
from jobs.calendar import fiscal_year_bounds
from jobs.recurrence import covers_previous_month
from jobs.settings import Settings
from storage.db import Database
from storage.models import AssignmentStatus
from storage.reports import AuditRow, ReportRow, audit_rows, fiscal_year_rows, obligation_keys

ExportFormat = Literal["xlsx", "csv"]
Cell = str | int | float

HEADER_ROW = 5
SUMMARY_SHEET = "สรุป"
AUDIT_SHEET = "บันทึกการดำเนินการ"
NONE = "-"
_SHEET_TITLE_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# -- the document's Thai words -------------------------------------------------------------

STATUS_TEXT = {
    AssignmentStatus.ON_TIME.value: "ส่งตามกำหนด",
    AssignmentStatus.LATE.value: "ส่งล่าช้า",
    AssignmentStatus.PENDING.value: "ยังไม่ส่ง",
    AssignmentStatus.EXCUSED.value: "ได้รับการยกเว้น",
    AssignmentStatus.ESCALATED.value: "รายงานผู้บังคับบัญชาแล้ว",
}
NOT_YET_DUE = "ยังไม่ถึงกำหนด"
NOT_TRACKED = "ไม่มีผู้รับผิดชอบในระบบ"  # a period already past when the bot first saw it
VIA_TEXT = {
    "button": "กดปุ่ม “ส่งรายงานแล้ว” ในแชต",
    "evidence": "ส่งไฟล์หลักฐานในแชต",
    "paper": "ส่งรายงานฉบับเอกสาร (ผู้ประสานงานบันทึกแทน)",
    "announcement": "ประกาศแผนต่อบุคลากรทางแชต (/announce_maintenance)",
}
ACTION_TEXT = {
    "assignment.confirmed": "ยืนยันการส่งรายงาน",
    "assignment.evidence_attached": "แนบไฟล์หลักฐาน",
    "assignment.excused": "ยกเว้นการส่งรายงาน",
    "assignment.escalated": "รายงานผู้บังคับบัญชา",
    "assignment.reminded_again": "สั่งให้แจ้งเตือนอีกครั้ง",
    "assignment.director_will_order": "ผู้บังคับบัญชาจะพิจารณาสั่งการ",
    "assignment.snoozed": "ขอให้แจ้งเตือนอีกครั้งในวันทำการถัดไป",
    "invite.created": "สร้างรหัสลงทะเบียน",
    "staff.registered": "ลงทะเบียนผู้ใช้งาน",
    "staff.granted": "เพิ่มกลุ่มงานหรือบทบาทจากรหัสลงทะเบียน",
    "staff.renamed": "เปลี่ยนชื่อผู้ใช้งาน",
    "staff.moved": "ย้ายกลุ่มงาน",
    "staff.role_granted": "มอบบทบาท",
    "staff.role_revoked": "ยกเลิกบทบาท",
    "staff.deactivated": "ระงับการใช้งาน",
    "staff.reactivated": "เปิดการใช้งานอีกครั้ง",
    "staff.leave_recorded": "บันทึกการลา",
    "obligation.added": "เพิ่มรายงานที่ต้องส่ง",
    "calendar.closed_day_added": "เพิ่มวันปิดทำการ",
    "calendar.meeting_moved": "เลื่อนวันประชุมเจ้าหน้าที่ประจำเดือน",
    "loan.recorded": "บันทึกการยืมพัสดุ (ส่งมอบ)",
    "loan.received": "ผู้ยืมยืนยันการรับพัสดุ",
    "loan.escalated": "แจ้งการยืมพัสดุเลยกำหนดส่งคืน",
    "loan.returned": "บันทึกการส่งคืนพัสดุ",
    "loan.withdrawn": "ยกเลิกรายการยืมพัสดุที่บันทึกผิดพลาด",
    "maintenance.announced": "ประกาศแผนซ่อมบำรุงครุภัณฑ์ประจำปี",
    "assignment.escalation_answer_refused": "ปฏิเสธการสั่งการเรื่องรายงานโดยผู้ไม่มีอำนาจ",
    "power.proposed": "เสนอการเปลี่ยนแปลงอำนาจหน้าที่ (รอศึกษาธิการจังหวัดยืนยัน)",
    "power.confirmed": "ศึกษาธิการจังหวัดยืนยันการเปลี่ยนแปลงอำนาจหน้าที่",
    "power.declined": "ศึกษาธิการจังหวัดไม่เห็นชอบการเปลี่ยนแปลงอำนาจหน้าที่",
    "power.expired": "ข้อเสนอการเปลี่ยนแปลงอำนาจหน้าที่หมดอายุ",
    "power.refused": "ปฏิเสธการเปลี่ยนแปลงอำนาจหน้าที่โดยผู้ไม่มีอำนาจ",
    "power.told": "แจ้งการเปลี่ยนแปลงอำนาจหน้าที่ให้ผู้เกี่ยวข้องทราบ",
}
SUBJECT_TEXT = {
    "assignment": "รายการที่ต้องส่ง",
    "staff": "ผู้ใช้งาน",
    "invite": "รหัสลงทะเบียน",
    "obligation": "รายงานที่ต้องส่ง",
    "period": "รอบรายงาน",
    "loan": "การยืมพัสดุ",
    "maintenance_announcement": "ประกาศแผนซ่อมบำรุงครุภัณฑ์",
    "power_proposal": "ข้อเสนอการเปลี่ยนแปลงอำนาจหน้าที่",
}
DETAIL_TEXT = {
    "reason": "เหตุผล",
    "via": "ช่องทาง",
    "status": "ผลการส่ง",
    "submitted_at": "วันที่ส่ง",
    "file_name": "ไฟล์หลักฐาน",
    "kept_locally": "เก็บสำเนาไว้ที่สำนักงาน",
    "to": "ผู้รับแจ้ง (เลขผู้ใช้งาน)",
    "group": "กลุ่มงาน",
    "role": "บทบาท",
    "invite": "รหัสลงทะเบียน (เลขที่)",
    "from": "จาก",
    "title": "ชื่อรายงาน",
    "key": "รหัสรายงาน",
    "uses": "จำนวนครั้งที่ใช้ได้",
    "borrower": "ผู้ยืม (เลขผู้ใช้งาน)",
    "items": "รายการพัสดุ",
    "purpose": "วัตถุประสงค์",
    "due_on": "กำหนดส่งคืน",
    "condition": "สภาพเมื่อส่งมอบ",
    "good": "สภาพดี",
    "damaged": "ชำรุด",
    "missing_part": "ชิ้นส่วนไม่ครบ",
    "note": "หมายเหตุ",
    "complete": "ได้รับคืนครบทุกรายการ",
    "step": "ขั้นการติดตาม (ลำดับที่)",
    "fiscal_year": "ปีงบประมาณ",
    "recipients": "จำนวนผู้รับ",
}
ROLE_TEXT = {
    "staff": "เจ้าหน้าที่",
    "group_head": "ผู้อำนวยการกลุ่ม",
    "coordinator": "ผู้ประสานงาน (กลุ่มนโยบายและแผน)",
    "procurement": "เจ้าหน้าที่พัสดุ",
    "director": "ศึกษาธิการจังหวัด",
    "admin": "ผู้ดูแลระบบ",
}
SYSTEM_ACTOR = "ระบบติดตามอัตโนมัติ"


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    width: int
    wrap: bool = False


REPORT_COLUMNS = (
    Column("ลำดับ", 7),
    Column("รอบรายงาน", 34, wrap=True),
    Column("ผู้รับผิดชอบ", 24, wrap=True),
    Column("กลุ่มงาน", 26, wrap=True),
    Column("กำหนดส่ง", 28),
    Column("กำหนดที่สำนักงานส่งต่อ", 28),
    Column("วันที่ยืนยันการส่ง", 28),
    Column("ผู้ยืนยันการส่ง", 22, wrap=True),
    Column("ผลการส่ง", 24),
    Column("ช่องทาง", 26, wrap=True),
    Column("ไฟล์หลักฐาน", 30, wrap=True),
    Column("จำนวนครั้งที่ติดตาม", 12, wrap=True),
    Column("วันที่รายงานผู้บังคับบัญชา", 28),
    Column("เหตุผลการยกเว้น", 36, wrap=True),
)
CSV_LEAD_COLUMNS = (
    Column("รหัสรายงาน", 24),
    Column("ชื่อรายงาน", 60, wrap=True),
    Column("มาตรการ", 9),
)
SUMMARY_COLUMNS = (
    Column("ลำดับ", 7),
    Column("แผ่นงาน", 24),
    Column("รายงาน", 60, wrap=True),
    Column("มาตรการ", 9),
    Column("จำนวนรอบรายงาน", 11, wrap=True),
    Column("จำนวนรายการที่ต้องส่ง", 12, wrap=True),
    Column("ส่งตามกำหนด", 11, wrap=True),
    Column("ส่งล่าช้า", 11, wrap=True),
    Column("ยังไม่ส่ง", 11, wrap=True),
    Column("ยังไม่ถึงกำหนด", 11, wrap=True),
    Column("ได้รับการยกเว้น", 11, wrap=True),
    Column("รายงานผู้บังคับบัญชา", 14, wrap=True),
    Column("ร้อยละการส่งตามกำหนด", 13, wrap=True),
)
AUDIT_COLUMNS = (
    Column("ลำดับ", 7),
    Column("วันที่และเวลา", 28),
    Column("ผู้ดำเนินการ", 24, wrap=True),
    Column("การดำเนินการ", 30, wrap=True),
    Column("เรื่อง", 48, wrap=True),
    Column("รายละเอียด", 60, wrap=True),
    Column("รหัสการดำเนินการ", 28),
)
RATE_NOTE = (
    "ร้อยละการส่งตามกำหนด = ส่งตามกำหนด × 100 ÷ (จำนวนรายการที่ต้องส่ง − ได้รับการยกเว้น − ยังไม่ถึงกำหนด)"
)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What was written: rows per obligation, audit rows, sheets and files."""

    fiscal_year: int
    format: ExportFormat
    rows: dict[str, int]  # obligation key → its rows (one per assignment or unowned period)
    audit_events: int | None  # None when the audit log was not written (CSV to a stream)
    sheets: tuple[str, ...] = ()  # XLSX sheet titles in order
    files: tuple[Path, ...] = ()  # the files written (none when ``out`` is a stream)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class _Context:
    office_name: str
    fiscal_year: int
    zone: ZoneInfo
    as_of: datetime | None
    window: tuple[datetime, datetime]
    group_names: dict[str, str]  # work group key → Thai name, for the audit details


def export_fiscal_year(
    db: Database,
    settings: Settings,
    fiscal_year: int,
    fmt: ExportFormat,
    out: Path | BinaryIO,
    *,
    as_of: datetime | None = None,
) -> ExportSummary:
    """Write the fiscal year (B.E., e.g. 2568) to ``out`` as XLSX or CSV.

    ``as_of`` (the export's instant, from the caller's clock) is written on the summary, and
    an open assignment due after it reads "ยังไม่ถึงกำหนด" rather than "ยังไม่ส่ง".
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown export format {fmt!r} (xlsx or csv)")
    context = _context(settings, fiscal_year, as_of)
    start, end = context.window
    with db.transaction() as session:
        rows = fiscal_year_rows(session, fiscal_year)
        events = audit_rows(session, start=start, end=end, fiscal_year=fiscal_year)
    if fmt == "xlsx":
        return _export_xlsx(rows, events, context, out)
    return _export_csv(rows, events, context, out)


def _context(settings: Settings, fiscal_year: int, as_of: datetime | None) -> _Context:
    zone = settings.office.zone
    first, last = fiscal_year_bounds(fiscal_year)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    groups = {group.key: group.name_th for group in settings.groups}
    return _Context(settings.office.name_th, fiscal_year, zone, as_of, (start, end), groups)


# -- cell texts ----------------------------------------------------------------------------


def _instant(moment: datetime | None, zone: ZoneInfo) -> str:
    return format_datetime(moment.astimezone(zone), "th") if moment else NONE


def status_text(row: ReportRow, as_of: datetime | None = None) -> str:
    if row.status is None:
        return NOT_TRACKED
    if _not_yet_due(row, as_of):
        return NOT_YET_DUE
    return STATUS_TEXT.get(row.status, row.status)


def _not_yet_due(row: ReportRow, as_of: datetime | None) -> bool:
    return as_of is not None and row.status == AssignmentStatus.PENDING.value and row.due_at > as_of


def _period_text(row: ReportRow, zone: ZoneInfo) -> str:
    params = {
        "fiscal_year": row.fiscal_year,
        "period_key": row.period_key,
        "quarter": row.quarter,
        "month": row.month,
        "covers_previous_month": covers_previous_month(row.recurrence),
        "due_at": row.due_at.isoformat(),
    }
    return period_label(params, "th", zone)


def _report_cells(row: ReportRow, number: int, context: _Context) -> list[Cell]:
    zone = context.zone
    return [
        number,
        _period_text(row, zone),
        row.owner_name_th or NONE,
        ", ".join(row.owner_groups_th) or NONE,
        _instant(row.due_at, zone),
        _instant(row.onward_due_at, zone),
        _instant(row.confirmed_at, zone),
        row.confirmed_by or NONE,
        status_text(row, context.as_of),
        VIA_TEXT.get(row.via, row.via) if row.via else NONE,
        row.evidence_file_name or NONE,
        row.followups_unanswered,
        _instant(row.escalated_at, zone),
        row.excuse_reason or NONE,
    ]


def _actor_text(event: AuditRow) -> str:
    if event.actor_name:
        return event.actor_name
    return SYSTEM_ACTOR if event.actor.startswith("system") else event.actor


def _subject_text(event: AuditRow, subjects: dict[int, str]) -> str:
    if event.subject_type == "assignment" and event.subject_id in subjects:
        return subjects[event.subject_id]
    kind = SUBJECT_TEXT.get(event.subject_type, event.subject_type)
    return f"{kind} เลขที่ {event.subject_id}" if event.subject_id is not None else kind


def _value_text(key: str, value: Any, context: _Context) -> str:
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    if isinstance(value, list):
        return ", ".join(_value_text(key, item, context) for item in value) or NONE
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if not isinstance(value, str):
        return NONE if value is None else str(value)
    words = {"status": STATUS_TEXT, "via": VIA_TEXT, "role": ROLE_TEXT}.get(key)
    if words is not None:
        return words.get(value, value)
    if value in context.group_names:
        return context.group_names[value]
    return _dated_text(value, context.zone)


def _dated_text(value: str, zone: ZoneInfo) -> str:
    """An ISO instant or day inside the audit details, in B.E. (never left in C.E.)."""
    try:
        if _ISO_INSTANT.match(value):
            moment = datetime.fromisoformat(value)
            return _instant(moment, zone) if moment.tzinfo else format_datetime(moment, "th")
        if _ISO_DAY.match(value):
            return format_date(date.fromisoformat(value), "th")
    except ValueError:
        return value
    return value


def _details_text(details: dict[str, Any], context: _Context) -> str:
    parts = [
        f"{DETAIL_TEXT.get(key, key)}: {_value_text(key, value, context)}"
        for key, value in details.items()
    ]
    return "; ".join(parts) or NONE


def _audit_cells(
    event: AuditRow, number: int, context: _Context, subjects: dict[int, str]
) -> list[Cell]:
    return [
        number,
        _instant(event.at, context.zone),
        _actor_text(event),
        ACTION_TEXT.get(event.action, event.action),
        _subject_text(event, subjects),
        _details_text(event.details, context),
        event.action,
    ]


def _subjects(rows: Iterable[ReportRow], zone: ZoneInfo) -> dict[int, str]:
    """Each assignment of the year as the audit log names it: report, period, owner."""
    return {
        row.assignment_id: f"{row.obligation_key} · {_period_text(row, zone)} · "
        f"{row.owner_name_th or NONE}"
        for row in rows
        if row.assignment_id is not None
    }


def _by_obligation(rows: Sequence[ReportRow]) -> dict[str, list[ReportRow]]:
    grouped: dict[str, list[ReportRow]] = {key: [] for key in obligation_keys(rows)}
    for row in rows:
        grouped[row.obligation_key].append(row)
    return grouped


# -- the summary ---------------------------------------------------------------------------


@dataclass
class _Tally:
    periods: set[str] = field(default_factory=set)
    assignments: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    not_yet_due: int = 0
    excused: int = 0
    escalated: int = 0

    def add(self, row: ReportRow, as_of: datetime | None) -> None:
        self.periods.add(f"{row.obligation_key}/{row.period_key}")
        if row.status is None:
            return
        self.assignments += 1
        self.on_time += row.status == AssignmentStatus.ON_TIME.value
        self.late += row.status == AssignmentStatus.LATE.value
        self.excused += row.status == AssignmentStatus.EXCUSED.value
        self.escalated += row.escalated_at is not None
        if _not_yet_due(row, as_of):
            self.not_yet_due += 1
        elif row.status in (AssignmentStatus.PENDING.value, AssignmentStatus.ESCALATED.value):
            self.open += 1

    def rate(self) -> float | str:
        expected = self.assignments - self.excused - self.not_yet_due
        return round(self.on_time * 100 / expected, 1) if expected > 0 else NONE

    def cells(self) -> list[Cell]:
        return [
            len(self.periods),
            self.assignments,
            self.on_time,
            self.late,
            self.open,
            self.not_yet_due,
            self.excused,
            self.escalated,
            self.rate(),
        ]


def _tally(rows: Iterable[ReportRow], as_of: datetime | None) -> _Tally:
    tally = _Tally()
    for row in rows:
        tally.add(row, as_of)
    return tally


def _summary_rows(
    grouped: dict[str, list[ReportRow]], titles: dict[str, str], context: _Context
) -> list[list[Cell]]:
    body: list[list[Cell]] = []
    for number, (key, rows) in enumerate(grouped.items(), start=1):
        first = rows[0]
        lead: list[Cell] = [number, titles[key], first.title_th, first.measure]
        body.append(lead + _tally(rows, context.as_of).cells())
    everything = [row for rows in grouped.values() for row in rows]
    body.append(["", "รวม", "", "", *_tally(everything, context.as_of).cells()])
    return body


# -- XLSX ----------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


def sheet_titles(keys: Iterable[str]) -> dict[str, str]:
    """Each obligation's sheet title: its key, cut to Excel's 31 characters, unique."""
    taken = {SUMMARY_SHEET.casefold(), AUDIT_SHEET.casefold(), "history"}
    titles: dict[str, str] = {}
    for key in keys:
        base = _SHEET_FORBIDDEN.sub("-", key).strip("'") or "sheet"
        title, number = base[:_SHEET_TITLE_MAX], 1
        while title.casefold() in taken:
            number += 1
            suffix = f"~{number}"
            title = base[: _SHEET_TITLE_MAX - len(suffix)] + suffix
        taken.add(title.casefold())
        titles[key] = title
    return titles


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def put(sheet: Any, row: int, column: int, value: Cell | None) -> Any:
    """Write one cell; a text is always a text, never a formula, whatever it begins with.

    A person's name or a typed reason reaches these sheets: ``=HYPERLINK(…)`` must stay words.
    """
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def csv_safe(value: Cell) -> Cell:
    """A text a spreadsheet would read as a formula gets a leading apostrophe (OWASP's advice);
    a lone ``-`` (our "nothing") is no formula and stays as it is."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _heading(sheet: Any, lines: Sequence[str], width: int) -> None:
    """The lines above the table: the first one large and bold, all merged across it."""
    for number, text in enumerate(lines, start=1):
        cell = put(sheet, number, 1, text)
        cell.font = _TITLE if number == 1 else _BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    sheet.row_dimensions[1].height = 42


def _table(sheet: Any, columns: Sequence[Column], body: Iterable[Sequence[Cell]]) -> int:
    """The header at ``HEADER_ROW`` (bold, panes frozen below it), then the rows."""
    for index, column in enumerate(columns, start=1):
        cell = put(sheet, HEADER_ROW, index, column.header)
        cell.font, cell.fill, cell.alignment = _BOLD, _HEADER_FILL, _HEADER_ALIGN
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    count = 0
    for count, values in enumerate(body, start=1):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = put(sheet, HEADER_ROW + count, index, value)
            cell.alignment = _WRAP if column.wrap else _TOP
    return count


def _summary_sheet(
    book: Workbook, grouped: dict[str, list[ReportRow]], titles: dict[str, str], context: _Context
) -> None:
    sheet = book.active
    sheet.title = SUMMARY_SHEET
    as_of = f"ข้อมูล ณ วันที่ {_instant(context.as_of, context.zone)}" if context.as_of else ""
    _heading(
        sheet,
        ["สรุปผลการติดตามการส่งรายงาน", context.office_name, _fy(context), as_of],
        len(SUMMARY_COLUMNS),
    )
    body = _summary_rows(grouped, titles, context)
    _table(sheet, SUMMARY_COLUMNS, body)
    last = HEADER_ROW + len(body)
    for column in range(1, len(SUMMARY_COLUMNS) + 1):
        sheet.cell(row=last, column=column).font = _BOLD
    put(sheet, last + 2, 1, RATE_NOTE)


def _fy(context: _Context) -> str:
    return fiscal_year_label(context.fiscal_year, "th")


def _obligation_sheet(book: Workbook, title: str, rows: list[ReportRow], context: _Context) -> int:
    sheet = book.create_sheet(title)
    first = rows[0]
    indicators = ", ".join(first.ita_indicators) or NONE
    _heading(
        sheet,
        [
            first.title_th,
            f"มาตรการที่ {first.measure} · ตัวชี้วัด ITA {indicators}",
            f"{context.office_name} {_fy(context)}",
        ],
        len(REPORT_COLUMNS),
    )
    body = (_report_cells(row, number, context) for number, row in enumerate(rows, start=1))
    return _table(sheet, REPORT_COLUMNS, body)


def _audit_sheet(
    book: Workbook, events: list[AuditRow], context: _Context, subjects: dict[int, str]
) -> int:
    sheet = book.create_sheet(AUDIT_SHEET)
    start, end = context.window
    span = (
        f"ตั้งแต่วันที่ {format_date(start, 'th')} ถึงวันที่ "
        f"{format_date(end - timedelta(days=1), 'th')} รวมทั้งการดำเนินการเกี่ยวกับรายงาน"
        "ของปีงบประมาณนี้ที่เกิดขึ้นนอกช่วงเวลาดังกล่าว"
    )
    _heading(sheet, ["บันทึกการดำเนินการของระบบ", context.office_name, _fy(context), span], 7)
    body = (
        _audit_cells(event, number, context, subjects)
        for number, event in enumerate(events, start=1)
    )
    return _table(sheet, AUDIT_COLUMNS, body)


def _export_xlsx(
    rows: list[ReportRow], events: list[AuditRow], context: _Context, out: Path | BinaryIO
) -> ExportSummary:
    grouped = _by_obligation(rows)
    titles = sheet_titles(grouped)
    book = Workbook()
    _summary_sheet(book, grouped, titles, context)
    counts = {
        key: _obligation_sheet(book, titles[key], items, context) for key, items in grouped.items()
    }
    audit_count = _audit_sheet(book, events, context, _subjects(rows, context.zone))
    book.save(out)
    return ExportSummary(
        fiscal_year=context.fiscal_year,
        format="xlsx",
        rows=counts,
        audit_events=audit_count,
        sheets=tuple(book.sheetnames),
        files=(out,) if isinstance(out, Path) else (),
    )


# -- CSV -----------------------------------------------------------------------------------


def audit_path(out: Path) -> Path:
    """Where the audit log of a CSV export goes: ``<stem>-audit.csv`` beside ``out``."""
    return out.with_name(f"{out.stem}-audit.csv")


def _csv_rows(grouped: dict[str, list[ReportRow]], context: _Context) -> Iterable[list[Cell]]:
    yield [column.header for column in (*CSV_LEAD_COLUMNS, *REPORT_COLUMNS)]
    for key, rows in grouped.items():
        for number, row in enumerate(rows, start=1):
            measure = f"มาตรการที่ {row.measure}"  # text: "1.1" could become a date in Excel
            yield [key, row.title_th, measure, *_report_cells(row, number, context)]


def _audit_csv_rows(
    events: list[AuditRow], context: _Context, subjects: dict[int, str]
) -> Iterable[list[Cell]]:
    yield [column.header for column in AUDIT_COLUMNS]
    for number, event in enumerate(events, start=1):
        yield _audit_cells(event, number, context, subjects)


def _write_csv(out: Path | BinaryIO, lines: Iterable[list[Cell]]) -> None:
    """UTF-8 with a byte-order mark, so that Excel opens the Thai text as Thai."""
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(_csv_safe_rows(lines))
        return
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    csv.writer(text).writerows(_csv_safe_rows(lines))
    text.flush()
    text.detach()  # the caller's stream stays open


def _csv_safe_rows(lines: Iterable[list[Cell]]) -> Iterable[list[Cell]]:
    return ([csv_safe(value) for value in line] for line in lines)


def _export_csv(
    rows: list[ReportRow], events: list[AuditRow], context: _Context, out: Path | BinaryIO
) -> ExportSummary:
    grouped = _by_obligation(rows)
    _write_csv(out, _csv_rows(grouped, context))
    counts = {key: len(items) for key, items in grouped.items()}
    if not isinstance(out, Path):
        return ExportSummary(context.fiscal_year, "csv", counts, None)
    audit_file = audit_path(out)
    _write_csv(audit_file, _audit_csv_rows(events, context, _subjects(rows, context.zone)))
    return ExportSummary(context.fiscal_year, "csv", counts, len(events), files=(out, audit_file))
