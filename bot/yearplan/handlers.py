"""/calendar [fiscal year]: the year's reporting calendar on demand, as the start of the year
sends it: one's own deadlines, or the whole office's for the coordinator, the director and
the admin; the text and the printable page."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel import Session
from telegram import InputFile

from bot.common.kit import Turn, command
from bot.yearplan.texts import year_message
from jobs.yearplan.load import load_office
from jobs.yearplan.notices import year_params


@command()
async def calendar(turn: Turn) -> None:
    """Anyone registered: this fiscal year's calendar, or the year typed (B.E.)."""
    fiscal_year = turn.fiscal_year_asked()
    if fiscal_year is None:
        await turn.answer(
            turn._(
                "Please type /calendar alone for this fiscal year, or with a fiscal year in the "
                "Buddhist Era, e.g. /calendar 2570."
            )
        )
        return
    person, settings, today = turn.person, turn.settings, turn.today()

    def work(session: Session) -> dict[str, Any]:
        return year_params(
            settings, load_office(session, settings, today, fiscal_year), fiscal_year, person
        )

    params = await turn.run(work)
    rendered = await asyncio.to_thread(year_message, params, turn.language, turn.zone)
    chat = turn.update.effective_chat
    if chat is not None and rendered.document is not None:
        document = rendered.document
        await chat.send_document(InputFile(document.content, filename=document.filename))
    await turn.answer(rendered.text)
