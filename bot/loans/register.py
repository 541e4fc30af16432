"""The loan register (ทะเบียนการยืมพัสดุ) of a fiscal year, for the ITA assessor (measure 1.4).

One row per borrowed item: who borrowed it, when, for what, until when, in what condition it
went out and came back, and who recorded each. Like the evidence workbook (``bot.oversight.export``,
whose layout this shares), it is a Thai official document: Thai headers, dates as Thai text
with B.E. years, never spreadsheet dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from openpyxl import Workbook

from bot.common.i18n import fiscal_year_label, format_date
from bot.oversight.export import NONE, Cell, Column, _heading, _instant, _table, _write_csv
from jobs.calendar import OfficeCalendar, fiscal_year_bounds
from jobs.loans.ladder import WITHDRAWN, days_overdue, loan_state
from jobs.settings import Settings
from storage import loans
from storage.db import Database
from storage.loans import LoanView
from storage.models import LoanItem

SHEET = "ทะเบียนการยืมพัสดุ"
CONDITION_TEXT = {"good": "สภาพดี", "damaged": "ชำรุด", "missing_part": "ชิ้นส่วนไม่ครบ"}
COLUMNS = (
    Column("ลำดับ", 7),
    Column("เลขที่การยืม", 10),
    Column("วันที่ยืม", 20),
    Column("ผู้ยืม", 24, wrap=True),
    Column("กลุ่มงาน", 26, wrap=True),
    Column("หมายเลขครุภัณฑ์", 24, wrap=True),
    Column("รายการพัสดุ", 34, wrap=True),
    Column("วัตถุประสงค์", 34, wrap=True),
    Column("กำหนดส่งคืน", 20),
    Column("สภาพเมื่อส่งมอบ", 26, wrap=True),
    Column("ผู้บันทึกการยืม", 22, wrap=True),
    Column("ผู้ยืมยืนยันการรับเมื่อ", 28),
    Column("วันที่ส่งคืน", 28),
    Column("สภาพเมื่อส่งคืน", 16),
    Column("หมายเหตุการส่งคืน", 34, wrap=True),
    Column("ผู้บันทึกการส่งคืน", 22, wrap=True),
    Column("สถานะ", 26, wrap=True),
)


@dataclass(frozen=True, slots=True)
class LoanRegister:
    fiscal_year: int
    loans: int
    items: int
    files: tuple[Path, ...]


def export_loans(
    db: Database,
    settings: Settings,
    fiscal_year: int,
    fmt: Literal["xlsx", "csv"],
    out: Path | BinaryIO,
    *,
    as_of: datetime,
) -> LoanRegister:
    """Write the register of the loans handed over in ``fiscal_year`` (B.E.) to ``out``."""
    first, last = fiscal_year_bounds(fiscal_year)
    calendar = OfficeCalendar.from_office(settings.office)
    with db.transaction() as session:
        found = loans.lent_between(session, first, last)
        groups = loans.group_names(session, {view.loan.borrower_staff_id for view in found})
        names = loans.staff_names(
            session, {i.return_recorded_by_staff_id or 0 for v in found for i in v.items} - {0}
        )
    body = list(_rows(found, groups, names, calendar, as_of))
    heading = [
        "ทะเบียนการยืมพัสดุ",
        f"{settings.office.name_th} {fiscal_year_label(fiscal_year, 'th')}",
        f"ข้อมูล ณ วันที่ {_instant(as_of, calendar.zone)}",
        _summary(found, as_of),
    ]
    if fmt == "csv":
        _write_csv(out, [[c.header for c in COLUMNS], *body])
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = SHEET
        _heading(sheet, heading, len(COLUMNS))
        _table(sheet, COLUMNS, body)
        book.save(out)
    files = (out,) if isinstance(out, Path) else ()
    return LoanRegister(fiscal_year, len(found), len(body), files)


def _summary(found: list[LoanView], as_of: datetime) -> str:
    withdrawn = [view for view in found if view.loan.status == WITHDRAWN]
    lent = [view for view in found if view.loan.status != WITHDRAWN]
    items = [item for view in lent for item in view.items]
    out = [item for item in items if item.returned_at is None]
    overdue = sum(len(v.outstanding) for v in lent if v.is_open and as_of > v.loan.due_at)
    not_good = sum(1 for i in items if i.return_condition not in (None, "good"))
    summary = (
        f"การยืม {len(lent)} ครั้ง พัสดุ {len(items)} รายการ ส่งคืนแล้ว {len(items) - len(out)} "
        f"รายการ ยังไม่ส่งคืน {len(out)} รายการ (เลยกำหนด {overdue} รายการ) "
        f"ได้รับคืนในสภาพชำรุดหรือไม่ครบถ้วน {not_good} รายการ"
    )
    if withdrawn:
        summary += f" และยกเลิกรายการที่บันทึกผิดพลาด {len(withdrawn)} ครั้ง"
    return summary


def _rows(
    found: list[LoanView],
    groups: dict[int, list[str]],
    names: dict[int, str],
    calendar: OfficeCalendar,
    as_of: datetime,
) -> Iterable[list[Cell]]:
    number = 0
    for view in found:
        loan = view.loan
        for item in view.items:
            number += 1
            yield [
                number,
                view.id,
                _day(loan.lent_on),
                view.borrower.full_name,
                ", ".join(groups.get(loan.borrower_staff_id, [])) or NONE,
                item.asset_number,
                item.description,
                loan.purpose,
                _day(loan.due_on),
                loan.condition_out,
                view.recorded_by.full_name,
                _instant(loan.received_at, calendar.zone),
                _instant(item.returned_at, calendar.zone),
                CONDITION_TEXT.get(item.return_condition or "", NONE),
                item.return_note or NONE,
                names.get(item.return_recorded_by_staff_id or 0, NONE),
                _status(view, item, calendar, as_of),
            ]


def _day(day: date) -> str:
    return format_date(day, "th")


def _status(view: LoanView, item: LoanItem, calendar: OfficeCalendar, as_of: datetime) -> str:
    if item.returned_at is not None:
        return "ส่งคืนแล้ว"
    if view.loan.status == WITHDRAWN:
        return "ยกเลิกรายการ (บันทึกผิดพลาด)"
    state = loan_state(view.loan.status, view.loan.due_at, as_of)
    if state == "overdue":
        return f"เลยกำหนดส่งคืน {days_overdue(view.loan.due_at, as_of, calendar)} วันทำการ"
    if state == "awaiting_receipt":
        return "ยังไม่ส่งคืน (รอผู้ยืมยืนยันการรับ)"
    return "ยังไม่ส่งคืน"
