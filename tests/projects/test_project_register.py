"""The project register (issue #16, first slice): the action-plan sheet imported into the
register, idempotently, on SQLite and PostgreSQL; the CLI's report; /projects in chat."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.common.i18n import translator
from bot.common.kit import refusal
from bot.common.roles import OVERSEEING
from jobs.calendar import fiscal_year_of
from jobs.projects.settings import ProjectColumns
from jobs.projects.sheet import GroupRef, PersonRef, Problem, SheetRead, parse_budget, read_sheet
from storage import groups, projects
from storage.db import Database
from storage.models import Role
from tests.harness import Harness
from tests.support import NOW, ROOT, enrol

SAMPLE = ROOT / "docs" / "sample-action-plan.xlsx"
VIPA, SOMCHAI = "นางวิภา ประสานงาน", "นายสมชาย ใจดี"
UNMATCHED = "นางสาวมาลี ไม่มีชื่อ"


def _staff(db: Database) -> tuple[int, int]:
    vipa = enrol(db, 501, VIPA, "policy", Role.COORDINATOR)
    somchai = enrol(db, 502, SOMCHAI, "personnel", Role.STAFF)
    return vipa.staff.id or 0, somchai.staff.id or 0


def _read(db: Database, path: Path, columns: ProjectColumns | None = None) -> SheetRead:
    with db.transaction() as session:
        refs = [GroupRef(g.id or 0, g.key, g.name_th) for g in groups.active_groups(session)]
        people = [PersonRef(i, n) for i, n in projects.registered_names(session)]
    return read_sheet(path, columns or ProjectColumns(), refs, people)


def _edited(tmp_path: Path, name: str, *, heading: tuple[str, str] | None = None) -> Path:
    """The sample, changed: a heading renamed, or P69-002's budget changed and P69-004 dropped."""
    workbook = load_workbook(SAMPLE)
    sheet = workbook.active
    assert sheet is not None
    if heading is not None:
        for cell in sheet[2]:
            if cell.value == heading[0]:
                cell.value = heading[1]
    else:
        sheet["D4"] = "90,000"
        sheet.delete_rows(6)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_budgets_read_as_satang() -> None:
    assert parse_budget("1,250,000.50") == 125_000_050
    assert parse_budget(85500.5) == 8_550_050
    assert parse_budget("-") == 0
    assert parse_budget("หนึ่งแสน") is None
    assert parse_budget(-5) is None


def test_a_person_written_as_odd_digits_is_unmatched_not_a_crash(
    db: Database, tmp_path: Path
) -> None:
    _staff(db)
    workbook = load_workbook(SAMPLE)
    sheet = workbook.active
    assert sheet is not None
    sheet["F5"] = "#²"  # "²".isdigit() is true, int("²") fails
    path = tmp_path / "odd.xlsx"
    workbook.save(path)
    read = _read(db, path)
    assert [(p.row, p.written) for p in read.of(Problem.UNMATCHED_PERSON)] == [(5, "#²")]


def test_the_sample_imports_and_its_unmatched_name_is_listed_not_guessed(db: Database) -> None:
    vipa, somchai = _staff(db)
    sheet = _read(db, SAMPLE)
    assert [(p.row, p.written) for p in sheet.of(Problem.UNMATCHED_PERSON)] == [(5, UNMATCHED)]
    assert len(sheet.problems) == 1
    with db.transaction() as session:
        report = projects.sync_projects(session, 2569, sheet.rows, now=NOW)
        rows = {p.code: p for p in projects.projects_of_year(session, 2569)}
        policy = groups.group_by_key(session, "policy")
        assert policy is not None
        assert len(report.added) == 4
        assert rows["P69-001"].staff_id == vipa
        assert rows["P69-001"].group_id == policy.id  # by its Thai name
        assert rows["P69-002"].group_id == policy.id  # by its key
        assert rows["P69-001"].budget_satang == 12_000_000
        assert rows["P69-003"].staff_id is None  # unmatched: no one guessed
        assert rows["P69-004"].staff_id == somchai  # the name's double space aside
        assert [p.code for p in projects.projects_of_staff(session, somchai, 2569)] == [
            "P69-002",
            "P69-004",
        ]


def test_a_renamed_column_is_read_once_mapped_in_the_config(db: Database, tmp_path: Path) -> None:
    _staff(db)
    renamed = _edited(tmp_path, "renamed.xlsx", heading=("งบประมาณ", "งบประมาณ (บาท)"))
    with pytest.raises(Exception, match="no header row"):
        _read(db, renamed)
    sheet = _read(db, renamed, ProjectColumns(budget="งบประมาณ (บาท)"))
    assert [row.budget_satang for row in sheet.rows][:2] == [12_000_000, 8_550_050]


def test_a_reimport_updates_one_and_closes_the_dropped_one(db: Database, tmp_path: Path) -> None:
    _staff(db)
    with db.transaction() as session:
        projects.sync_projects(session, 2569, _read(db, SAMPLE).rows, now=NOW)
    again = _read(db, _edited(tmp_path, "changed.xlsx"))
    later = NOW + timedelta(days=30)
    with db.transaction() as session:
        report = projects.sync_projects(session, 2569, again.rows, now=later)
        assert (report.added, report.updated, report.closed) == ((), ("P69-002",), ("P69-004",))
        every = {p.code: p for p in projects.projects_of_year(session, 2569, include_closed=True)}
        assert len(every) == 4  # nothing duplicated, nothing deleted
        assert every["P69-002"].budget_satang == 9_000_000
        assert not every["P69-004"].active and every["P69-004"].closed_at == later
        assert [p.code for p in projects.projects_of_year(session, 2569)] == [
            "P69-001",
            "P69-002",
            "P69-003",
        ]
        same = projects.sync_projects(session, 2569, again.rows, now=later)
        assert (same.added, same.updated, same.closed, same.unchanged) == ((), (), (), 3)


def _config(tmp_path: Path, database_url: str) -> Path:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    config = text.replace(
        'url = "sqlite:///staff-report-bot.sqlite3"', f'url = "{database_url}"', 1
    )
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    return path


def test_the_import_command_reports_and_lists_the_unmatched(
    db: Database, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _staff(db)
    config = str(_config(tmp_path, database_url))
    command = ["projects", "import", str(SAMPLE), "--fy", "2569", "--config", config]
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "fiscal year 2569: 4 added, 0 updated, 0 closed, 0 unchanged" in out
    assert f"row 5: responsible '{UNMATCHED}' matches no registered name" in out
    changed = _edited(tmp_path, "changed.xlsx")
    assert main(["projects", "import", str(changed), "--fy", "2569", "--config", config]) == 0
    assert "0 added, 1 updated, 1 closed, 2 unchanged" in capsys.readouterr().out
    missing = str(tmp_path / "none.xlsx")
    assert main(["projects", "import", missing, "--fy", "2569", "--config", config]) == 4
    not_a_sheet = tmp_path / "plan.xlsx"
    not_a_sheet.write_text("hello", encoding="utf-8")
    assert main(["projects", "import", str(not_a_sheet), "--fy", "2569", "--config", config]) == 4
    error = capsys.readouterr().err
    assert "not an Excel workbook" in error and "Traceback" not in error


async def test_projects_lists_by_group_for_the_coordinator_and_refuses_staff(bot: Harness) -> None:
    vipa, _somchai = _staff(bot.db)
    enrol(bot.db, 503, "นายใหญ่ ผู้อำนวยการ", None, Role.DIRECTOR)
    with bot.db.transaction() as session:
        projects.sync_projects(session, 2569, _read(bot.db, SAMPLE).rows, now=NOW)
    (listing,) = await bot.say(501, "/projects 2569")
    assert listing.startswith("โครงการ ปีงบประมาณ 2569")
    policy, development = listing.index("กลุ่มนโยบายและแผน"), listing.index("กลุ่มพัฒนาการศึกษา")
    assert policy < listing.index("P69-001") < listing.index("P69-002") < development
    assert f"• P69-001 โครงการพัฒนาระบบติดตามการรายงานผล: 120,000.00 บาท ผู้รับผิดชอบ {VIPA}" in listing
    assert f"85,500.50 บาท ผู้รับผิดชอบ {SOMCHAI}" in listing
    assert "250,000.00 บาท ผู้รับผิดชอบ ยังไม่ระบุ" in listing
    (seen,) = await bot.say(503, "/projects 2569")
    assert seen == listing
    (typed_in_thai,) = await bot.say(501, "/projects ๒๕๖๙")  # Thai digits read as the year
    assert typed_in_thai == listing
    (none,) = await bot.say(501, "/projects 2570")
    assert none == "ยังไม่มีโครงการในทะเบียนของปีงบประมาณ 2570"
    for typed in ("/projects 2026", "/projects ²⁵⁶⁹", "/projects 2569.5"):  # asked again
        (asked,) = await bot.say(501, typed)
        assert asked.startswith("โปรดระบุปีงบประมาณเป็นปีพุทธศักราช เช่น /projects 2569")
    (refused,) = await bot.say(502, "/projects")
    assert refused == refusal(tuple(OVERSEEING), translator("th"))
    assert vipa


async def test_mine_shows_the_persons_own_projects(bot: Harness) -> None:
    _staff(bot.db)
    year = fiscal_year_of(bot.clock().astimezone(bot.settings.office.zone).date())
    with bot.db.transaction() as session:  # the register of the year /mine looks at
        projects.sync_projects(session, year, _read(bot.db, SAMPLE).rows, now=NOW)
    (mine,) = await bot.say(502, "/mine")
    assert f"โครงการที่ท่านรับผิดชอบ ปีงบประมาณ {year}:" in mine
    assert "• P69-002 โครงการประชุมเชิงปฏิบัติการจัดทำแผนปฏิบัติราชการ" in mine
    assert "P69-001" not in mine and "P69-003" not in mine
