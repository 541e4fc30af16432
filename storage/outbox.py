"""The outbox: every message the bot will send, written before it is sent.

A unique ``idempotency_key`` makes enqueueing safe to repeat (a retry, a second process or a
racing tick inserts nothing). Dispatchers *claim* rows by moving them to ``sending`` with a
lease in ``not_before``; a row whose lease ran out (its dispatcher died) is claimable again,
which is the one duplicate a crash can cause.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.db import execute_bulk
from storage.models import OutboxMessage, OutboxState

ERROR_LIMIT = 500


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to put in the outbox."""

    idempotency_key: str
    chat_id: int
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    staff_id: int | None = None
    assignment_id: int | None = None


def enqueue(
    session: Session,
    messages: Iterable[NewMessage],
    *,
    now: datetime,
    not_before: datetime | None = None,
) -> int:
    """Insert the messages whose key is new; return how many were inserted.

    ``not_before`` holds them back (a snoozed reminder goes out the next working day).
    """
    rows = [
        {
            "idempotency_key": m.idempotency_key,
            "chat_id": m.chat_id,
            "template": m.template,
            "params": m.params,
            "staff_id": m.staff_id,
            "assignment_id": m.assignment_id,
            "state": OutboxState.PENDING.value,
            "attempts": 0,
            "not_before": not_before or now,
            "created_at": now,
        }
        for m in messages
    ]
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(OutboxMessage).values(rows)
    statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    # psycopg reports -1 for an INSERT … ON CONFLICT unless asked to keep the count
    result = session.execute(statement, execution_options={"preserve_rowcount": True})
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def claim(
    session: Session, *, now: datetime, lease: timedelta, limit: int
) -> Sequence[OutboxMessage]:
    """Take up to ``limit`` messages that are due (the first of each chat), for ``lease``;
    other dispatchers skip them.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several dispatchers claim side by side;
    SQLite (one process) ignores it. The caller commits to make the claim visible.
    """
    claimable = or_(
        col(OutboxMessage.state) == OutboxState.PENDING.value,
        col(OutboxMessage.state) == OutboxState.SENDING.value,
    )
    # one message per chat per claim: a chat with a long queue (1 a second) must not hold up
    # the rest of the batch behind it
    ranked = (
        select(
            col(OutboxMessage.id).label("id"),
            func.row_number()
            .over(
                partition_by=col(OutboxMessage.chat_id),
                order_by=(col(OutboxMessage.not_before), col(OutboxMessage.id)),
            )
            .label("rank"),
        )
        .where(claimable, col(OutboxMessage.not_before) <= now)
        .subquery()
    )
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.id).in_(select(ranked.c.id).where(ranked.c.rank == 1)))
        .order_by(col(OutboxMessage.not_before), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    messages = session.exec(query).all()
    for message in messages:
        message.state = OutboxState.SENDING.value
        message.not_before = now + lease
        message.attempts += 1
        session.add(message)
    session.flush()
    return messages


def _finish(session: Session, message_id: int, **values: Any) -> None:
    execute_bulk(
        session, update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(**values)
    )


def mark_sent(
    session: Session, message_id: int, *, telegram_message_id: int, now: datetime
) -> None:
    _finish(
        session,
        message_id,
        state=OutboxState.SENT.value,
        telegram_message_id=telegram_message_id,
        sent_at=now,
        last_error=None,
    )


def retry_later(session: Session, message_id: int, *, at: datetime, error: str) -> None:
    """A transient failure: back to pending, not before ``at``."""
    _finish(
        session,
        message_id,
        state=OutboxState.PENDING.value,
        not_before=at,
        last_error=error[:ERROR_LIMIT],
    )


def cancel(session: Session, message_id: int, *, reason: str) -> None:
    """Not sent, and never will be: what it asked for is already done."""
    _finish(session, message_id, state=OutboxState.CANCELLED.value, last_error=reason[:ERROR_LIMIT])


def mark_failed(session: Session, message_id: int, *, error: str) -> None:
    """A permanent failure: never tried again."""
    _finish(session, message_id, state=OutboxState.FAILED.value, last_error=error[:ERROR_LIMIT])


def next_due_at(session: Session) -> datetime | None:
    """When the dispatcher next has something to do (pending, or a lease running out)."""
    query = select(func.min(OutboxMessage.not_before)).where(
        col(OutboxMessage.state).in_([OutboxState.PENDING.value, OutboxState.SENDING.value])
    )
    value = session.exec(query).one()
    return value if isinstance(value, datetime) else None


def backlog(session: Session) -> int:
    query = select(func.count()).where(
        col(OutboxMessage.state).in_([OutboxState.PENDING.value, OutboxState.SENDING.value])
    )
    return int(session.exec(query).one())


def sent_for_assignment(session: Session, assignment_id: int) -> Sequence[OutboxMessage]:
    """The messages already delivered about one assignment (to edit them when it is done)."""
    query = select(OutboxMessage).where(
        OutboxMessage.assignment_id == assignment_id,
        OutboxMessage.state == OutboxState.SENT.value,
        col(OutboxMessage.telegram_message_id).is_not(None),
    )
    return session.exec(query.order_by(col(OutboxMessage.id))).all()


def by_telegram_message(session: Session, chat_id: int, message_id: int) -> OutboxMessage | None:
    """The outbox row behind a message a person replied to."""
    query = select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.telegram_message_id == message_id
    )
    return session.exec(query).first()


def has_prefix(session: Session, prefix: str) -> bool:
    """Whether any message's key starts with ``prefix`` (e.g. one meeting's digests)."""
    query = select(OutboxMessage.id).where(col(OutboxMessage.idempotency_key).startswith(prefix))
    return session.exec(query.limit(1)).first() is not None
