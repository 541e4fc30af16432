"""``staff-report-bot export --loans``: the loan register of a fiscal year, read back."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from bot.loans.register import export_loans
from jobs.calendar import OfficeCalendar
from jobs.loans.ladder import due_instant
from jobs.settings import Settings, load_settings
from storage import groups, loans, migrate
from storage.db import Database
from storage.groups import GroupSpec
from storage.models import ReturnCondition, Role
from tests.duties.test_tick import bkk
from tests.oversight.test_export_command import _office
from tests.support import enrol
from tests.test_migrations import _write_config


def _lend(
    db: Database, calendar: OfficeCalendar, people: tuple[int, int], lent_on: date, due_on: date
) -> int:
    borrower, officer = people
    with db.transaction() as session:
        loan = loans.create(
            session,
            loans.NewLoan(
                borrower_staff_id=borrower,
                recorded_by_staff_id=officer,
                purpose="อบรมผู้บริหารสถานศึกษา",
                lent_on=lent_on,
                due_on=due_on,
                due_at=due_instant(due_on, calendar),
                condition_out="สภาพดี ใช้งานได้ครบถ้วน",
                items=[("7440-001-0001/2567", "เครื่องคอมพิวเตอร์โน้ตบุ๊ก"), ("P-2", "เครื่องฉายภาพ")],
                next_step=6,
                next_action_at=None,
            ),
            now=bkk(lent_on.month, lent_on.day, year=lent_on.year),
        )
    return loan.id or 0


def _empty_office(tmp_path: Path) -> tuple[Path, Settings, Database]:
    """A SQLite office with its config file and work groups, nobody registered yet."""
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    config = _write_config(tmp_path, url)
    settings = load_settings(config)
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    with db.transaction() as session:
        groups.sync_groups(
            session,
            [GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in settings.groups],
        )
    return config, settings, db


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """An office database with two loans in FY 2568 (one returned with damage) and one in 2569."""
    config, settings, db = _empty_office(tmp_path)
    borrower = enrol(db, 11, "สมชาย ใจดี", "development", Role.STAFF, now=bkk(1, 2)).id
    officer = enrol(db, 12, "สมศรี พัสดุ", "admin", Role.PROCUREMENT, now=bkk(1, 2)).id
    calendar, pair = OfficeCalendar.from_office(settings.office), (borrower, officer)
    returned = _lend(db, calendar, pair, date(2025, 1, 6), date(2025, 1, 13))
    _lend(db, calendar, pair, date(2025, 9, 1), date(2025, 9, 8))
    _lend(db, calendar, pair, date(2025, 10, 1), date(2025, 10, 8))  # FY 2569
    mistaken = _lend(db, calendar, pair, date(2025, 9, 2), date(2025, 9, 9))
    with db.transaction() as session:
        withdrawn = loans.withdraw(
            session, mistaken, by_staff_id=officer, reason="บันทึกซ้ำ", now=bkk(9, 2, year=2025)
        )
        assert withdrawn.outcome is loans.WithdrawOutcome.DONE
    with db.transaction() as session:
        found = loans.view(session, returned)
        assert found is not None
        loans.record_return(
            session,
            returned,
            {
                found.items[0].id or 0: ReturnCondition.DAMAGED,
                found.items[1].id or 0: ReturnCondition.GOOD,
            },
            "จอภาพแตก",
            by_staff_id=officer,
            now=bkk(1, 14, 10),
        )
    db.dispose()
    return config


def test_export_loans_writes_the_register_of_the_fiscal_year(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "loans-2568.xlsx"
    assert (
        main(["export", "--loans", "--config", str(office), "--fy", "2568", "--out", str(out)]) == 0
    )
    assert "fiscal year 2568: 3 loans, 6 items written to" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out)["ทะเบียนการยืมพัสดุ"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "ทะเบียนการยืมพัสดุ"
    assert rows[1][0] == "สำนักงานศึกษาธิการจังหวัดพิจิตร ปีงบประมาณ พ.ศ. 2568"
    assert rows[3][0].startswith("การยืม 2 ครั้ง พัสดุ 4 รายการ ส่งคืนแล้ว 2 รายการ ยังไม่ส่งคืน 2 รายการ")
    assert rows[3][0].endswith("และยกเลิกรายการที่บันทึกผิดพลาด 1 ครั้ง")
    header, *body = rows[4:]
    assert header[:7] == [
        "ลำดับ",
        "เลขที่การยืม",
        "วันที่ยืม",
        "ผู้ยืม",
        "กลุ่มงาน",
        "หมายเลขครุภัณฑ์",
        "รายการพัสดุ",
    ]
    assert len(body) == 6
    by_loan: dict[int, list[str]] = {}
    for row in body:
        cells = dict(zip(header, row, strict=True))
        by_loan.setdefault(int(cells["เลขที่การยืม"]), []).append(cells["สถานะ"])
    assert by_loan[4] == ["ยกเลิกรายการ (บันทึกผิดพลาด)"] * 2  # the one withdrawn, kept
    first = dict(zip(header, body[0], strict=True))
    assert first["วันที่ยืม"] == "6 มกราคม 2568"  # text in B.E., never a spreadsheet date
    assert first["กำหนดส่งคืน"] == "13 มกราคม 2568"
    assert first["กลุ่มงาน"] == "กลุ่มพัฒนาการศึกษา"
    assert first["หมายเลขครุภัณฑ์"] == "7440-001-0001/2567"
    assert first["วันที่ส่งคืน"] == "14 มกราคม 2568 เวลา 10.00 น."
    assert first["สภาพเมื่อส่งคืน"] == "ชำรุด"
    assert first["หมายเหตุการส่งคืน"] == "จอภาพแตก"
    assert first["ผู้บันทึกการส่งคืน"] == "สมศรี พัสดุ"
    assert first["ผู้บันทึกการยืม"] == "สมศรี พัสดุ"
    assert first["สถานะ"] == "ส่งคืนแล้ว"
    overdue = dict(zip(header, body[2], strict=True))  # lent on 1 September, never returned
    assert overdue["สถานะ"].startswith("เลยกำหนดส่งคืน ") and overdue["วันที่ส่งคืน"] == "-"


def test_export_loans_takes_the_long_flag_names_and_writes_csv(
    office: Path, tmp_path: Path
) -> None:
    out = tmp_path / "loans.csv"
    arguments = ["export", "--loans", "--config", str(office), "--fiscal-year", "2569"]
    assert main([*arguments, "--format", "csv", "--output", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "ลำดับ" and len(rows) == 3
    assert rows[1][2] == "1 ตุลาคม 2568"


def test_the_evidence_export_still_needs_its_year_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _office(tmp_path)
    assert main(["export", "--config", str(config), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "--fy is required" in capsys.readouterr().err
    assert main(["export", "--config", str(config), "--fy", "2568"]) == 2
    assert "--out is required" in capsys.readouterr().err
    assert main(["export", "--loans", "--config", str(config), "--fy", "1999"]) == 2


def test_the_evidence_workbook_names_loan_events_in_thai(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "ita-2568.xlsx"
    assert main(["export", "--config", str(office), "--fy", "2568", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["บันทึกการดำเนินการ"]
    rows = [[str(cell.value) for cell in row] for row in sheet.iter_rows(min_row=6)]
    returned = next(row for row in rows if row[3] == "บันทึกการส่งคืนพัสดุ")
    assert returned[2] == "สมศรี พัสดุ" and returned[4].startswith("การยืมพัสดุ เลขที่ ")
    assert returned[5] == (
        "สภาพดี: P-2; ชำรุด: 7440-001-0001/2567; หมายเหตุ: จอภาพแตก; ได้รับคืนครบทุกรายการ: ใช่"
    )
    recorded = next(row for row in rows if row[3] == "บันทึกการยืมพัสดุ (ส่งมอบ)")
    assert "กำหนดส่งคืน: 13 มกราคม 2568" in recorded[5]


def test_the_loan_register_never_writes_a_formula(tmp_path: Path) -> None:
    """A borrower's name and an item typed by the officer are words, whatever they begin with."""
    config, settings, db = _empty_office(tmp_path)
    hostile = "=cmd|' /C calc'!A0"
    borrower = enrol(db, 11, hostile, "development", Role.STAFF, now=bkk(1, 2)).id
    officer = enrol(db, 12, "@officer", "admin", Role.PROCUREMENT, now=bkk(1, 2)).id
    _lend(db, OfficeCalendar.from_office(settings.office), (borrower, officer), *_JANUARY)
    db.dispose()
    xlsx, csv_out = tmp_path / "loans.xlsx", tmp_path / "loans.csv"
    base = ["export", "--loans", "--config", str(config), "--fy", "2568"]
    assert main([*base, "--out", str(xlsx)]) == 0
    assert main([*base, "--format", "csv", "--out", str(csv_out)]) == 0
    cells = [c for row in openpyxl.load_workbook(xlsx).active.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert {hostile, "@officer"} <= {c.value for c in cells}
    with csv_out.open(encoding="utf-8-sig", newline="") as handle:
        values = [value for row in csv.reader(handle) for value in row]
    assert {"'" + hostile, "'@officer"} <= set(values)
    assert hostile not in values


_JANUARY = (date(2025, 1, 6), date(2025, 1, 13))


def test_the_loan_register_reads_in_english_when_asked(office: Path, tmp_path: Path) -> None:
    settings = load_settings(office)
    db = Database.from_url(settings.database.url)
    out = tmp_path / "loans-2568-en.xlsx"
    try:
        register = export_loans(
            db, settings, 2568, "xlsx", out, as_of=bkk(9, 20, year=2025), language="en"
        )
    finally:
        db.dispose()
    assert (register.loans, register.items) == (3, 6)
    sheet = openpyxl.load_workbook(out)["Register of property loans"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][0] == "Phichit Provincial Education Office fiscal year 2568 B.E."
    assert rows[3][0] == (
        "2 loans, 4 items: 2 returned, 2 not yet returned (2 overdue), "
        "1 returned damaged or incomplete; 1 loans recorded in error and withdrawn"
    )
    header, *body = rows[4:]
    first, overdue = (dict(zip(header, row, strict=True)) for row in (body[0], body[2]))
    assert (first["Condition on return"], first["State"]) == ("damaged", "returned")
    assert first["Work group"] == "Education Development Group"
    assert first["Lent on"] == "6 January 2025"
    assert overdue["State"] == "overdue by 9 working days"
