"""The duty messages: a reminder, a follow-up, the escalation to the director, and the
coordinator's reminder of the onward deadline (the 15th, to สป.)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import Translate, format_date, translator
from bot.common.render import Keyboard, Rendered, lateness, period_label, title, when
from bot.duties.buttons import DONE, ESCALATION, SNOOZE


def _duty(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    ahead = params["kind"] == "last_call" and params.get("ahead_of_due_day")
    head = {
        "reminder": _("Reminder: a report is due"),
        "last_call": _("Today is the last working day before the due date")
        if ahead
        else _("Today is the due date"),
        "followup": _("Follow-up no. {number}: the report is overdue"),
        "again": _("A further reminder, at the director's request"),
    }[str(params["kind"])].format(number=params.get("followup_number", 0))
    lines = [
        head,
        "",
        _("Report: {title}").format(title=title(params, language)),
        _("Period: {period}").format(period=period_label(params, language, zone)),
        _due_line(params, language, zone, bool(ahead)),
        "",
        _ask(params, _),
    ]
    if params.get("group_duty"):
        lines.append(_("This report is owed by your work group: any member may confirm it."))
    if params.get("announce"):  # the maintenance plan (measure 1.4)
        lines.append(
            _(
                "To announce the plan to all staff, type /announce_maintenance: the "
                "announcement also confirms this report."
            )
        )
    if int(params.get("collapsed", 1)) > 1:
        lines.append(
            _("(This message replaces {count} reminders that could not be sent in time.)").format(
                count=params["collapsed"]
            )
        )
    keyboard = [[(_("Report sent"), DONE(_aid(params)))]]
    if params["kind"] in ("reminder", "last_call"):
        keyboard.append([(_("Remind me again tomorrow"), SNOOZE(_aid(params)))])
    return Rendered("\n".join(lines), keyboard)


def _due_line(params: dict[str, Any], language: str, zone: ZoneInfo, ahead: bool) -> str:
    """``กำหนดส่ง: ภายในวันที่ …``; on the last working day before a due date that falls on a
    closed day: ``กำหนดส่งตรงกับวันเสาร์ที่ 10 ม.ค. 2569 โปรดจัดส่งภายในวันนี้``."""
    _ = translator(language)
    if ahead and params.get("due_on_closed_day") and params.get("due_at"):
        due = datetime.fromisoformat(str(params["due_at"])).astimezone(zone)
        return _("The due date falls on {date}: please send the report today").format(
            date=format_date(due.date(), language, "weekday_short")
        )
    return _("Due: by {due}").format(due=when(params.get("due_at"), language, zone))


def _ask(params: dict[str, Any], _: Translate) -> str:
    if params["kind"] == "followup":
        return _(
            "We have not yet received your confirmation. Please send the report as soon as "
            'possible and then press "Report sent". If it is still missing after the second '
            "follow-up, the matter goes to the director for an order, as the office's plan "
            "requires."
        )
    return _(
        "Please send the report to the Policy and Planning Group on time, then press "
        '"Report sent" below. The evidence file may be attached afterwards.'
    )


def _aid(params: dict[str, Any]) -> int:
    return int(params["assignment_id"])


def _escalation(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    missing = params.get("missing", [])
    lines = [
        _("To the director") if params.get("for_director") else _("For your information"),
        _("Subject: reports still missing after two follow-ups"),
        "",
        _("Report: {title}").format(title=title(params, language)),
        _("Period: {period}").format(period=period_label(params, language, zone)),
        _("Due: by {due}").format(due=when(params.get("due_at"), language, zone)),
        "",
        _("Not yet received from {count}:").format(count=len(missing)),
    ]
    keyboard: Keyboard = []
    answerable = _answerable(params)
    for number, item in enumerate(missing, start=1):
        name = item["name_en" if language == "en" else "name_th"]
        groups = ", ".join(item["groups_en" if language == "en" else "groups_th"])
        lines.append(
            _("{number}. {name} ({groups}): {followups} follow-ups unanswered, {lateness}").format(
                number=number,
                name=name,
                groups=groups or "-",
                followups=item["followups"],
                lateness=lateness(item, _),
            )
        )
        aid = item["assignment_id"]
        if aid not in answerable:
            continue  # not theirs to answer (about themselves, or another group): no buttons
        keyboard.append(
            [
                (_("Remind again now: {name}").format(name=name), ESCALATION("r", aid)),
                (_("Excuse: {name}").format(name=name), ESCALATION("x", aid)),
            ]
        )
        if params.get("for_director"):
            keyboard.append(
                [
                    (
                        _("I will order it myself: {name}").format(name=name),
                        ESCALATION("o", aid),
                    )
                ]
            )
    lines += [
        "",
        _(
            "Suggested action (measure 1.1 of the plan): the director orders the persons "
            "responsible to submit the report without delay."
        ),
    ]
    return Rendered("\n".join(lines), keyboard)


def _answerable(params: dict[str, Any]) -> set[int]:
    """The lines whose buttons this recipient may press (the tick decides, by the rule each
    press is checked against); a row written before the rule: the director's copy only."""
    if "answerable" in params:
        return {int(aid) for aid in params["answerable"]}
    if params.get("for_director"):
        return {int(item["assignment_id"]) for item in params.get("missing", [])}
    return set()


def _onward(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    counts = params.get("counts", {})
    to = params.get("to_en" if language == "en" else "to_th") or ""
    lines = [
        _("The office's own deadline is near: forward the reports to {to}").format(to=to),
        "",
        _("Report: {title}").format(title=title(params, language)),
        _("Period: {period}").format(period=period_label(params, language, zone)),
        _("To be sent to {to} by {due}").format(
            to=to, due=when(params.get("onward_due_at"), language, zone)
        ),
        "",
        _(
            "So far: {on_time} on time, {late} late, {pending} not yet sent, {escalated} reported "
            "to the director, {excused} excused."
        ).format(
            on_time=counts.get("submitted_on_time", 0),
            late=counts.get("submitted_late", 0),
            pending=counts.get("pending", 0),
            escalated=counts.get("escalated", 0),
            excused=counts.get("excused", 0),
        ),
    ]
    return Rendered("\n".join(lines))


DUTY_TEMPLATES = {"duty": _duty, "escalation": _escalation, "onward": _onward}
