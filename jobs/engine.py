"""The loop: APScheduler wakes the process; each wake-up ticks, then dispatches.

APScheduler holds exactly two jobs, never one per reminder: a wake-up at the earliest instant
the database says something is due (moved after every wake-up), and a safety net every few
minutes. The database is the schedule; the scheduler only keeps time.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs.calendar import OfficeCalendar
from jobs.dispatch import Dispatcher, DispatchReport, Sender
from jobs.features import STEPS
from jobs.nightly_backup import NightlyBackup
from jobs.settings import Settings
from jobs.steps import Step
from jobs.tick import Planner, TickReport
from storage import leader, outbox
from storage.db import Database
from storage.leader import Leadership

log = logging.getLogger(__name__)
WAKE_JOB, SAFETY_JOB = "wake", "safety-net"
WAITING = timedelta(seconds=1)  # how soon to look again at chats another process holds
WAITERS = 100  # wake-ups waiting for the running one (each returns when it has gone round)


class Engine:
    """Ticks and dispatches, woken by APScheduler; one per process."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        sender: Sender,
        clock: Callable[[], datetime],
        *,
        per_chat_interval: float = 1.0,
        steps: Sequence[type[Step]] = STEPS,
    ) -> None:
        self.db = db
        self.clock = clock
        timing = settings.engine
        self.planner = Planner(settings, OfficeCalendar.from_office(settings.office), steps)
        self.dispatcher = Dispatcher(
            db,
            sender,
            clock,
            per_chat_interval=per_chat_interval,
            lease=timedelta(seconds=timing.lease_seconds),
            calendar=lambda: self.planner.calendar,
            steps=steps,
        )
        self.dispatching = timing.dispatch
        self.safety_interval = timedelta(seconds=timing.safety_interval_seconds)
        self.takeover = timedelta(seconds=timing.takeover_seconds)
        self.leadership = Leadership(db.engine)
        self.nightly_backup = NightlyBackup(db, settings, clock, self.leadership.is_leader)
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self._again = False  # a wake-up was asked for while one ran
        self._stopped = False
        self._materialised_on: date | None = None
        self.last_tick: datetime | None = None

    def start(self) -> None:
        """Start keeping time (inside the running event loop) and wake at once."""
        self.scheduler = AsyncIOScheduler(timezone=self.planner.calendar.zone)
        self.scheduler.add_job(
            self.wake,
            IntervalTrigger(seconds=self.safety_interval.total_seconds()),
            id=SAFETY_JOB,
            max_instances=WAITERS,
            coalesce=True,
        )
        self.nightly_backup.schedule(self.scheduler)
        self.scheduler.start()
        self.wake_at(self.clock())

    def shutdown(self) -> None:
        self._stopped = True
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.leadership.release()

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop keeping time: no new wake-up starts, the one under way finishes (at most
        ``grace`` seconds: a send cut short is retried after its lease) and those waiting for
        it return; only then is the scheduler shut down, so that it cancels nothing."""
        self._stopped = True
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        try:
            await asyncio.wait_for(self._lock.acquire(), timeout=grace)
            self._lock.release()  # the lock is fair: every wake-up queued before has returned
            await asyncio.sleep(0)  # and their jobs see it
        except TimeoutError:
            log.warning("stopping while a wake-up is still sending")
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.leadership.release()

    def wake_at(self, moment: datetime) -> None:
        """Move the one wake-up job to ``moment`` (or now, if that has passed).

        A wake-up asked for while one is running waits for it (``wake`` holds a lock) rather
        than being skipped: APScheduler drops a run of a job already at ``max_instances``, and
        a message written just after the running tick looked would then wait for the safety
        net.

        A wake-up already asked for at an earlier moment is never put off: a wake-up that
        ends moves the job to what it read as next due, and a handler's "wake at once"
        written meanwhile (not yet run, the event loop being busy) would otherwise be
        replaced by that later moment, and its message wait for the safety net.
        """
        if self.scheduler is None:
            return
        moment = max(moment, self.clock())
        pending = self.scheduler.get_job(WAKE_JOB)
        earlier = getattr(pending, "next_run_time", None)
        if earlier is not None and earlier <= moment:
            return
        self.scheduler.add_job(
            self.wake,
            DateTrigger(run_date=moment),
            id=WAKE_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            max_instances=WAITERS,
        )

    def request_materialise(self) -> None:
        """Someone registered or the plan changed: build assignments at the next wake-up."""
        self._materialised_on = None
        self.wake_at(self.clock())

    async def wake(self) -> tuple[TickReport, DispatchReport]:
        """1. If this process leads (the PostgreSQL advisory lock; always on SQLite):
           materialise (once a day, or when asked), tick, and record the heartbeat.
        2. Dispatch the outbox (every process may: claims skip each other's rows).
        3. Sleep until the database says something is next due; a follower wakes within
           ``takeover`` to try to lead, so a dead leader is replaced within that time.
        """
        if self._lock.locked():
            # One is running: it goes round once more for this one (what a handler just wrote
            # is seen), and this one returns when it has. APScheduler never has to skip a run.
            self._again = True
            async with self._lock:
                return TickReport(), DispatchReport()
        async with self._lock:
            while True:
                self._again = False
                if self._stopped:  # asked for just before the stop: nothing more to do
                    return TickReport(), DispatchReport()
                tick, sent = await self._wake_once()
                if not self._again:
                    return tick, sent

    async def _wake_once(self) -> tuple[TickReport, DispatchReport]:
        """The database work runs on a worker thread: a slow or locked database delays the
        reminders, never the people using the bot meanwhile."""
        now = self.clock()
        leading = await asyncio.to_thread(self.leadership.is_leader)
        tick = await asyncio.to_thread(self._tick, now) if leading else TickReport()
        sent = await self.dispatcher.dispatch() if self.dispatching else DispatchReport()
        following = await asyncio.to_thread(self._next_wake, leading, sent.waiting)
        if following is not None:
            self.wake_at(following)
        if tick.messages or sent.sent or sent.failed:
            log.info("tick: %s; dispatch: %s", tick, sent)
        return tick, sent

    def _tick(self, now: datetime) -> TickReport:
        self._materialise_if_needed(now)
        tick = self.planner.tick(self.db, now)
        self._beat(now)
        return tick

    def _beat(self, now: datetime) -> None:
        self.last_tick = now
        with self.db.transaction() as session:
            leader.beat(session, holder=self.holder, at=now)

    def _next_wake(self, leading: bool, waiting: bool = False) -> datetime | None:
        now = self.clock()
        following = self.planner.next_wake(self.db, now) if leading else None
        if not leading:
            with self.db.transaction() as session:
                following = outbox.next_due_at(session)
            following = min(filter(None, (following, now + self.takeover)))
        if waiting and following is not None:  # a chat another process is sending to
            following = max(following, now + WAITING)
        return following

    def _materialise_if_needed(self, now: datetime) -> None:
        today = now.astimezone(self.planner.calendar.zone).date()
        if self._materialised_on != today:
            created = self.planner.materialise(self.db, now)
            self._materialised_on = today
            if created:
                log.info("%d new assignments", created)
