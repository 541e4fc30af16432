"""The engine and transactions."""

from __future__ import annotations

import asyncio
import functools
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal, Self, TypeVar, overload

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


SQLITE_BUSY_MS = 5_000  # a writer gives up ("database is locked": try again) after this long


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    # FULL: every commit is on the disk before the commit returns. With WAL, NORMAL syncs
    # only at checkpoints, so a power cut could take back the last commits — a confirmation
    # the person saw acknowledged, a complaint whose tracking code was already shown. The
    # cost (one fsync per commit) is invisible at an office's few writes a second.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


# -- SQLite: this process's writers take turns --------------------------------------------------
#
# SQLite lets one connection write at a time and makes the others sleep and try again (1, 2, 5,
# 10 … ms: its busy handler). With several database threads (``Database.run``) the writers of
# one process would spend most of their time in those sleeps. So on a SQLite file every
# connection of this process is a ``TurnTakingConnection``: before the statement that takes
# SQLite's write lock (the first INSERT/UPDATE/DELETE/DDL of a transaction, ``BEGIN
# IMMEDIATE``/``EXCLUSIVE``, a SAVEPOINT that opens one) it waits for the file's turn, a Python
# lock, and it lets go as soon as SQLite's transaction is over: commit, rollback (also the
# pool's reset on return), a statement that ran on its own (autocommit, a RELEASE that ended
# the transaction), close, or the connection being garbage-collected. Reads take no turn: they
# run beside a writer (WAL), as before. Other processes and outside connections still meet
# SQLite's own lock and its busy timeout; a turn is taken only where SQLite's lock would be
# taken next, so a thread waiting for its turn never holds anything another needs, and every
# wait is bounded: whoever waits for the turn gives up after ``SQLITE_BUSY_MS`` with SQLite's
# own "database is locked" (``is_busy``), and what it waited for the turn comes off what it
# may then wait for SQLite, so a writer never waits longer in all than SQLite alone would let it.

_WRITE_STATEMENTS = (
    "INSERT",
    "UPDATE",
    "DELETE",
    "REPLACE",
    "CREATE",
    "DROP",
    "ALTER",
    "VACUUM",
    "REINDEX",
    "ANALYZE",
)
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


READS, WRITES, SAVEPOINT = 0, 1, 2  # what a statement is, for the turn


@functools.lru_cache(maxsize=1024)
def _statement_kind(sql: str) -> int:
    """WRITES if running ``sql`` makes SQLite take the file's write lock (on doubt: yes)."""
    head = sql.lstrip()[:24].upper()
    if head.startswith(_WRITE_STATEMENTS):
        return WRITES
    if head.startswith("BEGIN"):
        return WRITES if head.split()[1:2] in (["IMMEDIATE"], ["EXCLUSIVE"]) else READS
    if head.startswith("WITH"):  # a common table expression in front of an INSERT/UPDATE/DELETE
        return WRITES if _WRITE_WORD.search(sql) else READS
    return SAVEPOINT if head.startswith("SAVEPOINT") else READS


def _opens_write(connection: TurnTakingConnection, sql: str) -> bool:
    kind = _statement_kind(sql)
    # A SAVEPOINT outside a transaction opens one, and what follows it is a write (the only
    # use: storage/complaints.py): its turn is taken before its first read, so that no writer
    # of this process can commit between the two (SQLite would refuse the write at once).
    return kind == WRITES or (kind == SAVEPOINT and not connection.in_transaction)


class TurnTakingCursor(sqlite3.Cursor):
    """A cursor of a :class:`TurnTakingConnection`: waits for the turn before a statement that
    writes, and lets it go after any statement that leaves no transaction open."""

    connection: TurnTakingConnection

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        connection = self.connection
        connection.before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            connection.after()

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Self:
        connection = self.connection
        connection.before(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            connection.after()

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        connection = self.connection
        connection.before(sql_script, write=True)
        try:
            return super().executescript(sql_script)
        finally:
            connection.after()


_C = TypeVar("_C", bound=sqlite3.Cursor)


class TurnTakingConnection(sqlite3.Connection):
    """A connection to a SQLite file whose writers, within this process, take turns (above).

    ``turn`` is the file's lock, shared by every engine of this process on that file."""

    turn: ClassVar[threading.Lock]
    _holds = False  # this connection has the turn
    _busy_to_restore: int | None = None  # its busy timeout, shortened by a wait for the turn

    @overload
    def cursor(self, factory: None = None) -> TurnTakingCursor: ...
    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], _C]) -> _C: ...
    def cursor(self, factory: Callable[[sqlite3.Connection], Any] | None = None) -> Any:
        return super().cursor(factory or TurnTakingCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> TurnTakingCursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> TurnTakingCursor:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        return self.cursor().executescript(sql_script)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.after()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.after()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> Literal[False]:
        try:  # ``with connection:`` commits or rolls back without calling the methods above
            return super().__exit__(kind, error, traceback)
        finally:
            self.after()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._busy_to_restore = None  # closed: nothing to restore
            self._end_turn()

    def __del__(self) -> None:
        if self._holds:  # dropped mid-transaction without a close: SQLite lets go now too
            self._holds = False
            self.turn.release()

    def before(self, sql: str, *, write: bool = False) -> None:
        """Before a statement: wait for the turn if it is to write."""
        if not self._holds and (write or _opens_write(self, sql)):
            self._take_turn()

    def after(self) -> None:
        """After a statement, done or failed: let go if no transaction is left open."""
        if self._holds and not self._in_open_transaction():
            self._end_turn()

    def _take_turn(self) -> None:
        if self.turn.acquire(blocking=False):
            self._holds = True
            return
        started = time.monotonic()
        if not self.turn.acquire(timeout=SQLITE_BUSY_MS / 1000):
            raise sqlite3.OperationalError("database is locked (a writer of this process)")
        self._holds = True
        try:
            left = SQLITE_BUSY_MS - int((time.monotonic() - started) * 1000)
            busy = self._busy_timeout()
            if max(left, 0) < busy:
                self._set_busy_timeout(max(left, 0))
                self._busy_to_restore = busy
        except BaseException:
            self._end_turn()
            raise

    def _in_open_transaction(self) -> bool:
        try:
            return self.in_transaction
        except sqlite3.ProgrammingError:  # closed
            return False

    def _end_turn(self) -> None:
        if not self._holds:
            return
        try:
            if self._busy_to_restore is not None:
                busy, self._busy_to_restore = self._busy_to_restore, None
                self._set_busy_timeout(busy)
        finally:
            self._holds = False
            self.turn.release()

    def _busy_timeout(self) -> int:
        cursor = sqlite3.Cursor(self)
        try:
            return int(cursor.execute("PRAGMA busy_timeout").fetchone()[0])
        finally:
            cursor.close()

    def _set_busy_timeout(self, milliseconds: int) -> None:
        cursor = sqlite3.Cursor(self)
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(milliseconds)}")
        finally:
            cursor.close()


_TURN_TAKING: dict[str, type[TurnTakingConnection]] = {}
_TURN_TAKING_GUARD = threading.Lock()


def turn_taking_connection(path: Path) -> type[TurnTakingConnection]:
    """The connection class for the SQLite file at ``path``, with that file's turn (one per
    file in this process, whichever engine or ``Database`` opens it)."""
    key = str(path.resolve())
    with _TURN_TAKING_GUARD:
        found = _TURN_TAKING.get(key)
        if found is None:

            class OnThisFile(TurnTakingConnection):
                turn = threading.Lock()

            found = _TURN_TAKING[key] = OnThisFile
        return found


def _fresh_turns_after_fork() -> None:
    """A child process starts with no writer: a turn held in the parent at the fork would
    otherwise never be let go in the child (its connections are not to be used there)."""
    global _TURN_TAKING_GUARD
    _TURN_TAKING_GUARD = threading.Lock()
    for connection_class in _TURN_TAKING.values():
        connection_class.turn = threading.Lock()


os.register_at_fork(after_in_child=_fresh_turns_after_fork)


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
        connect_args: dict[str, Any] = {"check_same_thread": False}
        path = sqlite_path(url)
        if path is not None:  # a file (an in-memory database has one connection per thread)
            connect_args["factory"] = turn_taking_connection(path)
        engine = create_engine(url, echo=echo, connect_args=connect_args)
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
