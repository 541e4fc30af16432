"""The dispatcher: pending outbox rows → the one sender → recorded results.

Telegram asks for about 30 messages a second overall (python-telegram-bot's AIORateLimiter
keeps that) and one a second to any one chat, which nothing in the library keeps: the
dispatcher does, through ``chat_pace`` in the database, so that it holds across processes.

A transient failure (network, timeout, 5xx, 429) never ends a message; only Telegram's
"blocked", "deactivated", "chat not found" (and a request it refuses as malformed) do. What
ends a message otherwise is that it stopped mattering:

- a reminder (``duty``) is *superseded* when a later reminder about the same assignment has
  been written to the same chat before it went out (the later one says how many it replaces),
  and, once held back by failures, *expires* ``REMINDER_LIFETIME`` (14 days) after its
  report's due instant; the coordinators are not told of either one by one;
- everything else (an escalation, a complaint notice, a digest, …) is retried while the bot
  runs.

When a send fails for want of Telegram (network, timeout, 5xx), the dispatcher stops trying
the others: they all wait for one probe, sent after as long as Telegram has been unreachable
(1 s, 2 s, 4 s, … at most ``MAX_BACKOFF``, five minutes). The first delivery after that ends
the outage: what waited is due at once, goes out in the order it was written (each chat's
first, paced), and if the outage lasted ``OUTAGE_SUMMARY_AFTER`` or more the coordinators get
one summary of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Protocol

from sqlmodel import Session

from jobs.calendar import OfficeCalendar
from jobs.features import STEPS
from jobs.ladder import STAFF_FACING
from jobs.steps import Step
from storage import outbox, people, schedule
from storage.db import Database
from storage.models import OutboxMessage, Role
from storage.outbox import NewMessage, Outage

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
MAX_BACKOFF = 300.0  # seconds: Telegram is probed at least every five minutes
REMINDER_LIFETIME = timedelta(days=14)  # after its report's due instant
OUTAGE_SUMMARY_AFTER = timedelta(minutes=10)
ROTATE = timedelta(seconds=1)  # a failed probe waits behind the others for the next one


@dataclass(frozen=True, slots=True)
class Delivered:
    message_id: int


@dataclass(frozen=True, slots=True)
class Retry:
    error: str
    after: float | None = None  # seconds Telegram asked us to wait (429), if any
    outage: bool = False  # Telegram itself did not answer (network, timeout, 5xx)


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
    expired: int = 0  # superseded or expired reminders
    outage: bool = False  # Telegram unreachable: the rest waits for the next probe
    waiting: bool = False  # due messages left whose chats another dispatcher holds

    def add(self, other: DispatchReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.expired += other.expired
        self.outage = self.outage or other.outage
        self.waiting = self.waiting or other.waiting


@dataclass(frozen=True, slots=True)
class _Claim:
    any: bool  # something was claimed (some of it may have been dropped as moot)
    kept: list[OutboxMessage]
    languages: dict[int, str]
    wait: float | None  # nothing claimed: seconds until a held chat's pace allows one


def backoff(attempts: int, retry_after: float | None) -> float:
    """Seconds before one message's next try: Telegram's word if it gave one, else doubling,
    at most ``MAX_BACKOFF``."""
    if retry_after is not None:
        return retry_after + 0.5
    return float(min(2 ** max(attempts - 1, 0), MAX_BACKOFF))


def probe_delay(down_for: timedelta) -> float:
    """Seconds before the next probe of an unreachable Telegram: as long as it has been down
    (so 1, 2, 4, 8 … seconds), at least one second, at most ``MAX_BACKOFF``."""
    return float(min(max(down_for.total_seconds(), 1.0), MAX_BACKOFF))


def reminder_expired(message: OutboxMessage, now: datetime) -> bool:
    """A reminder held back by failures until ``REMINDER_LIFETIME`` after its report's due
    instant. (One the tick writes late, catching up after the bot itself was stopped, is
    what the ladder wants sent now: it does not expire.)"""
    due = message.params.get("due_at")
    if message.template != "duty" or message.failed_since is None or not isinstance(due, str):
        return False
    return now - datetime.fromisoformat(due) > REMINDER_LIFETIME


class Dispatcher:
    """Sends what the outbox holds, each chat at its pace, through outages."""

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
        calendar: Callable[[], OfficeCalendar] | None = None,
        steps: Sequence[type[Step]] = STEPS,
    ) -> None:
        self.db = db
        self.drops = [step.drop_before_sending for step in steps]  # each feature's rule
        self.sender = sender
        self.clock = clock
        self.per_chat_interval = per_chat_interval
        self.batch = batch
        self.lease = lease
        self.in_flight = in_flight
        self.calendar = calendar  # reminders wait for office hours (none: they go at once)

    async def dispatch(self) -> DispatchReport:
        """1. Claim due rows, the first of each chat whose pace allows (a lease and the chat's
           pace reserved, committed: other dispatchers skip them).
        2. Drop the ones that no longer matter; send the rest, ``in_flight`` at a time (one by
           default, so that a crash can duplicate at most the one message it was sending).
        3. Record each result in its own short transaction, with the chat's next free instant.
        Repeats until nothing is due, waiting out the pace of chats that have more; stops at
        the first sign that Telegram is unreachable.
        """
        report = DispatchReport()
        while not report.outage:
            now = self.clock()

            # off the event loop, as every database call here
            found = await self.db.run(partial(self._claim, now=now, report=report))
            claimed, kept, languages, wait = found.any, found.kept, found.languages, found.wait
            if not claimed:
                if wait is not None and wait <= self.per_chat_interval + 0.5:
                    await asyncio.sleep(wait)  # Telegram's pace is real time, not the clock's
                    continue
                report.waiting = wait is not None
                return report
            await self._send_all(kept, languages, report)
        return report

    def _claim(self, session: Session, *, now: datetime, report: DispatchReport) -> _Claim:
        claimed = list(outbox.claim(session, now=now, lease=self.lease, limit=self.batch))
        kept = self._drop_moot(session, claimed, now, report)
        languages = people.languages(session, {m.staff_id for m in kept if m.staff_id is not None})
        wait = None if claimed else outbox.pace_wait(session, now=now)
        return _Claim(bool(claimed), kept, languages, wait)

    async def _send_all(
        self, messages: list[OutboxMessage], languages: dict[int, str], report: DispatchReport
    ) -> None:
        queue = list(reversed(messages))  # at most one per chat: any order keeps each chat's
        untried: list[OutboxMessage] = []

        async def worker() -> None:
            while queue:
                message = queue.pop()
                if report.outage:
                    untried.append(message)
                    continue
                result = await self._send(message, languages.get(message.staff_id or 0, "th"))
                record = partial(self._record, message=message, result=result, now=self.clock())
                report.add(await self.db.run(record))

        await asyncio.gather(*(worker() for _ in range(self.in_flight)))
        if untried:
            now = self.clock()

            def wait_for_probe(session: Session) -> None:
                until = self._outage_until(session, now)
                outbox.release(
                    session,
                    [_message_id(m) for m in untried],
                    at=until,
                    error="waiting: Telegram unreachable",
                    delayed_since=now,
                )
                outbox.pace(session, {m.chat_id for m in untried}, after=0.0)

            await self.db.run(wait_for_probe)

    async def _send(self, message: OutboxMessage, language: str) -> Outcome:
        try:
            return await self.sender.send(message, language)
        except Exception as error:  # a bug in rendering must not stop the others
            log.exception("sending outbox message %s failed", message.id)
            return Retry(f"{type(error).__name__}: {error}")

    def _drop_moot(
        self,
        session: Session,
        claimed: list[OutboxMessage],
        now: datetime,
        report: DispatchReport,
    ) -> list[OutboxMessage]:
        """Claimed rows not to send now: a reminder whose report came in (or was excused) or
        a loan's whose loan came back (cancelled), a reminder a later one replaced
        (superseded) or held back until long past its report's due instant (expired), and a
        delayed ladder's reminder outside office hours (pending until they open). Their chats
        are free again."""
        kept = _drop_settled(session, claimed)
        for drop in self.drops:
            kept = drop(session, kept)
        superseded = set(outbox.supersede(session, among=[_message_id(m) for m in kept]))
        expired = {_message_id(m) for m in kept if reminder_expired(m, now)} - superseded
        outbox.expire(session, expired, reason="its report is long past due")
        report.expired += len(superseded) + len(expired)
        kept = [m for m in kept if _message_id(m) not in superseded | expired]
        if self.calendar is not None:
            calendar = self.calendar()
            if not calendar.in_office_hours(now):
                closed = {_message_id(m) for m in kept if _held_for_office_hours(m)}
                opens = calendar.next_office_moment(now).astimezone(now.tzinfo)
                outbox.release(session, closed, at=opens)
                kept = [m for m in kept if _message_id(m) not in closed]
        kept_ids = {_message_id(m) for m in kept}
        outbox.pace(session, {m.chat_id for m in claimed if m.id not in kept_ids}, after=0.0)
        return kept

    def _record(
        self, session: Session, message: OutboxMessage, result: Outcome, now: datetime
    ) -> DispatchReport:
        """One send's result, with the chat's next free instant (on a worker thread: what it
        counts is returned, and added to the dispatch's report on the event loop)."""
        message_id, report = _message_id(message), DispatchReport()
        outbox.pace(session, [message.chat_id], after=self.per_chat_interval)
        if isinstance(result, Delivered):
            outbox.mark_sent(session, message_id, telegram_message_id=result.message_id, now=now)
            report.sent += 1
            ended = outbox.close_outage(session, now=now)
            if ended is not None:
                self._recovered(session, ended, now)
        elif isinstance(result, Retry) and result.outage:
            report.retried += 1
            report.outage = True
            until = self._outage_until(session, now, result.error)
            outbox.retry_later(session, message_id, at=until + ROTATE, error=result.error, now=now)
            outbox.postpone_due(session, now=now, until=until, error=result.error)
        elif isinstance(result, Retry):
            delay = backoff(message.attempts, result.after)
            outbox.retry_later(
                session,
                message_id,
                at=now + timedelta(seconds=delay),
                error=result.error,
                now=now,
            )
            report.retried += 1
        else:
            outbox.mark_failed(session, message_id, error=result.error)
            report.failed += 1
            self._tell_coordinator(session, message, result.error, result.person_unreachable, now)
        return report

    @staticmethod
    def _outage_until(session: Session, now: datetime, error: str = "unreachable") -> datetime:
        """When Telegram is next probed (the outage opened now if none is under way)."""
        outage = outbox.open_outage(session, now=now, error=error)
        return now + timedelta(seconds=probe_delay(now - outage.started_at))

    def _recovered(self, session: Session, outage: Outage, now: datetime) -> None:
        """Telegram answers again: what waited goes now, in order; after a long outage the
        reminders that no longer matter are settled and the coordinators told, once."""
        pulled = outbox.pull_forward(session, since=outage.started_at, now=now)
        down_for = now - outage.started_at
        log.warning("Telegram answers again after %s; %d messages now due", down_for, pulled)
        if down_for < OUTAGE_SUMMARY_AFTER:
            return
        outbox.supersede(session)
        outbox.expire(
            session,
            [_message_id(m) for m in outbox.pending_reminders(session) if reminder_expired(m, now)],
            reason="its report is long past due",
        )
        delayed, expired = outbox.count_outage(session, outage)
        notices = [
            NewMessage(
                idempotency_key=f"outage:{outage.id}:to-{staff.id}",
                chat_id=staff.chat_id,
                staff_id=staff.id,
                template="outage",
                params={
                    "started_at": outage.started_at.isoformat(),
                    "ended_at": now.isoformat(),
                    "minutes": int(down_for.total_seconds() // 60),
                    "delayed": delayed,
                    "expired": expired,
                },
            )
            for staff in people.holders_of(session, Role.COORDINATOR)
            if staff.reachable
        ]
        outbox.enqueue(session, notices, now=now)

    def _tell_coordinator(
        self,
        session: Session,
        message: OutboxMessage,
        error: str,
        unreachable: bool,
        now: datetime,
    ) -> None:
        """A message Telegram refused for good: tell the coordinators (a person found
        unreachable once, until they are reachable again; another refusal once per message).

        Notices about notices are not sent, so a coordinator who cannot be reached either
        does not start a chain.
        """
        if message.staff_id is None or message.template in ("unreachable", "outage"):
            return
        if unreachable and not people.mark_unreachable(session, message.staff_id, error):
            return  # already known to be unreachable: the coordinators were told then
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


def _held_for_office_hours(message: OutboxMessage) -> bool:
    """A ladder's reminder held back by failures past closing waits for the office to open,
    as the tick would have placed it (one the director asked for "now" goes at once)."""
    return (
        message.template == "duty"
        and message.failed_since is not None
        and message.params.get("kind") in STAFF_FACING
    )


def _drop_settled(session: Session, claimed: list[OutboxMessage]) -> list[OutboxMessage]:
    """A reminder whose report came in meanwhile (or was excused) is not sent."""
    reminders = {
        m.assignment_id for m in claimed if m.template == "duty" and m.assignment_id is not None
    }
    settled = schedule.closed_among(session, reminders)
    for message in claimed:
        if message.template == "duty" and message.assignment_id in settled:
            outbox.cancel(session, _message_id(message), reason="the report is settled")
    return [m for m in claimed if not (m.template == "duty" and m.assignment_id in settled)]


def _message_id(message: OutboxMessage) -> int:
    assert message.id is not None
    return message.id
