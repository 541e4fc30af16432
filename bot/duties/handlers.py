"""Confirming "sent", attaching evidence, and the director's answers to an escalation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session
from telegram import Message
from telegram.error import TelegramError

from bot.common import questions
from bot.common.i18n import Translate, format_date, format_datetime
from bot.common.kit import Turn, button, command
from bot.common.render import Keyboard, period_label
from bot.common.roles import role_name
from bot.common.texts import clean_text
from bot.duties.buttons import DONE, ESCALATION, SNOOZE
from bot.runtime.sender import markup
from jobs.calendar import OfficeCalendar, fiscal_year_of
from jobs.params import duty_params, reminder_params
from storage import audit, memos, office, outbox, people, power, projects, schedule
from storage import questions as stored
from storage.models import Leave, Role, Staff
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
LIST_AHEAD = timedelta(days=31)
MINE_AHEAD = timedelta(days=62)
MAX_REASON = 500
# bot/app.py's names for the duty buttons, until it wires bot.duties.feature.FEATURE
CONFIRMED = (schedule.ConfirmOutcome.ON_TIME, schedule.ConfirmOutcome.LATE)


# -- what every duty handler says -----------------------------------------------------------


async def open_duty(turn: Turn, assignment_id: int) -> schedule.Duty | None:
    """The assignment's duty while it is still open, or None."""
    duty = await turn.run(lambda s: schedule.duty(s, assignment_id))
    return duty if duty is not None and duty.assignment.status in schedule.OPEN_STATUSES else None


async def no_longer_open(turn: Turn) -> None:
    await turn.answer(turn._("This report is no longer open. Nothing was changed."))


def _not_yours(_: Translate) -> str:
    return _("This report is not yours to confirm. Nothing was changed.")


def _already(_: Translate) -> str:
    return _("This report was already confirmed. Nothing was changed.")


def _evidence_hint(_: Translate) -> str:
    return _(
        "If you have the evidence file (a document or a photo), send it here within 30 "
        "minutes, or reply to the reminder with it, and it will be kept with this report."
    )


def _duty_line(turn: Turn, duty: schedule.Duty) -> str:
    params = duty_params(duty.obligation, duty.period)
    title = duty.obligation.title_en if turn.language == "en" else duty.obligation.title_th
    if duty.project is not None:  # a report owed per project names its project
        title += " — " + turn._("project {project}").format(
            project=f"{duty.project.code} {duty.project.name}"
        )
    return f"{title} — {period_label(params, turn.language, turn.zone)}"


def _due_line(turn: Turn, duty: schedule.Duty) -> str:
    due = format_datetime(duty.period.due_at.astimezone(turn.zone), turn.language)
    return "   " + turn._("due by {due}").format(due=due)


def _record(
    session: Session,
    person: people.Person,
    duty: schedule.Duty,
    action: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """An audit event about the duty, by the person."""
    assignment_id = duty.assignment.id or 0
    by = audit.by_staff(person.id)
    schedule.record_event(session, assignment_id, action, now=now, **by, details=details)


# -- /done, the "Report sent" button and the evidence ---------------------------------------


@command()
async def done_command(turn: Turn) -> None:
    """/done: the person's open reports, each a button to confirm it."""
    person, due_before = turn.person, turn.now() + LIST_AHEAD
    duties = await turn.run(lambda s: schedule.open_duties(s, person, due_before=due_before))
    if not duties:
        await turn.answer(turn._("You have no report waiting to be confirmed. Thank you."))
        return
    lines = [turn._("Your open reports; press the one you have sent:"), ""]
    keyboard: Keyboard = []
    for number, duty in enumerate(duties, start=1):
        lines += [f"{number}. {_duty_line(turn, duty)}", _due_line(turn, duty)]
        label = turn._("Report sent: no. {number}").format(number=number)
        keyboard.append([(label, DONE(duty.assignment.id or 0))])
    await turn.answer("\n".join(lines), reply_markup=markup(keyboard))


@button(DONE)
async def done_button(turn: Turn, assignment_id: int) -> None:
    """A press on "ส่งรายงานแล้ว": record it, mark the reminder done, offer to take evidence."""
    person, now = turn.person, turn.now()
    outcome, duty = await turn.run(lambda s: _confirm(s, person, assignment_id, now))
    if outcome in (schedule.ConfirmOutcome.NOT_FOUND, schedule.ConfirmOutcome.NOT_ALLOWED):
        await turn.alert(_not_yours(turn._))
    elif outcome is schedule.ConfirmOutcome.ALREADY or duty is None:
        await turn.alert(_already(turn._))
    else:
        await _confirmed(turn, outcome, duty)


def _confirm(
    session: Session, person: people.Person, assignment_id: int, now: datetime
) -> tuple[schedule.ConfirmOutcome, schedule.Duty | None]:
    """The confirmation, its audit event and the evidence window: one commit."""
    outcome, duty = schedule.confirm(session, assignment_id, person=person, now=now, via="button")
    if duty is not None and outcome in CONFIRMED:
        window, ttl = {"assignment": assignment_id}, questions.LIFETIME[questions.EVIDENCE]
        stored.ask(session, person.id, questions.EVIDENCE, window, now=now, ttl=ttl)
    return outcome, duty


async def _confirmed(turn: Turn, outcome: schedule.ConfirmOutcome, duty: schedule.Duty) -> None:
    """The press stops spinning and the reminder shows it is done, both at once; a list of
    several reports (/done) is answered with a message instead."""
    query = turn.query
    assert query is not None  # a button's turn
    hint = _evidence_hint(turn._)
    _answered, marked = await asyncio.gather(
        query.answer(turn._("Recorded. Thank you.")),
        _mark_done(turn, query.message, duty, outcome, hint),
    )
    if not marked:
        await turn.answer(_confirmation_text(turn, outcome, duty, hint), acknowledged=True)


def _status_line(turn: Turn, outcome: schedule.ConfirmOutcome, duty: schedule.Duty) -> str:
    when = (duty.assignment.confirmed_at or turn.now()).astimezone(turn.zone)
    moment = format_datetime(when, turn.language)
    if outcome is schedule.ConfirmOutcome.LATE:
        return turn._("✅ Report sent (late) on {moment}").format(moment=moment)
    return turn._("✅ Report sent on time on {moment}").format(moment=moment)


def _confirmation_text(
    turn: Turn, outcome: schedule.ConfirmOutcome, duty: schedule.Duty, after: str
) -> str:
    return "\n".join([_status_line(turn, outcome, duty), _duty_line(turn, duty), "", after])


async def _mark_done(
    turn: Turn,
    pressed: object,
    duty: schedule.Duty,
    outcome: schedule.ConfirmOutcome,
    hint: str = "",
) -> bool:
    """Edit the reminder itself: its buttons go and a line says it is done (one call, rather
    than a message more). Not a list of several reports (/done): its other buttons stay."""
    if not isinstance(pressed, Message) or not pressed.text or _lists_several(pressed):
        return False
    status = _status_line(turn, outcome, duty)
    try:
        await pressed.edit_text(
            "\n\n".join(filter(None, (pressed.text, status, hint))), reply_markup=None
        )
    except TelegramError as error:  # an old message may no longer be editable
        log.warning("could not mark reminder %s as done: %s", pressed.message_id, error)
        return False
    return True


def _lists_several(message: Message) -> bool:
    buttons = message.reply_markup.inline_keyboard if message.reply_markup else ()
    data = [b.callback_data for row in buttons for b in row if isinstance(b.callback_data, str)]
    return sum(d.startswith(DONE.prefix) for d in data) > 1


@command()
async def evidence(turn: Turn) -> None:
    """A document or photo: evidence for the report just confirmed, or the one replied to."""
    if turn.message is None:
        return
    assignment_id = await _evidence_target(turn)
    if assignment_id is None:
        await turn.answer(
            turn._(
                'Thank you for the file. To keep it as evidence, first press "Report sent" on the '
                "reminder (or type /done), then send the file again."
            )
        )
        return
    duty = await turn.run(lambda s: schedule.duty(s, assignment_id))
    if duty is None or not schedule.may_confirm(duty.assignment, turn.person):
        await turn.answer(_not_yours(turn._))
        return
    await _keep_evidence(turn, turn.message, assignment_id)


async def _evidence_target(turn: Turn) -> int | None:
    """The reminder replied to, or else the report just confirmed (its evidence window)."""
    message, chat = turn.message, turn.update.effective_chat
    replied = message.reply_to_message if message else None
    if replied is not None and chat is not None:
        chat_id, message_id = chat.id, replied.message_id
        row = await turn.run(lambda s: outbox.by_telegram_message(s, chat_id, message_id))
        if row is not None and row.assignment_id is not None:
            return row.assignment_id
    pending = await questions.peek(turn.app, turn.person, questions.EVIDENCE)
    return int(pending["assignment"]) if pending else None


async def _keep_evidence(turn: Turn, message: Message, assignment_id: int) -> None:
    file_id, file_name = _file_of(message)
    path = await _keep_copy(turn, file_id, file_name, assignment_id)
    person, now, found = turn.person, turn.now(), (file_id, file_name, path)
    outcome, confirmed = await turn.run(lambda s: _attach(s, person, assignment_id, found, now))
    await questions.take(turn.app, person, questions.EVIDENCE)
    kept = turn._("The evidence file {name} is kept with the report. Thank you.")
    kept = kept.format(name=file_name)
    if outcome in CONFIRMED and confirmed:
        kept = _confirmation_text(turn, outcome, confirmed, kept)
        await _mark_done(turn, message.reply_to_message, confirmed, outcome)
    await turn.answer(kept)


def _attach(
    session: Session,
    person: people.Person,
    assignment_id: int,
    found: tuple[str, str, str | None],
    now: datetime,
) -> tuple[schedule.ConfirmOutcome, schedule.Duty | None]:
    """The file kept with the report; a file sent in reply to an open reminder is the
    confirmation itself (one commit)."""
    file_id, file_name, path = found
    outcome = schedule.confirm(session, assignment_id, person=person, now=now, via="evidence")
    schedule.attach_evidence(
        session,
        assignment_id,
        person=person,
        file_id=file_id,
        file_name=file_name,
        path=path,
        now=now,
    )
    return outcome


def _file_of(message: Message) -> tuple[str, str]:
    if message.document is not None:
        return message.document.file_id, message.document.file_name or "document"
    photo = message.photo[-1]  # the largest size
    return photo.file_id, f"photo-{photo.file_unique_id}.jpg"


async def _keep_copy(turn: Turn, file_id: str, file_name: str, assignment_id: int) -> str | None:
    """Download a local copy where the config asks for one; a failure keeps the file id only."""
    directory = turn.settings.evidence.local_copy_dir
    if directory is None:
        return None
    target = Path(directory) / str(assignment_id) / Path(file_name).name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        telegram_file = await turn.context.bot.get_file(file_id)
        await telegram_file.download_to_drive(target)
    except (TelegramError, OSError) as error:
        log.warning("could not keep a local copy of evidence for %s: %s", assignment_id, error)
        return None
    return str(target)


# -- the answers to an escalation -------------------------------------------------------------

ESCALATION_ROLES = (Role.DIRECTOR, Role.GROUP_HEAD)
"""Who may answer an escalation: the director (or acting officer), a group head for their group."""
AUDITED_ROLES = (Role.DIRECTOR, Role.COORDINATOR, Role.GROUP_HEAD)
"""Who receives escalations, and so whose refused presses are attempts worth auditing."""


async def may_answer(turn: Turn, duty: schedule.Duty, action: str) -> bool:
    """Checked on the server at every press and again at the typed reason (storage.power):
    a refusal is answered politely and changes nothing else; it is audited when the presser
    holds a role that receives escalations (a forged press by anyone else is refused like any
    stale button: they were never sent such buttons and hold no power to misuse)."""
    person, now = turn.person, turn.now()
    today = now.astimezone(turn.zone).date()

    def judge(session: Session) -> power.Answer:
        verdict = power.escalation_answer(session, person, duty.assignment, today, action)
        if verdict is not power.Answer.ALLOWED and person.has_any(*AUDITED_ROLES):
            details = {"action": action, "reason": verdict.value}
            _record(session, person, duty, "assignment.escalation_answer_refused", now, details)
        return verdict

    verdict = await turn.run(judge)
    if verdict is not power.Answer.ALLOWED:
        await turn.answer(_escalation_refusal(verdict, turn._))
    return verdict is power.Answer.ALLOWED


async def _receives_escalations(turn: Turn) -> bool:
    """The director, the coordinator, group heads — and whoever acts for the director today."""
    if turn.person.has_any(*AUDITED_ROLES):
        return True
    staff_id, today = turn.person.id, turn.now().astimezone(turn.zone).date()
    return await turn.run(lambda s: office.is_acting(s, staff_id, today))


def _escalation_refusal(verdict: power.Answer, _: Translate) -> str:
    if verdict is power.Answer.OWN:
        return _(
            "Sorry, this report is one you owe yourself, so someone else decides on it. "
            "Nothing was changed."
        )
    if verdict is power.Answer.OTHER_GROUP:
        return _(
            "Sorry, a group head may answer only for their own group's reports. "
            "Nothing was changed."
        )
    if verdict is power.Answer.DIRECTOR_ONLY:
        return _(
            "Sorry, only the director or the acting officer may say they will order it. "
            "Nothing was changed."
        )
    return _("Sorry, this is only for {roles}. Type /help to see what you can do.").format(
        roles=", ".join(role_name(r, _) for r in ESCALATION_ROLES)
    )


@button(ESCALATION)
async def escalation_button(turn: Turn, pressed: tuple[str, int]) -> None:
    """The buttons on an escalation: remind again now (r), excuse with a reason (x), or "I will
    order it myself" (o) — for whoever may answer for that assignment (see ``may_answer``)."""
    action, assignment_id = pressed
    if not await _receives_escalations(turn):  # never sent one: a stale or forged press
        await turn.answer(_escalation_refusal(power.Answer.NOT_ALLOWED, turn._))
        return
    duty = await open_duty(turn, assignment_id)
    if duty is None:
        await no_longer_open(turn)
    elif await may_answer(turn, duty, action):
        await _ESCALATION_ANSWERS[action](turn, duty)


async def _will_order(turn: Turn, duty: schedule.Duty) -> None:
    person, now = turn.person, turn.now()
    await turn.run(lambda s: _record(s, person, duty, "assignment.director_will_order", now))
    await turn.answer(
        turn._("Recorded: the director will order it. It will show in the next digest.")
    )


async def _ask_reason(turn: Turn, duty: schedule.Duty) -> None:
    about = {"assignment": duty.assignment.id}
    await questions.ask(turn.app, turn.person, questions.EXCUSE_REASON, about)
    await turn.answer(turn._("Please type the reason for the excuse in one message (or /cancel)."))


async def _remind_again(turn: Turn, duty: schedule.Duty) -> None:
    person, now = turn.person, turn.now()
    step = f"again-{now:%Y%m%d%H%M}"

    def remind(session: Session) -> list[Staff]:
        recipients = schedule.recipients(session, duty.assignment)
        messages = [_duty_message(duty, "again", step, staff) for staff in recipients]
        outbox.enqueue(session, messages, now=now)
        _record(session, person, duty, "assignment.reminded_again", now)
        return recipients

    recipients = await turn.run(remind)
    turn.app.wake()
    names = ", ".join(staff.full_name for staff in recipients) or "-"
    await turn.answer(turn._("A further reminder is on its way to {names}.").format(names=names))


_ESCALATION_ANSWERS: dict[str, Callable[[Turn, schedule.Duty], Awaitable[None]]] = {
    "r": _remind_again,
    "x": _ask_reason,
    "o": _will_order,
}


def _duty_message(duty: schedule.Duty, kind: str, step: str, to: Staff) -> NewMessage:
    """One more reminder of ``duty`` to one person, keyed by ``step`` (sent once)."""
    params = reminder_params(
        duty.obligation, duty.period, duty.assignment, kind=kind, project=duty.project
    )
    key = f"assignment:{duty.assignment.id}:{step}:to-{to.id}"
    return NewMessage(key, to.chat_id, "duty", params, to.id, duty.assignment.id)


async def excuse_reason(turn: Turn, text: str) -> None:
    """The reason typed after "excuse": the assignment is excused, with the reason logged
    (the right to answer checked again: roles may have changed since the press)."""
    asked = await questions.take(turn.app, turn.person, questions.EXCUSE_REASON)
    duty = await open_duty(turn, int(asked["assignment"])) if asked else None
    if duty is None:
        await no_longer_open(turn)
        return
    if not await may_answer(turn, duty, "x"):
        return
    person, reason, now = turn.person, clean_text(text, MAX_REASON), turn.now()
    assignment_id = duty.assignment.id or 0
    excused = await turn.run(
        lambda s: schedule.excuse(s, assignment_id, person=person, reason=reason, now=now)
    )
    if excused:
        await turn.answer(turn._("Excused, with the reason: {reason}").format(reason=reason))
    else:
        await no_longer_open(turn)


# -- "Remind me again tomorrow" ---------------------------------------------------------------


@button(SNOOZE)
async def snooze_button(turn: Turn, assignment_id: int) -> None:
    """ "Remind me again tomorrow": one more reminder on the next working day at opening,
    never after the due instant; the ladder's own steps are unchanged."""
    duty = await turn.run(lambda s: schedule.duty(s, assignment_id))
    if duty is None or not schedule.may_confirm(duty.assignment, turn.person):
        await turn.answer(_not_yours(turn._))
    elif duty.assignment.status not in schedule.OPEN_STATUSES:
        await turn.answer(_already(turn._))
    else:
        await _snooze(turn, duty)


async def _snooze(turn: Turn, duty: schedule.Duty) -> None:
    calendar = OfficeCalendar.from_office(turn.settings.office)
    person, now = turn.person, turn.now()
    tomorrow = calendar.opening(calendar.next_working_day(now.astimezone(calendar.zone).date()))
    if tomorrow >= duty.period.due_at:
        await turn.answer(
            turn._(
                "The due date comes before the next working day, so the reminder "
                "cannot be put off. Please send the report today."
            )
        )
        return
    message = _duty_message(duty, "reminder", f"snooze-{tomorrow:%Y%m%d}", person.staff)

    def snooze(session: Session) -> None:
        outbox.enqueue(session, [message], now=now, not_before=tomorrow)
        _record(session, person, duty, "assignment.snoozed", now, {"until": tomorrow.isoformat()})

    await turn.run(snooze)
    turn.app.wake()
    when = format_datetime(tomorrow, turn.language)
    await turn.answer(turn._("I will remind you again on {when}.").format(when=when))


# -- /mine ----------------------------------------------------------------------------------


@command()
async def mine(turn: Turn) -> None:
    """/mine: what the person owes, with due dates in B.E."""
    person, now = turn.person, turn.now()
    today = now.astimezone(turn.zone).date()

    def owed(session: Session) -> tuple[list[schedule.Duty], dict[int, datetime], Leave | None]:
        duties = schedule.open_duties(session, person, due_before=now + MINE_AHEAD)
        ordered = memos.order_deadlines(session, [duty.assignment.id or 0 for duty in duties])
        return duties, ordered, office.leave_on(session, person.id, today)

    duties, ordered, away = await turn.run(owed)
    lines = [_owed_line(turn, duty, now, ordered.get(duty.assignment.id or 0)) for duty in duties]
    if away is not None:
        lines += ["", _on_leave(turn, away)]
    lines += await _my_projects(turn, fiscal_year_of(today))
    heading = (
        turn._("What you owe:") if duties else turn._("You owe nothing at the moment. Thank you.")
    )
    await turn.answer("\n".join([heading, *lines]))


async def _my_projects(turn: Turn, fiscal_year: int) -> list[str]:
    """The open projects of the year the person is responsible for (the project register)."""
    staff_id = turn.person.id
    mine = await turn.run(lambda s: projects.projects_of_staff(s, staff_id, fiscal_year))
    if not mine:
        return []
    heading = turn._("Your projects of fiscal year {year}:").format(year=fiscal_year)
    return ["", heading, *(f"• {project.code} {project.name}" for project in mine)]


def _owed_line(
    turn: Turn, duty: schedule.Duty, now: datetime, ordered: datetime | None = None
) -> str:
    late = turn._(" (overdue)") if duty.period.due_at < now else ""
    line = f"• {_duty_line(turn, duty)}\n{_due_line(turn, duty)}{late}"
    if ordered is None:
        return line
    by = format_datetime(ordered.astimezone(turn.zone), turn.language)
    return line + "\n   " + turn._("by the director's order: by {due}").format(due=by)


def _on_leave(turn: Turn, away: Leave) -> str:
    return turn._("You are on leave until {date}: reminders wait until you are back.").format(
        date=format_date(away.ends_on, turn.language)
    )
