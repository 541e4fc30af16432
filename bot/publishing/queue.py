"""The web officer's side of the queue: "Published" (then the link or links), "Not published"
(then the reason), "Show the content and files", and /publications, the queue itself.

The link or the reason is a question awaited in the database (``storage.questions``
``PUBLISH_ANSWER``); the item is decided once (a conditional UPDATE), the sender told through
the outbox in the same transaction. A link that is not a web address is refused politely and
the question stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session
from telegram.error import TelegramError

from bot.common.i18n import Translate, format_datetime
from bot.common.kit import Turn, button, command
from bot.common.render import Keyboard
from bot.common.texts import clean_text
from bot.publishing.texts import QUEUE, destination_name, item_facts
from bot.runtime.sender import markup
from jobs.publishing.step import queue_params
from storage import outbox, publications
from storage import questions as stored
from storage.models import Role
from storage.outbox import NewMessage
from storage.publications import DOCUMENT, PHOTO, TEXT, PublicationView
from storage.questions import PUBLISH_ANSWER as TOPIC

ANSWER_TTL = timedelta(hours=12)
MAX_LINKS, MAX_LINK, MAX_REASON = 5, 500, 500
LISTED = 10  # items with buttons under /publications
LINKS, REASON = "links", "reason"


def links_in(text: str) -> list[str] | None:
    """The web addresses typed (one or more, separated by spaces or lines): each http(s)
    with a host name; None when any is not, or there are none or too many."""
    words = text.split()
    if not 1 <= len(words) <= MAX_LINKS:
        return None
    for link in words:
        try:
            parts = urlsplit(link)
        except ValueError:
            return None
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or "." not in host.strip("."):
            return None
        if len(link) > MAX_LINK or not link.isprintable():
            return None
    return list(dict.fromkeys(words))


@button(QUEUE, Role.WEB_OFFICER)
async def queue_button(turn: Turn, pressed: tuple[str, int]) -> None:
    """A web officer's press on a queue item: ask the link or the reason, or show it."""
    action, publication_id = pressed
    found = await turn.run(lambda s: publications.view(s, publication_id))
    if found is None:
        await turn.stale()
    elif action == "show":
        await _show(turn, found)
    elif found.publication.status != publications.WAITING:
        await turn.answer(_already(found, turn._))
    else:
        await _ask(turn, found, LINKS if action == "done" else REASON)


def _already(found: PublicationView, _: Translate) -> str:
    who = found.decided_by.full_name if found.decided_by else "-"
    return _("Request no. {number} was already answered by {name}. Nothing was changed.").format(
        number=found.id, name=who
    )


async def _ask(turn: Turn, found: PublicationView, kind: str) -> None:
    now, staff_id, data = turn.now(), turn.person.id, {"publication": found.id}
    await turn.run(
        lambda s: stored.ask(s, staff_id, TOPIC, data, now=now, ttl=ANSWER_TTL, kind=kind)
    )
    if kind == LINKS:
        text = turn._(
            "Request no. {number}: please send the link (the web address, starting with "
            "https://) where it is published; for both channels, one link per line."
        )
    else:
        text = turn._("Request no. {number}: please type why it is not published.")
    await turn.answer(text.format(number=found.id))


async def _show(turn: Turn, found: PublicationView) -> None:
    """The whole content to the web officer: the texts, then each photo and file."""
    chat, bot = turn.person.staff.chat_id, turn.context.bot
    await turn.answer("\n".join(item_facts(queue_params(found), turn.language, turn.zone)))
    for part in found.parts:
        try:
            if part.kind == PHOTO and part.file_id:
                await bot.send_photo(chat, part.file_id, caption=part.text)
            elif part.kind == DOCUMENT and part.file_id:
                await bot.send_document(chat, part.file_id, caption=part.text)
            elif part.kind == TEXT and part.text:
                await bot.send_message(chat, part.text)
        except TelegramError as error:  # a file Telegram no longer has: say so, go on
            await turn.answer(turn._("A file could not be shown: {error}").format(error=error))


async def on_answer(turn: Turn, text: str) -> None:
    """The link(s) or the reason typed after a press; checked before anything is written."""
    now, staff_id = turn.now(), turn.person.id
    row = await turn.run(lambda s: stored.awaited(s, staff_id, TOPIC, now=now))
    if row is None:
        await turn.answer(turn._("This question has expired. Please press the button again."))
        return
    if not turn.person.has_any(Role.WEB_OFFICER):
        await turn.run(lambda s: stored.forget(s, staff_id, [TOPIC]))
        await turn.answer(turn._("Only the web officer may answer a request. Nothing was changed."))
        return
    value = _value(row.kind, text)
    if value is None:
        await turn.answer(_problem(row.kind, turn._))
        return
    await _decide(turn, int(row.data["publication"]), row.kind, value)


def _value(kind: str, text: str) -> list[str] | str | None:
    if kind == LINKS:
        return links_in(text)
    reason = clean_text(text, 10_000)
    return reason if reason and len(reason) <= MAX_REASON else None


def _problem(kind: str, _: Translate) -> str:
    if kind == LINKS:
        return _(
            "Sorry, this is not a link the office can record. Please send the web address as "
            "it appears in the browser, starting with http:// or https:// (at most {count}, "
            "one per line). Nothing was changed."
        ).format(count=MAX_LINKS)
    return _("Please type the reason in one message of at most {limit} characters.").format(
        limit=MAX_REASON
    )


async def _decide(turn: Turn, publication_id: int, kind: str, value: list[str] | str) -> None:
    now = turn.now()
    found = await turn.run(lambda s: _record(s, turn, publication_id, kind, value, now))
    if found is None:
        await turn.answer(turn._("This request was already answered. Nothing was changed."))
        return
    turn.app.wake()
    if kind == LINKS:
        text = turn._("Recorded as published. {name} has been told, with the link.")
    else:
        text = turn._("Recorded as not published. {name} has been told the reason.")
    await turn.answer(text.format(name=found.sender.full_name))


def _record(
    session: Session,
    turn: Turn,
    publication_id: int,
    kind: str,
    value: list[str] | str,
    now: datetime,
) -> PublicationView | None:
    """The decision, the question taken, the sender told: one commit (None: decided before)."""
    staff_id = turn.person.id
    stored.take(session, staff_id, TOPIC, now=now)
    if isinstance(value, list):
        done = publications.publish(session, publication_id, value, by_staff_id=staff_id, now=now)
    else:
        reason = str(value)
        done = publications.decline(session, publication_id, reason, by_staff_id=staff_id, now=now)
    found = publications.view(session, publication_id) if done else None
    if found is not None:
        outbox.enqueue(session, [_tell_sender(found, turn.person.name, now)], now=now)
    return found


def _tell_sender(found: PublicationView, by: str, now: datetime) -> NewMessage:
    row = found.publication
    template = (
        "publication_published"
        if row.status == publications.PUBLISHED
        else ("publication_declined")
    )
    params: dict[str, Any] = {
        **queue_params(found),
        "links": list(row.links),
        "reason": row.reason,
        "by": by,
        "decided_at": now.isoformat(),
    }
    key = f"publication:{found.id}:{row.status}:to-{found.sender.id}"
    return NewMessage(key, found.sender.chat_id, template, params, found.sender.id)


@command(Role.WEB_OFFICER, Role.COORDINATOR, Role.DIRECTOR, Role.ADMIN)
async def publications_command(turn: Turn) -> None:
    """/publications: every item still waiting, the oldest first, with since when; the web
    officer gets the buttons of the first ones."""
    found = await turn.run(publications.waiting)
    _ = turn._
    if not found:
        await turn.answer(_("No request to publish is waiting."))
        return
    lines = [_("Requests to publish still waiting ({count}):").format(count=len(found)), ""]
    lines += [_waiting_line(item, turn) for item in found]
    keyboard: Keyboard = []
    if turn.person.has_any(Role.WEB_OFFICER):
        keyboard = [_buttons(item.id, _) for item in found[:LISTED]]
    await turn.answer("\n".join(lines), reply_markup=markup(keyboard))


def _waiting_line(item: PublicationView, turn: Turn) -> str:
    since = item.publication.requested_at or item.publication.created_at
    return turn._("• No. {number}, {name}, {where}: waiting since {since}").format(
        number=item.id,
        name=item.sender.full_name,
        where=destination_name(item.publication.destination, turn._),
        since=format_datetime(since.astimezone(turn.zone), turn.language),
    )


def _buttons(publication_id: int, _: Translate) -> list[tuple[str, str]]:
    return [
        (_("Published: no. {number}").format(number=publication_id), QUEUE("done", publication_id)),
        (
            _("Not published: no. {number}").format(number=publication_id),
            QUEUE("no", publication_id),
        ),
    ]
