"""Start-up time and memory: one APScheduler job per reminder, against the database as schedule.

The design most Telegram reminder bots use keeps one APScheduler job per pending reminder. Ours
keeps the reminders as assignments with an indexed ``next_action_at`` and gives APScheduler two
jobs (a wake-up and a safety net). Both are started here with the same ~100,000 pending
reminders, each in a fresh subprocess (no memory shared), and measured from process start to
"ready":

- ``ours``: the example config, a SQLite database (the real migrations) whose office was
  materialised by the real planner (about 10,700 people owing ~100,000 open assignments,
  brought to the state the ticks would have left them in), the schema check ``run`` does, the
  ``Engine`` started (its two jobs), ready when its first wake-up has run materialise and
  the tick's query;
- ``memory``: ``AsyncIOScheduler`` with the default ``MemoryJobStore``: at every start the bot
  reads its reminders back (here: the same assignments, from the same SQLite file) and adds one
  date job each (``add_job(remind, DateTrigger(next_action_at), args=(chat, id))``);
- ``ptb-jobqueue``: the same through python-telegram-bot's own ``JobQueue.run_once`` (what
  its reminder examples use; it wraps the same ``AsyncIOScheduler``);
- ``sqlalchemy-first``: ``SQLAlchemyJobStore`` on a SQLite file, first start: every job
  written to the store (one transaction each, as APScheduler does);
- ``sqlalchemy-restart``: the same store, full, opened again.

Every child imports ``telegram.ext`` first (any of these bots would); the time and memory after
the imports are printed apart from those at "ready". Memory is VmRSS (and the peak, VmHWM)
from /proc/self/status at "ready".

    python -m bench.jobstore_vs_outbox           # ~100k reminders, 3 runs of each
    python -m bench.jobstore_vs_outbox --quick   # ~10k reminders, 1 run each
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/<name>.py``: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

MODES = ("ours", "memory", "ptb-jobqueue", "sqlalchemy-first", "sqlalchemy-restart")
GROUPS = ("policy", "admin", "personnel", "development")
FIRST_USER = 1_000_000


def remind(chat_id: int, assignment_id: int) -> None:
    """What one of their jobs would do (never runs here: every job is in the future)."""


async def remind_callback(context: Any) -> None:
    """The JobQueue flavour of ``remind``."""


# -- the children (each in its own process) -------------------------------------------------


def _memory() -> dict[str, int]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _pending_rows(db_file: str) -> list[tuple[int, int, datetime]]:
    """The pending reminders, as their bot would read them back from its own table."""
    with sqlite3.connect(db_file) as connection:
        rows = connection.execute(
            "SELECT a.id, COALESCE(s.chat_id, -a.group_id), a.next_action_at "
            "FROM assignment a LEFT JOIN staff s ON s.id = a.staff_id "
            "WHERE a.next_action_at IS NOT NULL ORDER BY a.id"
        ).fetchall()
    return [
        (int(i), int(chat), datetime.fromisoformat(at).replace(tzinfo=UTC)) for i, chat, at in rows
    ]


def child(mode: str, db_file: str, jobs_file: str) -> dict[str, Any]:
    """Run one mode from a fresh interpreter; return its timings (epoch seconds) and memory."""
    import telegram.ext  # noqa: F401  (every one of these bots imports it)

    if mode == "ours":
        return asyncio.run(_ours(db_file))
    return asyncio.run(_theirs(mode, db_file, jobs_file))


async def _ours(db_file: str) -> dict[str, Any]:
    from bench.common import EXAMPLE_CONFIG
    from jobs.dispatch import Delivered, Outcome
    from jobs.engine import Engine
    from jobs.settings import load_settings
    from storage import migrate
    from storage.db import Database
    from storage.models import OutboxMessage

    imported, after_imports = time.time(), _memory()

    class NoSender:  # the outbox is empty: nothing is sent
        async def send(self, message: OutboxMessage, language: str) -> Outcome:
            return Delivered(0)

    settings = load_settings(EXAMPLE_CONFIG)
    db = Database.from_url(f"sqlite:///{db_file}")
    state = migrate.schema_state(db.engine)  # as `run` checks before it starts
    assert state is migrate.SchemaState.CURRENT, state
    engine = Engine(db, settings, NoSender(), lambda: datetime.now(UTC))
    engine.start()
    while engine.last_tick is None:  # noqa: ASYNC110  (first wake-up: materialise, tick)
        await asyncio.sleep(0.001)
    async with engine._lock:  # and the rest of that wake-up (dispatch, the next wake)
        pass
    ready, ready_mem = time.time(), _memory()
    assert engine.scheduler is not None
    jobs = len(engine.scheduler.get_jobs())
    engine.shutdown()
    return {
        "imported": imported,
        "ready": ready,
        "imports_mem": after_imports,
        "mem": ready_mem,
        "jobs": jobs,
    }


async def _theirs(mode: str, db_file: str, jobs_file: str) -> dict[str, Any]:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    me = sys.modules.get("bench.jobstore_vs_outbox") or __import__(
        "bench.jobstore_vs_outbox", fromlist=["remind"]
    )  # the jobs must name an importable function (the store pickles a reference to it)
    imported, after_imports = time.time(), _memory()
    if mode == "ptb-jobqueue":
        from telegram.ext import ApplicationBuilder

        application = ApplicationBuilder().token("123456:BENCH-TOKEN-abcdefghij").build()
        queue = application.job_queue
        assert queue is not None
        await queue.start()
        for assignment_id, chat_id, at in _pending_rows(db_file):
            queue.run_once(
                me.remind_callback,
                at,
                chat_id=chat_id,
                data=assignment_id,
                name=f"assignment:{assignment_id}",
            )
        await asyncio.sleep(0)
        ready, ready_mem = time.time(), _memory()
        jobs = len(queue.jobs())
        await queue.stop(wait=False)
        return {
            "imported": imported,
            "ready": ready,
            "imports_mem": after_imports,
            "mem": ready_mem,
            "jobs": jobs,
        }

    if mode == "memory":
        scheduler = AsyncIOScheduler(timezone=UTC)
    else:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

        store = SQLAlchemyJobStore(url=f"sqlite:///{jobs_file}")
        scheduler = AsyncIOScheduler(jobstores={"default": store}, timezone=UTC)
    scheduler.start()
    if mode in ("memory", "sqlalchemy-first"):
        for assignment_id, chat_id, at in _pending_rows(db_file):
            scheduler.add_job(
                me.remind,
                DateTrigger(run_date=at),
                args=(chat_id, assignment_id),
                id=f"assignment:{assignment_id}",
                misfire_grace_time=None,
            )
    await asyncio.sleep(0)  # the scheduler's first look at its store
    await asyncio.sleep(0)
    ready, ready_mem = time.time(), _memory()
    if mode == "memory":
        jobs = len(scheduler.get_jobs())
    else:
        with sqlite3.connect(jobs_file) as connection:
            jobs = connection.execute("SELECT count(*) FROM apscheduler_jobs").fetchone()[0]
    scheduler.shutdown(wait=False)
    return {
        "imported": imported,
        "ready": ready,
        "imports_mem": after_imports,
        "mem": ready_mem,
        "jobs": jobs,
    }


# -- setting up the office (in the parent, not measured) -------------------------------------


def build_office(db_file: str, people: int) -> dict[str, Any]:
    """The example office with ``people`` staff, materialised by the real planner, then moved
    on to where the ticks would have left it at this instant (steps already past counted as
    sent), so that nothing is due and ~8.5 open assignments per person wait ahead."""
    from sqlalchemy import text, update
    from sqlmodel import col, select

    from bench.common import add_staff, example_settings, prepared_database
    from jobs.calendar import OfficeCalendar
    from jobs.ladder import progress, step_instants
    from jobs.tick import Planner
    from storage.models import Assignment, Obligation, Period

    settings = example_settings()
    db = prepared_database(f"sqlite:///{db_file}", settings)
    for index, group in enumerate(GROUPS):
        start = FIRST_USER + index * 1_000_000
        add_staff(db, [start + k for k in range(people // len(GROUPS))], group=group)
    with db.transaction() as session:  # one in twenty is also a procurement officer
        session.execute(
            text(
                "INSERT INTO staff_role (staff_id, role) "
                "SELECT id, 'procurement' FROM staff WHERE id % 20 = 0"
            )
        )
    planner = Planner(settings, OfficeCalendar.from_office(settings.office))
    now = datetime.now(UTC)
    started = time.perf_counter()
    created = planner.materialise(db, now)
    materialised = time.perf_counter() - started
    with db.transaction() as session:
        periods = session.exec(
            select(Period, Obligation).join(Obligation, col(Obligation.id) == Period.obligation_id)
        ).all()
        for period, obligation in periods:
            ladder = settings.ladder(obligation.ladder_key)
            step = progress(0, step_instants(ladder, period.due_at, planner.calendar), now)
            session.execute(
                update(Assignment)
                .where(col(Assignment.period_id) == period.id, col(Assignment.next_step) == 0)
                .values(next_step=step.next_step, next_action_at=step.next_action_at)
            )
        pending = session.exec(
            select(text("count(*)"))
            .select_from(Assignment)
            .where(col(Assignment.next_action_at).is_not(None))
        ).one()
    db.dispose()
    staff = people // len(GROUPS) * len(GROUPS)
    return {"staff": staff, "created": created, "pending": int(pending), "seconds": materialised}


# -- the parent --------------------------------------------------------------------------------


def spawn(mode: str, db_file: str, jobs_file: str) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    environment = {**os.environ, "PYTHONPATH": str(root)}
    spawned = time.time()
    finished = subprocess.run(
        [sys.executable, "-m", "bench.jobstore_vs_outbox", "--child", mode, db_file, jobs_file],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{finished.stderr[-3000:]}")
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    result["spawned"] = spawned
    return result


def summarise(mode: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return statistics.median(key_of(r, key) for r in results)

    def key_of(result: dict[str, Any], key: str) -> float:
        return {
            "imports_s": result["imported"] - result["spawned"],
            "ready_s": result["ready"] - result["spawned"],
            "schedule_s": result["ready"] - result["imported"],
            "imports_rss": result["imports_mem"]["VmRSS"] / 1024,
            "ready_rss": result["mem"]["VmRSS"] / 1024,
            "ready_hwm": result["mem"]["VmHWM"] / 1024,
        }[key]

    return {
        "mode": mode,
        "jobs": results[0]["jobs"],
        "runs": len(results),
        **{
            k: med(k)
            for k in ("imports_s", "ready_s", "schedule_s", "imports_rss", "ready_rss", "ready_hwm")
        },
    }


def report(rows: list[dict[str, Any]], office: dict[str, Any]) -> None:
    print()
    print(
        f"{'design':<20} {'APScheduler jobs':>16} {'runs':>4} {'imports s':>10} "
        f"{'ready s':>8} {'schedule s':>11} {'RSS imports MiB':>16} {'RSS ready MiB':>14} "
        f"{'peak MiB':>9}"
    )
    for row in rows:
        print(
            f"{row['mode']:<20} {row['jobs']:>16,} {row['runs']:>4} {row['imports_s']:>10.2f} "
            f"{row['ready_s']:>8.2f} {row['schedule_s']:>11.2f} {row['imports_rss']:>16.1f} "
            f"{row['ready_rss']:>14.1f} {row['ready_hwm']:>9.1f}"
        )
    print(
        "  ready s = process start to ready; schedule s = imports done to ready; "
        "RSS = VmRSS at that point (medians)"
    )
    ours = next(r for r in rows if r["mode"] == "ours")
    print()
    print(
        f"ours: {office['pending']:,} pending assignments ({office['staff']:,} people), "
        f"{ours['jobs']} APScheduler jobs"
    )
    for row in rows:
        if row is ours:
            continue
        print(
            f"{row['mode']} / ours: start-up {row['ready_s'] / ours['ready_s']:.2f}x "
            f"(after the imports {row['schedule_s'] / ours['schedule_s']:.2f}x), "
            f"RSS at ready {row['ready_rss'] / ours['ready_rss']:.2f}x "
            f"(above the imports {_above(row) / _above(ours):.2f}x: "
            f"{_above(row):.1f} MiB vs {_above(ours):.1f} MiB)"
        )


def _above(row: dict[str, Any]) -> float:
    return max(row["ready_rss"] - row["imports_rss"], 0.1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~10k reminders, one run each")
    parser.add_argument("--people", type=int, help="staff in the office (8.5 reminders each)")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "DB", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, db_file, jobs_file = args.child
        print(json.dumps(child(mode, db_file, jobs_file)))
        return

    from bench.common import guard_network, header

    guard_network()
    people = args.people or (1_070 if args.quick else 10_700)
    runs = args.runs or (1 if args.quick else 3)
    header("one APScheduler job per reminder vs the database as the schedule")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="srb-bench-") as directory:
        db_file = str(Path(directory) / "office.sqlite3")
        jobs_file = str(Path(directory) / "jobs.sqlite3")
        office = build_office(db_file, people)
        print(
            f"# office: {office['staff']:,} people, {office['created']:,} assignments "
            f"materialised in {office['seconds']:.1f} s, {office['pending']:,} pending; "
            f"{runs} run(s) of each, fresh subprocesses",
            flush=True,
        )
        rows = []
        for mode in MODES:
            repeat = 1 if mode == "sqlalchemy-first" else runs
            results = [spawn(mode, db_file, jobs_file) for _ in range(repeat)]
            row = summarise(mode, results)
            print(
                f"# {mode}: ready in {row['ready_s']:.2f} s, RSS {row['ready_rss']:.1f} MiB, "
                f"{row['jobs']:,} jobs",
                flush=True,
            )
            rows.append(row)
    report(rows, office)
    print(f"\n# whole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
