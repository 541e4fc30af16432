"""Helpers shared by the benchmarks: databases to throw away, the example config, the clock.

Nothing here is timed; each script times what it measures itself and prints the figures.
The benchmarks only ever talk to 127.0.0.1 (the fake Bot API server and PostgreSQL); the
tests' network guard is installed to make sure of it for Python-level sockets.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from jobs.settings import Settings, load_settings
from storage import groups, migrate
from storage.db import Database, make_engine, normalise_url
from storage.groups import GroupSpec

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config.example.toml"
TOKEN = "123456:BENCH-TOKEN-abcdefghij"
POSTGRES_URL = os.environ.get(
    "STAFF_REPORT_BOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's DateTime stores on SQLite


def guard_network() -> None:
    """Refuse any Python-level connection that is not to loopback (the tests' guard)."""
    from tests import netguard

    netguard.install()


def example_settings(**sections: dict[str, Any]) -> Settings:
    """``config.example.toml``, with some keys of some sections replaced."""
    settings = load_settings(EXAMPLE_CONFIG)
    if not sections:
        return settings
    updates = {
        name: getattr(settings, name).model_copy(update=values) for name, values in sections.items()
    }
    copy = settings.model_copy(update=updates)
    copy._source = settings.source
    return copy


def with_obligations(settings: Settings, obligations: Sequence[Any]) -> Settings:
    copy = settings.model_copy(update={"obligations": list(obligations)})
    copy._source = settings.source
    return copy


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    try:
        engine = create_engine(normalise_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # no server, no driver
        return f"no PostgreSQL at {POSTGRES_URL}: {str(error).splitlines()[0]}"
    return None


@contextmanager
def postgres_schema(prefix: str = "bench") -> Iterator[str]:
    """A URL whose connections see only a fresh schema of the ``test`` database, dropped after."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def sqlite_file(name: str = "bench.sqlite3") -> Iterator[str]:
    """A URL to a SQLite file in a temporary directory, removed after."""
    with tempfile.TemporaryDirectory(prefix="srb-bench-") as directory:
        yield f"sqlite:///{Path(directory) / name}"


@contextmanager
def database(backend: str, prefix: str = "bench") -> Iterator[str]:
    """A throwaway database URL for ``backend`` ("sqlite" or "postgres")."""
    if backend == "sqlite":
        with sqlite_file() as url:
            yield url
    elif backend == "postgres":
        with postgres_schema(prefix) as url:
            yield url
    else:
        raise ValueError(backend)


def prepared_database(url: str, settings: Settings) -> Database:
    """A database brought to head by the real migrations, with the config's groups."""
    db = Database.from_url(url)
    migrate.upgrade(db.engine)
    with db.transaction() as session:
        groups.sync_groups(
            session,
            [GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in settings.groups],
        )
    return db


def backends(wanted: str) -> list[str]:
    """ "sqlite", "postgres" or "both" → the list to run (PostgreSQL only where it answers)."""
    chosen = ["sqlite", "postgres"] if wanted == "both" else [wanted]
    if "postgres" in chosen:
        problem = postgres_problem()
        if problem:
            print(f"# PostgreSQL skipped: {problem}")
            chosen.remove("postgres")
    return chosen


def rss_kib() -> tuple[int, int]:
    """(current VmRSS, peak VmHWM) of this process, in KiB, from /proc/self/status."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found.get("VmRSS", 0), found.get("VmHWM", 0)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def header(title: str) -> None:
    """What ran where: printed first by every benchmark."""
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("python-telegram-bot", "APScheduler", "SQLAlchemy", "sqlmodel", "psycopg")
    )
    print(f"== {title}")
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {versions}"
    )


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


class Stopwatch:
    """``with Stopwatch() as watch: ...`` then ``watch.seconds``."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


def add_staff(
    db: Database, user_ids: Sequence[int], *, group: str = "admin", role: str = "staff"
) -> dict[int, int]:
    """Register people straight into the tables (bulk); return staff id by Telegram user id.

    Each person's private chat id is their user id, as Telegram has it.
    """
    from sqlalchemy import insert
    from sqlmodel import col, select

    from storage.models import Staff, StaffGroup, StaffRole, WorkGroup

    registered = datetime(2025, 1, 1, tzinfo=UTC)
    with db.transaction() as session:
        group_id = session.exec(select(WorkGroup.id).where(WorkGroup.key == group)).one()
        session.execute(
            insert(Staff),
            [
                {
                    "telegram_user_id": user_id,
                    "chat_id": user_id,
                    "full_name": f"บุคลากร {user_id}",
                    "language": "th",
                    "reachable": True,
                    "active": True,
                    "registered_at": registered,
                }
                for user_id in user_ids
            ],
        )
        found = dict(
            session.exec(
                select(Staff.telegram_user_id, Staff.id).where(
                    col(Staff.telegram_user_id).in_(list(user_ids))
                )
            ).all()
        )
        session.execute(
            insert(StaffGroup), [{"staff_id": s, "group_id": group_id} for s in found.values()]
        )
        session.execute(insert(StaffRole), [{"staff_id": s, "role": role} for s in found.values()])
    return {int(user): int(staff) for user, staff in found.items() if staff is not None}
