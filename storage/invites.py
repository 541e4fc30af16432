"""Registration codes: made by the admin, redeemed by staff through a deep link."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage import audit, people
from storage.db import execute_bulk
from storage.models import Invite, Language, Role, Staff, WorkGroup

# No 0/O, 1/I/L: a code can be read out over the phone and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
GROUPLESS_ROLES = frozenset({Role.DIRECTOR, Role.ADMIN})
"""Roles that may be given without a work group (the director belongs to none)."""


class RedeemOutcome(StrEnum):
    REGISTERED = "registered"  # a new person
    GRANTED = "granted"  # a known person gained a group or a role
    ALREADY = "already"  # a known person, nothing new: the code is not used up
    UNKNOWN = "unknown"
    USED_UP = "used_up"
    EXPIRED = "expired"
    INACTIVE = "inactive"  # the person was deactivated by an admin


@dataclass(frozen=True, slots=True)
class Redemption:
    outcome: RedeemOutcome
    person: people.Person | None = None
    group: WorkGroup | None = None
    role: Role | None = None


@dataclass(frozen=True, slots=True)
class Newcomer:
    """What Telegram tells us of the person opening the link."""

    telegram_user_id: int
    chat_id: int
    full_name: str
    username: str | None
    language: Language


_CODE_SHAPE = re.compile(r"[A-Z0-9]{1,32}")


def normalise_code(text: str) -> str:
    return text.strip().upper()


def create_invite(
    session: Session,
    *,
    group: WorkGroup | None,
    role: Role,
    uses: int,
    valid_for: timedelta,
    created_by: str,
    now: datetime,
) -> Invite:
    """A fresh code; the audit log says who made it."""
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    invite = Invite(
        code=code,
        group_id=group.id if group else None,
        role=role.value,
        max_uses=uses,
        expires_at=now + valid_for,
        created_at=now,
        created_by=created_by,
    )
    session.add(invite)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=created_by,
        action="invite.created",
        subject_type="invite",
        subject_id=invite.id,
        details={"group": group.key if group else None, "role": role.value, "uses": uses},
    )
    return invite


def _check(invite: Invite | None, now: datetime) -> RedeemOutcome | None:
    if invite is None or invite.revoked_at is not None:
        return RedeemOutcome.UNKNOWN
    if invite.expires_at <= now:
        return RedeemOutcome.EXPIRED
    if invite.used_count >= invite.max_uses:
        return RedeemOutcome.USED_UP
    return None


def _claim_use(session: Session, invite: Invite) -> bool:
    """Count one use, only if one is left (a conditional UPDATE: safe between processes)."""
    result = execute_bulk(
        session,
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_count) < col(Invite.max_uses))
        .values(used_count=col(Invite.used_count) + 1),
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def redeem(session: Session, *, code: str, newcomer: Newcomer, now: datetime) -> Redemption:
    """Register (or extend) a person with an invite code.

    1. A bad, expired or used-up code writes nothing.
    2. A known person who gains nothing new writes nothing and leaves the code unused.
    3. Otherwise one use of the code is claimed, then the person is created or extended, and
       the audit log records it, all in the caller's transaction.
    """
    code = normalise_code(code)
    if not _CODE_SHAPE.fullmatch(code):  # not a code we make (and PostgreSQL refuses NUL)
        return Redemption(RedeemOutcome.UNKNOWN)
    invite = session.exec(select(Invite).where(Invite.code == code)).first()
    problem = _check(invite, now)
    if problem is not None or invite is None:
        return Redemption(problem or RedeemOutcome.UNKNOWN)
    group = session.get(WorkGroup, invite.group_id) if invite.group_id is not None else None
    if group is not None and not group.active:
        return Redemption(RedeemOutcome.UNKNOWN)
    role = Role(invite.role)
    person = people.by_telegram_user(session, newcomer.telegram_user_id)
    if person is not None and not person.staff.active:
        return Redemption(RedeemOutcome.INACTIVE, person, group, role)
    if person is not None and role in person.roles and (group is None or group in person.groups):
        return Redemption(RedeemOutcome.ALREADY, person, group, role)
    if role is Role.DIRECTOR and refuse_second_director(session, created_by="invite", now=now):
        return Redemption(RedeemOutcome.USED_UP)  # a code made before the first director came
    if not _claim_use(session, invite):
        return Redemption(RedeemOutcome.USED_UP)
    outcome = RedeemOutcome.GRANTED if person else RedeemOutcome.REGISTERED
    staff = person.staff if person else _create(session, newcomer, now)
    assert staff.id is not None
    people.grant(session, staff.id, group_id=group.id if group else None, role=role)
    if role is not Role.STAFF:
        people.grant(session, staff.id, group_id=None, role=Role.STAFF)
    audit.record(
        session,
        at=now,
        **audit.by_staff(staff.id),
        action=f"staff.{outcome.value}",
        subject_type="staff",
        subject_id=staff.id,
        details={"invite": invite.id, "group": group.key if group else None, "role": role.value},
    )
    return Redemption(outcome, people.by_id(session, staff.id), group, role)


def _create(session: Session, newcomer: Newcomer, now: datetime) -> Staff:
    return people.create(
        session,
        telegram_user_id=newcomer.telegram_user_id,
        chat_id=newcomer.chat_id,
        full_name=newcomer.full_name,
        username=newcomer.username,
        language=newcomer.language,
        now=now,
    )


def refuse_second_director(session: Session, *, created_by: str, now: datetime) -> bool:
    """A director invite (made, or redeemed) while an active director exists is refused: the
    role is handed over in chat, where the director confirms it. The attempt is audited; True
    when refused."""
    holders = people.holders_of(session, Role.DIRECTOR)
    if not holders:
        return False
    audit.record(
        session,
        at=now,
        actor=created_by,
        action="power.refused",
        subject_type="invite",
        subject_id=None,
        details={"attempted": "director_invite", "reason": "director_exists"},
    )
    return True
