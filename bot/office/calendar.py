"""The coordinator adjusts the office's calendar from chat; leave and acting officers.

Every calendar change is validated, shown as a preview, and takes effect only when confirmed
with a button; then the engine re-plans at its next tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot.common import questions
from bot.common.access import answer, registered, requires
from bot.common.i18n import Translate, format_date, format_month, parse_date, translator
from bot.common.power import proposal_answer, refusal
from bot.common.render import Keyboard
from bot.common.services import Services, services
from bot.common.texts import clean_text, parse_number
from bot.runtime.sender import markup
from jobs import power as notices
from storage import office, people, power, schedule
from storage.models import Role, Staff
from storage.power import Change, Gate, Span
from storage.schedule import ObligationSpec

CONFIRM_CALLBACK = "cf:"
MAX_TITLE = 300
MAX_REASON = 200


def _confirm_keyboard(_: Translate) -> Keyboard:
    return [[(_("Confirm"), f"{CONFIRM_CALLBACK}yes"), (_("Cancel"), f"{CONFIRM_CALLBACK}no")]]


async def _propose(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    change: dict[str, Any],
    preview: str,
) -> None:
    await questions.ask(services(context), person, questions.CALENDAR_CHANGE, change)
    _ = translator(person.language)
    await answer(
        update,
        preview + "\n\n" + _("Press Confirm to apply it."),
        reply_markup=markup(_confirm_keyboard(_)),
    )


def _today(app: Services) -> date:
    return app.clock().astimezone(app.settings.office.zone).date()


@requires(Role.COORDINATOR, Role.ADMIN)
async def close_day(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/closeday <date> <reason>: the office is closed that day (a late-announced holiday)."""
    app, _ = services(context), translator(person.language)
    args = context.args or []
    day = parse_date(args[0]) if args else None
    reason = clean_text(" ".join(args[1:]), MAX_REASON)
    if day is None or not reason or day < _today(app):
        await answer(
            update,
            _(
                "Please type /closeday, a date from today on and the reason, e.g. "
                "/closeday 2/1/2570 special holiday by cabinet resolution"
            ),
        )
        return
    preview = _(
        "The office will be closed on {date} ({reason}). Reminders that would fall on "
        "that day move to the nearest working day."
    ).format(date=format_date(day, person.language, "weekday"), reason=reason)
    await _propose(
        update,
        context,
        person,
        {"kind": "closeday", "day": day.isoformat(), "reason": reason},
        preview,
    )


@requires(Role.COORDINATOR, Role.ADMIN)
async def move_meeting(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/meeting <date>: this (or that) month's staff meeting is on another day."""
    app, _ = services(context), translator(person.language)
    day = parse_date((context.args or [""])[0])
    if day is None or day < _today(app):
        await answer(
            update,
            _(
                "Please type /meeting and the new date of that month's staff "
                "meeting, from today on, e.g. /meeting 20/1/2570"
            ),
        )
        return
    preview = _(
        "The staff meeting of {month} moves to {date}. Reports due at that meeting follow it."
    ).format(
        month=format_month(day, person.language),
        date=format_date(day, person.language, "weekday"),
    )
    await _propose(update, context, person, {"kind": "meeting", "day": day.isoformat()}, preview)


@requires(Role.COORDINATOR, Role.ADMIN)
async def one_off(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/oneoff <group|all> <due date> <title>: a report owed once, by each member."""
    app, _ = services(context), translator(person.language)
    args = context.args or []
    day = parse_date(args[1]) if len(args) > 1 else None
    title = clean_text(" ".join(args[2:]), MAX_TITLE)
    keys = [g.key for g in app.settings.groups]
    owner = args[0] if args else ""
    if owner not in [*keys, "all"] or day is None or day < _today(app) or not title:
        await answer(
            update,
            _(
                "Please type /oneoff, a work group ({groups}) or all, the due "
                "date and the title, e.g. /oneoff admin 20/1/2570 "
                "equipment survey report"
            ).format(groups=", ".join(keys)),
        )
        return
    owners = keys if owner == "all" else [owner]
    names = ", ".join(app.settings.group(k).name_th for k in owners)
    preview = _(
        'A new report "{title}", due by {date}, owed by each member of {groups}. '
        "Reminders follow the plan's ladder."
    ).format(title=title, date=format_date(day, person.language), groups=names)
    await _propose(
        update,
        context,
        person,
        {"kind": "oneoff", "day": day.isoformat(), "title": title, "owners": owners},
        preview,
    )


@registered
async def confirm_change(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """Confirm or cancel the change just previewed."""
    query, app, _ = update.callback_query, services(context), translator(person.language)
    change = await questions.take(app, person, questions.CALENDAR_CHANGE)
    if query is None or query.data != f"{CONFIRM_CALLBACK}yes" or change is None:
        await answer(update, _("Cancelled. Nothing was changed."))
        return
    if not person.has_any(Role.COORDINATOR, Role.ADMIN):
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    now = app.clock()

    def apply(session: Session) -> bool:
        done = _apply(session, change, person, now)
        if done:
            schedule.wake_all_open(session, now)
        return done

    done = await app.db.run(apply)
    app.wake(materialise=True)
    await answer(
        update,
        _("Done. The change takes effect now.")
        if done
        else _("Nothing to change: it was already so."),
    )


def _apply(session: Session, change: dict[str, Any], person: people.Person, now: datetime) -> bool:
    day = date.fromisoformat(change["day"])
    if change["kind"] == "closeday":
        return office.add_closed_day(session, day, change["reason"], by_staff_id=person.id, now=now)
    if change["kind"] == "meeting":
        office.move_meeting(session, f"{day:%Y-%m}", day, by_staff_id=person.id, now=now)
        return True
    spec = ObligationSpec(
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
    return schedule.add_one_off(session, spec, by_staff_id=person.id, now=now) is not None


@registered
async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> None:
    """/leave <from> <to>: one's own leave; the coordinator may add a number first."""
    app, _ = services(context), translator(person.language)
    args = list(context.args or [])
    staff_id = person.id
    if len(args) == 3 and parse_number(args[0]) is not None:
        if not person.has_any(Role.COORDINATOR, Role.ADMIN):
            await answer(update, _("Only the coordinator may record someone else's leave."))
            return
        staff_id = parse_number(args.pop(0)) or 0
    span = _span(args)
    if span is None or span[1] < _today(app):
        await answer(
            update,
            _(
                "Please type /leave and the first and last day of the leave, "
                "e.g. /leave 10/2/2570 14/2/2570"
            ),
        )
        return
    await _record_leave(update, context, person, staff_id, *span, None)


def _span(args: list[str]) -> tuple[date, date] | None:
    """Two dates in order, or None."""
    if len(args) != 2:
        return None
    start, end = parse_date(args[0]), parse_date(args[1])
    if start is None or end is None or start > end:
        return None
    return start, end


@requires(Role.DIRECTOR, Role.COORDINATOR)
async def acting(update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> None:
    """/acting <number> <from> <to>: the director is away; that person acts (ผู้รักษาราชการแทน).

    The director names anyone else directly; the coordinator proposes someone other than
    themselves, and it takes effect when the director confirms it (storage.power).
    """
    app, _ = services(context), translator(person.language)
    args = context.args or []
    span, limit = _span(list(args[1:])), app.settings.director.acting_max_days
    deputy_id = parse_number(args[0] if args else "") or 0

    def load(session: Session) -> tuple[Sequence[Staff], people.Person | None]:
        return people.holders_of(session, Role.DIRECTOR), people.by_id(session, deputy_id)

    directors, deputy = await app.db.run(load)
    absent = person.id if Role.DIRECTOR in person.roles else (directors[0].id if directors else 0)
    if (
        deputy is None
        or not deputy.staff.active
        or deputy.id == absent
        or not directors
        or span is None
        or not _acting_span_allowed(span, _today(app), limit)
    ):
        await answer(
            update,
            _(
                "Please type /acting, the acting officer's number from /staff and the first "
                "and last day, e.g. /acting 7 10/2/2570 14/2/2570 (starting at most {days} "
                "days from today and lasting at most {days} days)"
            ).format(days=limit),
        )
        return
    gate = power.acting_gate(person, deputy.id)
    if gate is Gate.ALLOW:
        await _record_leave(update, context, person, absent or 0, *span, deputy.id)
        return
    await _ask_the_director(
        update, context, person, gate, deputy.id, {"absent": absent, **Span(*span).as_data()}
    )


def _acting_span_allowed(span: tuple[date, date], today: date, limit: int) -> bool:
    """Not over yet, starting at most ``limit`` days ahead, lasting at most ``limit`` days."""
    starts_on, ends_on = span
    return (
        ends_on >= today
        and starts_on <= today + timedelta(days=limit)
        and (ends_on - starts_on).days < limit
    )


async def _ask_the_director(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    gate: Gate,
    deputy_id: int,
    data: dict[str, Any],
) -> None:
    """The coordinator's acting officer: a proposal the director confirms, or (naming
    themselves) refused; the director is told either way."""
    app, _ = services(context), translator(person.language)
    now = app.clock()
    lifetime = timedelta(hours=app.settings.director.proposal_hours)

    def tell(session: Session) -> str:
        if gate is Gate.PROPOSE:
            found, new = notices.proposed(
                session,
                Change.ACTING,
                deputy_id,
                by_staff_id=person.id,
                now=now,
                lifetime=lifetime,
                data=data,
            )
            return proposal_answer(found, new, person.language, app.settings.office.zone)
        dates = {k: data[k] for k in ("starts_on", "ends_on")}
        notices.refused(
            session,
            Change.ACTING,
            deputy_id,
            by_staff_id=person.id,
            reason=gate.value,
            now=now,
            data=dates,
        )
        return refusal(gate, _)

    text = await app.db.run(tell)
    app.wake()
    await answer(update, text)


async def _record_leave(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    staff_id: int,
    starts_on: date,
    ends_on: date,
    acting_id: int | None,
) -> None:
    app, _ = services(context), translator(person.language)
    now = app.clock()

    def record(session: Session) -> tuple[people.Person | None, people.Person | None]:
        absent = people.by_id(session, staff_id)
        if absent is None:
            return None, None
        office.add_leave(
            session,
            staff_id,
            starts_on,
            ends_on,
            by_staff_id=person.id,
            now=now,
            acting_staff_id=acting_id,
            chosen_by_director=acting_id is not None,  # only the director gets this far
        )
        deputy = people.by_id(session, acting_id) if acting_id else None
        if deputy is not None:  # the acting officer and any other director are told
            notices.made(
                session,
                Change.ACTING,
                deputy.id,
                by_staff_id=person.id,
                now=now,
                data=Span(starts_on, ends_on).as_data(),
            )
        return absent, deputy

    absent, deputy = await app.db.run(record)
    if absent is None:
        await answer(
            update, _("There is no person number {number}. See /staff.").format(number=staff_id)
        )
        return
    app.wake()
    text = _(
        "Leave recorded for {name}: {start} – {end}. Reminders wait until the return; due "
        "dates do not change."
    ).format(
        name=absent.name,
        start=format_date(starts_on, person.language),
        end=format_date(ends_on, person.language),
    )
    if deputy is not None:
        text += "\n" + _("Escalations go to the acting officer, {name}, meanwhile.").format(
            name=deputy.name
        )
    await answer(update, text)
