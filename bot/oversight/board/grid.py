"""The board's grid, as data: the current period of every obligation (or the ones the filters
choose) as columns, groups as bands of rows, a person (or a group's own duty) a row, one cell
per assignment. Read in one transaction (the periods chosen as /status chooses them; the
cells with ``storage.board.grid_rows``, two queries for all the columns); what a viewer may see
is decided here (``Scope``), and again by every action."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.common.i18n import N_
from bot.common.words import NOT_YET_DUE, STATUS_NAMES
from storage import board, groups, office, oversight, people, schedule
from storage.models import AssignmentStatus, Memo, Obligation, Period, Role, WorkGroup

LIVE_AHEAD = timedelta(days=7)  # as /status: a period is current from its first reminder on
WHOLE_OFFICE = (Role.COORDINATOR, Role.DIRECTOR, Role.ADMIN)

# what a cell says, beyond the status names /status uses (bot.common.words)
PAPER = N_("paper submission")
DAYS_LATE = N_("{days} days late")
ON_LEAVE = N_("on leave")
UNREACHABLE = N_("cannot be reached")
MEMO = N_("memo no. {number}/{fiscal_year}")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a viewer sees: the whole office, some groups (a group head's), or their own."""

    office: bool
    group_ids: frozenset[int]
    staff_id: int
    answers_all: bool = False  # the director, or whoever acts for the director today

    def covers(self, row: board.GridRow) -> bool:
        if self.office:
            return True
        return bool(self.group_ids & set(row.group_ids))


def scope_of(session: Session, person: people.Person, today: date) -> Scope:
    """The coordinator, the director (and whoever acts for the director today), admins: the
    whole office; a group head: their groups; anyone else: their own items (as /mine)."""
    mine = frozenset(g.id for g in person.groups if g.id is not None)
    acting = office.is_acting(session, person.id, today)
    if person.has_any(*WHOLE_OFFICE) or acting:
        return Scope(True, frozenset(), person.id, Role.DIRECTOR in person.roles or acting)
    if Role.GROUP_HEAD in person.roles:
        return Scope(False, mine, person.id)
    return _OwnScope(False, frozenset(), person.id, own_groups=mine)


@dataclass(frozen=True, slots=True)
class _OwnScope(Scope):
    """Their own assignments and their groups' shared duties (what /mine lists)."""

    own_groups: frozenset[int] = frozenset()

    def covers(self, row: board.GridRow) -> bool:
        if row.staff_id is not None:
            return row.staff_id == self.staff_id
        return row.group_id in self.own_groups


@dataclass(frozen=True, slots=True)
class Filters:
    obligation: str = ""  # an obligation's key, or all
    group: int = 0  # a group's id, or all
    period: int = 0  # an earlier period of the chosen obligation, or its current one


@dataclass(slots=True)
class Cell:
    assignment_id: int
    status: str
    css: str  # on-time late pending overdue leave unreachable excused paper escalated
    labels: list[tuple[str, dict[str, Any]]]  # message ids and their values, in order
    note: str = ""  # an excuse's reason, the director's order (as typed)
    memo: Memo | None = None
    is_open: bool = False


@dataclass(slots=True)
class Row:
    key: str
    name: str
    staff_id: int | None
    name_en: str = ""
    cells: dict[int, Cell] = field(default_factory=dict)  # by column index


@dataclass(slots=True)
class Band:
    group: WorkGroup | None
    rows: list[Row]


@dataclass(slots=True)
class Grid:
    obligations: list[Obligation]  # every active one (the filter's choices)
    columns: list[tuple[Obligation, Period]]
    bands: list[Band]
    groups: list[WorkGroup]  # the filter's choices (the viewer's, unless the whole office)
    periods: list[Period]  # the chosen obligation's periods (the filter's choices)
    scope: Scope
    today: date


def load(
    session: Session, person: people.Person, filters: Filters, now: datetime, zone: ZoneInfo
) -> Grid:
    """Everything the grid page shows, in one transaction."""
    today = now.astimezone(zone).date()
    scope = scope_of(session, person, today)
    active = list(schedule.active_obligations(session))
    chosen = [o for o in active if not filters.obligation or o.key == filters.obligation]
    columns = _columns(session, chosen, filters, now)
    by_period: dict[int, list[board.GridRow]] = {}
    for row in board.grid_rows(session, [p.id or 0 for _, p in columns]):
        if scope.covers(row) and (not filters.group or filters.group in row.group_ids):
            by_period.setdefault(row.period_id, []).append(row)
    rows_by_column = [by_period.get(p.id or 0, []) for _, p in columns]
    ids = [r.assignment_id for rs in rows_by_column for r in rs]
    facts = board.cell_facts(session, ids)
    away = office.on_leave(session, today)
    work_groups = list(groups.active_groups(session))
    bands = _bands(columns, rows_by_column, facts, away, work_groups, today, zone)
    periods = _periods(session, chosen, columns, filters)
    visible = work_groups if scope.office else [g for g in work_groups if g.id in _own(scope)]
    return Grid(active, columns, bands, visible, periods, scope, today)


def _own(scope: Scope) -> frozenset[int]:
    return scope.group_ids or getattr(scope, "own_groups", frozenset())


def _columns(
    session: Session, chosen: list[Obligation], filters: Filters, now: datetime
) -> list[tuple[Obligation, Period]]:
    columns = []
    for obligation in chosen:
        period = None
        if filters.period and filters.obligation:
            found = session.get(Period, filters.period)
            period = found if found and found.obligation_id == obligation.id else None
        period = period or oversight.current_period(
            session, obligation.id or 0, due_before=now + LIVE_AHEAD
        )
        if period is not None:
            columns.append((obligation, period))
    return columns


def _periods(
    session: Session,
    chosen: list[Obligation],
    columns: list[tuple[Obligation, Period]],
    filters: Filters,
) -> list[Period]:
    """The chosen obligation's periods, newest first (one obligation chosen only)."""
    if not filters.obligation or len(chosen) != 1 or not columns:
        return []
    obligation, shown = columns[0]
    current = oversight.current_period(session, obligation.id or 0, due_before=shown.due_at)
    later = [current] if current is not None else []
    earlier = oversight.earlier_periods(session, obligation.id or 0, before=shown.due_at, limit=12)
    return later + list(earlier)


def _bands(
    columns: list[tuple[Obligation, Period]],
    rows_by_column: list[list[board.GridRow]],
    facts: board.CellFacts,
    away: dict[int, Any],
    work_groups: list[WorkGroup],
    today: date,
    zone: ZoneInfo,
) -> list[Band]:
    by_group: dict[int, dict[str, Row]] = {}
    for index, ((_obligation, period), rows) in enumerate(
        zip(columns, rows_by_column, strict=True)
    ):
        for found in rows:
            group_id = found.group_ids[0] if found.group_ids else 0
            key = f"s{found.staff_id}" if found.staff_id else f"g{found.group_id}"
            row = by_group.setdefault(group_id, {}).setdefault(
                key, Row(key, found.owner_name, found.staff_id, found.owner_name_en)
            )
            row.cells[index] = cell(found, period, facts, away, today, zone)
    named = {g.id or 0: g for g in work_groups}
    order = {g.id or 0: place for place, g in enumerate(work_groups)}
    bands = []
    for group_id in sorted(by_group, key=lambda g: (order.get(g, len(order)), g)):
        people_rows = sorted(by_group[group_id].values(), key=_row_order)
        bands.append(Band(named.get(group_id), people_rows))
    return bands


def _row_order(row: Row) -> tuple[bool, str]:
    """A group's own duty first, then its people by name."""
    return row.staff_id is not None, row.name


def cell(
    row: board.GridRow,
    period: Period,
    facts: board.CellFacts,
    away: dict[int, Any],
    today: date,
    zone: ZoneInfo,
) -> Cell:
    """What one assignment's cell says, and its colour."""
    aid, status = row.assignment_id, row.status
    is_open = status in schedule.OPEN_STATUSES
    shown = Cell(
        aid, status, css(status), [(STATUS_NAMES.get(status, status), {})], is_open=is_open
    )
    due_day = period.due_at.astimezone(zone).date()
    late_days = (today - due_day).days
    if status == AssignmentStatus.PENDING.value and late_days <= 0:
        shown.labels = [(NOT_YET_DUE, {})]
    if is_open and late_days > 0:
        shown.labels.append((DAYS_LATE, {"days": late_days}))
        shown.css = "escalated" if status == AssignmentStatus.ESCALATED.value else "overdue"
    if facts.via.get(aid) == "paper" and not is_open:
        shown.labels.append((PAPER, {}))
        shown.css = "paper"
    if status == AssignmentStatus.EXCUSED.value:
        shown.note = facts.reason.get(aid, "")
    memo = facts.memo.get(aid)
    if memo is not None:
        shown.memo = memo
        shown.labels.append((MEMO, {"number": memo.number, "fiscal_year": memo.fiscal_year}))
    if is_open and row.staff_id in away:
        shown.labels.append((ON_LEAVE, {}))
        shown.css = "leave"
    if is_open and not row.reachable:
        shown.labels.append((UNREACHABLE, {}))
        shown.css = "unreachable"
    return shown


def css(status: str) -> str:
    return {
        AssignmentStatus.ON_TIME.value: "on-time",
        AssignmentStatus.LATE.value: "late",
        AssignmentStatus.EXCUSED.value: "excused",
        AssignmentStatus.ESCALATED.value: "escalated",
    }.get(status, "pending")
