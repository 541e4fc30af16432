"""Names of a complaint's statuses and outcomes, shared by the complainant's and the handlers'
screens and by the messages the tick sends."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.common.i18n import N_, Translate, format_datetime
from storage.models import ComplaintOutcome, ComplaintStatus

STATUS_NAMES = {
    ComplaintStatus.RECEIVED.value: N_("received, waiting to be acknowledged"),
    ComplaintStatus.ACKNOWLEDGED.value: N_("acknowledged, being looked into"),
    ComplaintStatus.CLOSED.value: N_("closed, with an outcome"),
}
OUTCOME_NAMES = {
    ComplaintOutcome.SUBSTANTIATED.value: N_("substantiated: action has been taken"),
    ComplaintOutcome.UNFOUNDED.value: N_("unfounded: no wrongdoing was found"),
    ComplaintOutcome.REFERRED.value: N_("referred to the authority that can act on it"),
    ComplaintOutcome.INSUFFICIENT.value: N_("not enough information to act on; the matter ends"),
}
OUTCOME_BUTTONS = {
    ComplaintOutcome.SUBSTANTIATED.value: N_("Substantiated"),
    ComplaintOutcome.UNFOUNDED.value: N_("Unfounded"),
    ComplaintOutcome.REFERRED.value: N_("Referred elsewhere"),
    ComplaintOutcome.INSUFFICIENT.value: N_("Not enough information"),
}


def status_name(status: str, _: Translate) -> str:
    return _(STATUS_NAMES.get(status, status))


def outcome_name(outcome: str | None, _: Translate) -> str:
    return _(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else "-"


def reference(complaint_id: int | None, _: Translate) -> str:
    """How the office refers to a complaint: by its number, never by who filed it."""
    return _("Complaint no. {number}").format(number=complaint_id)


def when(moment: datetime | str | None, language: str, zone: ZoneInfo) -> str:
    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return format_datetime(moment.astimezone(zone), language)
