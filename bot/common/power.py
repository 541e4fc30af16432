"""Changes of power in the chat (issue 11): the words of every notice, the director's
"confirm" / "do not approve" buttons on a proposal, and the answers to a refused attempt.

Button data is ``pw:y:<proposal>`` or ``pw:n:<proposal>``; at every press the presser must hold
the director role then, and the proposal must still be pending and in time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.common import menus
from bot.common.callbacks import ChoiceNumbered, choices
from bot.common.i18n import Translate, format_date, format_datetime, translator
from bot.common.kit import Turn, button
from bot.common.render import Keyboard, Rendered
from jobs import power as notices
from storage import complaints, people, power
from storage.models import PowerProposal, ProposalState, Role
from storage.power import Change, Gate

DECIDE = ChoiceNumbered("pw:", choices("y", "n"))  # the director: y(es) / n(o), proposal


# -- the notices ---------------------------------------------------------------------------


def _heading(event: str, _: Translate) -> str:
    return {
        "proposed": _("Subject: a change of role awaiting the director's approval"),
        "made": _("Subject: a change of role has been made"),
        "confirmed": _("Subject: the director approved a change of role"),
        "declined": _("Subject: the director did not approve a change of role"),
        "expired": _("Subject: a proposed change of role has expired"),
        "refused": _("Subject: an attempt to change a role was refused"),
    }.get(event, _("Subject: a change of role has been made"))


def change_line(change: str, params: dict[str, Any], language: str) -> str:
    """What the change is, with the person's name (and an acting officer's dates)."""
    _ = translator(language)
    name = str(params.get("subject") or "-")
    if change == Change.ACTING.value:
        return _("Change: {name} as acting officer from {start} to {end}").format(
            name=name,
            start=_day(params, "starts_on", language),
            end=_day(params, "ends_on", language),
        )
    text = {
        Change.DIRECTOR_GRANT.value: _("Change: give the director role to {name}"),
        Change.DIRECTOR_REVOKE.value: _("Change: take the director role away from {name}"),
        Change.DIRECTOR_DEACTIVATE.value: _(
            "Change: deactivate {name}, who holds the director role"
        ),
        Change.DIRECTOR_REACTIVATE.value: _(
            "Change: reactivate {name}, who holds the director role"
        ),
        Change.HANDLER_NAMED.value: _("Change: name {name} a complaint handler"),
        Change.HANDLER_REMOVED.value: _("Change: {name} is no longer a complaint handler"),
        Change.WEB_OFFICER_GRANT.value: _(
            "Change: {name} keeps the website and social page (the publication queue)"
        ),
        Change.WEB_OFFICER_REVOKE.value: _(
            "Change: {name} no longer keeps the website and social page (the publication queue)"
        ),
    }.get(change, _("Change: give the director role to {name}"))
    return text.format(name=name)


def _day(params: dict[str, Any], key: str, language: str) -> str:
    value = params.get(key)
    return format_date(date.fromisoformat(str(value)), language) if value else "-"


def _when(value: Any, language: str, zone: ZoneInfo) -> str:
    return format_datetime(datetime.fromisoformat(str(value)).astimezone(zone), language)


def reason_text(reason: str, _: Translate) -> str:
    return {
        Gate.SELF.value: _("nobody may name themselves: only the director may"),
        Gate.DIRECTOR_ONLY.value: _("only the director may make this change"),
        Gate.LAST_DIRECTOR.value: _("the office would be left without a director"),
        Gate.NO_DIRECTOR.value: _("there is no director to confirm it"),
    }.get(reason, _("only the director may make this change"))


def _render(params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """A notice to a director or to the person changed (to the proposer too, after)."""
    _ = translator(language)
    event = str(params.get("event"))
    who, when = params.get("asked_by") or "-", _when(params["asked_at"], language, zone)
    asked = (
        _("Made by {name} on {when}") if event == "made" else _("Asked by {name} on {when}")
    ).format(name=who, when=when)
    lines = [
        _heading(event, _),
        "",
        change_line(str(params.get("change")), params, language),
        asked,
    ]
    if params.get("decided_by"):
        lines.append(_("Decided by {name}").format(name=params["decided_by"]))
    if event == "refused":
        reason = reason_text(str(params.get("reason")), _)
        lines.append(_("Reason: {reason}").format(reason=reason))
        lines += ["", _("Nothing was changed.")]
    lines += _closing(event, params, language, zone, _)
    return Rendered("\n".join(lines), _buttons(params, _))


def _closing(
    event: str, params: dict[str, Any], language: str, zone: ZoneInfo, _: Translate
) -> list[str]:
    by = _when(params["expires_at"], language, zone) if params.get("expires_at") else "-"
    if event == "proposed" and params.get("decide"):
        return [
            "",
            _(
                'If you approve, press "Confirm" by {when}; otherwise nothing changes. '
                "Only a director may decide."
            ).format(when=by),
        ]
    closing = {
        "proposed": _("Nothing changes until the director confirms it (by {when}).").format(
            when=by
        ),
        "expired": _("The director did not confirm it in time: nothing was changed."),
        "declined": _("Nothing was changed."),
        "confirmed": _("The change takes effect now."),
    }.get(event)
    return ["", closing] if closing else []


def _buttons(params: dict[str, Any], _: Translate) -> Keyboard:
    if not params.get("decide") or params.get("event") != "proposed":
        return []
    number = int(params.get("proposal_id") or 0)
    return [[(_("Confirm"), DECIDE("y", number)), (_("Do not approve"), DECIDE("n", number))]]


POWER_TEMPLATES: dict[str, Callable[[dict[str, Any], str, ZoneInfo], Rendered]] = {
    notices.TEMPLATE: _render,
}


# -- answers to the person who asked --------------------------------------------------------


def refusal(gate: Gate, _: Translate) -> str:
    """The polite answer to a refused change of power."""
    if gate is Gate.NO_DIRECTOR:
        return _(
            "Sorry, there is no director to confirm this change: the first director registers "
            "with an invite made on the server (staff-report-bot invite --role director). "
            "Nothing was changed."
        )
    if gate is Gate.LAST_DIRECTOR:
        return _(
            "Sorry, this would leave the office without a director: first give the director "
            "role to the successor (the director confirms it). Nothing was changed."
        )
    if gate is Gate.SELF:
        return _(
            "Sorry, you cannot name yourself: only the director may. Nothing was changed, "
            "and the director has been told."
        )
    return _(
        "Sorry, only the director may make this change. Nothing was changed, and the director "
        "has been told."
    )


def proposal_answer(found: PowerProposal, new: bool, language: str, zone: ZoneInfo) -> str:
    """To the admin or coordinator who proposed: it waits for the director."""
    _ = translator(language)
    when = format_datetime(found.expires_at.astimezone(zone), language)
    if not new:
        return _(
            "This change is already waiting for the director's confirmation (until {when}). "
            "Nothing was changed."
        ).format(when=when)
    return _(
        "Proposed. It takes effect only when the director confirms it, by {when}; the "
        "director has been told."
    ).format(when=when)


# -- the director's buttons -----------------------------------------------------------------


@button(DECIDE)
async def decide_button(turn: Turn, decision: tuple[str, int]) -> None:
    """A director confirms a proposal (it takes effect) or does not approve it; a press by
    anyone else, or after the proposal expired, changes nothing."""
    choice, proposal_id = decision
    person, now = turn.person, turn.now()

    def decide(session: Session) -> tuple[PowerProposal | None, str, people.Person | None, bool]:
        found = power.proposal(session, proposal_id)
        outcome = _decide(session, found, choice == "y", person, now)
        subject = people.by_id(session, found.subject_staff_id) if found else None
        handler = complaints.is_handler(session, subject.id) if subject else False
        return found, outcome, subject, handler

    found, outcome, subject, handler = await turn.run(decide)
    turn.app.wake()
    if outcome == ProposalState.CONFIRMED.value and subject is not None:
        await menus.set_for(turn.context.bot, subject, turn.settings, complaint_handler=handler)
    await turn.answer(_decision_text(outcome, found, person.language))


def _decide(
    session: Session,
    found: PowerProposal | None,
    confirm: bool,
    director: people.Person,
    now: datetime,
) -> str:
    """1. Not a proposal, or no longer pending: nothing.
    2. Not a director now: refused, audited, the directors told.
    3. Out of time: it expires (the tick may not have come yet), and everyone is told.
    4. Otherwise confirmed (checked again, then made) or not approved, and everyone is told.
    """
    if found is None:
        return "invalid"
    if Role.DIRECTOR not in director.roles:
        notices.refused(
            session,
            Change(found.kind),
            found.subject_staff_id,
            by_staff_id=director.id,
            reason=Gate.DIRECTOR_ONLY.value,
            now=now,
            data={"proposal": found.id},
        )
        return Gate.DIRECTOR_ONLY.value
    if found.state == ProposalState.EXPIRED.value:
        return found.state
    if found.state != ProposalState.PENDING.value:
        return "decided"
    if found.expires_at <= now:
        if power.settle(session, found, ProposalState.EXPIRED, now=now):
            notices.tell(session, notices.about(found, "expired"), now=now)
        return ProposalState.EXPIRED.value
    gate = power.check(session, found) if confirm else Gate.ALLOW
    if gate is not Gate.ALLOW:
        return gate.value
    state = ProposalState.CONFIRMED if confirm else ProposalState.DECLINED
    if not power.settle(session, found, state, now=now, by_staff_id=director.id):
        return "invalid"
    if confirm:
        power.apply(session, found, director=director, now=now)
    event = notices.about(found, state.value, decided_by_id=director.id, skip=director.id)
    notices.tell(session, event, now=now)
    return state.value


def _decision_text(outcome: str, found: PowerProposal | None, language: str) -> str:
    _ = translator(language)
    if outcome in {gate.value for gate in power.REFUSALS}:
        return refusal(Gate(outcome), _)
    if outcome == Gate.GONE.value:
        return _("The person concerned is no longer active. Nothing was changed.")
    texts = {
        ProposalState.CONFIRMED.value: _(
            "Confirmed. The change takes effect now; those concerned are told."
        ),
        ProposalState.DECLINED.value: _(
            "Not approved. Nothing was changed; those concerned are told."
        ),
        ProposalState.EXPIRED.value: _(
            "This proposal expired before it was confirmed. Nothing was changed."
        ),
    }
    if outcome == "decided":
        return _("This proposal was already decided. Nothing was changed.")
    if found is None or outcome not in texts:
        return _("This button is no longer valid. Please type the command again.")
    return texts[outcome]
