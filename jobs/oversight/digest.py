"""The director's digest: the fiscal year's on-time rates, what is late now, this month's
escalations with what came of them, and this month's memos with their orders and outcomes —
as plain data (numbers and names), rendered in bot/."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from jobs.calendar import OfficeCalendar, fiscal_quarter_of, fiscal_year_of
from jobs.ladder import working_days_late
from jobs.steps import Step
from storage import groups, memos, oversight
from storage.models import AssignmentStatus, MemoOutcome

DONE = (AssignmentStatus.ON_TIME.value, AssignmentStatus.LATE.value)
ANSWER_NAMES = {
    "assignment.reminded_again": "reminded_again",
    "assignment.excused": "excused",
    "assignment.director_will_order": "will_order",
}


def _rate(on_time: int, counted: int) -> float | None:
    return on_time / counted if counted else None


def digest_data(session: Session, calendar: OfficeCalendar, now: datetime) -> dict[str, Any]:
    """Everything the digest says, computed at ``now`` (JSON-ready: it travels in the outbox)."""
    today = now.astimezone(calendar.zone).date()
    fiscal_year = fiscal_year_of(today)
    rows = oversight.fiscal_year_board(session, fiscal_year, due_before=now)
    work_groups = groups.active_groups(session)
    return {
        "fiscal_year": fiscal_year,
        "as_of": now.isoformat(),
        "groups": [_group_line(g.id or 0, g.name_th, g.name_en, rows) for g in work_groups],
        "obligations": _obligation_lines(rows),
        "quarters": _quarter_rates(rows, [(g.id or 0, g.name_th) for g in work_groups]),
        "late": _late_now(rows, now, calendar),
        "escalations": _escalations(session, now, calendar),
        "memos": _memos(session, now, calendar),
    }


Rows = list[tuple[Any, Any, oversight.BoardRow]]


def _counts(rows: Rows) -> tuple[int, int]:
    counted = [r for _, _, r in rows if r.assignment.status != AssignmentStatus.EXCUSED.value]
    on_time = sum(r.assignment.status == AssignmentStatus.ON_TIME.value for r in counted)
    return on_time, len(counted)


def _group_line(group_id: int, name_th: str, name_en: str, rows: Rows) -> dict[str, Any]:
    mine = [row for row in rows if group_id in row[2].group_ids]
    on_time, counted = _counts(mine)
    return {
        "name_th": name_th,
        "name_en": name_en,
        "on_time": on_time,
        "due": counted,
        "rate": _rate(on_time, counted),
    }


def _obligation_lines(rows: Rows) -> list[dict[str, Any]]:
    by_key: dict[str, Rows] = defaultdict(list)
    for row in rows:
        by_key[row[0].key].append(row)
    lines = []
    for chosen in by_key.values():
        obligation = chosen[0][0]
        on_time, counted = _counts(chosen)
        lines.append(
            {
                "title_th": obligation.title_th,
                "title_en": obligation.title_en,
                "measure": obligation.measure,
                "on_time": on_time,
                "due": counted,
                "rate": _rate(on_time, counted),
            }
        )
    return lines


def _quarter_rates(rows: Rows, work_groups: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """On-time rate by group and fiscal quarter of the due date (the chart's bars)."""
    cells = []
    for group_id, name in work_groups:
        for quarter in (1, 2, 3, 4):
            chosen = [
                r
                for r in rows
                if group_id in r[2].group_ids
                and fiscal_quarter_of(r[1].due_at.date())[1] == quarter
            ]
            on_time, counted = _counts(chosen)
            cells.append({"group_th": name, "quarter": quarter, "rate": _rate(on_time, counted)})
    return cells


def _late_now(rows: Rows, now: datetime, calendar: OfficeCalendar) -> list[dict[str, Any]]:
    late = [
        r
        for r in rows
        if r[2].assignment.status not in DONE
        and r[2].assignment.status != AssignmentStatus.EXCUSED.value
    ]
    return [
        {
            "name_th": row.owner_name,
            "name_en": row.owner_name_en,
            "title_th": obligation.title_th,
            "title_en": obligation.title_en,
            **_project(row),
            "working_days_late": working_days_late(period.due_at, now, calendar),
            "late_seconds": max(0, round((now - period.due_at).total_seconds())),
        }
        for obligation, period, row in late
    ]


def _project(row: oversight.BoardRow) -> dict[str, str]:
    """A per-project line's project (code, name), as the digest names it beside the person."""
    if not row.project_code:
        return {}
    return {"project_code": row.project_code, "project_name": row.project_name}


def _escalations(session: Session, now: datetime, calendar: OfficeCalendar) -> list[dict[str, Any]]:
    local = now.astimezone(calendar.zone)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    found = oversight.escalated_between(session, month_start, now)
    return [
        {
            "name_th": row.owner_name,
            "name_en": row.owner_name_en,
            "title_th": obligation.title_th,
            "title_en": obligation.title_en,
            **_project(row),
            "status": row.assignment.status,
            "answers": [ANSWER_NAMES.get(event.action, event.action) for event in answers],
        }
        for obligation, _period, row, answers in found
    ]


def _memos(session: Session, now: datetime, calendar: OfficeCalendar) -> list[dict[str, Any]]:
    """The memos dated this month, in the order of their numbers."""
    today = now.astimezone(calendar.zone).date()
    found = memos.memo_records(session, dated_from=today.replace(day=1), dated_to=today)
    return [memo_summary(record) for record in found]


def memo_summary(record: memos.MemoRecord) -> dict[str, Any]:
    """One memo as the digest and the evidence workbook list it: its number as written, date,
    report, who it named, the order, and what came of it (who is still missing)."""
    memo, facts = record.view.memo, record.view.memo.facts or {}
    prefix = str((facts.get("settings") or {}).get("prefix") or "")
    open_now = (AssignmentStatus.PENDING.value, AssignmentStatus.ESCALATED.value)
    english = {
        int(item["assignment_id"]): str(item.get("name_en") or item["name"])
        + (f" ({item['project_code']})" if item.get("project_code") else "")
        for item in facts.get("missing") or []
    }
    thai = {  # one person with two projects: each line tells its project by its code
        int(item["assignment_id"]): f"{item['name']} ({item['project_code']})"
        for item in facts.get("missing") or []
        if item.get("project_code")
    }
    missing = [
        line
        for line in record.view.lines
        if line.outcome == MemoOutcome.MISSED.value
        or (line.outcome is None and record.statuses.get(line.assignment_id) in open_now)
    ]
    return {
        "number": f"{prefix}{memo.number}",
        "fiscal_year": memo.fiscal_year,
        "dated": memo.dated.isoformat(),
        "title_th": facts.get("title") or "",
        "title_en": facts.get("title_en") or "",
        "period": facts.get("period") or {},
        "people": [thai.get(line.assignment_id, line.name) for line in record.view.lines],
        "people_en": [english.get(line.assignment_id, line.name) for line in record.view.lines],
        "missing": [thai.get(line.assignment_id, line.name) for line in missing],
        "missing_en": [english.get(line.assignment_id, line.name) for line in missing],
        "state": memo.state,
        "proposed_at": memo.proposed_at.isoformat() if memo.proposed_at else None,
        "order_kind": memo.order_kind,
        "order_text": memo.order_text or "",
        "new_due_at": memo.new_due_at.isoformat() if memo.new_due_at else None,
        "ordered_at": memo.ordered_at.isoformat() if memo.ordered_at else None,
        "outcome": memo.outcome,
    }


def digest_report(
    session: Session,
    steps: Iterable[Step],
    calendar: OfficeCalendar,
    now: datetime,
    *,
    director: bool,
) -> dict[str, Any]:
    """The digest's data at ``now``; the director's copy (or the acting officer's) also has
    each feature's part (the complaint channel's), the coordinator's never."""
    data = digest_data(session, calendar, now)
    for step in steps if director else ():
        part = step.digest_part(session, calendar, now)
        if part is not None:
            data[step.name] = part
    return data
