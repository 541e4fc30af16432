"""/announce_maintenance: the procurement officer announces the annual maintenance plan for
government property (measure 1.4) to every staff member, through the outbox (one message a
person). Announcing it also confirms the officer's yearly report that asks for it
(``[loans] maintenance_obligation``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot.common.access import answer, requires
from bot.common.i18n import translator
from bot.common.render import Keyboard
from bot.common.services import services
from bot.common.texts import clean_text
from bot.loans.handover import current_draft, drop, save, stale, today_of
from bot.runtime.sender import markup
from jobs.calendar import fiscal_year_of
from storage import loans, outbox, people, schedule
from storage.models import Role
from storage.outbox import NewMessage

MAINTENANCE_CALLBACK = "mt:"
MIN_TEXT, MAX_TEXT = 10, 3000
DUTY_AHEAD = timedelta(days=400)


@requires(Role.PROCUREMENT)
async def announce_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """/announce_maintenance: asks for the announcement's text, then previews it."""
    app, _ = services(context), translator(officer.language)
    await save(app, officer, "announce", "text", {})
    await answer(
        update,
        _(
            "Please type the announcement of this year's maintenance plan for government "
            "property in one message: what will be maintained, when, and whom to contact. It "
            "will be sent to every staff member. (/cancel stops without sending anything.)"
        ),
    )


def clean_lines(text: str) -> str:
    """Free text of several lines: each line cleaned, blank runs kept to one."""
    lines = [clean_text(line, MAX_TEXT + 1) for line in text.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip()


async def announcement_text(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    officer: people.Person,
    data: dict[str, Any],
    text: str,
) -> None:
    """The announcement: checked, then shown as everyone will read it, with Confirm."""
    app, _ = services(context), translator(officer.language)
    announcement = clean_lines(text)
    if not MIN_TEXT <= len(announcement) <= MAX_TEXT:
        await answer(
            update,
            _("Please type the announcement in one message of {low} to {high} characters.").format(
                low=MIN_TEXT, high=MAX_TEXT
            ),
        )
        return
    count = len(await app.db.run(loans.active_staff))
    await save(app, officer, "announce", "preview", {"text": announcement})
    keyboard: Keyboard = [
        [(_("Confirm"), f"{MAINTENANCE_CALLBACK}ok"), (_("Cancel"), f"{MAINTENANCE_CALLBACK}no")]
    ]
    preview = _("This announcement will be sent to {count} staff members:").format(count=count)
    await answer(
        update,
        f"{preview}\n\n{announcement}\n\n" + _("Press Confirm to send it."),
        reply_markup=markup(keyboard),
    )


@requires(Role.PROCUREMENT)
async def announce_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, officer: people.Person
) -> None:
    """Confirm: one message a staff member, the announcement kept, the yearly report done."""
    query, app, _ = update.callback_query, services(context), translator(officer.language)
    action = (query.data or "").removeprefix(MAINTENANCE_CALLBACK) if query else ""
    if action == "no":
        await drop(app, officer)
        await answer(update, _("Cancelled. Nothing was changed."))
        return
    row = await current_draft(app, officer, "announce", "preview")
    if action != "ok" or row is None:
        await stale(update, _)
        return
    count, title = await _announce(context, officer, str(row.data["text"]))
    app.wake()
    lines = [_("The announcement is on its way to {count} staff members.").format(count=count)]
    if title:
        lines.append(_('The report "{title}" is recorded as sent.').format(title=title))
    await answer(update, "\n".join(lines))


async def _announce(
    context: ContextTypes.DEFAULT_TYPE, officer: people.Person, text: str
) -> tuple[int, str]:
    """In one transaction; returns how many will hear it and the title of the report confirmed."""
    app = services(context)
    now, fiscal_year = app.clock(), fiscal_year_of(today_of(app))

    def work(session: Session) -> tuple[int, str]:
        staff = loans.active_staff(session)
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
        title = _confirm_duty(session, app.settings.loans.maintenance_obligation, officer, now)
        loans.drop_draft(session, officer.id)
        return len(staff), title

    return await app.db.run(work)


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
