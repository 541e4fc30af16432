"""/publish: a staff member sends news or a document for the office's website or social page,
in three steps — the content (texts, photos, files, as many messages as needed), where it
goes, and a confirmation — then it is a queue item for the web officer(s).

The request being put together is a draft in the database (``storage.publications``) and the
step it is at a question (``storage.questions`` ``PUBLISH``), so a restart or another process
loses nothing; one left alone for ``DRAFT_TTL`` is forgotten.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.common.access import load_person
from bot.common.callbacks import word
from bot.common.i18n import Translate
from bot.common.kit import Turn, button, command, turn_of
from bot.common.render import Keyboard
from bot.publishing.texts import PUBLISH, attachments_line, destination_name
from bot.runtime.sender import markup
from jobs.publishing.ladder import first_wake
from jobs.publishing.step import DRAFT_TTL, calendar_of, queue_messages, web_officers
from storage import outbox, publications
from storage import questions as stored
from storage.models import AwaitedAnswer
from storage.publications import DESTINATIONS, DOCUMENT, PHOTO, TEXT
from storage.questions import PUBLISH as TOPIC

CONTENT, WHERE, CONFIRM = "content", "where", "confirm"  # the steps
MAX_TEXT = 4000  # one message's text, as Telegram allows


async def _ask(turn: Turn, publication_id: int, step: str, where: str = "") -> None:
    """The draft's step, as a question awaiting this person (replacing the one before)."""
    now, staff_id, data = turn.now(), turn.person.id, {"publication": publication_id}
    await turn.run(
        lambda s: stored.ask(
            s, staff_id, TOPIC, data, now=now, ttl=DRAFT_TTL, step=step, kind=where
        )
    )


async def _draft(turn: Turn) -> AwaitedAnswer | None:
    now, staff_id = turn.now(), turn.person.id
    return await turn.run(lambda s: stored.awaited(s, staff_id, TOPIC, now=now))


def _content_keyboard(_: Translate) -> Keyboard:
    return [[(_("Next"), PUBLISH("next")), (_("Cancel"), PUBLISH("no"))]]


@command()
async def publish_command(turn: Turn) -> None:
    """/publish [text]: a new request; what follows the command is its first text."""
    now, staff_id = turn.now(), turn.person.id
    draft = await turn.run(lambda s: publications.start_draft(s, staff_id, now=now))
    assert draft.id is not None
    await _ask(turn, draft.id, CONTENT)
    first = " ".join(turn.context.args or []).strip()
    if first:
        await _add(turn, draft.id, TEXT, text=first[:MAX_TEXT])
        return
    ask = turn._(
        "A request to publish, step 1 of 3: please send the text, photos or files to be "
        'published (as many messages as needed), then press "Next". (/cancel stops without '
        "sending anything.)"
    )
    await turn.answer(ask, reply_markup=markup(_content_keyboard(turn._)))


async def _add(turn: Turn, publication_id: int, kind: str, **part: str | None) -> None:
    now = turn.now()
    count = await turn.run(
        lambda s: publications.add_part(s, publication_id, kind, now=now, **part)
    )
    if count is None:
        text = turn._(
            "This request cannot take more (at most {limit} messages). Please press "
            '"Next", or /cancel.'
        ).format(limit=publications.MAX_PARTS)
    else:
        text = turn._(
            'Received ({count} so far). Send more, or press "Next" when everything is here.'
        ).format(count=count)
    await turn.answer(text, reply_markup=markup(_content_keyboard(turn._)))


async def content_text(turn: Turn, text: str) -> None:
    """A text typed while a request is being put together: its content at the first step; at
    the others, a pointer to the buttons."""
    row = await _draft(turn)
    if row is None:
        await turn.answer(turn._("This request has expired. Please type /publish again."))
        return
    if row.step != CONTENT:
        await turn.answer(turn._("Please use the buttons above, or /cancel."))
        return
    await _add(turn, int(row.data["publication"]), TEXT, text=text[:MAX_TEXT])


async def content_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo or a file: the content of this person's request at its first step. Anything
    else (no request, another step, an unknown sender) goes on to the other handlers."""
    person = await load_person(update, context)
    if person is None or not person.staff.active or update.message is None:
        return
    turn = turn_of(update, context, person)
    row = await _draft(turn)
    if row is None or row.step != CONTENT:
        return
    kind, part = _file_of(update.message)
    await _add(turn, int(row.data["publication"]), kind, **part)
    raise ApplicationHandlerStop  # not also evidence for a report


def _file_of(message: Message) -> tuple[str, dict[str, str | None]]:
    caption = message.caption[:MAX_TEXT] if message.caption else None
    if message.photo:
        return PHOTO, {"file_id": message.photo[-1].file_id, "text": caption}
    document = message.document
    assert document is not None  # the handler's filter: a photo or a document
    return DOCUMENT, {"file_id": document.file_id, "file_name": document.file_name, "text": caption}


@button(PUBLISH)
async def publish_button(turn: Turn, parts: tuple[str, ...]) -> None:
    """The buttons of /publish: next, where, confirm, cancel — each only at its step."""
    row = await _draft(turn)
    if parts == ("no",):
        await _cancel(turn)
    elif row is None:
        await turn.stale()
    elif parts == ("next",) and row.step == CONTENT:
        await _where(turn, row)
    elif len(parts) == 2 and parts[0] == "to" and row.step in (WHERE, CONFIRM):
        await _preview(turn, row, word(parts[1]) or "")
    elif parts == ("ok",) and row.step == CONFIRM:
        await _send(turn, row)
    else:
        await turn.stale()


async def _cancel(turn: Turn) -> None:
    staff_id = turn.person.id

    def drop(session: Session) -> None:
        stored.forget(session, staff_id, [TOPIC])
        publications.drop_drafts(session, staff_id=staff_id)

    await turn.run(drop)
    await turn.answer(turn._("Cancelled. Nothing was sent."))


async def _where(turn: Turn, row: AwaitedAnswer) -> None:
    publication_id = int(row.data["publication"])
    found = await turn.run(lambda s: publications.view(s, publication_id))
    if found is None or not found.parts:
        await turn.answer(turn._("Please send the text, photos or files first."))
        return
    await _ask(turn, publication_id, WHERE)
    _ = turn._
    keyboard: Keyboard = [
        [(destination_name(code, _), PUBLISH("to", code))] for code in DESTINATIONS
    ]
    keyboard.append([(_("Cancel"), PUBLISH("no"))])
    await turn.answer(
        _("Step 2 of 3: where should it be published?"), reply_markup=markup(keyboard)
    )


async def _preview(turn: Turn, row: AwaitedAnswer, where: str) -> None:
    publication_id = int(row.data["publication"])
    found = await turn.run(lambda s: publications.view(s, publication_id))
    if where not in DESTINATIONS or found is None:
        await turn.stale()
        return
    await _ask(turn, publication_id, CONFIRM, where)
    _ = turn._
    lines = [
        _("Step 3 of 3: please check the request before it is sent to the web officer:"),
        "",
        _("To be published on: {where}").format(where=destination_name(where, _)),
        found.text or "-",
        attachments_line(found.count(PHOTO), found.count(DOCUMENT), _),
    ]
    keyboard = [[(_("Confirm"), PUBLISH("ok")), (_("Cancel"), PUBLISH("no"))]]
    await turn.answer("\n".join(lines), reply_markup=markup(keyboard))


async def _send(turn: Turn, row: AwaitedAnswer) -> None:
    """Confirmed: the item queued, the web officers told, the question gone — one commit."""
    publication_id, where, now = int(row.data["publication"]), row.kind, turn.now()
    sent = await turn.run(lambda s: _queue(s, turn, publication_id, where, now))
    if sent is None:
        await turn.stale()
        return
    turn.app.wake()
    _ = turn._
    text = _(
        "Sent to the web officer as request no. {number}. You will be told when it is "
        "published, with its link, or if it is not."
    ).format(number=publication_id)
    if not sent:
        text += "\n" + _(
            "No web officer is named yet: the request waits in the queue, and the coordinator "
            "will be told if it is not answered."
        )
    await turn.answer(text)


def _queue(
    session: Session, turn: Turn, publication_id: int, where: str, now: datetime
) -> int | None:
    """The item in the queue and its first message to each web officer; how many were told
    (None: the draft was no longer there to send)."""
    settings, staff_id = turn.settings, turn.person.id
    wake = first_wake(settings.publishing.ladder, now, calendar_of(settings, session))
    if not publications.submit(
        session, publication_id, where, staff_id=staff_id, next_action_at=wake, now=now
    ):
        return None
    stored.take(session, staff_id, TOPIC, now=now)
    found = publications.view(session, publication_id)
    assert found is not None
    officers = web_officers(session)
    outbox.enqueue(session, queue_messages(found, officers, "new", {"kind": "new"}), now=now)
    return len(officers)
