"""Invite codes and the people they register, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from storage import audit, invites, people
from storage.db import Database
from storage.models import ALL_TABLES, Language, Role, Staff
from tests.support import NOW, invite_code


def _newcomer(user_id: int = 1001, name: str = "สมชาย ใจดี") -> invites.Newcomer:
    return invites.Newcomer(user_id, user_id, name, None, Language.TH)


def _redeem(
    db: Database, code: str, newcomer: invites.Newcomer | None = None, at: timedelta = timedelta(0)
) -> invites.Redemption:
    with db.transaction() as session:
        return invites.redeem(session, code=code, newcomer=newcomer or _newcomer(), now=NOW + at)


def row_counts(db: Database) -> dict[str, int]:
    with db.transaction() as session:
        return {
            table.__tablename__: session.exec(  # type: ignore[attr-defined]
                select(func.count()).select_from(table)
            ).one()
            for table in ALL_TABLES
        }


def test_a_code_registers_a_person_into_its_group_with_its_role(db: Database) -> None:
    result = _redeem(db, invite_code(db, "admin", Role.PROCUREMENT))
    assert result.outcome is invites.RedeemOutcome.REGISTERED
    assert result.person is not None
    assert [g.key for g in result.person.groups] == ["admin"]
    assert result.person.roles == {Role.PROCUREMENT, Role.STAFF}
    with db.transaction() as session:
        (event,) = audit.events(session, subject_type="staff")
    assert event.action == "staff.registered" and event.details["group"] == "admin"


def test_codes_are_case_insensitive_when_typed_by_hand(db: Database) -> None:
    code = invite_code(db)
    assert _redeem(db, f"  {code.lower()} ").outcome is invites.RedeemOutcome.REGISTERED


@pytest.mark.parametrize(
    ("outcome", "setup"),
    [
        (invites.RedeemOutcome.UNKNOWN, "unknown"),
        (invites.RedeemOutcome.EXPIRED, "expired"),
        (invites.RedeemOutcome.USED_UP, "used_up"),
    ],
)
def test_a_bad_code_writes_nothing(
    db: Database, outcome: invites.RedeemOutcome, setup: str
) -> None:
    code = "NOSUCHCODE"
    if setup == "expired":
        code = invite_code(db, valid_for=timedelta(hours=1))
    if setup == "used_up":
        code = invite_code(db)
        _redeem(db, code, _newcomer(2002, "คนแรก"))
    before = row_counts(db)
    later = timedelta(hours=2) if setup == "expired" else timedelta(0)
    assert _redeem(db, code, at=later).outcome is outcome
    assert row_counts(db) == before


def test_registering_twice_does_not_duplicate_or_use_up_the_code(db: Database) -> None:
    code = invite_code(db, uses=5)
    _redeem(db, code)
    before = row_counts(db)
    again = _redeem(db, code)
    assert again.outcome is invites.RedeemOutcome.ALREADY
    assert row_counts(db) == before
    with db.transaction() as session:
        assert session.exec(select(func.count()).select_from(Staff)).one() == 1


def test_a_second_code_adds_a_group_and_role_to_the_same_person(db: Database) -> None:
    _redeem(db, invite_code(db, "admin"))
    result = _redeem(db, invite_code(db, "policy", Role.COORDINATOR))
    assert result.outcome is invites.RedeemOutcome.GRANTED
    assert result.person is not None
    assert {g.key for g in result.person.groups} == {"admin", "policy"}
    assert Role.COORDINATOR in result.person.roles


def test_the_director_registers_without_a_work_group(db: Database) -> None:
    result = _redeem(db, invite_code(db, None, Role.DIRECTOR))
    assert result.person is not None
    assert result.person.groups == () and Role.DIRECTOR in result.person.roles


def test_a_deactivated_person_cannot_come_back_with_a_code(db: Database) -> None:
    admin = _redeem(db, invite_code(db, "policy", Role.ADMIN), _newcomer(1, "ผู้ดูแล")).person
    person = _redeem(db, invite_code(db)).person
    assert admin and person
    with db.transaction() as session:
        people.set_active(session, person.id, False, actor=people.Actor("test"), now=NOW)
    assert _redeem(db, invite_code(db, "policy")).outcome is invites.RedeemOutcome.INACTIVE


def test_admin_changes_are_audited_and_the_last_admin_is_kept(db: Database) -> None:
    admin = _redeem(db, invite_code(db, "policy", Role.ADMIN), _newcomer(1, "ผู้ดูแล")).person
    person = _redeem(db, invite_code(db, "admin")).person
    assert admin and person
    actor = people.Actor(f"staff:{admin.id}", admin.id)
    with db.transaction() as session:
        assert (
            people.move_to_group(session, person.id, "development", actor=actor, now=NOW)
            is people.ChangeOutcome.DONE
        )
        assert (
            people.set_role(session, person.id, Role.GROUP_HEAD, True, actor=actor, now=NOW)
            is people.ChangeOutcome.DONE
        )
        assert (
            people.set_role(session, admin.id, Role.ADMIN, False, actor=actor, now=NOW)
            is people.ChangeOutcome.LAST_ADMIN
        )
        assert (
            people.set_active(session, admin.id, False, actor=actor, now=NOW)
            is people.ChangeOutcome.LAST_ADMIN
        )
        assert (
            people.move_to_group(session, person.id, "nowhere", actor=actor, now=NOW)
            is people.ChangeOutcome.UNKNOWN_GROUP
        )
        moved = people.by_id(session, person.id)
        events = audit.events(session, subject_type="staff", subject_id=person.id)
    assert moved is not None and [g.key for g in moved.groups] == ["development"]
    assert [e.action for e in events][-2:] == ["staff.moved", "staff.role_granted"]
    assert all(e.actor_staff_id == admin.id for e in events[-2:])
    assert events[-2].details == {"from": ["admin"], "to": "development"}
