"""The memo's buttons (issue 15): the coordinator's "เสนอ", the director's order — submit by
a new deadline (then the order's words, typed or "ไม่ระบุ"), exempt (then the reason), or
"ทราบ จะสั่งการเอง" — and the words typed after them. The rules and the rows are
``bot.duties.memo_loop``'s; each press is checked at every use (``memo_loop.judge``) and
changes nothing when refused or pressed twice."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session
from telegram import Message
from telegram.error import TelegramError

from bot.common import questions
from bot.common.i18n import Translate, format_datetime
from bot.common.kit import Turn, button
from bot.common.texts import clean_text
from bot.duties.buttons import MEMO_ORDER, MEMO_PROPOSE
from bot.duties.handlers import _escalation_refusal
from bot.duties.memo_loop import Decision, Outcome, Result, decide, judge, number_text, propose
from bot.duties.order_texts import NO_WORDS, director_title
from bot.runtime.sender import markup
from storage import memos, power
from storage import questions as stored
from storage.models import MemoOrderKind, MemoState, Role

log = logging.getLogger(__name__)
WORDS_TTL = timedelta(hours=12)  # as long as an excuse's reason is awaited
MAX_WORDS = 500


# -- "เสนอ" ----------------------------------------------------------------------------------


@button(MEMO_PROPOSE, Role.COORDINATOR)
async def propose_button(turn: Turn, memo_id: int) -> None:
    """The coordinator proposes the memo to the director (or the acting officer), once."""
    person, settings, now = turn.person, turn.settings, turn.now()
    result = await turn.run(lambda s: propose(s, person, memo_id, settings, now))
    if result.outcome is Outcome.NOT_FOUND:
        await turn.alert(_not_found(turn._))
    elif result.outcome is Outcome.ALREADY:
        await turn.alert(turn._("This memo was already proposed. Nothing was changed."))
    else:
        turn.app.wake()
        moment = format_datetime(now.astimezone(turn.zone), turn.language)
        await _settled(turn, turn._("✅ Proposed on {moment}").format(moment=moment))
        director = director_title(dict(result.facts), turn.language)
        await turn.answer(
            turn._("Memo no. {number} has been proposed to the {director}.").format(
                number=number_text(result.facts), director=director
            )
        )


async def _settled(turn: Turn, status: str) -> None:
    """The pressed message loses its buttons and says what was done."""
    pressed = turn.query.message if turn.query is not None else None
    if not isinstance(pressed, Message) or not pressed.text:
        return
    try:
        await pressed.edit_text(f"{pressed.text}\n\n{status}", reply_markup=None)
    except TelegramError as error:  # an old message may no longer be editable
        log.warning("could not mark memo message %s: %s", pressed.message_id, error)


def _not_found(_: Translate) -> str:
    return _("This memo was not found. Nothing was changed.")


# -- the director's order --------------------------------------------------------------------


@button(MEMO_ORDER)
async def order_button(turn: Turn, pressed: tuple[str, int]) -> None:
    """The director's buttons on a memo: d, x, o, and n (no further words after d)."""
    action, memo_id = pressed
    if await may_order(turn, memo_id):
        await _ANSWERS[action](turn, memo_id)


async def may_order(turn: Turn, memo_id: int) -> bool:
    """Checked on the server at every press and again at the typed words."""
    person, now, zone = turn.person, turn.now(), turn.zone
    verdict = await turn.run(lambda s: judge(s, person, memo_id, now, zone))
    if verdict is None:
        await turn.alert(_not_found(turn._))
    elif verdict is not power.Answer.ALLOWED:
        await turn.answer(_refusal(verdict, turn._))
    return verdict is power.Answer.ALLOWED


def _refusal(verdict: power.Answer, _: Translate) -> str:
    if verdict is power.Answer.OWN:
        return _escalation_refusal(verdict, _)
    return _(
        "Sorry, only the director or the acting officer may order on a memo. Nothing was changed."
    )


async def _ask(turn: Turn, memo_id: int, kind: MemoOrderKind) -> bool:
    """Await the words (or the reason), only while the memo waits for the director's order."""
    person, now, about = turn.person, turn.now(), {"memo": memo_id, "kind": kind.value}
    topic = stored.MEMO_ORDER

    def ask(session: Session) -> str | None:
        view = memos.memo(session, memo_id)
        state = view.memo.state if view is not None else None
        if state == MemoState.PROPOSED.value:
            stored.ask(session, person.id, topic, about, now=now, ttl=WORDS_TTL)
        return state

    state = await turn.run(ask)
    if state == MemoState.DRAFT.value:
        await turn.alert(_not_proposed(turn._))
    elif state != MemoState.PROPOSED.value:
        await turn.alert(_already(turn._))
    return state == MemoState.PROPOSED.value


def _not_proposed(_: Translate) -> str:
    return _("This memo has not yet been proposed to the director. Nothing was changed.")


def _already(_: Translate) -> str:
    return _("This memo already has the director's order. Nothing was changed.")


async def _ask_words(turn: Turn, memo_id: int) -> None:
    if not await _ask(turn, memo_id, MemoOrderKind.DEADLINE):
        return
    skip = markup([[(turn._(NO_WORDS), MEMO_ORDER("n", memo_id))]])
    await turn.answer(
        turn._(
            "Please type the words of your order in one message (they are written into the "
            'memo\'s box), or press "No further words".'
        ),
        reply_markup=skip,
    )


async def _ask_reason(turn: Turn, memo_id: int) -> None:
    if not await _ask(turn, memo_id, MemoOrderKind.EXCUSED):
        return
    await turn.answer(turn._("Please type the reason for the excuse in one message (or /cancel)."))


async def _no_words(turn: Turn, memo_id: int) -> None:
    await questions.take(turn.app, turn.person, stored.MEMO_ORDER)
    await _decide(turn, memo_id, Decision(MemoOrderKind.DEADLINE.value))


async def _in_person(turn: Turn, memo_id: int) -> None:
    await _decide(turn, memo_id, Decision(MemoOrderKind.DIRECTOR.value))


_ANSWERS = {"d": _ask_words, "x": _ask_reason, "o": _in_person, "n": _no_words}


async def order_words(turn: Turn, text: str) -> None:
    """The order's words (or the exemption's reason) typed after the button."""
    asked = await questions.take(turn.app, turn.person, stored.MEMO_ORDER)
    if asked is None:
        await turn.answer(_not_found(turn._))
        return
    memo_id = int(asked["memo"])
    if await may_order(turn, memo_id):
        words = clean_text(text, MAX_WORDS)
        await _decide(turn, memo_id, Decision(str(asked["kind"]), words))


async def _decide(turn: Turn, memo_id: int, decision: Decision) -> None:
    person, settings, now = turn.person, turn.settings, turn.now()
    result = await turn.run(lambda s: decide(s, person, memo_id, decision, settings, now))
    if result.outcome is Outcome.DONE:
        turn.app.wake()
        await turn.answer(_decided(turn, decision, result))
    elif result.outcome is Outcome.NOT_FOUND:
        await turn.alert(_not_found(turn._))
    elif result.outcome is Outcome.NOT_PROPOSED:
        await turn.alert(_not_proposed(turn._))
    else:
        await turn.alert(_already(turn._))


def _decided(turn: Turn, decision: Decision, result: Result) -> str:
    names = ", ".join(dict.fromkeys(result.told)) or "-"
    if decision.kind == MemoOrderKind.DEADLINE.value and result.new_due_at is not None:
        due = format_datetime(result.new_due_at.astimezone(turn.zone), turn.language)
        return turn._("Recorded: submit by {due}. The order has gone to {names}.").format(
            due=due, names=names
        )
    if decision.kind == MemoOrderKind.EXCUSED.value:
        return turn._("Exempted, with the reason: {reason}. Told: {names}.").format(
            reason=decision.words, names=names
        )
    return turn._("Recorded: you will order it yourself. Nothing is sent to those concerned.")
