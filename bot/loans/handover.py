"""Property loans (measure 1.4) in chat: /loan (the hand-over, step by step), the borrower's
"received", and the lists /loans and /myloans.

A loan being entered is a draft in the database (``storage.loans``), not in one process's
memory, so whichever process gets the officer's next message carries on. Every step checks
what it is given; a mistake is explained politely and the draft stays as it was.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session
from telegram import Message
from telegram.error import TelegramError

from bot.common.callbacks import number
from bot.common.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    Translate,
    format_date,
    format_datetime,
    parse_date,
    translator,
)
from bot.common.kit import Turn, button, command
from bot.common.render import Keyboard
from bot.common.services import Services
from bot.common.texts import clean_text, parse_number, quoted
from bot.common.words import GOOD_AT_HANDOVER, GOOD_AT_HANDOVER_BUTTON
from bot.loans.texts import (
    LOAN,
    RECEIVED,
    RETURN,
    WITHDRAW,
    day_text,
    handover_text,
    item_lines,
    state_text,
)
from bot.runtime.sender import markup
from jobs.calendar import OfficeCalendar
from jobs.loans.ladder import days_overdue, default_due_on, due_instant, first_step, loan_state
from jobs.loans.step import loan_params
from jobs.settings import LoanStep
from storage import loans, office, outbox, people
from storage.loans import LoanView
from storage.models import AwaitedAnswer, LoanStatus, Role, Staff
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
# bot/app.py's names for the kinds of button, until it wires ``bot.loans.feature.FEATURE``
LOAN_OVERSEEING = (Role.PROCUREMENT, Role.DIRECTOR, Role.COORDINATOR, Role.ADMIN)
MAX_ITEMS, MAX_ASSET, MAX_DESCRIPTION, MAX_PURPOSE, MAX_CONDITION = 20, 60, 200, 300, 300
MATCHES_SHOWN, BUTTON_LIMIT = 8, 30
DRAFT_TTL = loans.ENTRY_TTL  # an entry left alone this long is forgotten
RECENT = timedelta(days=90)  # /myloans also shows loans returned lately
_ITEM_LINE = re.compile(r"^(.+?)\s*(?:—|–|\s-\s|:|\t)\s*(.+)$")

Data = dict[str, Any]
# a press under an entry: the draft's data and the parts of the button's data after the first
Press = Callable[[Turn, Data, tuple[str, ...]], Awaitable[None]]
# (first part, number of parts) → (the step the draft must be at, the press)
Presses = Mapping[tuple[str, int], tuple[str, Press]]


# -- what the entries of loans, returns and the maintenance plan share ------------------------


def office_calendar(app: Services, session: Session) -> OfficeCalendar:
    """The office's calendar with the days closed from chat (as the tick sees it)."""
    base = OfficeCalendar.from_office(app.settings.office)
    extra = office.closed_days(session)
    return dataclasses.replace(base, closed_days=base.closed_days | extra)


async def calendar_of(turn: Turn) -> OfficeCalendar:
    """:func:`office_calendar` in a transaction of its own, off the event loop."""
    return await turn.run(lambda session: office_calendar(turn.app, session))


async def save(turn: Turn, kind: str, step: str, data: Data) -> None:
    now, staff_id = turn.now(), turn.person.id
    await turn.run(
        lambda session: loans.save_draft(
            session, staff_id, kind=kind, step=step, data=data, now=now
        )
    )


async def drop(turn: Turn) -> None:
    staff_id = turn.person.id
    await turn.run(lambda session: loans.drop_draft(session, staff_id))


async def current_draft(turn: Turn, kind: str, step: str) -> AwaitedAnswer | None:
    """This person's draft, if it is of ``kind``, at ``step`` and not forgotten (else a
    button is stale)."""
    staff_id = turn.person.id
    row = await turn.run(lambda session: loans.draft(session, staff_id))
    if row is None or turn.now() - row.updated_at > DRAFT_TTL:
        return None
    return row if row.kind == kind and row.step == step else None


async def stale(turn: Turn) -> None:
    """A press that fits its kind but no longer the entry (another step, a forgotten draft, a
    borrower gone): said in the chat, as the loans' buttons always have."""
    await turn.answer(turn._("This button is no longer valid. Please type the command again."))


async def pressed(turn: Turn, kind: str, presses: Presses, parts: tuple[str, ...]) -> None:
    """A press under an entry of ``kind``, to its handler if the draft is at its step."""
    step, press = presses.get((parts[0], len(parts)), ("", None))
    row = await current_draft(turn, kind, step) if press is not None else None
    if press is None or row is None:
        await stale(turn)
        return
    await press(turn, dict(row.data), parts[1:])


async def cancel_entry(turn: Turn) -> None:
    await drop(turn)
    await turn.answer(turn._("Cancelled. Nothing was changed."))


async def typed_line(turn: Turn, text: str, limit: int, ask: str) -> str:
    """Free text typed in one line of at most ``limit`` characters, cleaned; else "", and
    the person is asked again with ``ask`` (a message id with ``{limit}``)."""
    line = clean_text(text, 10_000)
    if line and len(line) <= limit:
        return line
    await turn.answer(turn._(ask).format(limit=limit))
    return ""


def confirm_or_cancel(_: Translate, confirm: str, cancel: str) -> Keyboard:
    return [[(_("Confirm"), confirm), (_("Cancel"), cancel)]]


async def show(turn: Turn, lines: list[str], keyboard: Keyboard) -> None:
    await turn.answer("\n".join(lines), reply_markup=markup(keyboard))


async def edit_pressed(turn: Turn, text: str, keyboard: Keyboard, what: str) -> bool:
    """Edit the message whose button was pressed (``what`` names it in the log); False when
    it cannot be edited."""
    message = turn.query.message if turn.query is not None else None
    if not isinstance(message, Message):
        return False
    try:
        await message.edit_text(text, reply_markup=markup(keyboard))
    except TelegramError as error:
        log.warning("could not update %s (message %s): %s", what, message.message_id, error)
        return False
    return True


def loan_message(found: LoanView, what: str, to: Staff, template: str, params: Data) -> NewMessage:
    """One message about a loan to one person, keyed so that a retry adds nothing."""
    return NewMessage(f"loan:{found.id}:{what}:to-{to.id}", to.chat_id, template, params, to.id)


def borrower_and_items(name: str, items: list[Data], _: Translate) -> list[str]:
    return [
        _("Borrower: {name}").format(name=name),
        _("Items ({count}):").format(count=len(items)),
        *item_lines(items, _),
    ]


# -- /loan: the hand-over, in five steps -------------------------------------------------------


@command(Role.PROCUREMENT)
async def loan_command(turn: Turn) -> None:
    """/loan [name]: record a hand-over; first, who borrows (a name may follow the command)."""
    await save(turn, "loan", "borrower", {})
    name = " ".join(turn.context.args or [])
    if name.strip():
        await borrower_text(turn, {}, name)
        return
    await turn.answer(
        turn._(
            "New property loan, step 1 of 5: who is borrowing? Please type part of the "
            "borrower's name. (/cancel stops without recording anything.)"
        )
    )


async def borrower_text(turn: Turn, data: Data, text: str) -> None:
    """A part of the borrower's name: buttons for the registered staff it matches."""
    wanted = clean_text(text, 60)
    found = (
        await turn.run(lambda session: loans.find_staff(session, wanted, limit=MATCHES_SHOWN + 1))
        if wanted
        else []
    )
    problem = _not_one_list(found, text, turn._)
    if problem:
        await turn.answer(problem)
        return
    keyboard: Keyboard = [[(staff.full_name, LOAN("b", staff.id))] for staff in found]
    await show(turn, [turn._("Please choose the borrower:")], keyboard)


def _not_one_list(found: list[Staff], text: str, _: Translate) -> str:
    """Why the names found cannot be offered as buttons ("" when they can)."""
    if not found:
        return _(
            'No registered staff member\'s name contains "{text}". Please type another '
            "part of the name."
        ).format(text=quoted(text))
    if len(found) > MATCHES_SHOWN:
        return _('More than {count} names contain "{text}". Please type more of the name.').format(
            count=MATCHES_SHOWN, text=quoted(text)
        )
    return ""


def _ask_items(_: Translate, name: str) -> str:
    return _(
        "Borrower: {name}.\n\nStep 2 of 5: please type the items, one per line, as the asset "
        "number, a dash and a description, e.g.\n7440-001-0001/2567 — notebook computer\n"
        "6730-002-0003/2566 — projector"
    ).format(name=name)


def parse_items(text: str, _: Translate) -> tuple[list[tuple[str, str]], list[str]]:
    """The items typed one per line: ``(asset number, description)`` pairs, or the problems."""
    lines = [line for line in (clean_text(raw, 1000) for raw in text.splitlines()) if line]
    if len(lines) > MAX_ITEMS:
        return [], [_("Please list at most {limit} items in one loan.").format(limit=MAX_ITEMS)]
    items: list[tuple[str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line_number, line in enumerate(lines, start=1):
        match = _ITEM_LINE.match(line)
        asset, description = (match.group(1).strip(), match.group(2).strip()) if match else ("", "")
        problem = _item_problem(line_number, asset, description, seen, _)
        if problem:
            problems.append(problem)
        else:
            seen.add(asset.casefold())
            items.append((asset, description))
    if not lines:
        problems.append(_("Please type at least one item."))
    return items, problems


def _item_problem(line: int, asset: str, description: str, seen: set[str], _: Translate) -> str:
    """What is wrong with the item typed on ``line`` ("" if nothing)."""
    if not asset or not description:
        return _(
            "Line {line}: please write the asset number, a dash and a description, "
            "e.g. 7440-001-0001/2567 — notebook computer."
        ).format(line=line)
    if len(asset) > MAX_ASSET or len(description) > MAX_DESCRIPTION:
        return _(
            "Line {line}: the asset number may have at most {asset} characters and "
            "the description at most {description}."
        ).format(line=line, asset=MAX_ASSET, description=MAX_DESCRIPTION)
    if asset.casefold() in seen:
        return _("Line {line}: asset number {asset} is listed twice.").format(
            line=line, asset=asset
        )
    return ""


def _out_already(session: Session, items: list[tuple[str, str]], _: Translate) -> list[str]:
    return [
        _(
            "Asset number {asset} is still on loan (loan no. {number}). Please record its "
            "return first."
        ).format(asset=asset, number=loan_id)
        for asset, loan_id in loans.assets_out(session, [a for a, _d in items]).items()
    ]


async def items_text(turn: Turn, data: Data, text: str) -> None:
    _ = turn._
    items, problems = parse_items(text, _)
    if not problems:
        problems = await turn.run(lambda session: _out_already(session, items, _))
    if problems:
        head = _("Nothing was recorded. Please type the whole list again.")
        await turn.answer("\n".join([*problems, "", head]))
        return
    await save(turn, "loan", "purpose", {**data, "items": items})
    await turn.answer(
        _(
            "Step 3 of 5: what is the property borrowed for? Please type the purpose in one "
            "line, e.g. training of school directors on 20 January."
        )
    )


async def purpose_text(turn: Turn, data: Data, text: str) -> None:
    ask = N_("Please type the purpose in one line of at most {limit} characters.")
    purpose = await typed_line(turn, text, MAX_PURPOSE, ask)
    if purpose:
        await save(turn, "loan", "due", {**data, "purpose": purpose})
        await _ask_due(turn)


async def _default_due(turn: Turn) -> date:
    calendar = await calendar_of(turn)
    return default_due_on(turn.today(), turn.settings.loans.default_days, calendar)


async def _ask_due(turn: Turn) -> None:
    _ = turn._
    default = await _default_due(turn)
    shown = format_date(default, turn.language)
    text = _(
        "Step 4 of 5: the due-back date. Under the regulations it is {date} ({days} days). "
        "Press the button to accept it, or type another date, e.g. {example}."
    ).format(date=shown, days=turn.settings.loans.default_days, example=_example(default))
    await show(turn, [text], [[(_("Due back on {date}").format(date=shown), LOAN("d"))]])


def _example(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year + 543}"


async def due_text(turn: Turn, data: Data, text: str) -> None:
    day, today = parse_date(text), turn.today()
    latest = today + timedelta(days=turn.settings.loans.max_days)
    calendar = await calendar_of(turn)
    if day is None or not today <= day <= latest or not calendar.is_working_day(day):
        await turn.answer(
            turn._(
                "Please type a working day from today to {latest} as the due-back date, "
                "e.g. {example}."
            ).format(latest=format_date(latest, turn.language), example=_example(today))
        )
        return
    await _due_chosen(turn, data, day)


async def _due_chosen(turn: Turn, data: Data, day: date) -> None:
    await save(turn, "loan", "condition", {**data, "due_on": day.isoformat()})
    text = turn._(
        'Step 5 of 5: the condition of the property at hand-over. Press "Good, complete", '
        "or type a short description, e.g. a scratch on the lid."
    )
    await show(turn, [text], [[(turn._(GOOD_AT_HANDOVER_BUTTON), LOAN("c"))]])


async def condition_text(turn: Turn, data: Data, text: str) -> None:
    ask = N_("Please describe the condition in one line of at most {limit} characters.")
    condition = await typed_line(turn, text, MAX_CONDITION, ask)
    if condition:
        await _preview(turn, {**data, "condition": condition})


async def _preview(turn: Turn, data: Data) -> None:
    _ = turn._
    borrower_id = int(data["borrower"])
    borrower = await turn.run(lambda session: people.by_id(session, borrower_id))
    await save(turn, "loan", "preview", data)
    lines = [
        _("Please check the loan before it is recorded:"),
        "",
        *_loan_summary(turn, data, borrower.name if borrower else "-"),
        "",
        _("Press Confirm to record it; the borrower will be asked to confirm receipt."),
    ]
    await show(turn, lines, confirm_or_cancel(_, LOAN("ok"), LOAN("no")))


def _loan_summary(turn: Turn, data: Data, name: str) -> list[str]:
    _, language = turn._, turn.language
    items = [{"asset": asset, "description": text} for asset, text in data["items"]]
    return [
        *borrower_and_items(name, items, _),
        _("Purpose: {purpose}").format(purpose=data["purpose"]),
        _("Date out: {date}").format(date=format_date(turn.today(), language)),
        _("Due back by: {date}").format(date=day_text(data["due_on"], language)),
        _("Condition at hand-over: {condition}").format(condition=data["condition"]),
    ]


@button(LOAN, Role.PROCUREMENT)
async def loan_button(turn: Turn, parts: tuple[str, ...]) -> None:
    """The buttons of /loan: the borrower, the default date, "good", confirm or cancel."""
    if parts == ("no",):
        await cancel_entry(turn)
        return
    await pressed(turn, "loan", LOAN_PRESSES, parts)


async def _borrower_chosen(turn: Turn, data: Data, rest: tuple[str, ...]) -> None:
    staff_id = number(rest[0])
    borrower = await turn.run(lambda session: people.by_id(session, staff_id)) if staff_id else None
    if borrower is None or not borrower.staff.active:
        await stale(turn)
        return
    await save(turn, "loan", "items", {"borrower": borrower.id})
    await turn.answer(_ask_items(turn._, borrower.name))


async def _default_due_chosen(turn: Turn, data: Data, rest: tuple[str, ...]) -> None:
    await _due_chosen(turn, data, await _default_due(turn))


async def _good_condition(turn: Turn, data: Data, rest: tuple[str, ...]) -> None:
    # the button's words are written into the register, an official Thai document: in the
    # documents' language, whoever presses it
    condition = translator(DEFAULT_LANGUAGE)(GOOD_AT_HANDOVER)
    await _preview(turn, {**data, "condition": condition})


async def _record(turn: Turn, data: Data, rest: tuple[str, ...]) -> None:
    """Confirmed: the loan, its items, the audit event and the borrower's message, at once."""
    entry, now = _Entry.of(data, turn.today()), turn.now()
    recorded = await turn.run(lambda session: _hand_over(session, turn, entry, now))
    if isinstance(recorded, list):  # answered after the transaction, never inside it
        again = turn._("Nothing was recorded. Please start again from the borrower.")
        await turn.answer("\n".join([*recorded, again]))
        return
    found, name = recorded
    turn.app.wake()
    await turn.answer(
        turn._(
            "Loan no. {number} is recorded. {name} has been asked to confirm receipt; until "
            "then it shows as awaiting receipt in /loans."
        ).format(number=found.id, name=name)
    )


LOAN_PRESSES: Presses = {
    ("b", 2): ("borrower", _borrower_chosen),
    ("d", 1): ("due", _default_due_chosen),
    ("c", 1): ("condition", _good_condition),
    ("ok", 1): ("preview", _record),
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Entry:
    """A /loan entry as its draft holds it, confirmed on ``lent_on``."""

    borrower: int
    items: list[tuple[str, str]]
    purpose: str
    lent_on: date
    due_on: date
    condition: str

    @classmethod
    def of(cls, data: Data, today: date) -> _Entry:
        return cls(
            borrower=int(data["borrower"]),
            items=[(str(asset), str(text)) for asset, text in data["items"]],
            purpose=str(data["purpose"]),
            lent_on=today,
            due_on=date.fromisoformat(data["due_on"]),
            condition=str(data["condition"]),
        )

    def new_loan(
        self, officer_id: int, calendar: OfficeCalendar, ladder: Sequence[LoanStep], now: datetime
    ) -> loans.NewLoan:
        due_at = due_instant(self.due_on, calendar)
        step, at = first_step(ladder, due_at, calendar, now)
        return loans.NewLoan(
            borrower_staff_id=self.borrower,
            recorded_by_staff_id=officer_id,
            purpose=self.purpose,
            lent_on=self.lent_on,
            due_on=self.due_on,
            due_at=due_at,
            condition_out=self.condition,
            items=self.items,
            next_step=step,
            next_action_at=at,
        )


def _hand_over(
    session: Session, turn: Turn, entry: _Entry, now: datetime
) -> tuple[LoanView, str] | list[str]:
    """The loan recorded and its borrower's name, or (the draft back at its start) the
    problems."""
    officer_id = turn.person.id
    borrower = people.by_id(session, entry.borrower)
    problems = _out_already(session, entry.items, turn._)
    if borrower is None or not borrower.staff.active or problems or entry.due_on < entry.lent_on:
        loans.save_draft(session, officer_id, kind="loan", step="borrower", data={}, now=now)
        return problems
    calendar = office_calendar(turn.app, session)
    loan = loans.create(
        session, entry.new_loan(officer_id, calendar, turn.settings.loans.ladder, now), now=now
    )
    found = loans.view(session, loan.id or 0)
    assert found is not None
    params = loan_params(found, calendar, now)
    message = loan_message(found, "handover", borrower.staff, "loan_handover", params)
    outbox.enqueue(session, [message], now=now)
    loans.drop_draft(session, officer_id)
    return found, borrower.name


# -- the borrower's "received" -------------------------------------------------------------

ALREADY_RECEIVED = N_("Receipt of this loan was already confirmed. Nothing was changed.")
RECEIPT_REFUSED = {
    loans.ReceiptOutcome.NOT_FOUND: N_("This loan is not yours to confirm. Nothing was changed."),
    loans.ReceiptOutcome.NOT_ALLOWED: N_("This loan is not yours to confirm. Nothing was changed."),
    loans.ReceiptOutcome.WITHDRAWN: N_(
        "This loan was withdrawn (recorded in error). Nothing was changed."
    ),
}


@button(RECEIVED)
async def received_button(turn: Turn, loan_id: int) -> None:
    """ "ได้รับพัสดุแล้ว": the borrower, and only the borrower, confirms receipt."""
    now, staff_id = turn.now(), turn.person.id
    outcome, found = await turn.run(
        lambda session: loans.confirm_receipt(session, loan_id, staff_id=staff_id, now=now)
    )
    if outcome is not loans.ReceiptOutcome.DONE or found is None:
        await turn.alert(turn._(RECEIPT_REFUSED.get(outcome, ALREADY_RECEIVED)))
        return
    if turn.query is not None:
        await turn.query.answer(turn._("Recorded. Thank you."))
    await _show_received(turn, found)


async def _show_received(turn: Turn, found: LoanView) -> None:
    """The hand-over message says so (its button goes), or a new message if it cannot."""
    moment = (found.loan.received_at or turn.now()).astimezone(turn.zone)
    when = format_datetime(moment, turn.language)
    status = turn._("✅ Receipt confirmed on {moment}").format(moment=when)
    if not await _mark_received(turn, status):
        calendar = await calendar_of(turn)
        text = handover_text(loan_params(found, calendar, turn.now()), turn.language)
        await turn.answer(f"{text}\n\n{status}", acknowledged=True)


async def _mark_received(turn: Turn, status: str) -> bool:
    """Edit the hand-over message itself; not a list of several loans."""
    pressed_on = turn.query.message if turn.query is not None else None
    if not isinstance(pressed_on, Message) or not pressed_on.text:
        return False
    buttons = pressed_on.reply_markup.inline_keyboard if pressed_on.reply_markup else ()
    if sum(1 for row in buttons for _b in row) > 1:
        return False
    return await edit_pressed(turn, f"{pressed_on.text}\n\n{status}", [], "the hand-over")


# -- /cancel_loan: a loan recorded in error, withdrawn before the borrower's receipt --------


@command(Role.PROCUREMENT)
async def cancel_loan_command(turn: Turn) -> None:
    """/cancel_loan <number> <reason>: preview the withdrawal; a button confirms it."""
    asked = _withdrawal_asked(turn.context.args or [], turn._)
    if isinstance(asked, str):
        await turn.answer(asked)
        return
    loan_id, reason = asked
    found = await turn.run(lambda session: loans.view(session, loan_id))
    refusal = _cannot_withdraw(found, loan_id, turn._)
    if refusal or found is None:
        await turn.answer(refusal)
        return
    await save(turn, "withdraw", "preview", {"loan_id": found.id, "reason": reason})
    keyboard = confirm_or_cancel(turn._, WITHDRAW("ok"), LOAN("no"))
    await show(turn, _withdrawal_preview(found, reason, turn._), keyboard)


def _withdrawal_asked(args: list[str], _: Translate) -> tuple[int, str] | str:
    """The loan number and the reason typed after /cancel_loan, or what is missing."""
    loan_id = parse_number(args[0]) if args else None
    reason = clean_text(" ".join(args[1:]), 10_000)
    if loan_id is None:
        return _(
            "Please type /cancel_loan followed by the loan number and the reason, e.g. "
            "/cancel_loan 12 the wrong borrower was chosen"
        )
    if not reason or len(reason) > MAX_CONDITION:
        return _(
            "Please give the reason after the loan number, in one line of at most {limit} "
            "characters, e.g. /cancel_loan {number} the wrong borrower was chosen"
        ).format(limit=MAX_CONDITION, number=loan_id)
    return loan_id, reason


def _withdrawal_preview(found: LoanView, reason: str, _: Translate) -> list[str]:
    items = [{"asset": i.asset_number, "description": i.description} for i in found.items]
    return [
        _("Withdraw loan no. {number} as recorded in error?").format(number=found.id),
        "",
        *borrower_and_items(found.borrower.full_name, items, _),
        _("Reason: {reason}").format(reason=reason),
        "",
        _(
            "Press Confirm to withdraw it: the borrower will be told, and the loan stays in the "
            "register as withdrawn."
        ),
    ]


def _cannot_withdraw(found: LoanView | None, loan_id: int, _: Translate) -> str:
    """Why this loan cannot be withdrawn ("" when it can)."""
    if found is None:
        return _("No loan has the number {number}. Type /loans to see the loans.").format(
            number=loan_id
        )
    if found.loan.status == LoanStatus.OUT.value:
        return _(
            "The borrower has confirmed receipt of loan no. {number}, so it cannot be "
            "withdrawn: record its return with /return {number}. Nothing was changed."
        ).format(number=loan_id)
    if not found.is_open:
        return _("Loan no. {number} is already closed. Nothing was changed.").format(number=loan_id)
    return ""


@button(WITHDRAW, Role.PROCUREMENT)
async def withdraw_button(turn: Turn, choice: str) -> None:
    """Confirm under the preview of /cancel_loan: withdraw it and tell the borrower."""
    row = await current_draft(turn, "withdraw", "preview")
    if row is None:
        await stale(turn)
        return
    loan_id, reason, now = int(row.data["loan_id"]), str(row.data["reason"]), turn.now()
    done = await turn.run(lambda session: _withdraw(session, turn, loan_id, reason, now))
    if done.outcome is not loans.WithdrawOutcome.DONE or done.loan is None:
        await turn.answer(
            _cannot_withdraw(done.loan, loan_id, turn._) or turn._("Nothing was changed.")
        )
        return
    turn.app.wake()
    await turn.answer(_withdrawn_text(done, done.loan, turn._))


def _withdraw(
    session: Session, turn: Turn, loan_id: int, reason: str, now: datetime
) -> loans.Withdrawal:
    """The loan withdrawn and, if the hand-over had gone out, the borrower told."""
    officer_id = turn.person.id
    done = loans.withdraw(session, loan_id, by_staff_id=officer_id, reason=reason, now=now)
    found = done.loan
    if done.outcome is loans.WithdrawOutcome.DONE and found is not None and done.borrower_knew:
        params = {**loan_params(found, office_calendar(turn.app, session), now), "reason": reason}
        message = loan_message(found, "withdrawn", found.borrower, "loan_withdrawn", params)
        outbox.enqueue(session, [message], now=now)
    loans.drop_draft(session, officer_id)
    return done


def _withdrawn_text(done: loans.Withdrawal, found: LoanView, _: Translate) -> str:
    told = (
        _("Loan no. {number} is withdrawn; {name} has been told.")
        if done.borrower_knew
        else _(
            "Loan no. {number} is withdrawn. The hand-over message had not yet gone to {name}, "
            "so it will not be sent."
        )
    )
    return told.format(number=found.id, name=found.borrower.full_name)


# -- /loans and /myloans -------------------------------------------------------------------


def loan_lines(found: LoanView, turn: Turn, calendar: OfficeCalendar) -> str:
    """Two lines: number, borrower, due date, state; then the items, how many back."""
    _, language = turn._, turn.language
    now, loan = turn.now(), found.loan
    state = loan_state(loan.status, loan.due_at, now)
    head = _("No. {number} · {name} · due back {date} · {state}").format(
        number=found.id,
        name=found.borrower.full_name,
        date=format_date(loan.due_on, language, "short"),
        state=state_text(state, days_overdue(loan.due_at, now, calendar), _),
    )
    assets = ", ".join(item.asset_number for item in found.outstanding) or "-"
    back = len(found.items) - len(found.outstanding)
    detail = _("{count} items ({returned} returned); still out: {assets}").format(
        count=len(found.items), returned=back, assets=assets
    )
    return f"{head}\n   {detail}"


NOTHING_OUT = N_("No property is out on loan at the moment.")


@command()
async def loans_command(turn: Turn) -> None:
    """/loans: every open loan for the procurement officer and the overseers; else one's own."""
    if not turn.person.has_any(*LOAN_OVERSEEING):
        await _own(turn)
        return
    found, calendar = await turn.run(
        lambda session: (loans.open_loans(session), office_calendar(turn.app, session))
    )
    if not found:
        await turn.answer(turn._(NOTHING_OUT))
        return
    keyboard = _return_buttons(found, turn._) if turn.person.has_any(Role.PROCUREMENT) else []
    await show(turn, _overview(turn, found, calendar), keyboard)


def _overview(turn: Turn, found: list[LoanView], calendar: OfficeCalendar) -> list[str]:
    now = turn.now()
    overdue = sum(1 for view in found if now > view.loan.due_at)
    head = turn._("Property loans not yet returned: {count}, of which {overdue} overdue")
    lines = [head.format(count=len(found), overdue=overdue), ""]
    return lines + [loan_lines(view, turn, calendar) for view in found]


def _return_buttons(found: list[LoanView], _: Translate) -> Keyboard:
    return [
        [(_("Record return: no. {number}").format(number=v.id), RETURN("s", v.id))]
        for v in found[:BUTTON_LIMIT]
    ]


@command()
async def my_loans(turn: Turn) -> None:
    """/myloans: the property one has borrowed (open, and returned lately)."""
    await _own(turn)


async def _own(turn: Turn) -> None:
    _, since, staff_id = turn._, turn.today() - RECENT, turn.person.id
    found, calendar = await turn.run(
        lambda session: (
            loans.loans_of(session, staff_id, returned_since=since),
            office_calendar(turn.app, session),
        )
    )
    if not found:
        await turn.answer(_("You have no government property on loan. Thank you."))
        return
    lines = [_("Government property you have borrowed:"), ""]
    lines += [loan_lines(view, turn, calendar) for view in found]
    waiting = [v for v in found if v.loan.status == "awaiting_receipt"][:BUTTON_LIMIT]
    keyboard: Keyboard = [
        [(_("Received: no. {number}").format(number=v.id), RECEIVED(v.id))] for v in waiting
    ]
    await show(turn, lines, keyboard)


TEXT_STEPS = {
    "borrower": borrower_text,
    "items": items_text,
    "purpose": purpose_text,
    "due": due_text,
    "condition": condition_text,
}
PREVIEW_HINT = N_("Please press Confirm or Cancel under the preview, or type /cancel.")
