"""Tick cost against table size: 1,000 assignments due among 10k, 100k and 1M in total.

The database is the schedule, and the tick reads only what is due (an index range scan on
``assignment.next_action_at``), so its cost should follow the number due, not the size of the
table. This builds one database per size and backend with the real migrations, fills it with
bulk inserts (executemany on SQLite, COPY on PostgreSQL), and times
``Planner(...).tick(db, now, batch=DUE)`` with exactly ``DUE`` assignments due at ``now``; the
rest are due a year or more ahead. The due rows are put back (and the outbox emptied) between
runs; the first run is a warm-up and is not counted.

    python -m bench.tick_scale            # 10k, 100k, 1M on SQLite and PostgreSQL
    python -m bench.tick_scale --quick    # 5k and 20k, 500 due
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as ``python bench/<name>.py``: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, text
from sqlmodel import col, select

from bench.common import (
    SQLITE_TIME_FORMAT,
    Stopwatch,
    backends,
    database,
    example_settings,
    guard_network,
    header,
    median,
    prepared_database,
    with_obligations,
)
from jobs.calendar import OfficeCalendar
from jobs.settings import Settings
from jobs.tick import Planner
from storage import schedule
from storage.db import Database
from storage.models import Obligation, Period, Staff, StaffGroup, StaffRole, WorkGroup

BANGKOK = ZoneInfo("Asia/Bangkok")
# Wednesday 22 January 2025, 10.00 in Bangkok: a working day in office hours, no staff-meeting
# digest due (the next meeting is 11 February) and no onward reminder due.
NOW = datetime(2025, 1, 22, 10, 0, tzinfo=BANGKOK).astimezone(UTC)
DUE_PERIOD_DUE_AT = datetime(2025, 1, 27, 16, 30, tzinfo=BANGKOK).astimezone(UTC)  # only -7d due
DUE_OBLIGATION = "quarterly-progress"
ASSIGNMENT_COLUMNS = (
    "period_id",
    "owner_key",
    "staff_id",
    "status",
    "next_action_at",
    "next_step",
    "followups_unanswered",
    "created_at",
)


@dataclass
class Shape:
    total: int  # assignments in all
    due: int  # of which due at NOW
    staff: int  # people (each owes one assignment per period)

    @property
    def periods(self) -> int:
        return math.ceil(self.total / self.staff)

    @property
    def obligations(self) -> int:
        return max(7, self.total // 3000)


@dataclass
class Result:
    backend: str
    shape: Shape
    build_seconds: float
    query_seconds: list[float]
    tick_seconds: list[float]
    plan: str
    reported_messages: int  # TickReport.messages of the last run (the outbox held ``due``)


# -- building the tables -------------------------------------------------------------------


def bench_settings(shape: Shape) -> Settings:
    """The example config, its obligations cloned (same ladders) up to ``shape.obligations``."""
    settings = example_settings()
    originals = list(settings.obligations)
    clones = [
        originals[i % len(originals)].model_copy(
            update={"key": f"{originals[i % len(originals)].key}-b{i}"}
        )
        for i in range(shape.obligations - len(originals))
    ]
    return with_obligations(settings, originals + clones)


def build(db: Database, planner: Planner, shape: Shape) -> int:
    """Fill the tables; return the id of the period whose assignments are due."""
    created = NOW - timedelta(days=30)
    with db.transaction() as session:
        planner.sync_config(session, NOW)
        group_ids = [g.id for g in session.exec(select(WorkGroup).order_by(col(WorkGroup.id)))]
        session.execute(
            insert(Staff),
            [
                {
                    "telegram_user_id": 10_000_000 + i,
                    "chat_id": 10_000_000 + i,
                    "full_name": f"บุคลากร ทดสอบ {i}",
                    "language": "th",
                    "reachable": True,
                    "active": True,
                    "registered_at": created,
                }
                for i in range(shape.staff)
            ],
        )
        staff_ids = list(session.exec(select(Staff.id).order_by(col(Staff.id))).all())
        memberships = [
            {"staff_id": s, "group_id": group_ids[i % len(group_ids)]}
            for i, s in enumerate(staff_ids)
        ]
        session.execute(insert(StaffGroup), memberships)
        session.execute(insert(StaffRole), [{"staff_id": s, "role": "staff"} for s in staff_ids])
        obligations = {o.key: o.id for o in session.exec(select(Obligation)).all()}
        due_obligation = obligations.pop(DUE_OBLIGATION)
        others = sorted(v for v in obligations.values() if v is not None)
        rows: list[dict[str, Any]] = [
            {
                "obligation_id": due_obligation,
                "key": "bench-due",
                "fiscal_year": 2568,
                "due_at": DUE_PERIOD_DUE_AT,
                "quarter": 2,
            }
        ]
        far = NOW + timedelta(days=400)
        rows += [
            {
                "obligation_id": others[j % len(others)],
                "key": f"bench-{j}",
                "fiscal_year": 2570,
                "due_at": far + timedelta(hours=j),
            }
            for j in range(1, shape.periods)
        ]
        session.execute(insert(Period), rows)
        periods = session.exec(select(Period.id, Period.key, Period.due_at)).all()
    due_period = next(p for p, key, _ in periods if key == "bench-due")
    plan = [(p, due_at) for p, key, due_at in periods if key != "bench-due"]
    assert due_period is not None

    def assignments() -> Iterator[tuple[Any, ...]]:
        made = 0
        for i, staff_id in enumerate(staff_ids):
            if made == shape.total:
                return
            at = NOW if i < shape.due else NOW + timedelta(days=500)
            yield (due_period, f"staff:{staff_id}", staff_id, "pending", at, 0, 0, created)
            made += 1
        for period_id, due_at in sorted(plan):
            for staff_id in staff_ids:
                if made == shape.total:
                    return
                action = due_at - timedelta(days=7)
                yield (period_id, f"staff:{staff_id}", staff_id, "pending", action, 0, 0, created)
                made += 1

    _bulk_assignments(db, assignments())
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")  # what autovacuum does after a bulk load
    return due_period


def _bulk_assignments(db: Database, rows: Iterator[tuple[Any, ...]], chunk: int = 50_000) -> None:
    raw = db.engine.raw_connection()
    try:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(ASSIGNMENT_COLUMNS)
            statement = f"COPY assignment ({names}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in ASSIGNMENT_COLUMNS)
            names = ", ".join(ASSIGNMENT_COLUMNS)
            statement = f"INSERT INTO assignment ({names}) VALUES ({marks})"  # noqa: S608
            cursor = raw.cursor()
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(_sqlite_row(row))
                if len(batch) == chunk:
                    cursor.executemany(statement, batch)
                    batch.clear()
            if batch:
                cursor.executemany(statement, batch)
            cursor.close()
        raw.commit()
    finally:
        raw.close()


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Instants as SQLAlchemy stores them on SQLite: naive UTC text with microseconds."""
    return tuple(
        v.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME_FORMAT)
        if isinstance(v, datetime)
        else v
        for v in row
    )


def reset(db: Database, due_period: int) -> None:
    """Put the due assignments back to their first step at NOW; forget what the tick wrote."""
    with db.transaction() as session:
        session.execute(
            text(
                "UPDATE assignment SET next_step = 0, next_action_at = :now, status = 'pending', "
                "followups_unanswered = 0, escalated_at = NULL "
                "WHERE period_id = :period AND next_action_at IS NOT NULL "
                "AND next_action_at <= :soon"
            ),
            {
                "now": _bind(db, NOW),
                "period": due_period,
                "soon": _bind(db, NOW + timedelta(days=30)),
            },
        )
        session.execute(text("DELETE FROM outbox_message"))


def _bind(db: Database, moment: datetime) -> Any:
    if db.engine.dialect.name == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).strftime(SQLITE_TIME_FORMAT)
    return moment


# -- measuring -----------------------------------------------------------------------------


def due_query_plan(db: Database, batch: int) -> str:
    """The database's plan for the tick's due query, captured as the tick sends it."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "next_action_at <=" in statement and not captured:
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.transaction() as session:
            schedule.due_assignments(session, now=NOW, limit=batch)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, parameters = captured[0]
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.engine.dialect.name == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, parameters)
            lines = [row[0].strip() for row in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            lines = [row[-1] for row in cursor.fetchall()]
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return " | ".join(lines)


def measure(backend: str, shape: Shape, runs: int) -> Result:
    settings = bench_settings(shape)
    with database(backend, prefix="bench_tick") as url:
        db = prepared_database(url, settings)
        planner = Planner(settings, OfficeCalendar.from_office(settings.office))
        with Stopwatch() as built:
            due_period = build(db, planner, shape)
        query_times, tick_times = [], []
        for run in range(runs + 1):
            reset(db, due_period)
            with Stopwatch() as query, db.transaction() as session:
                found = schedule.due_assignments(session, now=NOW, limit=shape.due)
            assert len(found) == shape.due, (len(found), shape.due)
            with Stopwatch() as tick:
                report = planner.tick(db, NOW, batch=shape.due)
            assert report.assignments == shape.due, report
            written = outbox_count(db)
            assert written == shape.due, (written, report)  # one reminder each, nothing else
            reported = report.messages
            if run:  # the first is a warm-up
                query_times.append(query.seconds)
                tick_times.append(tick.seconds)
        reset(db, due_period)
        plan = due_query_plan(db, shape.due)
        db.dispose()
    return Result(backend, shape, built.seconds, query_times, tick_times, plan, reported)


def outbox_count(db: Database) -> int:
    with db.transaction() as session:
        return int(session.execute(text("SELECT count(*) FROM outbox_message")).scalar_one())


def report(results: list[Result]) -> None:
    print()
    print(
        f"{'backend':<9} {'assignments':>12} {'due':>5} {'build s':>8} "
        f"{'due query s':>12} {'tick s (median)':>16} {'tick s (min..max)':>18} {'ms/due':>7}"
    )
    for r in results:
        tick = median(r.tick_seconds)
        print(
            f"{r.backend:<9} {r.shape.total:>12,} {r.shape.due:>5} {r.build_seconds:>8.1f} "
            f"{median(r.query_seconds):>12.4f} {tick:>16.3f} "
            f"{min(r.tick_seconds):>8.3f}..{max(r.tick_seconds):<8.3f} "
            f"{1000 * tick / r.shape.due:>7.3f}"
        )
    print()
    for backend in dict.fromkeys(r.backend for r in results):
        mine = [r for r in results if r.backend == backend]
        small, large = mine[0], mine[-1]
        ratio = median(large.tick_seconds) / median(small.tick_seconds)
        query_ratio = median(large.query_seconds) / median(small.query_seconds)
        print(
            f"{backend}: tick at {large.shape.total:,} / tick at {small.shape.total:,} = "
            f"{ratio:.2f} (target <= 1.5); due query alone: {query_ratio:.2f}"
        )
        print(f"  due query plan at {large.shape.total:,}: {large.plan}")
        if large.reported_messages != large.shape.due:
            print(
                f"  note: TickReport.messages said {large.reported_messages} while the outbox "
                f"held {large.shape.due} new rows (INSERT rowcount not kept by the driver)"
            )


def due_sweep(args: argparse.Namespace) -> None:
    """Tick cost per due assignment as the number due grows, the table size fixed."""
    size = (args.sizes or [20_000 if args.quick else 100_000])[0]
    dues = [100, 200, 400] if args.quick else [250, 500, 1_000, 2_000]
    runs = args.runs or (2 if args.quick else 3)
    header("tick cost vs number due (table size fixed)")
    print(f"# {size:,} assignments; tick(batch=<due>); median of {runs} runs after a warm-up")
    print(f"{'backend':<9} {'due':>6} {'tick s':>8} {'ms/due':>7}")
    for backend in backends(args.backend):
        first = None
        for due in dues:
            result = measure(backend, Shape(size, due, max(args.staff or 1_000, due)), runs)
            tick = median(result.tick_seconds)
            per_due = 1000 * tick / due
            first = first or per_due
            print(
                f"{backend:<9} {due:>6} {tick:>8.3f} {per_due:>7.3f}  "
                f"(x{per_due / first:.2f} the cost per due of {dues[0]} due)",
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5k and 20k, 500 due, 2 runs")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--due", type=int)
    parser.add_argument("--staff", type=int)
    parser.add_argument("--runs", type=int)
    parser.add_argument(
        "--due-sweep",
        action="store_true",
        help="instead: one table size (default 100k), tick cost for 250, 500, 1000, 2000 due",
    )
    args = parser.parse_args(argv)
    guard_network()
    if args.due_sweep:
        due_sweep(args)
        return
    sizes = args.sizes or ([5_000, 20_000] if args.quick else [10_000, 100_000, 1_000_000])
    due = args.due or (500 if args.quick else 1_000)
    staff = args.staff or (500 if args.quick else 1_000)
    runs = args.runs or (2 if args.quick else 3)
    header("tick cost vs table size")
    print(
        f"# {due} due at {NOW.isoformat()} among {', '.join(f'{s:,}' for s in sizes)} "
        f"assignments; {staff} staff; tick(batch={due}); median of {runs} runs after a warm-up"
    )
    started = time.perf_counter()
    results = []
    for backend in backends(args.backend):
        for size in sizes:
            result = measure(backend, Shape(size, due, staff), runs)
            print(
                f"# {backend} {size:,}: built in {result.build_seconds:.1f} s, "
                f"tick median {median(result.tick_seconds):.3f} s",
                flush=True,
            )
            results.append(result)
    report(results)
    print(f"\n# whole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
