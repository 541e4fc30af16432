"""Asking a person something and taking their answer, in whichever process it arrives.

The question is a row (``storage.questions``), so a restart or a second webhook process loses
nothing; each topic has its lifetime here, and an answer after it is treated as never asked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.services import Services
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


def ask(app: Services, person: people.Person, topic: str, data: dict[str, Any]) -> None:
    with app.db.transaction() as session:
        stored.ask(session, person.id, topic, data, now=app.clock(), ttl=LIFETIME[topic])


def take(app: Services, person: people.Person, topic: str) -> dict[str, Any] | None:
    """The question's data, once: a second press or a second process finds nothing."""
    with app.db.transaction() as session:
        return stored.take(session, person.id, topic, now=app.clock())


def peek(app: Services, person: people.Person, topic: str) -> dict[str, Any] | None:
    with app.db.transaction() as session:
        row = stored.awaited(session, person.id, topic, now=app.clock())
        return dict(row.data) if row is not None else None


def typed_topic(app: Services, person: people.Person) -> str | None:
    """Which question a plain text from this person answers: the one asked last."""
    with app.db.transaction() as session:
        row = stored.latest(session, person.id, TYPED, now=app.clock())
        return row.topic if row is not None else None


def forget(app: Services, person: people.Person) -> bool:
    """/cancel: every question awaiting this person's answer is dropped."""
    with app.db.transaction() as session:
        return stored.forget(session, person.id) > 0
