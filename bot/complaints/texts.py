"""The complaint channel's messages from the outbox, and its part of the director's digest.

They name a complaint by its number and dates only: its content is read in the bot
(``/complaints``), by the people allowed to, where each look is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import translator
from bot.common.render import Rendered
from bot.complaints.words import outcome_name, reference, status_name, when


def _step(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the handlers and the director: a new complaint, a reminder, an overdue one."""
    _ = translator(language)
    step = str(params.get("step"))
    complaint = reference(params.get("complaint_id"), _)
    head = {
        "new": _("A new complaint has been received: {complaint}"),
        "added": _("The complainant added information to {complaint}"),
        "acknowledge_reminder": _("Reminder: {complaint} is still to be acknowledged"),
        "acknowledge_overdue": _("{complaint} was not acknowledged in time"),
        "result_reminder": _("Reminder: {complaint} is still to have an outcome"),
        "result_overdue": _("{complaint} has no outcome and its deadline has passed"),
    }.get(step, "{complaint}")
    lines = [
        head.format(complaint=complaint),
        "",
        _("Received: {date}").format(date=when(params.get("filed_at"), language, zone)),
        _("To be acknowledged by: {date}").format(
            date=when(params.get("acknowledge_by"), language, zone)
        ),
        _("Outcome expected by: {date}").format(date=when(params.get("result_by"), language, zone)),
    ]
    if step.endswith("_overdue"):
        names = ", ".join(params.get("handlers") or []) or _("none named yet")
        lines += [
            _("Complaint handlers: {names}").format(names=names),
            "",
            _(
                "Suggested action (measure 1.7 of the plan): the director follows up the "
                "complaint with the handlers, or names a handler with /handlers."
            ),
        ]
    lines += ["", _("To read it and act on it, type /complaints.")]
    return Rendered("\n".join(lines))


def _notice(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To a complainant who asked to be told (the sender found their chat)."""
    _ = translator(language)
    if params.get("kind") == "acknowledged":
        return Rendered(
            _(
                "Your complaint has been acknowledged: the officers responsible are looking into "
                "it. You can check its status at any time with /complaint and your tracking code."
            )
        )
    lines = [
        _("Your complaint has an outcome: {outcome}").format(
            outcome=outcome_name(params.get("outcome"), _)
        )
    ]
    if params.get("outcome_text"):
        lines += ["", _("The office's answer:"), str(params["outcome_text"])]
    lines += [
        "",
        _(
            "The case is closed, and the number of this chat is erased after this message: the "
            "bot will not write to you about it again. Thank you for helping the office against "
            "corruption."
        ),
    ]
    return Rendered("\n".join(lines))


def digest_section(data: dict[str, Any], language: str, zone: ZoneInfo) -> list[str]:
    """The monthly complaint report in the director's digest: counts and overdue ones."""
    _ = translator(language)
    counts = data.get("counts", {})
    lines = [
        "",
        _("Complaints (measure 1.7), for the director only:"),
        _("• received this month: {filed}; closed this month: {closed}").format(
            filed=data.get("filed_this_month", 0), closed=data.get("closed_this_month", 0)
        ),
    ]
    lines += [
        f"• {status_name(status, _)}: {counts.get(status, 0)}"
        for status in ("received", "acknowledged", "closed")
    ]
    outcomes = data.get("outcomes_this_month", {})
    lines += [
        _("• closed this month as {outcome}: {count}").format(
            outcome=outcome_name(code, _), count=number
        )
        for code, number in outcomes.items()
    ]
    late = data.get("overdue", [])
    lines.append(_("Overdue ({count}):").format(count=len(late)))
    for item in late:
        missed = (
            _("not acknowledged by {date}")
            if item["missed"] == "acknowledge"
            else _("no outcome by {date}")
        )
        lines.append(
            _("• {complaint}: {missed}, {days} working days late").format(
                complaint=reference(item["complaint_id"], _),
                missed=missed.format(date=when(item["deadline"], language, zone)),
                days=item["working_days_late"],
            )
        )
    if not late:
        lines.append(_("  none"))
    return lines


def director_digest(params: dict[str, Any], language: str, zone: ZoneInfo) -> list[str]:
    """The complaint section of a digest (``Feature.digest_section``): in the director's copy
    only, the one ``jobs.tick`` gives the complaint figures; nothing in anyone else's."""
    found = params.get("complaints")
    return digest_section(found, language, zone) if found else []


COMPLAINT_TEMPLATES: dict[str, Callable[[dict[str, Any], str, ZoneInfo], Rendered]] = {
    "complaint_step": _step,
    "complaint_notice": _notice,
}
