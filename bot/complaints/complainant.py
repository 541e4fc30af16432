"""The complaint channel for anyone who writes to the bot, registered or not (measure 1.7).

``/complain`` is a guided conversation (what happened, who, when, where, files), anonymous by
default; the complainant gets a tracking code, and with it alone ``/complaint <code>`` shows
the status and lets them add information.

What is kept, and what never is: the conversation in progress lives in the database under a
keyed hash of the writer's Telegram id made with the day's key (so any bot process can carry
it on), encrypted with a key made from the day's key too, and is erased when sent or
cancelled, or expires; the day's key itself is deleted early the next morning (see
``bot.runtime.complaint_keys``). The complaint itself holds no Telegram id, chat, username or name,
and its words are encrypted with the channel's key. Nothing on this path logs an update, an
id or a name: errors are logged by type and place only (see ``confidential``), and the
handlers never raise to the application's error handler, which would log the update.

The handlers here are for anyone, so they do not go through the kit's ``@command`` (which
asks for a registration): ``@anyone`` and ``@anyone_button`` hand them a ``Visit`` instead.
Button data is ``cm:<action>`` or ``cm:add:<tracking code>`` (``CONVERSATION``).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from sqlmodel import Session
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.common import kit
from bot.common.access import answer, apology, load_person
from bot.common.callbacks import Callback, choices
from bot.common.i18n import N_, Translate, translator
from bot.common.services import Services, services
from bot.complaints.words import outcome_name, status_name, when
from bot.runtime.complaint_keys import ComplaintKeys, WriterKey, new_code, normalise_code
from jobs.calendar import OfficeCalendar
from jobs.complaints.ladder import announce_addition, deadlines
from storage import complaints
from storage.complaints import Attachment, Draft, NewComplaint
from storage.db import is_busy
from storage.models import Complaint, ComplaintStatus
from storage.people import Person

log = logging.getLogger(__name__)
MAX_WHAT, MAX_FIELD, MAX_CONTACT, MAX_ADDITION = 3000, 1000, 300, 3000
MAX_FILES = 10
ADDITION_TIMEOUT = timedelta(minutes=30)
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]
Rows = list[list[tuple[str, str]]]  # rows of (label, callback data)
T = TypeVar("T")
V = TypeVar("V")


# -- the conversation's buttons -------------------------------------------------------------

ADD = "add"


@dataclass(frozen=True)
class ConversationButton(Callback[tuple[str, str]]):
    """``cm:<action>`` (one of ``choices``): ``(action, "")``; or ``cm:add:<tracking code>``,
    the code exactly as ``normalise_code`` writes it (eight characters of its alphabet, no
    dash): ``("add", code)``."""

    choices: frozenset[str] = frozenset()

    def __call__(self, action: str, code: str = "") -> str:
        return self._join(action, code) if action == ADD else self._join(action)

    def _read(self, parts: list[str]) -> tuple[str, str] | None:
        if len(parts) == 1 and parts[0] in self.choices:
            return parts[0], ""
        if len(parts) == 2 and parts[0] == ADD and normalise_code(parts[1]) == parts[1]:
            return ADD, parts[1]
        return None


CONVERSATION = ConversationButton(
    "cm:",
    choices("skip", "next", "anon", "contact", "quiet", "notify", "send", "cancel", "end"),
)


def buttons(rows: Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def choice_buttons(rows: Rows, _: Translate) -> InlineKeyboardMarkup | None:
    """Buttons of the conversation from (label to translate, action) rows; None for none."""
    if not rows:
        return None
    return buttons([[(_(label), CONVERSATION(action)) for label, action in row] for row in rows])


async def forget_buttons(query: CallbackQuery | None) -> None:
    """Take the buttons off a pressed message (stale presses then change nothing)."""
    message = query.message if query is not None else None
    if isinstance(message, Message) and message.reply_markup is not None:
        with contextlib.suppress(TelegramError):  # already edited, or too old: harmless
            await message.edit_reply_markup(None)


# -- nothing about the writer reaches a log --------------------------------------------------


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
            _log_failure(handler.__name__, error, busy=busy)
            await _apologise(update, context, busy=busy)

    return wrapper


def _log_failure(name: str, error: Exception, *, busy: bool) -> None:
    if busy:
        log.warning("complaint handler %s waited too long for data", name)
        return
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("complaint handler %s failed: %s\n%s", name, type(error).__name__, frames)


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


def language(person: Person | None) -> str:
    """Thai, unless a registered, active person chose English."""
    return person.language if person is not None and person.staff.active else "th"


async def language_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language to answer in (looked up, never stored)."""
    return language(await load_person(update, context))


def keys_of(context: ContextTypes.DEFAULT_TYPE) -> ComplaintKeys | None:
    app = services(context)
    return app.complaint_keys if app.settings.complaints.enabled else None


def keys_or_fail(context: ContextTypes.DEFAULT_TYPE) -> ComplaintKeys:
    """The keys, where a conversation in progress shows the channel is open."""
    keys = keys_of(context)
    if keys is None:
        raise RuntimeError("the complaint channel has no key")
    return keys


def not_open(_: Translate) -> str:
    return _(
        "The complaint channel is not open in this bot yet. Please contact the office "
        "directly, or tell the system administrator."
    )


# -- the writer: a keyed hash of their id under the day's key, never the id -----------------


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


async def current_draft(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Draft, WriterKey] | None:
    """The writer's conversation in progress, under today's key or (just after midnight)
    yesterday's; never makes a key."""
    if keys_of(context) is None or update.effective_user is None:
        return None
    db, now = services(context).db, services(context).clock()

    def look(session: Session) -> tuple[Draft, WriterKey] | None:
        for writer in writers(update, context, session, now=now, create=False):
            found = complaints.draft(session, writer.tag, writer.cipher, now=now)
            if found is not None:
                return found, writer
        return None

    return await db.run(look)


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


# -- a visit: one update on the complaint path, from anyone ----------------------------------


@dataclass(slots=True)
class Visit(kit.Visit):
    """One update from anyone, registered or not (the kit's ``Turn`` asks for a registration),
    with the channel's keys. ``person`` is whoever the sender is registered as, if anyone:
    looked up for the language (and, on the handlers' side, their right to see complaints),
    never stored with a complaint."""

    keys: ComplaintKeys
    person: Person | None

    @property
    def language(self) -> str:
        return language(self.person)

    @property
    def message(self) -> Message:
        message = self.update.effective_message
        assert message is not None
        return message

    def writer(self, session: Session, now: datetime) -> WriterKey:
        """The writer under today's key (``today``)."""
        return today(self.update, self.context, session, now)


VisitHandler = Callable[[Visit], Awaitable[None]]


async def visit_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Visit | None:
    """The visit, or None (and the writer told) when the channel is not open."""
    person, keys = await load_person(update, context), keys_of(context)
    _ = translator(language(person))
    if keys is None or update.effective_user is None:
        await answer(update, not_open(_))
        return None
    return Visit(update, context, services(context), _, keys, person)


def anyone(handler: VisitHandler) -> Handler:
    """A handler of the complaint path for anyone, registered or not, kept ``confidential``;
    while the channel is not open, the writer is told so and nothing else happens."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        visit = await visit_of(update, context)
        if visit is not None:
            await handler(visit)

    return confidential(wrapper)


def anyone_button(kind: Callback[V]) -> Callable[[Callable[[Visit, V], Awaitable[None]]], Handler]:
    """As ``anyone``, and the press's data read with ``kind``'s shape (the kit's ``button``):
    data that does not fit is answered as a stale button and goes no further."""

    def decorate(handler: Callable[[Visit, V], Awaitable[None]]) -> Handler:
        @functools.wraps(handler)
        async def wrapper(visit: Visit) -> None:
            value = kind.parse(visit.query.data if visit.query is not None else None)
            if value is None:
                await visit.stale()
                return
            await handler(visit, value)

        return anyone(wrapper)

    return decorate


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


# -- /complain: the guided conversation ------------------------------------------------

START_PAYLOAD = "complain"
"""``/start complain``, what the link ``t.me/<bot>?start=complain`` sends, starts what
``/complain`` starts (``Feature.start_payloads``): the link the office puts on its website.
It is never an invite code, which is ten characters of an alphabet without I, L or O."""


def website_link(bot_username: str) -> str:
    """The link for the office's website that opens the bot straight into a complaint."""
    return f"https://t.me/{bot_username}?start={START_PAYLOAD}"


@anyone
async def complain(visit: Visit) -> None:
    """/complain, or the website's link (``START_PAYLOAD``): start a complaint (anyone,
    registered or not; private chats only)."""
    now = visit.now()
    if not await visit.run(lambda session: begin_complaint(visit, session, now)):
        await visit.answer(too_many_today(visit._))
        return
    await visit.answer(welcome(visit))
    await ask(visit, "what")


def begin_complaint(visit: Visit, session: Session, now: datetime) -> bool:
    """Whether the writer may file one more complaint today (and the conversation is begun)."""
    writer = visit.writer(session, now)
    limit = visit.app.settings.complaints.throttle.complaints_per_day
    window = day_window(visit.app, now)
    if complaints.hits(session, writer.tag, "file", window_start=window) >= limit:
        return False
    complaints.start_draft(
        session,
        writer.tag,
        writer.cipher,
        kind="complaint",
        step="what",
        data={},
        expires_at=expiry(visit.app, now),
    )
    return True


def welcome(visit: Visit) -> str:
    office = visit.app.settings.office
    return visit._(
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
    ).format(office=office.name_en if visit.language == "en" else office.name_th)


def too_many_today(_: Translate) -> str:
    return _(
        "You have already sent the most complaints allowed in one day from this account. Please "
        "try again tomorrow, or add information to a complaint you sent with its tracking code."
    )


SKIP: Rows = [[(N_("Skip"), "skip")]]
QUESTIONS: dict[str, tuple[str, Rows]] = {
    # step: (the question, its buttons as (label, action))
    "what": (
        N_(
            "1/4 What happened? Please describe what the official did or asked for (for "
            "example, money or a gift in return for a service), as precisely as you can."
        ),
        [],
    ),
    "who": (
        N_(
            "2/4 Who was involved? A name, a position or a work group, as far as you know. "
            'If you do not know, press "Skip".'
        ),
        SKIP,
    ),
    "when": (
        N_('3/4 When did it happen? A date or a period, e.g. "early March 2568". Or press "Skip".'),
        SKIP,
    ),
    "where": (
        N_(
            "4/4 Where did it happen? e.g. at the office, at a school, by telephone. Or "
            'press "Skip".'
        ),
        SKIP,
    ),
    "files": (
        N_(
            "If you have evidence, such as photos or documents, send them now (up to {limit} "
            'files). When you have finished, or if you have none, press "Continue".'
        ),
        [[(N_("Continue"), "next")]],
    ),
    "contact": (
        N_(
            "Do you wish to leave contact details for the office? Your complaint is anonymous "
            "unless you do. If you leave them, the director and the handlers will see them "
            "and may contact you."
        ),
        [[(N_("Stay anonymous"), "anon")], [(N_("Leave contact details"), "contact")]],
    ),
    "contact_text": (
        N_(
            "Please type how the office may contact you: a name, a telephone number or an "
            "e-mail address."
        ),
        [],
    ),
    "notify": (
        N_(
            "Do you want the bot to tell you in this chat when your complaint is acknowledged "
            "and when it has an outcome?\n\n"
            'If you choose "No", nothing that could identify this chat is kept: you check the '
            "status yourself with your tracking code.\n"
            'If you choose "Yes", the number of this chat is kept encrypted, readable by no '
            "person through the bot, only to send you those two messages, and it is erased "
            "when the case is closed."
        ),
        [[(N_("No, I will check with my code"), "quiet")], [(N_("Yes, tell me here"), "notify")]],
    ),
}


async def ask(visit: Visit, step: str) -> None:
    """The question of ``step``, with its buttons."""
    question, rows = QUESTIONS[step]
    text = visit._(question)
    if step == "files":
        text = text.format(limit=MAX_FILES) + "\n\n" + file_warning(visit._)
    await visit.answer(text, reply_markup=choice_buttons(rows, visit._))


def file_warning(_: Translate) -> str:
    """Said before any file is sent: a file goes to the office as it is."""
    return _(
        "Before you send a file: its name and its content reach the director and the "
        "handlers exactly as they are, and the bot cannot remove anything from them. A file "
        "name, the author written inside a document, or the details of a photo may show who "
        "you are. If that matters, rename the file, or send a screenshot of it instead."
    )


async def show_summary(visit: Visit, data: dict[str, Any]) -> None:
    """Everything the complaint will say, before it is sent."""
    _ = visit._
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
    rows = [[(N_("Send the complaint"), "send")], [(N_("Cancel"), "cancel")]]
    await visit.answer("\n".join(lines), reply_markup=choice_buttons(rows, _))


NEXT_STEP = {
    "what": "who",
    "who": "when",
    "when": "where",
    "where": "files",
    "files": "contact",
    "contact_text": "notify",
}
LIMITS = {"what": MAX_WHAT, "who": MAX_FIELD, "when": MAX_FIELD, "where": MAX_FIELD}
DraftChange = Callable[[Draft], tuple[str, dict[str, Any]] | None]


async def change_draft(visit: Visit, writer: WriterKey, change: DraftChange) -> Draft | None:
    """Apply ``change`` (the next step and data, or None for "no change") to the writer's
    conversation, again if another update saved first; return the draft as saved."""
    for _attempt in range(5):
        work = functools.partial(_change_once, visit.app, writer, change, visit.now())
        settled, found = await visit.run(work)
        if settled:
            return found
    return None


def _change_once(
    app: Services, writer: WriterKey, change: DraftChange, now: datetime, session: Session
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


async def on_answer(visit: Visit, draft: Draft, writer: WriterKey) -> None:
    """A message while filing: the answer to the question asked, or a file."""
    message, _ = visit.message, visit._
    attachment = attachment_of(message)
    if attachment is not None:
        await add_file(visit, writer, attachment)
    text = clean_block(message.text if attachment is None else message.caption)
    if attachment is not None and (not text or draft.step not in LIMITS):
        return
    if draft.step in LIMITS or draft.step == "contact_text":
        await answer_question(visit, draft, writer, text)
    elif draft.step == "files":
        await visit.answer(_('Please send photos or documents, or press "Continue".'))
    else:
        await visit.answer(_("Please answer with the buttons above, or type /cancel to stop."))


async def answer_question(visit: Visit, draft: Draft, writer: WriterKey, text: str) -> None:
    step = draft.step
    problem = answer_problem(text, LIMITS.get(step, MAX_CONTACT), visit._)
    if problem is not None:
        await visit.answer(problem)
        return
    key = "contact" if step == "contact_text" else step

    def fill(found: Draft) -> tuple[str, dict[str, Any]] | None:
        return None if found.step != step else (NEXT_STEP[step], {**found.data, key: text})

    saved = await change_draft(visit, writer, fill)
    if saved is not None and saved.step != step:
        await ask(visit, saved.step)


def answer_problem(text: str, limit: int, _: Translate) -> str | None:
    """What is wrong with a typed answer, if anything."""
    if not text:
        return _("Please type your answer as text (it cannot be empty).")
    if len(text) > limit:
        return _(
            "This is too long: please shorten it to at most {limit} characters (it has "
            "{length}). Nothing was kept; you may send the rest afterwards with your "
            "tracking code."
        ).format(limit=limit, length=len(text))
    return None


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


async def add_file(visit: Visit, writer: WriterKey, attachment: Attachment) -> None:
    def attach(found: Draft) -> tuple[str, dict[str, Any]] | None:
        files = list(found.data.get("files", []))
        if len(files) >= MAX_FILES:
            return None
        return found.step, {**found.data, "files": [*files, attachment.as_json()]}

    saved = await change_draft(visit, writer, attach)
    files = saved.data.get("files", []) if saved is not None else []
    if not any(f["file_id"] == attachment.file_id for f in files):
        await visit.answer(
            visit._("You have already sent {limit} files, the most one complaint takes.").format(
                limit=MAX_FILES
            )
        )
        return
    await visit.answer(visit._("File received ({count} so far).").format(count=len(files)))


@anyone_button(CONVERSATION)
async def on_button(visit: Visit, pressed: tuple[str, str]) -> None:
    """A button of the complaint conversation (``cm:<action>``, ``cm:add:<code>``)."""
    action, code = pressed
    if action == ADD:
        await start_addition(visit, code)
        return
    current = await current_draft(visit.update, visit.context)
    if current is None or not await press(visit, *current, action):
        await visit.stale()
        return
    await forget_buttons(visit.query)


Choice = tuple[str, str, dict[str, Any]]  # the step it answers, the step after it, what it records
CHOICES: dict[str, Choice] = {
    "next": ("files", "contact", {}),
    "anon": ("contact", "notify", {"contact": None}),
    "contact": ("contact", "contact_text", {}),
    "quiet": ("notify", "confirm", {"notify": False}),
    "notify": ("notify", "confirm", {"notify": True}),
}


async def press(visit: Visit, found: Draft, writer: WriterKey, action: str) -> bool:
    """Act on a pressed button; False when it does not fit where the conversation is."""
    if found.kind == "addition" and action == "end":
        await end_addition(visit, writer)
        return True
    if found.kind != "complaint":
        return False
    if action in ("send", "cancel") and found.step == "confirm":
        await (submit(visit, writer) if action == "send" else cancel_draft(visit, writer))
        return True
    choice = choice_of(found.step, action)
    return choice is not None and await record_choice(visit, writer, choice)


def choice_of(step: str, action: str) -> Choice | None:
    """What pressing ``action`` records where the conversation is at ``step``, if it fits."""
    if action == "skip" and step in ("who", "when", "where"):
        return step, NEXT_STEP[step], {step: None}
    if action in CHOICES and CHOICES[action][0] == step:
        return CHOICES[action]
    return None


async def record_choice(visit: Visit, writer: WriterKey, choice: Choice) -> bool:
    """Record a choice and ask what follows; False when the conversation has moved on."""
    step, following, values = choice

    def record(current: Draft) -> tuple[str, dict[str, Any]] | None:
        return None if current.step != step else (following, {**current.data, **values})

    saved = await change_draft(visit, writer, record)
    if saved is None or saved.step != following:
        return False
    if following == "confirm":
        await show_summary(visit, saved.data)
    else:
        await ask(visit, following)
    return True


async def cancel_draft(visit: Visit, writer: WriterKey) -> None:
    await visit.run(lambda s: complaints.drop_draft(s, writer.tag))
    await visit.answer(visit._("Cancelled. What you wrote has been deleted; nothing was sent."))


Deadlines = tuple[datetime, datetime]  # to be acknowledged by, outcome expected by


async def submit(visit: Visit, writer: WriterKey) -> None:
    """Send the complaint: one transaction records it, counts it against the day's limit and
    erases the conversation; the writer gets the tracking code, shown this once."""
    now, code, settings = visit.now(), new_code(), visit.app.settings
    due = deadlines(now, settings.complaints, OfficeCalendar.from_office(settings.office))
    sent, filed = await visit.run(lambda s: file_draft(visit, s, writer, code, due, now))
    if not sent:
        return
    if filed is None:
        await visit.answer(too_many_today(visit._))
        return
    log.info("complaint %s filed", filed.id)  # its number only: never who filed it
    visit.app.wake()
    await visit.answer(receipt(visit, code, due))


def file_draft(
    visit: Visit, session: Session, writer: WriterKey, code: str, due: Deadlines, now: datetime
) -> tuple[bool, Complaint | None]:
    """Whether there was a complaint to send, and the complaint filed (None: over the day's
    limit); the conversation is erased either way."""
    found = complaints.draft(session, writer.tag, writer.cipher, now=now)
    if found is None or found.step != "confirm":
        return False, None
    counted = visit.writer(session, now).tag  # a draft begun yesterday counts today
    window = day_window(visit.app, now)
    within = (
        complaints.count_hit(session, counted, "file", window_start=window)
        <= visit.app.settings.complaints.throttle.complaints_per_day
    )
    filed = None
    if within:
        new = new_complaint(visit, session, found.data, code, due)
        filed = complaints.file(session, new, visit.keys, now=now)
    complaints.drop_draft(session, writer.tag)
    return True, filed


def new_complaint(
    visit: Visit, session: Session, data: dict[str, Any], code: str, due: Deadlines
) -> NewComplaint:
    """The complaint as stored: the code's fingerprint, never the code; the chat only sealed,
    and only if the complainant asked to be told of progress."""
    keys, chat = visit.keys, visit.update.effective_chat
    assert chat is not None
    return NewComplaint(
        code_hash=keys.code_hash(session, normalise_code(code) or ""),
        what=str(data["what"]),
        who=data.get("who"),
        occurred=data.get("when"),
        place=data.get("where"),
        contact=data.get("contact"),
        notify_token=keys.seal_contact(chat.id, visit.language) if data.get("notify") else None,
        acknowledge_by=due[0],
        result_by=due[1],
        attachments=[Attachment.from_json(f) for f in data.get("files", [])],
    )


def receipt(visit: Visit, code: str, due: Deadlines) -> str:
    return visit._(
        "Your complaint has been received. Your tracking code is:\n\n{code}\n\n"
        "Please write it down and keep it safe. It is shown only this once and the office "
        "cannot look it up for you: it keeps only a fingerprint of it. Anyone who has the "
        "code can see the status and add information, so do not share it.\n\n"
        "To check the status or add information at any time, type /complaint {code}\n\n"
        "The office will acknowledge your complaint by {acknowledge_by} and give an outcome "
        "by {result_by}."
    ).format(
        code=code,
        acknowledge_by=when(due[0], visit.language, visit.zone),
        result_by=when(due[1], visit.language, visit.zone),
    )


# -- /complaint <code>: the status, and more information -------------------------------


@anyone
async def status(visit: Visit) -> None:
    """/complaint <tracking code>: what has become of a complaint (no registration needed)."""
    typed = " ".join(visit.context.args or [])
    if not typed.strip():
        await visit.answer(
            visit._(
                "Please type /complaint followed by your tracking code, e.g. /complaint 7K3M-9QXA"
            )
        )
        return
    found = await check_code(visit, typed)
    if found is not None:
        await show_status(visit, *found)


async def check_code(visit: Visit, typed: str) -> tuple[int, str] | None:
    """The complaint behind a typed code, and the code as a button carries it; a wrong one
    counts against the writer's hourly limit, and past the limit no code is even looked at."""
    now, code = visit.now(), normalise_code(typed)
    found, wrong = await visit.run(lambda session: look_up_code(visit, session, code, now))
    if found is not None and found.id is not None and code is not None:
        return found.id, code
    await visit.answer(wrong_code(visit, wrong, now))
    return None


def look_up_code(
    visit: Visit, session: Session, code: str | None, now: datetime
) -> tuple[Complaint | None, int]:
    """The complaint of ``code`` (unless past the limit), and the wrong codes this hour."""
    tag, window = visit.writer(session, now).tag, hour_window(now)
    wrong = complaints.hits(session, tag, "code", window_start=window)
    if wrong >= visit.app.settings.complaints.throttle.wrong_codes_per_hour:
        return None, wrong
    found = complaints.by_code_hash(session, visit.keys.code_hash(session, code)) if code else None
    if found is None:
        wrong = complaints.count_hit(session, tag, "code", window_start=window)
    return found, wrong


def wrong_code(visit: Visit, wrong: int, now: datetime) -> str:
    _ = visit._
    if wrong < visit.app.settings.complaints.throttle.wrong_codes_per_hour:
        return _(
            "No complaint has this tracking code. Please check it and type it again, e.g. "
            "/complaint 7K3M-9QXA (the letters O and I are read as the digits 0 and 1)."
        )
    retry = hour_window(now) + timedelta(hours=1)
    return _(
        "Too many wrong tracking codes from this account. For the safety of every "
        "complainant, please try again after {time}."
    ).format(time=when(retry, visit.language, visit.zone))


async def show_status(visit: Visit, complaint_id: int, code: str) -> None:
    complaint = await visit.run(lambda s: complaints.by_id(s, complaint_id))
    if complaint is None:
        return
    lines = status_lines(visit, complaint)
    if complaint.status == ComplaintStatus.CLOSED.value:
        await visit.answer("\n".join(lines + closed_lines(visit, complaint)))
        return
    lines.append(
        visit._("Outcome expected by: {date}").format(
            date=when(complaint.result_by, visit.language, visit.zone)
        )
    )
    rows = [[(visit._("Add information"), CONVERSATION(ADD, code))]]
    await visit.answer("\n".join(lines), reply_markup=buttons(rows))


def status_lines(visit: Visit, complaint: Complaint) -> list[str]:
    _, language, zone = visit._, visit.language, visit.zone
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
    return lines


def closed_lines(visit: Visit, complaint: Complaint) -> list[str]:
    _, language, zone = visit._, visit.language, visit.zone
    lines = [
        _("Closed: {date}").format(date=when(complaint.closed_at, language, zone)),
        _("Outcome: {outcome}").format(outcome=outcome_name(complaint.outcome, _)),
    ]
    answer_text = complaints.content(complaint, visit.keys).outcome_text
    if answer_text:
        lines += ["", _("The office's answer:"), answer_text]
    elif complaint.erased_at is not None:
        lines.append(_("The details were erased after the retention period."))
    return lines


def is_closed(_: Translate) -> str:
    return _("This complaint is closed: nothing more can be added to it.")


def finished_button(_: Translate) -> InlineKeyboardMarkup | None:
    return choice_buttons([[(N_("Finished"), "end")]], _)


async def start_addition(visit: Visit, typed: str) -> None:
    """ "Add information": the code is checked again (it travels in the button, which only
    its owner's chat has); the next messages are added until "Finished".

    The conversation holds the complaint's number encrypted with a key made from the day's
    key, under the writer's tag for the day: both are gone once it ends ("Finished", or
    ``ADDITION_TIMEOUT`` idle) and, for good, with the day's key."""
    found = await check_code(visit, typed)
    if found is None:
        return
    now, _ = visit.now(), visit._
    if not await visit.run(lambda session: begin_addition(visit, session, found[0], now)):
        await visit.answer(is_closed(_))
        return
    ask_more = _(
        "Please type the information you wish to add, or send photos or documents. "
        'Press "Finished" when you are done.'
    )
    await visit.answer(ask_more + "\n\n" + file_warning(_), reply_markup=finished_button(_))


def begin_addition(visit: Visit, session: Session, complaint_id: int, now: datetime) -> bool:
    """Whether the complaint is still open (and the addition begun)."""
    complaint = complaints.by_id(session, complaint_id)
    if complaint is None or complaint.status == ComplaintStatus.CLOSED.value:
        return False
    writer = visit.writer(session, now)
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


@dataclass(frozen=True, slots=True)
class Addition:
    """What one message adds to a complaint."""

    draft: Draft
    writer: WriterKey
    text: str | None
    attachment: Attachment | None


async def on_addition(visit: Visit, draft: Draft, writer: WriterKey) -> None:
    """A message while adding information: kept with the complaint at once."""
    attachment = attachment_of(visit.message)
    said = visit.message.text if attachment is None else visit.message.caption
    added = Addition(draft, writer, clean_block(said) or None, attachment)
    problem = addition_problem(added, visit._)
    if problem is not None:
        await visit.answer(problem)
        return
    now, calendar = visit.now(), OfficeCalendar.from_office(visit.app.settings.office)
    if not await visit.run(lambda session: add_information(visit, session, added, now, calendar)):
        await visit.answer(is_closed(visit._))
        return
    visit.app.wake()
    await visit.answer(
        visit._('Added to your complaint. Send more, or press "Finished".'),
        reply_markup=finished_button(visit._),
    )


def addition_problem(added: Addition, _: Translate) -> str | None:
    if added.attachment is None and added.text is None:
        return _("Please type the information as text, or send a photo or a document.")
    if added.text is not None and len(added.text) > MAX_ADDITION:
        return _(
            "This is too long: please send it in parts of at most {limit} characters (it has "
            "{length}). Nothing was added."
        ).format(limit=MAX_ADDITION, length=len(added.text))
    return None


def add_information(
    visit: Visit, session: Session, added: Addition, now: datetime, calendar: OfficeCalendar
) -> bool:
    """Whether it was added (the complaint still open); the handlers are told once."""
    data = added.draft.data
    complaint_id = int(data["complaint_id"])
    kept = complaints.add_information(
        session, complaint_id, visit.keys, now=now, text=added.text, attachment=added.attachment
    )
    if kept is None:
        complaints.drop_draft(session, added.writer.tag)
        return False
    announce_addition(session, complaint_id, str(data.get("started")), now, calendar)
    return True


async def end_addition(visit: Visit, writer: WriterKey) -> None:
    await visit.run(lambda s: complaints.drop_draft(s, writer.tag))
    await visit.answer(
        visit._(
            "Thank you. The officers following up your complaint have been told of what you added."
        )
    )


# -- the conversation's entry points (handler group -1, before everything else) --------

OnDraft = Callable[[Visit, Draft, WriterKey], Awaitable[None]]
KINDS: dict[str, OnDraft] = {"complaint": on_answer, "addition": on_addition}
EXTRA_KINDS: dict[str, OnDraft] = {}
"""Conversations of the handlers' side (a note, an outcome), registered by handling.py."""


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any private message: the next step of a conversation in progress, or (with none)
    left to the other handlers."""

    def then(draft: Draft, writer: WriterKey) -> OnDraft | None:
        return KINDS.get(draft.kind) or EXTRA_KINDS.get(draft.kind)

    await _in_conversation(update, context, then)


async def on_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel during a complaint conversation: erase it (otherwise the usual /cancel)."""

    async def drop(visit: Visit, _draft: Draft, writer: WriterKey) -> None:
        await cancel_draft(visit, writer)

    await _in_conversation(update, context, lambda _draft, _writer: drop)


async def _in_conversation(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    then: Callable[[Draft, WriterKey], OnDraft | None],
) -> None:
    """With a conversation in progress, hand the update to ``then``'s choice and let no other
    handler see it; with none (or when it cannot be looked up), do nothing."""
    try:
        current = await current_draft(update, context)
    except Exception as error:
        log.error("complaint conversation lookup failed: %s", type(error).__name__)
        return
    if current is None:
        return
    handler = then(*current)
    if handler is not None:
        await _bound(handler, *current)(update, context)
    raise ApplicationHandlerStop


def _bound(handler: OnDraft, draft: Draft, writer: WriterKey) -> Handler:
    async def bound(visit: Visit) -> None:
        await handler(visit, draft, writer)

    bound.__name__ = getattr(handler, "__name__", "conversation")
    return anyone(bound)
