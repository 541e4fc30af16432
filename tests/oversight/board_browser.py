"""For the board's browser tests: the office (filled by the real planner), the running bot with
its board on a free port, and a real headless Chromium (Debian's, driven by Playwright).

Chromium is never downloaded: it is /usr/bin/chromium (``apt-get install -y chromium``) or
``$STAFF_REPORT_BOT_CHROMIUM``. Where it is missing the tests are skipped with the reason,
unless CI asks for them (``STAFF_REPORT_BOT_REQUIRE_BROWSER=1`` or
``STAFF_REPORT_BOT_REQUIRE_POSTGRES=1``): then they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from jobs.calendar import OfficeCalendar
from jobs.settings import BoardSettings, Settings
from jobs.tick import Planner
from storage import people
from storage.db import Database
from storage.models import Role
from tests.duties.test_tick import COORDINATOR, DIRECTOR, HEAD, MALEE, SOMCHAI, bkk, join, only
from tests.harness import Clock, Harness, running_bot

DEPUTY = 41  # a member of the policy group, staff
POLICY_HEAD = 42  # the policy group's head
REQUIRING = ("STAFF_REPORT_BOT_REQUIRE_BROWSER", "STAFF_REPORT_BOT_REQUIRE_POSTGRES")
__all__ = ["COORDINATOR", "DIRECTOR", "HEAD", "MALEE", "SOMCHAI", "bkk"]


def chromium_path() -> str:
    found = os.environ.get("STAFF_REPORT_BOT_CHROMIUM") or shutil.which("chromium")
    if found and Path(found).exists():
        return found
    problem = "no Chromium: apt-get install -y chromium (or set STAFF_REPORT_BOT_CHROMIUM)"
    if any(os.environ.get(name) == "1" for name in REQUIRING):
        pytest.fail(f"{problem} (CI requires the browser tests)")
    pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_board(settings: Settings, port: int, **changes: Any) -> Settings:
    values = {"listen": f"127.0.0.1:{port}", "public_url": f"http://127.0.0.1:{port}", **changes}
    board = BoardSettings(**values)
    copy = settings.model_copy(update={"board": board})
    copy._source = settings.source
    return copy


def fill_office(db: Database) -> None:
    """Two groups: Administration (two staff and its head), Policy (the coordinator, a staff
    member and its head); the director in none."""
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    join(db, HEAD, "ประเสริฐ หัวหน้า", "admin", Role.GROUP_HEAD)
    join(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    join(db, DEPUTY, "สุดา นโยบาย", "policy", Role.STAFF)
    join(db, POLICY_HEAD, "อำนาจ นำแผน", "policy", Role.GROUP_HEAD)
    join(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR)


@dataclass
class Office:
    bot: Harness
    planner: Planner
    base: str  # the board's address

    def tick(self, moment: Any) -> None:
        self.bot.clock.now = moment
        self.planner.tick(self.bot.db, moment)

    async def link(self, user_id: int) -> str:
        """What /board sends ``user_id``: the one-time link in it."""
        (text,) = await self.bot.say(user_id, "/board")
        found = re.search(r"http://\S+/signin\?t=\S+", text)
        assert found, text
        return found.group(0)

    def staff_id(self, user_id: int) -> int:
        with self.bot.db.transaction() as session:
            person = people.by_telegram_user(session, user_id)
        assert person is not None
        return person.id


@asynccontextmanager
async def running_office(
    db: Database,
    settings: Settings,
    *,
    keys: tuple[str, ...] = ("quarterly-progress",),
    **board: Any,
) -> AsyncIterator[Office]:
    plan = only(settings, *keys, each_member_of=["admin", "policy"])
    port = free_port()
    plan = with_board(plan, port, **board)
    fill_office(db)
    planner = Planner(plan, OfficeCalendar.from_office(plan.office))
    planner.materialise(db, bkk(1, 2))
    async with running_bot(db, plan, Clock(bkk(1, 2))) as harness:
        yield Office(harness, planner, f"http://127.0.0.1:{port}")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    path = chromium_path()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page: Page, link: str) -> None:
    """Open the /board link and press the page's button, as a person would."""
    await page.goto(link)
    await page.click("#signin")
    await page.wait_for_selector("table.grid, p.message", timeout=10000)


async def cell_state(page: Page, name: str) -> str:
    """The state (css) of the first cell in the row of ``name``."""
    row = page.locator("tr", has=page.locator("th.name", has_text=name))
    return str(await row.locator("td.cell").first.get_attribute("data-state"))


async def row_names(page: Page) -> list[str]:
    return [n.strip() for n in await page.locator("tbody tr[data-row] th.name").all_inner_texts()]
