"""A fiscal year as evidence for the ITA assessor: an XLSX workbook or a CSV file.

The export is a Thai official document by default; ``language="en"`` writes the same document
in English. Its words are English message ids translated through the Babel catalogs
(``bot/common/locale``) like the chat's texts: the statuses, a loan's conditions and the details
the loan register shares come from ``bot.common.words``, the roles from ``bot.common.roles``,
the audit actions from the features that write them (``actions``: ``Catalog.audit``, each
feature's ``AUDIT``), and what only this document says is named here. Dates are written as text
in the office's time zone, with B.E. years in Thai (``10 มกราคม 2568 เวลา 16.30 น.``), never as
spreadsheet dates, so that no program can show them in C.E. The layout, the cells and the files
are those of every document of the office (``bot.common.workbook``).

XLSX: a first sheet "สรุป" (the office, the fiscal year, counts and the on-time rate per
obligation), one sheet per obligation (titled with its key, cut to 31 characters and made
unique) listing every period and who owed it, when the year has any a sheet "บันทึกข้อความ"
(every memo to the director: number, date, report, people, the order and its outcome), when
any was published a sheet "ลิงก์ที่เผยแพร่" (every link on the website and social page, by
month: measures 1.2 and 1.3), and a last sheet "บันทึกการดำเนินการ" (the audit log). In
every sheet the table's header is row ``HEADER_ROW``, bold, with the panes frozen below it;
the rows above it say what the sheet is.

CSV: one UTF-8 file with a byte-order mark (so that Excel reads Thai correctly) holding every
obligation's rows, the obligation first. When ``out`` is a path the audit log is written beside
it as ``<stem>-audit.csv``; when ``out`` is a stream only the main file is written.

Seven queries per export, whatever the size of the office (see ``storage.reports``; the memos:
``storage.memos.memo_records``; the published links: ``storage.publications.link_rows``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO, Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.common.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    Translate,
    fiscal_year_label,
    format_date,
    format_datetime,
    format_month,
    normalise_language,
    translator,
)
from bot.common.render import period_label
from bot.common.roles import ROLE_NAMES
from bot.common.words import (
    CONDITION_NAMES,
    DETAIL_NAMES,
    ESCALATION,
    NOT_YET_DUE,
    STATUS_NAMES,
    UNTRACKED,
    status_name,
)
from bot.common.workbook import (
    AS_OF,
    BOLD,
    HEADER_ROW,
    NONE,
    NUMBER,
    Cell,
    Column,
    header_text,
    instant_text,
    put,
    unique_sheet_titles,
    write_csv,
    write_heading,
    write_table,
)
from bot.oversight.memo_words import KINDS, MISSED, OUTCOMES, order_text, outcome_text
from jobs.calendar import fiscal_year_bounds
from jobs.oversight.digest import memo_summary
from jobs.recurrence import covers_previous_month
from jobs.settings import Settings
from storage import memos, publications
from storage.db import Database
from storage.models import AssignmentStatus, MemoOutcome
from storage.publications import LinkRow
from storage.reports import AuditRow, ReportRow, audit_rows, fiscal_year_rows, obligation_keys

ExportFormat = Literal["xlsx", "csv"]

SUMMARY_SHEET = N_("Summary")
AUDIT_SHEET = N_("Action log")
MEMO_SHEET = N_("Memos")
LINKS_SHEET = N_("Published links")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# -- the document's words (message ids; the Thai is in the catalog) ------------------------

VIA_TEXT = {
    "button": N_('pressed "Report sent" in the chat'),
    "evidence": N_("sent the evidence file in the chat"),
    "paper": N_("sent on paper (recorded by the coordinator)"),
    "announcement": N_("announced the plan to the staff in the chat (/announce_maintenance)"),
    "queue": N_("confirmed with the published links (/pubreport)"),
}
SUBJECT_TEXT = {
    "assignment": N_("report owed"),
    "staff": N_("user"),
    "invite": N_("registration code"),
    "obligation": N_("report to be sent"),
    "period": N_("reporting period"),
    "loan": N_("property loan"),
    "maintenance_announcement": N_("announcement of the maintenance plan for equipment"),
    "power_proposal": N_("proposed change of authority"),
    "memo": N_("memo to the director"),
    "publication": N_("request to publish"),
}
DETAIL_TEXT = {
    "reason": N_("reason"),
    "via": N_("channel"),
    "status": N_("result"),
    "submitted_at": N_("sent on"),
    "file_name": N_("evidence file"),
    "kept_locally": N_("copy kept at the office"),
    "to": N_("told (user no.)"),
    "group": DETAIL_NAMES["group"],
    "role": N_("role"),
    "invite": N_("registration code (no.)"),
    "from": N_("from"),
    "title": N_("report title"),
    "key": N_("report code"),
    "uses": N_("times it may be used"),
    "borrower": N_("borrower (user no.)"),
    "items": DETAIL_NAMES["items"],
    "purpose": DETAIL_NAMES["purpose"],
    "due_on": DETAIL_NAMES["due_on"],
    "condition": DETAIL_NAMES["condition"],
    **CONDITION_NAMES,  # the items returned in each condition
    "note": N_("note"),
    "complete": N_("every item returned"),
    "step": N_("follow-up step (no.)"),
    "fiscal_year": N_("fiscal year"),
    "recipients": N_("recipients"),
    "number": N_("memo no."),
    "order": N_("order"),
    "words": N_("the director's words"),
    "new_due_at": N_("new due date"),
    "reports": N_("reports concerned (no.)"),
    "outcome_of_order": N_("outcome"),
    "still_missing": N_("still missing (report owed no.)"),
    "links": N_("links"),
    "destination": N_("to be published on"),
}
CHANNEL_TEXT = {
    "web": N_("website"),
    "social": N_("social media page"),
    "both": N_("both channels"),
}
VALUE_TEXT = {
    "status": STATUS_NAMES,
    "via": VIA_TEXT,
    "role": {r.value: n for r, n in ROLE_NAMES.items()},
    "order": KINDS,
    "outcome_of_order": {**OUTCOMES, MemoOutcome.MISSED.value: MISSED},
    "destination": CHANNEL_TEXT,
}
SYSTEM_ACTOR = N_("the automatic follow-up system")
YES, NO = N_("Yes"), N_("No")
TOTAL = N_("Total")
MEASURE = N_("Measure {measure}")
INDICATORS = N_("ITA indicators {indicators}")


REPORT_COLUMNS = (
    Column(NUMBER, 7),
    Column(SUBJECT_TEXT["period"], 34, wrap=True),
    Column(N_("owed by"), 24, wrap=True),
    Column(DETAIL_TEXT["group"], 26, wrap=True),
    Column(N_("due date"), 28),
    Column(N_("the office's onward due date"), 28),
    Column(N_("confirmed as sent on"), 28),
    Column(N_("confirmed as sent by"), 22, wrap=True),
    Column(DETAIL_TEXT["status"], 24),
    Column(DETAIL_TEXT["via"], 26, wrap=True),
    Column(DETAIL_TEXT["file_name"], 30, wrap=True),
    Column(N_("follow-ups"), 12, wrap=True),
    Column(N_("reported to the director on"), 28),
    Column(N_("reason for the exemption"), 36, wrap=True),
)
PROJECT_COLUMN = Column(N_("project"), 40, wrap=True)
"""Last, on the sheet of a report owed per project (and in the CSV): code and name."""
CSV_LEAD_COLUMNS = (
    Column(DETAIL_TEXT["key"], 24),
    Column(DETAIL_TEXT["title"], 60, wrap=True),
    Column(N_("measure"), 9),
)
_OWED = N_("reports owed")
_RATE = N_("on-time rate (%)")
SUMMARY_COLUMNS = (
    Column(NUMBER, 7),
    Column(N_("sheet"), 24),
    Column(N_("report"), 60, wrap=True),
    Column(N_("measure"), 9),
    Column(N_("reporting periods"), 11, wrap=True),
    Column(_OWED, 12, wrap=True),
    Column(STATUS_NAMES[AssignmentStatus.ON_TIME.value], 11, wrap=True),
    Column(STATUS_NAMES[AssignmentStatus.LATE.value], 11, wrap=True),
    Column(STATUS_NAMES[AssignmentStatus.PENDING.value], 11, wrap=True),
    Column(NOT_YET_DUE, 11, wrap=True),
    Column(STATUS_NAMES[AssignmentStatus.EXCUSED.value], 11, wrap=True),
    Column(ESCALATION, 14, wrap=True),
    Column(_RATE, 13, wrap=True),
)
MEMO_COLUMNS = (
    Column(NUMBER, 7),
    Column(DETAIL_TEXT["number"], 18),
    Column(N_("memo date"), 20),
    Column(N_("report"), 50, wrap=True),
    Column(SUBJECT_TEXT["period"], 30, wrap=True),
    Column(N_("people named in the memo"), 30, wrap=True),
    Column(N_("proposed to the director on"), 26),
    Column(N_("the director's order"), 40, wrap=True),
    Column(N_("order given on"), 26),
    Column(DETAIL_TEXT["outcome_of_order"], 34, wrap=True),
)
LINK_COLUMNS = (
    Column(NUMBER, 7),
    Column(N_("month"), 18),
    Column(N_("published on"), 28),
    Column(N_("channel"), 22, wrap=True),
    Column(N_("link"), 60, wrap=True),
    Column(N_("content"), 50, wrap=True),
    Column(N_("asked by"), 24, wrap=True),
    Column(N_("published by"), 24, wrap=True),
    Column(N_("evidence of the report"), 24, wrap=True),
    Column(N_("request no."), 10),
)
AUDIT_COLUMNS = (
    Column(NUMBER, 7),
    Column(N_("date and time"), 28),
    Column(N_("done by"), 24, wrap=True),
    Column(N_("action"), 30, wrap=True),
    Column(N_("subject"), 48, wrap=True),
    Column(N_("details"), 60, wrap=True),
    Column(N_("action code"), 28),
)


def rate_note(_: Translate) -> str:
    """How the on-time rate is counted, in the words of the summary's headers."""
    on_time, excused = (
        STATUS_NAMES[s.value] for s in (AssignmentStatus.ON_TIME, AssignmentStatus.EXCUSED)
    )
    return f"{_(_RATE)} = {_(on_time)} × 100 ÷ ({_(_OWED)} − {_(excused)} − {_(NOT_YET_DUE)})"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What was written: rows per obligation, audit rows, sheets and files."""

    fiscal_year: int
    format: ExportFormat
    rows: dict[str, int]  # obligation key → its rows (one per assignment or unowned period)
    audit_events: int | None  # None when the audit log was not written (CSV to a stream)
    sheets: tuple[str, ...] = ()  # XLSX sheet titles in order
    files: tuple[Path, ...] = ()  # the files written (none when ``out`` is a stream)
    memos: int = 0  # memos to the director listed (XLSX: their sheet, when there are any)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class _Context:
    office_name: str
    fiscal_year: int
    zone: ZoneInfo
    as_of: datetime | None
    window: tuple[datetime, datetime]
    group_names: dict[str, str]  # work group key → its name, for the audit details
    language: str
    words: Translate  # the document's ``_``
    actions: Mapping[str, str]  # audit action → its name (a message id)

    def title(self, row: ReportRow) -> str:
        return row.title_en if self.language == "en" else row.title_th

    def owner(self, row: ReportRow) -> str:
        return (row.owner_name_en if self.language == "en" else row.owner_name_th) or NONE

    def owner_groups(self, row: ReportRow) -> str:
        groups = row.owner_groups_en if self.language == "en" else row.owner_groups_th
        return ", ".join(groups) or NONE


def export_fiscal_year(
    db: Database,
    settings: Settings,
    fiscal_year: int,
    fmt: ExportFormat,
    out: Path | BinaryIO,
    *,
    actions: Mapping[str, str],
    as_of: datetime | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> ExportSummary:
    """Write the fiscal year (B.E., e.g. 2568) to ``out`` as XLSX or CSV, in Thai unless
    ``language`` says otherwise.

    ``actions`` names each audit action (action → message id: ``Catalog.audit``, what every
    feature declares); an action nobody named is written as its code. ``as_of`` (the
    export's instant, from the caller's clock) is written on the summary, and an open
    assignment due after it reads "not yet due" rather than "not yet sent".
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown export format {fmt!r} (xlsx or csv)")
    context = _context(settings, fiscal_year, as_of, normalise_language(language), actions)
    start, end = context.window
    with db.transaction() as session:
        rows = fiscal_year_rows(session, fiscal_year)
        events = audit_rows(session, start=start, end=end, fiscal_year=fiscal_year)
        listed = [memo_summary(r) for r in memos.memo_records(session, fiscal_year=fiscal_year)]
        links = publications.link_rows(session, start, end)
    if fmt == "xlsx":
        return _export_xlsx(rows, events, context, out, listed, links)
    return _export_csv(rows, events, context, out)


def _context(
    settings: Settings,
    fiscal_year: int,
    as_of: datetime | None,
    language: str,
    actions: Mapping[str, str],
) -> _Context:
    zone, english = settings.office.zone, language == "en"
    first, last = fiscal_year_bounds(fiscal_year)
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    groups = {group.key: group.name_en if english else group.name_th for group in settings.groups}
    office = settings.office.name_en if english else settings.office.name_th
    window = (start, end)
    return _Context(
        office, fiscal_year, zone, as_of, window, groups, language, translator(language), actions
    )


# -- cell texts ----------------------------------------------------------------------------


def status_text(row: ReportRow, _: Translate, as_of: datetime | None = None) -> str:
    if row.status is None:
        return _(UNTRACKED)
    if _not_yet_due(row, as_of):
        return _(NOT_YET_DUE)
    return status_name(row.status, _)


def _not_yet_due(row: ReportRow, as_of: datetime | None) -> bool:
    return as_of is not None and row.status == AssignmentStatus.PENDING.value and row.due_at > as_of


def _period_text(row: ReportRow, context: _Context) -> str:
    params = {
        "fiscal_year": row.fiscal_year,
        "period_key": row.period_key,
        "quarter": row.quarter,
        "month": row.month,
        "covers_previous_month": covers_previous_month(row.recurrence),
        "due_at": row.due_at.isoformat(),
    }
    return period_label(params, context.language, context.zone)


def _report_cells(row: ReportRow, number: int, context: _Context) -> list[Cell]:
    zone, language, _ = context.zone, context.language, context.words
    return [
        number,
        _period_text(row, context),
        context.owner(row),
        context.owner_groups(row),
        instant_text(row.due_at, zone, language),
        instant_text(row.onward_due_at, zone, language),
        instant_text(row.confirmed_at, zone, language),
        row.confirmed_by or NONE,
        status_text(row, _, context.as_of),
        _words(VIA_TEXT, row.via, _) if row.via else NONE,
        row.evidence_file_name or NONE,
        row.followups_unanswered,
        instant_text(row.escalated_at, zone, language),
        row.excuse_reason or NONE,
    ]


def _words(names: Mapping[str, str], code: str, _: Translate) -> str:
    """A code's name in the document's language; a code nobody named stays as it is."""
    return _(names[code]) if code in names else code


def _actor_text(event: AuditRow, _: Translate) -> str:
    if event.actor_name:
        return event.actor_name
    return _(SYSTEM_ACTOR) if event.actor.startswith("system") else event.actor


def _subject_text(event: AuditRow, subjects: dict[int, str], _: Translate) -> str:
    if event.subject_type == "assignment" and event.subject_id in subjects:
        return subjects[event.subject_id]
    kind = _words(SUBJECT_TEXT, event.subject_type, _)
    if event.subject_id is None:
        return kind
    return _("{kind} no. {number}").format(kind=kind, number=event.subject_id)


def _value_text(key: str, value: Any, context: _Context) -> str:
    if isinstance(value, bool):
        return context.words(YES if value else NO)
    if isinstance(value, list):
        return ", ".join(_value_text(key, item, context) for item in value) or NONE
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if not isinstance(value, str):
        return NONE if value is None else str(value)
    names = VALUE_TEXT.get(key)
    if names is not None:
        return _words(names, value, context.words)
    if value in context.group_names:
        return context.group_names[value]
    return _dated_text(value, context.zone, context.language)


def _dated_text(value: str, zone: ZoneInfo, language: str) -> str:
    """An ISO instant or day inside the audit details, in B.E. (never left in C.E.)."""
    try:
        if _ISO_INSTANT.match(value):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo:
                return instant_text(moment, zone, language)
            return format_datetime(moment, language)
        if _ISO_DAY.match(value):
            return format_date(date.fromisoformat(value), language)
    except ValueError:
        return value
    return value


def _details_text(details: dict[str, Any], context: _Context) -> str:
    parts = [
        f"{_words(DETAIL_TEXT, key, context.words)}: {_value_text(key, value, context)}"
        for key, value in details.items()
    ]
    return "; ".join(parts) or NONE


def _audit_cells(
    event: AuditRow, number: int, context: _Context, subjects: dict[int, str]
) -> list[Cell]:
    _ = context.words
    return [
        number,
        instant_text(event.at, context.zone, context.language),
        _actor_text(event, _),
        _words(context.actions, event.action, _),
        _subject_text(event, subjects, _),
        _details_text(event.details, context),
        event.action,
    ]


def _subjects(rows: Iterable[ReportRow], context: _Context) -> dict[int, str]:
    """Each assignment of the year as the audit log names it: report, period, owner."""
    return {
        row.assignment_id: f"{row.obligation_key} · {_period_text(row, context)} · "
        f"{context.owner(row)}"
        for row in rows
        if row.assignment_id is not None
    }


def _by_obligation(rows: Sequence[ReportRow]) -> dict[str, list[ReportRow]]:
    grouped: dict[str, list[ReportRow]] = {key: [] for key in obligation_keys(rows)}
    for row in rows:
        grouped[row.obligation_key].append(row)
    return grouped


# -- the summary ---------------------------------------------------------------------------


@dataclass
class _Tally:
    periods: set[str] = field(default_factory=set)
    assignments: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    not_yet_due: int = 0
    excused: int = 0
    escalated: int = 0

    def add(self, row: ReportRow, as_of: datetime | None) -> None:
        self.periods.add(f"{row.obligation_key}/{row.period_key}")
        if row.status is None:
            return
        self.assignments += 1
        self.on_time += row.status == AssignmentStatus.ON_TIME.value
        self.late += row.status == AssignmentStatus.LATE.value
        self.excused += row.status == AssignmentStatus.EXCUSED.value
        self.escalated += row.escalated_at is not None
        if _not_yet_due(row, as_of):
            self.not_yet_due += 1
        elif row.status in (AssignmentStatus.PENDING.value, AssignmentStatus.ESCALATED.value):
            self.open += 1

    def rate(self) -> float | str:
        expected = self.assignments - self.excused - self.not_yet_due
        return round(self.on_time * 100 / expected, 1) if expected > 0 else NONE

    def cells(self) -> list[Cell]:
        return [
            len(self.periods),
            self.assignments,
            self.on_time,
            self.late,
            self.open,
            self.not_yet_due,
            self.excused,
            self.escalated,
            self.rate(),
        ]


def _tally(rows: Iterable[ReportRow], as_of: datetime | None) -> _Tally:
    tally = _Tally()
    for row in rows:
        tally.add(row, as_of)
    return tally


def _summary_rows(
    grouped: dict[str, list[ReportRow]], titles: dict[str, str], context: _Context
) -> list[list[Cell]]:
    body: list[list[Cell]] = []
    for number, (key, rows) in enumerate(grouped.items(), start=1):
        first = rows[0]
        lead: list[Cell] = [number, titles[key], context.title(first), first.measure]
        body.append(lead + _tally(rows, context.as_of).cells())
    everything = [row for rows in grouped.values() for row in rows]
    body.append(["", context.words(TOTAL), "", "", *_tally(everything, context.as_of).cells()])
    return body


# -- XLSX ----------------------------------------------------------------------------------


def sheet_titles(keys: Iterable[str], language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Each obligation's sheet title: its key, cut to Excel's 31 characters, unique (beside
    the summary, the action log and Excel's reserved "History")."""
    _ = translator(language)
    taken = (_(SUMMARY_SHEET), _(AUDIT_SHEET), _(MEMO_SHEET), _(LINKS_SHEET), "history")
    return unique_sheet_titles(keys, taken=taken)


def _summary_sheet(
    book: Workbook, grouped: dict[str, list[ReportRow]], titles: dict[str, str], context: _Context
) -> None:
    _ = context.words
    sheet = book.active
    sheet.title = _(SUMMARY_SHEET)
    as_of = ""
    if context.as_of:
        as_of = _(AS_OF).format(moment=instant_text(context.as_of, context.zone, context.language))
    heading = _("Summary of the follow-up of reports")
    write_heading(sheet, [heading, context.office_name, _fy(context), as_of], len(SUMMARY_COLUMNS))
    body = _summary_rows(grouped, titles, context)
    write_table(sheet, SUMMARY_COLUMNS, body, _)
    last = HEADER_ROW + len(body)
    for column in range(1, len(SUMMARY_COLUMNS) + 1):
        sheet.cell(row=last, column=column).font = BOLD
    put(sheet, last + 2, 1, rate_note(_))


def _fy(context: _Context) -> str:
    return fiscal_year_label(context.fiscal_year, context.language)


def _obligation_sheet(book: Workbook, title: str, rows: list[ReportRow], context: _Context) -> int:
    _ = context.words
    sheet = book.create_sheet(title)
    first = rows[0]
    indicators = ", ".join(first.ita_indicators) or NONE
    measure = _(MEASURE).format(measure=first.measure)
    lines = [
        context.title(first),
        f"{measure} · {_(INDICATORS).format(indicators=indicators)}",
        f"{context.office_name} {_fy(context)}",
    ]
    per_project = any(row.project_code for row in rows)
    columns = (*REPORT_COLUMNS, PROJECT_COLUMN) if per_project else REPORT_COLUMNS
    write_heading(sheet, lines, len(columns))
    body = (
        _report_cells(row, number, context) + ([_project_cell(row)] if per_project else [])
        for number, row in enumerate(rows, start=1)
    )
    return write_table(sheet, columns, body, _)


def _project_cell(row: ReportRow) -> Cell:
    """``P-01 ชื่อโครงการ``, or the empty mark for a row not about a project."""
    return f"{row.project_code} {row.project_name or ''}".strip() if row.project_code else NONE


def _audit_sheet(
    book: Workbook, events: list[AuditRow], context: _Context, subjects: dict[int, str]
) -> int:
    _ = context.words
    sheet = book.create_sheet(_(AUDIT_SHEET))
    start, end = context.window
    span = _(
        "From {start} to {end}, and the actions on this fiscal year's reports taken outside "
        "those dates"
    ).format(
        start=format_date(start, context.language),
        end=format_date(end - timedelta(days=1), context.language),
    )
    heading = _("The system's action log")
    write_heading(sheet, [heading, context.office_name, _fy(context), span], len(AUDIT_COLUMNS))
    body = (
        _audit_cells(event, number, context, subjects)
        for number, event in enumerate(events, start=1)
    )
    return write_table(sheet, AUDIT_COLUMNS, body, _)


def _export_xlsx(
    rows: list[ReportRow],
    events: list[AuditRow],
    context: _Context,
    out: Path | BinaryIO,
    listed: Sequence[dict[str, Any]] = (),
    links: Sequence[LinkRow] = (),
) -> ExportSummary:
    grouped = _by_obligation(rows)
    titles = sheet_titles(grouped, context.language)
    book = Workbook()
    _summary_sheet(book, grouped, titles, context)
    counts = {
        key: _obligation_sheet(book, titles[key], items, context) for key, items in grouped.items()
    }
    if listed:
        _memo_sheet(book, listed, context)
    if links:
        _links_sheet(book, links, context)
    audit_count = _audit_sheet(book, events, context, _subjects(rows, context))
    book.save(out)
    return ExportSummary(
        fiscal_year=context.fiscal_year,
        format="xlsx",
        rows=counts,
        audit_events=audit_count,
        sheets=tuple(book.sheetnames),
        files=(out,) if isinstance(out, Path) else (),
        memos=len(listed),
    )


def _memo_sheet(book: Workbook, listed: Sequence[dict[str, Any]], context: _Context) -> int:
    """Every memo to the director of the fiscal year: its number and date, the report and the
    people it named, when it was proposed, the director's order, and what came of it."""
    _ = context.words
    sheet = book.create_sheet(_(MEMO_SHEET))
    heading = _("Memos to the director on reports still missing after the follow-ups")
    write_heading(sheet, [heading, context.office_name, _fy(context)], len(MEMO_COLUMNS))
    body = (_memo_cells(item, number, context) for number, item in enumerate(listed, start=1))
    return write_table(sheet, MEMO_COLUMNS, body, _)


def _memo_cells(item: dict[str, Any], number: int, context: _Context) -> list[Cell]:
    zone, language, _ = context.zone, context.language, context.words
    english = language == "en"
    period = period_label(dict(item["period"]), language, zone) if item["period"] else NONE

    def instant(key: str) -> str:
        return instant_text(_instant(item.get(key)), zone, language)

    return [
        number,
        item["number"],
        format_date(date.fromisoformat(str(item["dated"])), language),
        (item["title_en"] if english else item["title_th"]) or item["title_th"] or NONE,
        period,
        ", ".join(item["people_en" if english else "people"]) or NONE,
        instant("proposed_at"),
        order_text(item, _, language, zone),
        instant("ordered_at"),
        outcome_text(item, _, language),
    ]


def _links_sheet(book: Workbook, links: Sequence[LinkRow], context: _Context) -> int:
    """Every link published on the website or the social page in the fiscal year, by month
    (measures 1.2 and 1.3): what the ITA assessor opens to check."""
    _ = context.words
    sheet = book.create_sheet(_(LINKS_SHEET))
    heading = _("Links published on the office's website and social page, by month")
    write_heading(sheet, [heading, context.office_name, _fy(context)], len(LINK_COLUMNS))
    body = (_link_cells(link, number, context) for number, link in enumerate(links, start=1))
    return write_table(sheet, LINK_COLUMNS, body, _)


def _link_cells(link: LinkRow, number: int, context: _Context) -> list[Cell]:
    zone, language, _ = context.zone, context.language, context.words
    return [
        number,
        format_month(link.published_at.astimezone(zone).date(), language),
        instant_text(link.published_at, zone, language),
        _words(CHANNEL_TEXT, link.destination, _),
        link.url,
        link.summary or NONE,
        link.sender or NONE,
        link.published_by or NONE,
        ", ".join(link.reports) or NONE,
        link.publication_id,
    ]


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


# -- CSV -----------------------------------------------------------------------------------


def audit_path(out: Path) -> Path:
    """Where the audit log of a CSV export goes: ``<stem>-audit.csv`` beside ``out``."""
    return out.with_name(f"{out.stem}-audit.csv")


def _csv_rows(grouped: dict[str, list[ReportRow]], context: _Context) -> Iterable[list[Cell]]:
    _ = context.words
    columns = (*CSV_LEAD_COLUMNS, *REPORT_COLUMNS, PROJECT_COLUMN)
    yield [header_text(column, _) for column in columns]
    for key, rows in grouped.items():
        for number, row in enumerate(rows, start=1):
            measure = _(MEASURE).format(measure=row.measure)  # text: "1.1" could become a date
            cells = _report_cells(row, number, context)
            yield [key, context.title(row), measure, *cells, _project_cell(row)]


def _audit_csv_rows(
    events: list[AuditRow], context: _Context, subjects: dict[int, str]
) -> Iterable[list[Cell]]:
    yield [header_text(column, context.words) for column in AUDIT_COLUMNS]
    for number, event in enumerate(events, start=1):
        yield _audit_cells(event, number, context, subjects)


def _export_csv(
    rows: list[ReportRow], events: list[AuditRow], context: _Context, out: Path | BinaryIO
) -> ExportSummary:
    grouped = _by_obligation(rows)
    write_csv(out, _csv_rows(grouped, context))
    counts = {key: len(items) for key, items in grouped.items()}
    if not isinstance(out, Path):
        return ExportSummary(context.fiscal_year, "csv", counts, None)
    audit_file = audit_path(out)
    write_csv(audit_file, _audit_csv_rows(events, context, _subjects(rows, context)))
    return ExportSummary(context.fiscal_year, "csv", counts, len(events), files=(out, audit_file))
