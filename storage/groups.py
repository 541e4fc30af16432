"""Work groups, mirrored from the configuration file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import WorkGroup


@dataclass(frozen=True, slots=True)
class GroupSpec:
    key: str
    name_th: str
    name_en: str
    is_coordinating: bool = False


def sync_groups(session: Session, specs: Iterable[GroupSpec]) -> None:
    """Make the table match the config: add or rename groups, retire the ones removed.

    A retired group keeps its row (history refers to it) and stops taking invites.
    """
    wanted = {spec.key: spec for spec in specs}
    existing = {group.key: group for group in session.exec(select(WorkGroup)).all()}
    for key, spec in wanted.items():
        group = existing.get(key) or WorkGroup(key=key, name_th="", name_en="")
        group.name_th, group.name_en = spec.name_th, spec.name_en
        group.is_coordinating, group.active = spec.is_coordinating, True
        session.add(group)
    for key, group in existing.items():
        if key not in wanted and group.active:
            group.active = False
            session.add(group)
    session.flush()


def active_groups(session: Session) -> Sequence[WorkGroup]:
    query = select(WorkGroup).where(col(WorkGroup.active)).order_by(col(WorkGroup.id))
    return session.exec(query).all()


def group_by_key(session: Session, key: str) -> WorkGroup | None:
    return session.exec(select(WorkGroup).where(WorkGroup.key == key)).first()


def group_by_id(session: Session, group_id: int) -> WorkGroup | None:
    return session.get(WorkGroup, group_id)
