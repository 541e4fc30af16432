"""The coordinator's view: who has reported (/status), one person's year (/history), and
marking a paper submission on someone's behalf."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot.common import questions
from bot.common.access import answer, requires
from bot.common.i18n import Translate, format_date, format_datetime, parse_date, translator
from bot.common.render import Keyboard, period_label
from bot.common.services import services
from bot.common.texts import parse_number, quoted
from bot.duties.handlers import parse_id
from bot.runtime.sender import markup
from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.tick import duty_params
from storage import groups, office, oversight, people, schedule
from storage.models import Assignment, AssignmentStatus, Obligation, Period, Role

STATUS_CALLBACK, PAPER_CALLBACK = "st:", "pp:"
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


def status_names(_: Translate) -> dict[str, str]:
    return {
        AssignmentStatus.ON_TIME.value: _("sent on time"),
        AssignmentStatus.LATE.value: _("sent late"),
        AssignmentStatus.PENDING.value: _("not yet sent"),
        AssignmentStatus.ESCALATED.value: _("reported to the director"),
        AssignmentStatus.EXCUSED.value: _("excused"),
    }


@requires(*OVERSIGHT)
async def status(update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person) -> None:
    """/status [obligation]: the current period of every obligation (or one), by group."""
    app, _ = services(context), translator(viewer.language)
    key = (context.args or [""])[0]
    due_before = app.clock() + LIVE_AHEAD

    def current(session: Session) -> tuple[list[Obligation], list[tuple[Obligation, Period]]]:
        active = list(schedule.active_obligations(session))
        chosen = [o for o in active if not key or o.key == key]
        periods = [
            (o, oversight.current_period(session, o.id or 0, due_before=due_before)) for o in chosen
        ]
        return active, [(o, p) for o, p in periods if p is not None]

    active, shown = await app.db.run(current)
    if key and not any(o.key == key for o in active):
        known = ", ".join(o.key for o in active)
        await answer(
            update,
            _("There is no report called {key}. Known: {known}").format(
                key=quoted(key), known=known
            ),
        )
        return
    texts = [await _period_text(context, viewer, o, p) for o, p in shown]
    if not texts:
        await answer(update, _("No report period has started yet."))
        return
    keyboard = await _status_keyboard(context, viewer, shown) if key and shown else []
    await answer(update, "\n\n".join(texts), reply_markup=markup(keyboard))


@requires(*OVERSIGHT)
async def status_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person
) -> None:
    """A press on an earlier period under /status <obligation>."""
    query, app = update.callback_query, services(context)
    period_id = parse_id(query.data if query else None, STATUS_CALLBACK)

    def load(session: Session) -> tuple[Period | None, Obligation | None]:
        period = session.get(Period, period_id) if period_id else None
        return period, session.get(Obligation, period.obligation_id) if period else None

    period, obligation = await app.db.run(load)
    if period is None or obligation is None:
        await answer(
            update,
            translator(viewer.language)(
                "This button is no longer valid. Please type the command again."
            ),
        )
        return
    keyboard = await _person_buttons(context, viewer, period)
    text = await _period_text(context, viewer, obligation, period)
    await answer(update, text, reply_markup=markup(keyboard))


async def _period_text(
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    obligation: Obligation,
    period: Period,
) -> str:
    app, language = services(context), viewer.language
    _ = translator(language)
    zone, today = app.settings.office.zone, app.clock().astimezone(app.settings.office.zone).date()

    def board(session: Session) -> tuple[list[oversight.BoardRow], dict[int, Any], dict[Any, Any]]:
        rows = list(oversight.board(session, period.id or 0))
        away = dict(office.on_leave(session, today))
        return rows, away, {g.id: g for g in groups.active_groups(session)}

    rows, away, work_groups = await app.db.run(board)
    title = obligation.title_en if language == "en" else obligation.title_th
    label = period_label(duty_params(obligation, period), language, zone)
    due = format_datetime(period.due_at.astimezone(zone), language)
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


def _by_group(rows: list[oversight.BoardRow]) -> list[tuple[int, list[oversight.BoardRow]]]:
    grouped: dict[int, list[oversight.BoardRow]] = {}
    for row in rows:
        grouped.setdefault(row.group_ids[0] if row.group_ids else 0, []).append(row)
    return sorted(grouped.items())


def _status_lines(
    members: list[oversight.BoardRow], away: Mapping[int, object], _: Translate, language: str
) -> list[str]:
    names = status_names(_)
    lines = []
    for state in STATUS_ORDER:
        chosen = [m for m in members if m.assignment.status == state.value]
        if not chosen:
            continue
        flagged = [_flagged(m, away, _, language) for m in chosen]
        if len(flagged) <= INLINE_NAMES:
            lines.append(f"  {names[state.value]} {len(chosen)}: {', '.join(flagged)}")
        else:  # a long list, one name a line, so that splitting never cuts a name
            lines.append(f"  {names[state.value]} {len(chosen)}:")
            lines += [f"    - {name}" for name in flagged]
    return lines


def _flagged(
    row: oversight.BoardRow, away: Mapping[int, object], _: Translate, language: str
) -> str:
    name = row.owner_name_en if language == "en" else row.owner_name
    flags = []
    if row.assignment.staff_id in away:
        flags.append(_("on leave"))
    if not row.reachable:
        flags.append(_("cannot be reached"))
    return f"{name} ({', '.join(flags)})" if flags else name


async def _status_keyboard(
    context: ContextTypes.DEFAULT_TYPE,
    viewer: people.Person,
    shown: list[tuple[Obligation, Period]],
) -> Keyboard:
    """Under /status <obligation>: the people still missing, then earlier periods."""
    obligation, period = shown[0]
    keyboard = await _person_buttons(context, viewer, period)
    app, _ = services(context), translator(viewer.language)
    earlier = await app.db.run(
        lambda s: oversight.earlier_periods(s, obligation.id or 0, before=period.due_at, limit=6)
    )
    zone = app.settings.office.zone
    for older in earlier:
        label = period_label(duty_params(obligation, older), viewer.language, zone)
        keyboard.append(
            [(_("Earlier: {period}").format(period=label), f"{STATUS_CALLBACK}{older.id}")]
        )
    return keyboard


async def _person_buttons(
    context: ContextTypes.DEFAULT_TYPE, viewer: people.Person, period: Period
) -> Keyboard:
    """For each person still missing: mark a paper submission (coordinator). Excusing is the
    director's answer to an escalation (or a group head's, for their group), never the
    coordinator's: storage/power.py."""
    if not viewer.has_any(Role.COORDINATOR):
        return []
    _ = translator(viewer.language)
    board = await services(context).db.run(lambda s: oversight.board(s, period.id or 0))
    rows = [r for r in board if r.assignment.status in schedule.OPEN_STATUSES]
    return [
        [
            (
                _("Received on paper: {name}").format(name=r.owner_name),
                f"{PAPER_CALLBACK}{r.assignment.id}",
            )
        ]
        for r in rows[:BUTTON_LIMIT]
    ]


@requires(Role.COORDINATOR)
async def paper_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person
) -> None:
    """ "Received on paper": ask the date the paper (or e-mail) arrived."""
    query, _ = update.callback_query, translator(viewer.language)
    assignment_id = parse_id(query.data if query else None, PAPER_CALLBACK)
    duty = (
        await services(context).db.run(lambda s: schedule.duty(s, assignment_id))
        if assignment_id
        else None
    )
    if duty is None or duty.assignment.status not in schedule.OPEN_STATUSES:
        await answer(update, _("This report is no longer open. Nothing was changed."))
        return
    await questions.ask(
        services(context), viewer, questions.PAPER_DATE, {"assignment": assignment_id}
    )
    await answer(
        update,
        _('On what date did the report arrive? Type it like 9/1/2569, or "today" (or /cancel).'),
    )


async def paper_date(
    update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person, text: str
) -> None:
    """The arrival date typed after "received on paper": confirm on the owner's behalf."""
    app, _ = services(context), translator(viewer.language)
    zone, now = app.settings.office.zone, app.clock()
    today = now.astimezone(zone).date()
    day = today if text.strip().lower() in ("today", "วันนี้") else parse_date(text)
    if day is None or day > today:
        await answer(
            update, _('Please type a date that has passed, like 9/1/2569, or "today" (or /cancel).')
        )
        return
    asked = await questions.take(app, viewer, questions.PAPER_DATE)
    if asked is None:  # expired, or taken meanwhile by a second press
        await answer(update, _("This report is no longer open. Nothing was changed."))
        return
    assignment_id = int(asked["assignment"])
    received = now if day == today else OfficeCalendar.from_office(app.settings.office).closing(day)
    outcome, _duty = await app.db.run(
        lambda s: schedule.confirm(
            s,
            assignment_id,
            person=viewer,
            now=now,
            via="paper",
            received_at=received,
            on_behalf=True,
        )
    )
    if outcome not in (schedule.ConfirmOutcome.ON_TIME, schedule.ConfirmOutcome.LATE):
        await answer(update, _("This report is no longer open. Nothing was changed."))
        return
    state = _("on time") if outcome is schedule.ConfirmOutcome.ON_TIME else _("late")
    await answer(
        update,
        _("Recorded as received on paper on {date} ({state}).").format(
            date=format_date(day, viewer.language), state=state
        ),
    )


@requires(*OVERSIGHT)
async def history(
    update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person
) -> None:
    """/history <number>: one person's record over the fiscal year."""
    app, _ = services(context), translator(viewer.language)
    argument = (context.args or [""])[0]
    number = parse_number(argument)
    if number is None:
        await answer(
            update,
            _("Please type /history followed by the person's number from /staff, e.g. /history 12"),
        )
        return
    zone = app.settings.office.zone
    fiscal_year = fiscal_year_of(app.clock().astimezone(zone).date())

    def record(session: Session) -> tuple[people.Person | None, list[Any]]:
        person = people.by_id(session, number)
        return person, list(
            oversight.person_history(session, number, fiscal_year)
        ) if person else []

    person, rows = await app.db.run(record)
    if person is None:
        await answer(
            update, _("There is no person number {number}. See /staff.").format(number=number)
        )
        return
    lines = [
        _("{name}: fiscal year {fiscal_year}").format(name=person.name, fiscal_year=fiscal_year)
    ]
    lines += _history_lines(rows, app.clock(), viewer.language, zone) or [_("Nothing yet.")]
    await answer(update, "\n".join(lines))


def _history_lines(
    rows: Iterable[tuple[Obligation, Period, Assignment]],
    now: datetime,
    language: str,
    zone: ZoneInfo,
) -> list[str]:
    _ = translator(language)
    names = status_names(_)
    lines = []
    for obligation, period, assignment in rows:
        if period.due_at > now:
            continue
        title = obligation.title_en if language == "en" else obligation.title_th
        due = format_date(period.due_at.astimezone(zone), language)
        state = names.get(assignment.status, "-")
        lines.append(f"• {title} — {due}: {state}")
    return lines
