"""The coordinators' notice after a restore: what may have been lost, and what to do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import format_datetime, translator
from bot.common.render import Rendered


def _restored(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)

    def when(key: str) -> str:
        return format_datetime(datetime.fromisoformat(str(params[key])).astimezone(zone), language)

    return Rendered(
        _(
            "The bot's data was restored from a backup taken on {backup_at}. What was recorded "
            "between then and {restored_at} may be lost: report confirmations, registrations, "
            "excuses and calendar changes. Please ask anyone who confirmed a report in that "
            'time to press "Report sent" again. Some people may receive a reminder again '
            "that they already received in that time."
        ).format(backup_at=when("backup_at"), restored_at=when("restored_at"))
    )


RESTORE_TEMPLATES: dict[str, Callable[[dict[str, Any], str, ZoneInfo], Rendered]] = {
    "restored": _restored,
}
