"""Alembic, driven from code: bring a database to head, or tell how far behind it is."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaState(StrEnum):
    EMPTY = "empty"  # no table at all: a new database
    BEHIND = "behind"  # migrations exist that this database has not had
    CURRENT = "current"
    UNKNOWN = "unknown"  # a revision this program does not know (a newer program wrote it)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "the package ships no migration"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision_on(connection)


def current_revision_on(connection: Connection) -> str | None:
    """The revision as seen by ``connection`` (inside its transaction, e.g. a snapshot)."""
    return MigrationContext.configure(connection).get_current_revision()


def is_known(revision: str) -> bool:
    """Whether this program ships ``revision`` (else a newer program wrote it)."""
    return revision in {s.revision for s in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}


def schema_state(engine: Engine) -> SchemaState:
    """Where this database stands against the migrations this program ships."""
    revision = current_revision(engine)
    if revision is None:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        return SchemaState.EMPTY if not tables else SchemaState.BEHIND
    if revision == head_revision():
        return SchemaState.CURRENT
    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    return SchemaState.BEHIND if revision in known else SchemaState.UNKNOWN


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (idempotent at head)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)
