"""On SQLite the writers of one process take turns (storage/db.py, ``TurnTakingConnection``).

Writers on every database thread of ``Database.run`` all get through without meeting SQLite's
lock ("database is locked"); a reader is not held up by a writer that has the turn; the turn
is let go on every way a transaction can end, so the next writer never waits for a turn nobody
uses; a writer that cannot get SQLite's lock (another process holds it) gives up with the
usual "database is locked" instead of hanging, and so does a thread that would wait for its own
turn. To show that it is the turn, not SQLite's busy handler, that keeps writers apart, most
tests set SQLite's busy timeout to 0: a writer that met another's lock would fail at once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

import storage.db
from storage.db import DATABASE_THREADS, Database, is_busy

WRITERS = DATABASE_THREADS * 3
EACH = 20
HANG_GUARD = 60.0  # seconds: only so that a broken build fails instead of hanging


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "writers.sqlite3"


@pytest.fixture
def db(path: Path) -> Iterator[Database]:
    database = Database.from_url(f"sqlite:///{path}")
    with database.transaction() as session:
        session.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, writer INT, n INT)"))
        session.execute(text("CREATE TABLE tally (id INTEGER PRIMARY KEY, n INT NOT NULL)"))
        session.execute(text("INSERT INTO tally (id, n) VALUES (1, 0)"))
    yield database
    database.dispose()


@pytest.fixture
def impatient(db: Database) -> Database:
    """``db`` whose connections give up at once on SQLite's lock (busy timeout 0)."""

    def no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    event.listen(db.engine, "connect", no_busy_wait)
    db.engine.dispose()  # the connections already made had 5 s
    return db


@pytest.fixture
def short_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writers give up after 0.2 s instead of 5 s (the turn, and SQLite's busy timeout of the
    connections made from now on): for the tests where someone must give up."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_MS", 200)


def note(writer: int, n: int) -> Callable[[Session], None]:
    def work(session: Session) -> None:
        session.execute(text("INSERT INTO note (writer, n) VALUES (:w, :n)"), {"w": writer, "n": n})
        session.execute(text("UPDATE tally SET n = n + 1 WHERE id = 1"))

    return work


def counts(db: Database) -> tuple[int, int]:
    """(notes written, the tally)."""
    with db.transaction() as session:
        notes = session.execute(text("SELECT count(*) FROM note")).scalar_one()
        tally = session.execute(text("SELECT n FROM tally WHERE id = 1")).scalar_one()
    return int(notes), int(tally)


class Holder:
    """A writer on a database thread that has written (so has the turn) and waits to commit
    until told."""

    def __init__(self, db: Database) -> None:
        self.wrote = threading.Event()
        self.go = threading.Event()
        self.task = asyncio.create_task(db.run(self.work))

    def work(self, session: Session) -> bool:
        session.execute(text("INSERT INTO note (writer, n) VALUES (-1, 0)"))
        self.wrote.set()
        return self.go.wait(HANG_GUARD)

    async def has_written(self) -> None:
        assert await asyncio.to_thread(self.wrote.wait, HANG_GUARD)

    async def commit(self) -> None:
        self.go.set()
        assert await self.task, "the holder was not let go by the test"


async def test_writers_on_every_database_thread_all_get_through(impatient: Database) -> None:
    db = impatient

    def read(session: Session) -> int:
        return int(session.execute(text("SELECT count(*) FROM note")).scalar_one())

    jobs: list[Any] = []
    for n in range(EACH):
        jobs += [db.run(note(writer, n)) for writer in range(WRITERS)]
        jobs.append(db.run(read))
    await asyncio.gather(*jobs)  # not one "database is locked"

    assert counts(db) == (WRITERS * EACH, WRITERS * EACH)


async def test_a_reader_runs_while_a_writer_has_the_turn(impatient: Database) -> None:
    db = impatient
    await db.run(note(0, 0))
    holder = Holder(db)
    await holder.has_written()

    def read(session: Session) -> tuple[int, int]:
        notes = session.execute(text("SELECT count(*) FROM note")).scalar_one()
        tally = session.execute(text("SELECT n FROM tally")).scalar_one()
        return int(notes), int(tally)

    assert await db.run(read) == (1, 1)  # answered while held; the holder's note not yet seen
    await holder.commit()
    assert counts(db) == (2, 1)


async def test_a_writer_that_comes_meanwhile_waits_for_its_turn(impatient: Database) -> None:
    db = impatient
    holder = Holder(db)
    await holder.has_written()
    second_is_writing = threading.Event()

    def second(session: Session) -> None:
        second_is_writing.set()
        note(1, 1)(session)

    waiting = asyncio.create_task(db.run(second))
    assert await asyncio.to_thread(second_is_writing.wait, HANG_GUARD)
    await holder.commit()
    await waiting  # SQLite alone (busy timeout 0) would have refused it at once
    assert counts(db) == (2, 1)


async def test_a_second_database_on_the_same_file_shares_the_turn(
    impatient: Database, path: Path
) -> None:
    other = Database.from_url(f"sqlite:///{path}")
    event.listen(other.engine, "connect", lambda c, _r: c.execute("PRAGMA busy_timeout=0"))
    other.engine.dispose()
    try:
        holder = Holder(impatient)
        await holder.has_written()
        waiting = asyncio.create_task(other.run(note(1, 1)))
        await asyncio.sleep(0)
        await holder.commit()
        await waiting
    finally:
        other.dispose()
    assert counts(impatient) == (2, 1)


def test_the_turn_is_let_go_however_a_transaction_ends(impatient: Database) -> None:
    """Each way of ending a write, then a writer on another thread: had the turn been kept, it
    would wait for it and give up ("database is locked")."""
    db = impatient

    def another_thread_writes() -> None:
        failure: list[BaseException] = []

        def write() -> None:
            try:
                with db.transaction() as session:
                    note(9, 9)(session)
            except BaseException as error:  # handed to the test
                failure.append(error)

        thread = threading.Thread(target=write)
        thread.start()
        thread.join(HANG_GUARD)
        assert not thread.is_alive() and not failure, failure

    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.transaction() as session:  # an exception: rollback
        note(1, 1)(session)
        raise Boom
    another_thread_writes()

    with db.engine.connect() as connection:  # back to the pool uncommitted: the pool's reset
        connection.execute(text("INSERT INTO note (writer, n) VALUES (2, 2)"))
    another_thread_writes()

    with db.engine.connect() as connection:  # autocommit: each statement ends its own
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommit.execute(text("INSERT INTO note (writer, n) VALUES (3, 3)"))
        another_thread_writes()  # while this connection is still checked out

    raw = db.engine.raw_connection()  # sqlite3's own ``with connection:`` commits
    with raw.driver_connection as driver:  # type: ignore[union-attr]
        driver.execute("INSERT INTO note (writer, n) VALUES (6, 6)")
    another_thread_writes()  # while it is still checked out
    raw.close()

    raw = db.engine.raw_connection()  # the connection itself closed mid-transaction
    raw.cursor().execute("INSERT INTO note (writer, n) VALUES (4, 4)")
    raw.invalidate()
    another_thread_writes()

    with db.transaction() as session, session.begin_nested():  # a savepoint opened it
        note(5, 5)(session)
    another_thread_writes()

    with db.transaction() as session:  # DDL
        session.execute(text("CREATE TABLE extra (id INTEGER PRIMARY KEY)"))
    another_thread_writes()

    assert counts(db) == (10, 8)  # notes 3, 5, 6 and the other thread's seven (only 5 tallied)


async def test_a_transaction_opened_inside_database_run(impatient: Database) -> None:
    """``db.transaction()`` inside ``db.run``: the inner one writes and commits while the
    outer one has only read, then the outer one writes."""
    db = impatient

    def work(session: Session) -> int:
        before = int(session.execute(text("SELECT count(*) FROM note")).scalar_one())
        with db.transaction() as inner:
            note(1, 1)(inner)
        note(2, 2)(session)
        return before

    assert await db.run(work) == 0
    assert counts(db) == (2, 2)


@pytest.mark.usefixtures("short_turns")
async def test_a_thread_never_waits_for_its_own_turn_for_ever(db: Database) -> None:
    """The outer transaction has written; an inner one on the same thread writes too. SQLite
    alone would refuse the inner one after its busy timeout; so does the turn, no hang."""

    def work(session: Session) -> None:
        note(1, 1)(session)
        with db.transaction() as inner:
            note(2, 2)(inner)

    with pytest.raises(OperationalError) as raised:
        await db.run(work)
    assert is_busy(raised.value)
    await db.run(note(3, 3))  # neither kept the turn
    assert counts(db) == (1, 1)


@pytest.mark.usefixtures("short_turns")
async def test_another_process_holding_the_file_still_meets_the_busy_timeout(
    db: Database, path: Path
) -> None:
    """Another program's write lock (as tests/support.py's ``holding_row``): our writer waits
    SQLite's busy timeout, then gives up with "database is locked" and lets the turn go; once
    the other lets go, writing works again."""
    db.engine.dispose()  # connections with the short busy timeout
    holder = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError) as raised:
            await db.run(note(1, 1))
        assert is_busy(raised.value)
        assert counts(db) == (0, 0)  # reads go on meanwhile
        holder.rollback()
    finally:
        holder.close()
    await db.run(note(2, 2))
    assert counts(db) == (1, 1)
