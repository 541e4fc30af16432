"""Alembic migrations: the same schema on SQLite and PostgreSQL, and a refusal to run behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from bot.cli import main
from storage import migrate
from storage.db import Database
from storage.models import ALL_TABLES


def _write_config(tmp_path: Path, database_url: str) -> Path:
    from tests.support import EXAMPLE_CONFIG

    config = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///staff-report-bot.sqlite3"', f'url = "{database_url}"', 1
    )
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    return path


def test_migrations_build_exactly_the_models(database_url: str) -> None:
    database = Database.from_url(database_url)
    assert migrate.schema_state(database.engine) is migrate.SchemaState.EMPTY
    migrate.upgrade(database.engine)
    assert migrate.schema_state(database.engine) is migrate.SchemaState.CURRENT
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    tables = set(inspect(database.engine).get_table_names())
    assert {model.__tablename__ for model in ALL_TABLES} <= tables  # type: ignore[attr-defined]
    database.dispose()


def test_migrate_twice_changes_nothing_and_downgrade_goes_back(database_url: str) -> None:
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine)
    migrate.upgrade(database.engine)
    assert migrate.current_revision(database.engine) == migrate.head_revision()
    migrate.downgrade(database.engine, "base")
    assert migrate.schema_state(database.engine) is migrate.SchemaState.EMPTY
    database.dispose()


def test_the_migrate_command_brings_a_new_database_to_head(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write_config(tmp_path, database_url)
    assert main(["migrate", "--config", str(config)]) == 0
    assert f"→ {migrate.head_revision()}" in capsys.readouterr().out
    assert main(["migrate", "--config", str(config)]) == 0
    assert "already at" in capsys.readouterr().out


def test_the_bot_refuses_a_database_that_is_behind_and_names_the_fix(
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine)
    with database.engine.begin() as connection:  # as if written before migrations existed
        connection.execute(text("DROP TABLE alembic_version"))
    database.dispose()
    config = _write_config(tmp_path, database_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:abcdefghijklmnopqrstuvwxyz")
    assert main(["run", "--config", str(config)]) == 3
    assert f"run `staff-report-bot migrate --config {config}`" in capsys.readouterr().err


def test_the_bot_refuses_a_database_from_a_newer_version(
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.dispose()
    config = _write_config(tmp_path, database_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:abcdefghijklmnopqrstuvwxyz")
    assert main(["run", "--config", str(config)]) == 3
    assert "newer version" in capsys.readouterr().err


def test_a_database_one_migration_behind_is_refused_until_migrated(
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine, "0001")
    assert migrate.schema_state(database.engine) is migrate.SchemaState.BEHIND
    database.dispose()
    config = _write_config(tmp_path, database_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:abcdefghijklmnopqrstuvwxyz")
    assert main(["run", "--config", str(config)]) == 3
    assert "staff-report-bot migrate" in capsys.readouterr().err
    assert main(["migrate", "--config", str(config)]) == 0
    assert f"schema 0001 → {migrate.head_revision()}" in capsys.readouterr().out


def test_a_loan_entry_in_progress_survives_the_move_to_awaited_answers(database_url: str) -> None:
    """Migration 0011 moves the loan drafts into the one table of awaited answers, and back."""
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine, "0010")
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO staff (id, telegram_user_id, chat_id, full_name, language, "
                "reachable, active, registered_at) VALUES "
                "(1, 11, 11, 'สมศรี พัสดุ', 'th', true, true, '2025-01-02 02:00:00+00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO property_loan_draft (staff_id, kind, step, data, updated_at) "
                "VALUES (1, 'loan', 'items', '{\"borrower\": 2}', '2025-01-02 03:00:00+00:00')"
            )
        )
    migrate.upgrade(database.engine)
    with database.engine.connect() as connection:
        moved = connection.execute(
            text("SELECT topic, kind, step, data, expires_at FROM awaited_answer")
        ).all()
    assert len(moved) == 1 and tuple(moved[0][:3]) == ("entry", "loan", "items")
    assert "borrower" in str(moved[0][3]) and "2025-01-02 15:00" in str(moved[0][4])
    migrate.downgrade(database.engine, "0010")
    with database.engine.connect() as connection:
        back = connection.execute(text("SELECT kind, step FROM property_loan_draft")).all()
    assert [tuple(row) for row in back] == [("loan", "items")]
    database.dispose()
