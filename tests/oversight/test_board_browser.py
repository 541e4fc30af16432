"""The board in a real headless Chromium, against the bot's own server and a database filled by
the real planner: sign-in by a /board link, the grid, the actions, who sees what, and what is
refused."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from aiohttp import ClientSession, web
from playwright.async_api import Browser
from sqlmodel import select

from bot.oversight.board.initdata import sign
from jobs.settings import Settings
from storage import audit, people, schedule
from storage.db import Database
from storage.models import AssignmentStatus, OutboxMessage
from tests.duties.test_tick import q1_assignment
from tests.harness import TOKEN
from tests.oversight.board_browser import (
    COORDINATOR,
    DEPUTY,
    DIRECTOR,
    HEAD,
    MALEE,
    POLICY_HEAD,
    SOMCHAI,
    Office,
    bkk,
    cell_state,
    chromium,
    free_port,
    row_names,
    running_office,
    sign_in,
)

SCREENSHOT = os.environ.get("STAFF_REPORT_BOT_BOARD_SCREENSHOT")  # e.g. docs/board-grid.png


@pytest.fixture
async def office(db: Database, settings: Settings) -> AsyncIterator[Office]:
    async with running_office(db, settings) as found:
        with found.bot.db.transaction() as session:
            somchai = people.by_telegram_user(session, SOMCHAI)
            assert somchai is not None
            schedule.confirm(
                session,
                q1_assignment(found.bot.db, SOMCHAI).id or 0,
                person=somchai,
                now=bkk(1, 9),
                via="button",
            )
        found.tick(bkk(1, 13, 9))
        yield found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as found:
        yield found


async def test_the_coordinator_signs_in_by_link_sees_the_grid_and_marks_a_paper_submission(
    office: Office, browser: Browser
) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(COORDINATOR))
    heading = await page.inner_text("table.grid thead")
    assert "รายงานผลการดำเนินงานโครงการ" in heading
    assert "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568" in heading and "10 มกราคม 2568" in heading
    names = await row_names(page)
    assert {"สมชาย ใจดี", "มาลี ศรีสุข", "ประเสริฐ หัวหน้า", "สุดา นโยบาย"} <= set(names)
    assert await cell_state(page, "สมชาย ใจดี") == "on-time"
    assert await cell_state(page, "มาลี ศรีสุข") in ("overdue", "escalated")
    malee_cell = page.locator("tr", has=page.locator("th.name", has_text="มาลี ศรีสุข"))
    assert "เกิน 3 วัน" in await malee_cell.inner_text()
    cookie = next(c for c in await page.context.cookies() if c["name"] == "board_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    await malee_cell.locator("a.act").click()
    await page.locator("input[name=date]").fill("10/1/2568")
    await page.locator("button[value=paper]").click()
    await page.wait_for_selector("p.notice")
    assert "ตามกำหนด" in await page.inner_text("p.notice")
    assert await cell_state(page, "มาลี ศรีสุข") == "paper"
    malee = q1_assignment(office.bot.db, MALEE)
    assert malee.status == AssignmentStatus.ON_TIME.value
    with office.bot.db.transaction() as session:
        events = audit.events(session, subject_type="assignment", subject_id=malee.id)
    (confirmed,) = [e for e in events if e.action == "assignment.confirmed"]
    assert confirmed.details["via"] == "paper"
    assert confirmed.actor_staff_id == office.staff_id(COORDINATOR)


async def test_a_tampered_assignment_is_answered_politely_and_changes_nothing(
    office: Office, browser: Browser
) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(COORDINATOR))
    malee_cell = page.locator("tr", has=page.locator("th.name", has_text="มาลี ศรีสุข"))
    await malee_cell.locator("a.act").click()
    malee = q1_assignment(office.bot.db, MALEE)
    for tampered in ("²⁵", "-1", "9" * 40):  # "²".isdigit() is true, int("²") fails
        paper_form = page.locator("form", has=page.locator("button[value=paper]"))
        await paper_form.locator("input[name=assignment]").evaluate(
            "(field, value) => { field.value = value; }", tampered
        )
        await page.locator("input[name=date]").fill("10/1/2568")
        await page.locator("button[value=paper]").click()
        await page.wait_for_selector("p.notice")
        assert "ไม่มีการเปลี่ยนแปลง" in await page.inner_text("p.notice")
        await page.go_back()
    assert q1_assignment(office.bot.db, MALEE).status == malee.status


async def test_the_director_excuses_and_reminds_from_the_board(
    office: Office, browser: Browser
) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(DIRECTOR))
    row = page.locator("tr", has=page.locator("th.name", has_text="มาลี ศรีสุข"))
    await row.locator("a.act").click()
    assert await page.locator("button[value=paper]").count() == 0  # the coordinator's alone
    await page.locator("input[name=reason]").fill("ลาคลอดตามระเบียบ")
    await page.locator("button[value=excuse]").click()
    await page.wait_for_selector("p.notice")
    assert await cell_state(page, "มาลี ศรีสุข") == "excused"
    assert "ลาคลอดตามระเบียบ" in await row.inner_text()
    malee = q1_assignment(office.bot.db, MALEE)
    assert malee.status == AssignmentStatus.EXCUSED.value
    with office.bot.db.transaction() as session:
        events = audit.events(session, subject_type="assignment", subject_id=malee.id)
    (excused,) = [e for e in events if e.action == "assignment.excused"]
    assert excused.details["reason"] == "ลาคลอดตามระเบียบ"
    assert excused.actor_staff_id == office.staff_id(DIRECTOR)

    head = page.locator("tr", has=page.locator("th.name", has_text="ประเสริฐ หัวหน้า"))
    await head.locator("a.act").click()
    await page.locator("button[value=remind]").click()
    await page.wait_for_selector("p.notice")
    assert "ประเสริฐ หัวหน้า" in await page.inner_text("p.notice")
    head_assignment = q1_assignment(office.bot.db, HEAD)
    with office.bot.db.transaction() as session:
        again = [
            m
            for m in session.exec(select(OutboxMessage)).all()
            if m.assignment_id == head_assignment.id and ":again-" in m.idempotency_key
        ]
        events = audit.events(session, subject_type="assignment", subject_id=head_assignment.id)
    assert len(again) == 1
    assert [e.action for e in events].count("assignment.reminded_again") == 1


async def test_a_group_head_sees_their_group_and_staff_see_themselves(
    office: Office, browser: Browser
) -> None:
    head = await (await browser.new_context()).new_page()
    await sign_in(head, await office.link(POLICY_HEAD))
    assert set(await row_names(head)) == {"วิภา ประสานงาน", "สุดา นโยบาย", "อำนาจ นำแผน"}
    staff = await (await browser.new_context()).new_page()
    await sign_in(staff, await office.link(MALEE))
    assert await row_names(staff) == ["มาลี ศรีสุข"]
    assert await staff.locator("a.act").count() == 0
    somchais = q1_assignment(office.bot.db, SOMCHAI)
    response = await staff.goto(f"{office.base}/act/{somchais.id}")
    assert response is not None and response.status == 404  # not theirs to see
    # a person's year: their own, yes; someone else's, no
    await staff.goto(f"{office.base}/person/{office.staff_id(MALEE)}")
    assert "มาลี ศรีสุข" in await staff.inner_text("h1")
    response = await staff.goto(f"{office.base}/person/{office.staff_id(SOMCHAI)}")
    assert response is not None and response.status == 404


async def test_a_used_link_an_expired_link_and_a_deactivated_person_are_refused(
    office: Office, browser: Browser
) -> None:
    link = await office.link(COORDINATOR)
    first = await (await browser.new_context()).new_page()
    await sign_in(first, link)
    assert await first.locator("table.grid").count() == 1
    second = await (await browser.new_context()).new_page()
    await sign_in(second, link)
    assert "ใช้ไปแล้ว" in await second.inner_text("p.message")
    assert await second.locator("table.grid").count() == 0

    stale = await office.link(DIRECTOR)
    office.bot.clock.advance(minutes=6)
    late = await (await browser.new_context()).new_page()
    await sign_in(late, stale)
    assert "หมดอายุ" in await late.inner_text("p.message")

    unused = await office.link(COORDINATOR)
    with office.bot.db.transaction() as session:
        people.set_active(
            session,
            office.staff_id(COORDINATOR),
            False,
            actor=people.Actor("test"),
            now=office.bot.clock.now,
        )
    refused = await (await browser.new_context()).new_page()
    await sign_in(refused, unused)
    assert "ไม่เปิดให้" in await refused.inner_text("p.message")
    await first.reload()
    assert await first.locator("table.grid").count() == 0  # signed out at once
    assert "ไม่เปิดให้" in await first.inner_text("p.message")


async def test_a_cross_site_form_post_is_refused(office: Office, browser: Browser) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(COORDINATOR))
    malee = q1_assignment(office.bot.db, MALEE)
    evil = web.Application()
    form = (
        f'<form method="post" action="{office.base}/paper" id="f">'
        f'<input name="assignment" value="{malee.id}"><input name="date" value="วันนี้">'
        "</form><script>document.getElementById('f').submit()</script>"
    )

    async def attack(request: web.Request) -> web.Response:
        return web.Response(text=form, content_type="text/html")

    evil.router.add_get("/", attack)
    runner = web.AppRunner(evil)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        for origin in (f"http://localhost:{port}", f"http://127.0.0.1:{port}"):
            await page.goto(origin)
            await page.wait_for_url(f"{office.base}/paper")
            assert "ไม่ได้มาจาก" in await page.inner_text("p.message") or (
                "กรุณาเข้าสู่ระบบ" in await page.inner_text("p.message")
            )
    finally:
        await runner.cleanup()
    assert q1_assignment(office.bot.db, MALEE).status == malee.status


async def test_a_form_without_its_token_is_refused_even_from_the_board(
    office: Office, browser: Browser
) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(COORDINATOR))
    malee = q1_assignment(office.bot.db, MALEE)
    response = await page.request.post(
        f"{office.base}/paper",
        form={"assignment": str(malee.id), "date": "วันนี้", "csrf": "guessed"},
        headers={"Origin": office.base},
    )
    assert response.status == 403
    assert q1_assignment(office.bot.db, MALEE).status == malee.status


async def test_over_https_board_sends_a_mini_app_button_and_no_link_preview(
    db: Database, settings: Settings
) -> None:
    https = "https://board.example.go.th"
    async with running_office(db, settings, public_url=https) as office:
        (text,) = await office.bot.say(DIRECTOR, "/board")
        assert f"{https}/signin?t=" in text
        sent = office.bot.last(DIRECTOR)
        (row,) = (sent.reply_markup or {})["inline_keyboard"]
        assert row[0]["web_app"] == {"url": f"{https}/app"}
        assert sent.params.get("link_preview_options") == {"is_disabled": True}


async def test_the_board_link_is_refused_to_a_role_the_board_leaves_out(
    db: Database, settings: Settings
) -> None:
    async with running_office(db, settings, roles=["coordinator", "director"]) as office:
        (refused,) = await office.bot.say(MALEE, "/board")
        assert refused.startswith("ขออภัย")
        assert "signin" not in refused
        (text,) = await office.bot.say(COORDINATOR, "/board")
        assert "/signin?t=" in text
        (staff_help,) = await office.bot.say(MALEE, "/help")  # nor is the door shown to her
        (coordinator_help,) = await office.bot.say(COORDINATOR, "/help")
        assert "/board" not in staff_help and "/board —" in coordinator_help
        # nor does Telegram's own signed initData open it to her
        signed = unquote(_init_data(MALEE, office.bot.clock.now))
        async with (
            ClientSession() as client,
            client.post(
                f"{office.base}/app/signin",
                data={"init_data": signed},
                headers={"Origin": office.base},
                allow_redirects=False,
            ) as response,
        ):
            assert response.status == 403
            assert "ไม่เปิดให้" in await response.text()
            assert "board_session" not in response.cookies


def _init_data(user_id: int, at: datetime, token: str = TOKEN) -> str:
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "x"}),
        "auth_date": str(int(at.timestamp())),
    }
    return quote(sign(fields, token), safe="")


async def test_the_mini_app_signs_in_with_telegrams_initdata_and_refuses_a_forged_one(
    office: Office, browser: Browser
) -> None:
    now = office.bot.clock.now
    forged = await (await browser.new_context()).new_page()
    await forged.goto(f"{office.base}/app#tgWebAppData={_init_data(COORDINATOR, now, 'x:y')}")
    await forged.wait_for_selector("p.message")
    assert "ไม่สามารถยืนยัน" in await forged.inner_text("p.message")
    assert await forged.locator("table.grid").count() == 0

    old = await (await browser.new_context()).new_page()
    stale = _init_data(COORDINATOR, now - timedelta(hours=2))
    await old.goto(f"{office.base}/app#tgWebAppData={stale}&tgWebAppVersion=8.0")
    await old.wait_for_selector("p.message")
    assert await old.locator("table.grid").count() == 0

    page = await (await browser.new_context()).new_page()
    await page.goto(f"{office.base}/app#tgWebAppData={_init_data(COORDINATOR, now)}")
    await page.wait_for_selector("table.grid")
    assert "มาลี ศรีสุข" in await row_names(page)
    with office.bot.db.transaction() as session:
        signed_in = [e for e in audit.events(session) if e.action == "board.signed_in"]
    assert [e.details["via"] for e in signed_in] == ["webapp"]


async def test_english_on_request_and_signing_out(office: Office, browser: Browser) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(COORDINATOR))
    await page.click("a[lang=en]")
    await page.wait_for_selector("table.grid")
    assert "sent on time" in await page.inner_text("table.grid")
    assert "10 January 2025" in await page.inner_text("table.grid thead")  # as the chat's English
    await page.click("nav button[type=submit]")
    await page.wait_for_selector("p.message")
    assert "signed out" in await page.inner_text("p.message")
    await page.goto(office.base)
    assert await page.locator("table.grid").count() == 0

    again = await (await browser.new_context()).new_page()
    await sign_in(again, await office.link(DIRECTOR))
    office.bot.clock.advance(hours=12, minutes=1)  # [board] session_hours = 12
    await again.reload()
    assert await again.locator("table.grid").count() == 0
    assert "กรุณาเข้าสู่ระบบ" in await again.inner_text("p.message")


async def test_a_group_head_may_excuse_only_their_own_group(
    office: Office, browser: Browser
) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(HEAD))
    assert set(await row_names(page)) == {"สมชาย ใจดี", "มาลี ศรีสุข", "ประเสริฐ หัวหน้า"}
    own = page.locator("tr", has=page.locator("th.name", has_text="ประเสริฐ หัวหน้า"))
    assert await own.locator("a.act").count() == 0  # never one's own
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    assert csrf
    other = q1_assignment(office.bot.db, COORDINATOR)  # the policy group's
    response = await page.request.post(
        f"{office.base}/excuse",
        form={"assignment": str(other.id), "reason": "ไม่ใช่กลุ่มของตน", "csrf": csrf},
        headers={"Origin": office.base},
    )
    assert response.status == 403
    assert q1_assignment(office.bot.db, COORDINATOR).status == other.status
    with office.bot.db.transaction() as session:
        events = audit.events(session, subject_type="assignment", subject_id=other.id)
    (refused,) = [e for e in events if e.action == "assignment.escalation_answer_refused"]
    assert refused.details == {"action": "x", "reason": "other_group", "via": "board"}

    malee = page.locator("tr", has=page.locator("th.name", has_text="มาลี ศรีสุข"))
    await malee.locator("a.act").click()
    assert await page.locator("button[value=paper]").count() == 0
    await page.locator("input[name=reason]").fill("ไปราชการต่างจังหวัด")
    await page.locator("button[value=excuse]").click()
    await page.wait_for_selector("p.notice")
    assert q1_assignment(office.bot.db, MALEE).status == AssignmentStatus.EXCUSED.value


async def test_rates_chart_and_evidence_workbook_for_the_director_only(
    office: Office, browser: Browser
) -> None:
    director = await (await browser.new_context(accept_downloads=True)).new_page()
    await sign_in(director, await office.link(DIRECTOR))
    await director.click("a[href='/rates']")
    await director.wait_for_selector("img.chart")
    assert "ปีงบประมาณ พ.ศ. 2568" in await director.inner_text("h1")
    width = await director.eval_on_selector("img.chart", "i => i.complete && i.naturalWidth")
    assert width and width > 300
    async with director.expect_download() as waiting:
        await director.click("a[href^='/evidence.xlsx']")
    download = await waiting.value
    assert download.suggested_filename == "ita-evidence-2568.xlsx"
    saved = await download.path()
    assert (await asyncio.to_thread(Path(saved).read_bytes))[:2] == b"PK"
    for typed in ("²⁵⁶⁸", "1999", "next"):  # a year no workbook is for: a polite 400
        response = await director.goto(f"{office.base}/evidence.xlsx?fy={typed}")
        assert response is not None and response.status == 400
        assert "ปีงบประมาณ" in await director.inner_text("body")
    response = await director.goto(f"{office.base}/?group=²&period=99999999999")  # ignored
    assert response is not None and response.status == 200

    staff = await (await browser.new_context()).new_page()
    await sign_in(staff, await office.link(SOMCHAI))
    assert await staff.locator("a[href='/rates']").count() == 0
    for address in ("/rates", "/rates.png", "/evidence.xlsx"):
        response = await staff.goto(f"{office.base}{address}")
        assert response is not None and response.status == 403


async def test_each_state_has_its_colour_and_thai_label(
    db: Database, settings: Settings, browser: Browser
) -> None:
    """Two reports; on time, late, paper, excused, on leave, unreachable, reported to the
    director. The README's screenshot is this grid (STAFF_REPORT_BOT_BOARD_SCREENSHOT)."""
    keys = ("quarterly-progress", "procurement-summary")
    async with running_office(db, settings, keys=keys) as office:
        db, coordinator = office.bot.db, _person(office, COORDINATOR)
        with db.transaction() as session:
            for user_id, moment, via in (
                (SOMCHAI, bkk(1, 9), "button"),
                (MALEE, bkk(1, 13), "button"),
            ):
                schedule.confirm(
                    session,
                    q1_assignment(db, user_id).id or 0,
                    person=_person(office, user_id),
                    now=moment,
                    via=via,
                )
            schedule.confirm(
                session,
                q1_assignment(db, HEAD).id or 0,
                person=coordinator,
                now=bkk(1, 13),
                via="paper",
                received_at=bkk(1, 10, 15),
                on_behalf=True,
            )
        office.tick(bkk(1, 20, 9))
        with db.transaction() as session:
            schedule.excuse(
                session,
                q1_assignment(db, COORDINATOR).id or 0,
                person=_person(office, DIRECTOR),
                reason="ไปราชการต่างประเทศ",
                now=bkk(1, 20, 9),
            )
            office_leave(session, office.staff_id(DEPUTY), office.staff_id(DEPUTY))
            people.mark_unreachable(session, office.staff_id(POLICY_HEAD), "blocked")
        page = await browser.new_page()
        await page.set_viewport_size({"width": 1100, "height": 760})
        await sign_in(page, await office.link(DIRECTOR))
        expected = {
            "สมชาย ใจดี": ("on-time", "ส่งตามกำหนด"),
            "มาลี ศรีสุข": ("late", "ส่งล่าช้า"),
            "ประเสริฐ หัวหน้า": ("paper", "ส่งเป็นเอกสาร"),
            "วิภา ประสานงาน": ("excused", "ไปราชการต่างประเทศ"),
            "สุดา นโยบาย": ("leave", "ลา"),
            "อำนาจ นำแผน": ("unreachable", "ติดต่อไม่ได้"),
        }
        for name, (state, words) in expected.items():
            row = page.locator("tr", has=page.locator("th.name", has_text=name))
            assert await cell_state(page, name) == state, name
            assert words in await row.locator("td.cell").first.inner_text(), name
        somchai = page.locator("tr", has=page.locator("th.name", has_text="สมชาย ใจดี"))
        second = somchai.locator("td.cell").nth(1)
        assert await second.get_attribute("data-state") == "escalated"
        assert "รายงานผู้บังคับบัญชาแล้ว" in await second.inner_text()
        if SCREENSHOT:
            await page.screenshot(path=str(Path(SCREENSHOT)), full_page=True)


def _person(office: Office, user_id: int) -> people.Person:
    with office.bot.db.transaction() as session:
        found = people.by_telegram_user(session, user_id)
    assert found is not None
    return found


def office_leave(session: Any, staff_id: int, by: int) -> None:
    from storage import office as office_rows

    office_rows.add_leave(
        session, staff_id, date(2025, 1, 15), date(2025, 1, 24), by_staff_id=by, now=bkk(1, 14)
    )


async def test_filters_by_group_report_and_period(office: Office, browser: Browser) -> None:
    page = await browser.new_page()
    await sign_in(page, await office.link(COORDINATOR))
    async with page.expect_navigation():  # the filters apply on change (a little script)
        await page.select_option("select[name=group]", label="กลุ่มอำนวยการ")
    assert set(await row_names(page)) == {"สมชาย ใจดี", "มาลี ศรีสุข", "ประเสริฐ หัวหน้า"}
    async with page.expect_navigation():
        await page.select_option("select[name=obligation]", value="quarterly-progress")
    periods = await page.locator("select[name=period] option").all_inner_texts()
    assert periods[0] == "10 ม.ค. 2568" and len(periods) == 2  # and the one before it
    async with page.expect_navigation():
        await page.select_option("select[name=period]", index=1)
    heading = await page.inner_text("table.grid thead")
    assert "ไตรมาสที่ 4 ปีงบประมาณ พ.ศ. 2567" in heading


async def test_the_acting_officer_sees_the_office_and_answers_as_the_director(
    office: Office, browser: Browser
) -> None:
    from storage import office as office_rows

    director, deputy = office.staff_id(DIRECTOR), office.staff_id(DEPUTY)
    with office.bot.db.transaction() as session:
        office_rows.add_leave(
            session,
            director,
            date(2025, 1, 13),
            date(2025, 1, 17),
            by_staff_id=director,
            now=bkk(1, 10),
            acting_staff_id=deputy,
        )
    page = await browser.new_page()
    await sign_in(page, await office.link(DEPUTY))
    assert "สมชาย ใจดี" in await row_names(page)  # the whole office, for today
    malee = page.locator("tr", has=page.locator("th.name", has_text="มาลี ศรีสุข"))
    await malee.locator("a.act").click()
    await page.locator("input[name=reason]").fill("ผู้รักษาราชการแทนอนุญาต")
    await page.locator("button[value=excuse]").click()
    await page.wait_for_selector("p.notice")
    assert q1_assignment(office.bot.db, MALEE).status == AssignmentStatus.EXCUSED.value
