"""The engine and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine


def normalise_url(url: str) -> str:
    """Pick the driver we ship for PostgreSQL when the URL names none."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # with WAL, NORMAL syncs at checkpoints, not at every commit: the database cannot be
    # corrupted, though a power cut may take the last few commits with it
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for a database URL (SQLite file or PostgreSQL)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        if ":memory:" not in url and make_url(url).database:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def describe(engine: Engine) -> str:
    """The engine's URL for logs and messages, password hidden."""
    return engine.url.render_as_string(hide_password=True)


class Database:
    """The one entry to the database for the rest of the program."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def execute_bulk(session: Session, statement: Any) -> Any:
    """Run an UPDATE/DELETE without re-checking the objects the session holds.

    SQLAlchemy's default would evaluate the WHERE clause against every loaded object after
    each statement: quadratic in a tick's batch. Nothing here reads those objects back
    without refreshing them.
    """
    return session.execute(statement, execution_options={"synchronize_session": False})


def table_of(model: type[SQLModel]) -> Table:
    """A model's table, for a plain SQL statement where the ORM's bookkeeping is not wanted."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table
