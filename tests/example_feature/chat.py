"""/ping answers "pong" with a button; the button answers with its number; the tick's
message is worded here, like every template."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.common.callbacks import Numbered
from bot.common.feature import Feature
from bot.common.kit import Turn, button, command
from bot.common.render import Rendered
from bot.runtime.sender import markup

AGAIN = Numbered("ping:")


@command()
async def ping(turn: Turn) -> None:
    await turn.answer(
        f"pong, {turn.person.staff.full_name}", reply_markup=markup([[("again", AGAIN(1))]])
    )


@button(AGAIN)
async def again(turn: Turn, count: int) -> None:
    await turn.answer(f"pong {count}", reply_markup=markup([[("again", AGAIN(count + 1))]]))


def morning(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    return Rendered(f"good morning, ping {params['day']}")


FEATURE = Feature(
    "ping",
    commands={"ping": ping},
    buttons=[(AGAIN, again)],
    templates={"ping-morning": morning},
    audit={"ping.sent": "a morning ping"},
)
