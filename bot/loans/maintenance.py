"""/announce_maintenance: the procurement officer announces the annual maintenance plan for
government property (measure 1.4) to every staff member, through the outbox (one message a
person). Announcing it also confirms the officer's yearly report that asks for it
(``[loans] maintenance_obligation``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.common.kit import Turn, button, command
from bot.common.texts import clean_text
from bot.loans.handover import (
    Data,
    cancel_entry,
    confirm_or_cancel,
    current_draft,
    save,
    show,
    stale,
)
from bot.loans.texts import MAINTENANCE
from jobs.calendar import fiscal_year_of
from storage import loans, outbox, people, schedule
from storage.models import Role
from storage.outbox import NewMessage

MIN_TEXT, MAX_TEXT = 10, 3000
DUTY_AHEAD = timedelta(days=400)


@command(Role.PROCUREMENT)
async def announce_command(turn: Turn) -> None:
    """/announce_maintenance: asks for the announcement's text, then previews it."""
    await save(turn, "announce", "text", {})
    await turn.answer(
        turn._(
            "Please type the announcement of this year's maintenance plan for government "
            "property in one message: what will be maintained, when, and whom to contact. It "
            "will be sent to every staff member. (/cancel stops without sending anything.)"
        )
    )


def clean_lines(text: str) -> str:
    """Free text of several lines: each line cleaned, blank runs kept to one."""
    lines = [clean_text(line, MAX_TEXT + 1) for line in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


async def announcement_text(turn: Turn, data: Data, text: str) -> None:
    """The announcement: checked, then shown as everyone will read it, with Confirm."""
    _ = turn._
    announcement = clean_lines(text)
    if not MIN_TEXT <= len(announcement) <= MAX_TEXT:
        await turn.answer(
            _("Please type the announcement in one message of {low} to {high} characters.").format(
                low=MIN_TEXT, high=MAX_TEXT
            )
        )
        return
    count = len(await turn.run(loans.active_staff))
    await save(turn, "announce", "preview", {"text": announcement})
    preview = _("This announcement will be sent to {count} staff members:").format(count=count)
    lines = [preview, "", announcement, "", _("Press Confirm to send it.")]
    await show(turn, lines, confirm_or_cancel(_, MAINTENANCE("ok"), MAINTENANCE("no")))


@button(MAINTENANCE, Role.PROCUREMENT)
async def announce_button(turn: Turn, choice: str) -> None:
    """Confirm: one message a staff member, the announcement kept, the yearly report done."""
    if choice == "no":
        await cancel_entry(turn)
        return
    row = await current_draft(turn, "announce", "preview")
    if row is None:
        await stale(turn)
        return
    count, title = await _announce(turn, str(row.data["text"]))
    turn.app.wake()
    lines = [turn._("The announcement is on its way to {count} staff members.").format(count=count)]
    if title:
        lines.append(turn._('The report "{title}" is recorded as sent.').format(title=title))
    await turn.answer("\n".join(lines))


async def _announce(turn: Turn, text: str) -> tuple[int, str]:
    """In one transaction; returns how many will hear it and the title of the report confirmed."""
    now, fiscal_year = turn.now(), fiscal_year_of(turn.today())
    return await turn.run(lambda session: _send_to_all(session, turn, text, fiscal_year, now))


def _send_to_all(
    session: Session, turn: Turn, text: str, fiscal_year: int, now: datetime
) -> tuple[int, str]:
    officer, staff = turn.person, loans.active_staff(session)
    row = loans.record_announcement(
        session,
        fiscal_year=fiscal_year,
        text=text,
        by_staff_id=officer.id,
        recipients=len(staff),
        now=now,
    )
    params = {"text": text, "fiscal_year": fiscal_year, "officer": officer.name}
    messages = [
        NewMessage(f"maintenance:{row.id}:to-{s.id}", s.chat_id, "maintenance", params, s.id)
        for s in staff
    ]
    outbox.enqueue(session, messages, now=now)
    key = turn.settings.loans.maintenance_obligation
    title = _confirm_duty(session, key, officer, now)
    loans.drop_draft(session, officer.id)
    return len(staff), title


def _confirm_duty(session: Session, key: str, officer: people.Person, now: datetime) -> str:
    """The officer's open report of the maintenance plan, confirmed by the announcement."""
    duties = schedule.open_duties(session, officer, due_before=now + DUTY_AHEAD)
    duty = next((d for d in duties if d.obligation.key == key), None)
    if duty is None or duty.assignment.id is None:
        return ""
    outcome, _found = schedule.confirm(
        session, duty.assignment.id, person=officer, now=now, via="announcement"
    )
    if outcome not in (schedule.ConfirmOutcome.ON_TIME, schedule.ConfirmOutcome.LATE):
        return ""
    title: str = duty.obligation.title_en if officer.language == "en" else duty.obligation.title_th
    return title
