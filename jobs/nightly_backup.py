"""The nightly backup: ``[backup] dir, at, keep``, taken by the scheduler's leader.

The copy is taken off the event loop (a thread), so updates and sends go on meanwhile; the
newest ``keep`` copies stay in ``dir``. A failure is logged as an error and tried again the
next night (``staff-report-bot health`` and the logs are where an operator looks).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import SQLAlchemyError

from jobs.settings import Settings
from storage import backup
from storage.db import Database

log = logging.getLogger(__name__)
BACKUP_JOB = "nightly-backup"


class NightlyBackup:
    """One job in the scheduler, at ``[backup] at`` office time, when ``dir`` is set."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Callable[[], datetime],
        leading: Callable[[], bool],
    ) -> None:
        self.db, self.settings, self.clock, self.leading = db, settings, clock, leading

    def schedule(self, scheduler: AsyncIOScheduler) -> bool:
        """Add the job; False (and nothing added) while ``[backup] dir`` is unset."""
        if self.settings.backup.dir is None:
            return False
        at = self.settings.backup.at
        scheduler.add_job(
            self.run,
            CronTrigger(hour=at.hour, minute=at.minute, timezone=self.settings.office.zone),
            id=BACKUP_JOB,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,  # a process started at 02:20 still takes tonight's copy
        )
        return True

    async def run(self) -> Path | None:
        """Only the leader copies (one copy a night however many processes run)."""
        if not self.leading():
            return None
        return await asyncio.to_thread(self.take)

    def take(self) -> Path | None:
        folder = self.settings.backup.dir
        assert folder is not None
        now = self.clock()
        out = folder / backup.default_name(self.db.engine, now)
        within = timedelta(seconds=3 * self.settings.engine.safety_interval_seconds)
        try:
            info = backup.take(self.db, out, now=now, running_within=within)
            removed = backup.prune(folder, self.settings.backup.keep)
        except (backup.BackupError, OSError, SQLAlchemyError) as error:
            log.error("the nightly backup to %s failed: %s", out, error)
            return None
        log.info(
            "nightly backup %s: %d rows; %d older copies removed",
            out,
            sum(info.counts.values()),
            len(removed),
        )
        return out
