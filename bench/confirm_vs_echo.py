"""Confirmation presses per second through our Application, against a bare echo Application.

Ours: ``bot.app.build_application`` (the real handlers; replies are not rate-limited, only
the engine's reminders are, through a bot of their own; the engine is left off here) on a
SQLite file where K people each owe one open assignment and got its reminder (sent through
the real dispatcher, so the outbox knows the message). The fake Bot API server then feeds K
``callback_query`` updates ``done:<assignment id>``, one per person on their own reminder, so
that every press is a real confirmation: it writes the assignment and its audit event,
answers the press and edits the reminder to show it is done.

The echo: a bare ``ApplicationBuilder().token(T).base_url(...).build()`` with one
``CallbackQueryHandler`` that answers the query, fed the same K presses.

Each bot runs in a child process (as it would against the real Telegram, the server is not in
the bot's process), polling the fake server in this one over HTTP on 127.0.0.1; the clock runs
from the first update fed to the last answer seen by the server.

Ours talks HTTP through aiohttp (``bot/runtime/transport.py``); the echo keeps python-telegram-bot's
default, httpx, as a bare echo would. One more run tells the costs apart: ``echo + edit``,
an echo making the same Bot API calls as ours (answer the press, edit the message) over the
same transport as ours, with no database: what our handler adds is the rest.

    python -m bench.confirm_vs_echo             # K = 1500, 3 rounds, medians
    python -m bench.confirm_vs_echo --quick     # K = 60, one round
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/<name>.py``: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import os
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

KINDS = {
    "ours": "ours (build_application)",
    "echo": "echo (bare Application, answers the query)",
    "echo-calls": "echo + edit (ours' calls and transport)",
}
FIRST_USER = 7_000_000


# -- the bots (child processes) ----------------------------------------------------------------


async def serve(kind: str, base_url: str, base_file_url: str, db_url: str) -> None:
    """Run one bot until stdin closes; print "ready" once it polls."""
    from telegram import Message, Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

    from bench.common import TOKEN, example_settings, guard_network

    guard_network()
    if kind.startswith("ours"):
        from bot.app import build_application, polling
        from bot.common.services import Services, system_clock
        from storage.db import Database

        settings = example_settings(telegram={"base_url": base_url, "base_file_url": base_file_url})
        db = Database.from_url(db_url)
        application = build_application(
            Services(settings, db, system_clock), TOKEN, with_engine=False
        )
        async with polling(application):
            await _until_stdin_closes()
        db.dispose()
        return

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()

    async def echo_calls(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and isinstance(query.message, Message)
        await query.answer("ok")
        await query.message.edit_text(f"{query.message.text or '-'}\n\n✅", reply_markup=None)

    builder = ApplicationBuilder().token(TOKEN).base_url(base_url)
    if kind == "echo-calls":
        from bot.runtime.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest())
    application = builder.build()
    application.add_handler(CallbackQueryHandler(echo_calls if kind == "echo-calls" else echo))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        await _until_stdin_closes()
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def _until_stdin_closes() -> None:
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# -- the office (in this process) --------------------------------------------------------------


def prepare(db_url: str, fake: Any, people: int) -> list[tuple[int, Any, str]]:
    """K people, one open assignment each, and its reminder delivered through the dispatcher.

    Returns (user id, the reminder as the fake server has it, the button's data) per person.
    """
    from sqlalchemy import insert
    from sqlmodel import select
    from telegram import Bot

    from bench.common import TOKEN, add_staff, example_settings, prepared_database
    from bot.features import render
    from bot.runtime.sender import TelegramSender
    from jobs.calendar import OfficeCalendar
    from jobs.dispatch import Dispatcher
    from jobs.params import duty_params
    from jobs.tick import Planner
    from storage import outbox
    from storage.models import Assignment, Obligation, Period
    from storage.outbox import NewMessage

    settings = example_settings()
    db = prepared_database(db_url, settings)
    users = [FIRST_USER + i for i in range(people)]
    staff = add_staff(db, users)
    now = datetime.now(UTC)
    planner = Planner(settings, OfficeCalendar.from_office(settings.office))
    with db.transaction() as session:
        planner.sync_config(session, now)
        obligation = session.exec(
            select(Obligation).where(Obligation.key == "quarterly-progress")
        ).one()
        assert obligation.id is not None
        period = Period(
            obligation_id=obligation.id,
            key="bench",
            fiscal_year=2569,
            due_at=now + timedelta(days=7),
            quarter=1,
        )
        session.add(period)
        session.flush()
        session.execute(
            insert(Assignment),
            [
                {
                    "period_id": period.id,
                    "owner_key": f"staff:{staff[user]}",
                    "staff_id": staff[user],
                    "status": "pending",
                    "next_action_at": now + timedelta(days=6),
                    "next_step": 1,
                    "created_at": now,
                }
                for user in users
            ],
        )
        ids = dict(
            session.exec(
                select(Assignment.staff_id, Assignment.id).where(Assignment.period_id == period.id)
            ).all()
        )
        params = duty_params(obligation, period)
        outbox.enqueue(
            session,
            [
                NewMessage(
                    f"assignment:{ids[staff[user]]}:step-0:to-{staff[user]}",
                    user,
                    "duty",
                    {
                        **params,
                        "assignment_id": ids[staff[user]],
                        "kind": "reminder",
                        "step": 0,
                        "collapsed": 1,
                        "followup_number": 0,
                        "group_duty": False,
                    },
                    staff[user],
                    ids[staff[user]],
                )
                for user in users
            ],
            now=now - timedelta(seconds=1),
        )

    async def send_reminders() -> None:
        async with Bot(TOKEN, base_url=fake.base_url) as bot:
            sender = TelegramSender(bot, settings.office.zone, render)
            report = await Dispatcher(
                db, sender, lambda: datetime.now(UTC), per_chat_interval=0.0
            ).dispatch()
            assert report.sent == people, report

    asyncio.run(send_reminders())
    db.dispose()
    presses = []
    for user in users:
        (reminder,) = fake.messages_to(user)
        presses.append((user, reminder, reminder.button_data("ส่งรายงานแล้ว")))
    return presses


def check_confirmed(db_url: str, people: int) -> dict[str, int]:
    from sqlalchemy import text

    from storage.db import Database

    db = Database.from_url(db_url)
    with db.engine.connect() as connection:
        statuses: dict[Any, Any] = dict(
            connection.execute(
                text("SELECT status, count(*) FROM assignment GROUP BY status")
            ).all()
        )
        audit = connection.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'assignment.confirmed'")
        ).scalar_one()
    db.dispose()
    return {**{str(k): int(v) for k, v in statuses.items()}, "audit": int(audit)}


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Run:
    kind: str
    presses: int
    seconds: float
    calls: Counter[str]
    checked: dict[str, int]

    @property
    def rate(self) -> float:
        return self.presses / self.seconds


def run(kind: str, people: int, timeout: float) -> Run:
    from bench.common import TOKEN, sqlite_file
    from bot.offline import FakeTelegram

    root = Path(__file__).resolve().parent.parent
    with sqlite_file("confirm.sqlite3") as db_url, FakeTelegram(token=TOKEN) as fake:
        presses = prepare(db_url, fake, people)
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.confirm_vs_echo",
                "--serve",
                kind,
                fake.base_url,
                fake.base_file_url,
                db_url,
            ],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", "the bot did not start"
            fake.wait_for(lambda: bool(fake.calls_to("getUpdates")), timeout=10)
            fake.clear()
            started = time.perf_counter()
            fed = [fake.user_presses_button(user, msg, data) for user, msg, data in presses]
            ids = [str(update["callback_query"]["id"]) for update in fed]
            if kind in ("echo",):
                fake.wait_for(
                    lambda: all(fake.callback_answer(i) is not None for i in ids), timeout
                )
            else:  # the last thing each press does is to edit the reminder
                fake.wait_for(lambda: len(fake.calls_to("editMessageText")) >= people, timeout)
            seconds = time.perf_counter() - started
            calls = Counter(c.method for c in fake.calls if c.method != "getUpdates")
            errors = [c for c in fake.calls if c.status != 200]
            assert not errors, errors[:3]
        finally:
            assert child.stdin is not None
            child.stdin.close()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        checked = check_confirmed(db_url, people) if kind.startswith("ours") else {}
        if kind.startswith("ours"):
            assert checked.get("submitted_on_time") == people, checked
            assert checked["audit"] == people, checked
    return Run(kind, people, seconds, calls, checked)


def report(runs: list[Run]) -> None:
    """Each round's figures, then the median of the rounds for each kind and the ratios."""
    print()
    print(f"{'run':<44} {'presses':>7} {'seconds':>8} {'presses/s':>10}  Bot API calls per press")
    for r in runs:
        per_press = ", ".join(
            f"{method} {count / r.presses:.1f}" for method, count in sorted(r.calls.items())
        )
        print(f"{KINDS[r.kind]:<44} {r.presses:>7} {r.seconds:>8.2f} {r.rate:>10.1f}  {per_press}")
    median = {
        kind: statistics.median(r.rate for r in runs if r.kind == kind)
        for kind in KINDS
        if any(r.kind == kind for r in runs)
    }
    print()
    for kind, rate in median.items():
        print(f"{'median ' + KINDS[kind]:<53} {rate:>10.1f} presses/s")
    if "ours" in median and "echo" in median:
        checked = next(r.checked for r in runs if r.kind == "ours")
        print(
            f"ours / echo = {median['ours'] / median['echo']:.3f} (target >= 0.333); "
            f"ours confirmed {checked} in each round"
        )
    if "ours" in median and "echo-calls" in median:
        print(f"ours / echo making the same calls = {median['ours'] / median['echo-calls']:.3f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 presses, one round")
    parser.add_argument("--presses", type=int, help="K: presses (and people)")
    parser.add_argument("--rounds", type=int, help="rounds of every kind, interleaved (3)")
    parser.add_argument("--only", choices=list(KINDS), action="append")
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(*args.serve))
        return

    from bench.common import guard_network, header

    guard_network()
    presses = args.presses or (60 if args.quick else 1500)
    rounds = args.rounds or (1 if args.quick else 3)
    kinds = args.only or list(KINDS)
    header("confirmation presses: ours vs a bare echo")
    print(
        f"# {presses} presses by {presses} people, each on their own reminder (done:<id>); "
        "each bot in a child process, long polling the fake server over 127.0.0.1; "
        f"{rounds} round(s), the kinds interleaved so that a busy moment hits them alike"
    )
    started = time.perf_counter()
    runs = []
    for number in range(1, rounds + 1):
        for kind in kinds:
            result = run(kind, presses, timeout=max(120.0, presses / 5))
            print(f"# round {number}, {KINDS[kind]}: {result.rate:.1f} presses/s", flush=True)
            runs.append(result)
    report(runs)
    print(f"\n# whole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
