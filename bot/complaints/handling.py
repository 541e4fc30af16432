"""The director's and the complaint handlers' side of the complaint channel (measure 1.7).

Only the director and the people the director named (``/handlers``) may see complaints;
everyone else, the coordinator and the admin included, is refused. Every look and every step
is written to the audit log. Button data is ``cp:<complaint>:<step>[:<argument>]``
(``COMPLAINT``) and ``ch:<staff id>`` (``HANDLER``); who presses is checked again at every
press (``complaint_staff``, and the director's role for ``/handlers``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, NamedTuple, ParamSpec

from sqlmodel import Session
from telegram import InlineKeyboardMarkup

from bot.common import menus
from bot.common.callbacks import Callback, Numbered, choices
from bot.common.callbacks import number as read_number
from bot.common.i18n import N_, Translate, translator
from bot.common.kit import Turn, button, command, turn_of
from bot.common.kit import refusal as only_for
from bot.common.power import refusal
from bot.common.roles import may_use
from bot.common.texts import parse_number
from bot.complaints.complainant import (
    EXTRA_KINDS,
    Rows,
    Visit,
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
    website_link,
)
from bot.complaints.words import OUTCOME_BUTTONS, outcome_name, reference, status_name, when
from bot.runtime.complaint_keys import WriterKey
from jobs import power as notices
from jobs.calendar import OfficeCalendar
from jobs.complaints.ladder import erase_at, notice, overdue
from storage import complaints, outbox, people
from storage.complaints import Content, Draft
from storage.db import Database
from storage.models import Complaint, ComplaintEntry, ComplaintStatus, Role, Staff
from storage.power import Change, Gate

MAX_NOTE, MAX_OUTCOME = 3000, 3000
CLOSED = ComplaintStatus.CLOSED.value
P = ParamSpec("P")


# -- the buttons ---------------------------------------------------------------------------


class ComplaintPress(NamedTuple):
    complaint_id: int
    step: str
    argument: str  # an outcome's code, a file's entry id, or ""


@dataclass(frozen=True)
class ComplaintButton(Callback[ComplaintPress]):
    """``cp:<complaint>:<step>`` for a step of ``steps``; ``cp:<complaint>:outcome:<code>``
    for an outcome of ``outcomes``; ``cp:<complaint>:file:<entry>``."""

    steps: frozenset[str] = frozenset()
    outcomes: frozenset[str] = frozenset()

    def __call__(self, complaint_id: int, step: str, argument: str | int = "") -> str:
        return self._join(complaint_id, step, *([argument] if argument != "" else []))

    def _read(self, parts: list[str]) -> ComplaintPress | None:
        complaint_id = read_number(parts[0])
        if complaint_id is None:
            return None
        if len(parts) == 2 and parts[1] in self.steps:
            return ComplaintPress(complaint_id, parts[1], "")
        if len(parts) != 3:
            return None
        step, argument = parts[1], parts[2]
        if (step == "outcome" and argument in self.outcomes) or (
            step == "file" and read_number(argument) is not None
        ):
            return ComplaintPress(complaint_id, step, argument)
        return None


COMPLAINT = ComplaintButton(
    "cp:",
    steps=choices("open", "ack", "note", "close", "confirm"),
    outcomes=frozenset(OUTCOME_BUTTONS),
)
HANDLER = Numbered("ch:")  # the director removes a handler


# -- who may see complaints ----------------------------------------------------------------


async def may_see(db: Database, person: people.Person) -> bool:
    """The same rule /help shows: the director, or a handler the director named."""
    handler = await db.run(lambda s: complaints.is_handler(s, person.id))
    return may_use(person.roles, "complaints", complaint_handler=handler)


def refused(_: Translate) -> str:
    return _(
        "Sorry, complaints are only for the director and the complaint handlers the "
        "director has named. To make a complaint yourself, type /complain."
    )


def complaint_staff(
    handler: Callable[Concatenate[Turn, P], Awaitable[None]],
) -> Callable[Concatenate[Turn, P], Awaitable[None]]:
    """The director or a named handler at the moment of use, and the channel open."""

    @functools.wraps(handler)
    async def checked(turn: Turn, /, *args: P.args, **kwargs: P.kwargs) -> None:
        if not await may_see(turn.db, turn.person):
            await turn.answer(refused(turn._))
        elif keys_of(turn.context) is None:
            await turn.answer(not_open(turn._))
        else:
            await handler(turn, *args, **kwargs)

    return checked


def actor(person: people.Person) -> people.Actor:
    return people.Actor(f"staff:{person.id}", person.id)


# -- /complaints: the list, one complaint, and its steps -------------------------------


@confidential
@command()
@complaint_staff
async def list_complaints(turn: Turn) -> None:
    """/complaints: the open complaints, the overdue ones marked, each with a button."""
    found, counts, named = await turn.run(_overview)
    rows = [[(reference(c.id, turn._), COMPLAINT(c.id or 0, "open"))] for c in found]
    lines = _overview_lines(turn, found, counts, named)
    await turn.answer("\n".join(lines), reply_markup=buttons(rows) if rows else None)


def _overview(session: Session) -> tuple[list[Complaint], dict[str, int], list[str]]:
    found = list(complaints.open_complaints(session))
    counts = complaints.counts_by_status(session)
    return found, counts, [staff.full_name for staff in complaints.handlers(session)]


def _overview_lines(
    turn: Turn, found: list[Complaint], counts: dict[str, int], named: list[str]
) -> list[str]:
    _, now = turn._, turn.now()
    lines = [_("Open complaints: {count}").format(count=len(found))]
    lines += [_line(turn, complaint, now) for complaint in found] or [_("  none")]
    lines += [
        "",
        _("Closed so far: {count}").format(count=counts.get(CLOSED, 0)),
        _("Complaint handlers: {names}").format(names=", ".join(named) or _("none named yet")),
    ]
    if Role.DIRECTOR in turn.person.roles:
        lines.append(_("To name or remove a handler, type /handlers."))
        lines += ["", website_line(turn.context.bot.username, _)]
    return lines


def website_line(bot_username: str, _: Translate) -> str:
    """The director's line with the link the office publishes on its website (measure 1.7:
    "publish the channel"), which opens the bot straight into a complaint."""
    return _(
        "The complaint channel's link, to publish on the office website (it opens the bot "
        "straight into a complaint, with no registration): {link}"
    ).format(link=website_link(bot_username))


def _line(turn: Turn, complaint: Complaint, now: datetime) -> str:
    due = _due(turn, complaint, now)
    return f"• {reference(complaint.id, turn._)}: {status_name(complaint.status, turn._)}; {due}"


def _due(turn: Turn, complaint: Complaint, now: datetime) -> str:
    """The next deadline of an open complaint, marked when it has passed."""
    _, language, zone = turn._, turn.language, turn.zone
    if complaint.status == ComplaintStatus.RECEIVED.value:
        due = _("acknowledge by {date}").format(date=when(complaint.acknowledge_by, language, zone))
    else:
        due = _("outcome by {date}").format(date=when(complaint.result_by, language, zone))
    return due + (" — " + _("OVERDUE") if overdue(complaint, now) else "")


@confidential
@button(COMPLAINT)
@complaint_staff
async def on_button(turn: Turn, pressed: ComplaintPress) -> None:
    """``cp:<id>:<step>[:<argument>]``: open, acknowledge, note, close, an outcome, a file."""
    complaint = await turn.run(lambda s: complaints.by_id(s, pressed.complaint_id))
    if complaint is None:
        await turn.stale()
        return
    await STEPS[pressed.step](turn, complaint, pressed.argument)


Writers = dict[int, people.Person | None]  # the staff who wrote notes, by id


async def show(turn: Turn, complaint: Complaint, _argument: str = "") -> None:
    """One complaint in full, with the steps a handler may take; the look is audited."""
    now = turn.now()
    found, writers = await turn.run(lambda s: _look(s, turn.person, complaint, now))
    lines = _card_head(turn, complaint, now)
    if complaint.erased_at is not None:
        _ = turn._
        lines.append(_("The content was erased after the retention period; only counts remain."))
    else:
        lines += _content(turn, complaint, found, writers)
    await turn.answer("\n".join(lines), reply_markup=_card_buttons(complaint, found, turn._))


def _look(
    session: Session, viewer: people.Person, complaint: Complaint, now: datetime
) -> tuple[list[ComplaintEntry], Writers]:
    complaints.record_view(session, complaint.id or 0, actor=actor(viewer), now=now)
    found = list(complaints.entries(session, complaint.id or 0))
    return found, {e.staff_id: people.by_id(session, e.staff_id) for e in found if e.staff_id}


def _card_head(turn: Turn, complaint: Complaint, now: datetime) -> list[str]:
    _ = turn._
    return [
        reference(complaint.id, _),
        _("Status: {status}").format(status=status_name(complaint.status, _)),
        _("Received: {date}").format(date=when(complaint.filed_at, turn.language, turn.zone)),
        _("Next deadline: {due}").format(due=_due(turn, complaint, now))
        if complaint.status != CLOSED
        else _("Outcome: {outcome}").format(outcome=outcome_name(complaint.outcome, _)),
    ]


def _content(
    turn: Turn, complaint: Complaint, found: list[ComplaintEntry], writers: Writers
) -> list[str]:
    """The complaint's words, decrypted; its files by a neutral name ("Attachment 1"), never
    the name they were sent under (a file name can name its sender)."""
    keys, _ = keys_or_fail(turn.context), turn._
    words = complaints.content(complaint, keys)
    opened = {item.id: complaints.entry_content(item, keys) for item in found}
    lines = _words(complaint, words, _)
    if words.unreadable or any(one.unreadable for one in opened.values()):
        lines += ["", _(UNREADABLE)]
    numbers = _file_numbers(found)
    for item in found:
        named = _("Attachment {number}").format(number=numbers.get(item.id or 0, "-"))
        lines += ["", f"{_entry_head(turn, item, writers)} {opened[item.id].text or named}"]
    return lines


def _words(complaint: Complaint, words: Content, _: Translate) -> list[str]:
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
    return lines


def _entry_head(turn: Turn, item: ComplaintEntry, writers: Writers) -> str:
    _, stamp = turn._, when(item.at, turn.language, turn.zone)
    if item.kind == "note":
        writer = writers.get(item.staff_id or 0)
        return _("Note by {name}, {date}:").format(name=writer.name if writer else "-", date=stamp)
    if item.kind == "addition":
        return _("Added by the complainant, {date}:").format(date=stamp)
    return _("Sent with the complaint:")


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
    if complaint.erased_at is not None:
        return None
    complaint_id, rows = complaint.id or 0, []
    if complaint.status == ComplaintStatus.RECEIVED.value:
        rows.append([(_("Acknowledge"), COMPLAINT(complaint_id, "ack"))])
    if complaint.status != CLOSED:
        rows.append([(_("Add a note"), COMPLAINT(complaint_id, "note"))])
        rows.append([(_("Record the outcome and close"), COMPLAINT(complaint_id, "close"))])
    for entry_id, position in _file_numbers(found).items():
        label = _("Attachment {number}").format(number=position)
        rows.append([(label, COMPLAINT(complaint_id, "file", entry_id))])
    return buttons(rows) if rows else None


async def acknowledge(turn: Turn, complaint: Complaint, _argument: str = "") -> None:
    """ "Acknowledge": the first press takes the complaint up; the complainant is told if they
    asked to be; the reminders of acknowledgement stop."""
    now, _ = turn.now(), turn._
    outcome = await turn.run(lambda s: _take_up(s, turn.person, complaint.id or 0, now))
    turn.app.wake()
    if outcome is complaints.StepOutcome.DONE:
        await forget_buttons(turn.query)
        text = _("{complaint} is acknowledged. The complainant can see it with their code.")
    else:
        text = _("{complaint} was already acknowledged. Nothing was changed.")
    await turn.answer(text.format(complaint=reference(complaint.id, _)))


def _take_up(
    session: Session, viewer: people.Person, complaint_id: int, now: datetime
) -> complaints.StepOutcome:
    outcome = complaints.acknowledge(session, complaint_id, actor=actor(viewer), now=now)
    _tell_complainant(session, complaint_id, outcome, "acknowledged", now)
    return outcome


def _tell_complainant(
    session: Session, complaint_id: int, outcome: complaints.StepOutcome, step: str, now: datetime
) -> None:
    """A step taken: the complainant who asked to be told is told, in the same transaction."""
    updated = complaints.by_id(session, complaint_id)
    if outcome is complaints.StepOutcome.DONE and updated is not None:
        told = notice(updated, step)
        if told is not None:
            outbox.enqueue(session, [told], now=now)


async def ask_note(turn: Turn, complaint: Complaint, _argument: str = "") -> None:
    """ "Add a note": the next message is the note (kept across processes, as a draft)."""
    await _start(turn, "note", {"complaint_id": complaint.id})
    await turn.answer(
        turn._(
            "Please type the note for {complaint} (what was done, what is next), or /cancel."
        ).format(complaint=reference(complaint.id, turn._))
    )


async def ask_outcome(turn: Turn, complaint: Complaint, _argument: str = "") -> None:
    """ "Record the outcome": choose what came of it, then write the answer."""
    _, name = turn._, reference(complaint.id, turn._)
    if complaint.status == CLOSED:
        await turn.answer(_("{complaint} is already closed.").format(complaint=name))
        return
    rows: Rows = [
        [(_(label), COMPLAINT(complaint.id or 0, "outcome", code))]
        for code, label in OUTCOME_BUTTONS.items()
    ]
    await turn.answer(
        _("What came of {complaint}?").format(complaint=name), reply_markup=buttons(rows)
    )


async def choose_outcome(turn: Turn, complaint: Complaint, outcome: str) -> None:
    """An outcome chosen (``COMPLAINT`` has checked it is one): now the answer's text."""
    if complaint.status == CLOSED:
        await turn.stale()
        return
    await _start(turn, "outcome", {"complaint_id": complaint.id, "outcome": outcome})
    await turn.answer(
        turn._(
            "Outcome: {outcome}. Please type the answer to the complainant, as they will read it "
            "with their tracking code (do not name them), or /cancel."
        ).format(outcome=outcome_name(outcome, turn._))
    )


async def confirm_close(turn: Turn, complaint: Complaint, _argument: str = "") -> None:
    """ "Confirm": record the outcome and close; tell the complainant if they asked."""
    draft = await _closing(turn, complaint)
    if draft is None:
        await turn.stale()
        return
    now, settings = turn.now(), turn.settings
    erase = erase_at(now, settings.complaints, OfficeCalendar.from_office(settings.office))
    result = await turn.run(lambda s: _close(s, turn, complaint, draft, (now, erase)))
    turn.app.wake()
    await forget_buttons(turn.query)
    text = (
        turn._("{complaint} is closed. The complainant can read the outcome with their code.")
        if result is complaints.StepOutcome.DONE
        else turn._("{complaint} was already closed. Nothing was changed.")
    )
    await turn.answer(text.format(complaint=reference(complaint.id, turn._)))


async def _closing(turn: Turn, complaint: Complaint) -> Draft | None:
    """The presser's outcome of ``complaint`` waiting for its confirmation, if any."""
    current = await current_draft(turn.update, turn.context)
    draft = current[0] if current else None
    if (
        draft is None
        or draft.kind != "outcome"
        or draft.step != "confirm"
        or draft.data.get("complaint_id") != complaint.id
    ):
        return None
    return draft


def _close(
    session: Session,
    turn: Turn,
    complaint: Complaint,
    draft: Draft,
    moments: tuple[datetime, datetime],  # now, and when the content is to be erased
) -> complaints.StepOutcome:
    now, erase = moments
    result = complaints.close(
        session,
        complaint.id or 0,
        outcome=str(draft.data["outcome"]),
        text=str(draft.data["text"]),
        cipher=keys_or_fail(turn.context),
        actor=actor(turn.person),
        now=now,
        erase_at=erase,
    )
    complaints.drop_draft(session, draft.owner_tag)
    _tell_complainant(session, complaint.id or 0, result, "closed", now)
    return result


async def send_file(turn: Turn, complaint: Complaint, argument: str) -> None:
    """A file sent with the complaint, sent again by Telegram's file id."""
    entry_id, chat = int(argument), turn.update.effective_chat
    item = await turn.run(lambda s: complaints.entry(s, entry_id))
    keys = keys_or_fail(turn.context)
    file_id = complaints.entry_content(item, keys).file_id if item is not None else None
    if item is None or item.complaint_id != complaint.id or not file_id or chat is None:
        await turn.stale()
        return
    if turn.query is not None:
        await turn.query.answer()
    found = list(await turn.run(lambda s: complaints.entries(s, complaint.id or 0)))
    caption = "{complaint} – {file}".format(
        complaint=reference(complaint.id, turn._),
        file=turn._("Attachment {number}").format(number=_file_numbers(found).get(entry_id, 0)),
    )
    if item.file_kind == "photo":
        await chat.send_photo(file_id, caption=caption)
    elif item.file_kind == "video":
        await chat.send_video(file_id, caption=caption)
    else:
        await chat.send_document(file_id, caption=caption)


Step = Callable[[Turn, Complaint, str], Awaitable[None]]
STEPS: dict[str, Step] = {
    "open": show,
    "ack": acknowledge,
    "note": ask_note,
    "close": ask_outcome,
    "outcome": choose_outcome,
    "confirm": confirm_close,
    "file": send_file,
}


async def _start(turn: Turn, kind: str, data: dict[str, Any]) -> None:
    """A handler's conversation (a note, an outcome's text): the next message is its text,
    kept as a draft under the handler's tag for the day (any bot process takes it)."""
    now = turn.now()

    def begin(session: Session) -> None:
        writer = today(turn.update, turn.context, session, now)
        complaints.start_draft(
            session,
            writer.tag,
            writer.cipher,
            kind=kind,
            step="text",
            data=data,
            expires_at=expiry(turn.app, now),
        )

    await turn.run(begin)


# -- a handler's typed answers (notes, the outcome's text), in handler group -1 ---------


def _their_language(visit: Visit) -> Translate:
    """The writer's language, as registered (even if no longer active)."""
    return translator(visit.person.language if visit.person else "th")


async def _staff_turn(visit: Visit, writer: WriterKey) -> Turn | None:
    """The writer as a ``Turn``, if they may still see complaints; otherwise their
    conversation is dropped and they are refused."""
    person = visit.person
    if person is not None and person.staff.active and await may_see(visit.app.db, person):
        return turn_of(visit.update, visit.context, person)
    await visit.run(lambda s: complaints.drop_draft(s, writer.tag))
    await visit.answer(refused(_their_language(visit)))
    return None


async def on_staff_text(visit: Visit, draft: Draft, writer: WriterKey) -> None:
    """A note or an outcome's text, from someone who may still see complaints."""
    turn = await _staff_turn(visit, writer)
    if turn is None:
        return
    text = clean_block(visit.message.text)
    limit = MAX_NOTE if draft.kind == "note" else MAX_OUTCOME
    if not text or len(text) > limit:
        await turn.answer(
            turn._("Please type the text (at most {limit} characters), or /cancel.").format(
                limit=limit
            )
        )
        return
    keep = _save_note if draft.kind == "note" else _preview_outcome
    await keep(turn, draft, writer, text)


async def _save_note(turn: Turn, draft: Draft, writer: WriterKey, text: str) -> None:
    complaint_id, keys, now = (
        int(draft.data["complaint_id"]),
        keys_or_fail(turn.context),
        turn.now(),
    )

    def keep(session: Session) -> bool:
        """Whether the note was kept (the complaint still there)."""
        added = complaints.add_note(
            session, complaint_id, keys, text=text, actor=actor(turn.person), now=now
        )
        complaints.drop_draft(session, writer.tag)
        return added is not None

    _ = turn._
    if not await turn.run(keep):
        await turn.answer(_("This complaint no longer exists. Nothing was changed."))
        return
    await turn.answer(
        _("The note is kept with {complaint}.").format(complaint=reference(complaint_id, _))
    )


async def _preview_outcome(turn: Turn, draft: Draft, writer: WriterKey, text: str) -> None:
    data = {**draft.data, "text": text}
    saved = await turn.run(
        lambda s: complaints.save_draft(
            s, draft, writer.cipher, step="confirm", data=data, expires_at=draft.expires_at
        )
    )
    if not saved:
        await turn.stale()
        return
    complaint_id = int(draft.data["complaint_id"])
    rows = [[(turn._("Confirm and close"), COMPLAINT(complaint_id, "confirm"))]]
    preview = _outcome_preview(complaint_id, str(draft.data["outcome"]), text, turn._)
    await turn.answer(preview, reply_markup=buttons(rows))


def _outcome_preview(complaint_id: int, outcome: str, text: str, _: Translate) -> str:
    return _(
        "{complaint} will be closed with the outcome: {outcome}\n\n"
        "The answer the complainant will read:\n{text}\n\n"
        'Press "Confirm and close", or type /cancel.'
    ).format(complaint=reference(complaint_id, _), outcome=outcome_name(outcome, _), text=text)


async def on_confirm_text(visit: Visit, draft: Draft, writer: WriterKey) -> None:
    """Text while a closing waits for its confirmation: point at the button."""
    if draft.step == "confirm":
        _ = _their_language(visit)
        await visit.answer(_('Please press "Confirm and close" above, or type /cancel.'))
    else:
        await on_staff_text(visit, draft, writer)


EXTRA_KINDS.update({"note": on_staff_text, "outcome": on_confirm_text})


# -- /handlers: the director names who follows up complaints ---------------------------


@confidential
@command()
async def handlers_command(turn: Turn) -> None:
    """/handlers [number]: the handlers (a button removes one); with a number, name one.
    The director's alone: anyone else naming someone is refused, audited, and the director
    told (who reads complaints is decided by nobody else, not even as a proposal)."""
    args = turn.context.args or []
    number = parse_number(args[0]) if args else None
    if Role.DIRECTOR not in turn.person.roles:
        await _refuse(turn, Change.HANDLER_NAMED, number)
    elif args and number is None:
        _ = turn._
        await turn.answer(
            _("Please type /handlers followed by the person's number, e.g. /handlers 12")
        )
    elif number is not None:
        await _name(turn, number)
    else:
        await _list_handlers(turn)


async def _list_handlers(turn: Turn) -> None:
    named, roster = await turn.run(_handlers_and_roster)
    _, ids = turn._, {staff.id for staff in named}
    lines = [_("Complaint handlers (besides the director):")]
    lines += [f"• #{staff.id} {staff.full_name}" for staff in named] or [_("  none named yet")]
    lines += ["", _("To name someone, type /handlers and their number:")]
    lines += [f"#{person.id} {person.name}" for person in roster if person.id not in ids]
    rows = [
        [(_("Remove: {name}").format(name=staff.full_name), HANDLER(staff.id or 0))]
        for staff in named
    ]
    await turn.answer("\n".join(lines), reply_markup=buttons(rows) if rows else None)


def _handlers_and_roster(session: Session) -> tuple[list[Staff], list[people.Person]]:
    return list(complaints.handlers(session)), people.roster(session)


async def _name(turn: Turn, number: int) -> None:
    now, _, director = turn.now(), turn._, turn.person
    person, named = await turn.run(lambda s: _name_handler(s, director, number, now))
    if person is None or not person.staff.active:
        await turn.answer(_("Nobody active has the number {number}.").format(number=number))
        return
    if not named:
        await turn.answer(_("{name} is already a complaint handler.").format(name=person.name))
        return
    await turn.run(  # the handler and any other director are told
        lambda s: notices.made(s, Change.HANDLER_NAMED, number, by_staff_id=director.id, now=now)
    )
    turn.app.wake()
    await menus.set_for(turn.context.bot, person, turn.settings, complaint_handler=True)
    await turn.answer(
        _("{name} is now a complaint handler and can use /complaints.").format(name=person.name)
    )


def _name_handler(
    session: Session, director: people.Person, number: int, now: datetime
) -> tuple[people.Person | None, bool]:
    person = people.by_id(session, number)
    named = (
        person is not None
        and person.staff.active
        and complaints.name_handler(session, number, actor=actor(director), now=now)
    )
    return person, named


@confidential
@button(HANDLER)
async def remove_handler_button(turn: Turn, staff_id: int) -> None:
    """``ch:<staff id>``: the director removes a handler (a press by anyone else, forged, is
    refused like /handlers)."""
    if Role.DIRECTOR not in turn.person.roles:
        await _refuse(turn, Change.HANDLER_REMOVED, staff_id)
        return
    now = turn.now()
    person, removed = await turn.run(lambda s: _remove(s, turn.person, staff_id, now))
    turn.app.wake()
    if person is None or not removed:
        await turn.stale()
        return
    await menus.set_for(turn.context.bot, person, turn.settings)
    await turn.answer(turn._("{name} is no longer a complaint handler.").format(name=person.name))


def _remove(
    session: Session, director: people.Person, staff_id: int, now: datetime
) -> tuple[people.Person | None, bool]:
    person = people.by_id(session, staff_id)
    removed = person is not None and complaints.remove_handler(
        session, person.id, actor=actor(director), now=now
    )
    if removed and person is not None:
        notices.made(session, Change.HANDLER_REMOVED, person.id, by_staff_id=director.id, now=now)
    return person, removed


async def _refuse(turn: Turn, change: Change, staff_id: int | None) -> None:
    """Not the director: naming (or removing) a handler is refused; when it names a real
    person, the attempt is audited and the director told."""
    now = turn.now()
    if not await turn.run(lambda s: _audit_refusal(s, turn.person, change, staff_id, now)):
        await turn.answer(only_for((Role.DIRECTOR,), turn._))
        return
    turn.app.wake()
    await turn.answer(refusal(Gate.DIRECTOR_ONLY, turn._))


def _audit_refusal(
    session: Session, person: people.Person, change: Change, staff_id: int | None, now: datetime
) -> bool:
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
