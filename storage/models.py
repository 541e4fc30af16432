"""The domain in rows (see ARCHITECTURE.md, "The domain, in rows").

Enumerated values are stored as short strings (not database enum types) so that adding a
value later needs no migration of a type; the :class:`enum.StrEnum` classes here are the
single list of allowed values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, Float, Index, Text, UniqueConstraint
from sqlalchemy.types import Integer, LargeBinary
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def utcnow() -> datetime:
    """The default for ``created_at`` columns; domain code is given ``now`` instead."""
    return datetime.now(UTC)


class Role(StrEnum):
    """What a person may do. A person can hold several."""

    STAFF = "staff"
    GROUP_HEAD = "group_head"
    COORDINATOR = "coordinator"
    PROCUREMENT = "procurement"
    DIRECTOR = "director"
    ADMIN = "admin"
    WEB_OFFICER = "web_officer"  # keeps the website and social pages (the publication queue)


class Language(StrEnum):
    TH = "th"
    EN = "en"


class AssignmentStatus(StrEnum):
    PENDING = "pending"
    ON_TIME = "submitted_on_time"
    LATE = "submitted_late"
    EXCUSED = "excused"
    ESCALATED = "escalated"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher until ``not_before``; then claimable again
    SENT = "sent"
    CANCELLED = "cancelled"  # its reason went away before it was sent (the report came in)
    SUPERSEDED = "superseded"  # a reminder not yet sent when a later step to the same person was
    EXPIRED = "expired"  # a reminder not sent while it mattered (its report long overdue)
    FAILED = "failed_permanent"


def _when(*, index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), index=index, nullable=nullable))


def _created() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class WorkGroup(SQLModel, table=True):
    """A work group (กลุ่มงาน), mirrored from the config file."""

    __tablename__ = "work_group"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    name_th: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    is_coordinating: bool = False
    active: bool = True


class Staff(SQLModel, table=True):
    """A person who talks to the bot: a Telegram user registered by invite."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    full_name: str = Field(max_length=200)
    telegram_username: str | None = Field(default=None, max_length=64)
    language: str = Field(default=Language.TH.value, max_length=8)
    reachable: bool = True
    unreachable_reason: str | None = Field(default=None, max_length=300)
    active: bool = True
    registered_at: datetime = _created()


class StaffGroup(SQLModel, table=True):
    """Membership of a person in a work group (a person may belong to several)."""

    __tablename__ = "staff_group"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    group_id: int = Field(foreign_key="work_group.id", primary_key=True)


class StaffRole(SQLModel, table=True):
    """One role held by one person."""

    __tablename__ = "staff_role"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    role: str = Field(primary_key=True, max_length=32)


class Invite(SQLModel, table=True):
    """A registration code: joins whoever opens it to a group with a role."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    group_id: int | None = Field(default=None, foreign_key="work_group.id")
    role: str = Field(max_length=32)
    max_uses: int = 1
    used_count: int = 0
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    created_at: datetime = _created()
    created_by: str = Field(max_length=100)
    revoked_at: datetime | None = _when()


class Obligation(SQLModel, table=True):
    """A recurring duty from the plan, mirrored from the config (or added by the coordinator)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    title_th: str = Field(max_length=500)
    title_en: str = Field(max_length=500)
    measure: str = Field(max_length=10)
    ita_indicators: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    owners: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recurrence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    onward: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    ladder_key: str = Field(default="default", max_length=40)
    on_closed_day: str = Field(default="keep", max_length=16)
    source: str = Field(default="config", max_length=16)
    active: bool = True
    updated_at: datetime = _created()


class Period(SQLModel, table=True):
    """One occurrence of an obligation, with its due instant."""

    __table_args__ = (UniqueConstraint("obligation_id", "key", name="uq_period_obligation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    obligation_id: int = Field(foreign_key="obligation.id", index=True)
    key: str = Field(max_length=40)
    fiscal_year: int = Field(index=True)
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    quarter: int | None = None  # the fiscal quarter a quarterly report covers
    month: int | None = None  # the month of a monthly one
    onward_due_at: datetime | None = _when()
    onward_action_at: datetime | None = _when(
        index=True
    )  # the coordinator's reminder; None once sent


class Assignment(SQLModel, table=True):
    """Who owes one period; ``next_action_at`` is the only column the tick scans."""

    __table_args__ = (
        UniqueConstraint("period_id", "owner_key", name="uq_assignment_period_owner"),
        Index("ix_assignment_next_action_at", "next_action_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    owner_key: str = Field(max_length=40)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="work_group.id")
    # a per-project obligation's project (owner_key names it too: one assignment a project)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    status: str = Field(default=AssignmentStatus.PENDING.value, max_length=32)
    next_action_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    next_step: int = 0
    followups_unanswered: int = 0
    confirmed_at: datetime | None = _when()
    confirmed_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    confirmation_note: str | None = Field(default=None, max_length=1000)
    evidence_file_id: str | None = Field(default=None, max_length=300)
    evidence_file_name: str | None = Field(default=None, max_length=300)
    evidence_path: str | None = Field(default=None, max_length=500)
    escalated_at: datetime | None = _when()
    created_at: datetime = _created()


class OutboxMessage(SQLModel, table=True):
    """A message the bot will send. Nothing is sent that was not first written here."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_state_not_before", "state", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    template: str = Field(max_length=80)
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id")
    state: str = Field(default=OutboxState.PENDING.value, max_length=24)
    attempts: int = 0
    not_before: datetime = _created()
    last_error: str | None = Field(default=None, max_length=500)
    telegram_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    created_at: datetime = _created()
    sent_at: datetime | None = _when()
    failed_since: datetime | None = _when()  # its first transient failure (delayed since)


class AuditEvent(SQLModel, table=True):
    """An append-only record of a state change: who, what, when."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    actor: str = Field(max_length=100)
    action: str = Field(max_length=60, index=True)
    subject_type: str = Field(max_length=40)
    subject_id: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Leave(SQLModel, table=True):
    """A person away from ``starts_on`` to ``ends_on`` (inclusive): their reminders wait.

    For the director, ``acting_staff_id`` names the acting officer (ผู้รักษาราชการแทน) who
    receives escalations meanwhile.
    """

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    starts_on: date
    ends_on: date
    acting_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    # the director named the acting officer themselves (not a coordinator's proposal they
    # confirmed): only then do complaint notices go to the acting officer alone
    acting_chosen_by_director: bool = False
    created_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = _created()
    cancelled_at: datetime | None = _when()


class ClosedDay(SQLModel, table=True):
    """A day the office is closed, added from chat (beside the config's own list)."""

    __tablename__ = "closed_day"

    day: date = Field(primary_key=True)
    reason: str = Field(max_length=200)
    added_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    added_at: datetime = _created()


class MeetingChange(SQLModel, table=True):
    """This month's staff meeting moved from the rule's date (``month`` is ``YYYY-MM``)."""

    __tablename__ = "meeting_change"

    month: str = Field(primary_key=True, max_length=7)
    day: date
    changed_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    changed_at: datetime = _created()


class Heartbeat(SQLModel, table=True):
    """The scheduler leader's last tick: what the health check reports."""

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=200)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


ALL_TABLES = [
    WorkGroup,
    Staff,
    StaffGroup,
    StaffRole,
    Invite,
    Obligation,
    Period,
    Assignment,
    OutboxMessage,
    AuditEvent,
    Leave,
    ClosedDay,
    MeetingChange,
    Heartbeat,
]


# -- property loans (measure 1.4) ----------------------------------------------------------


class LoanStatus(StrEnum):
    AWAITING_RECEIPT = "awaiting_receipt"  # handed over; the borrower has not confirmed yet
    OUT = "out"  # the borrower confirmed receipt
    RETURNED = "returned"  # every item is back
    WITHDRAWN = "withdrawn"  # recorded in error and withdrawn before the borrower's receipt


class ReturnCondition(StrEnum):
    GOOD = "good"
    DAMAGED = "damaged"
    MISSING_PART = "missing_part"


class Loan(SQLModel, table=True):
    """A loan of government property (การยืมพัสดุ): who borrowed what, for what, until when.

    ``next_action_at`` is what the tick scans, as on assignments: the next ladder step.
    """

    __tablename__ = "property_loan"
    __table_args__ = (Index("ix_property_loan_next_action_at", "next_action_at"),)

    id: int | None = Field(default=None, primary_key=True)
    borrower_staff_id: int = Field(foreign_key="staff.id", index=True)
    recorded_by_staff_id: int = Field(foreign_key="staff.id")
    purpose: str = Field(max_length=300)
    lent_on: date = Field(index=True)
    due_on: date
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    condition_out: str = Field(max_length=300)
    status: str = Field(default=LoanStatus.AWAITING_RECEIPT.value, max_length=24)
    received_at: datetime | None = _when()
    returned_at: datetime | None = _when()
    next_step: int = 0
    next_action_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = _created()


class LoanItem(SQLModel, table=True):
    """One borrowed item, returned on its own: a partial return is visible, a complete one
    verifiable."""

    __tablename__ = "property_loan_item"
    __table_args__ = (UniqueConstraint("loan_id", "position", name="uq_property_loan_item"),)

    id: int | None = Field(default=None, primary_key=True)
    loan_id: int = Field(foreign_key="property_loan.id", index=True)
    position: int
    asset_number: str = Field(max_length=60, index=True)
    description: str = Field(max_length=300)
    returned_at: datetime | None = _when()
    return_condition: str | None = Field(default=None, max_length=24)
    return_note: str | None = Field(default=None, max_length=500)
    return_recorded_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")


class AwaitedAnswer(SQLModel, table=True):
    """A question the bot has asked a person and waits on: a typed answer (an excuse reason,
    the date a paper report arrived, the next step of a loan entry), a confirming press (a
    calendar change previewed), or a file (the evidence window after a confirmation).

    A row, never process memory: it survives a restart and reaches whichever process receives
    the answer. One per person and ``topic``; a new question on a topic replaces the old one;
    past ``expires_at`` it is as if never asked. (The complaint channel keeps its own drafts,
    keyed so that they cannot be tied to a person.)
    """

    __tablename__ = "awaited_answer"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    topic: str = Field(primary_key=True, max_length=16)
    kind: str = Field(default="", max_length=16)
    step: str = Field(default="", max_length=24)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _created()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class MaintenanceAnnouncement(SQLModel, table=True):
    """The annual maintenance plan as announced to all staff (the plan's evidence)."""

    __tablename__ = "maintenance_announcement"

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int = Field(index=True)
    text: str = Field(max_length=3000)
    announced_by_staff_id: int = Field(foreign_key="staff.id")
    announced_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    recipients: int = 0


ALL_TABLES.extend([Loan, LoanItem, AwaitedAnswer, MaintenanceAnnouncement])


# -- complaints (measure 1.7) ---------------------------------------------------------------


class ComplaintStatus(StrEnum):
    RECEIVED = "received"  # filed, not yet taken up by a handler
    ACKNOWLEDGED = "acknowledged"  # a handler has taken it up
    CLOSED = "closed"  # the outcome is recorded


class ComplaintOutcome(StrEnum):
    SUBSTANTIATED = "substantiated"  # มีมูล: action taken
    UNFOUNDED = "unfounded"  # ไม่มีมูล
    REFERRED = "referred"  # sent on to the authority that may act
    INSUFFICIENT = "insufficient"  # not enough to act on; the matter ends


class Complaint(SQLModel, table=True):
    """A complaint against corruption. Nothing here says who filed it: no Telegram user or
    chat id, no name. ``notify_token`` is the one exception the complainant may choose: the
    chat to tell of acknowledgement and outcome, encrypted with the server's key, erased once
    the case is closed. ``code_hash`` is a keyed hash of the tracking code, never the code.
    The content (what, who, when, where, contact, the office's answer) is encrypted with the
    channel's key (Fernet) when ``sealed``; rows written before revision 0009 are sealed at the
    first start with the key. After the retention period the content is erased and the row
    only counts.
    """

    __tablename__ = "complaint"
    __table_args__ = (Index("ix_complaint_next_action_at", "next_action_at"),)

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    status: str = Field(default=ComplaintStatus.RECEIVED.value, max_length=16, index=True)
    filed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    what: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    who: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    occurred: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    place: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    contact: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    notify_token: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    acknowledge_by: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    result_by: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    next_step: int = 0
    next_action_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    acknowledged_at: datetime | None = _when()
    acknowledged_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    closed_at: datetime | None = _when()
    closed_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    outcome: str | None = Field(default=None, max_length=24)
    outcome_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    erase_at: datetime | None = _when(index=True)
    erased_at: datetime | None = _when()
    sealed: bool = False  # the content is encrypted (always, since revision 0009)


class ComplaintEntry(SQLModel, table=True):
    """Something added to a complaint: a file sent with it, information the complainant added
    later with the tracking code, or a handler's note."""

    __tablename__ = "complaint_entry"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    kind: str = Field(max_length=16)  # "filed", "addition", "note"
    staff_id: int | None = Field(default=None, foreign_key="staff.id")  # a note's writer
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    file_id: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    file_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    file_kind: str | None = Field(default=None, max_length=16)  # "document", "photo"
    sealed: bool = False  # text, file id and file name encrypted, as the complaint's content


class ComplaintHandler(SQLModel, table=True):
    """A person the director named to follow up complaints (beside the director)."""

    __tablename__ = "complaint_handler"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    named_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    named_at: datetime = _created()


class ComplaintDraft(SQLModel, table=True):
    """A conversation in progress (filing, adding information, a handler's note), keyed by a
    keyed hash of the writer's Telegram id — never the id — so that any process can carry it
    on. Erased when finished or cancelled; expires unattended."""

    __tablename__ = "complaint_draft"

    owner_tag: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)
    step: str = Field(max_length=24)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 0
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class ComplaintThrottle(SQLModel, table=True):
    """How often one writer (a keyed hash again) filed, or typed a wrong code, in a window."""

    __tablename__ = "complaint_throttle"

    owner_tag: str = Field(primary_key=True, max_length=64)
    action: str = Field(primary_key=True, max_length=16)
    window_start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    count: int = 0


class ComplaintSecret(SQLModel, table=True):
    """A key of the complaint channel kept in the database, itself encrypted with the channel's
    key: ``tracking-code`` (the key of the tracking codes' hashes, kept for good) and
    ``day:<date>`` (a random key made for one office day, under which that day's conversations
    and limits are kept; deleted at ``expires_at``, after which they can be tied to nobody).
    A day's key makes new tags until ``use_until``; until ``expires_at`` it still finds a
    conversation begun before midnight."""

    __tablename__ = "complaint_secret"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(sa_column=Column(Text, nullable=False))
    use_until: datetime | None = _when()
    expires_at: datetime | None = _when(index=True)


ALL_TABLES.extend(
    [
        Complaint,
        ComplaintEntry,
        ComplaintHandler,
        ComplaintDraft,
        ComplaintThrottle,
        ComplaintSecret,
    ]
)


# -- power: changes the director confirms (issue 11) --------------------------------------


class ProposalState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    EXPIRED = "expired"


class PowerProposal(SQLModel, table=True):
    """A change of power (the director role, an acting officer) asked for by an admin or the
    coordinator: it takes effect only if a director confirms it before ``expires_at``."""

    __tablename__ = "power_proposal"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24)
    subject_staff_id: int = Field(foreign_key="staff.id")
    proposed_by_staff_id: int = Field(foreign_key="staff.id")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: str = Field(default=ProposalState.PENDING.value, max_length=16, index=True)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    decided_at: datetime | None = _when()
    decided_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")


ALL_TABLES.append(PowerProposal)


# -- delivery through outages (issue 12) ----------------------------------------------------


class ChatPace(SQLModel, table=True):
    """When a chat may next be sent to (Telegram: one message a second per chat), shared by
    every dispatching process. ``next_send_at`` is in seconds since the epoch by the database
    server's clock, the one clock all dispatchers share; a claim sets it past its lease, the
    recorded result to one interval after the send."""

    __tablename__ = "chat_pace"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    next_send_at: float = Field(sa_column=Column(Float, nullable=False))


class DeliveryOutage(SQLModel, table=True):
    """A time Telegram could not be reached: opened by the first failed send, closed by the
    first delivered one. ``open`` is true while it lasts and NULL after (unique: at most one
    open outage, whichever process saw it first)."""

    __tablename__ = "delivery_outage"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: datetime | None = _when()
    open: bool | None = Field(default=True, sa_column=Column(Boolean, unique=True, nullable=True))
    last_error: str | None = Field(default=None, max_length=500)
    delayed: int = 0
    expired: int = 0


ALL_TABLES.extend([ChatPace, DeliveryOutage])


# -- the memo to the director (issue 15) ----------------------------------------------------


class MemoState(StrEnum):
    DRAFT = "draft"  # numbered and written; not yet before the director
    PROPOSED = "proposed"  # before the director (the coordinator proposed it, or it went at once)
    ORDERED = "ordered"  # the director's order is written into its box
    CLOSED = "closed"  # the order's outcome is known


class MemoOrderKind(StrEnum):
    """What the director ordered on a memo (the buttons of the director's copy)."""

    DEADLINE = "deadline"  # สั่งการให้จัดส่งภายใน …: a new deadline, with its short ladder
    EXCUSED = "excused"  # ยกเว้น, with the reason typed
    DIRECTOR = "director"  # ทราบ จะสั่งการเอง: the director orders it in person


class MemoOutcome(StrEnum):
    """What came of a memo's order (and of each line: ``MemoLine.outcome``)."""

    SUBMITTED = "submitted"  # sent by the order's new deadline
    MISSED = "missed"  # still missing after it: the director was told again
    EXCUSED = "excused"
    DIRECTOR = "director"  # left to the director in person: nothing more for the bot to do


class MemoDocumentKind(StrEnum):
    MEMO = "memo"  # the memo as proposed, its order box empty
    ORDERED = "ordered"  # the signed version of record, the director's order in its box


class MemoCounter(SQLModel, table=True):
    """The last number given to a memo in a fiscal year (B.E.): ที่ runs per fiscal year, as
    in the office's register of documents, and a number once given is never given again."""

    __tablename__ = "memo_counter"

    fiscal_year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_number: int = 0


class Memo(SQLModel, table=True):
    """A memo (บันทึกข้อความ) to the director about a report still missing after the
    follow-ups: its number (``fiscal_year``, ``number``), where it stands, and the director's
    order once given. Its lines (who is missing) are :class:`MemoLine`; its .docx files are
    :class:`MemoDocument`, so that listing memos never loads a file."""

    __tablename__ = "memo"
    __table_args__ = (UniqueConstraint("fiscal_year", "number", name="uq_memo_fiscal_year_number"),)

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int = Field(index=True)
    number: int
    period_id: int = Field(foreign_key="period.id", index=True)
    obligation_id: int = Field(foreign_key="obligation.id")
    dated: date  # the date written on it (วันที่), an office day
    created_at: datetime = _created()
    state: str = Field(default=MemoState.DRAFT.value, max_length=16, index=True)
    review: str = Field(default="coordinator", max_length=16)  # who receives it first
    sent_to_staff_id: int | None = Field(default=None, foreign_key="staff.id")  # the latest
    sent_at: datetime | None = _when()
    proposed_at: datetime | None = _when()
    proposed_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    order_kind: str | None = Field(default=None, max_length=24)
    order_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new_due_at: datetime | None = _when()  # the new deadline the order set, if any
    ordered_at: datetime | None = _when()
    ordered_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    outcome: str | None = Field(default=None, max_length=24)
    closed_at: datetime | None = _when()
    # what the memo states, as plain data frozen when it was written (jobs.duties.memos.memo_facts):
    # every copy of the .docx is rendered from it, so that each reads the same
    facts: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # the order's short ladder (jobs.duties.memos): its next step, and when it is due
    next_action_at: datetime | None = _when(index=True)
    order_step: int = 0


class MemoLine(SQLModel, table=True):
    """One person missing, as the memo writes them: numbered (``number``: ๑., ๒. …), with the
    name, group and position of the day, the due instant and the days they were followed up
    (ISO dates, office time)."""

    __tablename__ = "memo_line"
    __table_args__ = (
        UniqueConstraint("memo_id", "number", name="uq_memo_line_number"),
        UniqueConstraint("memo_id", "assignment_id", name="uq_memo_line_assignment"),
    )

    id: int | None = Field(default=None, primary_key=True)
    memo_id: int = Field(foreign_key="memo.id", index=True)
    number: int
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    name: str = Field(max_length=200)
    group_name: str = Field(max_length=500)
    position: str = Field(default="", max_length=300)  # ตำแหน่ง, as written
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    followups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str | None = Field(default=None, max_length=24)  # after the order, per person


class MemoDocument(SQLModel, table=True):
    """A .docx rendered from a memo, with the words it was rendered from (``content``): the
    memo as proposed and, later, the version of record with the director's order."""

    __tablename__ = "memo_document"

    memo_id: int = Field(foreign_key="memo.id", primary_key=True)
    kind: str = Field(primary_key=True, max_length=16)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    file: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    rendered_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


ALL_TABLES.extend([MemoCounter, Memo, MemoLine, MemoDocument])


class Project(SQLModel, table=True):
    """A project (โครงการ) of the office's action plan for a fiscal year (B.E.), imported from
    the plan's sheet (``staff-report-bot projects import``): its code is unique in its year,
    the budget is kept in satang (an integer: 1,250,000.50 บาท is 125000050), the group and
    the responsible person as matched (either may be unknown). A project dropped from the
    sheet is closed (``active`` false, ``closed_at``), never deleted."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("fiscal_year", "code", name="uq_project_fiscal_year_code"),)

    id: int | None = Field(default=None, primary_key=True)
    fiscal_year: int = Field(index=True)
    code: str = Field(max_length=60)
    name: str = Field(max_length=500)
    budget_satang: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    group_id: int | None = Field(default=None, foreign_key="work_group.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    active: bool = True
    closed_at: datetime | None = _when()
    created_at: datetime = _created()
    updated_at: datetime = _created()


ALL_TABLES.append(Project)


# -- the publication queue (measures 1.2 and 1.3) ------------------------------------------


class Publication(SQLModel, table=True):
    """News or a document a staff member asks the web officer to publish (/publish): on the
    website, the social page or both. A draft while it is being put together; then waiting,
    with ``next_action_at`` the web officer's next reminder (what the tick scans), until
    published (with its links) or declined (with the reason)."""

    __tablename__ = "publication"
    __table_args__ = (Index("ix_publication_next_action_at", "next_action_at"),)

    id: int | None = Field(default=None, primary_key=True)
    sender_staff_id: int = Field(foreign_key="staff.id", index=True)
    destination: str = Field(default="", max_length=8)  # web, social, both
    status: str = Field(default="draft", max_length=16)  # draft, waiting, published, declined
    requested_at: datetime | None = _when(index=True)
    decided_at: datetime | None = _when(index=True)
    decided_by_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reason: str | None = Field(default=None, max_length=500)
    next_step: int = 0
    next_action_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    created_at: datetime = _created()


class PublicationPart(SQLModel, table=True):
    """One message of a publication's content: a text, a photo or a file (by Telegram's
    file id), in the order sent; a row each, so that an album's photos arriving at once are
    all kept."""

    __tablename__ = "publication_part"

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publication.id", index=True)
    kind: str = Field(max_length=16)  # text, photo, document
    text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    file_id: str | None = Field(default=None, max_length=300)
    file_name: str | None = Field(default=None, max_length=300)
    added_at: datetime = _created()


class PublicationEvidence(SQLModel, table=True):
    """A published item recorded as evidence of a monthly E-Service or social report."""

    __tablename__ = "publication_evidence"

    assignment_id: int = Field(foreign_key="assignment.id", primary_key=True)
    publication_id: int = Field(foreign_key="publication.id", primary_key=True)
    recorded_at: datetime = _created()


ALL_TABLES.extend([Publication, PublicationPart, PublicationEvidence])
# -- the board (a web page served by the bot) -----------------------------------------------


class BoardLink(SQLModel, table=True):
    """A one-time sign-in link to the board, asked for with /board: only its SHA-256 is kept;
    it is exchanged once (``used_at``), before ``expires_at``, for a session."""

    __tablename__ = "board_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    used_at: datetime | None = _when()


class BoardSession(SQLModel, table=True):
    """A signed-in browser: the cookie's SHA-256, whose it is, the token its forms must carry
    (``csrf``), until when; ``ended_at`` once signed out."""

    __tablename__ = "board_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    csrf: str = Field(max_length=64)
    via: str = Field(max_length=16)  # "link" (/board) or "webapp" (the Mini App)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    ended_at: datetime | None = _when()


ALL_TABLES.extend([BoardLink, BoardSession])
