"""Staff: who they are, their groups and roles, and the admin's changes to them.

Every change a person makes to another person writes an audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, delete, func
from sqlmodel import Session, col, select

from storage import audit
from storage.models import Language, Role, Staff, StaffGroup, StaffRole, WorkGroup


@dataclass(frozen=True, slots=True)
class Person:
    """A snapshot of one person with their groups and roles, for the layers above."""

    staff: Staff
    groups: tuple[WorkGroup, ...]
    roles: frozenset[Role]

    @property
    def id(self) -> int:
        assert self.staff.id is not None
        return self.staff.id

    @property
    def name(self) -> str:
        return self.staff.full_name

    @property
    def language(self) -> str:
        return self.staff.language

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, for the audit log."""

    label: str
    staff_id: int | None = None


class ChangeOutcome(StrEnum):
    DONE = "done"
    UNCHANGED = "unchanged"
    NOT_FOUND = "not_found"
    UNKNOWN_GROUP = "unknown_group"
    LAST_ADMIN = "last_admin"


# Built once: every update from a person loads them, and building a statement costs more
# than running it.
_GROUPS_OF = (
    select(WorkGroup)
    .join(StaffGroup, col(StaffGroup.group_id) == col(WorkGroup.id))
    .where(col(StaffGroup.staff_id) == bindparam("staff_id"))
    .order_by(col(WorkGroup.id))
)
_ROLES_OF = select(StaffRole.role).where(col(StaffRole.staff_id) == bindparam("staff_id"))
_BY_TELEGRAM_USER = select(Staff).where(col(Staff.telegram_user_id) == bindparam("user_id"))


def _load(session: Session, staff: Staff) -> Person:
    groups = session.exec(_GROUPS_OF, params={"staff_id": staff.id}).all()
    roles = session.exec(_ROLES_OF, params={"staff_id": staff.id}).all()
    return Person(staff, tuple(groups), frozenset(Role(role) for role in roles))


def by_telegram_user(session: Session, telegram_user_id: int) -> Person | None:
    """The person behind a Telegram user id, active or not."""
    staff = session.exec(_BY_TELEGRAM_USER, params={"user_id": telegram_user_id}).first()
    return None if staff is None else _load(session, staff)


def by_id(session: Session, staff_id: int) -> Person | None:
    staff = session.get(Staff, staff_id)
    return None if staff is None else _load(session, staff)


def create(
    session: Session,
    *,
    telegram_user_id: int,
    chat_id: int,
    full_name: str,
    username: str | None,
    language: Language,
    now: datetime,
) -> Staff:
    staff = Staff(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        full_name=full_name[:200],
        telegram_username=username,
        language=language.value,
        registered_at=now,
    )
    session.add(staff)
    session.flush()
    return staff


def grant(session: Session, staff_id: int, *, group_id: int | None, role: Role | None) -> bool:
    """Add a membership and/or a role; say whether anything was new."""
    added = False
    if group_id is not None and session.get(StaffGroup, (staff_id, group_id)) is None:
        session.add(StaffGroup(staff_id=staff_id, group_id=group_id))
        added = True
    if role is not None and session.get(StaffRole, (staff_id, role.value)) is None:
        session.add(StaffRole(staff_id=staff_id, role=role.value))
        added = True
    session.flush()
    return added


def set_language(session: Session, staff_id: int, language: Language) -> None:
    staff = session.get(Staff, staff_id)
    if staff is not None:
        staff.language = language.value
        session.add(staff)


def set_full_name(session: Session, staff_id: int, full_name: str, *, now: datetime) -> None:
    staff = session.get(Staff, staff_id)
    if staff is None:
        return
    audit.record(
        session,
        at=now,
        **audit.by_staff(staff_id),
        action="staff.renamed",
        subject_type="staff",
        subject_id=staff_id,
        details={"from": staff.full_name, "to": full_name},
    )
    staff.full_name = full_name
    session.add(staff)


def mark_reachable(session: Session, staff_id: int, chat_id: int) -> None:
    """The person wrote to us, so we can write to them again."""
    staff = session.get(Staff, staff_id)
    if staff is not None and (not staff.reachable or staff.chat_id != chat_id):
        staff.reachable, staff.unreachable_reason, staff.chat_id = True, None, chat_id
        session.add(staff)


def roster(session: Session, *, include_inactive: bool = False) -> list[Person]:
    """Everyone, in registration order."""
    query = select(Staff).order_by(col(Staff.id))
    if not include_inactive:
        query = query.where(col(Staff.active))
    return [_load(session, staff) for staff in session.exec(query).all()]


def registered_since(session: Session, since: datetime) -> list[int]:
    """The active people registered at ``since`` or after, by id."""
    query = select(Staff.id).where(col(Staff.active), col(Staff.registered_at) >= since)
    return [staff_id for staff_id in session.exec(query.order_by(col(Staff.id))).all() if staff_id]


def holders_of(session: Session, role: Role) -> Sequence[Staff]:
    """Active people holding a role (the director, the coordinators …)."""
    query = (
        select(Staff)
        .join(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
        .where(StaffRole.role == role.value, col(Staff.active))
        .order_by(col(Staff.id))
    )
    return session.exec(query).all()


def _active_admins(session: Session) -> int:
    query = (
        select(func.count())
        .select_from(StaffRole)
        .join(Staff, col(Staff.id) == col(StaffRole.staff_id))
        .where(StaffRole.role == Role.ADMIN.value, col(Staff.active))
    )
    return int(session.exec(query).one())


def move_to_group(
    session: Session, staff_id: int, group_key: str, *, actor: Actor, now: datetime
) -> ChangeOutcome:
    """Make ``group_key`` the person's only group."""
    person = by_id(session, staff_id)
    if person is None:
        return ChangeOutcome.NOT_FOUND
    group = session.exec(
        select(WorkGroup).where(WorkGroup.key == group_key, col(WorkGroup.active))
    ).first()
    if group is None:
        return ChangeOutcome.UNKNOWN_GROUP
    before = [g.key for g in person.groups]
    if before == [group.key]:
        return ChangeOutcome.UNCHANGED
    session.execute(delete(StaffGroup).where(col(StaffGroup.staff_id) == staff_id))
    assert group.id is not None
    session.add(StaffGroup(staff_id=staff_id, group_id=group.id))
    _audit(session, actor, now, "staff.moved", staff_id, {"from": before, "to": group.key})
    return ChangeOutcome.DONE


def set_role(
    session: Session, staff_id: int, role: Role, held: bool, *, actor: Actor, now: datetime
) -> ChangeOutcome:
    """Give or take away one role; the last active admin keeps theirs."""
    person = by_id(session, staff_id)
    if person is None:
        return ChangeOutcome.NOT_FOUND
    if (role in person.roles) == held:
        return ChangeOutcome.UNCHANGED
    if not held and role is Role.ADMIN and person.staff.active and _active_admins(session) <= 1:
        return ChangeOutcome.LAST_ADMIN
    if held:
        session.add(StaffRole(staff_id=staff_id, role=role.value))
    else:
        session.execute(
            delete(StaffRole).where(
                col(StaffRole.staff_id) == staff_id, col(StaffRole.role) == role.value
            )
        )
    action = "staff.role_granted" if held else "staff.role_revoked"
    _audit(session, actor, now, action, staff_id, {"role": role.value})
    return ChangeOutcome.DONE


def set_active(
    session: Session, staff_id: int, active: bool, *, actor: Actor, now: datetime
) -> ChangeOutcome:
    """Deactivate (the person keeps their history, gets nothing more) or reactivate."""
    person = by_id(session, staff_id)
    if person is None:
        return ChangeOutcome.NOT_FOUND
    if person.staff.active == active:
        return ChangeOutcome.UNCHANGED
    if not active and Role.ADMIN in person.roles and _active_admins(session) <= 1:
        return ChangeOutcome.LAST_ADMIN
    person.staff.active = active
    session.add(person.staff)
    action = "staff.reactivated" if active else "staff.deactivated"
    _audit(session, actor, now, action, staff_id, {})
    return ChangeOutcome.DONE


def _audit(
    session: Session,
    actor: Actor,
    now: datetime,
    action: str,
    staff_id: int,
    details: dict[str, object],
) -> None:
    audit.record(
        session,
        at=now,
        actor=actor.label,
        actor_staff_id=actor.staff_id,
        action=action,
        subject_type="staff",
        subject_id=staff_id,
        details=details,
    )


def members_of(session: Session, group_id: int) -> list[Person]:
    """Active members of one group (for a duty the group owes as a whole)."""
    query = (
        select(Staff)
        .join(StaffGroup, col(StaffGroup.staff_id) == col(Staff.id))
        .where(StaffGroup.group_id == group_id, col(Staff.active))
        .order_by(col(Staff.id))
    )
    return [_load(session, staff) for staff in session.exec(query).all()]


def group(session: Session, group_id: int) -> WorkGroup | None:
    return session.get(WorkGroup, group_id)


def holds(session: Session, staff: Staff, role: Role) -> bool:
    return session.get(StaffRole, (staff.id, role.value)) is not None


def escalation_recipients(session: Session, group_ids: set[int]) -> list[Staff]:
    """Who hears of an escalation: the director, the coordinators, and the heads of the
    groups concerned — each once, the director first."""
    chosen: dict[int, Staff] = {}
    for role in (Role.DIRECTOR, Role.COORDINATOR):
        for staff in holders_of(session, role):
            chosen.setdefault(_sid(staff), staff)
    if group_ids:
        heads = session.exec(
            select(Staff)
            .join(StaffRole, col(StaffRole.staff_id) == col(Staff.id))
            .join(StaffGroup, col(StaffGroup.staff_id) == col(Staff.id))
            .where(
                StaffRole.role == Role.GROUP_HEAD.value,
                col(StaffGroup.group_id).in_(group_ids),
                col(Staff.active),
            )
            .order_by(col(Staff.id))
        ).all()
        for staff in heads:
            chosen.setdefault(_sid(staff), staff)
    return list(chosen.values())


def languages(session: Session, staff_ids: set[int]) -> dict[int, str]:
    """Each person's language, for rendering a batch of messages."""
    if not staff_ids:
        return {}
    query = select(Staff.id, Staff.language).where(col(Staff.id).in_(staff_ids))
    return {staff_id: language for staff_id, language in session.exec(query).all() if staff_id}


def mark_unreachable(session: Session, staff_id: int, reason: str) -> bool:
    """Telegram refused to deliver to this person; say whether that is news."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.reachable:
        return False
    staff.reachable, staff.unreachable_reason = False, reason[:300]
    session.add(staff)
    return True


def _sid(staff: Staff) -> int:
    assert staff.id is not None
    return staff.id
