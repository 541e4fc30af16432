"""The engine and transactions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine


def normalise_url(url: str) -> str:
    """Pick the driver we ship for PostgreSQL when the URL names none."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


POSTGRES_CONNECT_TIMEOUT = 10  # seconds: an unreachable server is reported, not waited on


class DatabaseMissing(Exception):
    """A read-only open of a SQLite file that does not exist (nothing is created)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # FULL: every commit is on the disk before the commit returns. With WAL, NORMAL syncs
    # only at checkpoints, so a power cut could take back the last commits — a confirmation
    # the person saw acknowledged, a complaint whose tracking code was already shown. The
    # cost (one fsync per commit) is invisible at an office's few writes a second.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


LOCK_TIMEOUT_MS = 3_000  # a press on a row another session holds answers "try again" by then
STATEMENT_TIMEOUT_MS = 60_000  # no statement of ours runs this long; a stuck one is stopped
BUSY_SQLSTATES = frozenset({"55P03", "57014", "40P01"})  # lock timeout, cancelled, deadlock


def _postgres_timeouts(dbapi_connection: Any, _record: Any) -> None:
    """Nobody waits for ever on a lock another session holds (migrations lift the statement
    limit for themselves: storage/migrations/env.py)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
    cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
    cursor.close()
    dbapi_connection.commit()


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` says the data was held by someone else too long (PostgreSQL's lock or
    statement timeout, a deadlock, SQLite's "database is locked"): worth trying again."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(original) or "database table is locked" in str(original)


def _read_only_session(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(normalise_url(url))
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def make_engine(url: str, *, echo: bool = False, read_only: bool = False) -> Engine:
    """Create the engine for a database URL (SQLite file or PostgreSQL).

    ``read_only`` (the health check) changes nothing and creates nothing: a SQLite file that
    does not exist raises :class:`DatabaseMissing`; PostgreSQL sessions are read-only.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        if read_only:
            return _sqlite_read_only(url)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        if ":memory:" not in url and make_url(url).database:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        return engine
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT},
    )
    event.listen(engine, "connect", _postgres_timeouts)
    if read_only:
        event.listen(engine, "connect", _read_only_session)
    return engine


def _sqlite_read_only(url: str) -> Engine:
    path = sqlite_path(url)
    if path is None or not path.is_file():
        raise DatabaseMissing(f"no database file at {path}")
    engine = create_engine(
        f"sqlite:///file:{path.resolve()}?mode=ro&uri=true",
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def describe(engine: Engine) -> str:
    """The engine's URL for logs and messages, password hidden."""
    return engine.url.render_as_string(hide_password=True)


T = TypeVar("T")
DATABASE_THREADS = 4  # within SQLAlchemy's default pool of 5: a connection always at hand


class Database:
    """The one entry to the database for the rest of the program: ``transaction()`` where
    blocking is fine (the command line, a worker thread), ``await run(work)`` on the event loop.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._executor: ThreadPoolExecutor | None = None

    @classmethod
    def from_url(cls, url: str, *, read_only: bool = False) -> Database:
        return cls(make_engine(url, read_only=read_only))

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

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in one transaction on a worker thread, off the event loop: a
        slow or locked database delays the caller, never every other user and the scheduler.

        ``work`` gets a session that commits when it returns; what it returns (detached rows,
        plain values) is handed back to the awaiting coroutine."""

        def in_transaction() -> T:
            with self.transaction() as session:
                return work(session)

        return await asyncio.get_running_loop().run_in_executor(self._workers(), in_transaction)

    def _workers(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="database")
        return self._executor

    def dispose(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
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
