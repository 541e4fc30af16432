"""The duty messages: a reminder, a follow-up, the escalation to the director, and the
coordinator's reminder of the onward deadline (the 15th, to สป.)."""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import Translate, format_date, format_datetime, translator, weekday_name
from bot.common.render import (
    Keyboard,
    Rendered,
    lateness,
    period_label,
    project_of,
    title,
    when,
)
from bot.common.roles import DIRECTOR_TITLE, head_of_group
from bot.common.words import status_name
from bot.duties.buttons import DONE, ESCALATION, SNOOZE
from bot.duties.memo_loop import ORDER_WORDS


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
        *_project_line(params, _),
        _("Period: {period}").format(period=period_label(params, language, zone)),
        _due_line(params, language, zone, bool(ahead)),
        "",
        _ask(params, _, language, zone),
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


def _project_line(params: dict[str, Any], _: Translate) -> list[str]:
    """``โครงการ: P-01 …`` under the report's title, for a report owed per project."""
    project = project_of(params)
    return [_("Project: {project}").format(project=project)] if project else []


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


def _ask(params: dict[str, Any], _: Translate, language: str, zone: ZoneInfo) -> str:
    if params["kind"] == "followup":
        return _follow_up(params, _, language, zone)
    return _(
        "Please send the report to the Policy and Planning Group on time, then press "
        '"Report sent" below. The evidence file may be attached afterwards.'
    )


def _follow_up(params: dict[str, Any], _: Translate, language: str, zone: ZoneInfo) -> str:
    """``กลุ่มนโยบายและแผนขอติดตาม (ครั้งที่ 1) โปรดจัดส่งภายในวันที่ 13 มกราคม 2569
    หากพ้นกำหนดจะเสนอบันทึกข้อความต่อศึกษาธิการจังหวัดพิจิตร``: which time, the new date
    (before the escalation), and who receives the memo; the group and the director as the
    config names them (a row written before they were passed: the plan's names)."""
    english = language == "en"
    group = params.get("coordinator_en" if english else "coordinator_th") or _(
        "Policy and Planning Group"
    )
    number = params.get("followup_number", 0)
    by = params.get("answer_by")
    if by:
        moment = datetime.fromisoformat(str(by)).astimezone(zone)
        deadline = (
            format_datetime(moment, language)
            if params.get("answer_by_time")
            else format_date(moment.date(), language)
        )
        director = params.get("director_en" if english else "director_th") or _(DIRECTOR_TITLE)
        asked = _(
            "The {group} follows up (no. {number}): please send the report by {date}; after "
            "that a memo goes to the {director}."
        ).format(group=group, number=number, date=deadline, director=director)
    else:
        asked = _(
            "The {group} follows up (no. {number}): please send the report as soon as possible."
        ).format(group=group, number=number)
    return asked + " " + _('Once it is sent, please press "Report sent" below.')


def _aid(params: dict[str, Any]) -> int:
    return int(params["assignment_id"])


def _escalation(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    missing = params.get("missing", [])
    lines = [
        *_escalation_heading(params, language),
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
        project = project_of(item)
        line = (
            _(
                "{number}. {name} ({groups}), project {project}: {followups} follow-ups "
                "unanswered, {lateness}"
            )
            if project
            else _("{number}. {name} ({groups}): {followups} follow-ups unanswered, {lateness}")
        )
        lines.append(
            line.format(
                number=number,
                name=name,
                groups=groups or "-",
                project=project,
                followups=item["followups"],
                lateness=lateness(item, _),
            )
        )
        if item.get("project_code"):  # one person, several projects: buttons told apart
            name = f"{name} ({item['project_code']})"
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
            "Suggested action (measure {measure} of the plan): the {director} orders the "
            "persons responsible to submit the report without delay."
        ).format(measure=params.get("measure") or "1.1", director=_director(params, language)),
        _("For your consideration and order.")
        if params.get("for_director")
        else _("For your information."),
    ]
    return Rendered("\n".join(lines), keyboard)


def _director(params: dict[str, Any], language: str) -> str:
    found = params.get("director_en" if language == "en" else "director_th")
    return str(found or translator(language)(DIRECTOR_TITLE))


def _escalation_heading(params: dict[str, Any], language: str) -> list[str]:
    """As a memo opens: the subject, then the salutation — the director's own title, or for a
    copy สำเนาเรียน and whom (THAI-REVIEW items 1 and 11). A row written before these
    words (no director's title in it) keeps the old heading."""
    _ = translator(language)
    if "director_th" not in params:
        return [
            _("To the director") if params.get("for_director") else _("For your information"),
            _("Subject: reports still missing after two follow-ups"),
        ]
    subject = _("Subject: those who have not yet sent {title}").format(
        title=title(params, language)
    )
    if params.get("for_director"):
        return [subject, _("To: {director}").format(director=_director(params, language))]
    heads = params.get("copy_heads_en" if language == "en" else "copy_heads_th")
    whom = (
        ", ".join(head_of_group(group, _) for group in heads)
        if heads
        else params.get("copy_to_en" if language == "en" else "copy_to_th") or "-"
    )
    return [subject, _("Copy to: {whom} (for your information)").format(whom=whom)]


def _answerable(params: dict[str, Any]) -> set[int]:
    """The lines whose buttons this recipient may press (the tick decides, by the rule each
    press is checked against); a row written before the rule: the director's copy only."""
    if "answerable" in params:
        return {int(aid) for aid in params["answerable"]}
    if params.get("for_director"):
        return {int(item["assignment_id"]) for item in params.get("missing", [])}
    return set()


def _onward(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The coordinator's reminder to forward the reports (the 15th, to สป.): the deadline as
    a date (สป. sets no hour), whether that day is closed and by when to send then, what came
    in, who was reported to the director, and what the director ordered (when known)."""
    _ = translator(language)
    counts = params.get("counts", {})
    to = params.get("to_en" if language == "en" else "to_th") or ""
    lines = [
        _("Please forward the reports to {to} by the office's own deadline").format(to=to),
        "",
        _("Report: {title}").format(title=title(params, language)),
        _("Period: {period}").format(period=period_label(params, language, zone)),
        _("To be sent to {to} by {due}").format(to=to, due=_onward_date(params, language, zone)),
    ]
    closed = _onward_closed(params, _, language, zone)
    if closed:
        lines.append(closed)
    lines += [
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
    lines += _onward_escalated(params, _, language)
    lines += _onward_orders(params, _, language, zone)
    return Rendered("\n".join(lines))


def _onward_date(params: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    iso = params.get("onward_due_at")
    if not iso:
        return "-"
    return format_date(datetime.fromisoformat(str(iso)).astimezone(zone).date(), language)


def _onward_closed(params: dict[str, Any], _: Translate, language: str, zone: ZoneInfo) -> str:
    """``วันที่ 15 เมษายน 2569 ตรงกับวันสงกรานต์ ซึ่งสำนักงานปิดทำการ โปรดจัดส่งภายในวันที่
    10 เมษายน 2569 ซึ่งเป็นวันทำการสุดท้ายก่อนกำหนด``."""
    closed = params.get("onward_closed")
    if not closed or not params.get("onward_due_at"):
        return ""
    day = datetime.fromisoformat(str(params["onward_due_at"])).astimezone(zone).date()
    if closed.get("kind") == "weekend":
        reason = weekday_name(day, language)
    elif closed.get("kind") == "holiday":
        reason = closed.get("name_en" if language == "en" else "name_th") or "-"
    else:
        reason = _("the office's own closed day")
    send_by = date_type.fromisoformat(str(closed["send_by"]))
    return _(
        "{date} is {reason}, a day the office is closed: send by {send_by}, the last working "
        "day before it."
    ).format(
        date=format_date(day, language),
        reason=reason,
        send_by=format_date(send_by, language),
    )


def _onward_escalated(params: dict[str, Any], _: Translate, language: str) -> list[str]:
    """Who was reported to the director (a status beside those who have answered since)."""
    escalated = params.get("escalated") or []
    if not escalated:
        return []
    english = language == "en"
    lines = [_("Reported to the director ({count}):").format(count=len(escalated))]
    for number, item in enumerate(escalated, start=1):
        groups = ", ".join(item.get("groups_en" if english else "groups_th") or [])
        line = f"{number}. {item.get('name_en' if english else 'name_th') or '-'}"
        line += f" ({groups})" if groups else ""
        project = project_of(item)
        line += " — " + _("project {project}").format(project=project) if project else ""
        status = item.get("status")
        if status and status != "escalated":
            line += f" — {status_name(str(status), _)}"
        lines.append(line)
    return lines


def _onward_orders(
    params: dict[str, Any], _: Translate, language: str, zone: ZoneInfo
) -> list[str]:
    """What the director ordered on the period's memos (``orders``): the memo's number, the
    order, the director's words and the new deadline."""
    orders = params.get("orders") or []
    if not orders or not isinstance(orders[0], dict) or "number" not in orders[0]:
        return []
    lines = [_("The director's orders:")]
    for item in orders:
        words = ORDER_WORDS.get(str(item.get("kind")))
        line = _("- memo no. {number}/{year}: {order}").format(
            number=item["number"],
            year=item.get("fiscal_year", ""),
            order=_(words) if words else "-",
        )
        if item.get("text"):
            line += f" “{item['text']}”"
        if item.get("new_due_at"):
            due = datetime.fromisoformat(str(item["new_due_at"])).astimezone(zone)
            line += " " + _("(by {date})").format(date=format_date(due.date(), language))
        lines.append(line)
    return lines


DUTY_TEMPLATES = {"duty": _duty, "escalation": _escalation, "onward": _onward}
