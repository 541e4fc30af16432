"""Memos to the director (บันทึกข้อความ): their numbers, their lines and their .docx files.

A memo's number (ที่) runs per fiscal year, as in the office's register of documents: one
counter row per fiscal year (``memo_counter``), raised by a conditional UPDATE inside the
caller's transaction. Two processes numbering at once take turns on that row (PostgreSQL
locks it until the first commits; SQLite lets one writer at a time), so each gets its own
number; a rolled-back transaction gives its number back, so the register has no holes. The
unique ``(fiscal_year, number)`` is the guard behind it.

The words and the layout are ``bot.duties.memo``'s; this module keeps what was written, the
files rendered from it, and the loop that follows: proposed to the director, the director's
order recorded once (conditional UPDATEs: a second press changes nothing), the order's short
ladder (``next_action_at``, ``order_step``: ``jobs.duties.memos``), and what came of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage import audit
from storage.db import execute_bulk, table_of
from storage.models import (
    Assignment,
    Memo,
    MemoCounter,
    MemoDocument,
    MemoDocumentKind,
    MemoLine,
    MemoOrderKind,
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


# -- the loop: proposed, ordered, followed up, closed ---------------------------------------


def set_facts(session: Session, memo_id: int, facts: dict[str, Any]) -> None:
    """Keep what the memo states (``jobs.duties.memos.memo_facts``), written once with the memo."""
    execute_bulk(session, update(Memo).where(col(Memo.id) == memo_id).values(facts=dict(facts)))


def record_event(
    session: Session,
    memo_id: int,
    action: str,
    *,
    now: datetime,
    actor: str,
    actor_staff_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """An audit event about a memo (``memo.*``)."""
    audit.record(
        session,
        at=now,
        actor=actor,
        actor_staff_id=actor_staff_id,
        action=action,
        subject_type="memo",
        subject_id=memo_id,
        details=details,
    )


def propose(
    session: Session,
    memo_id: int,
    *,
    by_staff_id: int | None,
    to_staff_id: int | None,
    now: datetime,
) -> bool:
    """The memo goes before the director: only from ``draft`` (a conditional UPDATE, so that a
    second press, or a second process, changes nothing). ``by_staff_id`` None: it went at once
    (``[memo] review = "director"``)."""
    result = execute_bulk(
        session,
        update(Memo)
        .where(col(Memo.id) == memo_id, col(Memo.state) == MemoState.DRAFT.value)
        .values(
            state=MemoState.PROPOSED.value,
            proposed_at=now,
            proposed_by_staff_id=by_staff_id,
            sent_to_staff_id=to_staff_id,
            sent_at=now,
        ),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


@dataclass(frozen=True, slots=True)
class Order:
    """The director's order on a memo, as recorded."""

    kind: str  # a MemoOrderKind value
    text: str  # the director's own words ("" when none were typed)
    by_staff_id: int
    new_due_at: datetime | None = None  # the new deadline (a ``deadline`` order)
    next_action_at: datetime | None = None  # the order ladder's first step
    outcome: str | None = None  # known at once (excused, the director in person): closed


def record_order(session: Session, memo_id: int, order: Order, *, now: datetime) -> bool:
    """Write the order into the memo, only while it is before the director (``proposed``):
    one order per memo, whoever presses twice. An order whose outcome is known at once closes
    the memo; a new deadline leaves it ``ordered``, its ladder due at ``next_action_at``."""
    closed = order.outcome is not None
    result = execute_bulk(
        session,
        update(Memo)
        .where(col(Memo.id) == memo_id, col(Memo.state) == MemoState.PROPOSED.value)
        .values(
            state=(MemoState.CLOSED if closed else MemoState.ORDERED).value,
            order_kind=order.kind,
            order_text=order.text,
            new_due_at=order.new_due_at,
            ordered_at=now,
            ordered_by_staff_id=order.by_staff_id,
            outcome=order.outcome,
            closed_at=now if closed else None,
            next_action_at=None if closed else order.next_action_at,
            order_step=0,
        ),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def due_orders(session: Session, *, now: datetime, limit: int) -> list[MemoView]:
    """Ordered memos whose next step has come (an index range scan), oldest first."""
    found = session.exec(
        select(Memo)
        .where(col(Memo.next_action_at) <= now)
        .order_by(col(Memo.next_action_at), col(Memo.id))
        .limit(limit)
    ).all()
    return [MemoView(m, tuple(_lines_of(session, m.id or 0))) for m in found]


def earliest_order(session: Session) -> datetime | None:
    """When an order's ladder next has something to do."""
    value = session.exec(
        select(Memo.next_action_at)
        .where(col(Memo.next_action_at).is_not(None))
        .order_by(col(Memo.next_action_at))
        .limit(1)
    ).first()
    return value if isinstance(value, datetime) else None


def advance_order(
    session: Session,
    found: Memo,
    *,
    order_step: int,
    next_action_at: datetime | None,
    outcome: str | None = None,
    now: datetime,
) -> bool:
    """Move the order's ladder on, only if nobody else has (a conditional UPDATE on its step);
    with ``outcome`` the memo is closed."""
    values: dict[str, Any] = {"order_step": order_step, "next_action_at": next_action_at}
    if outcome is not None:
        values |= {"state": MemoState.CLOSED.value, "outcome": outcome, "closed_at": now}
    result = execute_bulk(
        session,
        update(Memo)
        .where(
            col(Memo.id) == found.id,
            col(Memo.order_step) == found.order_step,
            col(Memo.state) == MemoState.ORDERED.value,
        )
        .values(**values),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def set_line_outcomes(session: Session, memo_id: int, outcomes: dict[int, str]) -> None:
    """Each person's outcome (assignment id → a MemoOutcome value)."""
    for assignment_id, outcome in outcomes.items():
        execute_bulk(
            session,
            update(MemoLine)
            .where(col(MemoLine.memo_id) == memo_id, col(MemoLine.assignment_id) == assignment_id)
            .values(outcome=outcome),
        )


@dataclass(frozen=True, slots=True)
class MemoRecord:
    """A memo with its lines and the status now of each line's report (assignment id →
    status), for the digest and the evidence workbook."""

    view: MemoView
    statuses: dict[int, str]


def memo_records(
    session: Session,
    *,
    fiscal_year: int | None = None,
    dated_from: date | None = None,
    dated_to: date | None = None,
) -> list[MemoRecord]:
    """The memos of a fiscal year, or dated ``dated_from`` … ``dated_to`` (both included), in
    the order of their numbers, with their lines and their reports' statuses: one query,
    however many memos."""
    query = (
        select(Memo, MemoLine, Assignment.status)
        .outerjoin(MemoLine, col(MemoLine.memo_id) == col(Memo.id))
        .outerjoin(Assignment, col(Assignment.id) == col(MemoLine.assignment_id))
        .order_by(col(Memo.fiscal_year), col(Memo.number), col(MemoLine.number))
    )
    if fiscal_year is not None:
        query = query.where(col(Memo.fiscal_year) == fiscal_year)
    if dated_from is not None:
        query = query.where(col(Memo.dated) >= dated_from)
    if dated_to is not None:
        query = query.where(col(Memo.dated) <= dated_to)
    memos: dict[int, tuple[Memo, list[MemoLine], dict[int, str]]] = {}
    for memo, line, status in session.exec(query).all():
        _memo, lines, statuses = memos.setdefault(memo.id or 0, (memo, [], {}))
        if line is not None:
            lines.append(line)
            statuses[line.assignment_id] = str(status)
    return [MemoRecord(MemoView(m, tuple(ls)), st) for m, ls, st in memos.values()]


def order_deadlines(session: Session, assignment_ids: Sequence[int]) -> dict[int, datetime]:
    """The deadline the director's order set for each of these assignments (the latest, where
    several memos ordered on one), for what a person sees of their own duties."""
    if not assignment_ids:
        return {}
    query = (
        select(MemoLine.assignment_id, Memo.new_due_at)
        .join(Memo, col(Memo.id) == col(MemoLine.memo_id))
        .where(
            col(MemoLine.assignment_id).in_(list(assignment_ids)),
            Memo.order_kind == MemoOrderKind.DEADLINE.value,
            col(Memo.new_due_at).is_not(None),
        )
    )
    found: dict[int, datetime] = {}
    for assignment_id, due in session.exec(query).all():
        if due is not None and (assignment_id not in found or due > found[assignment_id]):
            found[assignment_id] = due
    return found
