"""The command menu Telegram shows beside the text box: only what the person may use."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.common.i18n import LANGUAGES, translator
from bot.common.roles import commands_for
from jobs.settings import Settings
from storage import people
from storage.models import Role

log = logging.getLogger(__name__)
_NEWCOMER_COMMANDS = ("start", "help")
_COMPLAINANT_COMMANDS = ("complain", "complaint")


async def set_defaults(bot: Bot, *, complaints: bool = False) -> None:
    """The menu for people not yet registered, in Thai and in English (with the complaint
    channel, when it is open: anyone may complain)."""
    shown = _NEWCOMER_COMMANDS + (_COMPLAINANT_COMMANDS if complaints else ())
    for language in LANGUAGES:
        _ = translator(language)
        commands = [
            BotCommand(command.name, _(command.description))
            for command in commands_for({Role.STAFF})
            if command.name in shown
        ]
        code = None if language == "th" else language
        try:
            await bot.set_my_commands(commands, language_code=code)
        except TelegramError as error:
            log.warning("could not set the default command menu (%s): %s", language, error)


async def set_for(
    bot: Bot, person: people.Person, settings: Settings, *, complaint_handler: bool = False
) -> None:
    """One person's menu, in their language: what their roles allow and the office has on.
    A failure here is logged, never fatal."""
    _ = translator(person.language)
    chosen = commands_for(person.roles, complaint_handler=complaint_handler, settings=settings)
    commands = [BotCommand(c.name, _(c.description)) for c in chosen]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(person.staff.chat_id))
    except TelegramError as error:
        log.warning("could not set the command menu of staff %s: %s", person.id, error)
