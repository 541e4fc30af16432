"""The loan register (ทะเบียนการยืมพัสดุ) of a fiscal year, for the ITA assessor (measure 1.4).

One row per borrowed item: who borrowed it, when, for what, until when, in what condition it
went out and came back, and who recorded each. Like the evidence workbook, whose layout
(``bot.common.workbook``) and words (``bot.common.words``: the conditions, the loan's details)
this shares, it is a Thai official document unless ``language`` says otherwise: its words come
from the catalogs, dates are text with B.E. years in Thai, never spreadsheet dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from openpyxl import Workbook

from bot.common.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    Translate,
    fiscal_year_label,
    format_date,
    normalise_language,
    translator,
)
from bot.common.words import DETAIL_NAMES, condition_name
from bot.common.workbook import (
    AS_OF,
    NONE,
    NUMBER,
    Cell,
    Column,
    header_text,
    instant_text,
    write_csv,
    write_heading,
    write_table,
)
from jobs.calendar import OfficeCalendar, fiscal_year_bounds
from jobs.loans.ladder import WITHDRAWN, days_overdue, loan_state
from jobs.settings import Settings
from storage import loans
from storage.db import Database
from storage.loans import LoanView
from storage.models import LoanItem

TITLE = N_("Register of property loans")  # also the sheet's name
COLUMNS = (
    Column(NUMBER, 7),
    Column(N_("loan no."), 10),
    Column(N_("lent on"), 20),
    Column(N_("borrower"), 24, wrap=True),
    Column(DETAIL_NAMES["group"], 26, wrap=True),
    Column(N_("asset number"), 24, wrap=True),
    Column(DETAIL_NAMES["items"], 34, wrap=True),
    Column(DETAIL_NAMES["purpose"], 34, wrap=True),
    Column(DETAIL_NAMES["due_on"], 20),
    Column(DETAIL_NAMES["condition"], 26, wrap=True),
    Column(N_("loan recorded by"), 22, wrap=True),
    Column(N_("borrower confirmed receipt on"), 28),
    Column(N_("returned on"), 28),
    Column(N_("condition on return"), 16),
    Column(N_("note on return"), 34, wrap=True),
    Column(N_("return recorded by"), 22, wrap=True),
    Column(N_("state"), 26, wrap=True),
)
# an item's state: "returned", "awaiting receipt" and "overdue by …" are the chat's words too
RETURNED = N_("returned")
WITHDRAWN_IN_ERROR = N_("loan withdrawn (recorded in error)")
OVERDUE = N_("overdue by {days} working days")
NOT_RETURNED = N_("not yet returned")
AWAITING_RECEIPT = N_("awaiting receipt")


@dataclass(frozen=True, slots=True)
class LoanRegister:
    fiscal_year: int
    loans: int
    items: int
    files: tuple[Path, ...]


def export_loans(
    db: Database,
    settings: Settings,
    fiscal_year: int,
    fmt: Literal["xlsx", "csv"],
    out: Path | BinaryIO,
    *,
    as_of: datetime,
    language: str = DEFAULT_LANGUAGE,
) -> LoanRegister:
    """Write the register of the loans handed over in ``fiscal_year`` (B.E.) to ``out``, in
    Thai unless ``language`` says otherwise."""
    first, last = fiscal_year_bounds(fiscal_year)
    calendar = OfficeCalendar.from_office(settings.office)
    with db.transaction() as session:
        found = loans.lent_between(session, first, last)
        groups = loans.group_names(session, {view.loan.borrower_staff_id for view in found})
        names = loans.staff_names(
            session, {i.return_recorded_by_staff_id or 0 for v in found for i in v.items} - {0}
        )
    sheet = _Sheet(normalise_language(language), calendar, as_of)
    if sheet.language == "en":  # the work groups are stored with their Thai names
        english = {group.name_th: group.name_en for group in settings.groups}
        groups = {staff: [english.get(g, g) for g in named] for staff, named in groups.items()}
    body = list(_rows(found, groups, names, sheet))
    office = settings.office.name_en if sheet.language == "en" else settings.office.name_th
    _ = sheet.words
    heading = [
        _(TITLE),
        f"{office} {fiscal_year_label(fiscal_year, sheet.language)}",
        _(AS_OF).format(moment=instant_text(as_of, calendar.zone, sheet.language)),
        _summary(found, as_of, _),
    ]
    if fmt == "csv":
        write_csv(out, [[header_text(c, _) for c in COLUMNS], *body])
    else:
        book = Workbook()
        worksheet = book.active
        worksheet.title = _(TITLE)
        write_heading(worksheet, heading, len(COLUMNS))
        write_table(worksheet, COLUMNS, body, _)
        book.save(out)
    files = (out,) if isinstance(out, Path) else ()
    return LoanRegister(fiscal_year, len(found), len(body), files)


@dataclass(frozen=True, slots=True)
class _Sheet:
    """The register's language and the instant it describes."""

    language: str
    calendar: OfficeCalendar
    as_of: datetime

    @property
    def words(self) -> Translate:
        return translator(self.language)

    def day(self, day: date) -> str:
        return format_date(day, self.language)

    def instant(self, moment: datetime | None) -> str:
        return instant_text(moment, self.calendar.zone, self.language)


def _summary(found: list[LoanView], as_of: datetime, _: Translate) -> str:
    withdrawn = [view for view in found if view.loan.status == WITHDRAWN]
    lent = [view for view in found if view.loan.status != WITHDRAWN]
    items = [item for view in lent for item in view.items]
    out = [item for item in items if item.returned_at is None]
    overdue = sum(len(v.outstanding) for v in lent if v.is_open and as_of > v.loan.due_at)
    not_good = sum(1 for i in items if i.return_condition not in (None, "good"))
    summary = _(
        "{loans} loans, {items} items: {returned} returned, {out} not yet returned "
        "({overdue} overdue), {not_good} returned damaged or incomplete"
    ).format(
        loans=len(lent),
        items=len(items),
        returned=len(items) - len(out),
        out=len(out),
        overdue=overdue,
        not_good=not_good,
    )
    if withdrawn:
        summary = _("{summary}; {count} loans recorded in error and withdrawn").format(
            summary=summary, count=len(withdrawn)
        )
    return summary


def _rows(
    found: list[LoanView], groups: dict[int, list[str]], names: dict[int, str], sheet: _Sheet
) -> Iterable[list[Cell]]:
    number, _ = 0, sheet.words
    for view in found:
        loan = view.loan
        for item in view.items:
            number += 1
            yield [
                number,
                view.id,
                sheet.day(loan.lent_on),
                view.borrower.full_name,
                ", ".join(groups.get(loan.borrower_staff_id, [])) or NONE,
                item.asset_number,
                item.description,
                loan.purpose,
                sheet.day(loan.due_on),
                loan.condition_out,
                view.recorded_by.full_name,
                sheet.instant(loan.received_at),
                sheet.instant(item.returned_at),
                condition_name(item.return_condition, _),
                item.return_note or NONE,
                names.get(item.return_recorded_by_staff_id or 0, NONE),
                _state(view, item, sheet),
            ]


def _state(view: LoanView, item: LoanItem, sheet: _Sheet) -> str:
    """The item's state as the assessor reads it, from the loan's state on ``as_of``."""
    _ = sheet.words
    if item.returned_at is not None:
        return _(RETURNED)
    if view.loan.status == WITHDRAWN:
        return _(WITHDRAWN_IN_ERROR)
    state = loan_state(view.loan.status, view.loan.due_at, sheet.as_of)
    if state == "overdue":
        return _(OVERDUE).format(days=days_overdue(view.loan.due_at, sheet.as_of, sheet.calendar))
    if state == "awaiting_receipt":
        return f"{_(NOT_RETURNED)} ({_(AWAITING_RECEIPT)})"
    return _(NOT_RETURNED)
