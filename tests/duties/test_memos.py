"""Memos to the director in the database (issue 15), on SQLite and PostgreSQL: numbered per
fiscal year without gaps or doubles (also with two processes at once), their lines as written,
listed by year, and their .docx files kept beside them."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from jobs.calendar import OfficeCalendar
from jobs.settings import Settings
from jobs.tick import Planner
from storage import memos
from storage.db import Database
from storage.memos import NewMemoLine
from storage.models import Assignment, Memo, MemoDocumentKind, MemoState, Role
from tests.duties.test_tick import MALEE, SOMCHAI, bkk, join, only, q1_assignment

DATED = date(2025, 1, 14)  # fiscal year 2568


@pytest.fixture
def office(db: Database, settings: Settings) -> Database:
    plan = only(settings, "quarterly-progress", each_member_of=["admin"])
    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    join(db, MALEE, "มาลี ศรีสุข", "admin", Role.STAFF)
    Planner(plan, OfficeCalendar.from_office(plan.office)).materialise(db, bkk(1, 2))
    return db


def _line(assignment: Assignment, name: str, *followups: date) -> NewMemoLine:
    return NewMemoLine(
        assignment_id=assignment.id or 0,
        name=name,
        group="กลุ่มอำนวยการ",
        position="นักวิเคราะห์นโยบายและแผนชำนาญการ",
        due_at=bkk(1, 10, 16, 30),
        followups=followups,
    )


def _create(db: Database, fiscal_year: int = 2568, *names: str) -> memos.MemoView:
    somchai = q1_assignment(db, SOMCHAI)
    lines = [_line(somchai, name, date(2025, 1, 13)) for name in names[:1]]
    with db.transaction() as session:
        return memos.create_memo(
            session,
            fiscal_year=fiscal_year,
            period_id=somchai.period_id,
            obligation_id=1,
            dated=DATED,
            lines=lines,
            review="coordinator",
            now=bkk(1, 14),
        )


def test_memos_are_numbered_per_fiscal_year_and_a_new_year_starts_at_one(
    office: Database,
) -> None:
    first, second = _create(office), _create(office)
    next_year = _create(office, 2569)
    assert (first.memo.number, second.memo.number) == (1, 2)
    assert (next_year.memo.fiscal_year, next_year.memo.number) == (2569, 1)
    assert _create(office).memo.number == 3
    assert first.memo.state == MemoState.DRAFT


def test_a_memo_keeps_each_person_as_written_with_the_days_they_were_followed_up(
    office: Database,
) -> None:
    somchai, malee = q1_assignment(office, SOMCHAI), q1_assignment(office, MALEE)
    with office.transaction() as session:
        created = memos.create_memo(
            session,
            fiscal_year=2568,
            period_id=somchai.period_id,
            obligation_id=1,
            dated=DATED,
            lines=[
                _line(malee, "นางมาลี ศรีสุข", date(2025, 1, 12), date(2025, 1, 13)),
                _line(somchai, "นายสมชาย ใจดี", date(2025, 1, 13)),
            ],
            review="director",
            now=bkk(1, 14),
        )
    assert created.memo.id is not None
    with office.transaction() as session:
        found = memos.memo(session, created.memo.id)
        assert memos.memo(session, created.memo.id + 100) is None
    assert found is not None
    assert found.memo.dated == DATED and found.memo.review == "director"
    assert [(line.number, line.name) for line in found.lines] == [
        (1, "นางมาลี ศรีสุข"),
        (2, "นายสมชาย ใจดี"),
    ]
    first = found.lines[0]
    assert first.assignment_id == malee.id and first.group_name == "กลุ่มอำนวยการ"
    assert first.position == "นักวิเคราะห์นโยบายและแผนชำนาญการ"
    assert first.due_at == bkk(1, 10, 16, 30)
    assert memos.followup_days(first) == [date(2025, 1, 12), date(2025, 1, 13)]


def test_a_year_lists_its_memos_in_number_order_with_their_lines(office: Database) -> None:
    _create(office, 2568, "นายสมชาย ใจดี")
    _create(office, 2569, "นายสมชาย ใจดี")
    _create(office, 2568)
    with office.transaction() as session:
        year = memos.memos_of_year(session, 2568)
        assert memos.memos_of_year(session, 2570) == []
        of_period = memos.memos_of_period(session, year[0].memo.period_id)
    assert [view.memo.number for view in year] == [1, 2]
    assert [len(view.lines) for view in year] == [1, 0]
    assert len(of_period) == 3


def test_a_memo_rolled_back_gives_its_number_back(office: Database) -> None:
    somchai = q1_assignment(office, SOMCHAI)
    with pytest.raises(RuntimeError), office.transaction() as session:
        memos.create_memo(
            session,
            fiscal_year=2568,
            period_id=somchai.period_id,
            obligation_id=1,
            dated=DATED,
            lines=[],
            review="coordinator",
            now=bkk(1, 14),
        )
        raise RuntimeError("the escalation failed after numbering")
    assert _create(office).memo.number == 1


def test_two_processes_numbering_at_once_each_get_their_own_number(office: Database) -> None:
    """The first holds its transaction open; the second waits for it, then takes the next
    number (on PostgreSQL it meets the year's first counter row as another's insert)."""
    somchai = q1_assignment(office, SOMCHAI)
    numbers: list[int] = []

    def second() -> None:
        numbers.append(_create(office).memo.number)

    with office.transaction() as session:
        numbers.append(memos.next_number(session, 2568))
        other = threading.Thread(target=second)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive(), "the second process took a number while the first held one"
        session.add(
            Memo(
                fiscal_year=2568,
                number=numbers[0],
                period_id=somchai.period_id,
                obligation_id=1,
                dated=DATED,
                created_at=bkk(1, 14),
            )
        )
    other.join(timeout=10)
    assert sorted(numbers) == [1, 2]


def test_a_number_is_never_written_twice_in_a_year(office: Database) -> None:
    taken = _create(office).memo
    with pytest.raises(IntegrityError), office.transaction() as session:
        session.add(
            Memo(
                fiscal_year=2568,
                number=taken.number,
                period_id=taken.period_id,
                obligation_id=1,
                dated=DATED,
                created_at=bkk(1, 14),
            )
        )


def test_the_rendered_files_are_kept_per_kind_with_their_words(office: Database) -> None:
    created = _create(office, 2568, "นายสมชาย ใจดี").memo
    assert created.id is not None
    file = b"PK\x03\x04" + bytes(range(256)) * 64  # any bytes, as a .docx is a zip
    with office.transaction() as session:
        assert memos.document(session, created.id, MemoDocumentKind.MEMO) is None
        memos.store_document(
            session,
            created.id,
            MemoDocumentKind.MEMO,
            file,
            content={"number": "ศธ 0262/1"},
            now=bkk(1, 14),
        )
    with office.transaction() as session:
        memos.store_document(
            session,
            created.id,
            MemoDocumentKind.MEMO,
            file[::-1],
            content={"number": "ศธ 0262/๑"},
            now=bkk(1, 14, 10),
        )
        memos.store_document(
            session,
            created.id,
            MemoDocumentKind.ORDERED,
            file,
            content={"order": {"text": "ให้ส่งภายใน 3 วัน"}},
            now=bkk(1, 15) + timedelta(hours=1),
        )
    with office.transaction() as session:
        kept = memos.document(session, created.id, MemoDocumentKind.MEMO)
        ordered = memos.document(session, created.id, MemoDocumentKind.ORDERED)
    assert kept is not None and ordered is not None
    assert kept.file == file[::-1] and kept.content == {"number": "ศธ 0262/๑"}
    assert kept.rendered_at == bkk(1, 14, 10)
    assert ordered.file == file and ordered.content["order"]["text"] == "ให้ส่งภายใน 3 วัน"
