"""Reading the office's action-plan sheet (แผนปฏิบัติราชการ) into the project register's rows.

The header row is found by the headings the config's ``[projects] columns`` names (anywhere in
the first rows of any worksheet, whitespace aside), so an office keeps its own sheet. Each row
below it becomes a :class:`storage.projects.ProjectRow`; what cannot be read is a
:class:`RowProblem` with the sheet's row number and the text as written:

- no code, a code given twice, or a budget that is not a number: the row is left out;
- a group that is neither a group's Thai name nor its key: kept, without a group;
- a responsible person who is not exactly one registered staff member, by the name they
  registered with (whitespace aside) or their staff number: kept, without a person. Nothing is
  guessed: a near name is still unmatched, and a name two people registered with is too.

No database here: the caller passes the groups and the people to match against.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from jobs.projects.settings import ProjectColumns
from storage.projects import ProjectRow

HEADER_SEARCH_ROWS = 30  # the header row is among the sheet's first rows (a title may precede)
EMPTY_BUDGET = {"", "-", "–", "—"}


class SheetError(Exception):
    """The file is not a sheet the import can read (not .xlsx, no header row)."""


class Problem(StrEnum):
    NO_CODE = "no_code"
    DUPLICATE_CODE = "duplicate_code"
    BAD_BUDGET = "bad_budget"
    UNKNOWN_GROUP = "unknown_group"
    UNMATCHED_PERSON = "unmatched_person"


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int  # the sheet's row number, as Excel shows it
    problem: Problem
    written: str  # the text as written in the sheet


@dataclass(frozen=True, slots=True)
class GroupRef:
    id: int
    key: str
    name_th: str


@dataclass(frozen=True, slots=True)
class PersonRef:
    id: int
    full_name: str


@dataclass(frozen=True, slots=True)
class SheetRead:
    rows: tuple[ProjectRow, ...]
    problems: tuple[RowProblem, ...] = field(default=())

    def of(self, problem: Problem) -> list[RowProblem]:
        return [p for p in self.problems if p.problem is problem]


def normalise(text: object) -> str:
    """A cell's text with its whitespace collapsed (a number written without ``.0``)."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return " ".join(str(text).split())


def parse_budget(value: object) -> int | None:
    """Baht → satang: a number, or text with commas (``1,250,000.50``); empty or ``-`` is 0.
    ``None`` when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = normalise(value).replace(",", "").replace(" ", "")
        if text in EMPTY_BUDGET:
            return 0
        try:
            amount = Decimal(text)
        except InvalidOperation:
            return None
    if not amount.is_finite() or amount < 0:
        return None
    return int((amount * 100).quantize(Decimal(1)))


def read_sheet(
    path: Path,
    columns: ProjectColumns,
    groups: Iterable[GroupRef],
    people: Iterable[PersonRef],
) -> SheetRead:
    """The projects of the sheet at ``path``, matched to ``groups`` and ``people``."""
    from openpyxl import load_workbook  # only the import command needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, BadZipFile) as error:
        if isinstance(error, FileNotFoundError):
            raise SheetError(f"{path}: no such file") from error
        raise SheetError(f"{path}: not an Excel workbook (.xlsx) the import can read") from error
    try:
        for sheet in workbook.worksheets:
            values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            found = _header(values, columns)
            if found is not None:
                start, positions = found
                return _read_rows(values, start, positions, groups, people)
    finally:
        workbook.close()
    wanted = ", ".join(f"{key} = {heading!r}" for key, heading in columns.model_dump().items())
    raise SheetError(
        f"{path}: no header row with the headings of [projects] columns ({wanted}): "
        "map the sheet's own headings in the config"
    )


def _header(
    values: Sequence[tuple[Any, ...]], columns: ProjectColumns
) -> tuple[int, dict[str, int]] | None:
    headings = {key: normalise(heading) for key, heading in columns.model_dump().items()}
    for index, row in enumerate(values[:HEADER_SEARCH_ROWS]):
        cells = [normalise(cell) for cell in row]
        if all(heading in cells for heading in headings.values()):
            return index, {key: cells.index(heading) for key, heading in headings.items()}
    return None


def _read_rows(
    values: Sequence[tuple[Any, ...]],
    header: int,
    positions: dict[str, int],
    groups: Iterable[GroupRef],
    people: Iterable[PersonRef],
) -> SheetRead:
    group_of = _group_index(groups)
    person_of = _person_index(people)
    rows: list[ProjectRow] = []
    problems: list[RowProblem] = []
    seen: set[str] = set()
    for index in range(header + 1, len(values)):
        number, raw = index + 1, values[index]

        def cell(key: str, raw: tuple[Any, ...] = raw) -> Any:
            at = positions[key]
            return raw[at] if at < len(raw) else None

        if all(normalise(c) == "" for c in raw):
            continue
        code, budget = normalise(cell("code")), parse_budget(cell("budget"))
        if not code:
            problems.append(RowProblem(number, Problem.NO_CODE, normalise(cell("name"))))
            continue
        if code in seen:
            problems.append(RowProblem(number, Problem.DUPLICATE_CODE, code))
            continue
        if budget is None:
            problems.append(RowProblem(number, Problem.BAD_BUDGET, normalise(cell("budget"))))
            continue
        seen.add(code)
        group_text, person_text = normalise(cell("group")), normalise(cell("responsible"))
        group_id = group_of.get(group_text) or group_of.get(group_text.casefold())
        if group_text and group_id is None:
            problems.append(RowProblem(number, Problem.UNKNOWN_GROUP, group_text))
        staff_id = _person(person_text, person_of)
        if staff_id is None:
            problems.append(RowProblem(number, Problem.UNMATCHED_PERSON, person_text))
        rows.append(ProjectRow(code, normalise(cell("name")), budget, group_id, staff_id))
    return SheetRead(tuple(rows), tuple(problems))


def _group_index(groups: Iterable[GroupRef]) -> dict[str, int]:
    index: dict[str, int] = {}
    for group in groups:
        index[normalise(group.name_th)] = group.id
        index[group.key.casefold()] = group.id
    return index


def _person_index(people: Iterable[PersonRef]) -> dict[str, int | None]:
    """Registered name → staff id; a name two people registered with maps to ``None``."""
    index: dict[str, int | None] = {}
    ids: set[int] = set()
    for person in people:
        name = normalise(person.full_name)
        index[name] = None if name in index else person.id
        ids.add(person.id)
    index.update({f"#{i}": i for i in ids})
    return index


def _person(text: str, index: dict[str, int | None]) -> int | None:
    if not text:
        return None
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit():  # "²".isdigit() too, and int() refuses it
        return index.get(f"#{int(number)}")
    return index.get(text)
