"""Shared fixtures: the network guard, real databases (SQLite and PostgreSQL), the config.

PostgreSQL tests run against 127.0.0.1:5432, database ``test`` (override with
``STAFF_REPORT_BOT_TEST_POSTGRES``); each test gets a schema of its own. Where no server
answers they are skipped with the reason, unless ``STAFF_REPORT_BOT_REQUIRE_POSTGRES=1``
(CI sets it), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from jobs.settings import Settings, load_settings
from storage import groups, migrate
from storage.db import Database, make_engine, normalise_url
from storage.groups import GroupSpec
from tests import netguard
from tests.harness import running_bot
from tests.support import EXAMPLE_CONFIG, with_changes

POSTGRES_URL = os.environ.get(
    "STAFF_REPORT_BOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
os.environ.setdefault("PTB_TIMEDELTA", "true")  # python-telegram-bot 22: durations as timedelta
REQUIRE_POSTGRES = os.environ.get("STAFF_REPORT_BOT_REQUIRE_POSTGRES") == "1"


@pytest.fixture(autouse=True, scope="session")
def _no_internet() -> Iterator[None]:
    netguard.install()
    yield
    netguard.uninstall()


@pytest.fixture(autouse=True)
def _fail_on_network_attempt() -> Iterator[None]:
    """Fail the test even when library code swallowed the guard's exception."""
    netguard.attempts.clear()
    yield
    assert not netguard.attempts, f"a test tried to reach the network: {netguard.attempts}"


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(normalise_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except (OperationalError, ImportError) as error:
        return f"no PostgreSQL server answers at {POSTGRES_URL}: {str(error).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    problem = _postgres_problem()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"{problem} (STAFF_REPORT_BOT_REQUIRE_POSTGRES=1)")
        pytest.skip(problem)
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL whose connections see only a fresh schema, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def settings() -> Settings:
    """The example config; the year's calendar is sent by itself only where a test asks for
    it (``tests/yearplan``): the others would receive it on the real clock every October."""
    example = load_settings(EXAMPLE_CONFIG)
    return with_changes(example, yearplan={"announce": False})


@pytest.fixture
def db(database_url: str, settings: Settings) -> Iterator[Database]:
    """A database brought to head by the real migrations, with the example's groups."""
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine)
    with database.transaction() as session:
        groups.sync_groups(
            session,
            [GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in settings.groups],
        )
    yield database
    database.dispose()


@pytest.fixture
async def bot(db: Database, settings: Settings) -> Any:
    """A running bot over the fake Bot API server, on each database."""
    async with running_bot(db, settings) as harness:
        yield harness
