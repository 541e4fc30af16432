"""For the director and the coordinator: /digest (text and chart) and /export (the ITA
evidence workbook, sent as a document)."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot.common.access import answer, requires
from bot.common.i18n import translator
from bot.common.services import services
from bot.common.texts import parse_number
from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.features import STEPS
from jobs.tick import digest_report
from storage import office, people
from storage.models import Role

DIGEST_ROLES = (Role.DIRECTOR, Role.COORDINATOR)


@requires(*DIGEST_ROLES)
async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person) -> None:
    """/digest: the director's digest now, as text and a chart (both built off the event loop:
    the figures in a transaction on a worker thread, the chart on another thread)."""
    app = services(context)
    calendar = OfficeCalendar.from_office(app.settings.office)
    now, language, zone = app.clock(), viewer.language, app.settings.office.zone

    steps = tuple(step(app.settings) for step in STEPS)

    def work(session: Session) -> dict[str, Any]:
        director = _for_director(session, viewer, now, calendar)
        return digest_report(session, steps, calendar, now, director=director)

    data = await app.db.run(work)
    rendered = await asyncio.to_thread(app.catalog.render, "digest", data, language, zone)
    chat = update.effective_chat
    if chat is not None and rendered.photo is not None:
        await chat.send_photo(rendered.photo)
    await answer(update, rendered.text)


def _for_director(
    session: Session, viewer: people.Person, now: datetime, calendar: OfficeCalendar
) -> bool:
    """The complaint section is the director's (or the acting officer's), never the
    coordinator's."""
    today = now.astimezone(calendar.zone).date()
    return Role.DIRECTOR in viewer.roles or office.is_acting(session, viewer.id, today)


@requires(*DIGEST_ROLES)
async def export(update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person) -> None:
    """/export [fiscal year]: the evidence workbook for the ITA assessor, as a document."""
    from bot.oversight.export import export_fiscal_year

    app, _ = services(context), translator(viewer.language)
    argument = (context.args or [""])[0]
    today = app.clock().astimezone(app.settings.office.zone).date()
    fiscal_year = parse_number(argument) if argument else fiscal_year_of(today)
    if fiscal_year is None or not 2500 <= fiscal_year <= 2700:
        await answer(update, _("Please type /export and a fiscal year in B.E., e.g. /export 2569"))
        return
    buffer = io.BytesIO()
    # the rows read and the workbook built on a thread (it opens its own transaction there)
    await asyncio.to_thread(
        export_fiscal_year, app.db, app.settings, fiscal_year, "xlsx", buffer, as_of=app.clock()
    )
    chat = update.effective_chat
    if chat is not None:
        name = f"ita-evidence-{fiscal_year}.xlsx"
        await chat.send_document(
            InputFile(buffer.getvalue(), filename=name),
            caption=_("Evidence for the ITA assessment, fiscal year {fiscal_year}").format(
                fiscal_year=fiscal_year
            ),
        )
