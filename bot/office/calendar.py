"""The coordinator adjusts the office's calendar from chat; leave and acting officers.

Every calendar change is validated, shown as a preview, and takes effect only when confirmed
with a button; then the engine re-plans at its next tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.common import questions
from bot.common.callbacks import Choice, choices
from bot.common.i18n import format_date, format_month, parse_date
from bot.common.kit import Turn, button, command
from bot.common.texts import clean_text, parse_number
from bot.office.staff import Attempt, ask_the_director, no_such_person
from bot.runtime.sender import markup
from jobs import power as notices
from storage import office, people, power, schedule
from storage.models import Role, Staff
from storage.power import Change, Gate, Span
from storage.schedule import ObligationSpec

CONFIRM = Choice("cf:", choices("yes", "no"))  # under a previewed change: cf:yes, cf:no
CALENDAR = (Role.COORDINATOR, Role.ADMIN)  # who changes the calendar, or records others' leave
MAX_TITLE = 300
MAX_REASON = 200
Days = tuple[date, date]  # the first and the last day


async def _propose(turn: Turn, change: dict[str, Any], preview: str) -> None:
    await questions.ask(turn.app, turn.person, questions.CALENDAR_CHANGE, change)
    keyboard = [[(turn._("Confirm"), CONFIRM("yes")), (turn._("Cancel"), CONFIRM("no"))]]
    await turn.answer(
        preview + "\n\n" + turn._("Press Confirm to apply it."), reply_markup=markup(keyboard)
    )


def _ahead(turn: Turn, typed: str) -> date | None:
    """A typed date from today on, or None."""
    day = parse_date(typed)
    return day if day is not None and day >= turn.today() else None


@command(*CALENDAR)
async def close_day(turn: Turn) -> None:
    """/closeday <date> <reason>: the office is closed that day (a late-announced holiday)."""
    args, _ = turn.context.args or [], turn._
    day = _ahead(turn, args[0]) if args else None
    reason = clean_text(" ".join(args[1:]), MAX_REASON)
    if day is None or not reason:
        await turn.answer(
            _(
                "Please type /closeday, a date from today on and the reason, e.g. "
                "/closeday 2/1/2570 special holiday by cabinet resolution"
            )
        )
        return
    preview = _(
        "The office will be closed on {date} ({reason}). Reminders that would fall on "
        "that day move to the nearest working day."
    ).format(date=format_date(day, turn.language, "weekday"), reason=reason)
    await _propose(turn, {"kind": "closeday", "day": day.isoformat(), "reason": reason}, preview)


@command(*CALENDAR)
async def move_meeting(turn: Turn) -> None:
    """/meeting <date>: this (or that) month's staff meeting is on another day."""
    _ = turn._
    day = _ahead(turn, (turn.context.args or [""])[0])
    if day is None:
        await turn.answer(
            _(
                "Please type /meeting and the new date of that month's staff "
                "meeting, from today on, e.g. /meeting 20/1/2570"
            )
        )
        return
    preview = _(
        "The staff meeting of {month} moves to {date}. Reports due at that meeting follow it."
    ).format(
        month=format_month(day, turn.language),
        date=format_date(day, turn.language, "weekday"),
    )
    await _propose(turn, {"kind": "meeting", "day": day.isoformat()}, preview)


@command(*CALENDAR)
async def one_off(turn: Turn) -> None:
    """/oneoff <group|all> <due date> <title>: a report owed once, by each member."""
    args, _ = turn.context.args or [], turn._
    day = _ahead(turn, args[1]) if len(args) > 1 else None
    title = clean_text(" ".join(args[2:]), MAX_TITLE)
    keys = [g.key for g in turn.settings.groups]
    owner = args[0] if args else ""
    if owner not in [*keys, "all"] or day is None or not title:
        await turn.answer(
            _(
                "Please type /oneoff, a work group ({groups}) or all, the due "
                "date and the title, e.g. /oneoff admin 20/1/2570 "
                "equipment survey report"
            ).format(groups=", ".join(keys))
        )
        return
    owners = keys if owner == "all" else [owner]
    await _propose(
        turn,
        {"kind": "oneoff", "day": day.isoformat(), "title": title, "owners": owners},
        _one_off_preview(turn, title, day, owners),
    )


def _one_off_preview(turn: Turn, title: str, day: date, owners: list[str]) -> str:
    return turn._(
        'A new report "{title}", due by {date}, owed by each member of {groups}. '
        "Reminders follow the plan's ladder."
    ).format(
        title=title,
        date=format_date(day, turn.language),
        groups=", ".join(turn.settings.group(k).name_th for k in owners),
    )


@button(CONFIRM)
async def confirm_change(turn: Turn, choice: str) -> None:
    """Confirm or cancel the change just previewed."""
    change = await questions.take(turn.app, turn.person, questions.CALENDAR_CHANGE)
    if choice != "yes" or change is None:
        await turn.answer(turn._("Cancelled. Nothing was changed."))
    elif not turn.person.has_any(*CALENDAR):  # no longer theirs to make
        await turn.stale()
    else:
        await _make_change(turn, change)


async def _make_change(turn: Turn, change: dict[str, Any]) -> None:
    person, now = turn.person, turn.now()

    def apply(session: Session) -> bool:
        done = _apply(session, change, person, now)
        if done:
            schedule.wake_all_open(session, now)
        return done

    done = await turn.run(apply)
    turn.app.wake(materialise=True)
    _ = turn._
    await turn.answer(
        _("Done. The change takes effect now.")
        if done
        else _("Nothing to change: it was already so.")
    )


def _apply(session: Session, change: dict[str, Any], person: people.Person, now: datetime) -> bool:
    day = date.fromisoformat(change["day"])
    if change["kind"] == "closeday":
        return office.add_closed_day(session, day, change["reason"], by_staff_id=person.id, now=now)
    if change["kind"] == "meeting":
        office.move_meeting(session, f"{day:%Y-%m}", day, by_staff_id=person.id, now=now)
        return True
    spec = _one_off_spec(change, day, now)
    return schedule.add_one_off(session, spec, by_staff_id=person.id, now=now) is not None


def _one_off_spec(change: dict[str, Any], day: date, now: datetime) -> ObligationSpec:
    return ObligationSpec(
        key=f"oneoff-{now:%Y%m%d%H%M%S}",
        title_th=change["title"],
        title_en=change["title"],
        measure="1.1",
        ita_indicators=[],
        owners={"each_member_of": change["owners"]},
        recurrence={"kind": "once", "date": day.isoformat()},
        onward=None,
        ladder_key="default",
        on_closed_day="keep",
    )


@command()
async def leave(turn: Turn) -> None:
    """/leave <from> <to>: one's own leave; the coordinator may add a number first."""
    args, staff_id = list(turn.context.args or []), turn.person.id
    if len(args) == 3 and parse_number(args[0]) is not None:
        if not turn.person.has_any(*CALENDAR):
            await turn.answer(turn._("Only the coordinator may record someone else's leave."))
            return
        staff_id = parse_number(args.pop(0)) or 0
    span = _span(args)
    if span is None or span[1] < turn.today():
        await turn.answer(
            turn._(
                "Please type /leave and the first and last day of the leave, "
                "e.g. /leave 10/2/2570 14/2/2570"
            )
        )
        return
    await _record_leave(turn, staff_id, span, None)


def _span(args: list[str]) -> Days | None:
    """Two dates in order, or None."""
    if len(args) != 2:
        return None
    start, end = parse_date(args[0]), parse_date(args[1])
    if start is None or end is None or start > end:
        return None
    return start, end


@command(Role.DIRECTOR, Role.COORDINATOR)
async def acting(turn: Turn) -> None:
    """/acting <number> <from> <to>: the director is away; that person acts (ผู้รักษาราชการแทน).

    The director names anyone else directly; the coordinator proposes someone other than
    themselves, and it takes effect when the director confirms it (storage.power).
    """
    request = await _acting_request(turn)
    if request is None:
        await turn.answer(
            turn._(
                "Please type /acting, the acting officer's number from /staff and the first "
                "and last day, e.g. /acting 7 10/2/2570 14/2/2570 (starting at most {days} "
                "days from today and lasting at most {days} days)"
            ).format(days=turn.settings.director.acting_max_days)
        )
        return
    absent, deputy_id, span = request
    gate = power.acting_gate(turn.person, deputy_id)
    if gate is Gate.ALLOW:
        await _record_leave(turn, absent, span, deputy_id)
    else:
        await _ask_for_acting(turn, gate, request)


async def _acting_request(turn: Turn) -> tuple[int, int, Days] | None:
    """Who is away, who acts, and when; None unless all make sense."""
    args = turn.context.args or []
    span = _span(list(args[1:]))
    deputy_id = parse_number(args[0] if args else "") or 0

    def load(session: Session) -> tuple[Sequence[Staff], people.Person | None]:
        return people.holders_of(session, Role.DIRECTOR), people.by_id(session, deputy_id)

    directors, deputy = await turn.run(load)
    if Role.DIRECTOR in turn.person.roles:
        absent = turn.person.id
    else:
        absent = (directors[0].id if directors else 0) or 0
    if deputy is None or not deputy.staff.active or deputy.id == absent or not directors:
        return None
    limit = turn.settings.director.acting_max_days
    if span is None or not _acting_span_allowed(span, turn.today(), limit):
        return None
    return absent, deputy.id, span


def _acting_span_allowed(span: Days, today: date, limit: int) -> bool:
    """Not over yet, starting at most ``limit`` days ahead, lasting at most ``limit`` days."""
    starts_on, ends_on = span
    return (
        ends_on >= today
        and starts_on <= today + timedelta(days=limit)
        and (ends_on - starts_on).days < limit
    )


async def _ask_for_acting(turn: Turn, gate: Gate, request: tuple[int, int, Days]) -> None:
    """The coordinator's acting officer: a proposal the director confirms, or (naming
    themselves) refused; the director is told either way."""
    absent, deputy_id, span = request
    dates = Span(*span).as_data()
    attempt = Attempt(gate, Change.ACTING, deputy_id, {"absent": absent, **dates}, dates)
    now = turn.now()
    text = await turn.run(lambda s: ask_the_director(s, turn, attempt, now))
    turn.app.wake()
    await turn.answer(text)


async def _record_leave(turn: Turn, staff_id: int, span: Days, acting_id: int | None) -> None:
    now = turn.now()
    absent, deputy = await turn.run(lambda s: _write_leave(s, turn, staff_id, span, acting_id, now))
    if absent is None:
        await no_such_person(turn, staff_id)
        return
    turn.app.wake()
    text = turn._(
        "Leave recorded for {name}: {start} – {end}. Reminders wait until the return; due "
        "dates do not change."
    ).format(
        name=absent.name,
        start=format_date(span[0], turn.language),
        end=format_date(span[1], turn.language),
    )
    if deputy is not None:
        text += "\n" + turn._("Escalations go to the acting officer, {name}, meanwhile.").format(
            name=deputy.name
        )
    await turn.answer(text)


def _write_leave(
    session: Session, turn: Turn, staff_id: int, span: Days, acting_id: int | None, now: datetime
) -> tuple[people.Person | None, people.Person | None]:
    """The leave and, with an acting officer, the notices: one commit."""
    absent = people.by_id(session, staff_id)
    if absent is None:
        return None, None
    by = turn.person.id
    office.add_leave(
        session,
        staff_id,
        *span,
        by_staff_id=by,
        now=now,
        acting_staff_id=acting_id,
        chosen_by_director=acting_id is not None,  # only the director gets this far
    )
    deputy = people.by_id(session, acting_id) if acting_id else None
    if deputy is not None:  # the acting officer and any other director are told
        data = Span(*span).as_data()
        notices.made(session, Change.ACTING, deputy.id, by_staff_id=by, now=now, data=data)
    return absent, deputy
