"""The handler kit: what every handler needs, handed over as one ``Turn``.

A handler is written against the person and the office, not against python-telegram-bot's
plumbing::

    @command(Role.COORDINATOR)
    async def staff_list(turn: Turn) -> None:
        rows = await turn.run(lambda s: people.by_group(s))
        await turn.answer(turn._("Staff by work group:") + ...)

    @button(DONE)                       # DONE = Numbered("done:")
    async def done_button(turn: Turn, assignment_id: int) -> None: ...

The decorators load the person and check, at every use, that they are registered and
active and (where roles are given) hold one of the roles; ``button`` also reads the press's
data with its declared shape (``bot.common.callbacks``) and answers a press that does not
fit as a stale button. A refusal changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import CallbackQuery, Message, Update
from telegram.ext import ContextTypes

from bot.common.access import Handler, answer, registered
from bot.common.callbacks import Callback
from bot.common.i18n import Translate, arabic_digits, translator
from bot.common.roles import role_name
from bot.common.services import Services, services
from bot.common.texts import parse_number
from jobs.calendar import fiscal_year_of
from jobs.settings import Settings
from storage.db import Database
from storage.models import Role
from storage.people import Person

T = TypeVar("T")
FISCAL_YEARS = (2500, 2700)  # the fiscal years (B.E.) worth asking about
V = TypeVar("V")


@dataclass(slots=True)
class Visit:
    """One update from anyone (the complaint channel takes the unregistered too): the
    office's services, the language to answer in, and the ways to answer."""

    update: Update
    context: ContextTypes.DEFAULT_TYPE
    app: Services
    _: Translate

    @property
    def zone(self) -> ZoneInfo:
        return self.app.settings.office.zone

    @property
    def query(self) -> CallbackQuery | None:
        return self.update.callback_query

    def now(self) -> datetime:
        return self.app.clock()

    def today(self) -> date:
        """The office's date now (its time zone)."""
        return self.now().astimezone(self.zone).date()

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work`` in one transaction, off the event loop (``Database.run``)."""
        return await self.app.db.run(work)

    async def answer(self, text: str, *, acknowledged: bool = False, **kwargs: Any) -> None:
        """Reply in the chat (split if long); a press is answered too unless already done."""
        await answer(self.update, text, acknowledged=acknowledged, **kwargs)

    async def alert(self, text: str) -> None:
        """A press's answer as a pop-up (nothing new in the chat); a message otherwise."""
        if self.query is not None:
            await self.query.answer(text, show_alert=True)
        else:
            await self.answer(text)

    async def stale(self) -> None:
        """The press's data no longer fits (an old message, or forged): nothing changes."""
        await self.alert(self._("This button is no longer valid. Please type the command again."))


@dataclass(slots=True)
class Turn(Visit):
    """One update from one registered person: who, in which language, and the office's
    services (database, clock, settings)."""

    person: Person

    @property
    def db(self) -> Database:
        return self.app.db

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def language(self) -> str:
        return self.person.language

    @property
    def message(self) -> Message | None:
        return self.update.effective_message

    @property
    def text(self) -> str:
        """The message's text (empty for a photo, a file, a press)."""
        message = self.update.message
        return (message.text or "") if message is not None else ""

    def fiscal_year_asked(self) -> int | None:
        """The fiscal year (B.E., Arabic or Thai digits) typed after the command; this fiscal
        year when none is; None for anything else (a word, a C.E. year)."""
        given = (self.context.args or [""])[0]
        if not given:
            return fiscal_year_of(self.today())
        number = parse_number(arabic_digits(given))
        return (
            number if number is not None and FISCAL_YEARS[0] <= number <= FISCAL_YEARS[1] else None
        )


TurnHandler = Callable[[Turn], Awaitable[None]]
ButtonHandler = Callable[[Turn, V], Awaitable[None]]


def turn_of(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> Turn:
    return Turn(update, context, services(context), translator(person.language), person)


def refusal(roles: tuple[Role, ...], _: Translate) -> str:
    return _("Sorry, this is only for {roles}. Type /help to see what you can do.").format(
        roles=", ".join(role_name(role, _) for role in roles)
    )


def command(*roles: Role) -> Callable[[TurnHandler], Handler]:
    """A command or message handler for a registered, active person; with ``roles``, only
    for a person holding one of them (checked at every use)."""

    def decorate(handler: TurnHandler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(
            update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person
        ) -> None:
            turn = turn_of(update, context, person)
            if roles and not person.has_any(*roles):
                await turn.answer(refusal(roles, turn._))
                return
            await handler(turn)

        return registered(wrapper)

    return decorate


def button(kind: Callback[V], *roles: Role) -> Callable[[ButtonHandler[V]], Handler]:
    """A button handler: as ``command``, and the press's data read with ``kind``'s shape;
    data that does not fit is answered as a stale button and goes no further."""

    def decorate(handler: ButtonHandler[V]) -> Handler:
        @functools.wraps(handler)
        async def wrapper(turn: Turn) -> None:
            value = kind.parse(turn.query.data if turn.query is not None else None)
            if value is None:
                await turn.stale()
                return
            await handler(turn, value)

        return command(*roles)(wrapper)

    return decorate
