"""Constants and small helpers shared by the tests (imported, unlike conftest's fixtures)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.features import CATALOG
from jobs.settings import Settings
from storage import groups, invites, people
from storage.db import Database
from storage.models import Language, Role

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config.example.toml"
NOW = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)  # Monday 6 January 2568 B.E., 09.00 in Bangkok


def audit_names() -> dict[str, str]:
    """Every audit action by name, as the features declare them (``Feature.audit``, merged
    into ``Catalog.audit``): what the evidence workbook is given as ``actions``."""
    return dict(CATALOG.audit)


def with_changes(settings: Settings, **sections: dict[str, Any]) -> Settings:
    """A copy of ``settings`` with some keys of some sections replaced."""
    updates = {
        name: getattr(settings, name).model_copy(update=values) for name, values in sections.items()
    }
    copy = settings.model_copy(update=updates)
    copy._source = settings.source
    return copy


def invite_code(
    db: Database,
    group: str | None = "admin",
    role: Role = Role.STAFF,
    *,
    uses: int = 1,
    valid_for: timedelta = timedelta(days=7),
    now: datetime = NOW,
) -> str:
    """A fresh registration code, made as the ``invite`` command makes it."""
    with db.transaction() as session:
        work_group = groups.group_by_key(session, group) if group else None
        invite = invites.create_invite(
            session,
            group=work_group,
            role=role,
            uses=uses,
            valid_for=valid_for,
            created_by="test",
            now=now,
        )
    return invite.code


def enrol(
    db: Database, user_id: int, name: str, group: str | None, role: Role, now: datetime = NOW
) -> people.Person:
    """Register a person straight through storage (for tests about what comes after)."""
    code = invite_code(db, group, role, valid_for=timedelta(days=30), now=now)
    with db.transaction() as session:
        newcomer = invites.Newcomer(user_id, user_id, name, None, Language.TH)
        person = invites.redeem(session, code=code, newcomer=newcomer, now=now).person
    assert person is not None
    return person


@contextmanager
def holding_row(db: Database, table: str, row_id: int) -> Iterator[Callable[[], None]]:
    """Another session holds a row, as a slow or stuck program would: PostgreSQL locks it
    (``FOR UPDATE``); SQLite takes the whole file's write lock (``BEGIN IMMEDIATE``) on a plain
    sqlite3 connection outside the application's pool. Yields a function that lets go early;
    the end of the block lets go too."""
    if db.engine.dialect.name == "sqlite":
        holder = sqlite3.connect(str(db.engine.url.database), timeout=0, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")

        def release() -> None:
            if holder.in_transaction:
                holder.rollback()

        try:
            yield release
        finally:
            release()
            holder.close()
        return
    with db.engine.connect() as connection:
        connection.begin()
        locked = connection.execute(
            text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"),  # noqa: S608 -- our names
            {"id": row_id},
        )
        assert locked.one(), f"no row {row_id} in {table}"
        try:
            yield connection.rollback
        finally:
            connection.rollback()
