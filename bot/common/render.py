"""Outbox templates → text and buttons, in the reader's language, as the office writes.

The tick stores a template name and plain parameters; the words are chosen here, when the
message is sent, so that each person reads it in their own language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date

from bot.common.i18n import Translate, buddhist_year, format_date, format_datetime, translator
from jobs.recurrence import month_covered

Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback data)
DONE_CALLBACK = "done:"
ESCALATION_CALLBACK = "esc:"
SNOOZE_CALLBACK = "sz:"


@dataclass(frozen=True)
class Rendered:
    text: str
    keyboard: Keyboard = field(default_factory=list)
    photo: bytes | None = None  # sent before the text (the digest's chart)


def _title(params: dict[str, Any], language: str) -> str:
    return str(params.get("title_en" if language == "en" else "title_th") or "")


def _when(iso: str | None, language: str, zone: ZoneInfo) -> str:
    if not iso:
        return "-"
    return format_datetime(datetime.fromisoformat(iso).astimezone(zone), language)


def period_label(params: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    """``ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2568``, ``ประจำเดือนมกราคม 2568`` …"""
    _ = translator(language)
    fiscal_year, key = params.get("fiscal_year"), str(params.get("period_key") or "")
    if params.get("quarter"):
        return _("quarter {quarter}, fiscal year {fiscal_year}").format(
            quarter=params["quarter"], fiscal_year=fiscal_year
        )
    if key.startswith("meeting-"):
        month, year = _month_and_year(
            date.fromisoformat(f"{key.removeprefix('meeting-')}-01"), language
        )
        return _("for the staff meeting of {month} {year}").format(month=month, year=year)
    if params.get("month"):  # the month the report is about, not always the month it is due
        due = datetime.fromisoformat(str(params["due_at"])).astimezone(zone)
        covered = month_covered(key, due.date(), params.get("covers_previous_month"))
        month, year = _month_and_year(covered, language)
        return _("for {month} {year}").format(month=month, year=year)
    return _("fiscal year {fiscal_year}").format(fiscal_year=fiscal_year)


def _month_and_year(day: date, language: str) -> tuple[str, int]:
    month = babel_format_date(day, "MMMM", locale=language)
    return month, buddhist_year(day.year) if language == "th" else day.year


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
        _("Report: {title}").format(title=_title(params, language)),
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
    keyboard = [[(_("Report sent"), f"{DONE_CALLBACK}{_aid(params)}")]]
    if params["kind"] in ("reminder", "last_call"):
        keyboard.append([(_("Remind me again tomorrow"), f"{SNOOZE_CALLBACK}{_aid(params)}")])
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
    return _("Due: by {due}").format(due=_when(params.get("due_at"), language, zone))


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
        _("Report: {title}").format(title=_title(params, language)),
        _("Period: {period}").format(period=period_label(params, language, zone)),
        _("Due: by {due}").format(due=_when(params.get("due_at"), language, zone)),
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
                (_("Remind again now: {name}").format(name=name), f"{ESCALATION_CALLBACK}r:{aid}"),
                (_("Excuse: {name}").format(name=name), f"{ESCALATION_CALLBACK}x:{aid}"),
            ]
        )
        if params.get("for_director"):
            keyboard.append(
                [
                    (
                        _("I will order it myself: {name}").format(name=name),
                        f"{ESCALATION_CALLBACK}o:{aid}",
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


def lateness(item: dict[str, Any], _: Translate) -> str:
    """How late, as a person says it: ``เลยกำหนด 2 วันทำการ`` once a working day has ended
    since the due day, before that the hours (``เลยกำหนด 3 ชั่วโมง``), or within the first
    hour ``ครบกำหนดส่งวันนี้`` — never "0 working days late"."""
    days = int(item.get("working_days_late") or 0)
    if days > 0:
        return _("{days} working days late").format(days=days)
    hours = int(item.get("late_seconds") or 0) // 3600
    if hours > 0:
        return _("{hours} hours late").format(hours=hours)
    return _("due today")


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
        _("Report: {title}").format(title=_title(params, language)),
        _("Period: {period}").format(period=period_label(params, language, zone)),
        _("To be sent to {to} by {due}").format(
            to=to, due=_when(params.get("onward_due_at"), language, zone)
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


def _unreachable(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    if params.get("unreachable"):
        head = _("The bot cannot reach {name} on Telegram (blocked or left).")
    else:
        head = _("A message to {name} could not be delivered.")
    if params.get("failed") == "duty":
        advice = _(
            "Please contact them directly. The follow-ups continue as planned and the director "
            "will still be told if the report does not arrive."
        )
    else:  # an escalation, a notice …: nothing else will carry it to them
        advice = _(
            "Please contact them directly and pass the message on: the bot will not send it again."
        )
    lines = [
        head.format(name=params.get("name", "-")),
        _("About: {title}").format(title=_title(params, language) or "-"),
        advice,
    ]
    return Rendered("\n".join(lines))


def _outage(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """One summary to the coordinators after Telegram could not be reached for a while."""
    _ = translator(language)
    minutes = int(params.get("minutes", 0))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        span = _("{hours} h {minutes} min").format(hours=hours, minutes=rest)
    elif hours:
        span = _("{hours} h").format(hours=hours)
    else:
        span = _("{minutes} min").format(minutes=minutes)
    lines = [
        _("The bot could not reach Telegram from {start} to {end} (about {span}).").format(
            start=_when(params.get("started_at"), language, zone),
            end=_when(params.get("ended_at"), language, zone),
            span=span,
        ),
        _("Messages delayed, now being sent in order: {count}").format(
            count=params.get("delayed", 0)
        ),
        _(
            "Reminders not sent because a later reminder replaced them or their report is long "
            "past due: {count}"
        ).format(count=params.get("expired", 0)),
        _("No message was lost; nothing needs to be done."),
    ]
    return Rendered("\n".join(lines))


def _percent(rate: float | None, _: Translate) -> str:
    return _("no report due yet") if rate is None else f"{rate * 100:.0f}%"


def digest_text(params: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    """The director's digest: rates of the fiscal year, late now, this month's escalations."""
    _ = translator(language)
    name = "name_en" if language == "en" else "name_th"
    title = "title_en" if language == "en" else "title_th"
    as_of = datetime.fromisoformat(str(params["as_of"])).astimezone(zone)
    lines = [
        _("Reporting digest, fiscal year {fiscal_year}, as of {date}").format(
            fiscal_year=params["fiscal_year"], date=format_datetime(as_of, language)
        ),
        "",
        _("On time, by work group:"),
    ]
    lines += [
        f"• {g[name]}: {_percent(g['rate'], _)} ({g['on_time']}/{g['due']})"
        for g in params["groups"]
    ]
    lines += ["", _("On time, by report:")]
    lines += [
        f"• {o['measure']} {o[title]}: {_percent(o['rate'], _)} ({o['on_time']}/{o['due']})"
        for o in params["obligations"]
    ] or [_("  (no report due yet)")]
    lines += ["", _("Late now ({count}):").format(count=len(params["late"]))]
    lines += [
        _("• {name}: {title}, {lateness}").format(
            name=item[name], title=item[title], lateness=lateness(item, _)
        )
        for item in params["late"]
    ] or [_("  nobody")]
    lines += ["", _("Escalated this month ({count}):").format(count=len(params["escalations"]))]
    lines += [_escalation_outcome(item, name, title, _) for item in params["escalations"]] or [
        _("  none")
    ]
    if params.get("complaints"):  # the director's copy only (jobs.tick)
        from bot.complaints.texts import digest_section

        lines += digest_section(params["complaints"], language, zone)
    return "\n".join(lines)


def _escalation_outcome(item: dict[str, Any], name: str, title: str, _: Translate) -> str:
    answers = {
        "reminded_again": _("reminded again"),
        "excused": _("excused"),
        "will_order": _("the director will order it"),
    }
    outcome = {
        "submitted_on_time": _("since sent"),
        "submitted_late": _("since sent (late)"),
        "excused": _("excused"),
    }.get(str(item["status"]), _("still missing"))
    said = ", ".join(answers.get(a, a) for a in item["answers"])
    return f"• {item[name]}: {item[title]} — {outcome}" + (f" ({said})" if said else "")


def digest_chart(params: dict[str, Any], language: str) -> bytes:
    """The PNG: on-time rate by group and quarter, Thai labels."""
    from bot.oversight.chart import ComplianceChart, render_compliance_chart

    _ = translator("th")
    cells = params["quarters"]
    group_names = list(dict.fromkeys(cell["group_th"] for cell in cells))
    quarters = [_("Q{quarter}").format(quarter=q) for q in (1, 2, 3, 4)]
    rates = {(cell["group_th"], quarters[cell["quarter"] - 1]): cell["rate"] for cell in cells}
    title = _("On-time reporting rate, fiscal year {fiscal_year}").format(
        fiscal_year=params["fiscal_year"]
    )
    return render_compliance_chart(
        ComplianceChart(title=title, groups=group_names, quarters=quarters, rates=rates)
    )


def _digest(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    return Rendered(digest_text(params, language, zone), photo=digest_chart(params, language))


TEMPLATES: dict[str, Callable[[dict[str, Any], str, ZoneInfo], Rendered]] = {
    "duty": _duty,
    "escalation": _escalation,
    "onward": _onward,
    "unreachable": _unreachable,
    "outage": _outage,
    "digest": _digest,
}


def render(template: str, params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The text and buttons of one outbox message."""
    from bot.common.power import POWER_TEMPLATES  # changes of power (issue 11)
    from bot.complaints.texts import COMPLAINT_TEMPLATES  # the complaint channel (1.7) too
    from bot.loans.texts import LOAN_TEMPLATES  # property loans (1.4) word their own messages
    from bot.office.backup_texts import RESTORE_TEMPLATES  # the notice after a restore

    chosen = (
        TEMPLATES.get(template)
        or COMPLAINT_TEMPLATES.get(template)
        or POWER_TEMPLATES.get(template)
        or RESTORE_TEMPLATES.get(template)
    )
    return (chosen or LOAN_TEMPLATES[template])(params, language, zone)
