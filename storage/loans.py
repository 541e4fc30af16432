"""Property loans (measure 1.4): the loan register, each item's return, and the drafts the
procurement officer fills in step by step.

Every change writes its audit event in the same transaction. Receipt and return are
conditional UPDATEs, so two presses (or two processes) record them once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage import audit, questions
from storage.db import execute_bulk
from storage.models import (
    AwaitedAnswer,
    Loan,
    LoanItem,
    LoanStatus,
    MaintenanceAnnouncement,
    OutboxMessage,
    OutboxState,
    ReturnCondition,
    Staff,
    StaffGroup,
    WorkGroup,
)

OPEN_STATUSES = (LoanStatus.AWAITING_RECEIPT.value, LoanStatus.OUT.value)


@dataclass(frozen=True, slots=True)
class NewLoan:
    borrower_staff_id: int
    recorded_by_staff_id: int
    purpose: str
    lent_on: date
    due_on: date
    due_at: datetime
    condition_out: str
    items: Sequence[tuple[str, str]]  # (asset number, description)
    next_step: int
    next_action_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoanView:
    """A loan with its items and the people concerned, as lists and messages show it."""

    loan: Loan
    items: tuple[LoanItem, ...]
    borrower: Staff
    recorded_by: Staff

    @property
    def id(self) -> int:
        assert self.loan.id is not None
        return self.loan.id

    @property
    def outstanding(self) -> tuple[LoanItem, ...]:
        return tuple(item for item in self.items if item.returned_at is None)

    @property
    def is_open(self) -> bool:
        return self.loan.status in OPEN_STATUSES


def create(session: Session, new: NewLoan, *, now: datetime) -> Loan:
    """Record a hand-over: the loan, its items (in order) and the audit event."""
    loan = Loan(
        borrower_staff_id=new.borrower_staff_id,
        recorded_by_staff_id=new.recorded_by_staff_id,
        purpose=new.purpose,
        lent_on=new.lent_on,
        due_on=new.due_on,
        due_at=new.due_at,
        condition_out=new.condition_out,
        next_step=new.next_step,
        next_action_at=new.next_action_at,
        created_at=now,
    )
    session.add(loan)
    session.flush()
    assert loan.id is not None
    for position, (asset, description) in enumerate(new.items, start=1):
        session.add(
            LoanItem(
                loan_id=loan.id, position=position, asset_number=asset, description=description
            )
        )
    session.flush()
    audit.record(
        session,
        at=now,
        **audit.by_staff(new.recorded_by_staff_id),
        action="loan.recorded",
        subject_type="loan",
        subject_id=loan.id,
        details={
            "borrower": new.borrower_staff_id,
            "items": [f"{asset} {description}" for asset, description in new.items],
            "purpose": new.purpose,
            "due_on": new.due_on.isoformat(),
            "condition": new.condition_out,
        },
    )
    return loan


def _views(session: Session, loans: Sequence[Loan]) -> list[LoanView]:
    """Loans with their items and people, in three queries whatever their number."""
    ids = [loan.id for loan in loans if loan.id is not None]
    if not ids:
        return []
    items: dict[int, list[LoanItem]] = {loan_id: [] for loan_id in ids}
    query = select(LoanItem).where(col(LoanItem.loan_id).in_(ids))
    for item in session.exec(query.order_by(col(LoanItem.loan_id), col(LoanItem.position))):
        items[item.loan_id].append(item)
    staff_ids = {loan.borrower_staff_id for loan in loans} | {
        loan.recorded_by_staff_id for loan in loans
    }
    staff = {s.id: s for s in session.exec(select(Staff).where(col(Staff.id).in_(staff_ids)))}
    return [
        LoanView(
            loan,
            tuple(items[loan.id or 0]),
            staff[loan.borrower_staff_id],
            staff[loan.recorded_by_staff_id],
        )
        for loan in loans
    ]


def view(session: Session, loan_id: int) -> LoanView | None:
    loan = session.get(Loan, loan_id)
    found = _views(session, [loan]) if loan is not None else []
    return found[0] if found else None


def open_loans(session: Session) -> list[LoanView]:
    """Every loan not yet completely returned, the earliest due first."""
    query = select(Loan).where(col(Loan.status).in_(OPEN_STATUSES))
    return _views(session, session.exec(query.order_by(col(Loan.due_at), col(Loan.id))).all())


def loans_of(session: Session, staff_id: int, *, returned_since: date) -> list[LoanView]:
    """One borrower's open loans, and those lent since ``returned_since`` already returned."""
    query = select(Loan).where(
        Loan.borrower_staff_id == staff_id,
        col(Loan.status).in_(OPEN_STATUSES) | (col(Loan.lent_on) >= returned_since),
    )
    return _views(session, session.exec(query.order_by(col(Loan.due_at), col(Loan.id))).all())


def lent_between(session: Session, start: date, end: date) -> list[LoanView]:
    """The loan register of a period (a fiscal year): loans handed over from ``start`` to
    ``end`` inclusive, in order."""
    query = select(Loan).where(col(Loan.lent_on) >= start, col(Loan.lent_on) <= end)
    return _views(session, session.exec(query.order_by(col(Loan.lent_on), col(Loan.id))).all())


def assets_out(session: Session, asset_numbers: Iterable[str]) -> dict[str, int]:
    """Which of these asset numbers are on an open loan now (compared without case): the
    asset number as asked → the loan's number."""
    wanted = {number.casefold(): number for number in asset_numbers}
    if not wanted:
        return {}
    query = (
        select(LoanItem.asset_number, LoanItem.loan_id)
        .join(Loan, col(Loan.id) == col(LoanItem.loan_id))
        .where(
            func.lower(LoanItem.asset_number).in_([number.lower() for number in wanted.values()]),
            col(LoanItem.returned_at).is_(None),
            col(Loan.status).in_(OPEN_STATUSES),
        )
    )
    found: dict[str, int] = {}
    for asset, loan_id in session.exec(query).all():
        asked = wanted.get(asset.casefold())
        if asked is not None:
            found[asked] = loan_id
    return found


def find_staff(session: Session, text: str, *, limit: int) -> list[Staff]:
    """Active staff whose name contains ``text`` (without case), by name; at most ``limit``."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(Staff)
        .where(col(Staff.active), func.lower(Staff.full_name).like(pattern.lower(), escape="\\"))
        .order_by(col(Staff.full_name), col(Staff.id))
        .limit(limit)
    )
    return list(session.exec(query).all())


def group_names(session: Session, staff_ids: set[int]) -> dict[int, list[str]]:
    """Each person's work groups (Thai names), for the register."""
    if not staff_ids:
        return {}
    query = (
        select(StaffGroup.staff_id, WorkGroup.name_th)
        .join(WorkGroup, col(WorkGroup.id) == col(StaffGroup.group_id))
        .where(col(StaffGroup.staff_id).in_(staff_ids))
        .order_by(col(WorkGroup.id))
    )
    found: dict[int, list[str]] = {}
    for staff_id, name in session.exec(query).all():
        found.setdefault(staff_id, []).append(name)
    return found


def staff_names(session: Session, staff_ids: set[int]) -> dict[int, str]:
    if not staff_ids:
        return {}
    query = select(Staff.id, Staff.full_name).where(col(Staff.id).in_(staff_ids))
    return {staff_id or 0: name for staff_id, name in session.exec(query).all()}


class ReceiptOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    WITHDRAWN = "withdrawn"  # the officer withdrew it (recorded in error)


def confirm_receipt(
    session: Session, loan_id: int, *, staff_id: int, now: datetime
) -> tuple[ReceiptOutcome, LoanView | None]:
    """The borrower confirms receipt (only the borrower; once)."""
    found = view(session, loan_id)
    if found is None:
        return ReceiptOutcome.NOT_FOUND, None
    if found.loan.borrower_staff_id != staff_id:
        return ReceiptOutcome.NOT_ALLOWED, found
    result = execute_bulk(
        session,
        update(Loan)
        .where(col(Loan.id) == loan_id, col(Loan.status) == LoanStatus.AWAITING_RECEIPT.value)
        .values(status=LoanStatus.OUT.value, received_at=now),
    )
    if getattr(result, "rowcount", 0) != 1:
        if found.loan.status == LoanStatus.WITHDRAWN.value:
            return ReceiptOutcome.WITHDRAWN, found
        return ReceiptOutcome.ALREADY, found
    audit.record(
        session,
        at=now,
        **audit.by_staff(staff_id),
        action="loan.received",
        subject_type="loan",
        subject_id=loan_id,
    )
    session.refresh(found.loan)
    return ReceiptOutcome.DONE, found


@dataclass(frozen=True, slots=True)
class ReturnResult:
    returned: tuple[LoanItem, ...]  # the items this return recorded
    outstanding: tuple[LoanItem, ...]  # still out afterwards
    closed: bool  # every item is back: the loan is closed

    @property
    def not_good(self) -> tuple[LoanItem, ...]:
        return tuple(i for i in self.returned if i.return_condition != ReturnCondition.GOOD.value)


def record_return(
    session: Session,
    loan_id: int,
    conditions: dict[int, ReturnCondition],
    note: str,
    *,
    by_staff_id: int,
    now: datetime,
) -> ReturnResult | None:
    """Record the items that came back, each with its condition; None if the loan is not open.

    An item already returned is left as it was. When the last item is back, the loan is
    closed, its ladder stops and the reminders not yet sent are cancelled.
    """
    found = view(session, loan_id)
    if found is None or not found.is_open:
        return None
    returned: list[LoanItem] = []
    for item in found.outstanding:
        condition = conditions.get(item.id or 0)
        if condition is not None and _return_item(session, item, condition, note, by_staff_id, now):
            returned.append(item)
    outstanding = tuple(item for item in found.items if item.returned_at is None)
    closed = bool(returned) and not outstanding and _close(session, loan_id, now)
    if returned:
        audit.record(
            session,
            at=now,
            **audit.by_staff(by_staff_id),
            action="loan.returned",
            subject_type="loan",
            subject_id=loan_id,
            details={
                **{
                    condition.value: [
                        i.asset_number for i in returned if i.return_condition == condition.value
                    ]
                    for condition in ReturnCondition
                    if any(i.return_condition == condition.value for i in returned)
                },
                "note": note,
                "complete": closed,
            },
        )
    return ReturnResult(tuple(returned), outstanding, closed)


def _return_item(
    session: Session,
    item: LoanItem,
    condition: ReturnCondition,
    note: str,
    by_staff_id: int,
    now: datetime,
) -> bool:
    values = {
        "returned_at": now,
        "return_condition": condition.value,
        "return_note": note[:500] or None,
        "return_recorded_by_staff_id": by_staff_id,
    }
    result = execute_bulk(
        session,
        update(LoanItem)
        .where(col(LoanItem.id) == item.id, col(LoanItem.returned_at).is_(None))
        .values(**values),
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    for name, value in values.items():
        setattr(item, name, value)
    return True


def _close(session: Session, loan_id: int, now: datetime) -> bool:
    result = execute_bulk(
        session,
        update(Loan)
        .where(col(Loan.id) == loan_id, col(Loan.status).in_(OPEN_STATUSES))
        .values(status=LoanStatus.RETURNED.value, returned_at=now, next_action_at=None),
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    execute_bulk(
        session,
        update(OutboxMessage)
        .where(
            col(OutboxMessage.idempotency_key).startswith(ladder_key_prefix(loan_id)),
            col(OutboxMessage.state) == OutboxState.PENDING.value,
        )
        .values(state=OutboxState.CANCELLED.value, last_error="the loan was returned"),
    )
    return True


class WithdrawOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    RECEIVED = "received"  # the borrower has it: it can only be returned
    CLOSED = "closed"  # returned or withdrawn already


@dataclass(frozen=True, slots=True)
class Withdrawal:
    outcome: WithdrawOutcome
    loan: LoanView | None
    borrower_knew: bool = False  # the hand-over message had gone out (or was going)


def withdraw(
    session: Session, loan_id: int, *, by_staff_id: int, reason: str, now: datetime
) -> Withdrawal:
    """Withdraw a loan recorded in error, while the borrower has not confirmed receipt.

    It stays in the register as withdrawn, with the reason in the audit log; its ladder
    stops and every message about it not yet sent (the hand-over too) is cancelled.
    """
    found = view(session, loan_id)
    if found is None:
        return Withdrawal(WithdrawOutcome.NOT_FOUND, None)
    result = execute_bulk(
        session,
        update(Loan)
        .where(col(Loan.id) == loan_id, col(Loan.status) == LoanStatus.AWAITING_RECEIPT.value)
        .values(status=LoanStatus.WITHDRAWN.value, next_action_at=None),
    )
    if getattr(result, "rowcount", 0) != 1:
        session.refresh(found.loan)
        received = found.loan.status == LoanStatus.OUT.value
        return Withdrawal(WithdrawOutcome.RECEIVED if received else WithdrawOutcome.CLOSED, found)
    about_it = col(OutboxMessage.idempotency_key).startswith(f"loan:{loan_id}:")
    gone = (OutboxState.SENT.value, OutboxState.SENDING.value)
    knew = session.exec(
        select(func.count())
        .select_from(OutboxMessage)
        .where(about_it, col(OutboxMessage.state).in_(gone))
    ).one()
    execute_bulk(
        session,
        update(OutboxMessage)
        .where(about_it, col(OutboxMessage.state) == OutboxState.PENDING.value)
        .values(state=OutboxState.CANCELLED.value, last_error="the loan was withdrawn"),
    )
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="loan.withdrawn",
        subject_type="loan",
        subject_id=loan_id,
        details={"reason": reason},
    )
    session.refresh(found.loan)
    return Withdrawal(WithdrawOutcome.DONE, found, borrower_knew=bool(knew))


def ladder_key_prefix(loan_id: int) -> str:
    """The start of the outbox keys of a loan's ladder messages (``loan:12:step-3:to-7``)."""
    return f"loan:{loan_id}:step-"


# -- the tick's share ----------------------------------------------------------------------


def due(session: Session, *, now: datetime, limit: int) -> Sequence[Loan]:
    """Open loans whose next ladder step has come, oldest first (an index range scan)."""
    query = (
        select(Loan)
        .where(col(Loan.next_action_at) <= now)
        .order_by(col(Loan.next_action_at), col(Loan.id))
        .limit(limit)
    )
    return session.exec(query).all()


def advance(
    session: Session, loan: Loan, *, next_step: int, next_action_at: datetime | None
) -> bool:
    """Move a loan along its ladder, only if nobody else has (a conditional UPDATE)."""
    result = execute_bulk(
        session,
        update(Loan)
        .where(
            col(Loan.id) == loan.id,
            col(Loan.next_step) == loan.next_step,
            col(Loan.status).in_(OPEN_STATUSES),
        )
        .values(next_step=next_step, next_action_at=next_action_at),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def stop(session: Session, loan_id: int) -> None:
    execute_bulk(session, update(Loan).where(col(Loan.id) == loan_id).values(next_action_at=None))


def earliest_action(session: Session) -> datetime | None:
    query = (
        select(Loan.next_action_at)
        .where(col(Loan.next_action_at).is_not(None))
        .order_by(col(Loan.next_action_at))
        .limit(1)
    )
    value = session.exec(query).first()
    return value if isinstance(value, datetime) else None


def returned_among(session: Session, loan_ids: set[int]) -> set[int]:
    """Which of these loans are closed: completely returned, or withdrawn (their reminders
    are not sent)."""
    if not loan_ids:
        return set()
    closed = (LoanStatus.RETURNED.value, LoanStatus.WITHDRAWN.value)
    query = select(Loan.id).where(col(Loan.id).in_(loan_ids), col(Loan.status).in_(closed))
    return {loan_id for loan_id in session.exec(query).all() if loan_id}


def record_escalation(
    session: Session, loan_id: int, *, step: int, to: list[int], now: datetime
) -> None:
    audit.record(
        session,
        at=now,
        actor="system:tick",
        action="loan.escalated",
        subject_type="loan",
        subject_id=loan_id,
        details={"step": step, "to": to},
    )


# -- drafts: a loan, a return or an announcement being entered step by step -------------------


ENTRY_TTL = timedelta(hours=12)  # an entry left alone this long is forgotten


def draft(session: Session, staff_id: int) -> AwaitedAnswer | None:
    """The entry this person is making, if any (a question awaiting their next answer)."""
    return session.get(AwaitedAnswer, (staff_id, questions.ENTRY))


def save_draft(
    session: Session, staff_id: int, *, kind: str, step: str, data: dict[str, Any], now: datetime
) -> None:
    """Start or move on a draft (one per person: a new one replaces the old)."""
    questions.ask(
        session, staff_id, questions.ENTRY, data, now=now, ttl=ENTRY_TTL, kind=kind, step=step
    )


def drop_draft(session: Session, staff_id: int) -> bool:
    return questions.forget(session, staff_id, [questions.ENTRY]) > 0


# -- the annual maintenance plan ---------------------------------------------------------------


def record_announcement(
    session: Session,
    *,
    fiscal_year: int,
    text: str,
    by_staff_id: int,
    recipients: int,
    now: datetime,
) -> MaintenanceAnnouncement:
    row = MaintenanceAnnouncement(
        fiscal_year=fiscal_year,
        text=text,
        announced_by_staff_id=by_staff_id,
        announced_at=now,
        recipients=recipients,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        at=now,
        **audit.by_staff(by_staff_id),
        action="maintenance.announced",
        subject_type="maintenance_announcement",
        subject_id=row.id,
        details={"fiscal_year": fiscal_year, "recipients": recipients},
    )
    return row


def active_staff(session: Session) -> Sequence[Staff]:
    """Everyone an announcement to all staff goes to."""
    return session.exec(select(Staff).where(col(Staff.active)).order_by(col(Staff.id))).all()
