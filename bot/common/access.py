"""Who is writing, and may they do this? Shared by every handler.

``registered`` loads the person (or tells an unknown user how to register, in Thai); the kit
(``bot.common.kit``) builds on it and also checks roles at the moment of use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.common.i18n import Translate, translator
from bot.common.services import services
from bot.common.texts import split_message
from storage import people

PersonHandler = Callable[
    [Update, ContextTypes.DEFAULT_TYPE, people.Person], Coroutine[Any, Any, None]
]
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


async def answer(update: Update, text: str, *, acknowledged: bool = False, **kwargs: Any) -> None:
    """Reply in the same chat, split if long; a button press is answered too, unless the
    handler already did (Telegram accepts one answer per press)."""
    if update.callback_query is not None and not acknowledged:
        await update.callback_query.answer()
    chat = update.effective_chat
    if chat is None:
        return
    for part in split_message(text):
        await chat.send_message(part, **kwargs)


def apology(_: Translate, *, busy: bool) -> str:
    """What a person is told when their request failed and nothing was changed: data another
    session held too long (``storage.db.is_busy``) is worth a second try; anything else is ours."""
    if busy:
        return _(
            "Many people are using this at the moment and nothing was changed. Please try "
            "again in a few seconds."
        )
    return _(
        "Sorry, something went wrong on our side and nothing was changed. Please try again "
        "in a moment; if it keeps happening, tell the system administrator."
    )


def how_to_register(context: ContextTypes.DEFAULT_TYPE) -> str:
    _ = translator("th")
    office = services(context).settings.office.name_th
    return _(
        "Hello. This bot follows up the reports of {office}.\n\n"
        "You are not registered yet. Please ask the system administrator or the Policy and "
        "Planning group for your registration link and open it on your phone, or type /start "
        "followed by the code you were given."
    ).format(office=office)


async def load_person(update: Update, context: ContextTypes.DEFAULT_TYPE) -> people.Person | None:
    user = update.effective_user
    if user is None:
        return None
    return await services(context).db.run(lambda s: people.by_telegram_user(s, user.id))


def registered(handler: PersonHandler) -> Handler:
    """Run ``handler`` for an active registered person; explain registration to anyone else."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        person = await load_person(update, context)
        if person is None:
            await answer(update, how_to_register(context))
        elif not person.staff.active:
            _ = translator(person.language)
            await answer(
                update,
                _(
                    "Your registration has been deactivated. Please contact the system "
                    "administrator if this is a mistake."
                ),
            )
        else:
            await _note_reachable(update, context, person)
            await handler(update, context, person)

    return wrapper


async def _note_reachable(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """Someone marked unreachable wrote to us: they can be reached again."""
    chat = update.effective_chat
    if chat is not None and chat.type == "private" and not person.staff.reachable:
        chat_id = chat.id
        await services(context).db.run(lambda s: people.mark_reachable(s, person.id, chat_id))
