"""``build_application``: the one place that wires every handler to the Application."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.common import i18n, menus, questions
from bot.common.access import answer, apology, load_person
from bot.common.feature import Catalog, Feature
from bot.common.i18n import translator
from bot.common.kit import Turn, command
from bot.common.services import SERVICES_KEY, Services, services, services_of
from bot.complaints.sender import ComplainantSender
from bot.features import CATALOG, FEATURES
from bot.runtime import logs
from bot.runtime.complaint_keys import keys_or_none
from bot.runtime.sender import TelegramSender
from bot.runtime.transport import AiohttpRequest
from jobs.engine import Engine
from jobs.features import STEPS
from jobs.steps import Step
from storage.db import is_busy

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE
# Updates are handled side by side: one person's database work overlaps another's wait for
# Telegram. Handlers are written for it (state changes are conditional updates).
CONCURRENT_UPDATES = 16
AnyApplication = Application[Any, Any, Any, Any, Any, Any]


TELEGRAM_FILES = "https://api.telegram.org/file/bot"  # python-telegram-bot's default
POLL_BATCH = 20  # updates a long poll takes at once (Telegram's default is 100)


class _ApplicationBot(ExtBot[None]):
    """The application's bot. A long poll takes at most ``POLL_BATCH`` updates: reading a
    hundred at once holds the event loop for a tenth of a second or more (measured by
    ``bench/loop_stall.py``), a fifth of that for twenty."""

    async def get_updates(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("limit", POLL_BATCH)
        return await super().get_updates(*args, **kwargs)


def build_application(
    services: Services,
    token: str,
    *,
    with_engine: bool = True,
    features: Sequence[Feature] = FEATURES,
    steps: Sequence[type[Step]] = STEPS,
) -> AnyApplication:
    """The real python-telegram-bot Application, talking to ``[telegram] base_url``.

    ``with_engine`` starts the reminder engine with the application (tests of other
    behaviour may leave it off, so that no reminder interleaves with what they check).
    ``features`` and ``steps`` are the bot's (``bot/features.py``, ``jobs/features.py``)
    unless a test adds one of its own.
    """
    logs.protect([token])
    telegram = services.settings.telegram
    bot = _ApplicationBot(
        token,
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url or TELEGRAM_FILES,
        request=AiohttpRequest(pool_size=CONCURRENT_UPDATES),
        get_updates_request=AiohttpRequest(),
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(start_services)
        .post_shutdown(stop_services)
        .build()
    )
    services.catalog = CATALOG if features is FEATURES else Catalog(features)
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[ENGINE_WANTED] = with_engine
    application.bot_data[STEPS_KEY] = tuple(steps)
    if services.complaint_keys is None:  # `run` has refused already if the channel has no key
        services.complaint_keys = keys_or_none(services.settings.complaints)
    _add_handlers(application, features)
    return application


def _add_handlers(application: AnyApplication, features: Sequence[Feature]) -> None:
    """Each feature's commands, buttons and other handlers (``bot/features.py``), then what
    belongs to no feature: /cancel, and the answers to what nothing else took."""
    for feature in features:
        for name, callback in feature.commands.items():
            application.add_handler(CommandHandler(name, callback, filters=PRIVATE))
        for kind, callback in feature.buttons:
            pattern = f"^{re.escape(kind.prefix)}"
            application.add_handler(CallbackQueryHandler(callback, pattern=pattern))
        for handler, group in feature.handlers:
            application.add_handler(handler, group=group)
    application.add_handler(CommandHandler("cancel", cancel, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, unexpected_message))
    application.add_handler(MessageHandler(~PRIVATE & filters.COMMAND, group_chat))
    application.add_error_handler(on_error)


ENGINE_WANTED = "engine-wanted"
STEPS_KEY = "tick-steps"


async def start_services(application: AnyApplication) -> None:
    """Set the menus; start the reminder engine (inside the running event loop).

    ``run_polling`` calls it as ``post_init``; code that starts the application by hand
    (the demo, the tests) calls it after ``application.start()``.
    """
    services = services_of(application)
    await asyncio.to_thread(i18n.warm_up)
    await menus.set_defaults(application.bot, complaints=services.complaint_keys is not None)
    if application.bot_data.get(ENGINE_WANTED):
        bulk = _bulk_bot(application, services)
        await bulk.initialize()
        application.bot_data[BULK_BOT] = bulk
        sender = ComplainantSender(
            TelegramSender(bulk, services.settings.office.zone, services.catalog.render),
            services.db,
            services.complaint_keys,
        )
        steps = application.bot_data[STEPS_KEY]
        services.engine = Engine(
            services.db, services.settings, sender, services.clock, steps=steps
        )
        services.engine.start()
    if services.settings.board is not None:  # the web board, on this same event loop
        from bot.oversight.board import web

        application.bot_data[BOARD_RUNNER] = await web.start(services, application.bot.token)
    # What start-up made stays for good: the garbage collector stops walking it, so a full
    # collection no longer holds the event loop for a tenth of a second
    gc.freeze()


BULK_BOT = "bulk-bot"
BOARD_RUNNER = "board-runner"


def _bulk_bot(application: AnyApplication, services: Services) -> ExtBot[Any]:
    """The bot the engine sends reminders with: Telegram's overall limit (about 30 a second)
    kept by AIORateLimiter; the dispatcher keeps one a second per chat. Answers to what a
    person just did (a button, a command) go out at once through the application's own bot,
    so a burst of reminders never delays a reply."""
    telegram = services.settings.telegram
    return ExtBot(
        application.bot.token,
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url or TELEGRAM_FILES,
        rate_limiter=AIORateLimiter(max_retries=0),
        request=AiohttpRequest(pool_size=CONCURRENT_UPDATES),
    )


@asynccontextmanager
async def polling(application: AnyApplication, *, poll_timeout: int = 1) -> AsyncIterator[None]:
    """Run ``application`` by hand (the demo, the tests), as ``run_polling`` would."""
    await application.initialize()
    await application.start()
    await start_services(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout)
    try:
        yield
    finally:
        await stop_services(application)
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def stop_services(application: AnyApplication) -> None:
    """Stop the engine; ``post_shutdown`` of ``run_polling``, or by hand before ``stop()``."""
    services = services_of(application)
    runner = application.bot_data.pop(BOARD_RUNNER, None)
    if runner is not None:
        await runner.cleanup()
    if services.engine is not None:
        await services.engine.stop()
        services.engine = None
    bulk = application.bot_data.pop(BULK_BOT, None)
    if isinstance(bulk, ExtBot):
        await bulk.shutdown()


@command()
async def on_text(turn: Turn) -> None:
    """Plain text: the answer to the question the bot asked last (the feature that asked
    takes it), or else a pointer to /help."""
    if not turn.text:
        await unexpected_message(turn.update, turn.context)
        return
    topic = await questions.typed_topic(turn.app, turn.person)
    take = turn.app.catalog.answers.get(topic) or turn.app.catalog.answers.get(None)
    if take is None:
        await unexpected_message(turn.update, turn.context)
    else:
        await take(turn, turn.text)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: forget every question the bot is waiting on (a loan entry included)."""
    person = await load_person(update, context)
    if person is not None:
        await questions.forget(services(context), person)
    _ = translator(person.language if person else "th")
    await answer(update, _("Cancelled. Nothing was changed."))


async def _language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    person = await load_person(update, context)
    return person.language if person else "th"


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command we do not have."""
    _ = translator(await _language_of(update, context))
    await answer(update, _("I do not know that command. Type /help to see what you can do."))


async def unexpected_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text, files or stickers when nothing was asked for."""
    _ = translator(await _language_of(update, context))
    await answer(
        update,
        _(
            "I could not tell what this message is for. Please use the buttons under my messages, "
            "or type /help to see what you can do."
        ),
    )


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button whose data no handler recognises (old, or forged)."""
    _ = translator(await _language_of(update, context))
    if update.callback_query is not None:
        await update.callback_query.answer(
            _("This button is no longer valid. Please type the command again."), show_alert=True
        )


async def group_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Commands typed in a group: the bot works one to one, so say so."""
    _ = translator(await _language_of(update, context))
    await answer(update, _("Please message me privately: I do not work in group chats."))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every exception (the token is redacted by bot.runtime.logs) and apologise to the person;
    data someone else held too long is no fault: they are asked to try again."""
    busy = context.error is not None and is_busy(context.error)
    if busy:
        log.warning("a request waited too long for data another session held; asked to retry")
    else:
        log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        language = await _language_of(update, context)
    except Exception:  # the database itself may be what failed
        language = "th"
    text = apology(translator(language), busy=busy)
    try:
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # the press may be answered already
                await update.callback_query.answer()
        await update.effective_chat.send_message(text)
    except Exception:  # the apology itself may fail (network, database)
        log.exception("could not tell the person about the error")
