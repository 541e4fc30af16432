"""The audit log is append-only: the database refuses changes, and no code path asks for one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from storage import audit
from storage.db import Database
from storage.models import AuditEvent
from tests.support import NOW, ROOT


def _one_event(db: Database) -> int:
    with db.transaction() as session:
        event_id = audit.record(
            session,
            at=NOW,
            actor="test",
            action="test.recorded",
            subject_type="test",
            subject_id=None,
        )
    return event_id


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_to_change_an_audit_event(db: Database, statement: str) -> None:
    event_id = _one_event(db)
    change = (
        update(AuditEvent).where(AuditEvent.id == event_id).values(action="forged")  # type: ignore[arg-type]
        if statement == "update"
        else delete(AuditEvent).where(AuditEvent.id == event_id)  # type: ignore[arg-type]
    )
    with pytest.raises(DatabaseError, match="append-only"), db.transaction() as session:
        session.execute(change)
    with db.engine.connect() as connection:
        action = connection.execute(
            text("SELECT action FROM audit_event WHERE id = :id"), {"id": event_id}
        ).scalar_one()
    assert action == "test.recorded"


@pytest.mark.postgres
def test_postgresql_refuses_to_truncate_the_audit_log(postgres_schema_url: str) -> None:
    """TRUNCATE fires no row trigger; a statement trigger refuses it as well."""
    from storage import migrate

    database = Database.from_url(postgres_schema_url)
    migrate.upgrade(database.engine)
    _one_event(database)
    with pytest.raises(DatabaseError, match="append-only"), database.transaction() as session:
        session.execute(text("TRUNCATE audit_event"))
    with database.engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one()
    database.dispose()
    assert count == 1


def test_no_code_path_updates_or_deletes_audit_events() -> None:
    pattern = re.compile(
        r"(update|delete)\(\s*AuditEvent|table_of\(\s*AuditEvent\s*\)\s*\.\s*(update|delete)"
        r"|session\.delete\(\s*event"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("bot", "jobs", "storage")
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
