"""The procurement officer's entries in several steps (a loan, a return, the maintenance plan
announcement): the typed answer goes to the step the officer's draft is at.

Drafts live in the database, so the step survives a restart and any process may take it;
one left alone for ``DRAFT_TTL`` is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.common.access import answer
from bot.common.i18n import translator
from bot.common.services import services
from bot.loans import handover as loans
from bot.loans import maintenance
from bot.loans import returns as loan_return
from storage import people
from storage.models import Role

TextStep = Callable[
    [Update, ContextTypes.DEFAULT_TYPE, people.Person, dict[str, Any], str],
    Coroutine[Any, Any, None],
]
TEXT_STEPS: dict[tuple[str, str], TextStep] = {
    **{("loan", step): handler for step, handler in loans.TEXT_STEPS.items()},
    **{("return", step): handler for step, handler in loan_return.TEXT_STEPS.items()},
    ("announce", "text"): maintenance.announcement_text,
}


async def on_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person, text: str
) -> bool:
    """Give ``text`` to the step this person's draft is at; False if they have none."""
    app, _ = services(context), translator(person.language)
    row = await app.db.run(lambda session: loans.loans.draft(session, person.id))
    if row is None:
        return False
    if app.clock() - row.updated_at > loans.DRAFT_TTL or not person.has_any(Role.PROCUREMENT):
        await loans.drop(app, person)
        await answer(
            update,
            _("The unfinished entry has expired and nothing was recorded. Please start again."),
        )
        return True
    handler = TEXT_STEPS.get((row.kind, row.step))
    if handler is None:
        await answer(update, _(loans.PREVIEW_HINT))
        return True
    await handler(update, context, person, dict(row.data), text)
    return True
