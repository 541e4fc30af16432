"""How long the bot's event loop is blocked at worst while presses meet locked rows.

PostgreSQL (or SQLite with ``--backend sqlite``): K people each owe one open assignment and got
its reminder (``bench.confirm_vs_echo.prepare``: the real tick, outbox and dispatcher). The
real Application (``bot.app.build_application``, engine on, so the scheduler ticks meanwhile)
runs in a child process, as in production, polling the fake Bot API server in this one.
Another database session keeps locking a batch of those assignments (``SELECT … FOR UPDATE``,
held ``--hold`` seconds, over and over; on SQLite it holds the write lock instead) while the K
people press "ส่งรายงานแล้ว".

A probe coroutine in the bot's process sleeps 5 ms at a time and records by how much each
wake-up came late: the event loop's stalls. Printed: the worst stall, the 99th percentile, how
many presses were answered (confirmed, or asked to try again) and how many wake-ups the engine
made meanwhile.

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
import json
import os
import random
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

PROBE = 0.005


@dataclass
class Figures:
    stalls: list[float] = field(default_factory=list)
    longest: list[tuple[float, str]] = field(default_factory=list)  # the loop's longest steps
    answered: int = 0
    try_again: int = 0
    locks_taken: int = 0
    seconds: float = 0.0
    wakeups: int = 0

    def report(self, backend: str, people: int, hold: float) -> None:
        ordered = sorted(self.stalls)
        p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else 0.0
        print(f"{backend}: {people} presses while another session held rows {hold:.1f} s at a time")
        worst = self.longest[0][0] if self.longest else 0.0
        print(f"  longest step of the event loop (blocked)      {worst * 1000:8.1f} ms")
        for seconds, what in self.longest[:3]:
            print(f"    {seconds * 1000:7.1f} ms  {what}")
        print("  the probe's lateness (blocked, or waiting for a CPU or the GIL):")
        print(f"    worst {max(ordered, default=0.0) * 1000:.1f} ms, 99th percentile")
        print(
            f"    {p99 * 1000:.1f} ms, median {statistics.median(ordered or [0.0]) * 1000:.1f} ms"
        )
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
        chosen = random.sample(ids, min(20, len(ids)))
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


def _step_name(handle: Any) -> str:
    """Which coroutine a step resumed, and where it stopped next (file:line)."""
    task = getattr(handle._callback, "__self__", None)
    coro = task.get_coro() if isinstance(task, asyncio.Task) else None
    if coro is None:
        return repr(handle)[:160]
    frame = getattr(coro, "cr_frame", None)
    while frame is not None and getattr(coro, "cr_await", None) is not None:
        coro = coro.cr_await
        frame = getattr(coro, "cr_frame", None) or frame
    where = f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno}" if frame else "done"
    return f"{task.get_coro().__qualname__} (then at {where})"


@contextlib.contextmanager
def timed_steps() -> Iterator[list[tuple[float, str]]]:
    """Time every step the event loop runs (each callback, each resumption of a task), as
    asyncio's debug mode does for its slow-callback warning: the longest are the loop blocked."""
    from asyncio import events

    original = events.Handle._run
    longest: list[tuple[float, str]] = []

    def run(handle: events.Handle) -> None:
        started, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
        original(handle)
        took = time.perf_counter() - started
        if took > 0.01:
            mine = 1000 * (time.thread_time() - cpu)
            others = 1000 * (time.process_time() - process) - mine
            longest.append(
                (took, f"{_step_name(handle)}; CPU {mine:.1f} ms, other threads {others:.1f} ms")
            )

    events.Handle._run = run  # type: ignore[method-assign]
    try:
        yield longest
    finally:
        events.Handle._run = original  # type: ignore[method-assign]


async def serve(base_url: str, db_url: str) -> None:
    """The bot, in a process of its own as in production (the fake server is not in it): the
    real Application with its engine, and the probe; the figures on stdout when stdin closes."""
    from bench.common import TOKEN, example_settings, guard_network
    from bot.app import build_application, polling
    from bot.common.services import Services, services_of, system_clock
    from storage.db import Database

    guard_network()
    settings = example_settings(telegram={"base_url": base_url})
    db = Database.from_url(db_url)
    app = build_application(Services(settings, db, system_clock), TOKEN, with_engine=True)
    figures, stop = Figures(), asyncio.Event()
    async with polling(app):
        engine = services_of(app).engine
        assert engine is not None
        ticks: set[object] = set()

        async def count_ticks() -> None:
            while not stop.is_set():
                ticks.add(engine.last_tick)
                await asyncio.sleep(0.1)

        watchers = asyncio.gather(probe(stop, figures), count_ticks())
        print("ready", flush=True)
        with timed_steps() as longest:
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        stop.set()
        await watchers
    db.dispose()
    ordered = sorted(figures.stalls)
    found = {"stalls": ordered[-200:], "count": len(ordered), "ticks": len(ticks - {None})}
    print(json.dumps({**found, "longest": sorted(longest, reverse=True)[:10]}))


NICE = 10


def _unnice() -> None:
    """The bot's process runs at the ordinary priority (root may raise it back)."""
    with contextlib.suppress(PermissionError):
        os.nice(-NICE)


def press_all(url: str, fake: Any, presses: list[Any], figures: Figures) -> None:
    root = Path(__file__).resolve().parent.parent
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.loop_stall", "--serve", fake.base_url, url],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdin=subprocess.PIPE,
        preexec_fn=_unnice,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready", "the bot did not start"
        started = time.perf_counter()
        for user, reminder, data in presses:
            fake.user_presses_button(user, reminder, data)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if len(fake.calls_to("answerCallbackQuery")) >= len(presses):
                break
            time.sleep(0.05)
        figures.seconds = time.perf_counter() - started
        figures.answered = len(fake.calls_to("answerCallbackQuery"))
        figures.try_again = sum(
            "ลองใหม่" in (m.text or "") for user, _r, _d in presses for m in fake.messages_to(user)
        )
    finally:
        child.stdin.close()
        out = child.stdout.read()
        child.wait(timeout=60)
    found = json.loads(out.strip().splitlines()[-1])
    tail, count = found["stalls"], found["count"]
    figures.stalls = [0.0] * (count - len(tail)) + tail  # only the largest are needed
    figures.wakeups = found["ticks"]
    figures.longest = [(float(seconds), str(what)) for seconds, what in found["longest"]]


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
    parser.add_argument("--serve", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(*args.serve))
        return
    people = 100 if args.quick else args.people

    from bench.common import TOKEN, guard_network, header
    from bench.confirm_vs_echo import prepare
    from bot.offline import FakeTelegram

    guard_network()
    header("event-loop stalls during presses on locked rows")
    # This process plays Telegram and the other session, on the same two cores as the bot:
    # it yields the processor to the bot, as another machine would not compete with it at all.
    os.nice(NICE)
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
            press_all(url, fake, presses, figures)
        finally:
            stop.set()
            thread.join()
        figures.report(args.backend, people, args.hold)


if __name__ == "__main__":
    main()
