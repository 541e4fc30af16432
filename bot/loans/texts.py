"""Property loans (measure 1.4) in words: the outbox templates of loans and of the maintenance
plan, and the pieces the handlers share (items, conditions, states).

``bot.common.render.render`` looks templates up here when they are not its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.callbacks import Choice, Numbered, Words, choices
from bot.common.i18n import N_, Translate, format_date, translator
from bot.common.render import Keyboard, Rendered
from bot.common.words import condition_name
from jobs.loans.ladder import AWAITING_RECEIPT, OVERDUE, RETURNED, WITHDRAWN

# The kinds of button of property loans, as the messages already in people's chats carry them
LOAN = Words("ln:", least=1, most=2)  # /loan: ln:b:<staff> (the borrower), ln:d, ln:c, ln:ok, ln:no
WITHDRAW = Choice("lw:", choices("ok"))  # /cancel_loan's Confirm (its Cancel is ln:no)
RETURN = Words("lr:", least=1, most=3)  # /return: lr:s:<loan>, lr:i:<item>:<g|d|m>, lr:n, lr:n0,
# lr:ok, lr:no
MAINTENANCE = Choice("mt:", choices("ok", "no"))  # /announce_maintenance: Confirm, Cancel
RECEIVED = Numbered("loan-recv:")  # the borrower's "Received" under the hand-over
STATE_NAMES = {
    AWAITING_RECEIPT: N_("awaiting receipt"),
    "out": N_("out"),
    OVERDUE: N_("overdue by {days} working days"),
    RETURNED: N_("returned"),
    WITHDRAWN: N_("withdrawn (recorded in error)"),
}


def day_text(iso: str | None, language: str) -> str:
    return format_date(date.fromisoformat(iso), language) if iso else "-"


def state_text(state: str, days: int, _: Translate) -> str:
    return _(STATE_NAMES.get(state, state)).format(days=days)


def item_lines(items: Iterable[dict[str, Any]], _: Translate) -> list[str]:
    """``• 7440-001-0001/2567 — notebook computer`` (with its condition once returned)."""
    lines = []
    for item in items:
        line = f"• {item['asset']} — {item['description']}"
        if item.get("condition"):
            line += f": {condition_name(item['condition'], _)}"
        lines.append(line)
    return lines


def _facts(params: dict[str, Any], language: str, _: Translate) -> list[str]:
    return [
        _("Purpose: {purpose}").format(purpose=params.get("purpose", "-")),
        _("Date out: {date}").format(date=day_text(params.get("lent_on"), language)),
        _("Due back by: {date}").format(date=day_text(params.get("due_on"), language)),
    ]


def _loan_head(params: dict[str, Any], _: Translate) -> list[str]:
    kind, to = params.get("kind"), params.get("to")
    if to == "director":
        opening = _("To the director") if params.get("for_director") else _("For your information")
        return [opening, _("Subject: government property not returned by the due date")]
    if to == "procurement":
        return [_("Overdue property loan: please follow it up")]
    if kind == "reminder":
        return [_("Reminder: borrowed government property is due back")]
    if kind == "last_call":
        return [_("Borrowed government property is due back today")]
    return [_("Borrowed government property is overdue")]


def _loan_ask(params: dict[str, Any], _: Translate) -> str:
    to, kind = params.get("to"), params.get("kind")
    if to == "director":
        return _(
            "Suggested action (measure 1.4 of the plan): the director orders the borrower to "
            "return the property without delay, and the procurement officer to check its "
            "condition on return."
        )
    if to == "procurement":
        return _(
            "Please follow it up with the borrower, and record the return with /return when "
            "the items are back."
        )
    if kind in ("reminder", "last_call"):
        return _(
            "Please return the items to the procurement officer by the due date. If you still "
            "need them, please speak to the procurement officer before then."
        )
    return _(
        "Please return the items to the procurement officer as soon as possible. If they are "
        "not returned, the procurement officer and then the director will be told, as the "
        "office's plan requires."
    )


def _loan(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """A step of the loan ladder: to the borrower, the procurement officer or the director."""
    _ = translator(language)
    items = params.get("items", [])
    lines = [*_loan_head(params, _), "", _("Loan no. {number}").format(number=params["loan_id"])]
    if params.get("to") != "borrower":
        lines.append(_("Borrower: {name}").format(name=params.get("borrower", "-")))
    lines.append(
        _("Items not yet returned ({count} of {total}):").format(
            count=len(items), total=params.get("total_items", len(items))
        )
    )
    lines += item_lines(items, _)
    lines += _facts(params, language, _)
    if params.get("days_overdue"):
        lines.append(_("Overdue by {days} working days").format(days=params["days_overdue"]))
    lines += ["", _loan_ask(params, _)]
    if int(params.get("collapsed", 1)) > 1:
        lines.append(
            _("(This message replaces {count} reminders that could not be sent in time.)").format(
                count=params["collapsed"]
            )
        )
    return Rendered("\n".join(lines))


def handover_text(params: dict[str, Any], language: str) -> str:
    """What the borrower is asked to confirm (also the message the "received" press edits)."""
    _ = translator(language)
    items = params.get("items", [])
    lines = [
        _("Government property handed over to you (loan no. {number})").format(
            number=params["loan_id"]
        ),
        "",
        _("Items ({count}):").format(count=len(items)),
        *item_lines(items, _),
        *_facts(params, language, _),
        _("Condition at hand-over: {condition}").format(condition=params.get("condition_out")),
        _("Recorded by: {name}").format(name=params.get("officer", "-")),
    ]
    return "\n".join(lines)


def _handover(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    ask = _(
        'Please check the items and press "Received" to confirm that you have received them. '
        "Please return them to the procurement officer by the due date."
    )
    keyboard: Keyboard = [[(_("Received"), RECEIVED(int(params["loan_id"])))]]
    return Rendered(handover_text(params, language) + "\n\n" + ask, keyboard)


def _returned(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the borrower: what came back, in what condition, and what is still out."""
    _ = translator(language)
    lines = [
        _("Return recorded (loan no. {number})").format(number=params["loan_id"]),
        "",
        _("Returned:"),
        *item_lines(params.get("returned", []), _),
    ]
    if params.get("note"):
        lines.append(_("Note: {note}").format(note=params["note"]))
    outstanding = params.get("outstanding", [])
    if outstanding:
        lines += ["", _("Still to be returned ({count}):").format(count=len(outstanding))]
        lines += item_lines(outstanding, _)
    else:
        lines += ["", _("Every item is back; the loan is closed. Thank you.")]
    return Rendered("\n".join(lines))


def _damage(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the director (or the acting officer): items returned damaged or incomplete."""
    _ = translator(language)
    lines = [
        _("To the director") if params.get("for_director") else _("For your information"),
        _("Subject: borrowed property returned damaged or incomplete"),
        "",
        _("Loan no. {number}").format(number=params["loan_id"]),
        _("Borrower: {name}").format(name=params.get("borrower", "-")),
        *_facts(params, language, _),
        _("Condition at hand-over: {condition}").format(condition=params.get("condition_out")),
        "",
        _("Returned damaged or incomplete:"),
        *item_lines(params.get("not_good", []), _),
        _("Note: {note}").format(note=params.get("note") or "-"),
        _("Recorded by {name} on {date}").format(
            name=params.get("recorded_by", "-"), date=day_text(params.get("returned_on"), language)
        ),
        "",
        _(
            "Suggested action (measure 1.4 of the plan): the director orders the repair of the "
            "property, or compensation by the borrower, under the regulations."
        ),
    ]
    return Rendered("\n".join(lines))


def _withdrawn(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the borrower: the hand-over was recorded in error and is withdrawn."""
    _ = translator(language)
    lines = [
        _("Loan no. {number} has been withdrawn: it was recorded in error.").format(
            number=params["loan_id"]
        ),
        _("Reason: {reason}").format(reason=params.get("reason") or "-"),
        "",
        _("There is nothing for you to do; the earlier hand-over message no longer applies."),
        _("Recorded by: {name}").format(name=params.get("officer", "-")),
    ]
    return Rendered("\n".join(lines))


def _maintenance(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The annual maintenance plan, announced to every staff member."""
    _ = translator(language)
    lines = [
        _(
            "Announcement: the annual maintenance plan for government property, "
            "fiscal year {fiscal_year}"
        ).format(fiscal_year=params.get("fiscal_year", "-")),
        "",
        str(params.get("text", "")),
        "",
        _("From {name}, procurement officer").format(name=params.get("officer", "-")),
    ]
    return Rendered("\n".join(lines))


LOAN_TEMPLATES: dict[str, Callable[[dict[str, Any], str, ZoneInfo], Rendered]] = {
    "loan": _loan,
    "loan_handover": _handover,
    "loan_returned": _returned,
    "loan_damage": _damage,
    "loan_withdrawn": _withdrawn,
    "maintenance": _maintenance,
}
