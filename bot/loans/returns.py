"""/return: the procurement officer records what came back, item by item, each with its
condition (good, damaged, missing a part) and a note. Items left unmarked stay on loan, so a
partial return is visible and a complete one verifiable. A damaged or incomplete item is
reported to the director (or the acting officer) through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session
from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.common.access import answer, requires
from bot.common.i18n import N_, Translate, translator
from bot.common.render import Keyboard
from bot.common.services import Services, services
from bot.common.texts import clean_text, parse_number
from bot.loans.handover import (
    BUTTON_LIMIT,
    RETURN_START,
    current_draft,
    drop,
    log,
    office_calendar,
    save,
    stale,
)
from bot.loans.texts import condition_name, item_lines
from bot.runtime.sender import markup
from jobs.loans.step import directors_now, loan_params
from storage import loans, outbox, people
from storage.loans import LoanView, ReturnResult
from storage.models import LoanItem, ReturnCondition, Role
from storage.outbox import NewMessage

RETURN_CALLBACK = "lr:"
CODES = {"g": ReturnCondition.GOOD, "d": ReturnCondition.DAMAGED, "m": ReturnCondition.MISSING_PART}
BUTTON_LABELS = (("g", N_("good")), ("d", N_("damaged")), ("m", N_("missing part")))
MAX_NOTE = 500


@requires(Role.PROCUREMENT)
async def return_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """/return [loan no.]: record a return; without a number, a button for each open loan."""
    app, _ = services(context), translator(officer.language)
    argument = (context.args or [""])[0]
    if argument:
        await _start(update, context, officer, parse_number(argument))
        return
    found = await app.db.run(loans.open_loans)
    if not found:
        await answer(update, _("No property is out on loan at the moment."))
        return
    keyboard: Keyboard = [
        [
            (
                _("No. {number}: {name} ({count} items out)").format(
                    number=view.id, name=view.borrower.full_name, count=len(view.outstanding)
                ),
                f"{RETURN_START}{view.id}",
            )
        ]
        for view in found[:BUTTON_LIMIT]
    ]
    await answer(update, _("Which loan is being returned?"), reply_markup=markup(keyboard))


async def _start(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person, loan_id: int | None
) -> None:
    app, _ = services(context), translator(officer.language)
    found = await app.db.run(lambda session: loans.view(session, loan_id)) if loan_id else None
    if found is None or not found.is_open:
        await answer(
            update,
            _("There is no open loan with that number. Type /loans to see the open loans."),
        )
        return
    data: dict[str, Any] = {"loan": found.id, "conditions": {}}
    await save(app, officer, "return", "items", data)
    text, keyboard = _checklist(found, data, _)
    await answer(update, text, reply_markup=markup(keyboard))


def _checklist(found: LoanView, data: dict[str, Any], _: Translate) -> tuple[str, Keyboard]:
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
    for number, item in enumerate(found.outstanding, start=1):
        condition = chosen.get(str(item.id))
        state = condition_name(condition, _) if condition else _("still out")
        lines.append(f"{number}. {item.asset_number} — {item.description}: {state}")
        keyboard.append(
            [
                (f"{number}: {_(label)}", f"{RETURN_CALLBACK}i:{item.id}:{code}")
                for code, label in BUTTON_LABELS
            ]
        )
    keyboard.append([(_("Continue"), f"{RETURN_CALLBACK}n"), (_("Cancel"), f"{RETURN_CALLBACK}no")])
    return "\n".join(lines), keyboard


async def _loan_of(data: dict[str, Any], context: ContextTypes.DEFAULT_TYPE) -> LoanView | None:
    loan_id = int(data.get("loan", 0))
    found = await services(context).db.run(lambda session: loans.view(session, loan_id))
    return found if found is not None and found.is_open else None


@requires(Role.PROCUREMENT)
async def return_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """The buttons of /return: choose a loan, an item's condition, continue, confirm, cancel."""
    query, app, _ = update.callback_query, services(context), translator(officer.language)
    action = (query.data or "").removeprefix(RETURN_CALLBACK) if query else ""
    if action.startswith("s:"):
        await _start(update, context, officer, parse_number(action.removeprefix("s:")))
        return
    if action == "no":
        await drop(app, officer)
        await answer(update, _("Cancelled. Nothing was changed."))
        return
    step = {"n0": "note", "ok": "preview"}.get(action, "items")
    row = await current_draft(app, officer, "return", step)
    found = await _loan_of(row.data, context) if row is not None else None
    if row is None or found is None:
        await stale(update, _)
    elif action.startswith("i:"):
        await _choose(update, context, officer, found, row.data, action.removeprefix("i:"))
    elif action == "n":
        await _ask_note(update, context, officer, found, row.data)
    elif action == "n0" and not _not_good(row.data):
        await _preview(update, context, officer, found, {**row.data, "note": ""})
    elif action == "ok":
        await _record(update, context, officer, found, row.data)
    else:
        await stale(update, _)


async def _choose(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    found: LoanView,
    data: dict[str, Any],
    choice: str,
) -> None:
    """One item's condition: the checklist message is edited to show it."""
    app, _ = services(context), translator(officer.language)
    item_id, _sep, code = choice.partition(":")
    if code not in CODES or item_id not in {str(item.id) for item in found.outstanding}:
        await stale(update, _)
        return
    data = {**data, "conditions": {**data.get("conditions", {}), item_id: CODES[code].value}}
    await save(app, officer, "return", "items", data)
    text, keyboard = _checklist(found, data, _)
    query = update.callback_query
    if query is not None:
        await query.answer()
        if not await _edit(query.message, text, keyboard):
            await answer(update, text, acknowledged=True, reply_markup=markup(keyboard))


async def _edit(message: object, text: str, keyboard: Keyboard) -> bool:
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_text(text, reply_markup=markup(keyboard))
    except TelegramError as error:
        log.warning("could not update the return checklist: %s", error)
        return False
    return True


def _not_good(data: dict[str, Any]) -> bool:
    return any(value != ReturnCondition.GOOD.value for value in data.get("conditions", {}).values())


async def _ask_note(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    found: LoanView,
    data: dict[str, Any],
) -> None:
    app, _ = services(context), translator(officer.language)
    if not data.get("conditions"):
        await answer(update, _("Please press the condition of at least one item that came back."))
        return
    await save(app, officer, "return", "note", data)
    if _not_good(data):
        await answer(
            update,
            _(
                "Please describe in one message what is damaged or missing (this goes to "
                "the director)."
            ),
        )
        return
    keyboard: Keyboard = [[(_("No note"), f"{RETURN_CALLBACK}n0")]]
    await answer(
        update,
        _('Please type a note about the return, or press "No note".'),
        reply_markup=markup(keyboard),
    )


async def note_text(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    text: str,
) -> None:
    """The note typed after the conditions."""
    _ = translator(officer.language)
    note = clean_text(text, 10_000)
    found = await _loan_of(data, context)
    if found is None:
        await drop(services(context), officer)
        await answer(update, _("This loan is no longer open. Nothing was changed."))
        return
    if not note or len(note) > MAX_NOTE:
        await answer(
            update,
            _("Please type the note in one message of at most {limit} characters.").format(
                limit=MAX_NOTE
            ),
        )
        return
    await _preview(update, context, officer, found, {**data, "note": note})


def _chosen_items(found: LoanView, data: dict[str, Any]) -> list[dict[str, Any]]:
    chosen = data.get("conditions", {})
    return [
        {"asset": i.asset_number, "description": i.description, "condition": chosen[str(i.id)]}
        for i in found.outstanding
        if str(i.id) in chosen
    ]


async def _preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    found: LoanView,
    data: dict[str, Any],
) -> None:
    app, _ = services(context), translator(officer.language)
    await save(app, officer, "return", "preview", data)
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
    keyboard: Keyboard = [
        [(_("Confirm"), f"{RETURN_CALLBACK}ok"), (_("Cancel"), f"{RETURN_CALLBACK}no")]
    ]
    await answer(update, "\n".join(lines), reply_markup=markup(keyboard))


async def _record(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    found: LoanView,
    data: dict[str, Any],
) -> None:
    """Confirmed: the items, the audit event, the borrower's and the director's messages."""
    app, _ = services(context), translator(officer.language)
    now = app.clock()
    conditions = {
        int(item_id): ReturnCondition(value) for item_id, value in data["conditions"].items()
    }
    note = str(data.get("note", ""))

    def work(session: Session) -> ReturnResult | None:
        result = loans.record_return(
            session, found.id, conditions, note, by_staff_id=officer.id, now=now
        )
        if result is not None and result.returned:
            _tell(session, app, found, result, note, officer, now)
        loans.drop_draft(session, officer.id)
        return result

    result = await app.db.run(work)
    if result is None or not result.returned:
        await answer(update, _("Nothing was recorded: these items are no longer on loan."))
        return
    app.wake()
    await answer(update, _done_text(found, result, _))


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
    session: Session,
    app: Services,
    found: LoanView,
    result: ReturnResult,
    note: str,
    officer: people.Person,
    now: datetime,
) -> None:
    """The borrower hears what was recorded; the director, of anything damaged or missing
    (in the transaction of the return, on a worker thread: the day is ``now``'s)."""
    calendar = office_calendar(app, session)
    today = now.astimezone(app.settings.office.zone).date()
    first = min(item.id or 0 for item in result.returned)
    params = loan_params(found, calendar, now)

    def listed(items: Iterable[LoanItem]) -> list[dict[str, Any]]:
        return [
            {"asset": i.asset_number, "description": i.description, "condition": i.return_condition}
            for i in items
        ]

    params.update(
        returned=listed(result.returned),
        outstanding=listed(result.outstanding),
        not_good=listed(result.not_good),
        note=note,
        recorded_by=officer.name,
        returned_on=today.isoformat(),
    )
    borrower = found.borrower
    messages = [
        NewMessage(
            f"loan:{found.id}:returned-{first}:to-{borrower.id}",
            borrower.chat_id,
            "loan_returned",
            params,
            borrower.id,
        )
    ]
    if result.not_good:
        messages += [
            NewMessage(
                f"loan:{found.id}:damage-{first}:to-{staff.id}",
                staff.chat_id,
                "loan_damage",
                {**params, "for_director": True},
                staff.id,
            )
            for staff in directors_now(session, today)
        ]
    outbox.enqueue(session, messages, now=now)


TEXT_STEPS = {"note": note_text}
