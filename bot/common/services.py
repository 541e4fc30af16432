"""What every handler needs, built once in ``main`` and passed down (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.common.feature import Catalog
from bot.runtime.complaint_keys import ComplaintKeys
from jobs.engine import Engine
from jobs.settings import Settings
from storage.db import Database

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real clock; only the outer edge calls it, everything below is given ``now``."""
    return datetime.now(UTC)


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock = system_clock
    engine: Engine | None = None  # set when the application starts its scheduler
    complaint_keys: ComplaintKeys | None = None  # the complaint channel's keys, when it is on
    catalog: Catalog = field(default_factory=Catalog)  # every feature's (set by bot.app)

    def wake(self, *, materialise: bool = False) -> None:
        """Something changed (a registration, a manual reminder): let the engine act now."""
        if self.engine is None:
            return
        if materialise:
            self.engine.request_materialise()
        else:
            self.engine.wake_at(self.clock())


SERVICES_KEY = "services"


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return services_of(context.application)


def services_of(application: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    found = application.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found
