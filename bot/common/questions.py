"""Asking a person something and taking their answer, in whichever process it arrives.

The question is a row (``storage.questions``), so a restart or a second webhook process loses
nothing; each topic has its lifetime here, and an answer after it is treated as never asked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from bot.common.services import Services
from storage import people
from storage import questions as stored
from storage.questions import CALENDAR_CHANGE, ENTRY, EVIDENCE, EXCUSE_REASON, PAPER_DATE, TYPED

__all__ = ["CALENDAR_CHANGE", "ENTRY", "EVIDENCE", "EXCUSE_REASON", "PAPER_DATE", "TYPED"]

LIFETIME = {
    EXCUSE_REASON: timedelta(hours=12),
    PAPER_DATE: timedelta(hours=12),
    CALENDAR_CHANGE: timedelta(hours=1),  # a preview an hour old may no longer be what was meant
    EVIDENCE: timedelta(minutes=30),  # the README's "a file sent within 30 minutes"
}


async def ask(app: Services, person: people.Person, topic: str, data: dict[str, Any]) -> None:
    now, ttl = app.clock(), LIFETIME[topic]
    await app.db.run(lambda s: stored.ask(s, person.id, topic, data, now=now, ttl=ttl))


async def take(app: Services, person: people.Person, topic: str) -> dict[str, Any] | None:
    """The question's data, once: a second press or a second process finds nothing."""
    now = app.clock()
    return await app.db.run(lambda s: stored.take(s, person.id, topic, now=now))


async def peek(app: Services, person: people.Person, topic: str) -> dict[str, Any] | None:
    now = app.clock()

    def look(session: Session) -> dict[str, Any] | None:
        row = stored.awaited(session, person.id, topic, now=now)
        return dict(row.data) if row is not None else None

    return await app.db.run(look)


async def typed_topic(app: Services, person: people.Person) -> str | None:
    """Which question a plain text from this person answers: the one asked last."""
    now = app.clock()

    def look(session: Session) -> str | None:
        row = stored.latest(session, person.id, TYPED, now=now)
        return row.topic if row is not None else None

    return await app.db.run(look)


async def forget(app: Services, person: people.Person) -> bool:
    """/cancel: every question awaiting this person's answer is dropped."""
    return await app.db.run(lambda s: stored.forget(s, person.id)) > 0
