"""The dispatcher: pending outbox rows → the one sender → recorded results.

Telegram asks for about 30 messages a second overall (python-telegram-bot's AIORateLimiter
keeps that) and one a second to any one chat, which nothing in the library keeps: the
dispatcher does, by sending each chat's messages in order, spaced, while chats run side by
side. Transient errors retry with back-off (honouring 429's ``retry_after``); permanent ones
mark the person unreachable and tell the coordinator.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlmodel import Session

from storage import loans, outbox, people, schedule
from storage.db import Database
from storage.models import OutboxMessage, Role
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 15
MAX_BACKOFF = 600.0


@dataclass(frozen=True, slots=True)
class Delivered:
    message_id: int


@dataclass(frozen=True, slots=True)
class Retry:
    error: str
    after: float | None = None  # seconds Telegram asked us to wait (429), if any


@dataclass(frozen=True, slots=True)
class Undeliverable:
    error: str
    person_unreachable: bool  # blocked, deactivated account, chat not found


Outcome = Delivered | Retry | Undeliverable


class Sender(Protocol):
    """The one sender (bot/ implements it over Telegram)."""

    async def send(self, message: OutboxMessage, language: str) -> Outcome: ...


@dataclass
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds before the next try: Telegram's word if it gave one, else doubling."""
    if retry_after is not None:
        return retry_after + 0.5
    return float(min(2 ** max(attempts - 1, 0), MAX_BACKOFF))


class Dispatcher:
    """Sends what the outbox holds; keeps the per-chat pace between calls."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Callable[[], datetime],
        *,
        per_chat_interval: float = 1.0,
        in_flight: int = 1,
        batch: int = 200,
        lease: timedelta = LEASE,
    ) -> None:
        self.db = db
        self.sender = sender
        self.clock = clock
        self.per_chat_interval = per_chat_interval
        self.batch = batch
        self.lease = lease
        self.in_flight = in_flight
        self._last_sent: dict[int, float] = {}

    async def dispatch(self) -> DispatchReport:
        """1. Claim due rows (a lease, committed: other dispatchers skip them).
        2. Send them, each chat's in order and at most one a second, the next message always
           the one whose chat is ready first; ``in_flight`` sends at a time (one by default,
           so that a crash can duplicate at most the one message it was sending).
        3. Record each result in its own short transaction.
        Repeats until nothing is due.
        """
        report = DispatchReport()
        while True:
            with self.db.transaction() as session:
                claimed = outbox.claim(
                    session, now=self.clock(), lease=self.lease, limit=self.batch
                )
                claimed = self._drop_settled(session, list(claimed))
                languages = people.languages(
                    session, {m.staff_id for m in claimed if m.staff_id is not None}
                )
            if not claimed:
                return report
            queues: dict[int, deque[OutboxMessage]] = defaultdict(deque)
            for message in claimed:
                queues[message.chat_id].append(message)
            busy: set[int] = set()
            await asyncio.gather(
                *(self._worker(queues, busy, languages, report) for _ in range(self.in_flight))
            )

    async def _worker(
        self,
        queues: dict[int, deque[OutboxMessage]],
        busy: set[int],
        languages: dict[int, str],
        report: DispatchReport,
    ) -> None:
        while (chat := self._next_chat(queues, busy)) is not None:
            busy.add(chat)
            await self._pace(chat)
            message = queues[chat].popleft()
            result = await self._send(message, languages.get(message.staff_id or 0, "th"))
            self._last_sent[chat] = time.monotonic()
            busy.discard(chat)
            self._record(message, result, report)

    def _next_chat(self, queues: dict[int, deque[OutboxMessage]], busy: set[int]) -> int | None:
        """The chat, among those with messages and not being sent to, that may be sent to
        soonest."""
        waiting = [chat for chat, rows in queues.items() if rows and chat not in busy]
        if not waiting:
            return None
        return min(waiting, key=lambda chat: self._last_sent.get(chat, 0.0))

    async def _send(self, message: OutboxMessage, language: str) -> Outcome:
        try:
            return await self.sender.send(message, language)
        except Exception as error:  # a bug in rendering must not stop the others
            log.exception("sending outbox message %s failed", message.id)
            return Retry(f"{type(error).__name__}: {error}")

    @staticmethod
    def _drop_settled(session: Session, claimed: list[OutboxMessage]) -> list[OutboxMessage]:
        """A reminder whose report came in meanwhile (or was excused) is not sent."""
        reminders = {
            m.assignment_id for m in claimed if m.template == "duty" and m.assignment_id is not None
        }
        settled = schedule.closed_among(session, reminders)
        for message in claimed:
            if message.template == "duty" and message.assignment_id in settled:
                outbox.cancel(session, _message_id(message), reason="the report is settled")
        kept = [m for m in claimed if not (m.template == "duty" and m.assignment_id in settled)]
        return _drop_returned_loans(session, kept)

    async def _pace(self, chat_id: int) -> None:
        last = self._last_sent.get(chat_id)
        if last is not None:
            wait = self.per_chat_interval - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)

    def _record(self, message: OutboxMessage, result: Outcome, report: DispatchReport) -> None:
        message_id = message.id
        assert message_id is not None
        now = self.clock()
        with self.db.transaction() as session:
            if isinstance(result, Delivered):
                outbox.mark_sent(
                    session, message_id, telegram_message_id=result.message_id, now=now
                )
                report.sent += 1
            elif isinstance(result, Retry) and message.attempts < MAX_ATTEMPTS:
                delay = backoff(message.attempts, result.after)
                outbox.retry_later(
                    session, message_id, at=now + timedelta(seconds=delay), error=result.error
                )
                report.retried += 1
            else:
                outbox.mark_failed(session, message_id, error=result.error)
                report.failed += 1
                unreachable = isinstance(result, Undeliverable) and result.person_unreachable
                self._tell_coordinator(session, message, result.error, unreachable, now)

    def _tell_coordinator(
        self,
        session: Session,
        message: OutboxMessage,
        error: str,
        unreachable: bool,
        now: datetime,
    ) -> None:
        """A person we cannot reach: mark them, and tell the coordinators (once per failure).

        Notices about notices are not sent, so a coordinator who cannot be reached either
        does not start a chain.
        """
        if message.staff_id is None or message.template == "unreachable":
            return
        if unreachable:
            people.mark_unreachable(session, message.staff_id, error)
        person = people.by_id(session, message.staff_id)
        if person is None:
            return
        notices = [
            NewMessage(
                idempotency_key=f"outbox:{message.id}:unreachable:to-{staff.id}",
                chat_id=staff.chat_id,
                staff_id=staff.id,
                template="unreachable",
                params={
                    "name": person.name,
                    "error": error,
                    "failed": message.template,
                    "title_th": message.params.get("title_th"),
                    "title_en": message.params.get("title_en"),
                    "unreachable": unreachable,
                },
            )
            for staff in people.holders_of(session, Role.COORDINATOR)
            if staff.id != message.staff_id and staff.reachable
        ]
        outbox.enqueue(session, notices, now=now)


def _drop_returned_loans(session: Session, claimed: list[OutboxMessage]) -> list[OutboxMessage]:
    """A loan reminder whose loan came back meanwhile is not sent."""
    returned = loans.returned_among(session, {_loan_of(m) for m in claimed} - {0})
    for message in claimed:
        if _loan_of(message) in returned:
            outbox.cancel(session, _message_id(message), reason="the loan was returned")
    return [m for m in claimed if _loan_of(m) not in returned]


def _loan_of(message: OutboxMessage) -> int:
    """The loan a ladder message is about (0 for any other message)."""
    return int(message.params.get("loan_id") or 0) if message.template == "loan" else 0


def _message_id(message: OutboxMessage) -> int:
    assert message.id is not None
    return message.id
