"""What every handler needs, built once in ``main`` and passed down (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram.ext import ContextTypes

from jobs.settings import Settings
from storage.db import Database

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real clock; only the outer edge calls it, everything below is given ``now``."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock = system_clock


SERVICES_KEY = "services"


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    found = context.application.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
