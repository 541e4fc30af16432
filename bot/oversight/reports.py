"""For the director and the coordinator: /digest (text and chart) and /export (the ITA
evidence workbook, sent as a document)."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import InputFile

from bot.common.kit import Turn, command
from bot.common.texts import parse_number
from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.features import STEPS
from jobs.oversight.digest import digest_report
from storage import office, people
from storage.models import Role

DIGEST_ROLES = (Role.DIRECTOR, Role.COORDINATOR)


@command(*DIGEST_ROLES)
async def digest(turn: Turn) -> None:
    """/digest: the director's digest now, as text and a chart (both built off the event loop:
    the figures in a transaction on a worker thread, the chart on another thread)."""
    calendar = OfficeCalendar.from_office(turn.settings.office)
    viewer, now = turn.person, turn.now()
    steps = tuple(step(turn.settings) for step in STEPS)

    def work(session: Session) -> dict[str, Any]:
        director = _for_director(session, viewer, now, calendar)
        return digest_report(session, steps, calendar, now, director=director)

    data = await turn.run(work)
    rendered = await asyncio.to_thread(
        turn.app.catalog.render, "digest", data, turn.language, turn.zone
    )
    chat = turn.update.effective_chat
    if chat is not None and rendered.photo is not None:
        await chat.send_photo(rendered.photo)
    await turn.answer(rendered.text)


def _for_director(
    session: Session, viewer: people.Person, now: datetime, calendar: OfficeCalendar
) -> bool:
    """The complaint section is the director's (or the acting officer's), never the
    coordinator's."""
    today = now.astimezone(calendar.zone).date()
    return Role.DIRECTOR in viewer.roles or office.is_acting(session, viewer.id, today)


@command(*DIGEST_ROLES)
async def export(turn: Turn) -> None:
    """/export [fiscal year]: the evidence workbook for the ITA assessor, as a document."""
    argument = (turn.context.args or [""])[0]
    today = turn.today()
    fiscal_year = parse_number(argument) if argument else fiscal_year_of(today)
    if fiscal_year is None or not 2500 <= fiscal_year <= 2700:
        await turn.answer(
            turn._("Please type /export and a fiscal year in B.E., e.g. /export 2569")
        )
        return
    await _send_workbook(turn, fiscal_year)


async def _send_workbook(turn: Turn, fiscal_year: int) -> None:
    from bot.oversight.export import export_fiscal_year

    buffer = io.BytesIO()
    # the rows read and the workbook built on a thread (it opens its own transaction there)
    await asyncio.to_thread(
        export_fiscal_year,
        turn.db,
        turn.settings,
        fiscal_year,
        "xlsx",
        buffer,
        actions=turn.app.catalog.audit,  # every feature's audit actions, by name
        as_of=turn.now(),
    )
    chat = turn.update.effective_chat
    if chat is not None:
        caption = turn._("Evidence for the ITA assessment, fiscal year {fiscal_year}")
        await chat.send_document(
            InputFile(buffer.getvalue(), filename=f"ita-evidence-{fiscal_year}.xlsx"),
            caption=caption.format(fiscal_year=fiscal_year),
        )
