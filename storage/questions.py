"""Questions the bot awaits an answer to, one mechanism for every flow.

A handler that asks ("type the reason", "press Confirm", "send the file now") writes the
question here; the handler that receives the answer — in this process or another, before or
after a restart — takes it back. A question past its expiry is as if never asked, and is
deleted when met (and by ``purge_expired``, which the tick calls).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.models import AwaitedAnswer

# The topics; one question per person and topic at a time.
EXCUSE_REASON = "excuse-reason"  # the director's reason for excusing an assignment
PAPER_DATE = "paper-date"  # the day a paper or e-mail submission arrived
CALENDAR_CHANGE = "calendar"  # /closeday, /meeting, /oneoff, previewed, awaiting "ยืนยัน"
EVIDENCE = "evidence"  # the window after a confirmation in which a file is the evidence
ENTRY = "entry"  # a loan, return, withdrawal or announcement entered step by step
MEMO_ORDER = "memo-order"  # the director's words of an order on a memo, or the excuse's reason
PUBLISH = "publish"  # a /publish being put together: its content, where, confirmation
PUBLISH_ANSWER = "publish-answer"  # the web officer's link(s) or reason for a queued item
TYPED = (EXCUSE_REASON, PAPER_DATE, ENTRY, MEMO_ORDER, PUBLISH, PUBLISH_ANSWER)  # a text answers


def ask(
    session: Session,
    staff_id: int,
    topic: str,
    data: dict[str, Any],
    *,
    now: datetime,
    ttl: timedelta,
    kind: str = "",
    step: str = "",
) -> AwaitedAnswer:
    """Ask (or ask again): the earlier question on ``topic`` is replaced."""
    row = session.get(AwaitedAnswer, (staff_id, topic)) or AwaitedAnswer(
        staff_id=staff_id, topic=topic, expires_at=now + ttl
    )
    row.kind, row.step, row.data = kind, step, dict(data)
    row.updated_at, row.expires_at = now, now + ttl
    session.add(row)
    session.flush()
    return row


def awaited(session: Session, staff_id: int, topic: str, *, now: datetime) -> AwaitedAnswer | None:
    """The question on ``topic`` still awaiting this person's answer, if any."""
    row = session.get(AwaitedAnswer, (staff_id, topic))
    if row is not None and row.expires_at <= now:
        session.delete(row)
        return None
    return row


def take(session: Session, staff_id: int, topic: str, *, now: datetime) -> dict[str, Any] | None:
    """The question's data, removing the question: an answer is taken once, whichever process
    takes it (a second taker finds nothing)."""
    row = awaited(session, staff_id, topic, now=now)
    if row is None:
        return None
    removed = session.execute(
        delete(AwaitedAnswer).where(
            col(AwaitedAnswer.staff_id) == staff_id,
            col(AwaitedAnswer.topic) == topic,
            col(AwaitedAnswer.updated_at) == row.updated_at,
        )
    )
    session.expunge(row)
    return dict(row.data) if removed.rowcount == 1 else None  # type: ignore[attr-defined]


def latest(
    session: Session, staff_id: int, topics: Iterable[str], *, now: datetime
) -> AwaitedAnswer | None:
    """Of the questions on ``topics`` awaiting this person, the one asked last."""
    query = (
        select(AwaitedAnswer)
        .where(
            col(AwaitedAnswer.staff_id) == staff_id,
            col(AwaitedAnswer.topic).in_(list(topics)),
            col(AwaitedAnswer.expires_at) > now,
        )
        .order_by(col(AwaitedAnswer.updated_at).desc())
    )
    return session.exec(query).first()


def forget(session: Session, staff_id: int, topics: Iterable[str] | None = None) -> int:
    """Drop this person's questions (on ``topics``, or all): /cancel."""
    statement = delete(AwaitedAnswer).where(col(AwaitedAnswer.staff_id) == staff_id)
    if topics is not None:
        statement = statement.where(col(AwaitedAnswer.topic).in_(list(topics)))
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def purge_expired(session: Session, now: datetime) -> int:
    """Delete every question past its expiry."""
    statement = delete(AwaitedAnswer).where(col(AwaitedAnswer.expires_at) <= now)
    return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]
