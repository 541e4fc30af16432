"""Per-project obligations (issue #16): one assignment per open project of the fiscal year,
owed by its responsible person, the project named in every reminder, escalation and memo
line; the disbursement forms by the head of the Administration group; a project closed by
re-import withdrawn from the periods nobody has heard of yet; Q2 the six-month report.
On SQLite and PostgreSQL (the ``db`` fixture), with ``now`` injected."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlmodel import col, delete, select

from bot.cli import main
from bot.common.i18n import thai_digits
from bot.common.render import period_label
from bot.duties.preview import preview
from bot.features import render
from bot.oversight.export import export_fiscal_year
from bot.runtime.sender import TelegramSender
from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher
from jobs.oversight.digest import digest_data
from jobs.settings import ConfigError, Settings, load_settings, parse_settings
from jobs.tick import Planner
from storage import groups, people, projects, schedule
from storage.db import Database
from storage.models import Assignment, AuditEvent, OutboxMessage, Period, Project, Role
from storage.projects import ProjectRow
from tests.duties.test_tick import (
    BANGKOK,
    COORDINATOR,
    DIRECTOR,
    HEAD,
    MALEE,
    SOMCHAI,
    bkk,
    join,
    only,
)
from tests.harness import Clock, Harness, running_bot
from tests.oversight.test_export import records
from tests.support import EXAMPLE_CONFIG, audit_names

FY = 2568  # the dates of tests/duties: Q1 2568 due Fri 10 Jan 2025
ROAD = ("P68-001", "โครงการพัฒนาคุณภาพการศึกษา")
READ = ("P68-002", "โครงการส่งเสริมการอ่าน")
SPORT = ("P68-003", "โครงการกีฬาสัมพันธ์")
# Q1: reminders 3 and 9 Jan, last call 10 Jan, follow-ups 13 and 14 Jan, the memo 14 Jan 13.00
LADDER = (bkk(1, 3, 8, 30), bkk(1, 9, 8, 30), bkk(1, 10, 8, 30), bkk(1, 13, 8, 30))
ESCALATION = (bkk(1, 14, 8, 30), bkk(1, 14, 13, 0))


def staff_id(db: Database, user_id: int) -> int:
    with db.transaction() as session:
        person = people.by_telegram_user(session, user_id)
        assert person is not None
        return person.id


def register(
    db: Database, *rows: tuple[tuple[str, str], int | None], now: datetime, grouped: bool = True
) -> None:
    """The register of FY 2568 as a sheet would give it: (code, name) and the person's user id
    (None: nobody matched), in the Administration group unless not ``grouped``."""
    with db.transaction() as session:
        found = (g.id for g in groups.active_groups(session) if g.key == "admin")
        admin = next(found) if grouped else None
    ids = {user: staff_id(db, user) for _, user in rows if user is not None}
    with db.transaction() as session:
        projects.sync_projects(
            session,
            FY,
            [
                ProjectRow(code, name, 100_000_00, admin, ids.get(user) if user else None)
                for (code, name), user in rows
            ],
            now=now,
        )


def per_project(settings: Settings) -> Settings:
    return only(settings, "quarterly-progress")


def q1(db: Database) -> list[Assignment]:
    with db.transaction() as session:
        return list(
            session.exec(
                select(Assignment)
                .join(Period, col(Period.id) == col(Assignment.period_id))
                .where(Period.key == "2568-Q1")
                .order_by(col(Assignment.id))
            ).all()
        )


def project_codes(db: Database, assignments: list[Assignment]) -> list[str]:
    with db.transaction() as session:
        return [
            session.get(Project, a.project_id).code  # type: ignore[union-attr]
            for a in assignments
            if a.project_id is not None
        ]


@pytest.fixture
def office(db: Database) -> Database:
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    join(db, HEAD, "ประเสริฐ หัวหน้า", "admin", Role.GROUP_HEAD)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR)
    return db


# -- the config ----------------------------------------------------------------------------


def test_the_example_owes_progress_per_project_and_disbursement_by_the_admin_head(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = load_settings(EXAMPLE_CONFIG)
    progress = next(o for o in settings.obligations if o.key == "quarterly-progress")
    disbursement = next(o for o in settings.obligations if o.key == "disbursement-report")
    assert progress.owners.per_project and not progress.owners.each_member_of
    assert disbursement.owners.head_of == ["admin"]
    assert "สงป.301/302" in disbursement.title_th
    assert disbursement.recurrence == progress.recurrence
    assert disbursement.due_overrides == progress.due_overrides
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    out = capsys.readouterr().out
    assert (
        "1.1 quarterly-progress: quarterly, ladder default, one per project of the register" in out
    )
    assert "1.1 disbursement-report: quarterly, ladder default, owed by the head of admin" in out


def _with_owners(settings: Settings, owners: str) -> dict[str, object]:
    import tomllib

    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["obligations"][0]["owners"] = tomllib.loads(f"owners = {owners}")["owners"]
    return data


@pytest.mark.parametrize(
    ("owners", "problem"),
    [
        (
            '{ per_project = true, each_member_of = ["admin"] }',
            "per_project = true makes each project's responsible person owe the report, so it "
            "cannot be combined with each_member_of: write a second obligation for them",
        ),
        ('{ head_of = ["adminn"] }', "unknown group 'adminn'"),
        ('{ per_project = "often" }', "valid boolean"),
    ],
)
def test_a_wrong_owner_is_explained_in_one_sentence(
    settings: Settings, owners: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings(_with_owners(settings, owners), source="config.toml")
    (key, message) = raised.value.problems[0]
    assert key.startswith("obligations[quarterly-progress].owners")
    assert problem in message
    assert "\n" not in str(raised.value)


def test_q2_is_the_six_month_report() -> None:
    params = {"quarter": 2, "fiscal_year": 2569, "period_key": "2569-Q2"}
    zone = load_settings(EXAMPLE_CONFIG).office.zone
    assert period_label(params, "th", zone) == "ไตรมาสที่ 2 ปีงบประมาณ พ.ศ. 2569 (รอบ ๖ เดือน)"
    assert period_label(params, "en", zone) == (
        "quarter 2, fiscal year 2569 (the six-month report)"
    )
    params["quarter"] = 1
    assert period_label(params, "th", zone) == "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2569"


# -- the planner -----------------------------------------------------------------------------


def test_one_assignment_per_project_owed_by_its_person(
    office: Database, settings: Settings
) -> None:
    register(office, (ROAD, SOMCHAI), (READ, SOMCHAI), (SPORT, MALEE), now=bkk(1, 2))
    planner = Planner(per_project(settings), OfficeCalendar.from_office(settings.office))
    created = planner.materialise(office, bkk(1, 2))
    assert created == 3 * 4  # the four quarters of FY 2568 still ahead; none of 2569: no register
    assignments = q1(office)
    assert project_codes(office, assignments) == [ROAD[0], READ[0], SPORT[0]]
    somchai, malee = staff_id(office, SOMCHAI), staff_id(office, MALEE)
    assert [a.staff_id for a in assignments] == [somchai, somchai, malee]
    assert len({a.owner_key for a in assignments}) == 3  # the key names the project
    assert planner.materialise(office, bkk(1, 2, 10)) == 0  # idempotent

    # two projects of one person: two reminders, each naming its project
    planner.tick(office, LADDER[0])
    with office.transaction() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.staff_id == somchai)).all()
    assert sorted(row.params["project_code"] for row in rows) == [ROAD[0], READ[0]]
    texts = [render(row.template, row.params, "th", settings.office.zone).text for row in rows]
    assert any(f"โครงการ: {ROAD[0]} {ROAD[1]}" in text for text in texts)
    assert any(f"โครงการ: {READ[0]} {READ[1]}" in text for text in texts)


def test_the_head_of_a_group_owes_the_disbursement_forms(
    office: Database, settings: Settings
) -> None:
    join(office, 41, "สมศรี ผอ.กลุ่มบุคคล", "personnel", Role.GROUP_HEAD)
    plan = only(settings, "disbursement-report")
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(office, bkk(1, 2))
    assert [a.staff_id for a in q1(office)] == [staff_id(office, HEAD)]  # admin's head alone


def test_a_project_without_a_person_is_owed_by_its_group_or_listed_as_nobodys(
    office: Database, settings: Settings
) -> None:
    with office.transaction() as session:
        admin_id = next(g.id for g in groups.active_groups(session) if g.key == "admin")
        projects.sync_projects(
            session,
            FY,
            [
                ProjectRow(ROAD[0], ROAD[1], 0, admin_id, None),
                ProjectRow(READ[0], READ[1], 0, None, None),
            ],
            now=bkk(1, 2),
        )
        duties = schedule.project_duties(session, FY)
    assert [(d.code, d.group_th, d.owner is None) for d in duties] == [
        (ROAD[0], "กลุ่มอำนวยการ", False),
        (READ[0], None, True),
    ]
    planner = Planner(per_project(settings), OfficeCalendar.from_office(settings.office))
    planner.materialise(office, bkk(1, 2))
    (owed,) = q1(office)
    assert owed.group_id == admin_id and owed.staff_id is None


def test_a_project_closed_by_reimport_is_withdrawn_where_nobody_heard_of_it(
    office: Database, settings: Settings
) -> None:
    register(office, (ROAD, SOMCHAI), (READ, MALEE), now=bkk(1, 2))
    planner = Planner(per_project(settings), OfficeCalendar.from_office(settings.office))
    planner.materialise(office, bkk(1, 2))
    planner.tick(office, LADDER[0])  # Q1's first reminder went to both
    register(office, (ROAD, SOMCHAI), now=bkk(1, 4))  # READ dropped from the sheet: closed
    planner.materialise(office, bkk(1, 4))
    with office.transaction() as session:
        read = session.exec(select(Project).where(Project.code == READ[0])).one()
        left = session.exec(select(Assignment).where(Assignment.project_id == read.id)).all()
        withdrawn = session.exec(
            select(AuditEvent).where(AuditEvent.action == "assignment.withdrawn")
        ).all()
    assert not read.active
    # Q1 stays owed (Malee was reminded: the director or coordinator decides); Q2–Q4 are gone
    assert [a.status for a in left] == ["pending"] and left[0].next_step > 0
    assert len(withdrawn) == 3
    assert {e.details["project_id"] for e in withdrawn} == {read.id}
    assert len(q1(office)) == 2 and planner.materialise(office, bkk(1, 4, 10)) == 0
    # it comes back: owed again for the periods ahead
    register(office, (ROAD, SOMCHAI), (READ, MALEE), now=bkk(1, 5))
    assert planner.materialise(office, bkk(1, 5)) == 3


def test_a_project_given_to_another_person_passes_the_reports_nobody_heard_of(
    office: Database, settings: Settings
) -> None:
    register(office, (ROAD, SOMCHAI), now=bkk(1, 2))
    planner = Planner(per_project(settings), OfficeCalendar.from_office(settings.office))
    planner.materialise(office, bkk(1, 2))
    planner.tick(office, LADDER[0])  # Somchai was reminded of Q1
    register(office, (ROAD, MALEE), now=bkk(1, 4))  # the sheet now names Malee
    assert planner.materialise(office, bkk(1, 4)) == 0  # the same assignments, not new ones
    with office.transaction() as session:
        owed = session.exec(
            select(Assignment, Period)
            .join(Period, col(Period.id) == col(Assignment.period_id))
            .order_by(col(Period.due_at))
        ).all()
        moved = session.exec(
            select(AuditEvent).where(AuditEvent.action == "assignment.handed_over")
        ).all()
    somchai, malee = staff_id(office, SOMCHAI), staff_id(office, MALEE)
    assert [(p.key, a.staff_id) for a, p in owed] == [
        ("2568-Q1", somchai),  # he was told: it stays his
        ("2568-Q2", malee),
        ("2568-Q3", malee),
        ("2568-Q4", malee),
    ]
    assert len(moved) == 3 and {e.details["to_staff_id"] for e in moved} == {malee}


# -- preview -------------------------------------------------------------------------------


def test_preview_lists_the_projects_and_who_owes_each(office: Database, settings: Settings) -> None:
    plan = per_project(settings)
    before = preview(plan, FY, office)
    assert "ผู้รับผิดชอบ: ผู้รับผิดชอบโครงการ รายงานแยกเป็นรายโครงการ" in before
    assert "ยังไม่มีโครงการของปีงบประมาณ 2568 ในระบบ" in before
    assert "projects import FILE.xlsx --fy 2568" in before
    register(office, (ROAD, SOMCHAI), (READ, None), now=bkk(1, 2), grouped=False)
    after = preview(plan, FY, office).splitlines()
    assert "  โครงการของปีงบประมาณ 2568 (2 โครงการ) รายงานโครงการละหนึ่งฉบับ:" in after
    assert f"    {ROAD[0]} {ROAD[1]} — สมชาย ใจดี" in after
    assert f"    {READ[0]} {READ[1]} — ไม่มีผู้รับผิดชอบ: ไม่พบผู้ลงทะเบียนหรือกลุ่มที่ตรงกัน" in "\n".join(after)
    assert "ไตรมาสที่ 2 ปีงบประมาณ พ.ศ. 2568 (รอบ ๖ เดือน)" in "\n".join(after)
    english = preview(only(settings, "disbursement-report"), FY, office, "en")
    assert "Owed by: the director of Administration Group" in english


def test_preview_without_a_database_says_no_project_is_imported(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = preview(per_project(settings), 2569, None)
    assert "ยังไม่มีโครงการของปีงบประมาณ 2569 ในระบบ" in text


# -- the ladder over the fake Bot API ------------------------------------------------------


@pytest.fixture
async def ladder(office: Database, settings: Settings) -> AsyncIterator[tuple[Harness, Planner]]:
    register(office, (ROAD, SOMCHAI), (READ, SOMCHAI), (SPORT, MALEE), now=bkk(1, 2))
    plan = per_project(settings)
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(office, bkk(1, 2))
    async with running_bot(office, plan, Clock(bkk(1, 2))) as harness:
        yield harness, planner


async def tick_and_deliver(bot: Harness, planner: Planner, *moments: datetime) -> None:
    sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
    for moment in moments:
        bot.clock.now = moment
        planner.tick(bot.db, moment)
        await Dispatcher(bot.db, sender, bot.clock, per_chat_interval=0).dispatch()


async def test_the_escalation_names_the_missing_project_and_its_owner_only(
    ladder: tuple[Harness, Planner], tmp_path: Path
) -> None:
    bot, planner = ladder
    await tick_and_deliver(bot, planner, LADDER[0])
    reminders = [m.text or "" for m in bot.fake.messages_to(SOMCHAI)]
    assert len(reminders) == 2  # one a project
    assert any(ROAD[1] in text for text in reminders) and any(READ[1] in text for text in reminders)
    # Somchai sends the road project's report, Malee hers; the reading project stays missing
    road = next(m for m in bot.fake.messages_to(SOMCHAI) if ROAD[1] in (m.text or ""))
    await bot.press(SOMCHAI, road, road.button_data("ส่งรายงานแล้ว"), expect=0)
    await bot.fake.wait_until(lambda: "✅ ส่งรายงานแล้ว" in (road.text or ""))
    sport = bot.fake.messages_to(MALEE)[-1]
    await bot.press(MALEE, sport, sport.button_data("ส่งรายงานแล้ว"), expect=0)
    await bot.fake.wait_until(lambda: "✅ ส่งรายงานแล้ว" in (sport.text or ""))
    (mine,) = await bot.say(SOMCHAI, "/mine")
    owed, _, register_part = mine.partition("โครงการที่ท่านรับผิดชอบ")
    assert f"โครงการ {READ[0]} {READ[1]}" in owed and ROAD[1] not in owed  # sent: not owed
    assert ROAD[0] in register_part and READ[0] in register_part  # both still his projects

    await tick_and_deliver(bot, planner, *LADDER[1:], *ESCALATION)
    followups = [m.text or "" for m in bot.fake.messages_to(SOMCHAI) if "ติดตาม" in (m.text or "")]
    assert followups and all(READ[1] in text and ROAD[1] not in text for text in followups)

    escalation = next(
        m.text or ""
        for m in bot.fake.messages_to(DIRECTOR)
        if "ผู้ที่ยังไม่ส่ง" in (m.text or "") or "ยังไม่ได้รับ" in (m.text or "")
    )
    assert f"1. สมชาย ใจดี (กลุ่มอำนวยการ) โครงการ {READ[0]} {READ[1]}" in escalation
    assert "มาลี" not in escalation and ROAD[0] not in escalation and SPORT[0] not in escalation
    assert "2. " not in escalation  # the one project missing, not the whole office

    # the memo (to the coordinator first): its one line names the project and its owner
    (memo,) = [m for m in bot.fake.messages_to(COORDINATOR) if m.kind == "document"]
    assert memo.file_bytes is not None
    lines = [p.text for p in docx.Document(io.BytesIO(memo.file_bytes)).paragraphs]
    listed = [line for line in lines if line.startswith("๑. ")]
    assert listed == [  # the memo writes Thai digits ([memo] thai_digits), the code's too
        f"๑. สมชาย ใจดี กลุ่มอำนวยการ โครงการ {thai_digits(READ[0])} {READ[1]} กำหนดส่ง "
        "๑๐ มกราคม ๒๕๖๘ ติดตามแล้วเมื่อวันที่ ๑๓ มกราคม ๒๕๖๘ และ ๑๔ มกราคม ๒๕๖๘"
    ]
    assert not any(line.startswith("๒. ") for line in lines)
    assert "มาลี" not in "\n".join(lines)

    # the coordinator's /status and the evidence workbook name each row's project
    (status,) = await bot.say(COORDINATOR, "/status quarterly-progress")
    assert f"สมชาย ใจดี — โครงการ {READ[0]} {READ[1]}" in status
    assert f"สมชาย ใจดี — โครงการ {ROAD[0]} {ROAD[1]}" in status
    paper = bot.last(COORDINATOR).button_data(f"สมชาย ใจดี ({READ[0]})")
    assert paper.startswith("pp:")
    out = tmp_path / "ita-2568.xlsx"
    export_fiscal_year(bot.db, bot.settings, FY, "xlsx", out, actions=audit_names())
    sheet = load_workbook(out)["quarterly-progress"]
    rows = records(sheet)
    q1_rows = [r for r in rows if r["รอบรายงาน"] == "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568"]
    assert [(r["ผู้รับผิดชอบ"], r["โครงการ"]) for r in q1_rows] == [
        ("มาลี ศรีสุข", f"{SPORT[0]} {SPORT[1]}"),
        ("สมชาย ใจดี", f"{ROAD[0]} {ROAD[1]}"),
        ("สมชาย ใจดี", f"{READ[0]} {READ[1]}"),
    ]
    assert any(r["รอบรายงาน"].endswith("(รอบ ๖ เดือน)") for r in rows)  # Q2

    # the director's digest: who is late, and for which project
    with bot.db.transaction() as session:
        data = digest_data(session, planner.calendar, bkk(1, 15))
    digest = render("digest", data, "th", bot.settings.office.zone).text
    late = [line for line in digest.splitlines() if line.startswith("• สมชาย ใจดี:")]
    assert late and all(f"โครงการ {READ[0]} {READ[1]}" in line for line in late)


def test_the_import_command_makes_the_per_project_reports_owed_at_once(
    db: Database, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jobs.calendar import fiscal_year_of
    from tests.projects.test_project_register import SAMPLE, _config, _staff

    _staff(db)
    year = fiscal_year_of(datetime.now().date()) + 1  # every period of it still ahead
    config = str(_config(tmp_path, database_url))
    assert main(["projects", "import", str(SAMPLE), "--fy", str(year), "--config", config]) == 0
    assert "new assignments of per-project reports" in capsys.readouterr().out
    with db.transaction() as session:
        owed = session.exec(
            select(Assignment)
            .join(Period, col(Period.id) == col(Assignment.period_id))
            .where(Period.fiscal_year == year, col(Assignment.project_id).is_not(None))
        ).all()
        duties = [d for d in schedule.project_duties(session, year) if d.owner is not None]
    assert len(owed) == 4 * len(duties) > 0  # four quarters, one a project owed by someone


def test_a_reimport_that_moves_someones_dates_tells_them(
    db: Database, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """P69-001 passes from วิภา to สมชาย: วิภา no longer owes its progress reports and is told
    so (the year's calendar, ``jobs.yearplan``); the coordinator has the summary."""
    from openpyxl import load_workbook

    from jobs.calendar import fiscal_year_of
    from tests.projects.test_project_register import SAMPLE, SOMCHAI, _config, _staff

    vipa, _somchai = _staff(db)
    year = fiscal_year_of(datetime.now().date()) + 1
    config = str(_config(tmp_path, database_url))
    settings = load_settings(config)  # the bot has run: the obligations are in the database
    Planner(settings, OfficeCalendar.from_office(settings.office)).materialise(
        db, datetime.now(UTC)
    )
    assert main(["projects", "import", str(SAMPLE), "--fy", str(year), "--config", config]) == 0
    assert "3 messages about moved due dates queued" in capsys.readouterr().out  # new to both
    with db.transaction() as session:
        session.exec(delete(OutboxMessage))
    workbook = load_workbook(SAMPLE)
    sheet = workbook.active
    assert sheet is not None
    sheet["F3"] = SOMCHAI
    changed = tmp_path / "changed.xlsx"
    workbook.save(changed)
    assert main(["projects", "import", str(changed), "--fy", str(year), "--config", config]) == 0
    assert "2 messages about moved due dates queued" in capsys.readouterr().out
    with db.transaction() as session:
        rows = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.template).startswith("yearplan_"))
        ).all()
    told = {(row.template, row.staff_id) for row in rows}
    assert told == {("yearplan_moved", vipa), ("yearplan_change", vipa)}
    (moved,) = [row for row in rows if row.template == "yearplan_moved"]
    text = render("yearplan_moved", moved.params, "th", BANGKOK).text
    assert f"ทะเบียนโครงการตามแผนปฏิบัติราชการประจำปีงบประมาณ พ.ศ. {year}" in text
    assert all(move["after"] is None for move in moved.params["moves"])  # no longer due
    assert main(["projects", "import", str(changed), "--fy", str(year), "--config", config]) == 0
    assert "moved due dates" not in capsys.readouterr().out  # nothing moved: nobody told
