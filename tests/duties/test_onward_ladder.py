"""Ladders that serve the onward deadline (issue #15): the follow-ups and the memo to the
director land before the 15th (to สป.), in working days, with a working day left to order;
where the calendar leaves no room (Q2 2569: the 15th is in Songkran) check-config and preview
say so and which staff due date fits; the meeting reports' steps land before the meeting.

Pure functions with an injected ``now``, then the tick on a real database, the preview and
check-config."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.cli import main
from bot.duties.preview import preview, preview_lines
from bot.features import render
from jobs.calendar import OfficeCalendar, fiscal_year_bounds
from jobs.duties.step import orders as duty_orders
from jobs.ladder import check_period, progress, step_instants
from jobs.recurrence import Occurrence, occurrences
from jobs.settings import (
    ConfigError,
    Ladder,
    LadderStep,
    Obligation,
    Settings,
    load_settings,
    parse_settings,
)
from jobs.tick import Planner
from storage import memos, people
from storage.db import Database
from storage.models import OutboxMessage, Role
from tests.duties.test_tick import (
    COORDINATOR,
    DIRECTOR,
    HEAD,
    MALEE,
    SOMCHAI,
    build_office,
    join,
    only,
)
from tests.support import EXAMPLE_CONFIG

BANGKOK = ZoneInfo("Asia/Bangkok")
EXAMPLE = EXAMPLE_CONFIG.read_text(encoding="utf-8")
OVERRIDES = '[obligations.due_overrides]\n"2569-Q2" = 2026-04-08\n"2570-Q2" = 2027-04-08\n'


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BANGKOK)


def local(instants: list[datetime]) -> list[str]:
    return [moment.astimezone(BANGKOK).strftime("%a %d %b %H:%M") for moment in instants]


def without_overrides(tmp_path: Path) -> Path:
    """The example with no staff due date brought forward."""
    assert OVERRIDES in EXAMPLE
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.replace(OVERRIDES, ""), encoding="utf-8")
    return path


def period(settings: Settings, key: str, obligation: str, fiscal_year: int = 2569) -> Occurrence:
    config = next(o for o in settings.obligations if o.key == obligation)
    start, end = fiscal_year_bounds(fiscal_year)
    found = occurrences(
        config,
        start=start,
        end=end + timedelta(days=92),
        calendar=OfficeCalendar.from_office(settings.office),
        meeting=settings.meeting,
    )
    return next(o for o in found if o.key == key)


def steps_of(settings: Settings, occurrence: Occurrence, ladder: str = "default") -> list[datetime]:
    return step_instants(
        settings.ladder(ladder),
        occurrence.due_at,
        OfficeCalendar.from_office(settings.office),
        onward_due_at=occurrence.onward_due_at,
        meeting_at=occurrence.meeting_at,
    )


# ---- the pure functions, with an injected now ---------------------------------------------


def test_q1_2569_follow_ups_on_the_12th_and_13th_and_the_memo_on_the_14th(
    settings: Settings,
) -> None:
    """The review's dates: due Saturday 10 ม.ค., follow-ups 12 and 13 ม.ค., memo 14 ม.ค."""
    q1 = period(settings, "2569-Q1", "quarterly-progress")
    assert q1.due_date == date(2026, 1, 10) and q1.onward_due_at == at(1, 15, 16, 30)
    instants = steps_of(settings, q1)
    assert local(instants) == [
        "Tue 30 Dec 08:30",  # -7d is a Saturday, 2 January a holiday, and New Year's Eve
        "Fri 09 Jan 08:30",
        "Fri 09 Jan 08:30",  # the due day is a Saturday: the last call comes on Friday
        "Mon 12 Jan 08:30",
        "Tue 13 Jan 08:30",
        "Wed 14 Jan 13:00",  # a working day before the 15th, the morning the follow-up's
    ]
    calendar = OfficeCalendar.from_office(settings.office)
    fit = check_period(
        settings.ladder("default"), q1.due_at, calendar, onward_due_at=q1.onward_due_at
    )
    assert fit is not None and fit.fits and fit.deadline == "onward"
    # on the 13th at 10.00: the follow-ups have come, the memo is next, at 13.00 on the 14th
    now = at(1, 13, 10)
    step = progress(0, instants, now)
    assert step.due_steps == (0, 1, 2, 3, 4)
    assert step.next_action_at == at(1, 14, 13)


def test_q2_2569_songkran_is_flagged_with_its_fix_and_fits_with_the_override(
    settings: Settings, tmp_path: Path
) -> None:
    """The 15th of April 2569 is in Songkran (13–15): due on the 10th, no follow-up can come
    before it; the latest staff due date that fits is the 8th, which the example sets."""
    plain = load_settings(without_overrides(tmp_path))
    calendar = OfficeCalendar.from_office(plain.office)
    q2 = period(plain, "2569-Q2", "quarterly-progress")
    assert (q2.due_date, q2.overridden) == (date(2026, 4, 10), False)
    assert calendar.closed_reason(date(2026, 4, 15)) == "วันสงกรานต์"
    ladder = plain.ladder("default")
    fit = check_period(ladder, q2.due_at, calendar, onward_due_at=q2.onward_due_at)
    assert fit is not None and not fit.fits
    assert [(m.kind, m.reason) for m in fit.misfits] == [
        ("followup", "after_deadline"),  # the 16th
        ("followup", "after_deadline"),  # the 17th
        ("escalation", "after_deadline"),  # held until after the follow-ups
    ]
    assert local([m.at for m in fit.misfits]) == [
        "Thu 16 Apr 08:30",
        "Fri 17 Apr 08:30",
        "Fri 17 Apr 08:30",
    ]
    assert fit.latest_due == date(2026, 4, 8)

    moved = period(settings, "2569-Q2", "quarterly-progress")
    assert (moved.due_date, moved.nominal_date, moved.overridden) == (
        date(2026, 4, 8),
        date(2026, 4, 10),
        True,
    )
    assert moved.onward_due_at == q2.onward_due_at  # สป.'s deadline is not the office's to move
    assert local(steps_of(settings, moved)[3:]) == [
        "Thu 09 Apr 08:30",
        "Fri 10 Apr 08:30",
        "Fri 10 Apr 13:00",  # the last working day before the 15th
    ]
    fitted = check_period(ladder, moved.due_at, calendar, onward_due_at=moved.onward_due_at)
    assert fitted is not None and fitted.fits


def test_a_monthly_meeting_period_is_followed_up_and_escalated_before_the_meeting(
    settings: Settings,
) -> None:
    """The E-Service report for the meeting of Tuesday 13 ม.ค. 2569 (09.00): due the day
    before at 16.30; the follow-up at opening on the meeting's day, the director told at 08.45."""
    january = period(settings, "meeting-2026-01", "eservice-update")
    assert january.due_at == at(1, 12, 16, 30) and january.meeting_at == at(1, 13, 9)
    assert january.onward_due_at is None
    instants = steps_of(settings, january, "meeting")
    assert local(instants) == [
        "Wed 07 Jan 08:30",
        "Fri 09 Jan 08:30",
        "Tue 13 Jan 08:30",
        "Tue 13 Jan 08:45",
    ]
    calendar = OfficeCalendar.from_office(settings.office)
    fit = check_period(
        settings.ladder("meeting"), january.due_at, calendar, meeting_at=january.meeting_at
    )
    assert fit is not None and fit.fits and fit.deadline == "meeting"
    now = at(1, 13, 8, 40)
    assert progress(2, instants, now).due_steps == (2,)  # the follow-up, then the director
    assert progress(3, instants, now).next_action_at == at(1, 13, 8, 45)
    # the meeting the rule sets on a closed day (14 เม.ย. 2569, Songkran): nothing fits
    april = period(settings, "meeting-2026-04", "eservice-update")
    closed = check_period(
        settings.ladder("meeting"), april.due_at, calendar, meeting_at=april.meeting_at
    )
    assert closed is not None and not closed.fits and closed.latest_due is None
    assert {m.reason for m in closed.misfits} == {"before_due"}


def test_a_step_counted_from_a_date_the_period_lacks_uses_its_otherwise(
    settings: Settings,
) -> None:
    """A one-off added from chat follows the default ladder and has no onward deadline."""
    due = at(3, 31, 16, 30)
    instants = step_instants(
        settings.ladder("default"), due, OfficeCalendar.from_office(settings.office)
    )
    assert local(instants[3:]) == ["Wed 01 Apr 08:30", "Thu 02 Apr 08:30", "Fri 03 Apr 13:00"]
    assert (
        check_period(settings.ladder("default"), due, OfficeCalendar.from_office(settings.office))
        is None
    )


# ---- the config ----------------------------------------------------------------------------


def _config(tmp_path: Path, old: str, new: str) -> Path:
    assert old in EXAMPLE, old
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    return path


ESCALATION = (
    '{ kind = "escalation", offset = "-1wd", at = 13:00:00, from = "onward", otherwise = "+3wd" }'
)


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (  # the meeting ladder, counted from an onward deadline the meeting reports lack
            '{ kind = "escalation", offset = "-15m", from = "meeting" }',
            '{ kind = "escalation", offset = "-15m", from = "onward" }',
            "obligations[eservice-update].ladder",
            "ladder 'meeting' counts the step 'escalation -15m from onward' from the onward "
            "deadline, which this obligation does not have: choose another ladder, or give the "
            "step otherwise (its offset from the due date)",
        ),
        (  # chat's one-offs follow the default ladder: its anchored steps need otherwise
            ESCALATION,
            '{ kind = "escalation", offset = "-1wd", at = 13:00:00, from = "onward" }',
            "ladders.default.steps[5]",
            "the default ladder also follows up the one-off reports added from chat, which "
            "have no onward date",
        ),
        (
            ESCALATION,
            '{ kind = "escalation", offset = "+5wd" }, { kind = "followup", offset = "+6wd" }',
            "ladders.default.steps[6]",
            "'followup' cannot come after 'escalation': list the steps in the order they happen",
        ),
        (
            '{ kind = "followup", offset = "+2wd" }',
            '{ kind = "followup", offset = "+0wd" }',
            "ladders.default.steps[4]",
            "'followup +0wd' is listed after 'followup +1wd', which comes later",
        ),
        (
            '{ kind = "followup", offset = "+2wd" }',
            '{ kind = "followup", offset = "+2wd", otherwise = "+2wd" }',
            "ladders.default.steps[4]",
            "otherwise is the offset from the due date for a step counted from the onward "
            "deadline or the meeting",
        ),
        (
            '{ kind = "followup", offset = "+2wd" }',
            '{ kind = "followup", offset = "+2wd", from = "director" }',
            "ladders.default.steps[4].from",
            "Input should be 'due', 'onward' or 'meeting'",
        ),
        (
            '\n"2569-Q2" = 2026-04-08\n',
            '\n"2026-Q2" = 2026-04-08\n',
            "obligations[quarterly-progress].due_overrides",
            "'2026-Q2': write the fiscal year in B.E., as the bot shows it (\"2569-Q2\")",
        ),
        (
            '\n"2569-Q2" = 2026-04-08\n',
            '\n"April" = 2026-04-08\n',
            "obligations[quarterly-progress].due_overrides",
            "'April' is not a quarter: write e.g. \"2569-Q2\"",
        ),
        (
            '\n"2569-Q2" = 2026-04-08\n',
            '\n"2569-Q2" = 2569-04-08\n',
            "obligations[quarterly-progress].due_overrides.2569-Q2",
            "2569-04-08 looks like a Buddhist-Era year; write 2026-04-08",
        ),
    ],
)
def test_a_ladder_or_an_override_that_cannot_work_is_refused_in_one_sentence(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    path = _config(tmp_path, old, new)
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    assert f"{path}: {key}: {problem}" in str(refused.value)


def test_override_keys_are_read_as_people_type_them(settings: Settings) -> None:
    """Months and years in either era (stored as the database's period keys); quarters as the
    bot names them, in B.E."""
    data = {
        "office": {"name_th": "ส", "name_en": "O"},
        "groups": [{"key": "policy", "name_th": "น", "name_en": "P", "coordinator": True}],
        "obligations": [
            {
                "key": key,
                "title_th": "ร",
                "title_en": "R",
                "measure": "1.2",
                "owners": {"groups": ["policy"]},
                "recurrence": recurrence,
                "ladder": ladder,
                "due_overrides": {written: date(2026, 4, 8)},
            }
            for key, recurrence, ladder, written in (
                ("monthly", {"kind": "monthly", "day": 10}, "default", "2569-04"),
                ("meeting", {"kind": "meeting", "days_before": 1}, "meeting", "2026-4"),
                ("yearly", {"kind": "yearly", "month": 4, "day": 10}, "default", "2569"),
            )
        ],
        "ladders": {
            "meeting": {"steps": [{"kind": "escalation", "offset": "-15m", "from": "meeting"}]}
        },
    }
    parsed = parse_settings(data, source="t.toml")
    assert [list(o.due_overrides) for o in parsed.obligations] == [
        ["2026-04"],
        ["meeting-2026-04"],
        ["2026"],
    ]
    step = LadderStep.model_validate({"kind": "escalation", "offset": "-1wd", "from": "onward"})
    assert step.anchor == "onward" and step.describe() == "escalation -1wd from onward"
    assert isinstance(Ladder(steps=[step]), Ladder)
    monthly: Obligation = parsed.obligations[0]
    assert monthly.due_overrides["2026-04"] == date(2026, 4, 8)


# ---- preview and check-config ----------------------------------------------------------


def _blocks(lines: list[str]) -> list[list[str]]:
    """The preview's periods: a period's line (two spaces in) and the lines under it."""
    blocks: list[list[str]] = []
    for line in lines:
        if line.startswith("  ") and not line.startswith("   "):
            blocks.append([line])
        elif line.startswith("    ") and blocks:
            blocks[-1].append(line)
    return blocks


@pytest.mark.parametrize("overridden", [True, False])
def test_preview_of_2569_every_onward_period_fits_in_working_days_or_is_flagged_with_its_fix(
    tmp_path: Path, overridden: bool
) -> None:
    """Every follow-up and the escalation on a working day before the onward day (the
    escalation at least a working day before it), after the staff due date — or the period
    carries a ⚠ line naming the staff due date that would fit."""
    example = load_settings(EXAMPLE_CONFIG if overridden else without_overrides(tmp_path))
    settings = only(example, "quarterly-progress")  # the disbursement report has the same dates
    calendar = OfficeCalendar.from_office(settings.office)
    text = list(preview_lines(settings, 2569, None, "en"))
    blocks = [b for b in _blocks(text) if any("the office sends to" in line for line in b)]
    assert len(blocks) == 4  # the four quarters of the quarterly report
    flagged = []
    for block, occurrence in zip(
        blocks,
        [period(settings, f"2569-Q{q}", "quarterly-progress") for q in (1, 2, 3, 4)],
        strict=True,
    ):
        assert occurrence.onward_due_at is not None
        onward_day = occurrence.onward_due_at.astimezone(BANGKOK).date()
        instants = steps_of(settings, occurrence)
        kinds = [step.kind for step in settings.ladder("default").steps]
        serving = [
            (kind, moment.astimezone(BANGKOK))
            for kind, moment in zip(kinds, instants, strict=True)
            if kind in ("followup", "escalation")
        ]
        order_by = calendar.shift_working_days(onward_day, -1)
        fits = all(
            calendar.is_working_day(moment.date())
            and moment.date() < onward_day
            and moment > occurrence.due_at
            and (kind != "escalation" or moment.date() <= order_by)
            for kind, moment in serving
        )
        warning = [line for line in block if line.strip().startswith("⚠")]
        if fits:
            assert warning == [], block
        else:
            flagged.append(occurrence.key)
            (line,) = warning
            assert re.search(r"Fix: make this period due by .* \(due_overrides = \{ \"2569-Q", line)
    assert flagged == ([] if overridden else ["2569-Q2"])
    if not overridden:
        (line,) = [line for line in text if "⚠" in line and "OPS" in line]
        assert line.strip() == (
            "⚠ The office sends to Office of the Permanent Secretary (OPS) by 15 April 2026 "
            "(Songkran Festival, a closed day): follow-up no. 1 on 16 April 2026, 08:30 is not "
            "before it; follow-up no. 2 on 17 April 2026, 08:30 is not before it; escalation "
            "to the director on 17 April 2026, 08:30 is not before it. Fix: make this period "
            'due by 8 April 2026 at the latest (due_overrides = { "2569-Q2" = 2026-04-08 }).'
        )


def test_preview_in_thai_shows_the_override_the_closed_onward_day_and_the_meeting(
    settings: Settings,
) -> None:
    text = preview(settings, 2569, None)
    assert (
        "ไตรมาสที่ 2 ปีงบประมาณ พ.ศ. 2569 (รอบ ๖ เดือน): กำหนดส่งภายในวันที่ 8 เมษายน 2569 เวลา 16.30 น."
        in text
    )
    assert "(กำหนดโดย due_overrides ในไฟล์ตั้งค่า แทนวันที่ 10 เมษายน 2569 ตามแผน)" in text
    assert "10 เมษายน 2569 เวลา 13.00 น.  รายงานผู้บังคับบัญชา → ศึกษาธิการจังหวัด" in text
    assert (
        "สำนักงานส่งสำนักงานปลัดกระทรวงศึกษาธิการ (สป.) ภายในวันที่ 15 เมษายน 2569 (วันสงกรานต์ ซึ่งเป็นวันหยุด)\n"
    ) in text
    assert "ภายในวันที่ 15 มกราคม 2569\n" in text  # สป.'s deadline is a date: no 16.30 น.
    assert "13 มกราคม 2569 เวลา 08.45 น.  รายงานผู้บังคับบัญชา" in text
    assert "    การประชุมเจ้าหน้าที่ประจำเดือนวันที่ 13 มกราคม 2569 เวลา 09.00 น.\n" in text
    # the April meeting the rule sets in Songkran: flagged, moved from chat or [meeting] dates
    assert (
        "⚠ การประชุมเจ้าหน้าที่ประจำเดือนวันที่ 14 เมษายน 2569 เวลา 09.00 น. (วันสงกรานต์ "
        "ซึ่งเป็นวันหยุด): ติดตาม ครั้งที่ 1 วันที่ 10 เมษายน 2569 เวลา 08.30 น. "
        "มาก่อนวันครบกำหนดส่งของบุคลากร"
    ) in text
    assert "ไม่ทันก่อนกำหนดนี้" not in text  # every quarter fits


def test_check_config_warns_of_each_period_without_room_and_says_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """This fiscal year and the next: 2569 and 2570 on 5 January 2026; exit 0 as for other
    warnings. The example itself fits."""
    monkeypatch.setattr("bot.cli.system_clock", lambda: at(1, 5))
    assert main(["check-config", str(without_overrides(tmp_path))]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if "quarterly" in line]
    assert [line.split(":", 2)[1] for line in warnings if "WARNING" in line] == [
        " quarterly-progress 2569-Q2",
        " quarterly-progress 2570-Q2",
    ]
    assert warnings[-2].startswith("  WARNING: quarterly-progress 2569-Q2: The office sends to ")
    assert warnings[-2].endswith(
        "Fix: make this period due by 8 April 2026 at the latest "
        '(due_overrides = { "2569-Q2" = 2026-04-08 }).'
    )
    assert warnings[-1].endswith('(due_overrides = { "2570-Q2" = 2027-04-08 }).')
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    assert "quarterly-progress 25" not in capsys.readouterr().out


# ---- the tick ------------------------------------------------------------------------------


def outbox(db: Database, template: str | None = None) -> list[OutboxMessage]:
    with db.transaction() as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    return [m for m in rows if template is None or m.template == template]


@pytest.fixture
def office(db: Database) -> Database:
    return build_office(db)


def test_the_follow_ups_of_q1_2569_name_the_group_the_new_date_and_the_director(
    office: Database, settings: Settings
) -> None:
    planner = Planner(
        only(settings, "quarterly-progress", each_member_of=["admin"]),
        OfficeCalendar.from_office(settings.office),
    )
    planner.materialise(office, at(1, 2))
    for moment in (at(1, 9, 8, 30), at(1, 12, 8, 30), at(1, 13, 8, 30)):
        planner.tick(office, moment)
    follow_ups = [
        m for m in outbox(office, "duty") if m.chat_id == MALEE and m.params["kind"] == "followup"
    ]
    assert [m.params["followup_number"] for m in follow_ups] == [1, 2]
    first, second = (render("duty", m.params, "th", BANGKOK).text for m in follow_ups)
    assert first.startswith("การติดตาม ครั้งที่ 1: รายงานเลยกำหนดส่งแล้ว\n")
    assert (
        "กลุ่มนโยบายและแผนขอติดตาม (ครั้งที่ 1) โปรดจัดส่งภายในวันที่ 14 มกราคม 2569 เวลา "
        "13.00 น. หากพ้นกำหนดจะเสนอบันทึกข้อความต่อศึกษาธิการจังหวัดพิจิตร "
        'เมื่อจัดส่งแล้วโปรดกดปุ่ม "ส่งรายงานแล้ว" ด้านล่าง'
    ) in first
    assert "กลุ่มนโยบายและแผนขอติดตาม (ครั้งที่ 2) โปรดจัดส่งภายในวันที่ 14 มกราคม 2569" in second
    english = render("duty", follow_ups[0].params, "en", BANGKOK).text
    assert (
        "The Policy and Planning Group follows up (no. 1): please send the report by "
        "14 January 2026, 13:00; after that a memo goes to the Phichit Provincial Education "
        "Officer."
    ) in english
    assert outbox(office, "escalation") == []
    planner.tick(office, at(1, 14, 13))
    assert sorted(m.chat_id for m in outbox(office, "escalation")) == [HEAD, COORDINATOR, DIRECTOR]


def test_a_follow_up_caught_up_after_the_escalation_asks_for_the_report_at_once(
    office: Database, settings: Settings
) -> None:
    planner = Planner(
        only(settings, "quarterly-progress", each_member_of=["admin"]),
        OfficeCalendar.from_office(settings.office),
    )
    planner.materialise(office, at(1, 2))
    planner.tick(office, at(1, 14, 14))  # down from the 9th: everything at once
    (caught_up,) = [m for m in outbox(office, "duty") if m.chat_id == MALEE]
    assert "answer_by" not in caught_up.params
    text = render("duty", caught_up.params, "th", BANGKOK).text
    assert "กลุ่มนโยบายและแผนขอติดตาม (ครั้งที่ 2) โปรดจัดส่งรายงานโดยเร็ว" in text


def test_the_onward_reminder_of_songkran_q2_says_what_was_escalated_and_when_to_send(
    office: Database, settings: Settings
) -> None:
    """Q2 2569, due 8 เม.ย. (the override): the memo on Friday the 10th at 13.00, and with it
    the coordinator's reminder, since the 15th is in Songkran and the 10th is the last
    working day before it."""
    planner = Planner(
        only(settings, "quarterly-progress", each_member_of=["admin"]),
        OfficeCalendar.from_office(settings.office),
    )
    planner.materialise(office, at(3, 20))
    for moment in (at(4, 9, 8, 30), at(4, 10, 8, 30)):
        planner.tick(office, moment)
    assert outbox(office, "onward") == []
    planner.tick(office, at(4, 10, 13))
    (onward,) = outbox(office, "onward")
    assert onward.chat_id == COORDINATOR
    assert onward.params["counts"]["escalated"] == 3
    assert [m["name_th"] for m in onward.params["escalated"]] == [
        "สมชาย ใจดี",
        "มาลี ศรีสุข",
        "ประเสริฐ หัวหน้า",
    ]
    assert onward.params["onward_closed"]["send_by"] == "2026-04-10"
    assert onward.params["orders"] == []
    text = render("onward", onward.params, "th", BANGKOK).text
    assert text.startswith(
        "โปรดรวบรวมและส่งต่อรายงานถึงสำนักงานปลัดกระทรวงศึกษาธิการ (สป.) ภายในกำหนดของสำนักงาน\n"
    )
    assert "กำหนดส่งสำนักงานปลัดกระทรวงศึกษาธิการ (สป.): ภายในวันที่ 15 เมษายน 2569\n" in text
    assert "16.30" not in text  # สป. sets a day, not an hour
    assert (
        "วันที่ 15 เมษายน 2569 ตรงกับวันสงกรานต์ ซึ่งสำนักงานปิดทำการ "
        "โปรดจัดส่งภายในวันที่ 10 เมษายน 2569 ซึ่งเป็นวันทำการสุดท้ายก่อนกำหนด"
    ) in text
    assert "รายงานผู้บังคับบัญชาแล้ว 3 ราย ดังนี้\n1. สมชาย ใจดี (กลุ่มอำนวยการ)\n" in text
    assert "ข้อสั่งการ" not in text  # none yet
    # the director orders on the period's memo: a reminder written after it names the order
    with office.transaction() as session:
        (memo,) = memos.memos_of_period(session, onward.params["period_id"])
        assert memo.id is not None
        director = people.holders_of(session, Role.DIRECTOR)[0].id
        proposed = at(4, 10, 14)
        assert memos.propose(session, memo.id, by_staff_id=None, to_staff_id=None, now=proposed)
        order = memos.Order("deadline", "ให้ส่งภายในวันนี้", director or 0, at(4, 10, 17))
        assert memos.record_order(session, memo.id, order, now=at(4, 10, 15))
    with office.transaction() as session:  # the next tick's transaction
        orders = duty_orders(session, onward.params["period_id"])
    said = render("onward", {**onward.params, "orders": orders}, "th", BANGKOK).text
    assert said.endswith(
        f"ข้อสั่งการของผู้บังคับบัญชา\n- บันทึกข้อความที่ {memo.number}/{memo.fiscal_year}: "
        "ให้ผู้รับผิดชอบจัดส่งรายงานโดยด่วน “ให้ส่งภายในวันนี้” (ภายในวันที่ 10 เมษายน 2569)"
    )
    english = render("onward", onward.params, "en", BANGKOK).text
    assert (
        "15 April 2026 is Songkran Festival, a day the office is closed: send by 10 April 2026, "
        "the last working day before it."
    ) in english


def test_the_meeting_report_reaches_the_director_before_the_meeting(
    db: Database, settings: Settings
) -> None:
    join(db, SOMCHAI, "สมชาย ใจดี", "development", Role.STAFF, at(1, 2))
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR, at(1, 2))
    planner = Planner(
        only(settings, "eservice-update"), OfficeCalendar.from_office(settings.office)
    )
    planner.materialise(db, at(1, 2))
    planner.tick(db, at(1, 13, 8, 30))  # the meeting is at 09.00 on Tuesday the 13th
    (follow_up,) = [m for m in outbox(db, "duty") if m.params["kind"] == "followup"]
    assert datetime.fromisoformat(follow_up.params["answer_by"]) == at(1, 13, 8, 45)
    assert outbox(db, "escalation") == []
    planner.tick(db, at(1, 13, 8, 45))
    (escalation,) = outbox(db, "escalation")
    assert escalation.chat_id == DIRECTOR and escalation.created_at < at(1, 13, 9)
