"""The coordinator's view: who has reported (/status), one person's year (/history), and
marking a paper submission on someone's behalf."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.common import questions
from bot.common.callbacks import Numbered
from bot.common.i18n import Translate, format_date, format_datetime, parse_date, translator
from bot.common.kit import Turn, button, command
from bot.common.render import Keyboard, period_label
from bot.common.texts import parse_number, quoted
from bot.common.words import STATUS_NAMES, status_name
from bot.oversight.board.actions import Outcome, mark_paper
from bot.runtime.sender import markup
from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.params import duty_params
from storage import groups, office, oversight, people, schedule
from storage.models import Assignment, AssignmentStatus, Obligation, Period, Role

STATUS = Numbered("st:")  # an earlier period under /status <obligation>: st:<period>
PAPER = Numbered("pp:")  # "Received on paper" for one person: pp:<assignment>
# bot/app.py's names for them, until it wires bot.oversight.feature.FEATURE
LIVE_AHEAD = timedelta(days=7)  # a period is "current" from its first reminder on
BUTTON_LIMIT = 40
INLINE_NAMES = 6
OVERSIGHT = (Role.COORDINATOR, Role.ADMIN, Role.DIRECTOR)
STATUS_ORDER = (
    AssignmentStatus.ON_TIME,
    AssignmentStatus.LATE,
    AssignmentStatus.PENDING,
    AssignmentStatus.ESCALATED,
    AssignmentStatus.EXCUSED,
)
Shown = list[tuple[Obligation, Period]]  # obligations with their current period


async def _no_longer_open(turn: Turn) -> None:
    await turn.answer(turn._("This report is no longer open. Nothing was changed."))


@command(*OVERSIGHT)
async def status(turn: Turn) -> None:
    """/status [obligation]: the current period of every obligation (or one), by group."""
    key, due_before = (turn.context.args or [""])[0], turn.now() + LIVE_AHEAD
    active, shown = await turn.run(lambda s: _current(s, key, due_before))
    if key and not any(o.key == key for o in active):
        known = ", ".join(o.key for o in active)
        await turn.answer(
            turn._("There is no report called {key}. Known: {known}").format(
                key=quoted(key), known=known
            )
        )
        return
    texts = [await _period_text(turn, o, p) for o, p in shown]
    if not texts:
        await turn.answer(turn._("No report period has started yet."))
        return
    keyboard = await _status_keyboard(turn, shown) if key and shown else []
    await turn.answer("\n\n".join(texts), reply_markup=markup(keyboard))


def _current(session: Session, key: str, due_before: datetime) -> tuple[list[Obligation], Shown]:
    """The active obligations, and the current period of each (or of the one ``key`` names)."""
    active = list(schedule.active_obligations(session))
    chosen = [o for o in active if not key or o.key == key]
    periods = [
        (o, oversight.current_period(session, o.id or 0, due_before=due_before)) for o in chosen
    ]
    return active, [(o, p) for o, p in periods if p is not None]


@button(STATUS, *OVERSIGHT)
async def status_button(turn: Turn, period_id: int) -> None:
    """A press on an earlier period under /status <obligation>."""

    def load(session: Session) -> tuple[Period | None, Obligation | None]:
        period = session.get(Period, period_id)
        return period, session.get(Obligation, period.obligation_id) if period else None

    period, obligation = await turn.run(load)
    if period is None or obligation is None:
        await turn.stale()
        return
    keyboard = await _person_buttons(turn, period)
    text = await _period_text(turn, obligation, period)
    await turn.answer(text, reply_markup=markup(keyboard))


async def _period_text(turn: Turn, obligation: Obligation, period: Period) -> str:
    language, _ = turn.language, turn._
    today = turn.today()
    rows, away, work_groups = await turn.run(lambda s: _board(s, period, today))
    title = obligation.title_en if language == "en" else obligation.title_th
    label = period_label(duty_params(obligation, period), language, turn.zone)
    due = format_datetime(period.due_at.astimezone(turn.zone), language)
    lines = [
        f"{obligation.measure} {title}",
        _("{period} — due by {due}").format(period=label, due=due),
    ]
    for group_id, members in _by_group(rows):
        group = work_groups.get(group_id)
        name = (group.name_en if language == "en" else group.name_th) if group else "-"
        lines += ["", f"{name} ({len(members)})"]
        lines += _status_lines(members, away, _, language)
    return "\n".join(lines)


def _board(
    session: Session, period: Period, today: date
) -> tuple[list[oversight.BoardRow], dict[int, Any], dict[Any, Any]]:
    """Who owes the period and how far they are, who is on leave today, the work groups."""
    rows = list(oversight.board(session, period.id or 0))
    away = dict(office.on_leave(session, today))
    return rows, away, {g.id: g for g in groups.active_groups(session)}


def _by_group(rows: list[oversight.BoardRow]) -> list[tuple[int, list[oversight.BoardRow]]]:
    grouped: dict[int, list[oversight.BoardRow]] = {}
    for row in rows:
        grouped.setdefault(row.group_ids[0] if row.group_ids else 0, []).append(row)
    return sorted(grouped.items())


def _status_lines(
    members: list[oversight.BoardRow], away: Mapping[int, object], _: Translate, language: str
) -> list[str]:
    lines = []
    for state in STATUS_ORDER:
        chosen = [m for m in members if m.assignment.status == state.value]
        if not chosen:
            continue
        name = status_name(state.value, _)
        flagged = [_flagged(m, away, _, language) for m in chosen]
        if len(flagged) <= INLINE_NAMES:
            lines.append(f"  {name} {len(chosen)}: {', '.join(flagged)}")
        else:  # a long list, one name a line, so that splitting never cuts a name
            lines.append(f"  {name} {len(chosen)}:")
            lines += [f"    - {one}" for one in flagged]
    return lines


def _flagged(
    row: oversight.BoardRow, away: Mapping[int, object], _: Translate, language: str
) -> str:
    name = row.owner_name_en if language == "en" else row.owner_name
    if row.project_code:  # a report owed per project: the person and the project
        name += " — " + _("project {project}").format(
            project=f"{row.project_code} {row.project_name}"
        )
    flags = []
    if row.assignment.staff_id in away:
        flags.append(_("on leave"))
    if not row.reachable:
        flags.append(_("cannot be reached"))
    return f"{name} ({', '.join(flags)})" if flags else name


async def _status_keyboard(turn: Turn, shown: Shown) -> Keyboard:
    """Under /status <obligation>: the people still missing, then earlier periods."""
    obligation, period = shown[0]
    keyboard = await _person_buttons(turn, period)
    earlier = await turn.run(
        lambda s: oversight.earlier_periods(s, obligation.id or 0, before=period.due_at, limit=6)
    )
    for older in earlier:
        label = period_label(duty_params(obligation, older), turn.language, turn.zone)
        keyboard.append([(turn._("Earlier: {period}").format(period=label), STATUS(older.id or 0))])
    return keyboard


async def _person_buttons(turn: Turn, period: Period) -> Keyboard:
    """For each person still missing: mark a paper submission (coordinator). Excusing is the
    director's answer to an escalation (or a group head's, for their group), never the
    coordinator's: storage/power.py."""
    if not turn.person.has_any(Role.COORDINATOR):
        return []
    board = await turn.run(lambda s: oversight.board(s, period.id or 0))
    rows = [r for r in board if r.assignment.status in schedule.OPEN_STATUSES]
    label = turn._("Received on paper: {name}")
    return [
        [(label.format(name=_with_code(r)), PAPER(r.assignment.id or 0))]
        for r in rows[:BUTTON_LIMIT]
    ]


def _with_code(row: oversight.BoardRow) -> str:
    """A button's name: the person, and the project's code when owed per project."""
    return f"{row.owner_name} ({row.project_code})" if row.project_code else row.owner_name


@button(PAPER, Role.COORDINATOR)
async def paper_button(turn: Turn, assignment_id: int) -> None:
    """ "Received on paper": ask the date the paper (or e-mail) arrived."""
    duty = await turn.run(lambda s: schedule.duty(s, assignment_id))
    if duty is None or duty.assignment.status not in schedule.OPEN_STATUSES:
        await _no_longer_open(turn)
        return
    await questions.ask(turn.app, turn.person, questions.PAPER_DATE, {"assignment": assignment_id})
    await turn.answer(
        turn._(
            'On what date did the report arrive? Type it like 9/1/2569, or "today" (or /cancel).'
        )
    )


async def paper_date(turn: Turn, text: str) -> None:
    """The arrival date typed after "received on paper": confirm on the owner's behalf."""
    now = turn.now()
    today = now.astimezone(turn.zone).date()
    day = today if text.strip().lower() in ("today", "วันนี้") else parse_date(text)
    if day is None or day > today:
        await turn.answer(
            turn._('Please type a date that has passed, like 9/1/2569, or "today" (or /cancel).')
        )
        return
    asked = await questions.take(turn.app, turn.person, questions.PAPER_DATE)
    if asked is None:  # expired, or taken meanwhile by a second press
        await _no_longer_open(turn)
        return
    await _confirm_on_paper(turn, int(asked["assignment"]), day, now)


async def _confirm_on_paper(turn: Turn, assignment_id: int, day: date, now: datetime) -> None:
    """Confirmed by the coordinator for the owner, as the board's paper action does."""
    person, calendar = turn.person, OfficeCalendar.from_office(turn.settings.office)
    done = await turn.run(
        lambda s: mark_paper(s, person, assignment_id, day, now=now, calendar=calendar)
    )
    if done.outcome not in (Outcome.DONE_ON_TIME, Outcome.DONE_LATE):
        await _no_longer_open(turn)
        return
    _ = turn._
    state = _("on time") if done.outcome is Outcome.DONE_ON_TIME else _("late")
    await turn.answer(
        _("Recorded as received on paper on {date} ({state}).").format(
            date=format_date(day, turn.language), state=state
        )
    )


@command(*OVERSIGHT)
async def history(turn: Turn) -> None:
    """/history <number>: one person's record over the fiscal year."""
    staff_id = parse_number((turn.context.args or [""])[0])
    if staff_id is None:
        await turn.answer(
            turn._(
                "Please type /history followed by the person's number from /staff, e.g. /history 12"
            )
        )
        return
    now = turn.now()
    fiscal_year = fiscal_year_of(now.astimezone(turn.zone).date())
    person, rows = await turn.run(lambda s: _year_of(s, staff_id, fiscal_year))
    if person is None:
        await turn.answer(
            turn._("There is no person number {number}. See /staff.").format(number=staff_id)
        )
        return
    heading = turn._("{name}: fiscal year {fiscal_year}")
    lines = [heading.format(name=person.name, fiscal_year=fiscal_year)]
    lines += _history_lines(rows, now, turn.language, turn.zone) or [turn._("Nothing yet.")]
    await turn.answer("\n".join(lines))


def _year_of(
    session: Session, staff_id: int, fiscal_year: int
) -> tuple[people.Person | None, list[Any]]:
    person = people.by_id(session, staff_id)
    found = oversight.person_history(session, staff_id, fiscal_year) if person else []
    return person, list(found)


def _history_lines(
    rows: Iterable[tuple[Obligation, Period, Assignment]],
    now: datetime,
    language: str,
    zone: ZoneInfo,
) -> list[str]:
    _ = translator(language)
    lines = []
    for obligation, period, assignment in rows:
        if period.due_at > now:
            continue
        title = obligation.title_en if language == "en" else obligation.title_th
        due = format_date(period.due_at.astimezone(zone), language)
        state = status_name(assignment.status, _) if assignment.status in STATUS_NAMES else "-"
        lines.append(f"• {title} — {due}: {state}")
    return lines
