"""``build_application``: the one place that wires every handler to the Application."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
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

from bot.common import i18n, menus, power, questions
from bot.common.access import answer, apology, load_person, registered
from bot.common.i18n import translator
from bot.common.services import SERVICES_KEY, Services, services, services_of
from bot.complaints import complainant as complain
from bot.complaints import handling as complaints
from bot.complaints.keys import keys_or_none
from bot.complaints.sender import ComplainantSender
from bot.duties import handlers as duties
from bot.duties.handlers import DONE_CALLBACK, ESCALATION_CALLBACK, SNOOZE_CALLBACK
from bot.features import CATALOG, render
from bot.loans import drafts, maintenance
from bot.loans import handover as loans
from bot.loans import returns as loan_return
from bot.office import calendar as calendar_admin
from bot.office import registration
from bot.office import staff as staff_admin
from bot.oversight import handlers as oversight
from bot.oversight import reports
from bot.runtime import logs
from bot.runtime.sender import TelegramSender
from bot.runtime.transport import AiohttpRequest
from jobs.engine import Engine
from storage.db import is_busy
from storage.people import Person

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
    services: Services, token: str, *, with_engine: bool = True
) -> AnyApplication:
    """The real python-telegram-bot Application, talking to ``[telegram] base_url``.

    ``with_engine`` starts the reminder engine with the application (tests of other
    behaviour may leave it off, so that no reminder interleaves with what they check).
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
    services.catalog = CATALOG
    application.bot_data[SERVICES_KEY] = services
    application.bot_data[ENGINE_WANTED] = with_engine
    if services.complaint_keys is None:  # `run` has refused already if the channel has no key
        services.complaint_keys = keys_or_none(services.settings.complaints)
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
        "done": duties.done_command,
        "mine": duties.mine,
        "status": oversight.status,
        "history": oversight.history,
        "closeday": calendar_admin.close_day,
        "meeting": calendar_admin.move_meeting,
        "oneoff": calendar_admin.one_off,
        "leave": calendar_admin.leave,
        "acting": calendar_admin.acting,
        "digest": reports.digest,
        "export": reports.export,
        "loan": loans.loan_command,
        "return": loan_return.return_command,
        "loans": loans.loans_command,
        "cancel_loan": loans.cancel_loan_command,
        "myloans": loans.my_loans,
        "announce_maintenance": maintenance.announce_command,
        "cancel": cancel,
        "complain": complain.complain,
        "complaint": complain.status,
        "complaints": complaints.list_complaints,
        "handlers": complaints.handlers_command,
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
    application.add_handler(CallbackQueryHandler(duties.done_button, pattern=f"^{DONE_CALLBACK}"))
    application.add_handler(
        CallbackQueryHandler(duties.escalation_button, pattern=f"^{ESCALATION_CALLBACK}")
    )
    buttons = {
        SNOOZE_CALLBACK: duties.snooze_button,
        oversight.STATUS_CALLBACK: oversight.status_button,
        oversight.PAPER_CALLBACK: oversight.paper_button,
        calendar_admin.CONFIRM_CALLBACK: calendar_admin.confirm_change,
        loans.LOAN_CALLBACK: loans.loan_button,
        loans.RECEIVED_CALLBACK: loans.received_button,
        loans.WITHDRAW_CALLBACK: loans.withdraw_button,
        loan_return.RETURN_CALLBACK: loan_return.return_button,
        maintenance.MAINTENANCE_CALLBACK: maintenance.announce_button,
        complain.CALLBACK: complain.on_button,
        complaints.CALLBACK: complaints.on_button,
        complaints.HANDLERS_CALLBACK: complaints.remove_handler_button,
        power.CALLBACK: power.decide_button,
    }
    for prefix, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}"))
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(PRIVATE & (filters.Document.ALL | filters.PHOTO), duties.evidence)
    )
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, unexpected_message))
    application.add_handler(MessageHandler(~PRIVATE & filters.COMMAND, group_chat))
    application.add_error_handler(on_error)
    # a complaint conversation in progress takes its messages (and /cancel) before anything
    # else; with none, they go on to the handlers above (group 0)
    conversation = PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(
        MessageHandler(conversation & ~filters.COMMAND, complain.on_message), group=-1
    )
    application.add_handler(
        CommandHandler("cancel", complain.on_cancel, filters=conversation), group=-1
    )


ENGINE_WANTED = "engine-wanted"


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
            TelegramSender(bulk, services.settings.office.zone, render),
            services.db,
            services.complaint_keys,
        )
        services.engine = Engine(services.db, services.settings, sender, services.clock)
        services.engine.start()
    # What start-up made stays for good: the garbage collector stops walking it, so a full
    # collection no longer holds the event loop for a tenth of a second
    gc.freeze()


BULK_BOT = "bulk-bot"


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
    if services.engine is not None:
        await services.engine.stop()
        services.engine = None
    bulk = application.bot_data.pop(BULK_BOT, None)
    if isinstance(bulk, ExtBot):
        await bulk.shutdown()


@registered
async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person) -> None:
    """Plain text: the answer to a question the bot asked, or else a pointer to /help."""
    message = update.effective_message
    text = message.text if message is not None else None
    if not text:
        await unexpected_message(update, context)
        return
    topic = await questions.typed_topic(services(context), person)
    if topic == questions.EXCUSE_REASON:
        await duties.excuse_reason(update, context, person, text)
    elif topic == questions.PAPER_DATE:
        await oversight.paper_date(update, context, person, text)
    elif not await drafts.on_text(update, context, person, text):
        await unexpected_message(update, context)


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
