"""The roster (/staff) and an admin's changes to a person (/person), with buttons.

Button data is ``p:<staff id>:<action>[:<argument>]``: ids only (Telegram allows 64 bytes),
and every press is checked again against the presser's roles at the moment it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.common import menus
from bot.common.access import answer, requires
from bot.common.i18n import Translate, translator
from bot.common.power import proposal_answer, refusal
from bot.common.roles import ROLE_ORDER, role_list, role_name
from bot.common.services import Services, services
from bot.common.texts import group_name, group_names, parse_number
from jobs import power as notices
from storage import complaints, groups, people, power
from storage.models import Role, WorkGroup
from storage.power import Change, Gate

PERSON_CALLBACK = "p:"
_ACTIONS = ("card", "mv", "rl", "off", "on")


@requires(Role.COORDINATOR, Role.ADMIN)
async def staff_list(
    update: Update, context: ContextTypes.DEFAULT_TYPE, viewer: people.Person
) -> None:
    """/staff: everyone by work group, flagging who cannot be reached."""
    _ = translator(viewer.language)
    include_inactive = Role.ADMIN in viewer.roles

    def load(session: Session) -> tuple[list[people.Person], Sequence[WorkGroup]]:
        roster = people.roster(session, include_inactive=include_inactive)
        return roster, groups.active_groups(session)

    roster, work_groups = await services(context).db.run(load)
    lines = [_("Staff by work group ({count} people)").format(count=len(roster))]
    for group in work_groups:
        members = [p for p in roster if group in p.groups and p.staff.active]
        lines += ["", f"{group_name(group, viewer.language)} ({len(members)})"]
        lines += [_person_line(p, _) for p in members] or [_("  (nobody registered yet)")]
    for title, chosen in _other_sections(roster, _):
        lines += ["", title, *[_person_line(p, _) for p in chosen]]
    if Role.ADMIN in viewer.roles:
        lines += ["", _("To change a person's group or roles, type /person and their number.")]
    await answer(update, "\n".join(lines))


def _other_sections(
    roster: list[people.Person], _: Translate
) -> list[tuple[str, list[people.Person]]]:
    groupless = [p for p in roster if not p.groups and p.staff.active]
    inactive = [p for p in roster if not p.staff.active]
    sections = [(_("Without a work group"), groupless), (_("Deactivated"), inactive)]
    return [(title, chosen) for title, chosen in sections if chosen]


def _person_line(person: people.Person, _: Translate) -> str:
    line = f"• #{person.id} {person.name} — {role_list(person.roles, _)}"
    if not person.staff.reachable:
        line += " — " + _("cannot be reached (has blocked the bot or left Telegram)")
    return line


@requires(Role.ADMIN)
async def person_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, admin: people.Person
) -> None:
    """/person <number>: one person's card with buttons to change them."""
    _ = translator(admin.language)
    number = parse_number(context.args[0] if context.args else None)
    if number is None:
        await answer(
            update,
            _("Please type /person followed by the person's number from /staff, e.g. /person 12"),
        )
        return
    await _show_card(update, context, admin, number)


async def _show_card(
    update: Update, context: ContextTypes.DEFAULT_TYPE, admin: people.Person, staff_id: int
) -> None:
    _ = translator(admin.language)
    person = await services(context).db.run(lambda s: people.by_id(s, staff_id))
    if person is None:
        await answer(
            update, _("There is no person number {number}. See /staff.").format(number=staff_id)
        )
        return
    state = _("active") if person.staff.active else _("deactivated")
    text = _("#{number} {name}\nWork group: {groups}\nRoles: {roles}\nStatus: {state}").format(
        number=person.id,
        name=person.name,
        groups=group_names(person.groups, admin.language) or "-",
        roles=role_list(person.roles, _),
        state=state,
    )
    toggle = ("off", _("Deactivate")) if person.staff.active else ("on", _("Reactivate"))
    keyboard = InlineKeyboardMarkup(
        [
            [_button(_("Move to another group"), person.id, "mv")],
            [_button(_("Change roles"), person.id, "rl")],
            [_button(toggle[1], person.id, toggle[0])],
        ]
    )
    await answer(update, text, reply_markup=keyboard)


def _button(label: str, staff_id: int, action: str, argument: str = "") -> InlineKeyboardButton:
    data = f"{PERSON_CALLBACK}{staff_id}:{action}" + (f":{argument}" if argument else "")
    return InlineKeyboardButton(label, callback_data=data)


def parse_person_callback(data: str) -> tuple[int, str, str] | None:
    """``p:12:mv:admin`` → (12, "mv", "admin"); anything malformed → None."""
    parts = data.removeprefix(PERSON_CALLBACK).split(":")
    if not data.startswith(PERSON_CALLBACK) or len(parts) not in (2, 3):
        return None
    staff_id = parse_number(parts[0])
    if staff_id is None or parts[1] not in _ACTIONS:
        return None
    return staff_id, parts[1], parts[2] if len(parts) == 3 else ""


@requires(Role.ADMIN)
async def person_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, admin: people.Person
) -> None:
    """A press on a /person card button: show choices, or make the change."""
    query = update.callback_query
    parsed = parse_person_callback(query.data or "") if query else None
    _ = translator(admin.language)
    if parsed is None:
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    staff_id, action, argument = parsed
    if action == "card":
        await _show_card(update, context, admin, staff_id)
    elif not argument and action in ("mv", "rl"):
        await _show_choices(update, context, admin, staff_id, action)
    else:
        await _apply(update, context, admin, (staff_id, action, argument))


async def _show_choices(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    admin: people.Person,
    staff_id: int,
    action: str,
) -> None:
    _ = translator(admin.language)

    def load(session: Session) -> tuple[people.Person | None, Sequence[WorkGroup]]:
        return people.by_id(session, staff_id), groups.active_groups(session)

    person, work_groups = await services(context).db.run(load)
    if person is None:
        await answer(
            update, _("There is no person number {number}. See /staff.").format(number=staff_id)
        )
        return
    if action == "mv":
        rows = [
            [_button(group_name(g, admin.language), staff_id, "mv", g.key)] for g in work_groups
        ]
        prompt = _("Move {name} to which work group?")
    else:
        rows = [
            [
                _button(
                    ("✅ " if r in person.roles else "▫️ ") + role_name(r, _),
                    staff_id,
                    "rl",
                    r.value,
                )
            ]
            for r in ROLE_ORDER
        ]
        prompt = _("Tap a role to give it to {name} or take it away:")
    rows.append([_button(_("Back"), staff_id, "card")])
    await answer(update, prompt.format(name=person.name), reply_markup=InlineKeyboardMarkup(rows))


_Applied = tuple[Gate, people.ChangeOutcome, people.Person | None, str, bool]
"""What an admin's change did: the gate, the outcome, the person after, the answer, and
whether they handle complaints (for their menu)."""


async def _apply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    admin: people.Person,
    change: tuple[int, str, str],
) -> None:
    staff_id, action, argument = change
    app, _ = services(context), translator(admin.language)
    actor = people.Actor(label=f"staff:{admin.id}", staff_id=admin.id)
    now = app.clock()

    def make(session: Session) -> _Applied:
        outcome, updated = people.ChangeOutcome.UNCHANGED, None
        person = people.by_id(session, staff_id)
        gate, power_change = _gate(session, admin, person, action, argument)
        if gate is not Gate.ALLOW and power_change is not None:
            text = _ask_the_director(session, app, admin, staff_id, gate, power_change, now)
        else:
            outcome = _change(session, person, action, argument, actor, now)
            if outcome is people.ChangeOutcome.DONE and power_change is not None:
                notices.made(session, power_change, staff_id, by_staff_id=admin.id, now=now)
            updated = people.by_id(session, staff_id)
            text = _outcome_text(outcome, updated, admin.language)
        return gate, outcome, updated, text, complaints.is_handler(session, staff_id)

    gate, outcome, updated, text, handler = await app.db.run(make)
    app.wake()
    await answer(update, text)
    if gate is Gate.ALLOW and outcome is people.ChangeOutcome.DONE and updated is not None:
        await menus.set_for(context.bot, updated, complaint_handler=handler)


def _gate(
    session: Session, admin: people.Person, person: people.Person | None, action: str, argument: str
) -> tuple[Gate, Change | None]:
    """Whether the change touches the director's power, and who may make it (storage.power)."""
    if person is None:
        return Gate.ALLOW, None
    if action == "rl" and argument == Role.DIRECTOR.value:
        held = Role.DIRECTOR not in person.roles
        change = Change.DIRECTOR_GRANT if held else Change.DIRECTOR_REVOKE
        return power.role_gate(session, admin, person, Role.DIRECTOR, held), change
    if action in ("off", "on") and Role.DIRECTOR in person.roles:
        change = Change.DIRECTOR_REACTIVATE if action == "on" else Change.DIRECTOR_DEACTIVATE
        return power.activity_gate(session, admin, person, action == "on"), change
    return Gate.ALLOW, None


def _ask_the_director(
    session: Session,
    app: Services,
    admin: people.Person,
    staff_id: int,
    gate: Gate,
    change: Change,
    now: datetime,
) -> str:
    """An admin's change of the director role is a proposal the director confirms; one that
    is not allowed at all is refused. Either way the directors are told."""
    _ = translator(admin.language)
    if gate is Gate.PROPOSE:
        lifetime = timedelta(hours=app.settings.director.proposal_hours)
        found, new = notices.proposed(
            session, change, staff_id, by_staff_id=admin.id, now=now, lifetime=lifetime
        )
        return proposal_answer(found, new, admin.language, app.settings.office.zone)
    notices.refused(session, change, staff_id, by_staff_id=admin.id, reason=gate.value, now=now)
    return refusal(gate, _)


def _change(
    session: Session,
    person: people.Person | None,
    action: str,
    argument: str,
    actor: people.Actor,
    now: datetime,
) -> people.ChangeOutcome:
    if person is None:
        return people.ChangeOutcome.NOT_FOUND
    if action == "mv":
        return people.move_to_group(session, person.id, argument, actor=actor, now=now)
    if action == "rl":
        if argument not in {role.value for role in Role}:
            return people.ChangeOutcome.NOT_FOUND
        role = Role(argument)
        return people.set_role(
            session, person.id, role, role not in person.roles, actor=actor, now=now
        )
    if action in ("off", "on"):
        return people.set_active(session, person.id, action == "on", actor=actor, now=now)
    return people.ChangeOutcome.NOT_FOUND


def _outcome_text(
    outcome: people.ChangeOutcome, person: people.Person | None, language: str
) -> str:
    _ = translator(language)
    if outcome is people.ChangeOutcome.LAST_ADMIN:
        return _(
            "This is the last active system administrator: give the role to someone else "
            "first. Nothing has been changed."
        )
    if outcome in (people.ChangeOutcome.NOT_FOUND, people.ChangeOutcome.UNKNOWN_GROUP) or (
        person is None
    ):
        return _("This button is no longer valid. Please type the command again.")
    if outcome is people.ChangeOutcome.UNCHANGED:
        return _("Nothing to change: {name} is already like that.").format(name=person.name)
    state = _("active") if person.staff.active else _("deactivated")
    return _("Saved. {name}: {groups}; {roles}; {state}.").format(
        name=person.name,
        groups=group_names(person.groups, language) or "-",
        roles=role_list(person.roles, _),
        state=state,
    )
