"""Power that protects itself (issue 11): who may change the director role, the acting officer
and the complaint handlers; the proposals a director confirms; who may answer an escalation.

The rules are decided here, once, and every handler asks them at the moment of use: a button
pressed hours after it was sent, or forged, is judged on the roles held when it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from storage import audit, office, people, schedule
from storage.db import execute_bulk
from storage.models import Assignment, PowerProposal, ProposalState, Role, Staff, StaffRole


class Change(StrEnum):
    """A change of power; the first three can be proposals, every one is told."""

    DIRECTOR_GRANT = "director_grant"
    DIRECTOR_REVOKE = "director_revoke"
    ACTING = "acting"
    DIRECTOR_DEACTIVATE = "director_deactivate"
    DIRECTOR_REACTIVATE = "director_reactivate"
    HANDLER_NAMED = "handler_named"
    HANDLER_REMOVED = "handler_removed"
    WEB_OFFICER_GRANT = "web_officer_grant"  # the admin's /person: told, never proposed
    WEB_OFFICER_REVOKE = "web_officer_revoke"


class Gate(StrEnum):
    """What becomes of a change someone asks for."""

    ALLOW = "allow"  # a director asks (or nothing of power is at stake): made at once
    PROPOSE = "propose"  # an admin or the coordinator asks: a director confirms, or nothing
    DIRECTOR_ONLY = "director_only"  # refused: only a director may
    SELF = "self"  # refused: naming oneself
    LAST_DIRECTOR = "last_director"  # refused: the office would have no director left
    NO_DIRECTOR = "no_director"  # refused: nobody could confirm it (the first comes by invite)
    GONE = "gone"  # the person concerned is no longer active


REFUSALS = frozenset({Gate.DIRECTOR_ONLY, Gate.SELF, Gate.LAST_DIRECTOR, Gate.NO_DIRECTOR})


def directors(session: Session) -> Sequence[Staff]:
    """The active holders of the director role: who confirms, and who is told."""
    return people.holders_of(session, Role.DIRECTOR)


def _director_count(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(StaffRole)
        .join(Staff, col(Staff.id) == col(StaffRole.staff_id))
        .where(StaffRole.role == Role.DIRECTOR.value, col(Staff.active))
    )
    return int(session.exec(query).one())


def role_gate(
    session: Session, actor: people.Person, target: people.Person, role: Role, held: bool
) -> Gate:
    """Giving or taking away a role from /person: the director role is the director's.

    Nobody, not even a director, takes away the last active director's role: the office
    would be locked out (a successor is named first, then the role handed over).
    """
    if role is not Role.DIRECTOR:
        return Gate.ALLOW
    if held:
        if Role.DIRECTOR in actor.roles:
            return Gate.ALLOW
        return Gate.PROPOSE if _director_count(session) else Gate.NO_DIRECTOR
    if target.staff.active and _director_count(session) <= 1:
        return Gate.LAST_DIRECTOR
    return Gate.ALLOW if Role.DIRECTOR in actor.roles else Gate.PROPOSE


def activity_gate(
    session: Session, actor: people.Person, target: people.Person, active: bool
) -> Gate:
    """Deactivating or reactivating someone who holds the director role is a director's act."""
    if Role.DIRECTOR not in target.roles or target.staff.active == active:
        return Gate.ALLOW
    if Role.DIRECTOR not in actor.roles:
        return Gate.DIRECTOR_ONLY
    if not active and _director_count(session) <= 1:
        return Gate.LAST_DIRECTOR
    return Gate.ALLOW


def acting_gate(actor: people.Person, deputy_id: int) -> Gate:
    """/acting: the director names anyone; the coordinator proposes someone else."""
    if Role.DIRECTOR in actor.roles:
        return Gate.ALLOW
    return Gate.SELF if deputy_id == actor.id else Gate.PROPOSE


def handler_gate(actor: people.Person) -> Gate:
    """Complaint handlers are named and removed by the director alone (no proposals: who may
    read complaints is the one decision nobody else prepares)."""
    return Gate.ALLOW if Role.DIRECTOR in actor.roles else Gate.DIRECTOR_ONLY


# -- proposals --------------------------------------------------------------------------


def pending_for(session: Session, kind: Change, subject_id: int) -> PowerProposal | None:
    """A proposal of the same change still waiting (none is made twice)."""
    query = select(PowerProposal).where(
        PowerProposal.kind == kind.value,
        PowerProposal.subject_staff_id == subject_id,
        PowerProposal.state == ProposalState.PENDING.value,
    )
    return session.exec(query).first()


def propose(
    session: Session,
    kind: Change,
    subject_id: int,
    *,
    by_staff_id: int,
    now: datetime,
    lifetime: timedelta,
    data: dict[str, Any] | None = None,
) -> PowerProposal:
    """Write the proposal and its audit event; nothing else changes."""
    proposal = PowerProposal(
        kind=kind.value,
        subject_staff_id=subject_id,
        proposed_by_staff_id=by_staff_id,
        data=data or {},
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(proposal)
    session.flush()
    expires = {"expires_at": proposal.expires_at.isoformat()}
    _audit(session, "power.proposed", by_staff_id, proposal, now, expires)
    return proposal


def proposal(session: Session, proposal_id: int) -> PowerProposal | None:
    return session.get(PowerProposal, proposal_id)


def settle(
    session: Session,
    found: PowerProposal,
    state: ProposalState,
    *,
    now: datetime,
    by_staff_id: int | None = None,
) -> bool:
    """Move a pending proposal to ``state`` (a conditional UPDATE: one press, or one tick,
    wins), with its audit event; False when it was no longer pending."""
    result = execute_bulk(
        session,
        update(PowerProposal)
        .where(
            col(PowerProposal.id) == found.id,
            col(PowerProposal.state) == ProposalState.PENDING.value,
        )
        .values(state=state.value, decided_at=now, decided_by_staff_id=by_staff_id),
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    session.refresh(found)
    _audit(session, f"power.{state.value}", by_staff_id, found, now, {})
    return True


def due_expiries(session: Session, *, now: datetime, limit: int) -> Sequence[PowerProposal]:
    """Pending proposals whose time ran out."""
    query = (
        select(PowerProposal)
        .where(
            PowerProposal.state == ProposalState.PENDING.value,
            col(PowerProposal.expires_at) <= now,
        )
        .order_by(col(PowerProposal.expires_at))
        .limit(limit)
    )
    return session.exec(query).all()


def earliest_expiry(session: Session) -> datetime | None:
    query = select(func.min(PowerProposal.expires_at)).where(
        PowerProposal.state == ProposalState.PENDING.value
    )
    found: datetime | None = session.exec(query).one()
    return found


@dataclass(frozen=True, slots=True)
class Span:
    starts_on: date
    ends_on: date

    def as_data(self) -> dict[str, str]:
        return {"starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat()}

    @classmethod
    def of(cls, data: dict[str, Any]) -> Span:
        return cls(date.fromisoformat(data["starts_on"]), date.fromisoformat(data["ends_on"]))


def check(session: Session, found: PowerProposal) -> Gate:
    """Whether a confirmed proposal can still be made (things may have moved since)."""
    subject = people.by_id(session, found.subject_staff_id)
    if subject is None or not subject.staff.active:
        return Gate.GONE
    if found.kind == Change.DIRECTOR_REVOKE.value and _director_count(session) <= 1:
        return Gate.LAST_DIRECTOR
    return Gate.ALLOW


def apply(
    session: Session, found: PowerProposal, *, director: people.Person, now: datetime
) -> None:
    """Make the change a director confirmed (after :func:`check`)."""
    actor = people.Actor(f"staff:{director.id}", director.id)
    subject = found.subject_staff_id
    if found.kind == Change.DIRECTOR_GRANT.value:
        people.set_role(session, subject, Role.DIRECTOR, True, actor=actor, now=now)
    elif found.kind == Change.DIRECTOR_REVOKE.value:
        people.set_role(session, subject, Role.DIRECTOR, False, actor=actor, now=now)
    else:
        span = Span.of(found.data)
        office.add_leave(
            session,
            int(found.data["absent"]),
            span.starts_on,
            span.ends_on,
            by_staff_id=found.proposed_by_staff_id,  # the director confirmed, not chose
            now=now,
            acting_staff_id=subject,
        )


# -- refusals ----------------------------------------------------------------------------


def record_refusal(
    session: Session,
    *,
    actor_staff_id: int,
    attempted: str,
    subject_type: str,
    subject_id: int | None,
    reason: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> int:
    """The audit event of a refused attempt (nothing else is written); its id."""
    return audit.record(
        session,
        at=now,
        **audit.by_staff(actor_staff_id),
        action="power.refused",
        subject_type=subject_type,
        subject_id=subject_id,
        details={"attempted": attempted, "reason": reason, **(details or {})},
    )


def record_change(
    session: Session, *, actor_staff_id: int, change: Change, subject_id: int, now: datetime
) -> int:
    """An audit event that a change of power was made and told (its id keys the notices)."""
    return audit.record(
        session,
        at=now,
        **audit.by_staff(actor_staff_id),
        action="power.told",
        subject_type="staff",
        subject_id=subject_id,
        details={"change": change.value},
    )


def _audit(
    session: Session,
    action: str,
    actor_staff_id: int | None,
    found: PowerProposal,
    now: datetime,
    extra: dict[str, Any],
) -> None:
    who = audit.by_staff(actor_staff_id) if actor_staff_id else {"actor": "system:tick"}
    audit.record(
        session,
        at=now,
        **who,
        action=action,
        subject_type="power_proposal",
        subject_id=found.id,
        details={
            "kind": found.kind,
            "subject": found.subject_staff_id,
            "proposed_by": found.proposed_by_staff_id,
            **found.data,
            **extra,
        },
    )


# -- escalations: who may answer for an assignment ----------------------------------------


class Answer(StrEnum):
    ALLOWED = "allowed"
    OWN = "own"  # one's own (or one's group's) assignment
    OTHER_GROUP = "other_group"  # a group head, about another group
    DIRECTOR_ONLY = "director_only"  # "I will order it" is the director's word
    NOT_ALLOWED = "not_allowed"


def escalation_answer(
    session: Session, person: people.Person, assignment: Assignment, today: date, action: str
) -> Answer:
    """Who may remind again, excuse, or say they will order it, for one assignment.

    1. Nobody, for an assignment they owe themselves (their own, or their group's duty).
    2. The director, or whoever acts for the director today: any assignment.
    3. A group head: their own group's assignments; not "I will order it".
    4. Anyone else: none (the coordinator is told of escalations, and does not answer them).
    """
    if schedule.may_confirm(assignment, person):
        return Answer.OWN
    if Role.DIRECTOR in person.roles or office.is_acting(session, person.id, today):
        return Answer.ALLOWED
    if Role.GROUP_HEAD not in person.roles:
        return Answer.NOT_ALLOWED
    if action == "o":
        return Answer.DIRECTOR_ONLY
    mine = {group.id for group in person.groups}
    return Answer.ALLOWED if mine & groups_of(session, assignment) else Answer.OTHER_GROUP


def groups_of(session: Session, assignment: Assignment) -> set[int | None]:
    """The work groups an assignment belongs to: its group's, or its owner's."""
    if assignment.staff_id is None:
        return {assignment.group_id}
    owner = people.by_id(session, assignment.staff_id)
    return {group.id for group in owner.groups} if owner else set()
