"""The reporting calendar's words: a person's or the office's year (text, and the printable page
as a file), the dates a change moved, and the summary to whoever made the change."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date

from bot.common.feature import Template
from bot.common.i18n import Translate, buddhist_year, format_date, format_month, translator
from bot.common.render import Document, Rendered, period_label
from bot.common.roles import head_of_group, role_name
from bot.yearplan.chart import CalendarPage, Row, render_calendar_page
from jobs.calendar import fiscal_year_bounds
from jobs.yearplan.notices import CHANGE_SUMMARY, MOVED, YEAR
from storage.models import Role

TEXT_LIMIT = 3900  # Telegram takes 4096 characters a message; the page has the rest


def _en(language: str) -> bool:
    return language == "en"


def _pick(params: dict[str, Any], name: str, language: str) -> str:
    return str(params.get(f"{name}_en" if _en(language) else f"{name}_th") or "")


def quarter_span(fiscal_year: int, quarter: int, language: str) -> str:
    """``ต.ค. – ธ.ค. 2569``: the months of a quarter of the fiscal year (B.E.) and its year."""
    start = fiscal_year_bounds(fiscal_year)[0]
    first_month = (start.month - 1 + 3 * (quarter - 1)) % 12 + 1
    year = start.year + (start.month - 1 + 3 * (quarter - 1)) // 12
    first = date(year, first_month, 1)
    last = date(year, first_month + 2, 1)
    shown_year = buddhist_year(year) if language == "th" else year

    def month(day: date) -> str:
        return babel_format_date(day, "MMM", locale=language)

    return f"{month(first)} – {month(last)} {shown_year}"


def _heading(params: dict[str, Any], language: str) -> str:
    _ = translator(language)
    fiscal_year = int(params["fiscal_year"])
    start, end = fiscal_year_bounds(fiscal_year)
    values = {
        "coordinator": _pick(params, "coordinator", language),
        "office": _pick(params, "office", language),
        "name": params.get("name", ""),
        "fiscal_year": fiscal_year,
        "start": format_date(start, language),
        "end": format_date(end, language),
    }
    if params.get("scope") == "office":
        return _(
            "{coordinator} announces the reporting deadlines of {office} for fiscal year "
            "{fiscal_year} ({start} – {end}), by quarter:"
        ).format(**values)
    return _(
        "{coordinator} announces your reporting deadlines, {name}, for fiscal year "
        "{fiscal_year} ({start} – {end}), by quarter:"
    ).format(**values)


def _owners(item: dict[str, Any], _: Translate, language: str) -> str:
    owners = item.get("owners") or {}
    index = 1 if _en(language) else 0
    parts = [_("each member of {group}").format(group=g[index]) for g in owners["each_member_of"]]
    parts += [
        _("each {role}").format(role=role_name(Role(role), _)) for role in owners["each_with_role"]
    ]
    parts += [_("{group} as a whole").format(group=g[index]) for g in owners["groups"]]
    parts += [head_of_group(g[index], _) for g in owners.get("head_of", [])]
    if owners.get("per_project"):
        parts.append(_("the person responsible for each project"))
    return _("Owed by {owners} ({people} people)").format(
        owners=", ".join(parts), people=owners["people"]
    )


def _dated(item: dict[str, Any], fiscal_year: int, language: str, zone: ZoneInfo) -> str:
    """``8 เม.ย. 2569``; a quarterly report says which quarter it is about (the second
    quarter's is due in the third), any other the year it is about when it is another one."""
    _ = translator(language)
    text = format_date(date.fromisoformat(item["due_date"]), language, "short")
    if item.get("quarter"):
        return f"{text} ({period_label(item, language, zone)})"
    if int(item["fiscal_year"]) != fiscal_year:
        text += " " + _("(for fiscal year {fiscal_year})").format(fiscal_year=item["fiscal_year"])
    return text


Grouped = list[tuple[dict[str, Any], list[list[dict[str, Any]]]]]


def _by_report(params: dict[str, Any]) -> Grouped:
    """Each report once (in the plan's order of measures), with its deadlines by quarter."""
    items = sorted(params["deadlines"], key=lambda i: (i["measure"], i["obligation"]))
    grouped: Grouped = []
    for _key, found in groupby(items, key=lambda i: i["obligation"]):
        rows = list(found)
        quarters: list[list[dict[str, Any]]] = [[], [], [], []]
        for item in sorted(rows, key=lambda i: i["due_at"]):
            quarters[int(item["fiscal_quarter"]) - 1].append(item)
        grouped.append((rows[0], quarters))
    return grouped


def year_text(params: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    _ = translator(language)
    fiscal_year = int(params["fiscal_year"])
    lines = [_heading(params, language)]
    grouped = _by_report(params)
    if not grouped:
        lines.append(_empty(params, _))
    for first, quarters in grouped:
        lines += ["", f"{first['measure']} {_pick(first, 'title', language)}"]
        if first.get("owners"):
            lines.append("   " + _owners(first, _, language))
        for number, items in enumerate(quarters, start=1):
            if items:
                dates = ", ".join(_dated(item, fiscal_year, language, zone) for item in items)
                span = quarter_span(fiscal_year, number, language)
                lines.append(
                    "   "
                    + _("Quarter {quarter} ({months}): {dates}").format(
                        quarter=number, months=span, dates=dates
                    )
                )
    closing = _(
        "Please send each report to {coordinator} by its date; a reminder comes before each "
        "one. Type /calendar to see this calendar again."
    ).format(coordinator=_pick(params, "coordinator", language))
    return _fit("\n".join(lines), "\n\n" + closing, _)


def _empty(params: dict[str, Any], _: Translate) -> str:
    if params.get("scope") == "office":
        return _("No report is due in this fiscal year.")
    return _("You have no report due in this fiscal year.")


def _fit(text: str, closing: str, _: Translate) -> str:
    """The text within one Telegram message: what does not fit is on the page sent with it."""
    if len(text) + len(closing) <= TEXT_LIMIT:
        return text + closing
    more = "\n…\n" + _("The rest is on the attached page.")
    cut = text[: TEXT_LIMIT - len(closing) - len(more)].rsplit("\n", 1)[0]
    return cut + more + closing


def _cell_date(item: dict[str, Any], language: str) -> str:
    text = format_date(date.fromisoformat(item["due_date"]), language, "short")
    if not item.get("quarter"):
        return text
    _ = translator(language)
    return text + "\n" + _("(the report on quarter {quarter})").format(quarter=item["quarter"])


def year_page(params: dict[str, Any], language: str) -> bytes:
    """The printable one-page calendar of the same year."""
    _ = translator(language)
    fiscal_year = int(params["fiscal_year"])
    rows = []
    for first, quarters in _by_report(params):
        dates = tuple([_cell_date(item, language) for item in items] for items in quarters)
        rows.append(
            Row(
                title=f"{first['measure']} {_pick(first, 'title', language)}",
                dates=(dates[0], dates[1], dates[2], dates[3]),
                owners=_owners(first, _, language) if first.get("owners") else "",
            )
        )
    whom = _("the whole office") if params.get("scope") == "office" else str(params.get("name", ""))
    page = CalendarPage(
        title=_("Reporting calendar, fiscal year {fiscal_year}").format(fiscal_year=fiscal_year),
        subtitle=f"{_pick(params, 'office', language)} — {whom}",
        quarters=tuple(  # type: ignore[arg-type]
            _("Quarter {quarter}").format(quarter=q) + "\n" + quarter_span(fiscal_year, q, language)
            for q in range(1, 5)
        ),
        report_heading=_("Report"),
        rows=rows,
        footer=_("Send each report to {coordinator} by its date.").format(
            coordinator=_pick(params, "coordinator", language)
        ),
        empty=_empty(params, _),
    )
    return render_calendar_page(page)


def year_message(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    filename = _("reporting-calendar-{fiscal_year}.png").format(fiscal_year=params["fiscal_year"])
    return Rendered(
        year_text(params, language, zone),
        document=Document(filename, year_page(params, language)),
    )


# ---- a change of calendar ----------------------------------------------------------------------


def cause(change: dict[str, Any], language: str) -> str:
    """What changed: ``สำนักงานปิดทำการวันศุกร์ที่ 3 มกราคม 2568 (วันหยุดพิเศษ)`` …"""
    _ = translator(language)
    day = date.fromisoformat(change["day"]) if change.get("day") else None
    if change.get("kind") == "closeday" and day is not None:
        return _("the office is closed on {date} ({reason})").format(
            date=format_date(day, language, "weekday"), reason=change.get("reason", "")
        )
    if change.get("kind") == "meeting" and day is not None:
        return _("the staff meeting of {month} moves to {date}").format(
            month=format_month(day, language), date=format_date(day, language, "weekday")
        )
    if change.get("kind") == "oneoff":
        return _('a new report was added: "{title}"').format(title=change.get("reason", ""))
    if change.get("kind") == "projects":
        return _("the project register of fiscal year {fiscal_year} was imported again").format(
            fiscal_year=change.get("reason", "")
        )
    return _("the reporting calendar was updated")


def _move_line(move: dict[str, Any], language: str, zone: ZoneInfo) -> str:
    _ = translator(language)
    report = (
        f"{move['measure']} {_pick(move, 'title', language)} ({period_label(move, language, zone)})"
    )
    before = format_date(date.fromisoformat(move["before"]), language) if move["before"] else None
    after = format_date(date.fromisoformat(move["after"]), language) if move["after"] else None
    if before and after:
        return "• " + _("{report}: from {before} to {after}").format(
            report=report, before=before, after=after
        )
    if after:
        return "• " + _("{report}: new, due by {after}").format(report=report, after=after)
    return "• " + _("{report}: no longer due (it was due by {before})").format(
        report=report, before=before
    )


def moved_message(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    lines = [
        _("{coordinator}: your reporting calendar has changed, because {cause}.").format(
            coordinator=_pick(params, "coordinator", language),
            cause=cause(params["change"], language),
        ),
        *(_move_line(move, language, zone) for move in params["moves"]),
        "",
        _("Type /calendar to see your whole year."),
    ]
    return Rendered("\n".join(lines))


def change_summary(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    _ = translator(language)
    what = cause(params["change"], language)
    told = params.get("told") or []
    if not told:
        return Rendered(
            _("The calendar change ({cause}) moves no one's due date.").format(cause=what)
        )
    lines = [
        _(
            "The calendar change ({cause}) moved the due dates of {count} people; each has "
            "been told:"
        ).format(cause=what, count=len(told)),
        *(
            "• " + _("{name}: {dates} dates").format(name=item["name"], dates=item["dates"])
            for item in told
        ),
    ]
    return Rendered("\n".join(lines))


TEMPLATES: dict[str, Template] = {
    YEAR: year_message,
    MOVED: moved_message,
    CHANGE_SUMMARY: change_summary,
}
