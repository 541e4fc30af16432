"""The office's documents as spreadsheets: the layout, the cells and the files shared by the
evidence workbook (``bot.oversight.export``) and the loan register (``bot.loans.register``).

A sheet opens with a few lines saying what it is (``write_heading``: the first large and bold,
each merged across the table), then its table (``write_table``): the header at ``HEADER_ROW``,
bold on a pale fill, the panes frozen below it, one row per record. A text is always written
as a text, never as a formula (``put``); a CSV file is UTF-8 with a byte-order mark and quotes
a text a spreadsheet would read as a formula (``write_csv``). An instant is text in the
office's time zone, with the B.E. year in Thai (``instant_text``), never a spreadsheet date.

The words here are English message ids (``N_``), translated with the document's ``_``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.common.i18n import N_, Translate, format_datetime

Cell = str | int | float

HEADER_ROW = 5  # the table's header; the lines of the heading are above it
NONE = "-"  # what a cell says when there is nothing to say
NUMBER = N_("no.")
AS_OF = N_("Data as of {moment}")

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

SHEET_TITLE_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # a message id, translated (and its first letter made capital) when written
    width: int
    wrap: bool = False


def header_text(column: Column, _: Translate) -> str:
    """A column's header in the document's language: ``ผลการส่ง``, ``Result``."""
    text = _(column.header)
    return text[:1].upper() + text[1:]


def instant_text(moment: datetime | None, zone: ZoneInfo, language: str) -> str:
    """An instant in the office's time zone (``10 มกราคม 2568 เวลา 16.30 น.``); none is ``-``."""
    return format_datetime(moment.astimezone(zone), language) if moment else NONE


def unique_sheet_titles(keys: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """Each key's sheet title: without the characters Excel refuses, cut to its 31 characters,
    unique (``~2``, ``~3``…) among themselves and the titles already ``taken``, whatever
    their case."""
    used = {title.casefold() for title in taken}
    titles: dict[str, str] = {}
    for key in keys:
        base = _SHEET_FORBIDDEN.sub("-", key).strip("'") or "sheet"
        title, number = base[:SHEET_TITLE_MAX], 1
        while title.casefold() in used:
            number += 1
            suffix = f"~{number}"
            title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        used.add(title.casefold())
        titles[key] = title
    return titles


# -- XLSX ----------------------------------------------------------------------------------


def put(sheet: Any, row: int, column: int, value: Cell | None) -> Any:
    """Write one cell; a text is always a text, never a formula, whatever it begins with.

    A person's name or a typed reason reaches these sheets: ``=HYPERLINK(…)`` must stay words.
    """
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_heading(sheet: Any, lines: Sequence[str], width: int) -> None:
    """The lines above the table: the first one large and bold, all merged across it."""
    for number, text in enumerate(lines, start=1):
        cell = put(sheet, number, 1, text)
        cell.font = TITLE_FONT if number == 1 else BOLD
        cell.alignment = WRAP
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    sheet.row_dimensions[1].height = 42


def write_table(
    sheet: Any, columns: Sequence[Column], body: Iterable[Sequence[Cell]], _: Translate
) -> int:
    """The header at ``HEADER_ROW`` (bold, panes frozen below it), then the rows; returns how
    many rows were written."""
    for index, column in enumerate(columns, start=1):
        cell = put(sheet, HEADER_ROW, index, header_text(column, _))
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, HEADER_ALIGN
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    count = 0
    for count, values in enumerate(body, start=1):
        for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = put(sheet, HEADER_ROW + count, index, value)
            cell.alignment = WRAP if column.wrap else TOP
    return count


# -- CSV -----------------------------------------------------------------------------------


def csv_safe(value: Cell) -> Cell:
    """A text a spreadsheet would read as a formula gets a leading apostrophe (OWASP's advice);
    a lone ``-`` (our "nothing") is no formula and stays as it is."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(out: Path | BinaryIO, lines: Iterable[Sequence[Cell]]) -> None:
    """UTF-8 with a byte-order mark, so that Excel opens the Thai text as Thai; every cell
    made safe (``csv_safe``). A stream given as ``out`` stays open."""
    if isinstance(out, Path):
        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(_csv_safe_rows(lines))
        return
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    csv.writer(text).writerows(_csv_safe_rows(lines))
    text.flush()
    text.detach()  # the caller's stream stays open


def _csv_safe_rows(lines: Iterable[Sequence[Cell]]) -> Iterable[list[Cell]]:
    return ([csv_safe(value) for value in line] for line in lines)
