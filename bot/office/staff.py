"""The roster (/staff) and an admin's changes to a person (/person), with buttons.

Button data is ``p:<staff id>:<action>[:<argument>]``: ids only (Telegram allows 64 bytes),
and every press is checked again against the presser's roles at the moment it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.common import menus
from bot.common.callbacks import Words, number
from bot.common.i18n import Translate
from bot.common.kit import Turn, button, command
from bot.common.power import proposal_answer, refusal
from bot.common.render import Keyboard
from bot.common.roles import ROLE_ORDER, role_list, role_name
from bot.common.texts import group_name, group_names, parse_number
from bot.runtime.sender import markup
from jobs import power as notices
from storage import complaints, groups, people, power
from storage.models import Role, WorkGroup
from storage.power import Change, Gate

PERSON = Words("p:", least=2, most=3)  # p:<staff id>:<action>[:<group key or role>]
_ACTIONS = ("card", "mv", "rl", "off", "on")


async def no_such_person(turn: Turn, staff_id: int) -> None:
    await turn.answer(
        turn._("There is no person number {number}. See /staff.").format(number=staff_id)
    )


@dataclass(frozen=True)
class Attempt:
    """A change of power its gate (``storage.power``) did not allow outright."""

    gate: Gate
    change: Change
    subject_id: int
    data: dict[str, Any] | None = None  # what a proposal carries (an acting officer's dates)
    told: dict[str, Any] | None = None  # what a refusal records


def ask_the_director(session: Session, turn: Turn, attempt: Attempt, now: datetime) -> str:
    """A change of the director's power is a proposal the director confirms; one that is
    not allowed at all is refused. Either way the directors are told; the answer is returned."""
    by, change, subject, gate = turn.person.id, attempt.change, attempt.subject_id, attempt.gate
    if gate is Gate.PROPOSE:
        lifetime = timedelta(hours=turn.settings.director.proposal_hours)
        found, new = notices.proposed(
            session, change, subject, by_staff_id=by, now=now, lifetime=lifetime, data=attempt.data
        )
        return proposal_answer(found, new, turn.language, turn.zone)
    notices.refused(
        session, change, subject, by_staff_id=by, now=now, reason=gate.value, data=attempt.told
    )
    return refusal(gate, turn._)


@command(Role.COORDINATOR, Role.ADMIN)
async def staff_list(turn: Turn) -> None:
    """/staff: everyone by work group, flagging who cannot be reached."""
    admin = Role.ADMIN in turn.person.roles

    def load(session: Session) -> tuple[list[people.Person], Sequence[WorkGroup]]:
        roster = people.roster(session, include_inactive=admin)
        return roster, groups.active_groups(session)

    roster, work_groups = await turn.run(load)
    lines = _roster_lines(roster, work_groups, turn)
    if admin:
        lines += ["", turn._("To change a person's group or roles, type /person and their number.")]
    await turn.answer("\n".join(lines))


def _roster_lines(
    roster: list[people.Person], work_groups: Sequence[WorkGroup], turn: Turn
) -> list[str]:
    _ = turn._
    lines = [_("Staff by work group ({count} people)").format(count=len(roster))]
    for group in work_groups:
        members = [p for p in roster if group in p.groups and p.staff.active]
        lines += ["", f"{group_name(group, turn.language)} ({len(members)})"]
        lines += [_person_line(p, _) for p in members] or [_("  (nobody registered yet)")]
    for title, chosen in _other_sections(roster, _):
        lines += ["", title, *[_person_line(p, _) for p in chosen]]
    return lines


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


@command(Role.ADMIN)
async def person_command(turn: Turn) -> None:
    """/person <number>: one person's card with buttons to change them."""
    staff_id = parse_number(turn.context.args[0] if turn.context.args else None)
    if staff_id is None:
        await turn.answer(
            turn._(
                "Please type /person followed by the person's number from /staff, e.g. /person 12"
            )
        )
        return
    await _show_card(turn, staff_id)


async def _show_card(turn: Turn, staff_id: int) -> None:
    person = await turn.run(lambda s: people.by_id(s, staff_id))
    if person is None:
        await no_such_person(turn, staff_id)
        return
    await turn.answer(_card_text(person, turn), reply_markup=markup(_card_keyboard(person, turn._)))


def _card_text(person: people.Person, turn: Turn) -> str:
    _ = turn._
    return _("#{number} {name}\nWork group: {groups}\nRoles: {roles}\nStatus: {state}").format(
        number=person.id,
        name=person.name,
        groups=group_names(person.groups, turn.language) or "-",
        roles=role_list(person.roles, _),
        state=_state(person, _),
    )


def _state(person: people.Person, _: Translate) -> str:
    return _("active") if person.staff.active else _("deactivated")


def _card_keyboard(person: people.Person, _: Translate) -> Keyboard:
    toggle = ("off", _("Deactivate")) if person.staff.active else ("on", _("Reactivate"))
    return [
        [(_("Move to another group"), PERSON(person.id, "mv"))],
        [(_("Change roles"), PERSON(person.id, "rl"))],
        [(toggle[1], PERSON(person.id, toggle[0]))],
    ]


@button(PERSON, Role.ADMIN)
async def person_button(turn: Turn, parts: tuple[str, ...]) -> None:
    """A press on a /person card button: show choices, or make the change."""
    staff_id, action = number(parts[0]), parts[1]
    argument = parts[2] if len(parts) == 3 else ""
    if staff_id is None or action not in _ACTIONS:  # answered in the chat, as a change would be
        await turn.answer(_outcome_text(people.ChangeOutcome.NOT_FOUND, None, turn))
    elif action == "card":
        await _show_card(turn, staff_id)
    elif not argument and action in ("mv", "rl"):
        await _show_choices(turn, staff_id, action)
    else:
        await _apply(turn, (staff_id, action, argument))


async def _show_choices(turn: Turn, staff_id: int, action: str) -> None:
    def load(session: Session) -> tuple[people.Person | None, Sequence[WorkGroup]]:
        return people.by_id(session, staff_id), groups.active_groups(session)

    person, work_groups = await turn.run(load)
    if person is None:
        await no_such_person(turn, staff_id)
        return
    if action == "mv":
        rows = _group_choices(staff_id, work_groups, turn.language)
        prompt = turn._("Move {name} to which work group?")
    else:
        rows = _role_choices(person, turn._)
        prompt = turn._("Tap a role to give it to {name} or take it away:")
    rows.append([(turn._("Back"), PERSON(staff_id, "card"))])
    await turn.answer(prompt.format(name=person.name), reply_markup=markup(rows))


def _group_choices(staff_id: int, work_groups: Sequence[WorkGroup], language: str) -> Keyboard:
    return [[(group_name(g, language), PERSON(staff_id, "mv", g.key))] for g in work_groups]


def _role_choices(person: people.Person, _: Translate) -> Keyboard:
    return [
        [
            (
                ("✅ " if r in person.roles else "▫️ ") + role_name(r, _),
                PERSON(person.id, "rl", r.value),
            )
        ]
        for r in ROLE_ORDER
    ]


_Applied = tuple[Gate, people.ChangeOutcome, people.Person | None, str, bool]
"""What an admin's change did: the gate, the outcome, the person after, the answer, and
whether they handle complaints (for their menu)."""


async def _apply(turn: Turn, change: tuple[int, str, str]) -> None:
    now = turn.now()
    gate, outcome, updated, text, handler = await turn.run(lambda s: _make(s, turn, change, now))
    turn.app.wake()
    await turn.answer(text)
    if gate is Gate.ALLOW and outcome is people.ChangeOutcome.DONE and updated is not None:
        await menus.set_for(turn.context.bot, updated, turn.settings, complaint_handler=handler)


def _make(session: Session, turn: Turn, change: tuple[int, str, str], now: datetime) -> _Applied:
    """The change, or (touching the director's power) the proposal or refusal: one commit."""
    staff_id, action, argument = change
    admin = turn.person
    person = people.by_id(session, staff_id)
    gate, power_change = _gate(session, admin, person, action, argument)
    if gate is not Gate.ALLOW and power_change is not None:
        text = ask_the_director(session, turn, Attempt(gate, power_change, staff_id), now)
        return gate, people.ChangeOutcome.UNCHANGED, None, text, False
    actor = people.Actor(label=f"staff:{admin.id}", staff_id=admin.id)
    outcome = _change(session, person, action, argument, actor, now)
    if outcome is people.ChangeOutcome.DONE and power_change is not None:
        notices.made(session, power_change, staff_id, by_staff_id=admin.id, now=now)
    updated = people.by_id(session, staff_id)
    text = _outcome_text(outcome, updated, turn)
    return gate, outcome, updated, text, complaints.is_handler(session, staff_id)


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
    if action == "rl" and argument == Role.WEB_OFFICER.value:  # the queue's: told, not asked
        held = Role.WEB_OFFICER not in person.roles
        return Gate.ALLOW, Change.WEB_OFFICER_GRANT if held else Change.WEB_OFFICER_REVOKE
    if action in ("off", "on") and Role.DIRECTOR in person.roles:
        change = Change.DIRECTOR_REACTIVATE if action == "on" else Change.DIRECTOR_DEACTIVATE
        return power.activity_gate(session, admin, person, action == "on"), change
    return Gate.ALLOW, None


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


def _outcome_text(outcome: people.ChangeOutcome, person: people.Person | None, turn: Turn) -> str:
    _ = turn._
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
    return _("Saved. {name}: {groups}; {roles}; {state}.").format(
        name=person.name,
        groups=group_names(person.groups, turn.language) or "-",
        roles=role_list(person.roles, _),
        state=_state(person, _),
    )
