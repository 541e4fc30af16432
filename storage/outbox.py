"""The outbox: every message the bot will send, written before it is sent.

A unique ``idempotency_key`` makes enqueueing safe to repeat (a retry, a second process or a
racing tick inserts nothing). Dispatchers *claim* rows by moving them to ``sending`` with a
lease in ``not_before``; a row whose lease ran out (its dispatcher died) is claimable again,
which is the one duplicate a crash can cause.

Per-chat pacing lives here too, so that it holds across processes: ``chat_pace`` says when
each chat may next be sent to, by the database server's clock (the one clock every dispatcher
shares). A claim takes only chats that are ready and reserves them for its lease; the
recorded result sets the next free instant one interval after the send.

Outages (Telegram unreachable) are rows of ``delivery_outage``: at most one open at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, cast, exists, func, literal, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from storage.db import execute_bulk
from storage.models import ChatPace, DeliveryOutage, OutboxMessage, OutboxState
from storage.types import UTCDateTime

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
    """Take up to ``limit`` messages that are due, the oldest open one of each chat whose pace
    allows a message now, for ``lease``; other dispatchers skip them and their chats.

    A chat's messages go in the order they were written: its first open row (by id) is the
    only one that may be claimed, and none while another dispatcher holds one of its rows. On
    PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several dispatchers claim side by side (the
    state is checked again on the locked row); SQLite (one process) ignores it. The caller
    commits to make the claim visible.
    """
    in_play = or_(
        and_(
            col(OutboxMessage.state) == OutboxState.PENDING.value,
            col(OutboxMessage.not_before) <= now,
        ),
        col(OutboxMessage.state) == OutboxState.SENDING.value,
    )
    # one message per chat per claim: a chat with a long queue (1 a second) must not hold up
    # the rest of the batch behind it
    ranked = (
        select(
            col(OutboxMessage.id).label("id"),
            func.row_number()
            .over(partition_by=col(OutboxMessage.chat_id), order_by=col(OutboxMessage.id))
            .label("rank"),
        )
        .where(in_play)
        .subquery()
    )
    clock = database_seconds(session)
    paced = select(ChatPace.chat_id).where(col(ChatPace.next_send_at) > clock)
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(select(ranked.c.id).where(ranked.c.rank == 1)),
            col(OutboxMessage.state).in_(_OPEN),
            col(OutboxMessage.not_before) <= now,
            col(OutboxMessage.chat_id).not_in(paced),
        )
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
    pace(session, {m.chat_id for m in messages}, after=lease.total_seconds())
    return messages


_OPEN = (OutboxState.PENDING.value, OutboxState.SENDING.value)


def database_seconds(session: Session) -> ColumnElement[float]:
    """The database server's clock in seconds since the epoch (as SQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", func.clock_timestamp()), Float)
    return (func.julianday("now") - 2440587.5) * 86400.0


def pace(session: Session, chat_ids: Iterable[int], *, after: float) -> None:
    """The chats may next be sent to ``after`` seconds from now (the database's clock)."""
    chats = sorted(set(chat_ids))
    if not chats:
        return
    clock = database_seconds(session)
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ChatPace).values(
        [{"chat_id": chat, "next_send_at": clock + after} for chat in chats]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["chat_id"], set_={"next_send_at": statement.excluded.next_send_at}
    )
    session.execute(statement)


def pace_wait(session: Session, *, now: datetime) -> float | None:
    """Seconds until the first chat with a due message that waits only for its pace may be
    sent to (None: no such chat)."""
    clock = database_seconds(session)
    query = (
        select(func.min(col(ChatPace.next_send_at) - clock))
        .join(OutboxMessage, col(OutboxMessage.chat_id) == col(ChatPace.chat_id))
        .where(
            col(OutboxMessage.state) == OutboxState.PENDING.value,
            col(OutboxMessage.not_before) <= now,
            col(ChatPace.next_send_at) > clock,
        )
    )
    value = session.exec(query).one()
    return max(float(value), 0.0) if value is not None else None


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


def retry_later(
    session: Session, message_id: int, *, at: datetime, error: str, now: datetime
) -> None:
    """A transient failure: back to pending, not before ``at``; delayed since ``now`` unless
    it already was."""
    _finish(
        session,
        message_id,
        state=OutboxState.PENDING.value,
        not_before=at,
        last_error=error[:ERROR_LIMIT],
        failed_since=_delayed_since(now),
    )


def _delayed_since(now: datetime) -> ColumnElement[datetime]:
    """``failed_since`` kept if set, else ``now`` (typed, so that it is stored as UTC)."""
    return func.coalesce(col(OutboxMessage.failed_since), literal(now, UTCDateTime()))


def release(
    session: Session,
    message_ids: Collection[int],
    *,
    at: datetime,
    error: str | None = None,
    delayed_since: datetime | None = None,
) -> None:
    """Claimed but not tried: back to pending, not before ``at``, the claim's attempt given
    back (``delayed_since``: held back by an outage)."""
    if not message_ids:
        return
    values: dict[str, Any] = {
        "state": OutboxState.PENDING.value,
        "not_before": at,
        "attempts": col(OutboxMessage.attempts) - 1,
    }
    if error is not None:
        values["last_error"] = error[:ERROR_LIMIT]
    if delayed_since is not None:
        values["failed_since"] = _delayed_since(delayed_since)
    execute_bulk(
        session,
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id).in_(message_ids),
            col(OutboxMessage.state) == OutboxState.SENDING.value,
        )
        .values(**values),
    )


def postpone_due(session: Session, *, now: datetime, until: datetime, error: str) -> int:
    """Telegram is unreachable: every pending message due before ``until`` waits for it (one
    probe at a time, rather than each message timing out in turn)."""
    result = execute_bulk(
        session,
        update(OutboxMessage)
        .where(
            col(OutboxMessage.state) == OutboxState.PENDING.value,
            col(OutboxMessage.not_before) < until,
        )
        .values(
            not_before=until,
            failed_since=_delayed_since(now),
            last_error=f"waiting: {error}"[:ERROR_LIMIT],
        ),
    )
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def pull_forward(session: Session, *, since: datetime, now: datetime) -> int:
    """Telegram answers again: what waited since ``since`` is due now (a 429's wait is kept)."""
    result = execute_bulk(
        session,
        update(OutboxMessage)
        .where(
            col(OutboxMessage.state) == OutboxState.PENDING.value,
            col(OutboxMessage.failed_since) >= since,
            col(OutboxMessage.not_before) > now,
            or_(
                col(OutboxMessage.last_error).is_(None),
                col(OutboxMessage.last_error).not_like("429%"),
            ),
        )
        .values(not_before=now),
    )
    return max(int(getattr(result, "rowcount", 0) or 0), 0)


def supersede(session: Session, *, among: Collection[int] | None = None) -> list[int]:
    """Reminders not yet sent when a later one about the same assignment was written to the
    same chat: marked superseded; the latest one, if still to go, counts them in its
    ``collapsed`` ("this message replaces n reminders"), as the tick does for steps that came
    at once. ``among``: only these (claimed) rows; else every pending one. Returns their ids.
    """
    newer = aliased(OutboxMessage)
    later = exists().where(
        col(newer.template) == "duty",
        col(newer.assignment_id) == col(OutboxMessage.assignment_id),
        col(newer.chat_id) == col(OutboxMessage.chat_id),
        col(newer.id) > col(OutboxMessage.id),
    )
    query = select(OutboxMessage).where(
        OutboxMessage.template == "duty",
        col(OutboxMessage.assignment_id).is_not(None),
        later,
    )
    if among is None:
        query = query.where(col(OutboxMessage.state) == OutboxState.PENDING.value)
    else:
        query = query.where(
            col(OutboxMessage.id).in_(among),
            col(OutboxMessage.state) == OutboxState.SENDING.value,
        )
    stale = list(session.exec(query.order_by(col(OutboxMessage.id))).all())
    if not stale:
        return []
    replaced: dict[tuple[int, int], int] = {}
    for message in stale:
        key = (message.assignment_id or 0, message.chat_id)
        replaced[key] = replaced.get(key, 0) + int(message.params.get("collapsed", 1))
    ids = [message.id for message in stale if message.id is not None]
    _settle(session, ids, OutboxState.SUPERSEDED, "a later step to the same person replaced it")
    for (assignment_id, chat_id), count in replaced.items():
        latest = session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.template == "duty",
                OutboxMessage.assignment_id == assignment_id,
                OutboxMessage.chat_id == chat_id,
            )
            .order_by(col(OutboxMessage.id).desc())
            .limit(1)
        ).first()
        if (
            latest is not None
            and latest.id is not None
            and latest.state == OutboxState.PENDING.value
        ):
            collapsed = int(latest.params.get("collapsed", 1)) + count
            _finish(session, latest.id, params={**latest.params, "collapsed": collapsed})
    return ids


def pending_reminders(session: Session) -> Sequence[OutboxMessage]:
    """Every reminder still to go (to find the ones that no longer matter)."""
    query = select(OutboxMessage).where(
        OutboxMessage.template == "duty",
        col(OutboxMessage.state) == OutboxState.PENDING.value,
    )
    return session.exec(query).all()


def expire(session: Session, message_ids: Collection[int], *, reason: str) -> None:
    """Not sent while it mattered; never will be (not a failure: nobody could be told)."""
    _settle(session, message_ids, OutboxState.EXPIRED, reason)


def _settle(
    session: Session, message_ids: Collection[int], state: OutboxState, reason: str
) -> None:
    if message_ids:
        execute_bulk(
            session,
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(message_ids))
            .values(state=state.value, last_error=reason[:ERROR_LIMIT]),
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


def first_written(session: Session, prefix: str) -> datetime | None:
    """When the first message whose key starts with ``prefix`` was written (None: none)."""
    query = select(func.min(OutboxMessage.created_at)).where(
        col(OutboxMessage.idempotency_key).startswith(prefix)
    )
    return session.exec(query).one()


def written_keys(session: Session, keys: Collection[str]) -> set[str]:
    """Which of these keys a message already has."""
    if not keys:
        return set()
    query = select(OutboxMessage.idempotency_key).where(
        col(OutboxMessage.idempotency_key).in_(list(keys))
    )
    return set(session.exec(query).all())


def has_prefix(session: Session, prefix: str) -> bool:
    """Whether any message's key starts with ``prefix`` (e.g. one meeting's digests)."""
    query = select(OutboxMessage.id).where(col(OutboxMessage.idempotency_key).startswith(prefix))
    return session.exec(query.limit(1)).first() is not None


# -- outages -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outage:
    id: int
    started_at: datetime


def open_outage(session: Session, *, now: datetime, error: str) -> Outage:
    """The outage under way, opened at ``now`` if none is (whichever process sees it first)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(DeliveryOutage).values(
        started_at=now, open=True, last_error=error[:ERROR_LIMIT], delayed=0, expired=0
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["open"]))
    row = session.exec(select(DeliveryOutage).where(col(DeliveryOutage.open).is_(True))).one()
    assert row.id is not None
    return Outage(row.id, row.started_at)


def close_outage(session: Session, *, now: datetime) -> Outage | None:
    """Telegram answered: end the open outage, if any; only one caller gets it back."""
    statement = (
        update(DeliveryOutage)
        .where(col(DeliveryOutage.open).is_(True))
        .values(open=None, ended_at=now)
        .returning(col(DeliveryOutage.id), col(DeliveryOutage.started_at))
    )
    row = execute_bulk(session, statement).first()
    return None if row is None else Outage(int(row[0]), row[1])


def count_outage(session: Session, outage: Outage) -> tuple[int, int]:
    """(delayed, expired): messages held back since the outage began that are going out
    now, and reminders that stopped mattering meanwhile; recorded on the outage."""
    since = outage.started_at
    delayed_states = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT)
    delayed = session.exec(
        select(func.count()).where(
            col(OutboxMessage.failed_since) >= since,
            col(OutboxMessage.state).in_([s.value for s in delayed_states]),
        )
    ).one()
    expired = session.exec(
        select(func.count()).where(
            col(OutboxMessage.state).in_([OutboxState.SUPERSEDED.value, OutboxState.EXPIRED.value]),
            or_(
                col(OutboxMessage.failed_since) >= since,
                col(OutboxMessage.created_at) >= since,
            ),
        )
    ).one()
    execute_bulk(
        session,
        update(DeliveryOutage)
        .where(col(DeliveryOutage.id) == outage.id)
        .values(delayed=int(delayed), expired=int(expired)),
    )
    return int(delayed), int(expired)
