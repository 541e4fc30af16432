"""The memo's loop on the bot's side (issue 15): the .docx written from a memo's frozen facts,
the coordinator's proposal, the director's order recorded, written into the order box (the
version of record) and sent on.

The tick (``jobs.duties.memos``) numbers the memo and keeps what it states as plain data
(``Memo.facts``); every copy of the .docx is rendered here from those facts with the
``[memo]`` choices kept in them, so that the coordinator's, the director's and the export's
read the same. The files are kept (``storage.memos.store_document``) when the memo is acted
on: the memo as proposed when the coordinator proposes it (or when the director decides on
one that went at once), the ordered version when the director orders — rendered from the
very words kept (``MemoData.with_order``).

The functions that change rows take a session: the handlers run them in one transaction each
(``Turn.run``), with the outbox messages and the audit events they write.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlmodel import Session

from bot.common.i18n import N_, translator
from bot.common.render import Document, period_label, project_of
from bot.duties.memo import (
    MemoData,
    MemoFacts,
    MemoOrder,
    MissingFacts,
    render_memo,
    write_memo,
    write_order,
)
from jobs.duties.memos import (
    DECIDE,
    coordinators,
    deciders,
    first_order_action,
    memo_messages,
    office_calendar,
    order_deadline,
    order_instants,
    order_params,
)
from jobs.duties.settings import MemoSettings
from jobs.settings import Settings
from storage import audit, memos, office, outbox, people, power, schedule
from storage.db import Database
from storage.models import (
    Memo,
    MemoDocumentKind,
    MemoOrderKind,
    MemoOutcome,
    MemoState,
    Role,
    Staff,
)
from storage.outbox import NewMessage

log = logging.getLogger(__name__)

# what the order box says the director ordered (the director's own words follow it)
ORDER_WORDS = {
    MemoOrderKind.DEADLINE.value: N_("Those responsible are to submit the report without delay"),
    MemoOrderKind.EXCUSED.value: N_("Exempted from submitting the report, for this reason:"),
    MemoOrderKind.DIRECTOR.value: N_("Noted; I will order it myself"),
}
ACTING_TITLE = N_("Acting for the {title}")


# -- the .docx from the facts ---------------------------------------------------------------


def memo_settings(kept: Mapping[str, Any]) -> MemoSettings:
    """The ``[memo]`` choices kept with a memo; a template or emblem since removed from the
    server gives way to the bot's own (the words stay the memo's)."""
    try:
        return MemoSettings.model_validate(dict(kept))
    except ValidationError as error:
        log.warning("the memo's template or emblem is no longer usable (%s): the bot's own", error)
        rest = {k: v for k, v in kept.items() if k not in ("template", "emblem")}
        return MemoSettings.model_validate(rest)


def memo_data(facts: Mapping[str, Any], zone: ZoneInfo) -> MemoData:
    """The memo's words (Thai: the office's document of record) from its frozen facts."""
    missing = [
        MissingFacts(
            person["name"],
            person["group"],
            person.get("position", ""),
            date.fromisoformat(person["due"]),
            [date.fromisoformat(day) for day in person["followups"]],
            project_of(person),
        )
        for person in facts["missing"]
    ]
    written = MemoFacts(
        number=int(facts["number"]),
        dated=date.fromisoformat(facts["dated"]),
        title=str(facts["title"]),
        period=period_label(dict(facts["period"]), "th", zone),
        measure=str(facts["measure"]),
        due=date.fromisoformat(facts["due"]),
        missing=missing,
        office=str(facts["office"]),
        group=str(facts["group"]),
        director_title=str(facts["director_title"]),
        signer_name=str(facts["signer_name"]),
    )
    return write_memo(written, memo_settings(facts["settings"]), "th")


def render_data(data: MemoData, facts: Mapping[str, Any]) -> bytes:
    settings = memo_settings(facts["settings"])
    return render_memo(data, settings.template, emblem=settings.emblem)


def file_name(facts: Mapping[str, Any], *, ordered: bool = False) -> str:
    """``memo-2568-012.docx``; the version with the order: ``memo-2568-012-ordered.docx``."""
    return file_name_of(int(facts["fiscal_year"]), int(facts["number"]), ordered=ordered)


def file_name_of(fiscal_year: int, number: int, *, ordered: bool = False) -> str:
    stem = f"memo-{fiscal_year}-{number:03d}"
    return f"{stem}-ordered.docx" if ordered else f"{stem}.docx"


def memo_document(facts: Mapping[str, Any], zone: ZoneInfo) -> Document:
    """The memo as proposed, its order box empty."""
    return Document(file_name(facts), render_data(memo_data(facts, zone), facts))


def ordered_document(facts: Mapping[str, Any], content: Mapping[str, Any]) -> Document:
    """The version of record, from the words kept with the director's order in its box."""
    data = MemoData.from_json(content)
    return Document(file_name(facts, ordered=True), render_data(data, facts))


def number_text(facts: Mapping[str, Any]) -> str:
    """The memo's number as chat writes it: the office's prefix and the number (``ศธ 0262/12``)."""
    prefix = str(facts.get("settings", {}).get("prefix") or "")
    return f"{prefix}{facts['number']}"


def keep_memo(session: Session, memo: Memo, zone: ZoneInfo, now: datetime) -> MemoData:
    """The memo as proposed, kept once (rendered from its facts); its words."""
    kept = memos.document(session, memo.id or 0, MemoDocumentKind.MEMO)
    if kept is not None:
        return MemoData.from_json(kept.content)
    facts = memo.facts or {}
    data = memo_data(facts, zone)
    file = render_data(data, facts)
    memos.store_document(
        session, memo.id or 0, MemoDocumentKind.MEMO, file, content=data.to_json(), now=now
    )
    return data


# -- the coordinator proposes ---------------------------------------------------------------


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    ALREADY = "already"  # proposed (or ordered) before: nothing changed
    NOT_PROPOSED = "not_proposed"  # the director's buttons on a memo not before the director


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    facts: Mapping[str, Any]
    told: tuple[str, ...] = ()  # whom the step reached, by name
    new_due_at: datetime | None = None


def propose(
    session: Session, person: people.Person, memo_id: int, settings: Settings, now: datetime
) -> Result:
    """ "เสนอ": the memo goes before the director (or the acting officer), once; the memo as
    proposed is kept; the director's copy carries the order's buttons."""
    view = memos.memo(session, memo_id)
    if view is None or view.memo.facts is None:
        return Result(Outcome.NOT_FOUND, {})
    zone = settings.office.zone
    calendar = office_calendar(session, settings)
    directors = deciders(session, now.astimezone(zone).date())
    first = directors[0].id if directors else None
    if not memos.propose(session, memo_id, by_staff_id=person.id, to_staff_id=first, now=now):
        return Result(Outcome.ALREADY, view.memo.facts)
    keep_memo(session, view.memo, zone, now)
    facts = dict(view.memo.facts) | {"deadline": order_deadline(now, calendar).isoformat()}
    outbox.enqueue(session, memo_messages(facts, DECIDE, directors), now=now)
    details = {"number": view.memo.number, "to": [staff.id for staff in directors]}
    memos.record_event(
        session, memo_id, "memo.proposed", now=now, **audit.by_staff(person.id), details=details
    )
    return Result(Outcome.DONE, facts, tuple(staff.full_name for staff in directors))


# -- the director decides --------------------------------------------------------------------

RECEIVING = (Role.DIRECTOR, Role.COORDINATOR, Role.GROUP_HEAD)  # whose refusals are audited


def judge(
    session: Session, person: people.Person, memo_id: int, now: datetime, zone: ZoneInfo
) -> power.Answer | None:
    """Who may order on a memo: the director or the acting officer today, as for "I will order
    it" on an escalation (``storage.power.escalation_answer``), never on a memo that lists a
    report they owe themselves. None: no such memo. A refusal of someone who holds a role that
    receives memos is audited (a forged press by anyone else is refused like a stale one)."""
    view = memos.memo(session, memo_id)
    if view is None:
        return None
    today = now.astimezone(zone).date()
    verdict = power.Answer.ALLOWED
    for line in view.lines:
        duty = schedule.duty(session, line.assignment_id)
        if duty is not None:
            verdict = power.escalation_answer(session, person, duty.assignment, today, "o")
        if verdict is not power.Answer.ALLOWED:
            break
    if not view.lines and not _decides(session, person, today):
        verdict = power.Answer.NOT_ALLOWED
    if verdict is not power.Answer.ALLOWED and person.has_any(*RECEIVING):
        memos.record_event(
            session,
            memo_id,
            "memo.order_refused",
            now=now,
            **audit.by_staff(person.id),
            details={"reason": verdict.value},
        )
    return verdict


def _decides(session: Session, person: people.Person, today: date) -> bool:
    return Role.DIRECTOR in person.roles or office.is_acting(session, person.id, today)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the director decided: ``kind`` (a MemoOrderKind value) and their words."""

    kind: str
    words: str = ""


def decide(
    session: Session,
    person: people.Person,
    memo_id: int,
    decision: Decision,
    settings: Settings,
    now: datetime,
) -> Result:
    """The director's order, once: recorded in the memo (its order fields and ``memo.ordered``),
    written into the order box and kept as the version of record, sent to the director and the
    coordinators, and to each person concerned — the order with its new deadline, or the
    excuse; nothing to them when the director will order in person."""
    view = memos.memo(session, memo_id)
    if view is None or view.memo.facts is None:
        return Result(Outcome.NOT_FOUND, {})
    facts = view.memo.facts
    if view.memo.state == MemoState.DRAFT.value:
        return Result(Outcome.NOT_PROPOSED, facts)
    calendar = office_calendar(session, settings)
    ids = {line.assignment_id for line in view.lines}
    still_open = sorted(ids - schedule.closed_among(session, ids))
    order = _order(person, decision, now, calendar)
    if not memos.record_order(session, memo_id, order, now=now):
        return Result(Outcome.ALREADY, facts)
    session.refresh(view.memo)
    told = _carry_out(session, person, view, decision, still_open, now)
    data = keep_memo(session, view.memo, settings.office.zone, now)
    ordered = data.with_order(_box(person, decision, order, facts, settings, now))
    memos.store_document(
        session,
        memo_id,
        MemoDocumentKind.ORDERED,
        render_data(ordered, facts),
        content=ordered.to_json(),
        now=now,
    )
    details = {
        "number": view.memo.number,
        "order": decision.kind,
        "words": decision.words,
        "new_due_at": order.new_due_at.isoformat() if order.new_due_at else None,
        "reports": still_open,
    }
    memos.record_event(
        session, memo_id, "memo.ordered", now=now, **audit.by_staff(person.id), details=details
    )
    _send_record(session, view.memo, ordered, now, settings.office.zone)
    names = tuple(staff.full_name for staff in told)
    return Result(Outcome.DONE, facts, names, order.new_due_at)


def _order(person: people.Person, decision: Decision, now: datetime, calendar: Any) -> memos.Order:
    if decision.kind != MemoOrderKind.DEADLINE.value:
        outcome = (
            MemoOutcome.EXCUSED
            if decision.kind == MemoOrderKind.EXCUSED.value
            else MemoOutcome.DIRECTOR
        )
        return memos.Order(decision.kind, decision.words, person.id, outcome=outcome.value)
    new_due = order_deadline(now, calendar)
    first = first_order_action(order_instants(now, new_due, calendar))
    return memos.Order(decision.kind, decision.words, person.id, new_due, first)


def _carry_out(
    session: Session,
    person: people.Person,
    view: memos.MemoView,
    decision: Decision,
    still_open: list[int],
    now: datetime,
) -> list[Staff]:
    """What the order does to each report still open, and the messages to those concerned."""
    memo = view.memo
    params = order_params(memo)
    messages: list[NewMessage] = []
    told: list[Staff] = []
    if decision.kind == MemoOrderKind.DIRECTOR.value:
        for assignment_id in still_open:
            by = audit.by_staff(person.id)
            schedule.record_event(
                session, assignment_id, "assignment.director_will_order", now=now, **by
            )
        memos.set_line_outcomes(
            session, memo.id or 0, dict.fromkeys(still_open, MemoOutcome.DIRECTOR.value)
        )
        return []
    template = "director_order"
    if decision.kind == MemoOrderKind.EXCUSED.value:
        template = "order_excused"
        still_open = [
            aid
            for aid in still_open
            if schedule.excuse(session, aid, person=person, reason=decision.words, now=now)
        ]
        memos.set_line_outcomes(
            session, memo.id or 0, dict.fromkeys(still_open, MemoOutcome.EXCUSED.value)
        )
    for assignment_id in still_open:
        duty = schedule.duty(session, assignment_id)
        for staff in schedule.recipients(session, duty.assignment) if duty else []:
            told.append(staff)
            messages.append(
                NewMessage(
                    f"memo:{memo.id}:{template}:{assignment_id}:to-{staff.id}",
                    staff.chat_id,
                    template,
                    params | {"assignment_id": assignment_id},
                    staff.id,
                    assignment_id,
                )
            )
    outbox.enqueue(session, messages, now=now)
    return told


def _box(
    person: people.Person,
    decision: Decision,
    order: memos.Order,
    facts: Mapping[str, Any],
    settings: Settings,
    now: datetime,
) -> MemoOrder:
    """The order as the box writes it: what was ordered, the words, the new deadline, and who
    ordered it (an acting officer signs as acting for the director)."""
    _ = translator("th")
    kept = memo_settings(facts["settings"])
    zone = settings.office.zone
    title = kept.director_title or str(facts["director_title"])
    if Role.DIRECTOR not in person.roles:
        title = _(ACTING_TITLE).format(title=title)
    new_due = order.new_due_at.astimezone(zone).date() if order.new_due_at else None
    return write_order(
        kind=_(ORDER_WORDS[decision.kind]),
        text=decision.words,
        new_due=new_due,
        director=person.name,
        title=title,
        ordered_on=now.astimezone(zone).date(),
        settings=kept,
    )


def _send_record(
    session: Session, memo: Memo, ordered: MemoData, now: datetime, zone: ZoneInfo
) -> None:
    """The version of record to the director (or acting officer) and the coordinators."""
    today = now.astimezone(zone).date()
    readers: dict[int, Staff] = {}
    for staff in [*deciders(session, today), *coordinators(session)]:
        readers.setdefault(staff.id or 0, staff)
    params = order_params(memo) | {"content": ordered.to_json()}
    messages = [
        NewMessage(
            f"memo:{memo.id}:ordered:to-{staff.id}", staff.chat_id, "memo_ordered", params, staff.id
        )
        for staff in readers.values()
    ]
    outbox.enqueue(session, messages, now=now)


# -- every memo of a year, for the assessor ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Archive:
    memos: int  # memos of the fiscal year
    files: tuple[str, ...]  # the .docx files written into the zip


def memo_archive(db: Database, fiscal_year: int, zone: ZoneInfo, out: Path | BinaryIO) -> Archive:
    """Every memo of ``fiscal_year`` in one zip: each memo as proposed and, once the director
    has ordered, its version of record. A memo not yet acted on is rendered from its facts
    (nothing is written to the database)."""
    files: list[tuple[str, bytes]] = []
    with db.transaction() as session:
        found = memos.memos_of_year(session, fiscal_year)
        for view in found:
            files += _archived(session, view.memo, zone)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return Archive(len(found), tuple(name for name, _ in files))


def _archived(session: Session, memo: Memo, zone: ZoneInfo) -> list[tuple[str, bytes]]:
    memo_id, year, number = memo.id or 0, memo.fiscal_year, memo.number
    files: list[tuple[str, bytes]] = []
    kept = memos.document(session, memo_id, MemoDocumentKind.MEMO)
    if kept is not None:
        files.append((file_name_of(year, number), kept.file))
    elif memo.facts:
        files.append((file_name_of(year, number), memo_document(memo.facts, zone).content))
    ordered = memos.document(session, memo_id, MemoDocumentKind.ORDERED)
    if ordered is not None:
        files.append((file_name_of(year, number, ordered=True), ordered.file))
    return files
