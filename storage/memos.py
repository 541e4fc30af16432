"""Memos to the director (บันทึกข้อความ): their numbers, their lines and their .docx files.

A memo's number (ที่) runs per fiscal year, as in the office's register of documents: one
counter row per fiscal year (``memo_counter``), raised by a conditional UPDATE inside the
caller's transaction. Two processes numbering at once take turns on that row (PostgreSQL
locks it until the first commits; SQLite lets one writer at a time), so each gets its own
number; a rolled-back transaction gives its number back, so the register has no holes. The
unique ``(fiscal_year, number)`` is the guard behind it.

The words and the layout are ``bot.duties.memo``'s; this module keeps what was written and
the files rendered from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.db import execute_bulk, table_of
from storage.models import (
    Memo,
    MemoCounter,
    MemoDocument,
    MemoDocumentKind,
    MemoLine,
    MemoState,
)

_NUMBERING_ATTEMPTS = 3  # a first number of the year raced by another process: count again


class MemoNumberingError(Exception):
    """No number could be given (the counter kept changing under us): try the transaction
    again."""


@dataclass(frozen=True, slots=True)
class NewMemoLine:
    """One person missing, as the memo will write them."""

    assignment_id: int
    name: str
    group: str
    position: str
    due_at: datetime
    followups: Sequence[date]  # the office days they were followed up


@dataclass(frozen=True, slots=True)
class MemoView:
    """A memo with its lines, in the order written."""

    memo: Memo
    lines: tuple[MemoLine, ...]


def next_number(session: Session, fiscal_year: int) -> int:
    """Take the next number of ``fiscal_year`` (1 for its first memo), in the caller's
    transaction: held until it commits, given back if it rolls back."""
    counter = table_of(MemoCounter)
    for _attempt in range(_NUMBERING_ATTEMPTS):
        raised = execute_bulk(
            session,
            update(counter)
            .where(counter.c.fiscal_year == fiscal_year)
            .values(last_number=counter.c.last_number + 1)
            .returning(counter.c.last_number),
        ).scalar_one_or_none()
        if raised is not None:
            return int(raised)
        try:
            with session.begin_nested():
                session.execute(insert(counter).values(fiscal_year=fiscal_year, last_number=1))
        except IntegrityError:  # another process began the year first: raise its row
            continue
        return 1
    raise MemoNumberingError(f"no memo number could be taken for fiscal year {fiscal_year}")


def create_memo(
    session: Session,
    *,
    fiscal_year: int,
    period_id: int,
    obligation_id: int,
    dated: date,
    lines: Sequence[NewMemoLine],
    review: str,
    now: datetime,
) -> MemoView:
    """A new memo in ``draft``, numbered, with its lines numbered 1, 2 … as given.

    ``fiscal_year`` is the year of ``dated`` (the memo's own date), which is not always the
    period's: a fourth-quarter report escalated in October is written in the new year.
    """
    memo = Memo(
        fiscal_year=fiscal_year,
        number=next_number(session, fiscal_year),
        period_id=period_id,
        obligation_id=obligation_id,
        dated=dated,
        created_at=now,
        state=MemoState.DRAFT.value,
        review=review,
    )
    session.add(memo)
    session.flush()
    assert memo.id is not None
    rows = [_line(memo.id, number, line) for number, line in enumerate(lines, start=1)]
    session.add_all(rows)
    session.flush()
    return MemoView(memo, tuple(rows))


def _line(memo_id: int, number: int, line: NewMemoLine) -> MemoLine:
    return MemoLine(
        memo_id=memo_id,
        number=number,
        assignment_id=line.assignment_id,
        name=line.name,
        group_name=line.group,
        position=line.position,
        due_at=line.due_at,
        followups=[day.isoformat() for day in line.followups],
    )


def followup_days(line: MemoLine) -> list[date]:
    """The days a line's person was followed up, as dates."""
    return [date.fromisoformat(day) for day in line.followups]


def memo(session: Session, memo_id: int) -> MemoView | None:
    """A memo and its lines, or None."""
    found = session.get(Memo, memo_id)
    if found is None:
        return None
    return MemoView(found, tuple(_lines_of(session, memo_id)))


def _lines_of(session: Session, memo_id: int) -> Sequence[MemoLine]:
    query = select(MemoLine).where(MemoLine.memo_id == memo_id).order_by(col(MemoLine.number))
    return session.exec(query).all()


def memos_of_year(session: Session, fiscal_year: int) -> list[MemoView]:
    """Every memo of a fiscal year in the order of their numbers, with their lines (their
    files are not loaded: :func:`document`)."""
    found = session.exec(
        select(Memo).where(Memo.fiscal_year == fiscal_year).order_by(col(Memo.number))
    ).all()
    if not found:
        return []
    lines = session.exec(
        select(MemoLine)
        .where(col(MemoLine.memo_id).in_([m.id for m in found]))
        .order_by(col(MemoLine.memo_id), col(MemoLine.number))
    ).all()
    by_memo: dict[int, list[MemoLine]] = {}
    for line in lines:
        by_memo.setdefault(line.memo_id, []).append(line)
    return [MemoView(m, tuple(by_memo.get(m.id or 0, []))) for m in found]


def memos_of_period(session: Session, period_id: int) -> list[Memo]:
    """The memos written about one period, oldest first."""
    query = select(Memo).where(Memo.period_id == period_id).order_by(col(Memo.number))
    return list(session.exec(query).all())


def store_document(
    session: Session,
    memo_id: int,
    kind: MemoDocumentKind,
    file: bytes,
    *,
    content: dict[str, Any],
    now: datetime,
) -> MemoDocument:
    """Keep a rendered .docx of a memo with the words it was rendered from (``content``,
    ``MemoData.to_json()``); a second one of the same kind replaces the first."""
    row = session.get(MemoDocument, (memo_id, kind.value)) or MemoDocument(
        memo_id=memo_id, kind=kind.value, file=file, rendered_at=now
    )
    row.file, row.content, row.rendered_at = file, dict(content), now
    session.add(row)
    session.flush()
    return row


def document(session: Session, memo_id: int, kind: MemoDocumentKind) -> MemoDocument | None:
    """A memo's rendered file of one kind (its bytes in ``file``, its words in ``content``)."""
    return session.get(MemoDocument, (memo_id, kind.value))
