"""The fiscal-year export, read back: XLSX with openpyxl, CSV with the csv module.

A small office lives through quarter 1 of fiscal year 2568 on a real database (SQLite and
PostgreSQL) with an injected ``now``: one person confirms on time and attaches the evidence,
one is confirmed late on paper by the coordinator after a follow-up, one is escalated and then
excused by the director, one is escalated and stays silent.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from bot.oversight.export import export_fiscal_year, sheet_titles
from jobs.calendar import OfficeCalendar
from jobs.settings import Settings
from jobs.tick import Planner
from storage import people, reports, schedule
from storage.db import Database
from storage.models import AssignmentStatus, Role
from tests.duties.test_tick import q1_assignment
from tests.support import audit_names, enrol

BANGKOK = ZoneInfo("Asia/Bangkok")
SOMCHAI, MALEE, HEAD, DUANGJAI, COORDINATOR, DIRECTOR = 11, 12, 13, 14, 21, 31
EVIDENCE = "สงป301-ไตรมาส1.pdf"
REASON = "ลาป่วยตามใบรับรองแพทย์"
Q1 = "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568"
DUE_Q1 = "10 มกราคม 2568 เวลา 16.30 น."
REPORT_HEADERS = [
    "ลำดับ",
    "รอบรายงาน",
    "ผู้รับผิดชอบ",
    "กลุ่มงาน",
    "กำหนดส่ง",
    "กำหนดที่สำนักงานส่งต่อ",
    "วันที่ยืนยันการส่ง",
    "ผู้ยืนยันการส่ง",
    "ผลการส่ง",
    "ช่องทาง",
    "ไฟล์หลักฐาน",
    "จำนวนครั้งที่ติดตาม",
    "วันที่รายงานผู้บังคับบัญชา",
    "เหตุผลการยกเว้น",
]
# the year's memos to the director have their sheet, before the action log
SHEETS = ["สรุป", "quarterly-progress", "eservice-update", "บันทึกข้อความ", "บันทึกการดำเนินการ"]
HEADER_ROW = 5


def bkk(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=BANGKOK)


AS_OF = bkk(1, 17, 12)


def plan(settings: Settings) -> Settings:
    """The quarterly report owed by each member of the admin group, and the E-Service report
    owed by the development group as a whole (a group duty)."""
    chosen = []
    for obligation in settings.obligations:
        if obligation.key == "quarterly-progress":
            owners = obligation.owners.model_copy(
                update={"each_member_of": ["admin"], "per_project": False}
            )
            chosen.append(obligation.model_copy(update={"owners": owners}))
        elif obligation.key == "eservice-update":
            chosen.append(obligation)
    copy = settings.model_copy(update={"obligations": chosen})
    copy._source = settings.source
    return copy


def person(db: Database, user_id: int) -> people.Person:
    with db.transaction() as session:
        found = people.by_telegram_user(session, user_id)
    assert found is not None
    return found


def q1_assignment_id(db: Database, user_id: int) -> int:
    return q1_assignment(db, user_id).id or 0


@pytest.fixture
def year(db: Database, settings: Settings) -> Database:
    """Quarter 1 of fiscal year 2568, lived through from 2 to 17 January 2025."""
    for user_id, name, group, role in (
        (SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF),
        (MALEE, "มาลี ศรีสุข", "admin", Role.STAFF),
        (HEAD, "ประเสริฐ หัวหน้า", "admin", Role.GROUP_HEAD),
        (DUANGJAI, "ดวงใจ มานะ", "admin", Role.STAFF),
        (COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR),
        (DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR),
    ):
        enrol(db, user_id, name, group, role, bkk(1, 2))
    planner = Planner(plan(settings), OfficeCalendar.from_office(settings.office))
    planner.materialise(db, bkk(1, 2))
    for moment in (bkk(1, 3, 8, 30), bkk(1, 9, 8, 30)):
        planner.tick(db, moment)
    _confirm_on_time_with_evidence(db)
    for moment in (bkk(1, 10, 8, 30), bkk(1, 13, 8, 30)):
        planner.tick(db, moment)
    _confirm_late_on_paper(db)
    # follow-up 2 on the 14th, the escalation that day at 13.00 (a working day before the
    # 15th, สป.'s); the E-Service report's, before the staff meeting of the 14th
    for moment in (bkk(1, 14, 8, 30), bkk(1, 14, 13, 0), bkk(1, 17, 8, 30)):
        planner.tick(db, moment)
    with db.transaction() as session:
        excused = schedule.excuse(
            session,
            q1_assignment_id(db, HEAD),
            person=person(db, DIRECTOR),
            reason=REASON,
            now=bkk(1, 17, 10),
        )
    assert excused
    return db


def _confirm_on_time_with_evidence(db: Database) -> None:
    somchai, aid = person(db, SOMCHAI), q1_assignment_id(db, SOMCHAI)
    with db.transaction() as session:
        outcome, _ = schedule.confirm(session, aid, person=somchai, now=bkk(1, 9, 10), via="button")
        assert outcome is schedule.ConfirmOutcome.ON_TIME
        assert schedule.attach_evidence(
            session,
            aid,
            person=somchai,
            file_id="file-1",
            file_name=EVIDENCE,
            path=None,
            now=bkk(1, 9, 10, 5),
        )


def _confirm_late_on_paper(db: Database) -> None:
    with db.transaction() as session:
        outcome, _ = schedule.confirm(
            session,
            q1_assignment_id(db, MALEE),
            person=person(db, COORDINATOR),
            now=bkk(1, 13, 11),
            via="paper",
            received_at=bkk(1, 13, 10),
            on_behalf=True,
        )
    assert outcome is schedule.ConfirmOutcome.LATE


def records(sheet: Any) -> list[dict[str, Any]]:
    """The table under the header row, as one dict per row keyed by the Thai headers."""
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    return [
        dict(zip(headers, values, strict=True))
        for values in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
    ]


def all_texts(book: Any) -> list[str]:
    return [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def test_the_workbook_has_a_sheet_per_obligation_with_thai_headers(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.xlsx"
    summary = export_fiscal_year(
        year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF
    )
    book = load_workbook(out)
    assert book.sheetnames == SHEETS == list(summary.sheets)
    assert summary.files == (out,)
    assert summary.rows == {"quarterly-progress": 16, "eservice-update": 12}
    sheet = book["quarterly-progress"]
    assert [cell.value for cell in sheet[HEADER_ROW]] == REPORT_HEADERS
    assert all(cell.font.bold for cell in sheet[HEADER_ROW])
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert sheet["A1"].value.startswith("รายงานผลการดำเนินงานโครงการ")
    assert sheet.max_row - HEADER_ROW == 16  # 4 quarters × 4 members of the admin group
    assert sheet.column_dimensions["B"].width > 20


def test_each_quarter_1_row_tells_what_happened_in_thai_and_buddhist_era(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.xlsx"
    export_fiscal_year(year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF)
    rows = records(load_workbook(out)["quarterly-progress"])
    q1 = {row["ผู้รับผิดชอบ"]: row for row in rows[:4]}
    assert [row["ผู้รับผิดชอบ"] for row in rows[:4]] == [
        "ดวงใจ มานะ",
        "ประเสริฐ หัวหน้า",
        "มาลี ศรีสุข",
        "สมชาย ใจดี",
    ]
    assert [row["ลำดับ"] for row in rows] == list(range(1, 17))
    assert {row["รอบรายงาน"] for row in rows[:4]} == {Q1}
    assert {row["กำหนดส่ง"] for row in rows[:4]} == {DUE_Q1}
    assert {row["กลุ่มงาน"] for row in rows[:4]} == {"กลุ่มอำนวยการ"}
    assert {row["กำหนดที่สำนักงานส่งต่อ"] for row in rows[:4]} == {"15 มกราคม 2568 เวลา 16.30 น."}
    somchai = q1["สมชาย ใจดี"]
    assert somchai["ผลการส่ง"] == "ส่งตามกำหนด"
    assert somchai["วันที่ยืนยันการส่ง"] == "9 มกราคม 2568 เวลา 10.00 น."
    assert somchai["ไฟล์หลักฐาน"] == EVIDENCE
    assert somchai["ช่องทาง"] == "กดปุ่ม “ส่งรายงานแล้ว” ในแชต"
    assert somchai["จำนวนครั้งที่ติดตาม"] == 0
    malee = q1["มาลี ศรีสุข"]
    assert (malee["ผลการส่ง"], malee["วันที่ยืนยันการส่ง"]) == (
        "ส่งล่าช้า",
        "13 มกราคม 2568 เวลา 10.00 น.",
    )
    assert (malee["ผู้ยืนยันการส่ง"], malee["จำนวนครั้งที่ติดตาม"]) == ("วิภา ประสานงาน", 1)
    assert malee["ช่องทาง"] == "ส่งรายงานฉบับเอกสาร (ผู้ประสานงานบันทึกแทน)"
    head = q1["ประเสริฐ หัวหน้า"]
    assert (head["ผลการส่ง"], head["เหตุผลการยกเว้น"]) == ("ได้รับการยกเว้น", REASON)
    assert head["วันที่รายงานผู้บังคับบัญชา"] == "14 มกราคม 2568 เวลา 13.00 น."
    duangjai = q1["ดวงใจ มานะ"]
    assert (duangjai["ผลการส่ง"], duangjai["จำนวนครั้งที่ติดตาม"]) == (
        "รายงานผู้บังคับบัญชาแล้ว",
        2,
    )
    assert (duangjai["วันที่ยืนยันการส่ง"], duangjai["ไฟล์หลักฐาน"]) == ("-", "-")
    assert {row["ผลการส่ง"] for row in rows[4:]} == {"ยังไม่ถึงกำหนด"}


def test_dates_are_text_and_never_christian_era(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.xlsx"
    export_fiscal_year(year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF)
    book = load_workbook(out)
    sheet = book["quarterly-progress"]
    assert sheet.cell(row=HEADER_ROW + 1, column=5).data_type == "s"
    texts = all_texts(book)
    assert not [text for text in texts if "2024" in text or "2025" in text]
    assert any("2568" in text for text in texts)


def test_a_period_past_before_the_bot_started_and_a_group_duty(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.xlsx"
    export_fiscal_year(year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF)
    rows = records(load_workbook(out)["eservice-update"])
    assert len(rows) == 12  # a staff meeting every month of the fiscal year
    assert [row["ผลการส่ง"] for row in rows[:3]] == ["ไม่มีผู้รับผิดชอบในระบบ"] * 3
    assert rows[0]["รอบรายงาน"] == "สำหรับการประชุมเจ้าหน้าที่ประจำเดือนตุลาคม 2567"
    assert {row["ผู้รับผิดชอบ"] for row in rows[3:]} == {"กลุ่มพัฒนาการศึกษา"}
    # January's, due on 13 January, escalated before the meeting of the 14th
    assert rows[3]["ผลการส่ง"] == "รายงานผู้บังคับบัญชาแล้ว"
    assert rows[3]["กำหนดส่ง"] == "13 มกราคม 2568 เวลา 16.30 น."


def test_the_summary_counts_each_obligation(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.xlsx"
    export_fiscal_year(year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF)
    sheet = load_workbook(out)["สรุป"]
    assert sheet["A1"].value == "สรุปผลการติดตามการส่งรายงาน"
    assert sheet["A2"].value == "สำนักงานศึกษาธิการจังหวัดพิจิตร"
    assert sheet["A3"].value == "ปีงบประมาณ พ.ศ. 2568"
    assert sheet["A4"].value == "ข้อมูล ณ วันที่ 17 มกราคม 2568 เวลา 12.00 น."
    counts = {
        row["แผ่นงาน"]: [
            row[name]
            for name in (
                "จำนวนรอบรายงาน",
                "จำนวนรายการที่ต้องส่ง",
                "ส่งตามกำหนด",
                "ส่งล่าช้า",
                "ยังไม่ส่ง",
                "ยังไม่ถึงกำหนด",
                "ได้รับการยกเว้น",
                "รายงานผู้บังคับบัญชา",
                "ร้อยละการส่งตามกำหนด",
            )
        ]
        for row in records(sheet)
        if row["แผ่นงาน"]
    }
    assert counts == {
        "quarterly-progress": [4, 16, 1, 1, 1, 12, 1, 2, 33.3],
        "eservice-update": [12, 9, 0, 0, 1, 8, 0, 1, 0.0],
        "รวม": [16, 25, 1, 1, 2, 20, 1, 3, 25.0],
    }


def test_the_audit_sheet_names_who_excused_and_why(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.xlsx"
    summary = export_fiscal_year(
        year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF
    )
    rows = records(load_workbook(out)["บันทึกการดำเนินการ"])
    assert summary.audit_events == len(rows) > 0
    (excuse,) = [row for row in rows if row["รหัสการดำเนินการ"] == "assignment.excused"]
    assert excuse["วันที่และเวลา"] == "17 มกราคม 2568 เวลา 10.00 น."
    assert (excuse["ผู้ดำเนินการ"], excuse["การดำเนินการ"]) == ("วิชัย รักดี", "ยกเว้นการส่งรายงาน")
    assert excuse["รายละเอียด"] == f"เหตุผล: {REASON}"
    assert excuse["เรื่อง"] == f"quarterly-progress · {Q1} · ประเสริฐ หัวหน้า"
    escalations = [row for row in rows if row["รหัสการดำเนินการ"] == "assignment.escalated"]
    assert len(escalations) == 3  # two quarterly reports, and January's E-Service report
    assert {row["ผู้ดำเนินการ"] for row in escalations} == {"ระบบติดตามอัตโนมัติ"}
    (paper,) = [row for row in rows if "ส่งรายงานฉบับเอกสาร" in str(row["รายละเอียด"])]
    assert "วันที่ส่ง: 13 มกราคม 2568 เวลา 10.00 น." in paper["รายละเอียด"]


def test_csv_is_one_utf8_file_with_a_bom_and_the_audit_log_beside_it(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.csv"
    summary = export_fiscal_year(year, settings, 2568, "csv", out, actions=audit_names())
    audit = tmp_path / "ita-2568-audit.csv"
    assert summary.files == (out, audit)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert audit.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["รหัสรายงาน", "ชื่อรายงาน", "มาตรการ", *REPORT_HEADERS, "โครงการ"]
    assert len(rows) == summary.total_rows == 28
    assert [row[0] for row in rows] == ["quarterly-progress"] * 16 + ["eservice-update"] * 12
    somchai = rows[3]
    assert somchai[3:6] == ["4", Q1, "สมชาย ใจดี"]
    assert somchai[2] == "มาตรการที่ 1.1"
    assert (somchai[11], somchai[13]) == ("ส่งตามกำหนด", EVIDENCE)
    assert rows[4][11] == "ยังไม่ส่ง"  # no as_of: a quarter not yet due is simply not sent
    with audit.open(encoding="utf-8-sig", newline="") as handle:
        audit_rows = list(csv.reader(handle))
    assert len(audit_rows) - 1 == summary.audit_events
    assert any(row[-1] == "assignment.excused" and REASON in row[5] for row in audit_rows)


def test_csv_to_a_stream_writes_only_the_main_file(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    stream = io.BytesIO()
    summary = export_fiscal_year(year, settings, 2568, "csv", stream, actions=audit_names())
    assert not stream.closed
    assert (summary.files, summary.audit_events) == ((), None)
    text = stream.getvalue().decode("utf-8")
    assert text.startswith("\ufeffรหัสรายงาน,")
    assert len(list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))) == 29
    assert list(tmp_path.glob("*.csv")) == []


def test_xlsx_to_a_stream(year: Database, settings: Settings) -> None:
    stream = io.BytesIO()
    summary = export_fiscal_year(year, settings, 2568, "xlsx", stream, actions=audit_names())
    assert summary.files == ()
    stream.seek(0)
    assert load_workbook(stream).sheetnames == SHEETS


def test_an_export_takes_seven_queries_whatever_the_size(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(year.engine, "before_cursor_execute", count)
    try:
        export_fiscal_year(year, settings, 2568, "xlsx", tmp_path / "a.xlsx", actions=audit_names())
    finally:
        event.remove(year.engine, "before_cursor_execute", count)
    # the reports, the audit log (three), the memos with their people (one), and the
    # published links (two: the items with their people, the reports they are evidence of)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 7


def test_an_empty_year_still_has_its_summary_and_audit_sheets(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "empty.xlsx"
    summary = export_fiscal_year(db, settings, 2575, "xlsx", out, actions=audit_names())
    assert (summary.rows, summary.audit_events) == ({}, 0)
    book = load_workbook(out)
    assert book.sheetnames == ["สรุป", "บันทึกการดำเนินการ"]
    (total,) = records(book["สรุป"])[:1]
    assert (total["แผ่นงาน"], total["จำนวนรายการที่ต้องส่ง"]) == ("รวม", 0)


def test_sheet_titles_are_short_unique_and_legal() -> None:
    long = "a" * 40
    titles = sheet_titles([long, f"{long}-b", "x/y", "history"])
    assert titles[long] == "a" * 31
    assert titles[f"{long}-b"] == "a" * 29 + "~2"
    assert titles["x/y"] == "x-y"
    assert titles["history"] == "history~2"
    assert all(len(title) <= 31 for title in titles.values())


def test_statuses_stay_what_the_database_says(year: Database) -> None:
    with year.transaction() as session:
        rows = reports.fiscal_year_rows(session, 2568)
    q1 = {r.owner_name_th: r for r in rows if r.period_key == "2568-Q1"}
    assert q1["ดวงใจ มานะ"].status == AssignmentStatus.ESCALATED.value
    assert q1["ประเสริฐ หัวหน้า"].escalated_at is not None
    assert q1["มาลี ศรีสุข"].via == "paper"


HOSTILE_NAMES = {
    SOMCHAI: '=HYPERLINK("http://evil.example/","คลิก")',
    MALEE: "+66-81-234-5678",
    DUANGJAI: "-2+3",
    HEAD: "@SUM(1,2)",
}


@pytest.fixture
def hostile_year(db: Database, settings: Settings) -> Database:
    """Staff whose names look like formulas, and an excuse reason that is one."""
    for user_id, name in HOSTILE_NAMES.items():
        enrol(db, user_id, name, "admin", Role.STAFF, bkk(1, 2))
    enrol(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR, bkk(1, 2))
    Planner(plan(settings), OfficeCalendar.from_office(settings.office)).materialise(db, bkk(1, 2))
    with db.transaction() as session:
        assert schedule.excuse(
            session,
            q1_assignment_id(db, MALEE),
            person=person(db, DIRECTOR),
            reason="=1+1",
            now=bkk(1, 17, 10),
        )
    return db


def test_a_name_that_looks_like_a_formula_is_written_as_text_in_xlsx(
    hostile_year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.xlsx"
    export_fiscal_year(
        hostile_year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF
    )
    book = load_workbook(out)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells}
    assert set(HOSTILE_NAMES.values()) <= texts  # written exactly as the person typed them
    assert "=1+1" in texts


def test_a_name_that_looks_like_a_formula_is_quoted_in_csv(
    hostile_year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568.csv"
    export_fiscal_year(hostile_year, settings, 2568, "csv", out, actions=audit_names(), as_of=AS_OF)
    cells = [
        value
        for path in (out, tmp_path / "ita-2568-audit.csv")
        for row in csv.reader(path.open(encoding="utf-8-sig", newline=""))
        for value in row
    ]
    assert [v for v in cells if len(v) > 1 and v[0] in "=+-@\t\r"] == []
    assert {"'" + name for name in HOSTILE_NAMES.values()} <= set(cells)
    assert "'=1+1" in cells


def test_every_audit_action_the_code_writes_has_its_thai_name_in_the_workbook() -> None:
    """The assessor reads the audit sheet in Thai: no action shows as its code."""
    import re

    from tests.support import ROOT

    written = {
        found
        for package in ("bot", "jobs", "storage")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        for found in re.findall(
            r'"((?:assignment|staff|invite|obligation|calendar|loan|maintenance|power)\.[a-z_]+)"',
            path.read_text(encoding="utf-8"),
        )
        if not found.endswith(".id")
    }
    assert len(written) > 30  # the scan sees the code
    assert sorted(written - set(audit_names())) == []


PEOPLE = ("สมชาย ใจดี", "มาลี ศรีสุข", "ประเสริฐ หัวหน้า", "ดวงใจ มานะ", "วิภา ประสานงาน", "วิชัย รักดี")


def test_roles_have_one_name_in_the_workbook_as_in_chat(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    """The group head is ผู้อำนวยการกลุ่ม and the coordinator ผู้ประสานงานติดตามการรายงาน, as
    /whoami says (``bot.common.roles``), not a name of the export's own."""
    out = tmp_path / "ita-2568.xlsx"
    export_fiscal_year(year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF)
    rows = records(load_workbook(out)["บันทึกการดำเนินการ"])
    registered = {
        row["ผู้ดำเนินการ"]: row["รายละเอียด"]
        for row in rows
        if row["รหัสการดำเนินการ"] == "staff.registered"
    }
    assert registered["ประเสริฐ หัวหน้า"].endswith("บทบาท: ผู้อำนวยการกลุ่ม")
    assert registered["วิภา ประสานงาน"].endswith("บทบาท: ผู้ประสานงานติดตามการรายงาน")


def test_the_workbook_reads_in_english_when_asked(
    year: Database, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "ita-2568-en.xlsx"
    summary = export_fiscal_year(
        year, settings, 2568, "xlsx", out, actions=audit_names(), as_of=AS_OF, language="en"
    )
    book = load_workbook(out)
    assert book.sheetnames == [
        "Summary",
        "quarterly-progress",
        "eservice-update",
        "Memos",
        "Action log",
    ]
    assert list(summary.sheets) == book.sheetnames
    assert book["Summary"]["A4"].value == "Data as of 17 January 2025, 12:00"
    rows = records(book["quarterly-progress"])
    somchai = next(row for row in rows if row["Owed by"] == "สมชาย ใจดี")
    assert (somchai["Result"], somchai["Work group"]) == ("sent on time", "Administration Group")
    assert somchai["Due date"] == "10 January 2025, 16:30"
    audit = records(book["Action log"])
    (excuse,) = [row for row in audit if row["Action code"] == "assignment.excused"]
    assert (excuse["Action"], excuse["Details"]) == (
        "exemption from sending a report",
        f"reason: {REASON}",
    )
    # every word the document writes itself is English; the Thai left is what people typed
    own = [t for t in all_texts(book) if not any(d in t for d in (*PEOPLE, REASON, EVIDENCE))]
    assert [text for text in own if re.search("[\u0e00-\u0e7f]", text)] == []
