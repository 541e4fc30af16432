"""``build_application``: the one place that wires every handler to the Application."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import logs, menus, registration, staff_admin
from bot.access import answer, load_person
from bot.i18n import translator
from bot.services import SERVICES_KEY, Services

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(services: Services, token: str) -> AnyApplication:
    """The real python-telegram-bot Application, talking to ``[telegram] base_url``."""
    logs.protect([token])
    telegram = services.settings.telegram
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(telegram.base_url)
        .rate_limiter(AIORateLimiter(max_retries=0))
        .post_init(_post_init)
    )
    if telegram.base_file_url:
        builder = builder.base_file_url(telegram.base_file_url)
    application = builder.build()
    application.bot_data[SERVICES_KEY] = services
    _add_handlers(application)
    return application


def _add_handlers(application: AnyApplication) -> None:
    commands = {
        "start": registration.start,
        "help": registration.help_command,
        "whoami": registration.whoami,
        "language": registration.language,
        "name": registration.rename,
        "staff": staff_admin.staff_list,
        "person": staff_admin.person_command,
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    application.add_handler(
        CallbackQueryHandler(
            registration.language_button, pattern=f"^{registration.LANGUAGE_CALLBACK}"
        )
    )
    application.add_handler(
        CallbackQueryHandler(staff_admin.person_button, pattern=f"^{staff_admin.PERSON_CALLBACK}")
    )
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, unexpected_message))
    application.add_handler(MessageHandler(~PRIVATE & filters.COMMAND, group_chat))
    application.add_error_handler(on_error)


async def _post_init(application: AnyApplication) -> None:
    await menus.set_defaults(application.bot)


def _language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    person = load_person(update, context)
    return person.language if person else "th"


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command we do not have."""
    _ = translator(_language_of(update, context))
    await answer(update, _("I do not know that command. Type /help to see what you can do."))


async def unexpected_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text, files or stickers when nothing was asked for."""
    _ = translator(_language_of(update, context))
    await answer(
        update,
        _(
            "I could not tell what this message is for. Please use the buttons under my messages, "
            "or type /help to see what you can do."
        ),
    )


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose data no handler recognises (old, or forged)."""
    _ = translator(_language_of(update, context))
    if update.callback_query is not None:
        await update.callback_query.answer(
            _("This button is no longer valid. Please type the command again."), show_alert=True
        )


async def group_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commands typed in a group: the bot works one to one, so say so once."""
    _ = translator("th")
    await answer(update, _("Please message me privately: I do not work in group chats."))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every exception (the token is redacted by bot.logs) and apologise to the person."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        language = _language_of(update, context)
    except Exception:  # the database itself may be what failed
        language = "th"
    try:
        _ = translator(language)
        await update.effective_chat.send_message(
            _(
                "Sorry, something went wrong on our side and nothing was changed. Please try again "
                "in a moment; if it keeps happening, tell the system administrator."
            )
        )
    except Exception:  # the apology itself may fail (network, database)
        log.exception("could not tell the person about the error")
