"""Every change of power told at once — made, proposed, confirmed, declined, refused, expired —
to the directors and to the person changed, through the outbox; and the tick's part: a
proposal the director did not confirm in time expires, and the director and proposer are told.

The messages carry names and dates only; the words are chosen in ``bot/common/power.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from jobs.steps import Step, TickContext
from storage import outbox, power
from storage.models import PowerProposal, ProposalState, Staff
from storage.outbox import NewMessage
from storage.power import Change

TEMPLATE = "power"
BATCH = 100


@dataclass(frozen=True, slots=True)
class Notice:
    """One change of power to tell about."""

    event: str  # made, proposed, confirmed, declined, refused, expired
    change: Change
    subject_id: int | None
    asked_by_id: int | None
    asked_at: datetime
    key: str  # unique within the outbox: "proposal-3:expired", "audit-812"
    reason: str = ""  # why it was refused (a power.Gate value)
    proposal_id: int | None = None
    expires_at: datetime | None = None
    decided_by_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)  # an acting officer's dates
    also: tuple[int, ...] = ()  # told besides the directors and the person changed
    skip: int | None = None  # who acted and was answered in the chat already


def tell(session: Session, notice: Notice, *, now: datetime) -> int:
    """Write one message to each director, the person changed and ``also`` (each once)."""
    chosen: dict[int, Staff] = {}
    directors = {_sid(staff) for staff in power.directors(session)}
    for staff in power.directors(session):
        chosen.setdefault(_sid(staff), staff)
    for staff_id in (notice.subject_id, *notice.also):
        other = session.get(Staff, staff_id) if staff_id else None
        if other is not None and other.active:
            chosen.setdefault(_sid(other), other)
    chosen.pop(notice.skip or 0, None)
    params = _params(session, notice)
    messages = [
        NewMessage(
            f"power:{notice.key}:to-{staff_id}",
            staff.chat_id,
            TEMPLATE,
            {**params, "decide": notice.event == "proposed" and staff_id in directors},
            staff_id,
        )
        for staff_id, staff in chosen.items()
    ]
    return outbox.enqueue(session, messages, now=now)


def _params(session: Session, notice: Notice) -> dict[str, Any]:
    return {
        "event": notice.event,
        "change": notice.change.value,
        "subject": _name(session, notice.subject_id),
        "asked_by": _name(session, notice.asked_by_id),
        "asked_at": notice.asked_at.isoformat(),
        "decided_by": _name(session, notice.decided_by_id),
        "reason": notice.reason,
        "proposal_id": notice.proposal_id,
        "expires_at": notice.expires_at.isoformat() if notice.expires_at else None,
        **notice.data,
    }


def _name(session: Session, staff_id: int | None) -> str:
    staff = session.get(Staff, staff_id) if staff_id else None
    return staff.full_name if staff is not None else ""


def about(
    found: PowerProposal,
    event: str,
    *,
    decided_by_id: int | None = None,
    skip: int | None = None,
    reason: str = "",
) -> Notice:
    """The notice of one step of a proposal (its proposer is told of every step after it)."""
    return Notice(
        event=event,
        change=Change(found.kind),
        subject_id=found.subject_staff_id,
        asked_by_id=found.proposed_by_staff_id,
        asked_at=found.created_at,
        key=f"proposal-{found.id}:{event}",
        reason=reason,
        proposal_id=found.id,
        expires_at=found.expires_at,
        decided_by_id=decided_by_id,
        data={k: v for k, v in found.data.items() if k in ("starts_on", "ends_on")},
        also=() if event == "proposed" else (found.proposed_by_staff_id,),
        skip=skip,
    )


def expire_due(session: Session, now: datetime) -> int:
    """Proposals not confirmed in time expire (once: a conditional update), and the
    directors, the person concerned and the proposer are told; nothing else changes."""
    written = 0
    for found in power.due_expiries(session, now=now, limit=BATCH):
        if power.settle(session, found, ProposalState.EXPIRED, now=now):
            written += tell(session, about(found, "expired"), now=now)
    return written


def _sid(staff: Staff) -> int:
    assert staff.id is not None
    return staff.id


# -- what the handlers call, in their own transaction ---------------------------------------


def made(
    session: Session,
    change: Change,
    subject_id: int,
    *,
    by_staff_id: int,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> int:
    """A director made a change of power: the audit event, and the others told."""
    event = power.record_change(
        session, actor_staff_id=by_staff_id, change=change, subject_id=subject_id, now=now
    )
    notice = Notice("made", change, subject_id, by_staff_id, now, f"audit-{event}", data=data or {})
    return tell(session, replace(notice, skip=by_staff_id), now=now)


def refused(
    session: Session,
    change: Change,
    subject_id: int | None,
    *,
    by_staff_id: int,
    reason: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> int:
    """A refused attempt: its audit event, and the directors (and the person it was about)
    told; nothing else is written."""
    event = power.record_refusal(
        session,
        actor_staff_id=by_staff_id,
        attempted=change.value,
        subject_type="staff",
        subject_id=subject_id,
        reason=reason,
        now=now,
        details=data,
    )
    notice = Notice(
        "refused",
        change,
        subject_id,
        by_staff_id,
        now,
        f"audit-{event}",
        reason=reason,
        data=data or {},
        skip=by_staff_id,
    )
    return tell(session, notice, now=now)


def proposed(
    session: Session,
    change: Change,
    subject_id: int,
    *,
    by_staff_id: int,
    now: datetime,
    lifetime: timedelta,
    data: dict[str, Any] | None = None,
) -> tuple[PowerProposal, bool]:
    """The proposal (a new one, or the same one still waiting: False) and, when new, the
    directors and the person concerned told, with the directors' buttons."""
    waiting = power.pending_for(session, change, subject_id)
    if waiting is not None:
        return waiting, False
    found = power.propose(
        session, change, subject_id, by_staff_id=by_staff_id, now=now, lifetime=lifetime, data=data
    )
    tell(session, about(found, "proposed", skip=by_staff_id), now=now)
    return found, True


class PowerStep(Step):
    """Changes of power: proposals not confirmed in time expire."""

    name = "power"

    def write(self, session: Session, tick: TickContext, now: datetime) -> int:
        return expire_due(session, now)

    def next_wake(self, session: Session, now: datetime) -> datetime | None:
        return power.earliest_expiry(session)
