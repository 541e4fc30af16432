"""A dispatcher in a process of its own, for the SIGKILL test: sends the outbox, then exits.

Environment: WORKER_DATABASE_URL, WORKER_BASE_URL, WORKER_TOKEN. Prints "ready" once it has
started, so that the test kills it while it works.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.features import render
from bot.runtime.sender import TelegramSender
from jobs.dispatch import Dispatcher
from storage import outbox
from storage.db import Database


def clock() -> datetime:
    return datetime.now(UTC)


async def work() -> int:
    database = Database.from_url(os.environ["WORKER_DATABASE_URL"])
    async with Bot(os.environ["WORKER_TOKEN"], base_url=os.environ["WORKER_BASE_URL"]) as bot:
        sender = TelegramSender(bot, ZoneInfo("Asia/Bangkok"), render)
        dispatcher = Dispatcher(
            database, sender, clock, per_chat_interval=0.0, lease=timedelta(seconds=1)
        )
        print("ready", flush=True)
        while True:
            await dispatcher.dispatch()
            with database.transaction() as session:
                if outbox.backlog(session) == 0:
                    break
            await asyncio.sleep(0.2)  # leases of a killed predecessor run out
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(work()))
