"""The board's grid for an office of 300 people and 7 obligations, beside /status.

The example config's first seven obligations, each owed by every member of the four groups
(2,100 cells: the worst case; a real office owes some as a group), materialised by the real
planner at the start of fiscal year 2568 for 300 people registered in bulk (75 a group) and
a coordinator. At the instant measured (Tue 20 May 2025, 10.00 Bangkok) every obligation has
a current period; the assignments of periods already due are given a mix of states (70% on
time, 10% late, 5% excused, 5% escalated, 10% not yet sent).

The board runs as ``run`` starts it (``bot.oversight.board.web.start``: aiohttp on this
event loop, the real database); the coordinator's session is opened with the storage function
sign-in uses. Each page is fetched over loopback; the server's own time is the board's
``Server-Timing`` header (from the request reaching the handler to the page rendered: the
transaction that reads the grid and the template), the round trip is the client's.

/status for the same data runs the handler's own functions (``_current`` and
``_period_text``: the obligations' current periods, each period's rows, leave and groups
read in transactions on the worker thread, and the text built), minus sending to Telegram.

    python -m bench.board_grid [--runs 30] [--backend sqlite|postgres|both] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy import update
from sqlmodel import col, select

from bench.common import (
    TOKEN,
    add_staff,
    backends,
    database,
    example_settings,
    guard_network,
    header,
    prepared_database,
    with_obligations,
)
from bot.common.i18n import translator
from bot.common.services import Services
from bot.features import CATALOG
from bot.oversight import handlers
from bot.oversight.board import web
from jobs.calendar import OfficeCalendar
from jobs.settings import BoardSettings, Settings
from jobs.tick import Planner
from storage import board
from storage.db import Database
from storage.models import Assignment, AssignmentStatus, Period

BANGKOK = ZoneInfo("Asia/Bangkok")
START = datetime(2024, 10, 1, 9, 0, tzinfo=BANGKOK)  # the fiscal year's first day
NOW = datetime(2025, 5, 20, 10, 0, tzinfo=BANGKOK).astimezone(UTC)
GROUPS = ["policy", "admin", "personnel", "development"]
PORT = 18_481
MIX = [
    (0.70, AssignmentStatus.ON_TIME),
    (0.10, AssignmentStatus.LATE),
    (0.05, AssignmentStatus.EXCUSED),
    (0.05, AssignmentStatus.ESCALATED),
]


def bench_settings(port: int) -> Settings:
    settings = example_settings()
    everyone = {"each_member_of": GROUPS, "groups": [], "each_with_role": []}
    chosen = [  # owed by every member, nobody else
        o.model_copy(update={"owners": o.owners.model_copy(update=everyone)})
        for o in settings.obligations[:7]
    ]
    copy = with_obligations(settings, chosen)
    board_settings = BoardSettings(
        listen=f"127.0.0.1:{port}", public_url=f"http://127.0.0.1:{port}"
    )
    final = copy.model_copy(update={"board": board_settings})
    final._source = settings.source
    return final


def build(db: Database, settings: Settings, people: int) -> int:
    """Register the office, materialise the year, give the due assignments their states;
    return the coordinator's staff id."""
    per_group = people // len(GROUPS)
    for index, group in enumerate(GROUPS):
        first = 20_000_000 + index * 1_000
        add_staff(db, range(first, first + per_group), group=group)
    coordinator = add_staff(db, [29_999_999], group="policy", role="coordinator")[29_999_999]
    planner = Planner(settings, OfficeCalendar.from_office(settings.office))
    planner.materialise(db, START.astimezone(UTC))
    chance = random.Random(2568)
    with db.transaction() as session:
        due = session.exec(
            select(Assignment.id)
            .join(Period, col(Period.id) == col(Assignment.period_id))
            .where(col(Period.due_at) <= NOW)
        ).all()
        by_status: dict[str, list[int]] = {}
        for assignment_id in due:
            roll, state = chance.random(), AssignmentStatus.PENDING
            for share, candidate in MIX:
                if roll < share:
                    state = candidate
                    break
                roll -= share
            by_status.setdefault(state.value, []).append(assignment_id or 0)
        for status, ids in by_status.items():
            for chunk in range(0, len(ids), 900):
                session.execute(
                    update(Assignment)
                    .where(col(Assignment.id).in_(ids[chunk : chunk + 900]))
                    .values(status=status, next_action_at=None),
                    execution_options={"synchronize_session": False},
                )
    return coordinator


@dataclass
class _Turn:
    """What ``handlers._period_text`` reads of a Turn: the database, language, zone, today."""

    db: Database
    language: str = "th"
    zone: ZoneInfo = BANGKOK

    def __post_init__(self) -> None:
        self._ = translator(self.language)

    def today(self) -> Any:
        return NOW.astimezone(self.zone).date()

    async def run(self, work: Any) -> Any:
        return await self.db.run(work)


async def status_text(db: Database, key: str = "") -> tuple[float, int]:
    """/status [key]'s work, timed: seconds, characters written."""
    turn = _Turn(db)
    started = time.perf_counter()
    _active, shown = await db.run(lambda s: handlers._current(s, key, NOW + handlers.LIVE_AHEAD))
    texts = [await handlers._period_text(turn, o, p) for o, p in shown]  # type: ignore[arg-type]
    return time.perf_counter() - started, sum(len(t) for t in texts)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Timing:
    label: str
    server: list[float]
    round_trip: list[float]
    size: int
    gzipped: int


async def fetch_pages(base: str, cookie: str, query: str, runs: int) -> Timing:
    server, trip, size, body = [], [], 0, b""
    async with aiohttp.ClientSession(cookies={web.COOKIE: cookie}) as client:
        for attempt in range(runs + 2):  # two warm-ups
            started = time.perf_counter()
            async with client.get(f"{base}/{query}") as response:
                body = await response.read()
                assert response.status == 200, response.status
                timing = response.headers["Server-Timing"]
            elapsed = time.perf_counter() - started
            if attempt >= 2:
                trip.append(elapsed)
                server.append(float(timing.split("dur=")[1]) / 1000)
                size = len(body)
    return Timing(query or "/", server, trip, size, len(gzip.compress(body)))


async def measure(backend: str, people: int, runs: int) -> None:
    with database(backend, "bench_board") as url:
        settings = bench_settings(PORT)
        db = prepared_database(url, settings)
        coordinator = build(db, settings, people)
        with db.transaction() as session:
            cells = session.exec(
                select(Assignment.id)
                .join(Period, col(Period.id) == col(Assignment.period_id))
                .where(col(Period.due_at) <= NOW + timedelta(days=7))
            ).all()
            opened = board.open_session(
                session, coordinator, via="link", now=NOW, valid_for=timedelta(hours=1)
            )
        services = Services(settings, db, lambda: NOW)
        services.catalog = CATALOG
        runner = await web.start(services, TOKEN)
        try:
            base = f"http://127.0.0.1:{PORT}"
            key = settings.obligations[0].key
            pages = [
                await fetch_pages(base, opened.token, "", runs),
                await fetch_pages(base, opened.token, f"?obligation={key}", runs),
            ]
        finally:
            await runner.cleanup()
        status_all = [await status_text(db) for _ in range(runs + 2)][2:]
        status_one = [await status_text(db, key) for _ in range(runs + 2)][2:]
        db.dispose()
    print(
        f"\n-- {backend}: {people + 1} people, 7 obligations, "
        f"{len(cells)} assignments due so far this year"
    )
    print(f"{'what':44} {'p50 ms':>8} {'p95 ms':>8} {'size':>10}")
    labels = ("board grid, all 7 (server)", "board grid, one (server)")
    for page, label in zip(pages, labels, strict=True):
        print(_line(label, page.server, page.size, "B") + f" ({page.gzipped // 1024} KiB gzipped)")
        print(_line("  … round trip over loopback", page.round_trip, page.size, "B"))
    print(_line("/status, all 7 (text built)", [t for t, _ in status_all], status_all[0][1], "ch"))
    print(
        _line("/status <key>, one (text built)", [t for t, _ in status_one], status_one[0][1], "ch")
    )


def _line(label: str, seconds: list[float], size: int, unit: str) -> str:
    p50, p95 = statistics.median(seconds) * 1000, percentile(seconds, 0.95) * 1000
    return f"{label:44} {p50:8.1f} {p95:8.1f} {size:>8} {unit}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--backend", default="both", choices=("sqlite", "postgres", "both"))
    parser.add_argument("--quick", action="store_true", help="5 runs, SQLite only")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.backend = 5, "sqlite"
    guard_network()
    header("the board's grid vs /status (server time per page)")
    for backend in backends(args.backend):
        asyncio.run(measure(backend, args.people, args.runs))


if __name__ == "__main__":
    main()
