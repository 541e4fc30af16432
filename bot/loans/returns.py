"""/return: the procurement officer records what came back, item by item, each with its
condition (good, damaged, missing a part) and a note. Items left unmarked stay on loan, so a
partial return is visible and a complete one verifiable. A damaged or incomplete item is
reported to the director (or the acting officer) through the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.common.callbacks import number
from bot.common.i18n import N_, Translate
from bot.common.kit import Turn, button, command
from bot.common.render import Keyboard
from bot.common.texts import parse_number
from bot.common.words import CONDITION_BUTTONS, condition_name
from bot.loans.handover import (
    BUTTON_LIMIT,
    NOTHING_OUT,
    Data,
    Press,
    Presses,
    cancel_entry,
    confirm_or_cancel,
    drop,
    edit_pressed,
    loan_message,
    office_calendar,
    pressed,
    save,
    show,
    stale,
    typed_line,
)
from bot.loans.texts import RETURN, item_lines
from jobs.loans.step import directors_now, loan_params
from storage import loans, outbox
from storage.loans import LoanView, ReturnResult
from storage.models import LoanItem, ReturnCondition, Role

CODES = {"g": ReturnCondition.GOOD, "d": ReturnCondition.DAMAGED, "m": ReturnCondition.MISSING_PART}
# the buttons' own short words (bot.common.words), as people's chats show them
BUTTON_LABELS = tuple((code, CONDITION_BUTTONS[kind.value]) for code, kind in CODES.items())
MAX_NOTE = 500
# a press under a return being entered, with the loan it is about (still open)
LoanPress = Callable[[Turn, LoanView, Data, tuple[str, ...]], Awaitable[None]]


@command(Role.PROCUREMENT)
async def return_command(turn: Turn) -> None:
    """/return [loan no.]: record a return; without a number, a button for each open loan."""
    argument = (turn.context.args or [""])[0]
    if argument:
        await _start(turn, parse_number(argument))
        return
    found = await turn.run(loans.open_loans)
    if not found:
        await turn.answer(turn._(NOTHING_OUT))
        return
    await show(turn, [turn._("Which loan is being returned?")], _loan_buttons(found, turn._))


def _loan_buttons(found: list[LoanView], _: Translate) -> Keyboard:
    label = _("No. {number}: {name} ({count} items out)")
    return [
        [
            (
                label.format(number=v.id, name=v.borrower.full_name, count=len(v.outstanding)),
                RETURN("s", v.id),
            )
        ]
        for v in found[:BUTTON_LIMIT]
    ]


async def _start(turn: Turn, loan_id: int | None) -> None:
    found = await turn.run(lambda session: loans.view(session, loan_id)) if loan_id else None
    if found is None or not found.is_open:
        await turn.answer(
            turn._("There is no open loan with that number. Type /loans to see the open loans.")
        )
        return
    data: Data = {"loan": found.id, "conditions": {}}
    await save(turn, "return", "items", data)
    text, keyboard = _checklist(found, data, turn._)
    await show(turn, [text], keyboard)


def _checklist(found: LoanView, data: Data, _: Translate) -> tuple[str, Keyboard]:
    """The items still out, each with the condition chosen so far, and a row of buttons each."""
    chosen = data.get("conditions", {})
    lines = [
        _(
            "Return of loan no. {number} ({name}). For each item that came back, press its "
            "condition; items left unmarked stay on loan. Then press Continue."
        ).format(number=found.id, name=found.borrower.full_name),
        "",
    ]
    keyboard: Keyboard = []
    for line, item in enumerate(found.outstanding, start=1):
        condition = chosen.get(str(item.id))
        state = condition_name(condition, _) if condition else _("still out")
        lines.append(f"{line}. {item.asset_number} — {item.description}: {state}")
        keyboard.append(
            [(f"{line}: {_(label)}", RETURN("i", item.id, code)) for code, label in BUTTON_LABELS]
        )
    keyboard.append([(_("Continue"), RETURN("n")), (_("Cancel"), RETURN("no"))])
    return "\n".join(lines), keyboard


async def _loan_of(turn: Turn, data: Data) -> LoanView | None:
    loan_id = int(data.get("loan", 0))
    found = await turn.run(lambda session: loans.view(session, loan_id))
    return found if found is not None and found.is_open else None


@button(RETURN, Role.PROCUREMENT)
async def return_button(turn: Turn, parts: tuple[str, ...]) -> None:
    """The buttons of /return: choose a loan, an item's condition, continue, confirm, cancel."""
    if parts[0] == "s" and len(parts) == 2:
        await _start(turn, number(parts[1]))
    elif parts == ("no",):
        await cancel_entry(turn)
    else:
        await pressed(turn, "return", RETURN_PRESSES, parts)


def _with_loan(press: LoanPress) -> Press:
    """A press that needs the loan still open (else the button is stale)."""

    async def with_loan(turn: Turn, data: Data, rest: tuple[str, ...]) -> None:
        found = await _loan_of(turn, data)
        if found is None:
            await stale(turn)
            return
        await press(turn, found, data, rest)

    return with_loan


async def _choose(turn: Turn, found: LoanView, data: Data, rest: tuple[str, ...]) -> None:
    """One item's condition: the checklist message is edited to show it."""
    item_id, code = rest
    if code not in CODES or item_id not in {str(item.id) for item in found.outstanding}:
        await stale(turn)
        return
    data = {**data, "conditions": {**data.get("conditions", {}), item_id: CODES[code].value}}
    await save(turn, "return", "items", data)
    text, keyboard = _checklist(found, data, turn._)
    if turn.query is not None:
        await turn.query.answer()
    if not await edit_pressed(turn, text, keyboard, "the return checklist"):
        await show(turn, [text], keyboard)


def _not_good(data: Data) -> bool:
    return any(value != ReturnCondition.GOOD.value for value in data.get("conditions", {}).values())


async def _ask_note(turn: Turn, found: LoanView, data: Data, rest: tuple[str, ...]) -> None:
    _ = turn._
    if not data.get("conditions"):
        await turn.answer(_("Please press the condition of at least one item that came back."))
        return
    await save(turn, "return", "note", data)
    if _not_good(data):
        await turn.answer(
            _(
                "Please describe in one message what is damaged or missing (this goes to "
                "the director)."
            )
        )
        return
    ask = _('Please type a note about the return, or press "No note".')
    await show(turn, [ask], [[(_("No note"), RETURN("n0"))]])


async def _no_note(turn: Turn, found: LoanView, data: Data, rest: tuple[str, ...]) -> None:
    """ "No note": only when every item came back good (else a note is asked for)."""
    if _not_good(data):
        await stale(turn)
        return
    await _preview(turn, found, {**data, "note": ""})


async def note_text(turn: Turn, data: Data, text: str) -> None:
    """The note typed after the conditions."""
    found = await _loan_of(turn, data)
    if found is None:
        await drop(turn)
        await turn.answer(turn._("This loan is no longer open. Nothing was changed."))
        return
    ask = N_("Please type the note in one message of at most {limit} characters.")
    note = await typed_line(turn, text, MAX_NOTE, ask)
    if note:
        await _preview(turn, found, {**data, "note": note})


def _chosen_items(found: LoanView, data: Data) -> list[dict[str, Any]]:
    chosen = data.get("conditions", {})
    return [
        {"asset": i.asset_number, "description": i.description, "condition": chosen[str(i.id)]}
        for i in found.outstanding
        if str(i.id) in chosen
    ]


async def _preview(turn: Turn, found: LoanView, data: Data) -> None:
    await save(turn, "return", "preview", data)
    keyboard = confirm_or_cancel(turn._, RETURN("ok"), RETURN("no"))
    await show(turn, _return_summary(found, data, turn._), keyboard)


def _return_summary(found: LoanView, data: Data, _: Translate) -> list[str]:
    chosen = data.get("conditions", {})
    still = [
        {"asset": i.asset_number, "description": i.description}
        for i in found.outstanding
        if str(i.id) not in chosen
    ]
    lines = [
        _("Please check the return before it is recorded:"),
        _("Loan no. {number}").format(number=found.id),
        _("Borrower: {name}").format(name=found.borrower.full_name),
        "",
        _("Returned:"),
        *item_lines(_chosen_items(found, data), _),
    ]
    if data.get("note"):
        lines.append(_("Note: {note}").format(note=data["note"]))
    if still:
        lines += ["", _("Still to be returned ({count}):").format(count=len(still))]
        lines += item_lines(still, _)
    if _not_good(data):
        lines += ["", _("The director will be told of the damaged or incomplete items.")]
    return lines


async def _record(turn: Turn, found: LoanView, data: Data, rest: tuple[str, ...]) -> None:
    """Confirmed: the items, the audit event, the borrower's and the director's messages."""
    conditions = {
        int(item_id): ReturnCondition(value) for item_id, value in data["conditions"].items()
    }
    note, now = str(data.get("note", "")), turn.now()
    result = await turn.run(lambda session: _take_back(session, turn, found, conditions, note, now))
    if result is None or not result.returned:
        await turn.answer(turn._("Nothing was recorded: these items are no longer on loan."))
        return
    turn.app.wake()
    await turn.answer(_done_text(found, result, turn._))


RETURN_PRESSES: Presses = {
    ("i", 3): ("items", _with_loan(_choose)),
    ("n", 1): ("items", _with_loan(_ask_note)),
    ("n0", 1): ("note", _with_loan(_no_note)),
    ("ok", 1): ("preview", _with_loan(_record)),
}


def _take_back(
    session: Session,
    turn: Turn,
    found: LoanView,
    conditions: dict[int, ReturnCondition],
    note: str,
    now: datetime,
) -> ReturnResult | None:
    """The return recorded, the borrower and the director told, the draft gone."""
    officer_id = turn.person.id
    result = loans.record_return(
        session, found.id, conditions, note, by_staff_id=officer_id, now=now
    )
    if result is not None and result.returned:
        _tell(session, turn, found, result, note, now)
    loans.drop_draft(session, officer_id)
    return result


def _done_text(found: LoanView, result: ReturnResult, _: Translate) -> str:
    back = len(found.items) - len(result.outstanding)
    lines = [
        _("The return is recorded for loan no. {number}: {back} of {total} items are back.").format(
            number=found.id, back=back, total=len(found.items)
        ),
        _("Every item is back; the loan is closed.")
        if result.closed
        else _("{count} items are still out.").format(count=len(result.outstanding)),
    ]
    if result.not_good:
        lines.append(_("The director has been told of the damaged or incomplete items."))
    return "\n".join(lines)


def _tell(
    session: Session, turn: Turn, found: LoanView, result: ReturnResult, note: str, now: datetime
) -> None:
    """The borrower hears what was recorded; the director, of anything damaged or missing
    (in the transaction of the return, on a worker thread: the day is ``now``'s)."""
    today = now.astimezone(turn.zone).date()
    first = min(item.id or 0 for item in result.returned)
    params = _return_params(session, turn, found, result, now)
    params.update(note=note, returned_on=today.isoformat())
    messages = [loan_message(found, f"returned-{first}", found.borrower, "loan_returned", params)]
    if result.not_good:
        to_director = {**params, "for_director": True}
        messages += [
            loan_message(found, f"damage-{first}", staff, "loan_damage", to_director)
            for staff in directors_now(session, today)
        ]
    outbox.enqueue(session, messages, now=now)


def _return_params(
    session: Session, turn: Turn, found: LoanView, result: ReturnResult, now: datetime
) -> dict[str, Any]:
    """The loan's parameters with what came back, what is still out, and who recorded it."""

    def listed(items: Iterable[LoanItem]) -> list[dict[str, Any]]:
        return [
            {"asset": i.asset_number, "description": i.description, "condition": i.return_condition}
            for i in items
        ]

    return {
        **loan_params(found, office_calendar(turn.app, session), now),
        "returned": listed(result.returned),
        "outstanding": listed(result.outstanding),
        "not_good": listed(result.not_good),
        "recorded_by": turn.person.name,
    }


TEXT_STEPS = {"note": note_text}
