"""How the digest and the evidence workbook name a memo's order and what came of it, once for
both (English message ids, translated in the reader's or the document's language)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import N_, Translate, format_date
from storage.models import MemoOrderKind, MemoOutcome, MemoState

WAITING = {
    MemoState.DRAFT.value: N_("awaiting the coordinator's proposal"),
    MemoState.PROPOSED.value: N_("awaiting the director's order"),
}
SUBMIT_BY = N_("submit by {date}")
ORDERS = {
    MemoOrderKind.EXCUSED.value: N_("exempted"),
    MemoOrderKind.DIRECTOR.value: N_("the director orders it in person"),
}
OUTCOMES = {
    MemoOutcome.SUBMITTED.value: N_("the report came in"),
    MemoOutcome.EXCUSED.value: N_("exempted"),
    MemoOutcome.DIRECTOR.value: N_("left to the director"),
}
KINDS = {  # the order's kind, as the action log names it
    MemoOrderKind.DEADLINE.value: N_("submit by a new deadline"),
    **ORDERS,
}
MISSED = N_("still missing after the new deadline")
STILL_MISSING = N_("still missing: {names}")
AWAITING_REPORT = N_("awaiting the report")


def order_text(item: dict[str, Any], _: Translate, language: str, zone: ZoneInfo) -> str:
    """``submit by 15 ม.ค. 2568 “…”``, ``exempted: reason``, or where the memo is waiting."""
    kind = item.get("order_kind")
    words = str(item.get("order_text") or "").strip()
    if kind is None:
        return _(WAITING.get(str(item.get("state")), WAITING[MemoState.PROPOSED.value]))
    if kind == MemoOrderKind.DEADLINE.value:
        due = datetime.fromisoformat(str(item["new_due_at"])).astimezone(zone).date()
        text = _(SUBMIT_BY).format(date=format_date(due, language, "short"))
        return f"{text} “{words}”" if words else text
    name = _(ORDERS.get(str(kind), str(kind)))
    return f"{name}: {words}" if words else name


def outcome_text(item: dict[str, Any], _: Translate, language: str = "th") -> str:
    """What came of the order: the report came in, still missing (who), exempted …; while
    the new deadline runs, awaiting the report; before any order, nothing yet."""
    outcome = item.get("outcome")
    if outcome == MemoOutcome.MISSED.value:
        names = item.get("missing_en" if language == "en" else "missing") or []
        return _(STILL_MISSING).format(names=", ".join(names) or "-")
    if outcome is None:
        return _(AWAITING_REPORT) if item.get("order_kind") else "-"
    return _(OUTCOMES.get(str(outcome), str(outcome)))
