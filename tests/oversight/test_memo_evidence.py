"""The memos as evidence (issue 15): the director's digest lists this month's memos with their
number, date, order and outcome; the ITA workbook has a sheet of every memo of the fiscal
year; ``export --memos`` writes every memo .docx of a year (and its ordered version) into one
zip for the assessor. And while the director is away, the acting officer receives the memo
and orders, signing as acting for the director."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.duties.memo_loop import Decision, Outcome, decide, judge, memo_archive, propose
from bot.features import CATALOG
from bot.oversight.digest_texts import digest_text
from bot.oversight.export import export_fiscal_year
from jobs.calendar import OfficeCalendar
from jobs.oversight.digest import digest_data
from jobs.settings import Settings, load_settings
from jobs.tick import Planner
from storage import memos, office, people, power
from storage.db import Database
from storage.models import MemoDocumentKind, MemoOrderKind, Role
from tests.duties.test_tick import (
    BANGKOK,
    COORDINATOR,
    DIRECTOR,
    SOMCHAI,
    bkk,
    build_office,
    join,
    only,
    outbox_rows,
)
from tests.oversight.test_export import records
from tests.support import with_changes
from tests.test_migrations import _write_config

LADDER = (bkk(1, 3, 8, 30), bkk(1, 10, 8, 30), bkk(1, 13, 8, 30), bkk(1, 14, 8, 30))
WORDS = "ให้จัดส่งภายในวันพรุ่งนี้"
DEPUTY = 41


def _person(db: Database, user_id: int) -> people.Person:
    with db.transaction() as session:
        found = people.by_telegram_user(session, user_id)
    assert found is not None
    return found


def ordered_year(db: Database, settings: Settings) -> tuple[Settings, Planner, int]:
    """Q1's memo (three people missing) proposed on the 14th, ordered "submit by the 15th"
    with the director's words, and missed: closed on the 16th."""
    plan = with_changes(
        only(settings, "quarterly-progress", each_member_of=["admin"]),
        memo={"prefix": "ศธ 0262/", "thai_digits": False},
    )
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    build_office(db)
    planner.materialise(db, bkk(1, 2))
    for moment in (*LADDER, bkk(1, 14, 13, 0)):
        planner.tick(db, moment)
    with db.transaction() as session:
        (view,) = memos.memos_of_year(session, 2568)
    memo_id = view.memo.id or 0
    coordinator, director = _person(db, COORDINATOR), _person(db, DIRECTOR)
    with db.transaction() as session:
        proposed = propose(session, coordinator, memo_id, plan, bkk(1, 14, 13, 30))
    assert proposed.outcome is Outcome.DONE
    order = Decision(MemoOrderKind.DEADLINE.value, WORDS)
    with db.transaction() as session:
        ordered = decide(session, director, memo_id, order, plan, bkk(1, 14, 15, 0))
    assert ordered.outcome is Outcome.DONE
    for moment in (bkk(1, 15, 8, 30), bkk(1, 16, 8, 30)):
        planner.tick(db, moment)
    return plan, planner, memo_id


def test_the_digest_lists_this_months_memos_with_order_and_outcome(
    db: Database, settings: Settings
) -> None:
    _plan, planner, _memo = ordered_year(db, settings)
    with db.transaction() as session:
        data = digest_data(session, planner.calendar, bkk(1, 17, 9))
        february = digest_data(session, planner.calendar, bkk(2, 3, 9))
    (item,) = data["memos"]
    assert (item["number"], item["dated"], item["outcome"]) == ("ศธ 0262/1", "2025-01-14", "missed")
    assert item["missing"] == ["สมชาย ใจดี", "มาลี ศรีสุข", "ประเสริฐ หัวหน้า"]
    assert february["memos"] == []  # this month's only
    text = digest_text(data, "th", BANGKOK)
    tail = text.split("\n")[-2:]
    assert tail[0] == "บันทึกข้อความเสนอผู้บังคับบัญชาในเดือนนี้ (1 ฉบับ):"
    assert tail[1].startswith("• ที่ ศธ 0262/1 ลงวันที่ 14 มกราคม 2568: รายงานผลการดำเนินงานโครงการ")
    assert tail[1].endswith(
        f"— ข้อสั่งการ: ให้จัดส่งภายใน 15 ม.ค. 2568 “{WORDS}” "
        "— ผล: ยังไม่ได้รับ: สมชาย ใจดี, มาลี ศรีสุข, ประเสริฐ หัวหน้า"
    )
    english = digest_text(data, "en", BANGKOK).split("\n")[-1]
    assert english.startswith("• No. ศธ 0262/1 of 14 January 2025: Quarterly project progress")
    assert "order: submit by 15 Jan 2025" in english and "outcome: still missing: " in english
    assert digest_text(february, "th", BANGKOK).endswith("(0 ฉบับ):\n  ไม่มี")


def test_the_workbook_lists_every_memo_of_the_year(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    plan, _planner, _memo = ordered_year(db, settings)
    out = tmp_path / "ita-2568.xlsx"
    summary = export_fiscal_year(db, plan, 2568, "xlsx", out, actions=CATALOG.audit)
    book = load_workbook(out)
    assert summary.memos == 1
    assert book.sheetnames[-2:] == ["บันทึกข้อความ", "บันทึกการดำเนินการ"]
    sheet = book["บันทึกข้อความ"]
    assert sheet["A1"].value == "บันทึกข้อความเสนอผู้บังคับบัญชา กรณีผู้รับผิดชอบไม่ส่งรายงานหลังการติดตาม"
    (row,) = records(sheet)
    assert row["ที่"] == "ศธ 0262/1" and row["ลงวันที่"] == "14 มกราคม 2568"
    assert str(row["รายงาน"]).startswith("รายงานผลการดำเนินงานโครงการ")
    assert row["รอบรายงาน"] == "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568"
    assert row["ผู้ที่ระบุในบันทึกข้อความ"] == "สมชาย ใจดี, มาลี ศรีสุข, ประเสริฐ หัวหน้า"
    assert row["วันที่เสนอผู้บังคับบัญชา"] == "14 มกราคม 2568 เวลา 13.30 น."
    assert row["ข้อสั่งการของผู้บังคับบัญชา"] == f"ให้จัดส่งภายใน 15 ม.ค. 2568 “{WORDS}”"
    assert row["วันที่สั่งการ"] == "14 มกราคม 2568 เวลา 15.00 น."
    assert str(row["ผลการดำเนินการ"]).startswith("ยังไม่ได้รับ: สมชาย ใจดี")
    log = records(book["บันทึกการดำเนินการ"])
    ordered = [r for r in log if r["รหัสการดำเนินการ"] == "memo.ordered"]
    assert [r["การดำเนินการ"] for r in ordered] == ["บันทึกข้อสั่งการของผู้บังคับบัญชาลงในบันทึกข้อความ"]
    assert ordered[0]["เรื่อง"] == "บันทึกข้อความเสนอผู้บังคับบัญชา เลขที่ 1"
    assert "ข้อสั่งการ: ให้จัดส่งภายในกำหนดใหม่" in str(ordered[0]["รายละเอียด"])


def test_a_year_without_memos_has_no_memo_sheet(db: Database, settings: Settings) -> None:
    out = io.BytesIO()
    summary = export_fiscal_year(db, settings, 2568, "xlsx", out, actions=CATALOG.audit)
    assert summary.memos == 0 and "บันทึกข้อความ" not in summary.sheets


def test_the_memos_of_a_year_go_into_one_zip(db: Database, settings: Settings) -> None:
    plan, planner, memo_id = ordered_year(db, settings)
    for moment in (bkk(4, 3, 8, 30), bkk(4, 10, 8, 30), bkk(4, 11, 8, 30), bkk(4, 17, 9)):
        planner.tick(db, moment)  # Q2's memo, not yet proposed
    out = io.BytesIO()
    archive = memo_archive(db, 2568, plan.office.zone, out)
    assert archive.memos == 2
    assert archive.files == (
        "memo-2568-001.docx",
        "memo-2568-001-ordered.docx",
        "memo-2568-002.docx",
    )
    with zipfile.ZipFile(out) as opened:
        assert opened.namelist() == list(archive.files)
        first = docx.Document(io.BytesIO(opened.read("memo-2568-001-ordered.docx")))
        second = docx.Document(io.BytesIO(opened.read("memo-2568-002.docx")))
    assert "ที่  ศธ 0262/1\tวันที่  14 มกราคม 2568" in [p.text for p in first.paragraphs]
    assert WORDS in first.tables[0].cell(0, 0).text
    assert any(p.text.startswith("ที่  ศธ 0262/2\t") for p in second.paragraphs)
    with db.transaction() as session:  # the export wrote nothing
        assert memos.document(session, memo_id + 1, MemoDocumentKind.MEMO) is None


def test_export_memos_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    config = _write_config(tmp_path, url)
    database = Database.from_url(url)
    from storage import groups, migrate
    from storage.groups import GroupSpec

    migrate.upgrade(database.engine)
    loaded = load_settings(config)
    with database.transaction() as session:
        groups.sync_groups(
            session,
            [GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in loaded.groups],
        )
    ordered_year(database, loaded)
    database.dispose()
    out = tmp_path / "memos.zip"
    assert (
        main(["export", "--memos", "--config", str(config), "--fy", "2568", "--out", str(out)]) == 0
    )
    assert f"fiscal year 2568: 1 memos, 2 .docx files written to {out}" in capsys.readouterr().out
    with zipfile.ZipFile(out) as opened:
        assert opened.namelist() == ["memo-2568-001.docx", "memo-2568-001-ordered.docx"]
    assert main(["export", "--memos", "--config", str(config)]) != 0  # --fy is required


def test_the_acting_officer_receives_the_memo_and_signs_as_acting(
    db: Database, settings: Settings
) -> None:
    plan = with_changes(
        only(settings, "quarterly-progress", each_member_of=["admin"]),
        memo={"review": "director", "thai_digits": False},
    )
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    build_office(db)
    deputy = join(db, DEPUTY, "สุดา รองผู้อำนวยการ", "policy", Role.STAFF)
    director = _person(db, DIRECTOR)
    with db.transaction() as session:
        office.add_leave(
            session,
            director.id,
            date(2025, 1, 13),
            date(2025, 1, 20),
            by_staff_id=director.id,
            now=bkk(1, 2),
            acting_staff_id=deputy.id,
            chosen_by_director=True,
        )
    planner.materialise(db, bkk(1, 2))
    for moment in (*LADDER, bkk(1, 14, 13, 0)):
        planner.tick(db, moment)
    copies = {(m.chat_id, m.params["role"]) for m in outbox_rows(db) if m.template == "memo"}
    assert copies == {(DEPUTY, "decide"), (COORDINATOR, "copy")}  # not the director, away
    with db.transaction() as session:
        (view,) = memos.memos_of_year(session, 2568)
    memo_id = view.memo.id or 0
    with db.transaction() as session:  # the director, though away, still may; staff never
        assert judge(session, director, memo_id, bkk(1, 14, 14), BANGKOK) is power.Answer.ALLOWED
        staff = _person(db, SOMCHAI)
        assert judge(session, staff, memo_id, bkk(1, 14, 14), BANGKOK) is not power.Answer.ALLOWED
        done = decide(
            session, deputy, memo_id, Decision(MemoOrderKind.DIRECTOR.value), plan, bkk(1, 14, 14)
        )
    assert done.outcome is Outcome.DONE
    with db.transaction() as session:
        record = memos.document(session, memo_id, MemoDocumentKind.ORDERED)
    assert record is not None
    box = docx.Document(io.BytesIO(record.file)).tables[0].cell(0, 0).text
    assert "(สุดา รองผู้อำนวยการ)\nรักษาราชการแทนศึกษาธิการจังหวัดพิจิตร\n14 มกราคม 2568" in box
