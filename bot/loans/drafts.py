"""The procurement officer's entries in several steps (a loan, a return, the maintenance plan
announcement): the typed answer goes to the step the officer's draft is at.

Drafts live in the database, so the step survives a restart and any process may take it;
one left alone for ``DRAFT_TTL`` is forgotten.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.common.kit import Turn
from bot.loans import handover as loans
from bot.loans import maintenance
from bot.loans import returns as loan_return
from storage.models import AwaitedAnswer, Role

TextStep = Callable[[Turn, dict[str, Any], str], Awaitable[None]]
TEXT_STEPS: dict[tuple[str, str], TextStep] = {
    **{("loan", step): handler for step, handler in loans.TEXT_STEPS.items()},
    **{("return", step): handler for step, handler in loan_return.TEXT_STEPS.items()},
    ("announce", "text"): maintenance.announcement_text,
}


async def on_entry(turn: Turn, text: str) -> None:
    """A text typed during an entry, or with no question awaited: to the step the draft is
    at; with no draft at all, a pointer to the buttons and /help."""
    row = await _draft(turn)
    if row is None:
        await turn.answer(
            turn._(
                "I could not tell what this message is for. Please use the buttons under my "
                "messages, or type /help to see what you can do."
            )
        )
        return
    await _to_step(turn, row, text)


async def _draft(turn: Turn) -> AwaitedAnswer | None:
    staff_id = turn.person.id
    return await turn.run(lambda session: loans.loans.draft(session, staff_id))


async def _to_step(turn: Turn, row: AwaitedAnswer, text: str) -> None:
    """Give ``text`` to the step ``row`` is at (a draft forgotten, or no longer the person's
    to make, is dropped)."""
    if turn.now() - row.updated_at > loans.DRAFT_TTL or not turn.person.has_any(Role.PROCUREMENT):
        await loans.drop(turn)
        await turn.answer(
            turn._("The unfinished entry has expired and nothing was recorded. Please start again.")
        )
        return
    step = TEXT_STEPS.get((row.kind, row.step))
    if step is None:
        await turn.answer(turn._(loans.PREVIEW_HINT))
        return
    await step(turn, dict(row.data), text)
