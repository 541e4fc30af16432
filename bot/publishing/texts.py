"""The publication queue (measures 1.2 and 1.3) in words: the kinds of button, the outbox
templates (the web officer's queue item and its reminders, the coordinator's notice, the
sender's answer) and the pieces the handlers share."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.callbacks import ChoiceNumbered, Numbered, Words, choices
from bot.common.i18n import N_, Translate, format_date, format_datetime, format_month, translator
from bot.common.render import Keyboard, Rendered, period_label, title
from storage.publications import BOTH, DECLINED, PUBLISHED, SOCIAL, WEB

# The kinds of button, as the messages in people's chats carry them
PUBLISH = Words("pb:", least=1, most=2)  # /publish: pb:next, pb:to:<web|social|both>, pb:ok, pb:no
QUEUE = ChoiceNumbered("pq:", choices("done", "no", "show"))  # the web officer's, on an item
REPORT = Numbered("pr:")  # /pubreport: confirm this report (assignment) with its links

DESTINATION_NAMES = {
    WEB: N_("website"),
    SOCIAL: N_("social media page"),
    BOTH: N_("both channels"),
}
HEADINGS = {
    "new": N_("A request to publish"),
    "reminder": N_("Reminder: a request to publish is still waiting"),
    "followup": N_("Follow-up: a request to publish is still waiting"),
    "escalation": N_("Follow-up: a request to publish is still waiting"),
}


def destination_name(code: str, _: Translate) -> str:
    return _(DESTINATION_NAMES[code]) if code in DESTINATION_NAMES else code


def moment_text(iso: str | None, language: str, zone: ZoneInfo) -> str:
    """An instant of the parameters, in B.E. in the office's zone (``-`` when absent)."""
    if not iso:
        return "-"
    return format_datetime(datetime.fromisoformat(iso).astimezone(zone), language)


def attachments_line(photos: int, documents: int, _: Translate) -> str:
    return _("Attached: {photos} photos, {documents} files").format(
        photos=photos, documents=documents
    )


def item_facts(params: dict[str, Any], language: str, zone: ZoneInfo) -> list[str]:
    """What every message about an item says: its number, who sent it, where, when, what."""
    _ = translator(language)
    lines = [
        _("Request no. {number}").format(number=params["publication_id"]),
        _("From: {name}").format(name=params.get("sender", "-")),
        _("To be published on: {where}").format(
            where=destination_name(str(params.get("destination")), _)
        ),
        _("Sent on: {when}").format(when=moment_text(params.get("requested_at"), language, zone)),
    ]
    if params.get("summary"):
        lines += [_("Content:"), str(params["summary"])]
    if params.get("photos") or params.get("documents"):
        lines.append(attachments_line(int(params["photos"]), int(params["documents"]), _))
    return lines


def queue_keyboard(publication_id: int, _: Translate) -> Keyboard:
    return [
        [
            (_("Published"), QUEUE("done", publication_id)),
            (_("Not published (give the reason)"), QUEUE("no", publication_id)),
        ],
        [(_("Show the content and files"), QUEUE("show", publication_id))],
    ]


def _request(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the web officer: a new item, or a reminder of one still waiting."""
    _ = translator(language)
    heading = _(HEADINGS.get(str(params.get("kind", "new")), HEADINGS["new"]))
    lines = [heading, "", *item_facts(params, language, zone), ""]
    lines.append(
        _(
            'Please publish it, then press "Published" and send its link; or press "Not '
            'published" and give the reason. The sender will be told either way.'
        )
    )
    if int(params.get("collapsed", 1)) > 1:
        lines.append(
            _("(This message replaces {count} reminders that could not be sent in time.)").format(
                count=params["collapsed"]
            )
        )
    return Rendered("\n".join(lines), queue_keyboard(int(params["publication_id"]), _))


def _waiting(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the coordinators: an item the web officer has not yet answered."""
    _ = translator(language)
    lines = [
        _("For your information: a request to publish has not yet been answered"),
        "",
        *item_facts(params, language, zone),
        "",
        _(
            "Suggested action (measures 1.2 and 1.3 of the plan): please follow it up with the "
            "web officer, so that the office's website and social page stay up to date."
        ),
    ]
    return Rendered("\n".join(lines))


def _published(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the sender: published, with the links."""
    _ = translator(language)
    lines = [
        _("Your request no. {number} has been published.").format(number=params["publication_id"]),
        _("Published by {name} on {when}").format(
            name=params.get("by", "-"), when=moment_text(params.get("decided_at"), language, zone)
        ),
        _("Links:"),
        *[f"• {link}" for link in params.get("links", [])],
    ]
    return Rendered("\n".join(lines))


def _declined(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the sender: not published, with the reason."""
    _ = translator(language)
    lines = [
        _("Your request no. {number} has not been published.").format(
            number=params["publication_id"]
        ),
        _("Reason: {reason}").format(reason=params.get("reason", "-")),
        _("Answered by {name} on {when}").format(
            name=params.get("by", "-"), when=moment_text(params.get("decided_at"), language, zone)
        ),
        "",
        _("To send it again with changes, type /publish."),
    ]
    return Rendered("\n".join(lines))


# -- the monthly report, pre-filled ----------------------------------------------------------


def _day(iso: str | None, language: str, zone: ZoneInfo) -> str:
    if not iso:
        return "-"
    return format_date(datetime.fromisoformat(iso).astimezone(zone), language, "short")


def _asked_line(item: dict[str, Any], language: str, zone: ZoneInfo, _: Translate) -> str:
    status = item.get("status")
    if status == PUBLISHED:
        state = _("published")
    elif status == DECLINED:
        state = _("not published: {reason}").format(reason=item.get("reason") or "-")
    else:
        state = _("waiting")
    return _("• No. {number} {summary} ({name}, {date}): {state}").format(
        number=item["number"],
        summary=item.get("summary") or _("(photos or files)"),
        name=item.get("sender", "-"),
        date=_day(item.get("requested_at"), language, zone),
        state=state,
    )


def _published_line(item: dict[str, Any], language: str, zone: ZoneInfo, _: Translate) -> str:
    head = _("• No. {number} {summary}, published on {date}:").format(
        number=item["number"],
        summary=item.get("summary") or _("(photos or files)"),
        date=_day(item.get("decided_at"), language, zone),
    )
    return "\n".join([head, *[f"  {link}" for link in item.get("links", [])]])


def _waiting_line(
    item: dict[str, Any], as_of: datetime, language: str, zone: ZoneInfo, _: Translate
) -> str:
    since = datetime.fromisoformat(str(item["requested_at"]))
    return _("• No. {number} {summary} ({name}): waiting since {since}, {days} days").format(
        number=item["number"],
        summary=item.get("summary") or _("(photos or files)"),
        name=item.get("sender", "-"),
        since=format_datetime(since.astimezone(zone), language),
        days=(as_of - since).days,
    )


def report_lines(params: dict[str, Any], language: str, zone: ZoneInfo) -> list[str]:
    """A monthly E-Service or social report, pre-filled from the queue: what was asked in the
    month it covers, what was published with the links, what is still waiting and since when."""
    _ = translator(language)
    as_of = datetime.fromisoformat(str(params["as_of"]))
    asked, published, waiting = params["asked"], params["published"], params["waiting"]
    covered = format_month(date.fromisoformat(str(params["covered"])), language)
    return [
        f"{title(params, language)} — {period_label(params, language, zone)}",
        _("Pre-filled from the publication queue, for {month}").format(month=covered),
        "",
        _("Asked to publish ({count}):").format(count=len(asked)),
        *[_asked_line(item, language, zone, _) for item in asked],
        _("Published, with the links ({count}):").format(count=len(published)),
        *[_published_line(item, language, zone, _) for item in published],
        _("Still waiting ({count}):").format(count=len(waiting)),
        *[_waiting_line(item, as_of, language, zone, _) for item in waiting],
        "",
        _(
            'Press "Confirm the report with these links" to record the report as sent, with '
            "the links above as its evidence."
        ),
    ]


def report_keyboard(assignment_id: int, _: Translate) -> Keyboard:
    return [[(_("Confirm the report with these links"), REPORT(assignment_id))]]


def _report(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """To the report's owners when its first reminder goes out: the report, pre-filled."""
    _ = translator(language)
    as_of = moment_text(params.get("as_of"), language, zone)
    lines = [
        _("The monthly report, pre-filled from the publication queue (as of {when}):").format(
            when=as_of
        ),
        "",
        *report_lines(params, language, zone),
        _("Type /pubreport for the latest."),
    ]
    return Rendered("\n".join(lines), report_keyboard(int(params["assignment_id"]), _))


PUBLISHING_TEMPLATES = {
    "publication_request": _request,
    "publication_waiting": _waiting,
    "publication_published": _published,
    "publication_declined": _declined,
    "publication_report": _report,
}
