"""What the coordinators are told about delivery: a person the bot cannot reach, and the
summary after Telegram could not be reached for a while."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import translator
from bot.common.render import Rendered, title, when


def _unreachable(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    if params.get("unreachable"):
        head = _("The bot cannot reach {name} on Telegram (blocked or left).")
    else:
        head = _("A message to {name} could not be delivered.")
    if params.get("failed") == "duty":
        advice = _(
            "Please contact them directly. The follow-ups continue as planned and the director "
            "will still be told if the report does not arrive."
        )
    else:  # an escalation, a notice …: nothing else will carry it to them
        advice = _(
            "Please contact them directly and pass the message on: the bot will not send it again."
        )
    lines = [
        head.format(name=params.get("name", "-")),
        _("About: {title}").format(title=title(params, language) or "-"),
        advice,
    ]
    return Rendered("\n".join(lines))


def _outage(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """One summary to the coordinators after Telegram could not be reached for a while."""
    _ = translator(language)
    minutes = int(params.get("minutes", 0))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        span = _("{hours} h {minutes} min").format(hours=hours, minutes=rest)
    elif hours:
        span = _("{hours} h").format(hours=hours)
    else:
        span = _("{minutes} min").format(minutes=minutes)
    lines = [
        _("The bot could not reach Telegram from {start} to {end} (about {span}).").format(
            start=when(params.get("started_at"), language, zone),
            end=when(params.get("ended_at"), language, zone),
            span=span,
        ),
        _("Messages delayed, now being sent in order: {count}").format(
            count=params.get("delayed", 0)
        ),
        _(
            "Reminders not sent because a later reminder replaced them or their report is long "
            "past due: {count}"
        ).format(count=params.get("expired", 0)),
        _("No message was lost; nothing needs to be done."),
    ]
    return Rendered("\n".join(lines))


DELIVERY_TEMPLATES = {"unreachable": _unreachable, "outage": _outage}
