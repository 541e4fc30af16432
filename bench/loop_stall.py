"""How long the bot's event loop is blocked at worst while presses meet locked rows.

PostgreSQL (or SQLite with ``--backend sqlite``): K people each owe one open assignment and got
its reminder (``bench.confirm_vs_echo.prepare``: the real tick, outbox and dispatcher). The
real Application (``bot.app.build_application``, engine on, so the scheduler ticks meanwhile)
polls the fake Bot API server in this process. Another database session keeps locking a
batch of those assignments (``SELECT … FOR UPDATE``, held ``--hold`` seconds, over and over;
on SQLite it holds the write lock instead) while the K people press "ส่งรายงานแล้ว".

A probe coroutine sleeps 5 ms at a time and records by how much each wake-up came late: the
event loop's stalls. Printed: the worst stall, the 99th percentile, how many presses were
answered (confirmed, or asked to try again) and how many wake-ups the engine made meanwhile.

    python -m bench.loop_stall                 # K = 1000 on PostgreSQL
    python -m bench.loop_stall --quick         # K = 100
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/<name>.py``: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import contextlib
import random
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

PROBE = 0.005


@dataclass
class Figures:
    stalls: list[float] = field(default_factory=list)
    answered: int = 0
    try_again: int = 0
    locks_taken: int = 0
    seconds: float = 0.0
    wakeups: int = 0

    def report(self, backend: str, people: int, hold: float) -> None:
        ordered = sorted(self.stalls)
        p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else 0.0
        print(f"{backend}: {people} presses while another session held rows {hold:.1f} s at a time")
        print(f"  worst event-loop stall {max(ordered, default=0.0) * 1000:8.1f} ms")
        print(f"  99th percentile        {p99 * 1000:8.1f} ms")
        print(f"  median                 {statistics.median(ordered or [0.0]) * 1000:8.1f} ms")
        print(f"  presses answered       {self.answered} of {people} in {self.seconds:.1f} s")
        print(f"  asked to try again     {self.try_again}")
        print(f"  lock batches taken     {self.locks_taken}")
        print(f"  engine wake-ups        {self.wakeups}")


def locker(url: str, ids: list[int], hold: float, stop: threading.Event, figures: Figures) -> None:
    """Another session: lock 20 of the assignments at a time, hold them, let go, again."""
    from sqlalchemy import text

    from storage.db import Database

    db = Database.from_url(url)
    sqlite = url.startswith("sqlite")
    while not stop.is_set():
        chosen = random.sample(ids, min(20, len(ids)))  # noqa: S311 -- a benchmark's choice
        with db.engine.connect() as connection, connection.begin():
            if sqlite:
                connection.exec_driver_sql("UPDATE assignment SET id = id WHERE id = -1")
            else:
                connection.execute(
                    text("SELECT id FROM assignment WHERE id = ANY(:ids) FOR UPDATE"),
                    {"ids": chosen},
                )
            figures.locks_taken += 1
            stop.wait(hold)
        stop.wait(0.05)
    db.dispose()


async def probe(stop: asyncio.Event, figures: Figures) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(PROBE)
        figures.stalls.append(max(0.0, time.perf_counter() - started - PROBE))


async def press_all(url: str, fake: object, presses: list, figures: Figures) -> None:  # type: ignore[type-arg]
    from bench.common import TOKEN, example_settings
    from bot.app import build_application, polling
    from bot.services import Services, services_of
    from storage.db import Database

    settings = example_settings(telegram={"base_url": fake.base_url})  # type: ignore[attr-defined]
    db = Database.from_url(url)
    app = build_application(
        Services(settings, db, lambda: datetime.now(UTC)), TOKEN, with_engine=True
    )
    stop = asyncio.Event()
    async with polling(app):
        engine = services_of(app).engine
        assert engine is not None
        ticks: set[object] = set()

        async def count_ticks() -> None:
            while not stop.is_set():
                ticks.add(engine.last_tick)
                await asyncio.sleep(0.1)

        watcher = asyncio.create_task(probe(stop, figures))
        counter = asyncio.create_task(count_ticks())
        started = time.perf_counter()
        for user, reminder, data in presses:
            fake.user_presses_button(user, reminder, data)  # type: ignore[attr-defined]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answered = len(fake.calls_to("answerCallbackQuery"))  # type: ignore[attr-defined]
            if answered >= len(presses):
                break
            await asyncio.sleep(0.05)
        figures.seconds = time.perf_counter() - started
        figures.answered = len(fake.calls_to("answerCallbackQuery"))  # type: ignore[attr-defined]
        figures.try_again = sum(
            "ลองใหม่" in (m.text or "")
            for user, _reminder, _data in presses
            for m in fake.messages_to(user)  # type: ignore[attr-defined]
        )
        stop.set()
        await asyncio.gather(watcher, counter)
        figures.wakeups = len(ticks - {None})
    db.dispose()


@contextlib.contextmanager
def database(backend: str) -> Iterator[str]:
    from bench.common import postgres_schema, sqlite_file

    with (
        postgres_schema("bench_stall")
        if backend == "postgres"
        else sqlite_file("stall.sqlite3") as url
    ):
        yield url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 presses")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--hold", type=float, default=2.0, help="seconds each lock is held")
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    args = parser.parse_args(argv)
    people = 100 if args.quick else args.people

    from bench.common import TOKEN, guard_network, header
    from bench.confirm_vs_echo import prepare
    from bot.fake_telegram import FakeTelegram

    guard_network()
    header("event-loop stalls during presses on locked rows")
    with database(args.backend) as url, FakeTelegram(token=TOKEN) as fake:
        presses = prepare(url, fake, people)
        figures = Figures()
        from sqlalchemy import text

        from storage.db import Database

        db = Database.from_url(url)
        with db.engine.connect() as connection:
            ids = [row[0] for row in connection.execute(text("SELECT id FROM assignment"))]
        db.dispose()
        stop = threading.Event()
        thread = threading.Thread(target=locker, args=(url, ids, args.hold, stop, figures))
        thread.start()
        try:
            asyncio.run(press_all(url, fake, presses, figures))
        finally:
            stop.set()
            thread.join()
        figures.report(args.backend, people, args.hold)


if __name__ == "__main__":
    main()
