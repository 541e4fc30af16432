"""The board's rows without a browser: links spent once, sessions, and old rows forgotten."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from storage import board
from storage.db import Database
from storage.models import BoardLink, BoardSession, Role
from tests.support import NOW, enrol


def _count(db: Database, table: type) -> int:
    with db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def test_a_link_is_spent_once_and_old_rows_are_forgotten(db: Database) -> None:
    person = enrol(db, 21, "วิภา ประสานงาน", "policy", Role.COORDINATOR)
    five = timedelta(minutes=5)
    with db.transaction() as session:
        token = board.new_link(session, person.id, now=NOW, valid_for=five)
    with db.transaction() as session:
        assert board.take_link(session, token, now=NOW) == person.id
        assert board.take_link(session, token, now=NOW) is board.LinkRefusal.USED
        assert board.take_link(session, "nothing", now=NOW) is board.LinkRefusal.UNKNOWN
        opened = board.open_session(session, person.id, via="link", now=NOW, valid_for=five)
    with db.transaction() as session:
        assert board.live_session(session, opened.token, now=NOW) is not None
        assert board.live_session(session, opened.token, now=NOW + five) is None
        late = board.new_link(session, person.id, now=NOW, valid_for=five)
    with db.transaction() as session:
        assert board.take_link(session, late, now=NOW + five) is board.LinkRefusal.EXPIRED
    assert (_count(db, BoardLink), _count(db, BoardSession)) == (2, 1)
    with db.transaction() as session:
        board.new_link(session, person.id, now=NOW + timedelta(days=2), valid_for=five)
    assert (_count(db, BoardLink), _count(db, BoardSession)) == (1, 0)
