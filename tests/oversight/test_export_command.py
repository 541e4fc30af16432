"""``staff-report-bot export``: the command line writes the workbook and the CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from jobs.calendar import OfficeCalendar
from jobs.settings import load_settings
from jobs.tick import Planner
from storage import groups, migrate, projects
from storage.db import Database
from storage.groups import GroupSpec
from storage.models import Role
from storage.projects import ProjectRow
from tests.duties.test_tick import bkk
from tests.support import EXAMPLE_CONFIG, enrol
from tests.test_migrations import _write_config


def _office(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    config = _write_config(tmp_path, url)
    settings = load_settings(config)
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        groups.sync_groups(
            session,
            [GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in settings.groups],
        )
    somchai = enrol(database, 11, "สมชาย ใจดี", "admin", Role.STAFF, now=bkk(1, 2))
    with database.transaction() as session:  # the example owes project progress per project
        project = ProjectRow("P68-001", "โครงการพัฒนาคุณภาพการศึกษา", 0, None, somchai.id)
        projects.sync_projects(session, 2568, [project], now=bkk(1, 2))
    planner = Planner(settings, OfficeCalendar.from_office(settings.office))
    planner.materialise(database, bkk(1, 2))
    planner.tick(database, bkk(1, 13, 9))
    database.dispose()
    return config


def test_export_writes_a_thai_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _office(tmp_path)
    out = tmp_path / "ita-2568.xlsx"
    assert main(["export", "--config", str(config), "--fy", "2568", "--out", str(out)]) == 0
    assert "rows written to" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames[0] == "สรุป" and "quarterly-progress" in workbook.sheetnames
    sheet = workbook["quarterly-progress"]
    texts = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value]
    assert "สมชาย ใจดี" in texts and "10 มกราคม 2568 เวลา 16.30 น." in texts


def test_export_csv_writes_the_audit_log_beside_it(tmp_path: Path) -> None:
    config = _office(tmp_path)
    out = tmp_path / "ita-2568.csv"
    assert (
        main(
            [
                "export",
                "--config",
                str(config),
                "--fy",
                "2568",
                "--format",
                "csv",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads Thai only with a BOM
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "รหัสรายงาน" and any("สมชาย ใจดี" in row for row in rows)
    assert (tmp_path / "ita-2568-audit.csv").exists()


def test_export_without_a_database_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "x.xlsx"
    assert main(["export", "--config", str(EXAMPLE_CONFIG), "--fy", "2568", "--out", str(out)]) == 3
    assert "no database to export" in capsys.readouterr().err
    assert not out.exists()
