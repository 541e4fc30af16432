"""The fiscal year's reporting calendar (plan measure 1.1 step 1): the pure plan and diff, the
start-of-year step with an injected ``now``, /calendar and the moved dates over the fake Bot
API, on both databases."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date, datetime

import pytest
from sqlmodel import col, select

from bot.features import render
from bot.runtime.sender import TelegramSender
from bot.yearplan.chart import wrap
from bot.yearplan.texts import year_text
from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher
from jobs.settings import OnceRecurrence, Settings
from jobs.tick import Planner
from jobs.yearplan.load import load_office
from jobs.yearplan.notices import write_office_change
from jobs.yearplan.plan import (
    Change,
    Deadline,
    Duty,
    Inputs,
    announcement_at,
    moved_dates,
    moves_of,
    year_deadlines,
)
from jobs.yearplan.step import YearPlanStep
from storage import audit, people, projects
from storage.db import Database
from storage.models import Language, OutboxMessage, Role
from storage.projects import ProjectRow
from tests.duties.test_tick import BANGKOK, COORDINATOR, DIRECTOR, MALEE, SOMCHAI, bkk, join, only
from tests.harness import Clock, Harness, running_bot
from tests.support import with_changes

DEV = 14
STRANGER = 99
PLAN = ("quarterly-progress", "eservice-update", "procurement-summary")
START_OF_YEAR = bkk(10, 1, 8, 30)  # Wednesday 1 October 2568: fiscal year 2569 begins


@pytest.fixture
def plan(settings: Settings) -> Settings:
    """Three of the example's reports, the year announced as the example config says."""
    return with_changes(only(settings, *PLAN), yearplan={"announce": True})


def inputs(plan: Settings, **changes: object) -> Inputs:
    """Staff 1 owes every obligation of the plan; the office as the config sets it."""
    duties = tuple(Duty(o, frozenset({1})) for o in plan.obligations)
    found = Inputs(
        duties, OfficeCalendar.from_office(plan.office), plan.meeting, today=date(2025, 10, 1)
    )
    return dataclasses.replace(found, **changes)  # type: ignore[arg-type]


# ---- pure ---------------------------------------------------------------------------------------


def test_the_year_holds_every_deadline_that_falls_in_it(plan: Settings) -> None:
    quarterly = [d for d in year_deadlines(inputs(plan), 2569) if d.obligation == PLAN[0]]
    assert [(d.period_key, d.due_date, d.fiscal_quarter) for d in quarterly] == [
        ("2568-Q4", date(2025, 10, 10), 1),  # last year's fourth quarter, due in this one's first
        ("2569-Q1", date(2026, 1, 10), 2),
        ("2569-Q2", date(2026, 4, 8), 3),  # the config's due_overrides (Songkran)
        ("2569-Q3", date(2026, 7, 10), 4),
    ]
    monthly = [d for d in year_deadlines(inputs(plan), 2569) if d.obligation == PLAN[2]]
    assert len(monthly) == 12 and monthly[2].due_date == date(2025, 12, 11)  # the 10th: a holiday


def test_a_long_year_fits_one_message_and_leaves_the_rest_to_the_page(plan: Settings) -> None:
    many = tuple(
        Duty(o.model_copy(update={"key": f"{o.key}-{n}"}), frozenset({1}))
        for o in plan.obligations
        for n in range(6)
    )
    deadlines = year_deadlines(inputs(plan, duties=many), 2569)
    params = {
        "fiscal_year": 2569,
        "scope": "person",
        "name": "สมชาย ใจดี",
        "coordinator_th": "กลุ่มนโยบายและแผน",
        "deadlines": [d.params() for d in deadlines],
    }
    text = year_text(params, "th", BANGKOK)
    assert len(text) <= 4096 and "รายการที่เหลืออยู่ในไฟล์ปฏิทินที่แนบมา" in text
    assert text.endswith("พิมพ์ /calendar เพื่อดูปฏิทินนี้อีกครั้ง")


def test_a_moved_meeting_leaves_the_meetings_of_other_years_to_the_rule(plan: Settings) -> None:
    moved = inputs(plan, moved_meetings={"2025-11": date(2025, 11, 20)})
    far = [d for d in year_deadlines(moved, 2575) if d.obligation == "eservice-update"]
    assert len(far) == 12  # the rule's meetings, though the moved one is years before


def test_the_diff_names_each_persons_moved_new_and_dropped_dates() -> None:
    def deadline(key: str, day: date, *staff: int) -> Deadline:
        moment = datetime(day.year, day.month, day.day, 9, 30)
        return Deadline(
            "x", "ท", "t", "1.1", key, 2569, None, 11, False, day, moment, frozenset(staff),
            frozenset(),
        )  # fmt: skip

    before = [
        deadline("a", date(2025, 11, 10), 1, 2),
        deadline("b", date(2025, 9, 1), 1),  # past: never announced
        deadline("c", date(2025, 12, 5), 1),  # unchanged
        deadline("d", date(2025, 12, 20), 2),  # gone
    ]
    after = [
        deadline("a", date(2025, 11, 11), 1, 2),
        deadline("b", date(2025, 9, 2), 1),
        deadline("c", date(2025, 12, 5), 1, 3),  # new for 3 only
    ]
    moves = moved_dates(before, after, date(2025, 10, 1))
    assert sorted(moves) == [1, 2, 3]
    assert [(m.deadline.period_key, m.before, m.after) for m in moves[1]] == [
        ("a", date(2025, 11, 10), date(2025, 11, 11))
    ]
    assert [(m.deadline.period_key, m.before, m.after) for m in moves[2]] == [
        ("a", date(2025, 11, 10), date(2025, 11, 11)),
        ("d", date(2025, 12, 20), None),
    ]
    assert [(m.before, m.after) for m in moves[3]] == [(None, date(2025, 12, 5))]


def test_a_closed_day_moves_the_dates_its_rules_move(plan: Settings) -> None:
    office = inputs(plan, closed=frozenset({date(2025, 11, 10)}))  # Monday 10 November
    (moves,) = moves_of(office, Change("closeday", day=date(2025, 11, 10))).values()
    assert {(m.deadline.obligation, m.before, m.after) for m in moves} == {
        ("procurement-summary", date(2025, 11, 10), date(2025, 11, 11)),  # "next"
        ("eservice-update", date(2025, 11, 10), date(2025, 11, 7)),  # a working day before
    }
    assert moves_of(office, Change("closeday", day=date(2025, 11, 12))) == {}  # nothing due


def test_a_one_off_is_new_to_its_owners_and_a_moved_meeting_moves_its_reports(
    plan: Settings,
) -> None:
    once = plan.obligations[0].model_copy(
        update={
            "key": "oneoff-1",
            "recurrence": OnceRecurrence(kind="once", date=date(2025, 11, 20)),
        }
    )
    office = inputs(plan, duties=(*inputs(plan).duties, Duty(once, frozenset({2}))))
    moves = moves_of(office, Change("oneoff", obligation="oneoff-1"))
    assert [(m.deadline.obligation, m.before, m.after) for m in moves[2]] == [
        ("oneoff-1", None, date(2025, 11, 20))
    ]
    moved = inputs(plan, moved_meetings={"2025-11": date(2025, 11, 20)})
    change = Change("meeting", day=date(2025, 11, 20), month="2025-11")
    assert [(m.before, m.after) for m in moves_of(moved, change)[1]] == [
        (date(2025, 11, 10), date(2025, 11, 19))  # one working day before the meeting
    ]


def test_the_year_goes_out_at_the_first_opening_of_the_fiscal_year(plan: Settings) -> None:
    calendar = OfficeCalendar.from_office(plan.office)
    assert announcement_at(calendar, 2569) == bkk(10, 1, 8, 30)
    closed = inputs(plan, closed=frozenset({date(2025, 10, 1)})).calendar()
    assert announcement_at(closed, 2569) == bkk(10, 2, 8, 30)
    assert announcement_at(calendar, 2569, working_day=3) == bkk(10, 3, 8, 30)
    assert announcement_at(calendar, 2570, working_day=3) == bkk(10, 5, 8, 30, year=2026)  # Mon


def test_long_thai_titles_break_before_a_phrase_never_inside_a_syllable() -> None:
    title = "รายงานผลการดำเนินกิจกรรมสร้างความผูกพันของบุคลากรต่อที่ประชุมเจ้าหน้าที่ประจำเดือน"
    lines = wrap(title, 40)
    assert "".join(lines) == title and len(lines) > 1
    assert all(line[0] not in "ัิีึืุู่้๊๋็์" for line in lines)


# ---- the start of the fiscal year, with ``now`` ----------------------------------------------


def build(db: Database) -> None:
    when = bkk(9, 1)
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF, when)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.PROCUREMENT, when)
    join(db, DEV, "ดวงใจ พัฒนา", "development", Role.STAFF, when)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR, when)
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR, when)
    register_projects(db, when, SOMCHAI, MALEE, DEV)


def register_projects(db: Database, now: datetime, *responsible: int) -> None:
    """The example's project progress is owed per project: FY 2569's register gives one
    project to each of ``responsible``."""
    with db.transaction() as session:
        rows = [
            ProjectRow(f"P-{n}", f"โครงการที่ {n}", 100_000_00, None, person.id)
            for n, user in enumerate(responsible, 1)
            if (person := people.by_telegram_user(session, user)) is not None
        ]
        projects.sync_projects(session, 2569, rows, now=now)


def year_rows(db: Database, template: str = "yearplan") -> dict[int, OutboxMessage]:
    with db.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(col(OutboxMessage.id))
        ).all()
    return {row.chat_id: row for row in rows}


def obligations(row: OutboxMessage) -> set[str]:
    return {item["obligation"] for item in row.params["deadlines"]}


def test_the_year_goes_to_each_person_once_at_the_start_of_the_fiscal_year(
    db: Database, plan: Settings
) -> None:
    build(db)
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(db, bkk(9, 29))
    step = YearPlanStep(plan)
    with db.transaction() as session:
        assert step.next_wake(session, bkk(9, 30, 16)) == START_OF_YEAR
    planner.tick(db, bkk(9, 30, 16))
    assert year_rows(db) == {}  # not before the year begins
    planner.tick(db, START_OF_YEAR)
    rows = year_rows(db)
    assert sorted(rows) == sorted([SOMCHAI, MALEE, DEV, COORDINATOR, DIRECTOR])
    assert obligations(rows[SOMCHAI]) == {"quarterly-progress"}
    assert obligations(rows[MALEE]) == {"quarterly-progress", "procurement-summary"}
    assert obligations(rows[DEV]) == {"quarterly-progress", "eservice-update"}
    assert rows[COORDINATOR].params["scope"] == rows[DIRECTOR].params["scope"] == "office"
    assert obligations(rows[COORDINATOR]) == set(PLAN)
    assert rows[SOMCHAI].idempotency_key.startswith("yearplan:2569:to-")
    planner.tick(db, bkk(10, 1, 9))
    Planner(plan, OfficeCalendar.from_office(plan.office)).tick(db, bkk(10, 1, 10))  # a restart
    assert len(year_rows(db)) == 5  # sent once, not twice
    with db.transaction() as session:
        (event,) = [e for e in audit.events(session) if e.action == "yearplan.announced"]
    assert event.details["fiscal_year"] == 2569 and len(event.details["to"]) == 5
    with db.transaction() as session:
        assert step.next_wake(session, bkk(10, 1, 10)) == bkk(10, 1, 8, 30, year=2026)


def test_someone_who_registers_after_the_year_went_out_gets_their_year_once(
    db: Database, plan: Settings
) -> None:
    build(db)
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(db, bkk(9, 29))
    planner.tick(db, START_OF_YEAR)
    assert len(year_rows(db)) == 5
    newcomer, idle = 41, 42
    join(db, newcomer, "สุดา มาใหม่", "development", Role.STAFF, bkk(10, 6, 10))
    join(db, idle, "ประยุทธ ว่างงาน", "personnel", Role.STAFF, bkk(10, 6, 10))  # owes nothing
    planner.materialise(db, bkk(10, 6, 10))  # as registering wakes the engine
    planner.tick(db, bkk(10, 6, 10, 1))
    rows = year_rows(db)
    assert len(rows) == 6 and obligations(rows[newcomer]) == {"eservice-update"}
    assert rows[newcomer].idempotency_key.endswith(":to-" + str(rows[newcomer].staff_id))
    planner.tick(db, bkk(10, 7, 9))
    assert len(year_rows(db)) == 6  # once; nothing for someone who owes nothing
    with db.transaction() as session:
        announced = [e for e in audit.events(session) if e.action == "yearplan.announced"]
    assert [len(e.details["to"]) for e in announced] == [5, 1]


def test_an_office_that_does_not_announce_the_year_sends_nothing_by_itself(
    db: Database, plan: Settings
) -> None:
    build(db)
    quiet = with_changes(plan, yearplan={"announce": False})
    planner = Planner(quiet, OfficeCalendar.from_office(quiet.office))
    planner.materialise(db, bkk(9, 29))
    planner.tick(db, START_OF_YEAR)
    assert year_rows(db) == {}
    with db.transaction() as session:
        assert YearPlanStep(quiet).next_wake(session, START_OF_YEAR) is None


def test_a_change_made_outside_chat_tells_whose_dates_it_changed(
    db: Database, plan: Settings
) -> None:
    """What a re-import of the projects would call: the office loaded before and after."""
    build(db)
    Planner(plan, OfficeCalendar.from_office(plan.office)).materialise(db, bkk(9, 29))
    today = date(2025, 10, 6)
    with db.transaction() as session:
        before = load_office(session, plan, today)
    newcomer = join(db, 15, "กมล ใหม่", "development", Role.STAFF, bkk(10, 6))
    with db.transaction() as session:
        after = load_office(session, plan, today)
        coordinator = people.by_telegram_user(session, COORDINATOR)
        written = [
            write_office_change(
                session, plan, before, after, key="test-1", tell=coordinator, now=bkk(10, 6)
            )
            for _ in range(2)
        ]
    assert written == [2, 0]  # the newcomer and the summary; once
    told = year_rows(db, "yearplan_moved")[15]
    assert told.staff_id == newcomer.id
    text = render("yearplan_moved", told.params, "th", BANGKOK).text
    assert text.startswith(
        "กลุ่มนโยบายและแผน แจ้งการเปลี่ยนแปลงกำหนดส่งรายงานของท่าน เนื่องจากมีการปรับปรุงปฏิทินการส่งรายงาน ดังนี้\n"
    )
    assert "(สำหรับการประชุมเจ้าหน้าที่ประจำเดือนพฤศจิกายน 2568): รายงานใหม่ กำหนดส่งภายในวันที่ " in text
    summary = year_rows(db, "yearplan_change")[COORDINATOR].params
    assert summary["told"] == [{"name": "กมล ใหม่", "dates": len(told.params["moves"])}]


# ---- over the fake Bot API --------------------------------------------------------------------


@pytest.fixture
async def office(db: Database, plan: Settings) -> AsyncIterator[tuple[Harness, Planner]]:
    build(db)
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(db, bkk(9, 29))
    async with running_bot(db, plan, Clock(START_OF_YEAR)) as harness:
        yield harness, planner


async def deliver(bot: Harness, planner: Planner, moment: datetime) -> None:
    """The engine's work at ``moment``: the tick writes, the dispatcher sends."""
    bot.clock.now = moment
    planner.tick(bot.db, moment)
    sender = TelegramSender(bot.app.bot, bot.settings.office.zone, render)
    await Dispatcher(bot.db, sender, bot.clock, per_chat_interval=0).dispatch()


def texts(bot: Harness, chat_id: int) -> list[str]:
    return bot.fake.texts_to(chat_id)


async def test_each_person_receives_their_year_and_the_coordinator_the_offices(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    await deliver(bot, planner, START_OF_YEAR)
    (page, mine) = await bot.fake.wait_for_messages(SOMCHAI, 2)
    assert page.filename == "ปฏิทินส่งรายงาน-2569.png" and page.file_bytes
    assert (page.file_bytes or b"").startswith(b"\x89PNG")
    assert mine.text is not None
    assert mine.text.startswith(
        "กลุ่มนโยบายและแผน แจ้งกำหนดส่งรายงานของคุณสมชาย ใจดี ประจำปีงบประมาณ พ.ศ. 2569 "
        "(1 ตุลาคม 2568 – 30 กันยายน 2569) แยกตามไตรมาส ดังนี้"
    )
    assert (
        "ไตรมาสที่ 3 (เม.ย. – มิ.ย. 2569): 8 เม.ย. 2569 (ไตรมาสที่ 2 ปีงบประมาณ พ.ศ. 2569 (รอบ ๖ เดือน))"
        in mine.text
    )
    assert "E-Service" not in mine.text and "ผู้ส่ง" not in mine.text  # only his own
    assert mine.text.endswith("พิมพ์ /calendar เพื่อดูปฏิทินนี้อีกครั้ง")
    (_, whole) = await bot.fake.wait_for_messages(COORDINATOR, 2)
    assert whole.text is not None
    assert whole.text.startswith(
        "กลุ่มนโยบายและแผน แจ้งกำหนดส่งรายงานของสำนักงานศึกษาธิการจังหวัดพิจิตร ประจำปีงบประมาณ พ.ศ. 2569"
    )
    assert "ผู้ส่ง: กลุ่มพัฒนาการศึกษา (งานของกลุ่ม) (รวม 1 คน)" in whole.text
    assert "ผู้ส่ง: เจ้าหน้าที่พัสดุทุกคน (รวม 1 คน)" in whole.text
    await deliver(bot, planner, bkk(10, 1, 9))
    assert len(bot.fake.messages_to(SOMCHAI)) == 2  # once


async def test_calendar_on_demand_for_anyone_registered(office: tuple[Harness, Planner]) -> None:
    bot, _planner = office
    (_, text) = await bot.say(DEV, "/calendar", expect=2)
    assert text.startswith(
        "กลุ่มนโยบายและแผน แจ้งกำหนดส่งรายงานของคุณดวงใจ พัฒนา ประจำปีงบประมาณ พ.ศ. 2569"
    )
    assert "1.2 รายงานผลการปรับปรุงข้อมูลระบบ E-Service" in text
    assert bot.last(DEV).text == text and bot.fake.messages_to(DEV)[-2].kind == "document"
    (_, next_year) = await bot.say(DEV, "/calendar 2570", expect=2)
    assert "ประจำปีงบประมาณ พ.ศ. 2570 (1 ตุลาคม 2569 – 30 กันยายน 2570)" in next_year
    (_, in_thai_digits) = await bot.say(DEV, "/calendar ๒๕๗๐", expect=2)
    assert in_thai_digits == next_year
    (_, whole) = await bot.say(DIRECTOR, "/calendar", expect=2)
    assert "แจ้งกำหนดส่งรายงานของสำนักงานศึกษาธิการจังหวัดพิจิตร" in whole
    (_, past) = await bot.say(DIRECTOR, "/calendar 2560", expect=2)
    assert "ประจำปีงบประมาณ พ.ศ. 2560 (1 ตุลาคม 2559 – 30 กันยายน 2560)" in past


async def test_calendar_refuses_a_bad_year_and_a_stranger_politely(
    office: tuple[Harness, Planner],
) -> None:
    bot, _planner = office
    for typed in ("/calendar next", "/calendar 1999", "/calendar 25700"):
        (bad,) = await bot.say(SOMCHAI, typed)
        assert bad.startswith("กรุณาพิมพ์ /calendar เพื่อดูปฏิทินของปีงบประมาณนี้")
    (stranger,) = await bot.say(STRANGER, "/calendar")
    assert stranger.startswith("สวัสดี") and "/start" in stranger  # how to register, no calendar
    assert "ปีงบประมาณ" not in stranger and len(bot.fake.messages_to(STRANGER)) == 1


async def test_calendar_in_english(office: tuple[Harness, Planner]) -> None:
    bot, _planner = office
    with bot.db.transaction() as session:
        person = people.by_telegram_user(session, MALEE)
        assert person is not None
        people.set_language(session, person.id, Language.EN)
    (_page, text) = await bot.say(MALEE, "/calendar", expect=2)
    assert text.startswith(
        "Policy and Planning Group announces your reporting deadlines, มาลี ศรีสุข, for fiscal "
        "year 2569 (1 October 2025 – 30 September 2026), by quarter:"
    )
    assert "Quarter 2 (Jan – Mar 2026): 12 Jan 2026, 10 Feb 2026, 10 Mar 2026" in text
    assert bot.fake.messages_to(MALEE)[-2].filename == "reporting-calendar-2569.png"


async def test_a_moved_meeting_tells_the_people_whose_dates_moved(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    await bot.say(COORDINATOR, "/meeting 20/11/2568")  # from Tuesday 11 November
    await bot.press(COORDINATOR, bot.last(COORDINATOR), "cf:yes")
    before = len(bot.fake.messages_to(DEV))
    await deliver(bot, planner, bkk(10, 1, 10))
    (moved,) = [row for row in year_rows(bot.db, "yearplan_moved").values()]
    assert moved.chat_id == DEV  # the E-Service report is his group's; no one else's moved
    told = (await bot.fake.wait_for_messages(DEV, before + 1))[-1].text
    assert told == (
        "กลุ่มนโยบายและแผน แจ้งการเปลี่ยนแปลงกำหนดส่งรายงานของท่าน เนื่องจากการประชุมเจ้าหน้าที่"
        "ประจำเดือนพฤศจิกายน 2568 เลื่อนเป็นวันพฤหัสบดีที่ 20 พฤศจิกายน 2568 ดังนี้\n"
        "• 1.2 รายงานผลการปรับปรุงข้อมูลระบบ E-Service ต่อที่ประชุมเจ้าหน้าที่ประจำเดือน "
        "(สำหรับการประชุมเจ้าหน้าที่ประจำเดือนพฤศจิกายน 2568): เปลี่ยนจากภายในวันที่ "
        "10 พฤศจิกายน 2568 เป็นภายในวันที่ 19 พฤศจิกายน 2568\n\n"
        "พิมพ์ /calendar เพื่อดูปฏิทินการส่งรายงานทั้งปีของท่าน"
    )
    summary = bot.fake.texts_to(COORDINATOR)[-1]
    assert summary.startswith("การเปลี่ยนแปลงปฏิทิน (การประชุมเจ้าหน้าที่ประจำเดือนพฤศจิกายน 2568")
    assert summary.endswith("ได้แจ้งแต่ละท่านแล้ว ดังนี้\n• ดวงใจ พัฒนา: 1 รายการ")
    await deliver(bot, planner, bkk(10, 1, 11))
    assert len(year_rows(bot.db, "yearplan_moved")) == 1  # announced once
    with bot.db.transaction() as session:
        (event,) = [e for e in audit.events(session) if e.action == "yearplan.moves_announced"]
    assert event.details["to"] == [moved.staff_id] and event.details["change"]["kind"] == "meeting"


async def test_a_closed_day_tells_each_owner_in_their_language(
    office: tuple[Harness, Planner],
) -> None:
    bot, planner = office
    with bot.db.transaction() as session:
        person = people.by_telegram_user(session, MALEE)
        assert person is not None
        people.set_language(session, person.id, Language.EN)
    await bot.say(COORDINATOR, "/closeday 10/11/2568 วันหยุดพิเศษ")
    await bot.press(COORDINATOR, bot.last(COORDINATOR), "cf:yes")
    await deliver(bot, planner, bkk(10, 1, 10))
    assert sorted(year_rows(bot.db, "yearplan_moved")) == [MALEE, DEV]
    malee = (await bot.fake.wait_for_messages(MALEE, 1))[-1].text or ""
    assert malee.startswith(
        "Policy and Planning Group: your reporting calendar has changed, because the office is "
        "closed on Monday 10 November 2025 (วันหยุดพิเศษ)."
    )
    assert ": from 10 November 2025 to 11 November 2025" in malee
    dev = (await bot.fake.wait_for_messages(DEV, 1))[-1].text or ""
    assert "เปลี่ยนจากภายในวันที่ 10 พฤศจิกายน 2568 เป็นภายในวันที่ 7 พฤศจิกายน 2568" in dev
    await bot.say(COORDINATOR, "/closeday 12/11/2568 วันหยุดพิเศษ")
    await bot.press(COORDINATOR, bot.last(COORDINATOR), "cf:yes")
    await deliver(bot, planner, bkk(10, 1, 11))
    assert bot.fake.texts_to(COORDINATOR)[-1] == (
        "การเปลี่ยนแปลงปฏิทิน (สำนักงานปิดทำการวันพุธที่ 12 พฤศจิกายน 2568 (วันหยุดพิเศษ)) "
        "ไม่ทำให้กำหนดส่งรายงานของผู้ใดเปลี่ยนไป"
    )
