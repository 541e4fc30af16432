"""The director's digest: on-time rates of the fiscal year, who is late now, this month's
escalations and memos (with the director's orders and what came of them), and the chart.
Other features add their sections through ``Feature.digest_section`` (the complaint channel's,
in the director's copy only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.i18n import Translate, format_date, format_datetime, translator
from bot.common.render import Rendered, lateness, project_of
from bot.common.words import status_name
from bot.oversight.chart import ComplianceChart, render_compliance_chart
from bot.oversight.memo_words import order_text, outcome_text
from storage.models import AssignmentStatus


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
            name=item[name], title=_titled(item, title, _), lateness=lateness(item, _)
        )
        for item in params["late"]
    ] or [_("  nobody")]
    lines += ["", _("Escalated this month ({count}):").format(count=len(params["escalations"]))]
    lines += [_escalation_outcome(item, name, title, _) for item in params["escalations"]] or [
        _("  none")
    ]
    return "\n".join(lines + _memo_lines(params.get("memos") or [], _, language, zone))


def _memo_lines(
    items: list[dict[str, Any]], _: Translate, language: str, zone: ZoneInfo
) -> list[str]:
    """This month's memos: number, date, report, the order, and what came of it."""
    title = "title_en" if language == "en" else "title_th"
    lines = ["", _("Memos to the director this month ({count}):").format(count=len(items))]
    lines += [
        _("• No. {number} of {date}: {title} — order: {order} — outcome: {outcome}").format(
            number=item["number"],
            date=format_date(date.fromisoformat(str(item["dated"])), language),
            title=item[title] or item["title_th"],
            order=order_text(item, _, language, zone),
            outcome=outcome_text(item, _, language),
        )
        for item in items
    ] or [_("  none")]
    return lines


def _escalation_outcome(item: dict[str, Any], name: str, title: str, _: Translate) -> str:
    excused = status_name(AssignmentStatus.EXCUSED.value, _)
    answers = {
        "reminded_again": _("reminded again"),
        "excused": excused,
        "will_order": _("the director will order it"),
    }
    outcome = {
        "submitted_on_time": _("since sent"),
        "submitted_late": _("since sent (late)"),
        "excused": excused,
    }.get(str(item["status"]), status_name(AssignmentStatus.PENDING.value, _))
    said = ", ".join(answers.get(a, a) for a in item["answers"])
    return f"• {item[name]}: {_titled(item, title, _)} — {outcome}" + (f" ({said})" if said else "")


def _titled(item: dict[str, Any], title: str, _: Translate) -> str:
    """The report's title, and its project when it is owed per project."""
    project = project_of(item)
    if not project:
        return str(item[title])
    return f"{item[title]} — " + _("project {project}").format(project=project)


def digest_chart(params: dict[str, Any], language: str) -> bytes:
    """The PNG: on-time rate by group and quarter, Thai labels."""
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


DIGEST_TEMPLATES = {"digest": _digest}
