"""Dispatcher throughput against the fake Bot API server, with Telegram's limits switched on.

900 reminders to 300 chats (3 each) are written to the outbox, then sent by ``Dispatcher(db,
TelegramSender(bot, zone, render), clock, per_chat_interval=1.0).dispatch()``, where
``bot`` is the ExtBot of an Application built with ``AIORateLimiter(max_retries=0)`` (30
requests a second overall, its default), over real HTTP to the fake server on 127.0.0.1.
Printed: the achieved rate against the configured 30/s, and the smallest gap the fake server
saw between two messages to the same chat (Telegram's one a second per chat).

The messages are enqueued in two orders: as the tick writes them when several reports fall
due together (one round over every chat per report), and each chat's three together (which
makes the per-chat pace bind). For comparison, the same with a limiter that allows no burst,
and without any overall limiter (the ceiling of the dispatcher and the fake server).

    python -m bench.dispatch_rate             # 900 messages, 300 chats, SQLite
    python -m bench.dispatch_rate --quick     # 90 messages, 30 chats
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/<name>.py``: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from telegram.ext import AIORateLimiter, ApplicationBuilder

from bench.common import (
    TOKEN,
    add_staff,
    backends,
    database,
    example_settings,
    guard_network,
    header,
    prepared_database,
)
from bot.features import render
from bot.offline import FakeTelegram
from bot.runtime.sender import TelegramSender
from bot.runtime.transport import AiohttpRequest
from jobs.dispatch import Dispatcher, DispatchReport
from storage import outbox
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import NewMessage
from tests.runtime.test_dispatch import DUTY  # the same reminder the dispatcher tests send

CONFIGURED_RATE = 30.0  # AIORateLimiter's default overall_max_rate, per second
PER_CHAT_INTERVAL = 1.0
FIRST_CHAT = 5_000_000
HOT_CHAT = FIRST_CHAT - 1


def clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Outcome:
    label: str
    messages: int
    seconds: float
    report: DispatchReport
    send_times: dict[int, list[float]]  # the fake server's monotonic times, by chat
    started_at: float = 0.0  # monotonic time when dispatch() was called

    def last_to(self, hot: bool) -> tuple[int, float]:
        """(messages, seconds from the start to the last one) to the hot chat or the others."""
        times = [
            t
            for chat, chat_times in self.send_times.items()
            if (chat == HOT_CHAT) == hot
            for t in chat_times
        ]
        return len(times), (max(times) - self.started_at if times else float("nan"))

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def peak_window(self) -> int:
        """The most messages the server received in any one-second window (sliding)."""
        times = sorted(itertools.chain.from_iterable(self.send_times.values()))
        peak, first = 0, 0
        for last, moment in enumerate(times):
            while moment - times[first] >= 1.0:
                first += 1
            peak = max(peak, last - first + 1)
        return peak

    @property
    def min_gap(self) -> float:
        gaps = [
            later - earlier
            for times in self.send_times.values()
            for earlier, later in itertools.pairwise(sorted(times))
        ]
        return min(gaps) if gaps else float("nan")


def enqueue(db: Database, staff: dict[int, int], per_chat: int, order: str, hot: int = 0) -> int:
    chats = sorted(chat for chat in staff if chat != HOT_CHAT)
    if order == "chat":
        pairs = [(chat, n) for chat in chats for n in range(per_chat)]
    else:  # one round over every chat per report, as the tick writes them
        pairs = [(chat, n) for n in range(per_chat) for chat in chats]
    if hot:  # one chat (a coordinator, say) with ``hot`` messages spread through the queue
        every = max(len(pairs) // hot, 1)
        for n in reversed(range(hot)):
            pairs.insert(min(n * every, len(pairs)), (HOT_CHAT, per_chat + n))
    messages = [
        NewMessage(
            f"bench:report-{n}:to-{chat}",
            chat,
            "duty",
            {**DUTY, "title_th": f"รายงานทดสอบ {n + 1}"},
            staff[chat],
        )
        for chat, n in pairs
    ]
    with db.transaction() as session:
        for start in range(0, len(messages), 500):
            outbox.enqueue(
                session, messages[start : start + 500], now=clock() - timedelta(seconds=1)
            )
    return len(messages)


LIMITERS = {
    "aio": "AIORateLimiter() 30/s",
    "smooth": "AIORateLimiter(1 per 1/30 s), no burst",
    "none": "no overall limiter (ceiling)",
}


def limiter(kind: str) -> AIORateLimiter | None:
    if kind == "aio":
        return AIORateLimiter(max_retries=0)  # as bot/app.py builds it
    if kind == "smooth":  # the same rate with a bucket of one: no initial burst
        return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / 30, max_retries=0)
    return None


async def run_once(
    db: Database, fake: FakeTelegram, *, kind: str, label: str, messages: int
) -> Outcome:
    builder = (  # the bot's own transport, as the engine's sender has it
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(fake.base_url)
        .request(AiohttpRequest(pool_size=16))
    )
    chosen = limiter(kind)
    if chosen is not None:
        builder = builder.rate_limiter(chosen)
    application = builder.build()
    await application.initialize()
    try:
        zone = example_settings().office.zone
        dispatcher = Dispatcher(
            db,
            TelegramSender(application.bot, zone, render),
            clock,
            per_chat_interval=PER_CHAT_INTERVAL,
        )
        fake.clear()
        started, started_at = time.perf_counter(), time.monotonic()
        report = await dispatcher.dispatch()
        seconds = time.perf_counter() - started
    finally:
        await application.shutdown()
    times: dict[int, list[float]] = defaultdict(list)
    for call in fake.calls_to("sendMessage"):
        if call.status in (None, 200):
            times[int(call.params["chat_id"])].append(call.at)
    sent = sum(len(t) for t in times.values())
    assert report.sent == messages == sent, (report, messages, sent)
    return Outcome(label, messages, seconds, report, dict(times), started_at)


def pending(db: Database) -> int:
    with db.transaction() as session:
        query = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != "sent")
        return int(session.exec(query).one())


def measure(
    backend: str, chats: int, per_chat: int, runs: list[tuple[str, str]], hot: int = 0
) -> list[Outcome]:
    outcomes = []
    settings = example_settings()
    with database(backend, prefix="bench_dispatch") as url, FakeTelegram(token=TOKEN) as fake:
        db = prepared_database(url, settings)
        staff = add_staff(db, [FIRST_CHAT + i for i in range(chats)] + ([HOT_CHAT] if hot else []))
        for kind, order in runs:
            label = f"{LIMITERS[kind]}, order {order}"
            with db.transaction() as session:
                session.execute(OutboxMessage.__table__.delete())  # type: ignore[attr-defined]
            count = enqueue(db, staff, per_chat, order, hot)
            outcome = asyncio.run(run_once(db, fake, kind=kind, label=label, messages=count))
            assert pending(db) == 0
            outcomes.append(outcome)
            print(f"# {backend}: {label}: {count} sent in {outcome.seconds:.1f} s", flush=True)
        db.dispose()
    return outcomes


def report(backend: str, outcomes: list[Outcome], chats: int, per_chat: int) -> None:
    print()
    print(f"[{backend}] {outcomes[0].messages} messages to {chats} chats ({per_chat} each)")
    print(
        f"  {'run':<54} {'seconds':>8} {'rate/s':>8} {'/30':>6} {'peak 1 s':>9} "
        f"{'min gap/chat s':>15}"
    )
    for o in outcomes:
        print(
            f"  {o.label:<54} {o.seconds:>8.2f} {o.rate:>8.2f} {o.rate / CONFIGURED_RATE:>6.3f} "
            f"{o.peak_window:>9} {o.min_gap:>15.3f}"
        )
    print()
    for o in outcomes:
        if not o.label.startswith(LIMITERS["aio"]):
            continue
        print(
            f"  {o.label}: achieved {o.rate:.2f}/s against the configured "
            f"{CONFIGURED_RATE:.0f}/s = {o.rate / CONFIGURED_RATE:.3f} (target >= 0.95); "
            f"smallest gap to one chat {o.min_gap:.3f} s (must be >= {PER_CHAT_INTERVAL:.1f}); "
            f"{o.report}"
        )
    for o in outcomes:
        hot_count, hot_last = o.last_to(hot=True)
        if hot_count:
            others, others_last = o.last_to(hot=False)
            print(
                f"  {o.label}: the other {others} messages were all sent after "
                f"{others_last:.1f} s (alone at 30/s: {others / CONFIGURED_RATE:.1f} s); the one "
                f"chat's {hot_count} after {hot_last:.1f} s (alone at 1/s: {hot_count - 1:.0f} s)"
            )
    print(
        "  peak 1 s = the most sendMessage calls the server received in any one-second window "
        "(sliding); AIORateLimiter's bucket starts full, so a burst of 30 comes on top of 30/s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="90 messages to 30 chats")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--chats", type=int)
    parser.add_argument("--per-chat", type=int, default=3)
    parser.add_argument(
        "--only-default",
        action="store_true",
        help="only the runs with the project's limiter (skip the ceiling and the no-burst one)",
    )
    parser.add_argument(
        "--hot-chat",
        type=int,
        default=0,
        metavar="N",
        help="also N messages to one more chat, spread through the queue (one busy recipient)",
    )
    args = parser.parse_args(argv)
    guard_network()
    chats = args.chats or (30 if args.quick else 300)
    header("dispatcher throughput under Telegram's limits")
    print(
        f"# {chats * args.per_chat} messages, {chats} chats x {args.per_chat}"
        + (f" + {args.hot_chat} to one more chat; " if args.hot_chat else "; ")
        + f"Dispatcher(per_chat_interval={PER_CHAT_INTERVAL}, in_flight=1, batch=200); "
        "order round = one round over every chat per report (as the tick writes them), "
        "order chat = each chat's messages together"
    )
    runs = [("aio", "round"), ("aio", "chat")]
    if not args.only_default:
        runs += [("smooth", "round"), ("none", "round"), ("none", "chat")]
    started = time.perf_counter()
    for backend in backends(args.backend):
        outcomes = measure(backend, chats, args.per_chat, runs, args.hot_chat)
        report(backend, outcomes, chats, args.per_chat)
    print(f"\n# whole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
