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
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session
from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.common.access import answer, registered, requires
from bot.common.i18n import N_, Translate, format_date, format_datetime, parse_date, translator
from bot.common.render import Keyboard
from bot.common.services import Services, services
from bot.common.texts import clean_text, parse_number, quoted
from bot.duties.handlers import parse_id
from bot.loans.texts import RECEIVED_CALLBACK, day_text, handover_text, item_lines, state_text
from bot.runtime.sender import markup
from jobs.calendar import OfficeCalendar
from jobs.loans.ladder import days_overdue, default_due_on, due_instant, first_step, loan_state
from jobs.loans.step import loan_params
from storage import loans, office, outbox, people
from storage.loans import LoanView
from storage.models import AwaitedAnswer, LoanStatus, Role
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
LOAN_CALLBACK, RETURN_START, WITHDRAW_CALLBACK = "ln:", "lr:s:", "lw:"
LOAN_OVERSEEING = (Role.PROCUREMENT, Role.DIRECTOR, Role.COORDINATOR, Role.ADMIN)
MAX_ITEMS, MAX_ASSET, MAX_DESCRIPTION, MAX_PURPOSE, MAX_CONDITION = 20, 60, 200, 300, 300
MATCHES_SHOWN, BUTTON_LIMIT = 8, 30
DRAFT_TTL = loans.ENTRY_TTL  # an entry left alone this long is forgotten
RECENT = timedelta(days=90)  # /myloans also shows loans returned lately
# the button's words are written into the register, an official Thai document
GOOD_CONDITION = "สภาพดี ใช้งานได้ครบถ้วน"
_ITEM_LINE = re.compile(r"^(.+?)\s*(?:—|–|\s-\s|:|\t)\s*(.+)$")


def office_calendar(app: Services, session: Session) -> OfficeCalendar:
    """The office's calendar with the days closed from chat (as the tick sees it)."""
    base = OfficeCalendar.from_office(app.settings.office)
    extra = office.closed_days(session)
    return dataclasses.replace(base, closed_days=base.closed_days | extra)


async def calendar_of(app: Services) -> OfficeCalendar:
    """:func:`office_calendar` in a transaction of its own, off the event loop."""
    return await app.db.run(lambda session: office_calendar(app, session))


def today_of(app: Services) -> date:
    return app.clock().astimezone(app.settings.office.zone).date()


async def save(
    app: Services, person: people.Person, kind: str, step: str, data: dict[str, Any]
) -> None:
    now = app.clock()
    await app.db.run(
        lambda session: loans.save_draft(
            session, person.id, kind=kind, step=step, data=data, now=now
        )
    )


async def drop(app: Services, person: people.Person) -> None:
    await app.db.run(lambda session: loans.drop_draft(session, person.id))


async def current_draft(
    app: Services, person: people.Person, kind: str, step: str
) -> AwaitedAnswer | None:
    """This person's draft, if it is of ``kind``, at ``step`` and not forgotten (else a
    button is stale)."""
    row = await app.db.run(lambda session: loans.draft(session, person.id))
    if row is None or app.clock() - row.updated_at > DRAFT_TTL:
        return None
    return row if row.kind == kind and row.step == step else None


async def stale(update: Update, _: Translate) -> None:
    await answer(update, _("This button is no longer valid. Please type the command again."))


# -- /loan: the hand-over, in five steps -------------------------------------------------------


@requires(Role.PROCUREMENT)
async def loan_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """/loan [name]: record a hand-over; first, who borrows (a name may follow the command)."""
    app, _ = services(context), translator(officer.language)
    await save(app, officer, "loan", "borrower", {})
    name = " ".join(context.args or [])
    if name.strip():
        await borrower_text(update, context, officer, {}, name)
        return
    await answer(
        update,
        _(
            "New property loan, step 1 of 5: who is borrowing? Please type part of the "
            "borrower's name. (/cancel stops without recording anything.)"
        ),
    )


async def borrower_text(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    text: str,
) -> None:
    """A part of the borrower's name: buttons for the registered staff it matches."""
    app, _ = services(context), translator(officer.language)
    wanted = clean_text(text, 60)
    found = (
        await app.db.run(lambda session: loans.find_staff(session, wanted, limit=MATCHES_SHOWN + 1))
        if wanted
        else []
    )
    if not found:
        await answer(
            update,
            _(
                'No registered staff member\'s name contains "{text}". Please type another '
                "part of the name."
            ).format(text=quoted(text)),
        )
        return
    if len(found) > MATCHES_SHOWN:
        await answer(
            update,
            _('More than {count} names contain "{text}". Please type more of the name.').format(
                count=MATCHES_SHOWN, text=quoted(text)
            ),
        )
        return
    keyboard: Keyboard = [[(staff.full_name, f"{LOAN_CALLBACK}b:{staff.id}")] for staff in found]
    await answer(update, _("Please choose the borrower:"), reply_markup=markup(keyboard))


def _ask_items(_: Translate, name: str) -> str:
    return _(
        "Borrower: {name}.\n\nStep 2 of 5: please type the items, one per line, as the asset "
        "number, a dash and a description, e.g.\n7440-001-0001/2567 — notebook computer\n"
        "6730-002-0003/2566 — projector"
    ).format(name=name)


def parse_items(text: str, _: Translate) -> tuple[list[tuple[str, str]], list[str]]:
    """The items typed one per line: ``(asset number, description)`` pairs, or the problems."""
    lines = [line for line in (clean_text(raw, 1000) for raw in text.splitlines()) if line]
    items: list[tuple[str, str]] = []
    problems: list[str] = []
    if len(lines) > MAX_ITEMS:
        return [], [_("Please list at most {limit} items in one loan.").format(limit=MAX_ITEMS)]
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        match = _ITEM_LINE.match(line)
        asset, description = (match.group(1).strip(), match.group(2).strip()) if match else ("", "")
        if not asset or not description:
            problems.append(
                _(
                    "Line {line}: please write the asset number, a dash and a description, "
                    "e.g. 7440-001-0001/2567 — notebook computer."
                ).format(line=number)
            )
        elif len(asset) > MAX_ASSET or len(description) > MAX_DESCRIPTION:
            problems.append(
                _(
                    "Line {line}: the asset number may have at most {asset} characters and "
                    "the description at most {description}."
                ).format(line=number, asset=MAX_ASSET, description=MAX_DESCRIPTION)
            )
        elif asset.casefold() in seen:
            problems.append(
                _("Line {line}: asset number {asset} is listed twice.").format(
                    line=number, asset=asset
                )
            )
        else:
            seen.add(asset.casefold())
            items.append((asset, description))
    if not lines:
        problems.append(_("Please type at least one item."))
    return items, problems


def _out_already(session: Session, items: list[tuple[str, str]], _: Translate) -> list[str]:
    return [
        _(
            "Asset number {asset} is still on loan (loan no. {number}). Please record its "
            "return first."
        ).format(asset=asset, number=number)
        for asset, number in loans.assets_out(session, [a for a, _d in items]).items()
    ]


async def items_text(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    text: str,
) -> None:
    app, _ = services(context), translator(officer.language)
    items, problems = parse_items(text, _)
    if not problems:
        problems = await app.db.run(lambda session: _out_already(session, items, _))
    if problems:
        head = _("Nothing was recorded. Please type the whole list again.")
        await answer(update, "\n".join([*problems, "", head]))
        return
    await save(app, officer, "loan", "purpose", {**data, "items": items})
    await answer(
        update,
        _(
            "Step 3 of 5: what is the property borrowed for? Please type the purpose in one "
            "line, e.g. training of school directors on 20 January."
        ),
    )


async def purpose_text(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    text: str,
) -> None:
    app, _ = services(context), translator(officer.language)
    purpose = clean_text(text, 10_000)
    if not purpose or len(purpose) > MAX_PURPOSE:
        await answer(
            update,
            _("Please type the purpose in one line of at most {limit} characters.").format(
                limit=MAX_PURPOSE
            ),
        )
        return
    await save(app, officer, "loan", "due", {**data, "purpose": purpose})
    await _ask_due(update, context, officer)


async def _default_due(app: Services) -> date:
    calendar = await calendar_of(app)
    return default_due_on(today_of(app), app.settings.loans.default_days, calendar)


async def _ask_due(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    app, _ = services(context), translator(officer.language)
    default = await _default_due(app)
    shown = format_date(default, officer.language)
    text = _(
        "Step 4 of 5: the due-back date. Under the regulations it is {date} ({days} days). "
        "Press the button to accept it, or type another date, e.g. {example}."
    ).format(date=shown, days=app.settings.loans.default_days, example=_example(default))
    keyboard: Keyboard = [[(_("Due back on {date}").format(date=shown), f"{LOAN_CALLBACK}d")]]
    await answer(update, text, reply_markup=markup(keyboard))


def _example(day: date) -> str:
    return f"{day.day}/{day.month}/{day.year + 543}"


async def due_text(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    text: str,
) -> None:
    app, _ = services(context), translator(officer.language)
    day, today = parse_date(text), today_of(app)
    latest = today + timedelta(days=app.settings.loans.max_days)
    calendar = await calendar_of(app)
    if day is None or not today <= day <= latest or not calendar.is_working_day(day):
        await answer(
            update,
            _(
                "Please type a working day from today to {latest} as the due-back date, "
                "e.g. {example}."
            ).format(latest=format_date(latest, officer.language), example=_example(today)),
        )
        return
    await _due_chosen(update, context, officer, data, day)


async def _due_chosen(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    day: date,
) -> None:
    app, _ = services(context), translator(officer.language)
    await save(app, officer, "loan", "condition", {**data, "due_on": day.isoformat()})
    keyboard: Keyboard = [[(_("Good, complete"), f"{LOAN_CALLBACK}c")]]
    await answer(
        update,
        _(
            'Step 5 of 5: the condition of the property at hand-over. Press "Good, complete", '
            "or type a short description, e.g. a scratch on the lid."
        ),
        reply_markup=markup(keyboard),
    )


async def condition_text(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    text: str,
) -> None:
    _ = translator(officer.language)
    condition = clean_text(text, 10_000)
    if not condition or len(condition) > MAX_CONDITION:
        await answer(
            update,
            _("Please describe the condition in one line of at most {limit} characters.").format(
                limit=MAX_CONDITION
            ),
        )
        return
    await _preview(update, context, officer, {**data, "condition": condition})


async def _preview(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
) -> None:
    app, _ = services(context), translator(officer.language)
    borrower_id = int(data["borrower"])
    borrower = await app.db.run(lambda session: people.by_id(session, borrower_id))
    await save(app, officer, "loan", "preview", data)
    items = [{"asset": asset, "description": text} for asset, text in data["items"]]
    lines = [
        _("Please check the loan before it is recorded:"),
        "",
        _("Borrower: {name}").format(name=borrower.name if borrower else "-"),
        _("Items ({count}):").format(count=len(items)),
        *item_lines(items, _),
        _("Purpose: {purpose}").format(purpose=data["purpose"]),
        _("Date out: {date}").format(date=format_date(today_of(app), officer.language)),
        _("Due back by: {date}").format(date=day_text(data["due_on"], officer.language)),
        _("Condition at hand-over: {condition}").format(condition=data["condition"]),
        "",
        _("Press Confirm to record it; the borrower will be asked to confirm receipt."),
    ]
    keyboard: Keyboard = [
        [(_("Confirm"), f"{LOAN_CALLBACK}ok"), (_("Cancel"), f"{LOAN_CALLBACK}no")]
    ]
    await answer(update, "\n".join(lines), reply_markup=markup(keyboard))


@requires(Role.PROCUREMENT)
async def loan_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """The buttons of /loan: the borrower, the default date, "good", confirm or cancel."""
    query, app, _ = update.callback_query, services(context), translator(officer.language)
    action = (query.data or "").removeprefix(LOAN_CALLBACK) if query else ""
    if action == "no":
        await drop(app, officer)
        await answer(update, _("Cancelled. Nothing was changed."))
        return
    step = {"d": "due", "c": "condition", "ok": "preview"}.get(action, "borrower")
    row = await current_draft(app, officer, "loan", step)
    if row is None:
        await stale(update, _)
        return
    if action.startswith("b:"):
        await _borrower_chosen(update, context, officer, parse_id(action, "b:"))
    elif action == "d":
        await _due_chosen(update, context, officer, row.data, await _default_due(app))
    elif action == "c":
        await _preview(update, context, officer, {**row.data, "condition": GOOD_CONDITION})
    elif action == "ok":
        await _record(update, context, officer, row.data)
    else:
        await stale(update, _)


async def _borrower_chosen(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person, staff_id: int | None
) -> None:
    app, _ = services(context), translator(officer.language)
    borrower = (
        await app.db.run(lambda session: people.by_id(session, staff_id)) if staff_id else None
    )
    if borrower is None or not borrower.staff.active:
        await stale(update, _)
        return
    await save(app, officer, "loan", "items", {"borrower": borrower.id})
    await answer(update, _ask_items(_, borrower.name))


async def _record(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person, data: dict[str, Any]
) -> None:
    """Confirmed: the loan, its items, the audit event and the borrower's message, at once."""
    app, _ = services(context), translator(officer.language)
    now, today = app.clock(), today_of(app)
    items = [(str(asset), str(text)) for asset, text in data["items"]]
    due_on = date.fromisoformat(data["due_on"])

    def work(session: Session) -> tuple[LoanView, str] | list[str]:
        """The loan recorded and its name, or (the draft back at its start) the problems."""
        borrower = people.by_id(session, int(data["borrower"]))
        problems = _out_already(session, items, _)
        if borrower is None or not borrower.staff.active or problems or due_on < today:
            loans.save_draft(session, officer.id, kind="loan", step="borrower", data={}, now=now)
            return problems
        calendar = office_calendar(app, session)
        due_at = due_instant(due_on, calendar)
        step, at = first_step(app.settings.loans.ladder, due_at, calendar, now)
        loan = loans.create(
            session,
            loans.NewLoan(
                borrower_staff_id=borrower.id,
                recorded_by_staff_id=officer.id,
                purpose=str(data["purpose"]),
                lent_on=today,
                due_on=due_on,
                due_at=due_at,
                condition_out=str(data["condition"]),
                items=items,
                next_step=step,
                next_action_at=at,
            ),
            now=now,
        )
        found = loans.view(session, loan.id or 0)
        assert found is not None
        message = NewMessage(
            f"loan:{found.id}:handover:to-{borrower.id}",
            borrower.staff.chat_id,
            "loan_handover",
            loan_params(found, calendar, now),
            borrower.id,
        )
        outbox.enqueue(session, [message], now=now)
        loans.drop_draft(session, officer.id)
        return found, borrower.name

    recorded = await app.db.run(work)
    if isinstance(recorded, list):  # answered after the transaction, never inside it
        await answer(
            update,
            "\n".join(
                [*recorded, _("Nothing was recorded. Please start again from the borrower.")]
            ),
        )
        return
    found, name = recorded
    app.wake()
    await answer(
        update,
        _(
            "Loan no. {number} is recorded. {name} has been asked to confirm receipt; until "
            "then it shows as awaiting receipt in /loans."
        ).format(number=found.id, name=name),
    )


# -- the borrower's "received" -------------------------------------------------------------


@registered
async def received_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """ "ได้รับพัสดุแล้ว": the borrower, and only the borrower, confirms receipt."""
    query, app, _ = update.callback_query, services(context), translator(person.language)
    loan_id = parse_id(query.data if query else None, RECEIVED_CALLBACK)
    if query is None or loan_id is None:
        await stale(update, _)
        return
    now = app.clock()
    outcome, found = await app.db.run(
        lambda session: loans.confirm_receipt(session, loan_id, staff_id=person.id, now=now)
    )
    if outcome in (loans.ReceiptOutcome.NOT_FOUND, loans.ReceiptOutcome.NOT_ALLOWED):
        await query.answer(
            _("This loan is not yours to confirm. Nothing was changed."), show_alert=True
        )
        return
    if outcome is loans.ReceiptOutcome.WITHDRAWN:
        await query.answer(
            _("This loan was withdrawn (recorded in error). Nothing was changed."),
            show_alert=True,
        )
        return
    if outcome is loans.ReceiptOutcome.ALREADY or found is None:
        await query.answer(
            _("Receipt of this loan was already confirmed. Nothing was changed."), show_alert=True
        )
        return
    await query.answer(_("Recorded. Thank you."))
    zone = app.settings.office.zone
    when = format_datetime(
        (found.loan.received_at or app.clock()).astimezone(zone), person.language
    )
    status = _("✅ Receipt confirmed on {moment}").format(moment=when)
    if not await _mark_received(query.message, status):
        calendar = await calendar_of(app)
        text = handover_text(loan_params(found, calendar, app.clock()), person.language)
        await answer(update, f"{text}\n\n{status}", acknowledged=True)


async def _mark_received(pressed: object, status: str) -> bool:
    """Edit the hand-over message itself (its button goes); not a list of several loans."""
    if not isinstance(pressed, Message) or not pressed.text:
        return False
    buttons = pressed.reply_markup.inline_keyboard if pressed.reply_markup else ()
    if sum(1 for row in buttons for _b in row) > 1:
        return False
    try:
        await pressed.edit_text(f"{pressed.text}\n\n{status}", reply_markup=None)
    except TelegramError as error:
        log.warning("could not mark hand-over %s as received: %s", pressed.message_id, error)
        return False
    return True


# -- /cancel_loan: a loan recorded in error, withdrawn before the borrower's receipt --------


@requires(Role.PROCUREMENT)
async def cancel_loan_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """/cancel_loan <number> <reason>: preview the withdrawal; a button confirms it."""
    app, _ = services(context), translator(officer.language)
    args = context.args or []
    number = parse_number(args[0]) if args else None
    reason = clean_text(" ".join(args[1:]), 10_000)
    if number is None:
        await answer(
            update,
            _(
                "Please type /cancel_loan followed by the loan number and the reason, e.g. "
                "/cancel_loan 12 the wrong borrower was chosen"
            ),
        )
        return
    if not reason or len(reason) > MAX_CONDITION:
        await answer(
            update,
            _(
                "Please give the reason after the loan number, in one line of at most {limit} "
                "characters, e.g. /cancel_loan {number} the wrong borrower was chosen"
            ).format(limit=MAX_CONDITION, number=number),
        )
        return
    found = await app.db.run(lambda session: loans.view(session, number))
    refusal = _cannot_withdraw(found, number, _)
    if refusal or found is None:
        await answer(update, refusal)
        return
    await save(app, officer, "withdraw", "preview", {"loan_id": found.id, "reason": reason})
    items = [{"asset": i.asset_number, "description": i.description} for i in found.items]
    lines = [
        _("Withdraw loan no. {number} as recorded in error?").format(number=found.id),
        "",
        _("Borrower: {name}").format(name=found.borrower.full_name),
        _("Items ({count}):").format(count=len(items)),
        *item_lines(items, _),
        _("Reason: {reason}").format(reason=reason),
        "",
        _(
            "Press Confirm to withdraw it: the borrower will be told, and the loan stays in the "
            "register as withdrawn."
        ),
    ]
    keyboard: Keyboard = [
        [(_("Confirm"), f"{WITHDRAW_CALLBACK}ok"), (_("Cancel"), f"{LOAN_CALLBACK}no")]
    ]
    await answer(update, "\n".join(lines), reply_markup=markup(keyboard))


def _cannot_withdraw(found: LoanView | None, number: int, _: Translate) -> str:
    """Why this loan cannot be withdrawn ("" when it can)."""
    if found is None:
        return _("No loan has the number {number}. Type /loans to see the loans.").format(
            number=number
        )
    if found.loan.status == LoanStatus.OUT.value:
        return _(
            "The borrower has confirmed receipt of loan no. {number}, so it cannot be "
            "withdrawn: record its return with /return {number}. Nothing was changed."
        ).format(number=number)
    if not found.is_open:
        return _("Loan no. {number} is already closed. Nothing was changed.").format(number=number)
    return ""


@requires(Role.PROCUREMENT)
async def withdraw_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """Confirm under the preview of /cancel_loan: withdraw it and tell the borrower."""
    query, app, _ = update.callback_query, services(context), translator(officer.language)
    row = await current_draft(app, officer, "withdraw", "preview")
    if query is None or query.data != f"{WITHDRAW_CALLBACK}ok" or row is None:
        await stale(update, _)
        return
    loan_id, reason, now = int(row.data["loan_id"]), str(row.data["reason"]), app.clock()

    def work(session: Session) -> loans.Withdrawal:
        done = loans.withdraw(session, loan_id, by_staff_id=officer.id, reason=reason, now=now)
        found = done.loan
        if done.outcome is loans.WithdrawOutcome.DONE and found is not None and done.borrower_knew:
            params = {**loan_params(found, office_calendar(app, session), now), "reason": reason}
            borrower = found.borrower
            message = NewMessage(
                f"loan:{found.id}:withdrawn:to-{borrower.id}",
                borrower.chat_id,
                "loan_withdrawn",
                params,
                borrower.id,
            )
            outbox.enqueue(session, [message], now=now)
        loans.drop_draft(session, officer.id)
        return done

    done = await app.db.run(work)
    outcome, found = done.outcome, done.loan
    if outcome is not loans.WithdrawOutcome.DONE or found is None:
        await answer(update, _cannot_withdraw(found, loan_id, _) or _("Nothing was changed."))
        return
    app.wake()
    told = (
        _("Loan no. {number} is withdrawn; {name} has been told.")
        if done.borrower_knew
        else _(
            "Loan no. {number} is withdrawn. The hand-over message had not yet gone to {name}, "
            "so it will not be sent."
        )
    )
    await answer(update, told.format(number=found.id, name=found.borrower.full_name))


# -- /loans and /myloans -------------------------------------------------------------------


def loan_lines(found: LoanView, language: str, app: Services, calendar: OfficeCalendar) -> str:
    """Two lines: number, borrower, due date, state; then the items, how many back."""
    _ = translator(language)
    now, loan = app.clock(), found.loan
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


@registered
async def loans_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/loans: every open loan for the procurement officer and the overseers; else one's own."""
    if not person.has_any(*LOAN_OVERSEEING):
        await _own(update, context, person)
        return
    app, _ = services(context), translator(person.language)

    def work(session: Session) -> tuple[list[LoanView], OfficeCalendar]:
        return loans.open_loans(session), office_calendar(app, session)

    found, calendar = await app.db.run(work)
    if not found:
        await answer(update, _("No property is out on loan at the moment."))
        return
    now = app.clock()
    overdue = sum(1 for view in found if now > view.loan.due_at)
    lines = [
        _("Property loans not yet returned: {count}, of which {overdue} overdue").format(
            count=len(found), overdue=overdue
        ),
        "",
    ]
    lines += [loan_lines(view, person.language, app, calendar) for view in found]
    keyboard: Keyboard = []
    if person.has_any(Role.PROCUREMENT):
        keyboard = [
            [(_("Record return: no. {number}").format(number=v.id), f"{RETURN_START}{v.id}")]
            for v in found[:BUTTON_LIMIT]
        ]
    await answer(update, "\n".join(lines), reply_markup=markup(keyboard))


@registered
async def my_loans(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/myloans: the property one has borrowed (open, and returned lately)."""
    await _own(update, context, person)


async def _own(update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> None:
    app, _ = services(context), translator(person.language)
    since = today_of(app) - RECENT

    def work(session: Session) -> tuple[list[LoanView], OfficeCalendar]:
        found = loans.loans_of(session, person.id, returned_since=since)
        return found, office_calendar(app, session)

    found, calendar = await app.db.run(work)
    if not found:
        await answer(update, _("You have no government property on loan. Thank you."))
        return
    lines = [_("Government property you have borrowed:"), ""]
    lines += [loan_lines(view, person.language, app, calendar) for view in found]
    waiting = [v for v in found if v.loan.status == "awaiting_receipt"][:BUTTON_LIMIT]
    keyboard: Keyboard = [
        [(_("Received: no. {number}").format(number=v.id), f"{RECEIVED_CALLBACK}{v.id}")]
        for v in waiting
    ]
    await answer(update, "\n".join(lines), reply_markup=markup(keyboard))


TEXT_STEPS = {
    "borrower": borrower_text,
    "items": items_text,
    "purpose": purpose_text,
    "due": due_text,
    "condition": condition_text,
}
PREVIEW_HINT = N_("Please press Confirm or Cancel under the preview, or type /cancel.")
