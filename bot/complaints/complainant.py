"""The complaint channel for anyone who writes to the bot, registered or not (measure 1.7).

``/complain`` is a guided conversation (what happened, who, when, where, files), anonymous by
default; the complainant gets a tracking code, and with it alone ``/complaint <code>`` shows
the status and lets them add information.

What is kept, and what never is: the conversation in progress lives in the database under a
keyed hash of the writer's Telegram id made with the day's key (so any bot process can carry
it on), encrypted with a key made from the day's key too, and is erased when sent or
cancelled, or expires; the day's key itself is deleted early the next morning (see
``bot.complaints.keys``). The complaint itself holds no Telegram id, chat, username or name,
and its words are encrypted with the channel's key. Nothing on this path logs an update, an
id or a name: errors are logged by type and place only (see ``confidential``), and the
handlers never raise to the application's error handler, which would log the update.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import traceback
from collections.abc import Callable, Coroutine
from datetime import datetime, time, timedelta
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.common.access import answer, apology, load_person
from bot.common.i18n import Translate, translator
from bot.common.services import Services, services
from bot.complaints.keys import ComplaintKeys, WriterKey, new_code, normalise_code
from bot.complaints.words import outcome_name, status_name, when
from jobs.calendar import OfficeCalendar
from jobs.complaints.ladder import announce_addition, deadlines
from storage import complaints
from storage.complaints import Attachment, Draft, NewComplaint
from storage.db import is_busy
from storage.models import Complaint, ComplaintStatus

log = logging.getLogger(__name__)
CALLBACK = "cm:"
MAX_WHAT, MAX_FIELD, MAX_CONTACT, MAX_ADDITION = 3000, 1000, 300, 3000
MAX_FILES = 10
ADDITION_TIMEOUT = timedelta(minutes=30)
QUESTIONS = ("what", "who", "when", "where")
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def confidential(handler: Handler) -> Handler:
    """Run a handler of the complaint path so that nothing about the writer reaches a log.

    An exception is logged by its type and the code lines it passed through, never its
    message (which may quote a database parameter) nor the update; the person gets the usual
    apology, or (data another session held too long: no fault) is asked to try again, as
    ``bot.app.on_error`` does. ``ApplicationHandlerStop`` passes through: it only ends the
    handling.
    """

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handler(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as error:
            busy = is_busy(error)
            if busy:
                log.warning("complaint handler %s waited too long for data", handler.__name__)
            else:
                frames = "".join(traceback.format_tb(error.__traceback__))
                log.error(
                    "complaint handler %s failed: %s\n%s",
                    handler.__name__,
                    type(error).__name__,
                    frames,
                )
            await _apologise(update, context, busy=busy)

    return wrapper


async def _apologise(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, busy: bool = False
) -> None:
    try:
        _ = translator(await language_of(update, context))
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # the press may be answered already
                await update.callback_query.answer()
        await answer(update, apology(_, busy=busy), acknowledged=True)
    except Exception as error:  # the database or Telegram itself may be what failed
        log.error("complaint apology failed: %s", type(error).__name__)


async def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Thai, unless a registered person chose English (looked up, never stored)."""
    person = await load_person(update, context)
    return person.language if person is not None and person.staff.active else "th"


def keys_of(context: ContextTypes.DEFAULT_TYPE) -> ComplaintKeys | None:
    app = services(context)
    return app.complaint_keys if app.settings.complaints.enabled else None


def keys_or_fail(context: ContextTypes.DEFAULT_TYPE) -> ComplaintKeys:
    """The keys, where a conversation in progress shows the channel is open."""
    keys = keys_of(context)
    if keys is None:
        raise RuntimeError("the complaint channel has no key")
    return keys


def writers(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    session: Session,
    *,
    now: datetime,
    create: bool,
) -> list[WriterKey]:
    """The writer under each live day's key, today's first (made with ``create``)."""
    app, keys, user = services(context), keys_of(context), update.effective_user
    if keys is None or user is None:
        return []
    start = day_window(app, now)
    end = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=start.tzinfo)
    return keys.writer(session, user.id, now=now, day_start=start, day_end=end, create=create)


def today(
    update: Update, context: ContextTypes.DEFAULT_TYPE, session: Session, now: datetime
) -> WriterKey:
    """The writer under today's key (made if need be), and any conversation of theirs under
    another day's key forgotten: a new conversation replaces it."""
    found = writers(update, context, session, now=now, create=True)
    for other in found[1:]:
        complaints.drop_draft(session, other.tag)
    return found[0]


def buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def clean_block(text: str | None) -> str:
    """Free text as written, line breaks kept; no control or invisible characters."""
    kept = "".join(
        ch if ch == "\n" or (ch.isprintable() and ch not in "\u200b\u200e\u200f") else " "
        for ch in (text or "")
    )
    lines = [" ".join(line.split()) for line in kept.split("\n")]
    text = "\n".join(lines).strip()
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


async def not_open(update: Update, _: Translate) -> None:
    await answer(
        update,
        _(
            "The complaint channel is not open in this bot yet. Please contact the office "
            "directly, or tell the system administrator."
        ),
    )


# -- /complain: the guided conversation ------------------------------------------------


@confidential
async def complain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/complain: start a complaint (anyone, registered or not; private chats only)."""
    language, keys, app = await language_of(update, context), keys_of(context), services(context)
    _ = translator(language)
    if keys is None or update.effective_user is None:
        await not_open(update, _)
        return
    now = app.clock()
    limit = app.settings.complaints.throttle.complaints_per_day

    def begin(session: Session) -> int:
        writer = today(update, context, session, now)
        filed = complaints.hits(session, writer.tag, "file", window_start=day_window(app, now))
        if filed < limit:
            complaints.start_draft(
                session,
                writer.tag,
                writer.cipher,
                kind="complaint",
                step="what",
                data={},
                expires_at=expiry(app, now),
            )
        return filed

    if await app.db.run(begin) >= limit:
        await answer(update, too_many_today(_))
        return
    office = app.settings.office
    await answer(
        update,
        _(
            "Complaint channel against corruption, {office}\n\n"
            "This channel is confidential. Your complaint goes only to the director and the "
            "officers the director has named to follow up complaints, and it is anonymous toward "
            "the office: Telegram lets every bot see who writes to it, but this bot does not keep "
            "your Telegram account, number or name with the complaint, unless you choose to leave "
            "contact details. You will get a tracking code to follow the case.\n\n"
            "If your complaint concerns the director, you may also send it to the Office of the "
            "Permanent Secretary, Ministry of Education, or to the National Anti-Corruption "
            "Commission.\n\n"
            "Your answers are held only until you send or cancel them. Type /cancel at any time "
            "to stop."
        ).format(office=office.name_en if language == "en" else office.name_th),
    )
    await ask(update, "what", _)


def day_window(app: Services, now: datetime) -> datetime:
    local = now.astimezone(app.settings.office.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def hour_window(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def expiry(app: Services, now: datetime) -> datetime:
    span = app.settings.complaints.span("conversation_timeout")
    if span.unit in ("wd", "mo"):
        return now + timedelta(days=1)
    return now + span.as_offset().as_timedelta()


def too_many_today(_: Translate) -> str:
    return _(
        "You have already sent the most complaints allowed in one day from this account. Please "
        "try again tomorrow, or add information to a complaint you sent with its tracking code."
    )


async def ask(update: Update, step: str, _: Translate) -> None:
    """The question of ``step``, with its buttons."""
    skip = [[(_("Skip"), f"{CALLBACK}skip")]]
    questions: dict[str, tuple[str, list[list[tuple[str, str]]]]] = {
        "what": (
            _(
                "1/4 What happened? Please describe what the official did or asked for (for "
                "example, money or a gift in return for a service), as precisely as you can."
            ),
            [],
        ),
        "who": (
            _(
                "2/4 Who was involved? A name, a position or a work group, as far as you know. "
                'If you do not know, press "Skip".'
            ),
            skip,
        ),
        "when": (
            _(
                '3/4 When did it happen? A date or a period, e.g. "early March 2568". Or press '
                '"Skip".'
            ),
            skip,
        ),
        "where": (
            _(
                "4/4 Where did it happen? e.g. at the office, at a school, by telephone. Or "
                'press "Skip".'
            ),
            skip,
        ),
        "files": (
            _(
                "If you have evidence, such as photos or documents, send them now (up to {limit} "
                'files). When you have finished, or if you have none, press "Continue".'
            ).format(limit=MAX_FILES)
            + "\n\n"
            + file_warning(_),
            [[(_("Continue"), f"{CALLBACK}next")]],
        ),
        "contact": (
            _(
                "Do you wish to leave contact details for the office? Your complaint is anonymous "
                "unless you do. If you leave them, the director and the handlers will see them "
                "and may contact you."
            ),
            [
                [(_("Stay anonymous"), f"{CALLBACK}anon")],
                [(_("Leave contact details"), f"{CALLBACK}contact")],
            ],
        ),
        "contact_text": (
            _(
                "Please type how the office may contact you: a name, a telephone number or an "
                "e-mail address."
            ),
            [],
        ),
        "notify": (
            _(
                "Do you want the bot to tell you in this chat when your complaint is acknowledged "
                "and when it has an outcome?\n\n"
                'If you choose "No", nothing that could identify this chat is kept: you check the '
                "status yourself with your tracking code.\n"
                'If you choose "Yes", the number of this chat is kept encrypted, readable by no '
                "person through the bot, only to send you those two messages, and it is erased "
                "when the case is closed."
            ),
            [
                [(_("No, I will check with my code"), f"{CALLBACK}quiet")],
                [(_("Yes, tell me here"), f"{CALLBACK}notify")],
            ],
        ),
    }
    text, rows = questions[step]
    await answer(update, text, reply_markup=buttons(rows) if rows else None)


def file_warning(_: Translate) -> str:
    """Said before any file is sent: a file goes to the office as it is."""
    return _(
        "Before you send a file: its name and its content reach the director and the "
        "handlers exactly as they are, and the bot cannot remove anything from them. A file "
        "name, the author written inside a document, or the details of a photo may show who "
        "you are. If that matters, rename the file, or send a screenshot of it instead."
    )


async def show_summary(update: Update, data: dict[str, Any], _: Translate) -> None:
    """Everything the complaint will say, before it is sent."""
    lines = [
        _("Please check your complaint before sending it:"),
        "",
        _("What happened: {text}").format(text=data.get("what") or "-"),
        _("Who: {text}").format(text=data.get("who") or "-"),
        _("When: {text}").format(text=data.get("when") or "-"),
        _("Where: {text}").format(text=data.get("where") or "-"),
        _("Files: {count}").format(count=len(data.get("files", []))),
        _("Contact details for the office: {text}").format(
            text=data.get("contact") or _("none (anonymous)")
        ),
        _("Tell me of progress in this chat: {answer}").format(
            answer=_("yes") if data.get("notify") else _("no")
        ),
    ]
    rows = [[(_("Send the complaint"), f"{CALLBACK}send")], [(_("Cancel"), f"{CALLBACK}cancel")]]
    await answer(update, "\n".join(lines), reply_markup=buttons(rows))


NEXT_STEP = {
    "what": "who",
    "who": "when",
    "when": "where",
    "where": "files",
    "files": "contact",
    "contact_text": "notify",
}
LIMITS = {"what": MAX_WHAT, "who": MAX_FIELD, "when": MAX_FIELD, "where": MAX_FIELD}


async def change_draft(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    writer: WriterKey,
    change: Callable[[Draft], tuple[str, dict[str, Any]] | None],
) -> Draft | None:
    """Apply ``change`` (the next step and data, or None for "no change") to the writer's
    conversation, again if another update saved first; return the draft as saved."""
    app = services(context)
    for _attempt in range(5):
        work = functools.partial(_change_once, app, writer, change, app.clock())
        settled, found = await app.db.run(work)
        if settled:
            return found
    return None


def _change_once(
    app: Services,
    writer: WriterKey,
    change: Callable[[Draft], tuple[str, dict[str, Any]] | None],
    now: datetime,
    session: Session,
) -> tuple[bool, Draft | None]:
    """One try of ``change_draft``: whether it is settled, and the draft as it then is."""
    found = complaints.draft(session, writer.tag, writer.cipher, now=now)
    if found is None:
        return True, None
    changed = change(found)
    if changed is None:
        return True, found
    step, data = changed
    if complaints.save_draft(
        session, found, writer.cipher, step=step, data=data, expires_at=expiry(app, now)
    ):
        found.step, found.data = step, data
        return True, found
    return False, None  # another update saved first: try again


async def on_answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, writer: WriterKey
) -> None:
    """A message while filing: the answer to the question asked, or a file."""
    _ = translator(await language_of(update, context))
    message = update.effective_message
    assert message is not None
    attachment = attachment_of(message)
    if attachment is not None:
        await add_file(update, context, writer, attachment, _)
    text = clean_block(message.text if attachment is None else message.caption)
    if attachment is not None and (not text or draft.step not in LIMITS):
        return
    if draft.step in LIMITS or draft.step == "contact_text":
        await answer_question(update, context, draft, writer, text, _)
    elif draft.step == "files":
        await answer(update, _('Please send photos or documents, or press "Continue".'))
    else:
        await answer(update, _("Please answer with the buttons above, or type /cancel to stop."))


async def answer_question(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    draft: Draft,
    writer: WriterKey,
    text: str,
    _: Translate,
) -> None:
    step = draft.step
    limit = LIMITS.get(step, MAX_CONTACT)
    if not text:
        await answer(update, _("Please type your answer as text (it cannot be empty)."))
        return
    if len(text) > limit:
        await answer(
            update,
            _(
                "This is too long: please shorten it to at most {limit} characters (it has "
                "{length}). Nothing was kept; you may send the rest afterwards with your "
                "tracking code."
            ).format(limit=limit, length=len(text)),
        )
        return
    key = "contact" if step == "contact_text" else step

    def fill(found: Draft) -> tuple[str, dict[str, Any]] | None:
        if found.step != step:
            return None
        return NEXT_STEP[step], {**found.data, key: text}

    saved = await change_draft(update, context, writer, fill)
    if saved is not None and saved.step != step:
        await ask(update, saved.step, _)


def attachment_of(message: Message) -> Attachment | None:
    """The file a message carries, as Telegram's file id (which names no person)."""
    if message.document is not None:
        name = clean_block(message.document.file_name or "")[:200] or "document"
        return Attachment(message.document.file_id, name, "document")
    if message.photo:
        return Attachment(message.photo[-1].file_id, "photo.jpg", "photo")
    if message.video is not None:
        name = clean_block(message.video.file_name or "")[:200] or "video.mp4"
        return Attachment(message.video.file_id, name, "video")
    return None


async def add_file(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    writer: WriterKey,
    attachment: Attachment,
    _: Translate,
) -> None:
    def attach(found: Draft) -> tuple[str, dict[str, Any]] | None:
        files = list(found.data.get("files", []))
        if len(files) >= MAX_FILES:
            return None
        return found.step, {**found.data, "files": [*files, attachment.as_json()]}

    saved = await change_draft(update, context, writer, attach)
    count = len(saved.data.get("files", [])) if saved else 0
    if saved is None or not any(f["file_id"] == attachment.file_id for f in saved.data["files"]):
        await answer(
            update,
            _("You have already sent {limit} files, the most one complaint takes.").format(
                limit=MAX_FILES
            ),
        )
        return
    await answer(update, _("File received ({count} so far).").format(count=count))


@confidential
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of the complaint conversation (``cm:<action>``)."""
    query, keys = update.callback_query, keys_of(context)
    if query is None:
        return
    _ = translator(await language_of(update, context))
    action = (query.data or "").removeprefix(CALLBACK)
    if keys is None or update.effective_user is None:
        await not_open(update, _)
        return
    if action.startswith("add:"):
        await start_addition(update, context, keys, action.removeprefix("add:"), _)
        return
    current = await current_draft(update, context)
    if current is None or not await press(update, context, current[0], current[1], action, _):
        await query.answer(
            _("This button is no longer valid. Please type the command again."), show_alert=True
        )
        return
    await forget_buttons(query.message)


async def forget_buttons(message: object) -> None:
    """Take the buttons off a message once one was pressed (stale presses change nothing)."""
    if isinstance(message, Message) and message.reply_markup is not None:
        with contextlib.suppress(TelegramError):  # already edited, or too old: harmless
            await message.edit_reply_markup(None)


CHOICES: dict[str, tuple[str, str, dict[str, Any]]] = {
    # action: (the step it answers, the step after it, what it records)
    "next": ("files", "contact", {}),
    "anon": ("contact", "notify", {"contact": None}),
    "contact": ("contact", "contact_text", {}),
    "quiet": ("notify", "confirm", {"notify": False}),
    "notify": ("notify", "confirm", {"notify": True}),
}


async def press(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    found: Draft,
    writer: WriterKey,
    action: str,
    _: Translate,
) -> bool:
    """Act on a pressed button; False when it does not fit where the conversation is."""
    if found.kind == "addition" and action == "end":
        await end_addition(update, context, writer, _)
        return True
    if found.kind != "complaint":
        return False
    if action == "skip" and found.step in ("who", "when", "where"):
        choice = (found.step, NEXT_STEP[found.step], {found.step: None})
    elif action in CHOICES and CHOICES[action][0] == found.step:
        choice = CHOICES[action]
    elif action in ("send", "cancel") and found.step == "confirm":
        await (
            submit(update, context, writer, _)
            if action == "send"
            else cancel_draft(update, context, writer, _)
        )
        return True
    else:
        return False
    step, following, values = choice

    def record(current: Draft) -> tuple[str, dict[str, Any]] | None:
        return None if current.step != step else (following, {**current.data, **values})

    saved = await change_draft(update, context, writer, record)
    if saved is None or saved.step != following:
        return False
    if following == "confirm":
        await show_summary(update, saved.data, _)
    else:
        await ask(update, following, _)
    return True


async def cancel_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE, writer: WriterKey, _: Translate
) -> None:
    await services(context).db.run(lambda s: complaints.drop_draft(s, writer.tag))
    await answer(update, _("Cancelled. What you wrote has been deleted; nothing was sent."))


async def submit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, writer: WriterKey, _: Translate
) -> None:
    """Send the complaint: one transaction records it, counts it against the day's limit and
    erases the conversation; the writer gets the tracking code, shown this once."""
    app, keys, chat = services(context), keys_of(context), update.effective_chat
    assert keys is not None and chat is not None
    now, language = app.clock(), await language_of(update, context)
    calendar = OfficeCalendar.from_office(app.settings.office)
    acknowledge_by, result_by = deadlines(now, app.settings.complaints, calendar)
    limit = app.settings.complaints.throttle.complaints_per_day
    code = new_code()

    def send(session: Session) -> tuple[bool, Complaint | None]:
        """Whether there was a complaint to send, and the complaint filed (None: over the
        day's limit)."""
        found = complaints.draft(session, writer.tag, writer.cipher, now=now)
        if found is None or found.step != "confirm":
            return False, None
        counted = today(update, context, session, now).tag  # a draft begun yesterday counts today
        filed = None
        if (
            complaints.count_hit(session, counted, "file", window_start=day_window(app, now))
            <= limit
        ):
            data = found.data
            filed = complaints.file(
                session,
                NewComplaint(
                    code_hash=keys.code_hash(session, normalise_code(code) or ""),
                    what=str(data["what"]),
                    who=data.get("who"),
                    occurred=data.get("when"),
                    place=data.get("where"),
                    contact=data.get("contact"),
                    notify_token=(
                        keys.seal_contact(chat.id, language) if data.get("notify") else None
                    ),
                    acknowledge_by=acknowledge_by,
                    result_by=result_by,
                    attachments=[Attachment.from_json(f) for f in data.get("files", [])],
                ),
                keys,
                now=now,
            )
        complaints.drop_draft(session, writer.tag)
        return True, filed

    sent, filed = await app.db.run(send)
    if not sent:
        return
    if filed is None:
        await answer(update, too_many_today(_))
        return
    log.info("complaint %s filed", filed.id)  # its number only: never who filed it
    app.wake()
    zone = app.settings.office.zone
    await answer(
        update,
        _(
            "Your complaint has been received. Your tracking code is:\n\n{code}\n\n"
            "Please write it down and keep it safe. It is shown only this once and the office "
            "cannot look it up for you: it keeps only a fingerprint of it. Anyone who has the "
            "code can see the status and add information, so do not share it.\n\n"
            "To check the status or add information at any time, type /complaint {code}\n\n"
            "The office will acknowledge your complaint by {acknowledge_by} and give an outcome "
            "by {result_by}."
        ).format(
            code=code,
            acknowledge_by=when(acknowledge_by, language, zone),
            result_by=when(result_by, language, zone),
        ),
    )


# -- /complaint <code>: the status, and more information -------------------------------


@confidential
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/complaint <tracking code>: what has become of a complaint (no registration needed)."""
    _, keys = translator(await language_of(update, context)), keys_of(context)
    if keys is None or update.effective_user is None:
        await not_open(update, _)
        return
    typed = " ".join(context.args or [])
    if not typed.strip():
        await answer(
            update,
            _("Please type /complaint followed by your tracking code, e.g. /complaint 7K3M-9QXA"),
        )
        return
    complaint_id = await check_code(update, context, keys, typed, _)
    if complaint_id is not None:
        await show_status(update, context, complaint_id, typed, _)


async def check_code(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    keys: ComplaintKeys,
    typed: str,
    _: Translate,
) -> int | None:
    """The complaint behind a typed code; a wrong one counts against the writer's hourly
    limit, and past the limit no code is even looked at."""
    app = services(context)
    now, code = app.clock(), normalise_code(typed)
    limit = app.settings.complaints.throttle.wrong_codes_per_hour

    def look(session: Session) -> tuple[Complaint | None, int]:
        tag = today(update, context, session, now).tag
        wrong = complaints.hits(session, tag, "code", window_start=hour_window(now))
        found = (
            complaints.by_code_hash(session, keys.code_hash(session, code))
            if code and wrong < limit
            else None
        )
        if found is None and wrong < limit:
            wrong = complaints.count_hit(session, tag, "code", window_start=hour_window(now))
        return found, wrong

    found, wrong = await app.db.run(look)
    if found is not None:
        return found.id
    if wrong >= limit:
        retry = hour_window(now) + timedelta(hours=1)
        await answer(
            update,
            _(
                "Too many wrong tracking codes from this account. For the safety of every "
                "complainant, please try again after {time}."
            ).format(
                time=when(retry, await language_of(update, context), app.settings.office.zone)
            ),
        )
    else:
        await answer(
            update,
            _(
                "No complaint has this tracking code. Please check it and type it again, e.g. "
                "/complaint 7K3M-9QXA (the letters O and I are read as the digits 0 and 1)."
            ),
        )
    return None


async def show_status(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    complaint_id: int,
    typed: str,
    _: Translate,
) -> None:
    app = services(context)
    language, zone = await language_of(update, context), app.settings.office.zone
    complaint = await app.db.run(lambda s: complaints.by_id(s, complaint_id))
    keys = keys_of(context)
    if complaint is None or keys is None:
        return
    answer_text = complaints.content(complaint, keys).outcome_text
    lines = [
        _("Your complaint"),
        _("Received: {date}").format(date=when(complaint.filed_at, language, zone)),
        _("Status: {status}").format(status=status_name(complaint.status, _)),
    ]
    if complaint.acknowledged_at is not None:
        lines.append(
            _("Acknowledged: {date}").format(date=when(complaint.acknowledged_at, language, zone))
        )
    else:
        lines.append(
            _("To be acknowledged by: {date}").format(
                date=when(complaint.acknowledge_by, language, zone)
            )
        )
    if complaint.status == ComplaintStatus.CLOSED.value:
        lines += [
            _("Closed: {date}").format(date=when(complaint.closed_at, language, zone)),
            _("Outcome: {outcome}").format(outcome=outcome_name(complaint.outcome, _)),
        ]
        if answer_text:
            lines += ["", _("The office's answer:"), answer_text]
        elif complaint.erased_at is not None:
            lines.append(_("The details were erased after the retention period."))
        await answer(update, "\n".join(lines))
        return
    lines.append(
        _("Outcome expected by: {date}").format(date=when(complaint.result_by, language, zone))
    )
    code = normalise_code(typed) or ""
    rows = [[(_("Add information"), f"{CALLBACK}add:{code}")]]
    await answer(update, "\n".join(lines), reply_markup=buttons(rows))


async def start_addition(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    keys: ComplaintKeys,
    typed: str,
    _: Translate,
) -> None:
    """ "Add information": the code is checked again (it travels in the button, which only
    its owner's chat has); the next messages are added until "Finished".

    The conversation holds the complaint's number encrypted with a key made from the day's
    key, under the writer's tag for the day: both are gone once it ends ("Finished", or
    ``ADDITION_TIMEOUT`` idle) and, for good, with the day's key."""
    complaint_id = await check_code(update, context, keys, typed, _)
    if complaint_id is None:
        return
    app = services(context)
    now = app.clock()

    def begin(session: Session) -> bool:
        """Whether the complaint is still open (and the addition begun)."""
        complaint = complaints.by_id(session, complaint_id)
        if complaint is None or complaint.status == ComplaintStatus.CLOSED.value:
            return False
        writer = today(update, context, session, now)
        complaints.start_draft(
            session,
            writer.tag,
            writer.cipher,
            kind="addition",
            step="add",
            data={"complaint_id": complaint_id, "started": now.isoformat()},
            expires_at=now + ADDITION_TIMEOUT,
        )
        return True

    if not await app.db.run(begin):
        await answer(update, _("This complaint is closed: nothing more can be added to it."))
        return
    await answer(
        update,
        _(
            "Please type the information you wish to add, or send photos or documents. "
            'Press "Finished" when you are done.'
        )
        + "\n\n"
        + file_warning(_),
        reply_markup=buttons([[(_("Finished"), f"{CALLBACK}end")]]),
    )


async def on_addition(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, writer: WriterKey
) -> None:
    """A message while adding information: kept with the complaint at once."""
    _ = translator(await language_of(update, context))
    message, app = update.effective_message, services(context)
    assert message is not None
    attachment = attachment_of(message)
    text = clean_block(message.text if attachment is None else message.caption) or None
    if attachment is None and text is None:
        await answer(
            update, _("Please type the information as text, or send a photo or a document.")
        )
        return
    if text is not None and len(text) > MAX_ADDITION:
        await answer(
            update,
            _(
                "This is too long: please send it in parts of at most {limit} characters (it has "
                "{length}). Nothing was added."
            ).format(limit=MAX_ADDITION, length=len(text)),
        )
        return
    now = app.clock()
    calendar = OfficeCalendar.from_office(app.settings.office)
    complaint_id, keys = int(draft.data["complaint_id"]), keys_or_fail(context)

    def add(session: Session) -> bool:
        """Whether it was added (the complaint still open)."""
        added = complaints.add_information(
            session, complaint_id, keys, now=now, text=text, attachment=attachment
        )
        if added is not None:
            announce_addition(session, complaint_id, str(draft.data.get("started")), now, calendar)
        else:
            complaints.drop_draft(session, writer.tag)
        return added is not None

    if not await app.db.run(add):
        await answer(update, _("This complaint is closed: nothing more can be added to it."))
        return
    app.wake()
    await answer(
        update,
        _('Added to your complaint. Send more, or press "Finished".'),
        reply_markup=buttons([[(_("Finished"), f"{CALLBACK}end")]]),
    )


async def end_addition(
    update: Update, context: ContextTypes.DEFAULT_TYPE, writer: WriterKey, _: Translate
) -> None:
    await services(context).db.run(lambda s: complaints.drop_draft(s, writer.tag))
    await answer(
        update,
        _("Thank you. The officers following up your complaint have been told of what you added."),
    )


# -- the conversation's entry points (handler group -1, before everything else) --------

OnDraft = Callable[[Update, ContextTypes.DEFAULT_TYPE, Draft, WriterKey], Coroutine[Any, Any, None]]
KINDS: dict[str, OnDraft] = {"complaint": on_answer, "addition": on_addition}


async def current_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Draft, WriterKey] | None:
    """The writer's conversation in progress, under today's key or (just after midnight)
    yesterday's; never makes a key."""
    if keys_of(context) is None or update.effective_user is None:
        return None
    app = services(context)
    now = app.clock()

    def look(session: Session) -> tuple[Draft, WriterKey] | None:
        for writer in writers(update, context, session, now=now, create=False):
            found = complaints.draft(session, writer.tag, writer.cipher, now=now)
            if found is not None:
                return found, writer
        return None

    return await app.db.run(look)


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any private message: the next step of a conversation in progress, or (with none)
    left to the other handlers."""
    try:
        current = await current_draft(update, context)
    except Exception as error:
        log.error("complaint conversation lookup failed: %s", type(error).__name__)
        return
    if current is None:
        return
    draft, writer = current
    handler = KINDS.get(draft.kind) or EXTRA_KINDS.get(draft.kind)
    if handler is not None:
        await confidential(_bind(handler, draft, writer))(update, context)
    raise ApplicationHandlerStop


EXTRA_KINDS: dict[str, OnDraft] = {}
"""Conversations of the handlers' side (a note, an outcome), registered by handling.py."""


def _bind(handler: OnDraft, draft: Draft, writer: WriterKey) -> Handler:
    async def bound(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await handler(update, context, draft, writer)

    bound.__name__ = getattr(handler, "__name__", "conversation")
    return bound


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel during a complaint conversation: erase it (otherwise the usual /cancel)."""
    try:
        current = await current_draft(update, context)
    except Exception as error:
        log.error("complaint conversation lookup failed: %s", type(error).__name__)
        return
    if current is None:
        return

    async def drop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await cancel_draft(
            update, context, current[1], translator(await language_of(update, context))
        )

    await confidential(drop)(update, context)
    raise ApplicationHandlerStop
