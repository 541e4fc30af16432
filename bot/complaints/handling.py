"""The director's and the complaint handlers' side of the complaint channel (measure 1.7).

Only the director and the people the director named (``/handlers``) may see complaints;
everyone else, the coordinator and the admin included, is refused. Every look and every step
is written to the audit log. Button data is ``cp:<complaint>:<action>[:<argument>]``, checked
again at every press.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.common import menus
from bot.common.access import answer, registered
from bot.common.i18n import N_, Translate, translator
from bot.common.power import refusal
from bot.common.roles import may_use, role_name
from bot.common.services import services
from bot.common.texts import parse_number
from bot.complaints.complainant import (
    EXTRA_KINDS,
    buttons,
    clean_block,
    confidential,
    current_draft,
    expiry,
    forget_buttons,
    keys_of,
    keys_or_fail,
    not_open,
    today,
)
from bot.complaints.keys import WriterKey
from bot.complaints.words import (
    OUTCOME_BUTTONS,
    outcome_name,
    reference,
    status_name,
    when,
)
from jobs import power as notices
from jobs.calendar import OfficeCalendar
from jobs.complaints.ladder import erase_at, notice, overdue
from storage import complaints, outbox, people
from storage.complaints import Draft, EntryContent
from storage.models import Complaint, ComplaintEntry, ComplaintStatus, Role, Staff
from storage.power import Change, Gate

CALLBACK = "cp:"
HANDLERS_CALLBACK = "ch:"
MAX_NOTE, MAX_OUTCOME = 3000, 3000
PREVIEW = 80
StaffHandler = Callable[
    [Update, ContextTypes.DEFAULT_TYPE, people.Person], Coroutine[Any, Any, None]
]


async def is_handler(context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> bool:
    return await services(context).db.run(lambda s: complaints.is_handler(s, person.id))


async def may_see(context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> bool:
    """The same rule /help shows: the director, or a handler the director named."""
    handler = await is_handler(context, person)
    return may_use(person.roles, "complaints", complaint_handler=handler)


async def refuse(update: Update, _: Translate) -> None:
    await answer(
        update,
        _(
            "Sorry, complaints are only for the director and the complaint handlers the "
            "director has named. To make a complaint yourself, type /complain."
        ),
    )


def complaint_staff(handler: StaffHandler) -> Callable[..., Coroutine[Any, Any, None]]:
    """Registered, active, and the director or a named handler at the moment of use."""

    @functools.wraps(handler)
    async def checked(
        update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
    ) -> None:
        if not await may_see(context, person):
            await refuse(update, translator(person.language))
            return
        if keys_of(context) is None:
            await not_open(update, translator(person.language))
            return
        await handler(update, context, person)

    return registered(checked)


def actor(person: people.Person) -> people.Actor:
    return people.Actor(f"staff:{person.id}", person.id)


# -- /complaints: the list, one complaint, and its steps -------------------------------


@confidential
@complaint_staff
async def list_complaints(
    update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person
) -> None:
    """/complaints: the open complaints, the overdue ones marked, each with a button."""
    app, _ = services(context), translator(viewer.language)
    now, zone = app.clock(), app.settings.office.zone

    def look(session: Session) -> tuple[list[Complaint], dict[str, int], list[str]]:
        found = list(complaints.open_complaints(session))
        counts = complaints.counts_by_status(session)
        return found, counts, [staff.full_name for staff in complaints.handlers(session)]

    found, counts, named = await app.db.run(look)
    lines = [_("Open complaints: {count}").format(count=len(found))]
    rows = []
    for complaint in found:
        lines.append(_line(complaint, now, viewer.language, zone, _))
        rows.append([(reference(complaint.id, _), f"{CALLBACK}{complaint.id}:open")])
    if not found:
        lines.append(_("  none"))
    lines += [
        "",
        _("Closed so far: {count}").format(count=counts.get(ComplaintStatus.CLOSED.value, 0)),
        _("Complaint handlers: {names}").format(names=", ".join(named) or _("none named yet")),
    ]
    if Role.DIRECTOR in viewer.roles:
        lines.append(_("To name or remove a handler, type /handlers."))
    await answer(update, "\n".join(lines), reply_markup=buttons(rows) if rows else None)


def _line(complaint: Complaint, now: datetime, language: str, zone: Any, _: Translate) -> str:
    due = _due(complaint, now, language, zone, _)
    return f"• {reference(complaint.id, _)}: {status_name(complaint.status, _)}; {due}"


def _due(complaint: Complaint, now: datetime, language: str, zone: Any, _: Translate) -> str:
    """The next deadline of an open complaint, marked when it has passed."""
    if complaint.status == ComplaintStatus.RECEIVED.value:
        due = _("acknowledge by {date}").format(date=when(complaint.acknowledge_by, language, zone))
    else:
        due = _("outcome by {date}").format(date=when(complaint.result_by, language, zone))
    return due + (" — " + _("OVERDUE") if overdue(complaint, now) else "")


@confidential
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``cp:<id>:<action>``: open, acknowledge, note, close, an outcome, a file."""
    await _button(update, context)


@complaint_staff
async def _button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person
) -> None:
    data = (update.callback_query.data if update.callback_query else "") or ""
    parts = data.removeprefix(CALLBACK).split(":")
    complaint_id = parse_number(parts[0]) if parts else None
    action, argument = [*parts, "", ""][1], [*parts, "", "", ""][2]
    _ = translator(viewer.language)
    complaint = (
        await services(context).db.run(lambda s: complaints.by_id(s, complaint_id))
        if complaint_id
        else None
    )
    if complaint is None or action not in ACTIONS:
        if update.callback_query is not None:
            await update.callback_query.answer(
                _("This button is no longer valid. Please type the command again."),
                show_alert=True,
            )
        return
    await ACTIONS[action](update, context, viewer, complaint, argument)


async def show(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    complaint: Complaint,
    _argument: str = "",
) -> None:
    """One complaint in full, with the steps a handler may take; the look is audited."""
    app, _ = services(context), translator(viewer.language)
    now, zone, language = app.clock(), app.settings.office.zone, viewer.language

    def look(session: Session) -> tuple[list[ComplaintEntry], dict[int, people.Person | None]]:
        complaints.record_view(session, complaint.id or 0, actor=actor(viewer), now=now)
        found = list(complaints.entries(session, complaint.id or 0))
        return found, {e.staff_id: people.by_id(session, e.staff_id) for e in found if e.staff_id}

    found, writers = await app.db.run(look)
    keys = keys_or_fail(context)
    lines = [
        reference(complaint.id, _),
        _("Status: {status}").format(status=status_name(complaint.status, _)),
        _("Received: {date}").format(date=when(complaint.filed_at, language, zone)),
        _("Next deadline: {due}").format(due=_due(complaint, now, language, zone, _))
        if complaint.status != ComplaintStatus.CLOSED.value
        else _("Outcome: {outcome}").format(outcome=outcome_name(complaint.outcome, _)),
    ]
    if complaint.erased_at is not None:
        lines.append(_("The content was erased after the retention period; only counts remain."))
    else:
        lines += _content(complaint, found, writers, keys, language, zone, _)
    await answer(update, "\n".join(lines), reply_markup=_card_buttons(complaint, found, _))


def _content(
    complaint: Complaint,
    found: list[ComplaintEntry],
    writers: dict[int, people.Person | None],
    cipher: complaints.Cipher,
    language: str,
    zone: Any,
    _: Translate,
) -> list[str]:
    """The complaint's words, decrypted; its files by a neutral name ("Attachment 1"), never
    the name they were sent under (a file name can name its sender)."""
    words = complaints.content(complaint, cipher)
    lines = [
        "",
        _("What happened: {text}").format(text=words.what or "-"),
        _("Who: {text}").format(text=words.who or "-"),
        _("When: {text}").format(text=words.occurred or "-"),
        _("Where: {text}").format(text=words.place or "-"),
        _("Contact details for the office: {text}").format(
            text=words.contact or _("none (anonymous)")
        ),
        _("The complainant asked to be told of progress: {answer}").format(
            answer=_("yes") if complaint.notify_token else _("no")
        ),
    ]
    if words.outcome_text:
        lines += ["", _("The answer given to the complainant:"), words.outcome_text]
    opened = {item.id: complaints.entry_content(item, cipher) for item in found}
    unreadable = words.unreadable or any(one.unreadable for one in opened.values())
    if unreadable:
        lines += ["", _(UNREADABLE)]
    numbers = _file_numbers(found)
    for item in found:
        lines.append("")
        stamp = when(item.at, language, zone)
        if item.kind == "note":
            writer = writers.get(item.staff_id or 0)
            head = _("Note by {name}, {date}:").format(
                name=writer.name if writer else "-", date=stamp
            )
        elif item.kind == "addition":
            head = _("Added by the complainant, {date}:").format(date=stamp)
        else:
            head = _("Sent with the complaint:")
        text = opened[item.id].text
        body = text or _("Attachment {number}").format(number=numbers.get(item.id or 0, "-"))
        lines.append(f"{head} {body}")
    return lines


UNREADABLE = N_(
    "Part of this complaint cannot be read with the complaint key now configured. Ask the "
    "system administrator to add the previous key (see rotate-complaint-key in the README)."
)


def _file_numbers(found: list[ComplaintEntry]) -> dict[int, int]:
    """Each file's number in the complaint (1, 2, …), in the order they came."""
    files = [item.id for item in found if item.file_kind and item.id is not None]
    return {entry_id: number for number, entry_id in enumerate(files, start=1)}


def _card_buttons(
    complaint: Complaint, found: list[ComplaintEntry], _: Translate
) -> InlineKeyboardMarkup | None:
    prefix = f"{CALLBACK}{complaint.id}:"
    rows: list[list[tuple[str, str]]] = []
    if complaint.erased_at is not None:
        return None
    if complaint.status == ComplaintStatus.RECEIVED.value:
        rows.append([(_("Acknowledge"), f"{prefix}ack")])
    if complaint.status != ComplaintStatus.CLOSED.value:
        rows.append([(_("Add a note"), f"{prefix}note")])
        rows.append([(_("Record the outcome and close"), f"{prefix}close")])
    for entry_id, number in _file_numbers(found).items():
        label = _("Attachment {number}").format(number=number)
        rows.append([(label, f"{prefix}file:{entry_id}")])
    return buttons(rows) if rows else None


async def acknowledge(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    complaint: Complaint,
    _argument: str = "",
) -> None:
    """ "Acknowledge": the first press takes the complaint up; the complainant is told if they
    asked to be; the reminders of acknowledgement stop."""
    app, _ = services(context), translator(viewer.language)
    now = app.clock()

    def take_up(session: Session) -> complaints.StepOutcome:
        outcome = complaints.acknowledge(session, complaint.id or 0, actor=actor(viewer), now=now)
        _tell_complainant(session, complaint.id or 0, outcome, "acknowledged", now)
        return outcome

    outcome = await app.db.run(take_up)
    app.wake()
    if outcome is complaints.StepOutcome.DONE:
        await forget_buttons(update.callback_query.message if update.callback_query else None)
        text = _("{complaint} is acknowledged. The complainant can see it with their code.")
    else:
        text = _("{complaint} was already acknowledged. Nothing was changed.")
    await answer(update, text.format(complaint=reference(complaint.id, _)))


def _tell_complainant(
    session: Session, complaint_id: int, outcome: complaints.StepOutcome, step: str, now: datetime
) -> None:
    """A step taken: the complainant who asked to be told is told, in the same transaction."""
    updated = complaints.by_id(session, complaint_id)
    if outcome is complaints.StepOutcome.DONE and updated is not None:
        told = notice(updated, step)
        if told is not None:
            outbox.enqueue(session, [told], now=now)


async def ask_note(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    complaint: Complaint,
    _argument: str = "",
) -> None:
    """ "Add a note": the next message is the note (kept across processes, as a draft)."""
    _ = translator(viewer.language)
    if not await _start(context, update, "note", "text", {"complaint_id": complaint.id}):
        return
    await answer(
        update,
        _("Please type the note for {complaint} (what was done, what is next), or /cancel.").format(
            complaint=reference(complaint.id, _)
        ),
    )


async def ask_outcome(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    complaint: Complaint,
    _argument: str = "",
) -> None:
    """ "Record the outcome": choose what came of it, then write the answer."""
    _ = translator(viewer.language)
    if complaint.status == ComplaintStatus.CLOSED.value:
        await answer(
            update, _("{complaint} is already closed.").format(complaint=reference(complaint.id, _))
        )
        return
    rows = [
        [(_(label), f"{CALLBACK}{complaint.id}:outcome:{code}")]
        for code, label in OUTCOME_BUTTONS.items()
    ]
    await answer(
        update,
        _("What came of {complaint}?").format(complaint=reference(complaint.id, _)),
        reply_markup=buttons(rows),
    )


async def choose_outcome(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    complaint: Complaint,
    argument: str,
) -> None:
    _ = translator(viewer.language)
    if argument not in OUTCOME_BUTTONS or complaint.status == ComplaintStatus.CLOSED.value:
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    data = {"complaint_id": complaint.id, "outcome": argument}
    if not await _start(context, update, "outcome", "text", data):
        return
    await answer(
        update,
        _(
            "Outcome: {outcome}. Please type the answer to the complainant, as they will read it "
            "with their tracking code (do not name them), or /cancel."
        ).format(outcome=outcome_name(argument, _)),
    )


async def confirm_close(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    complaint: Complaint,
    _argument: str = "",
) -> None:
    """ "Confirm": record the outcome and close; tell the complainant if they asked."""
    app, _ = services(context), translator(viewer.language)
    keys = keys_or_fail(context)
    current = await current_draft(update, context)
    draft = current[0] if current else None
    if (
        draft is None
        or draft.kind != "outcome"
        or draft.step != "confirm"
        or draft.data.get("complaint_id") != complaint.id
    ):
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    now = app.clock()
    calendar = OfficeCalendar.from_office(app.settings.office)

    def close(session: Session) -> complaints.StepOutcome:
        result = complaints.close(
            session,
            complaint.id or 0,
            outcome=str(draft.data["outcome"]),
            text=str(draft.data["text"]),
            cipher=keys,
            actor=actor(viewer),
            now=now,
            erase_at=erase_at(now, app.settings.complaints, calendar),
        )
        complaints.drop_draft(session, draft.owner_tag)
        _tell_complainant(session, complaint.id or 0, result, "closed", now)
        return result

    result = await app.db.run(close)
    app.wake()
    await forget_buttons(update.callback_query.message if update.callback_query else None)
    text = (
        _("{complaint} is closed. The complainant can read the outcome with their code.")
        if result is complaints.StepOutcome.DONE
        else _("{complaint} was already closed. Nothing was changed.")
    )
    await answer(update, text.format(complaint=reference(complaint.id, _)))


async def send_file(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    complaint: Complaint,
    argument: str,
) -> None:
    """A file sent with the complaint, sent again by Telegram's file id."""
    app, _ = services(context), translator(viewer.language)
    entry_id = parse_number(argument)
    item = await app.db.run(lambda s: complaints.entry(s, entry_id)) if entry_id else None
    chat = update.effective_chat
    opened = (
        complaints.entry_content(item, keys_or_fail(context))
        if item is not None
        else EntryContent(None, None, None, False)
    )
    file_id = opened.file_id
    if item is None or item.complaint_id != complaint.id or not file_id or chat is None:
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    found = list(await app.db.run(lambda s: complaints.entries(s, complaint.id or 0)))
    number = _file_numbers(found).get(item.id or 0, 0)
    caption = "{complaint} – {file}".format(
        complaint=reference(complaint.id, _), file=_("Attachment {number}").format(number=number)
    )
    if item.file_kind == "photo":
        await chat.send_photo(file_id, caption=caption)
    elif item.file_kind == "video":
        await chat.send_video(file_id, caption=caption)
    else:
        await chat.send_document(file_id, caption=caption)


Action = Callable[
    [Update, ContextTypes.DEFAULT_TYPE, people.Person, Complaint, str], Coroutine[Any, Any, None]
]
ACTIONS: dict[str, Action] = {
    "open": show,
    "ack": acknowledge,
    "note": ask_note,
    "close": ask_outcome,
    "outcome": choose_outcome,
    "confirm": confirm_close,
    "file": send_file,
}


async def _start(
    context: ContextTypes.DEFAULT_TYPE, update: Update, kind: str, step: str, data: dict[str, Any]
) -> bool:
    keys, user = keys_of(context), update.effective_user
    if keys is None or user is None:
        return False
    app = services(context)
    now = app.clock()

    def begin(session: Session) -> None:
        writer = today(update, context, session, now)
        complaints.start_draft(
            session,
            writer.tag,
            writer.cipher,
            kind=kind,
            step=step,
            data=data,
            expires_at=expiry(app, now),
        )

    await app.db.run(begin)
    return True


# -- a handler's typed answers (notes, the outcome's text), in handler group -1 ---------


async def on_staff_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, writer: WriterKey
) -> None:
    """A note or an outcome's text, from someone who may still see complaints."""
    app, user = services(context), update.effective_user
    person = (
        await app.db.run(lambda s: people.by_telegram_user(s, user.id))
        if user is not None
        else None
    )
    if person is None or not person.staff.active or not await may_see(context, person):
        await app.db.run(lambda s: complaints.drop_draft(s, writer.tag))
        await refuse(update, translator(person.language if person else "th"))
        return
    _ = translator(person.language)
    message = update.effective_message
    text = clean_block(message.text if message else None)
    limit = MAX_NOTE if draft.kind == "note" else MAX_OUTCOME
    if not text or len(text) > limit:
        await answer(
            update,
            _("Please type the text (at most {limit} characters), or /cancel.").format(limit=limit),
        )
        return
    if draft.kind == "note":
        await _save_note(update, context, person, draft, writer, text)
    else:
        await _preview_outcome(update, context, person, draft, writer, text)


async def _save_note(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    draft: Draft,
    writer: WriterKey,
    text: str,
) -> None:
    app, _ = services(context), translator(person.language)
    complaint_id, keys, now = int(draft.data["complaint_id"]), keys_or_fail(context), app.clock()

    def keep(session: Session) -> bool:
        """Whether the note was kept (the complaint still there)."""
        added = complaints.add_note(
            session, complaint_id, keys, text=text, actor=actor(person), now=now
        )
        complaints.drop_draft(session, writer.tag)
        return added is not None

    if not await app.db.run(keep):
        await answer(update, _("This complaint no longer exists. Nothing was changed."))
        return
    await answer(
        update, _("The note is kept with {complaint}.").format(complaint=reference(complaint_id, _))
    )


async def _preview_outcome(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    draft: Draft,
    writer: WriterKey,
    text: str,
) -> None:
    app, _ = services(context), translator(person.language)
    complaint_id = int(draft.data["complaint_id"])
    saved = await app.db.run(
        lambda s: complaints.save_draft(
            s,
            draft,
            writer.cipher,
            step="confirm",
            data={**draft.data, "text": text},
            expires_at=draft.expires_at,
        )
    )
    if not saved:
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    rows = [[(_("Confirm and close"), f"{CALLBACK}{complaint_id}:confirm")]]
    await answer(
        update,
        _(
            "{complaint} will be closed with the outcome: {outcome}\n\n"
            "The answer the complainant will read:\n{text}\n\n"
            'Press "Confirm and close", or type /cancel.'
        ).format(
            complaint=reference(complaint_id, _),
            outcome=outcome_name(str(draft.data["outcome"]), _),
            text=text,
        ),
        reply_markup=buttons(rows),
    )


async def on_confirm_text(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft, writer: WriterKey
) -> None:
    """Text while a closing waits for its confirmation: point at the button."""
    user = update.effective_user
    person = (
        await services(context).db.run(lambda s: people.by_telegram_user(s, user.id))
        if user is not None
        else None
    )
    _ = translator(person.language if person else "th")
    if draft.step == "confirm":
        await answer(update, _('Please press "Confirm and close" above, or type /cancel.'))
    else:
        await on_staff_text(update, context, draft, writer)


EXTRA_KINDS.update({"note": on_staff_text, "outcome": on_confirm_text})


# -- /handlers: the director names who follows up complaints ---------------------------


@confidential
@registered
async def handlers_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, director: people.Person
) -> None:
    """/handlers [number]: the handlers (a button removes one); with a number, name one.
    The director's alone: anyone else naming someone is refused, audited, and the director
    told (who reads complaints is decided by nobody else, not even as a proposal)."""
    app, _ = services(context), translator(director.language)
    number = parse_number(context.args[0]) if context.args else None
    if Role.DIRECTOR not in director.roles:
        await _refuse(update, context, director, Change.HANDLER_NAMED, number)
        return
    if context.args and number is None:
        await answer(
            update, _("Please type /handlers followed by the person's number, e.g. /handlers 12")
        )
        return
    if number is not None:
        await _name(update, context, director, number)
        return

    def look(session: Session) -> tuple[list[Staff], list[people.Person]]:
        return list(complaints.handlers(session)), people.roster(session)

    named, roster = await app.db.run(look)
    lines = [_("Complaint handlers (besides the director):")]
    lines += [f"• #{staff.id} {staff.full_name}" for staff in named] or [_("  none named yet")]
    lines += ["", _("To name someone, type /handlers and their number:")]
    lines += [
        f"#{person.id} {person.name}" for person in roster if person.id not in {s.id for s in named}
    ]
    rows = [
        [(_("Remove: {name}").format(name=staff.full_name), f"{HANDLERS_CALLBACK}{staff.id}")]
        for staff in named
    ]
    await answer(update, "\n".join(lines), reply_markup=buttons(rows) if rows else None)


async def _name(
    update: Update, context: ContextTypes.DEFAULT_TYPE, director: people.Person, number: int
) -> None:
    app, _ = services(context), translator(director.language)
    now = app.clock()

    def name(session: Session) -> tuple[people.Person | None, bool]:
        person = people.by_id(session, number)
        named = (
            person is not None
            and person.staff.active
            and complaints.name_handler(session, number, actor=actor(director), now=now)
        )
        return person, named

    person, named = await app.db.run(name)
    if person is None or not person.staff.active:
        await answer(update, _("Nobody active has the number {number}.").format(number=number))
        return
    if not named:
        await answer(update, _("{name} is already a complaint handler.").format(name=person.name))
        return
    await app.db.run(  # the handler and any other director are told
        lambda s: notices.made(s, Change.HANDLER_NAMED, number, by_staff_id=director.id, now=now)
    )
    app.wake()
    await menus.set_for(context.bot, person, complaint_handler=True)
    await answer(
        update,
        _("{name} is now a complaint handler and can use /complaints.").format(name=person.name),
    )


@confidential
@registered
async def remove_handler_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, director: people.Person
) -> None:
    """``ch:<staff id>``: the director removes a handler (a press by anyone else, forged, is
    refused like /handlers)."""
    app, _ = services(context), translator(director.language)
    data = update.callback_query.data if update.callback_query else ""
    staff_id = parse_number((data or "").removeprefix(HANDLERS_CALLBACK))
    if Role.DIRECTOR not in director.roles:
        await _refuse(update, context, director, Change.HANDLER_REMOVED, staff_id)
        return
    now = app.clock()

    def remove(session: Session) -> tuple[people.Person | None, bool]:
        person = people.by_id(session, staff_id) if staff_id else None
        removed = person is not None and complaints.remove_handler(
            session, person.id, actor=actor(director), now=now
        )
        if removed and person is not None:
            notices.made(
                session, Change.HANDLER_REMOVED, person.id, by_staff_id=director.id, now=now
            )
        return person, removed

    person, removed = await app.db.run(remove)
    app.wake()
    if person is None or not removed:
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    await menus.set_for(context.bot, person)
    await answer(update, _("{name} is no longer a complaint handler.").format(name=person.name))


async def _refuse(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    change: Change,
    staff_id: int | None,
) -> None:
    """Not the director: naming (or removing) a handler is refused; when it names a real
    person, the attempt is audited and the director told."""
    app, _ = services(context), translator(person.language)
    now = app.clock()

    def audit(session: Session) -> bool:
        """Whether the attempt named a real person (and so was audited)."""
        target = people.by_id(session, staff_id) if staff_id else None
        real = target is not None and (
            change is Change.HANDLER_NAMED or complaints.is_handler(session, target.id)
        )
        if real and target is not None:
            notices.refused(
                session,
                change,
                target.id,
                by_staff_id=person.id,
                reason=Gate.DIRECTOR_ONLY.value,
                now=now,
            )
        return real

    if not await app.db.run(audit):
        await answer(
            update,
            _("Sorry, this is only for {roles}. Type /help to see what you can do.").format(
                roles=role_name(Role.DIRECTOR, _)
            ),
        )
        return
    app.wake()
    await answer(update, refusal(Gate.DIRECTOR_ONLY, _))
