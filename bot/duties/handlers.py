"""Confirming "sent", attaching evidence, and the director's answers to an escalation."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session
from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.common import questions
from bot.common.access import answer, registered
from bot.common.i18n import Translate, format_date, format_datetime, translator
from bot.common.render import period_label
from bot.common.roles import role_name
from bot.common.services import services
from bot.common.texts import clean_text, parse_number
from bot.duties.buttons import DONE, ESCALATION, SNOOZE
from bot.runtime.sender import markup
from jobs.calendar import OfficeCalendar
from jobs.tick import duty_params, reminder_params
from storage import audit, office, outbox, people, power, schedule
from storage import questions as stored
from storage.models import Leave, Role, Staff
from storage.outbox import NewMessage

log = logging.getLogger(__name__)
LIST_AHEAD = timedelta(days=31)
MAX_REASON = 500
DONE_CALLBACK, ESCALATION_CALLBACK, SNOOZE_CALLBACK = DONE.prefix, ESCALATION.prefix, SNOOZE.prefix
CONFIRMED = (schedule.ConfirmOutcome.ON_TIME, schedule.ConfirmOutcome.LATE)


def parse_id(data: str | None, prefix: str) -> int | None:
    """``done:12`` → 12; anything else (forged, truncated, foreign) → None."""
    if not (data or "").startswith(prefix):
        return None
    return parse_number((data or "").removeprefix(prefix))


def _duty_line(duty: schedule.Duty, language: str, context: ContextTypes.DEFAULT_TYPE) -> str:
    zone = services(context).settings.office.zone
    params = duty_params(duty.obligation, duty.period)
    title = duty.obligation.title_en if language == "en" else duty.obligation.title_th
    return f"{title} — {period_label(params, language, zone)}"


@registered
async def done_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/done: the person's open reports, each a button to confirm it."""
    app, _ = services(context), translator(person.language)
    due_before = app.clock() + LIST_AHEAD
    duties = await app.db.run(lambda s: schedule.open_duties(s, person, due_before=due_before))
    if not duties:
        await answer(update, _("You have no report waiting to be confirmed. Thank you."))
        return
    zone = app.settings.office.zone
    lines = [_("Your open reports; press the one you have sent:"), ""]
    keyboard = []
    for number, duty in enumerate(duties, start=1):
        due = format_datetime(duty.period.due_at.astimezone(zone), person.language)
        lines.append(f"{number}. {_duty_line(duty, person.language, context)}")
        lines.append("   " + _("due by {due}").format(due=due))
        keyboard.append(
            [
                (
                    _("Report sent: no. {number}").format(number=number),
                    f"{DONE_CALLBACK}{duty.assignment.id}",
                )
            ]
        )
    await answer(update, "\n".join(lines), reply_markup=markup(keyboard))


@registered
async def done_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """A press on "ส่งรายงานแล้ว": record it, mark the reminder done, offer to take evidence."""
    query, app, _ = update.callback_query, services(context), translator(person.language)
    assignment_id = parse_id(query.data if query else None, DONE_CALLBACK)
    if query is None or assignment_id is None:
        await answer(update, _("This button is no longer valid. Please type the command again."))
        return
    now = app.clock()

    def confirm(session: Session) -> tuple[schedule.ConfirmOutcome, schedule.Duty | None]:
        """The confirmation, its audit event and the evidence window: one commit."""
        outcome, duty = schedule.confirm(
            session, assignment_id, person=person, now=now, via="button"
        )
        if duty is not None and outcome in CONFIRMED:
            evidence_window = {"assignment": assignment_id}
            ttl = questions.LIFETIME[questions.EVIDENCE]
            stored.ask(session, person.id, questions.EVIDENCE, evidence_window, now=now, ttl=ttl)
        return outcome, duty

    outcome, duty = await app.db.run(confirm)
    if outcome in (schedule.ConfirmOutcome.NOT_FOUND, schedule.ConfirmOutcome.NOT_ALLOWED):
        await query.answer(
            _("This report is not yours to confirm. Nothing was changed."), show_alert=True
        )
        return
    if outcome is schedule.ConfirmOutcome.ALREADY or duty is None:
        await query.answer(
            _("This report was already confirmed. Nothing was changed."), show_alert=True
        )
        return
    hint = _(
        "If you have the evidence file (a document or a photo), send it here within 30 "
        "minutes, or reply to the reminder with it, and it will be kept with this report."
    )
    # Both calls at once: the press stops spinning and the reminder shows it is done together.
    _answered, marked = await asyncio.gather(
        query.answer(_("Recorded. Thank you.")),
        _mark_done(context, query.message, duty, person, outcome, hint),
    )
    if not marked:
        text = _confirmation_text(outcome, duty, person.language, context)
        await answer(update, text, acknowledged=True)


def _status_line(
    outcome: schedule.ConfirmOutcome, when: datetime, _: Translate, language: str
) -> str:
    moment = format_datetime(when, language)
    if outcome is schedule.ConfirmOutcome.LATE:
        return _("✅ Report sent (late) on {moment}").format(moment=moment)
    return _("✅ Report sent on time on {moment}").format(moment=moment)


def _confirmation_text(
    outcome: schedule.ConfirmOutcome,
    duty: schedule.Duty,
    language: str,
    context: ContextTypes.DEFAULT_TYPE,
) -> str:
    _ = translator(language)
    zone = services(context).settings.office.zone
    when = (duty.assignment.confirmed_at or services(context).clock()).astimezone(zone)
    return "\n".join(
        [
            _status_line(outcome, when, _, language),
            _duty_line(duty, language, context),
            "",
            _(
                "If you have the evidence file (a document or a photo), send it here within 30 "
                "minutes, or reply to the reminder with it, and it will be kept with this report."
            ),
        ]
    )


async def _mark_done(
    context: ContextTypes.DEFAULT_TYPE,
    pressed: object,
    duty: schedule.Duty,
    person: people.Person,
    outcome: schedule.ConfirmOutcome,
    hint: str = "",
) -> bool:
    """Edit the reminder itself: its buttons go and a line says it is done (one call, rather
    than a message more). Not a list of several reports (/done): its other buttons stay."""
    if not isinstance(pressed, Message) or not pressed.text or _lists_several(pressed):
        return False
    _ = translator(person.language)
    zone = services(context).settings.office.zone
    when = (duty.assignment.confirmed_at or services(context).clock()).astimezone(zone)
    status = _status_line(outcome, when, _, person.language)
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
    return sum(d.startswith(DONE_CALLBACK) for d in data) > 1


@registered
async def evidence(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """A document or photo: evidence for the report just confirmed, or the one replied to."""
    message, app, _ = update.effective_message, services(context), translator(person.language)
    if message is None:
        return
    assignment_id = await _evidence_target(update, context, person)
    if assignment_id is None:
        await answer(
            update,
            _(
                'Thank you for the file. To keep it as evidence, first press "Report sent" on the '
                "reminder (or type /done), then send the file again."
            ),
        )
        return
    duty = await app.db.run(lambda s: schedule.duty(s, assignment_id))
    if duty is None or not schedule.may_confirm(duty.assignment, person):
        await answer(update, _("This report is not yours to confirm. Nothing was changed."))
        return
    file_id, file_name = _file_of(message)
    path = await _keep_copy(context, file_id, file_name, assignment_id)
    now = app.clock()

    def keep(session: Session) -> tuple[schedule.ConfirmOutcome, schedule.Duty | None]:
        # a file sent in reply to an open reminder is the confirmation itself
        outcome, confirmed = schedule.confirm(
            session, assignment_id, person=person, now=now, via="evidence"
        )
        schedule.attach_evidence(
            session,
            assignment_id,
            person=person,
            file_id=file_id,
            file_name=file_name,
            path=path,
            now=now,
        )
        return outcome, confirmed

    outcome, confirmed = await app.db.run(keep)
    await questions.take(app, person, questions.EVIDENCE)
    kept = _("The evidence file {name} is kept with the report. Thank you.").format(name=file_name)
    if outcome in (schedule.ConfirmOutcome.ON_TIME, schedule.ConfirmOutcome.LATE) and confirmed:
        zone = app.settings.office.zone
        when = (confirmed.assignment.confirmed_at or app.clock()).astimezone(zone)
        status = _status_line(outcome, when, _, person.language)
        kept = f"{status}\n{_duty_line(confirmed, person.language, context)}\n\n{kept}"
        await _mark_done(context, message.reply_to_message, confirmed, person, outcome)
    await answer(update, kept)


async def _evidence_target(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> int | None:
    message, app = update.effective_message, services(context)
    replied = message.reply_to_message if message else None
    if replied is not None and update.effective_chat is not None:
        chat_id, message_id = update.effective_chat.id, replied.message_id
        row = await app.db.run(lambda s: outbox.by_telegram_message(s, chat_id, message_id))
        if row is not None and row.assignment_id is not None:
            return row.assignment_id
    pending = await questions.peek(app, person, questions.EVIDENCE)
    return int(pending["assignment"]) if pending else None


def _file_of(message: Message) -> tuple[str, str]:
    if message.document is not None:
        return message.document.file_id, message.document.file_name or "document"
    photo = message.photo[-1]  # the largest size
    return photo.file_id, f"photo-{photo.file_unique_id}.jpg"


async def _keep_copy(
    context: ContextTypes.DEFAULT_TYPE, file_id: str, file_name: str, assignment_id: int
) -> str | None:
    """Download a local copy where the config asks for one; a failure keeps the file id only."""
    directory = services(context).settings.evidence.local_copy_dir
    if directory is None:
        return None
    target = Path(directory) / str(assignment_id) / Path(file_name).name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        telegram_file = await context.bot.get_file(file_id)
        await telegram_file.download_to_drive(target)
    except (TelegramError, OSError) as error:
        log.warning("could not keep a local copy of evidence for %s: %s", assignment_id, error)
        return None
    return str(target)


ESCALATION_ROLES = (Role.DIRECTOR, Role.GROUP_HEAD)
"""Who may answer an escalation: the director (or acting officer), a group head for their group."""
AUDITED_ROLES = (Role.DIRECTOR, Role.COORDINATOR, Role.GROUP_HEAD)
"""Who receives escalations, and so whose refused presses are attempts worth auditing."""


def parse_escalation(data: str | None) -> tuple[str, int] | None:
    """``esc:r:12`` → ("r", 12): remind again; ``x``: excuse; ``o``: "I will order it"."""
    rest = (data or "").removeprefix(ESCALATION_CALLBACK)
    action, _, number = rest.partition(":")
    if not (data or "").startswith(ESCALATION_CALLBACK) or action not in ("r", "x", "o"):
        return None
    assignment_id = parse_id(number, "")
    return (action, assignment_id) if assignment_id is not None else None


async def may_answer(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    duty: schedule.Duty,
    action: str,
) -> bool:
    """Checked on the server at every press and again at the typed reason (storage.power):
    a refusal is answered politely and changes nothing else; it is audited when the presser
    holds a role that receives escalations (a forged press by anyone else is refused like any
    stale button: they were never sent such buttons and hold no power to misuse)."""
    app, _ = services(context), translator(person.language)
    now = app.clock()
    today = now.astimezone(app.settings.office.zone).date()

    def judge(session: Session) -> power.Answer:
        verdict = power.escalation_answer(session, person, duty.assignment, today, action)
        if verdict is not power.Answer.ALLOWED and person.has_any(*AUDITED_ROLES):
            schedule.record_event(
                session,
                duty.assignment.id or 0,
                "assignment.escalation_answer_refused",
                now=now,
                **audit.by_staff(person.id),
                details={"action": action, "reason": verdict.value},
            )
        return verdict

    verdict = await app.db.run(judge)
    if verdict is not power.Answer.ALLOWED:
        await answer(update, _escalation_refusal(verdict, _))
    return verdict is power.Answer.ALLOWED


async def _receives_escalations(context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> bool:
    """The director, the coordinator, group heads — and whoever acts for the director today."""
    if person.has_any(*AUDITED_ROLES):
        return True
    app = services(context)
    today = app.clock().astimezone(app.settings.office.zone).date()
    return await app.db.run(lambda s: office.is_acting(s, person.id, today))


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


@registered
async def escalation_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """The buttons on an escalation: remind again now, excuse (with a reason), or "I will
    order it myself" — for whoever may answer for that assignment (see ``may_answer``)."""
    query, app, _ = update.callback_query, services(context), translator(person.language)
    if not await _receives_escalations(context, person):  # never sent one: a stale or forged press
        await answer(update, _escalation_refusal(power.Answer.NOT_ALLOWED, _))
        return
    parsed = parse_escalation(query.data if query else None)
    duty = await app.db.run(lambda s: schedule.duty(s, parsed[1])) if parsed else None
    if parsed is None or duty is None or duty.assignment.status not in schedule.OPEN_STATUSES:
        await answer(update, _("This report is no longer open. Nothing was changed."))
        return
    action, assignment_id = parsed
    if not await may_answer(update, context, person, duty, action):
        return
    if action == "o":
        now, by = app.clock(), audit.by_staff(person.id)
        await app.db.run(
            lambda s: schedule.record_event(
                s, assignment_id, "assignment.director_will_order", now=now, **by
            )
        )
        await answer(
            update, _("Recorded: the director will order it. It will show in the next digest.")
        )
        return
    if action == "x":
        await questions.ask(app, person, questions.EXCUSE_REASON, {"assignment": assignment_id})
        await answer(
            update, _("Please type the reason for the excuse in one message (or /cancel).")
        )
        return
    await _remind_again(update, context, person, duty)


async def _remind_again(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    person: people.Person,
    duty: schedule.Duty,
) -> None:
    app, _ = services(context), translator(person.language)
    now = app.clock()
    minute = now.strftime("%Y%m%d%H%M")
    params = reminder_params(duty.obligation, duty.period, duty.assignment, kind="again")

    def remind(session: Session) -> list[Staff]:
        recipients = schedule.recipients(session, duty.assignment)
        outbox.enqueue(
            session,
            [
                NewMessage(
                    f"assignment:{duty.assignment.id}:again-{minute}:to-{staff.id}",
                    staff.chat_id,
                    "duty",
                    params,
                    staff.id,
                    duty.assignment.id,
                )
                for staff in recipients
            ],
            now=now,
        )
        schedule.record_event(
            session,
            duty.assignment.id or 0,
            "assignment.reminded_again",
            now=now,
            **audit.by_staff(person.id),
        )
        return recipients

    recipients = await app.db.run(remind)
    app.wake()
    await answer(
        update,
        _("A further reminder is on its way to {names}.").format(
            names=", ".join(staff.full_name for staff in recipients) or "-"
        ),
    )


async def excuse_reason(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person, text: str
) -> None:
    """The reason typed after "excuse": the assignment is excused, with the reason logged
    (the right to answer checked again: roles may have changed since the press)."""
    app, _ = services(context), translator(person.language)
    asked = await questions.take(app, person, questions.EXCUSE_REASON)
    assignment_id = int(asked["assignment"]) if asked else 0
    reason = clean_text(text, MAX_REASON)
    duty = await app.db.run(lambda s: schedule.duty(s, assignment_id)) if asked else None
    if duty is None or duty.assignment.status not in schedule.OPEN_STATUSES:
        await answer(update, _("This report is no longer open. Nothing was changed."))
        return
    if not await may_answer(update, context, person, duty, "x"):
        return
    now = app.clock()
    excused = await app.db.run(
        lambda s: schedule.excuse(s, assignment_id, person=person, reason=reason, now=now)
    )
    if excused:
        await answer(update, _("Excused, with the reason: {reason}").format(reason=reason))
    else:
        await answer(update, _("This report is no longer open. Nothing was changed."))


@registered
async def snooze_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """ "Remind me again tomorrow": one more reminder on the next working day at opening,
    never after the due instant; the ladder's own steps are unchanged."""
    query, app, _ = update.callback_query, services(context), translator(person.language)
    assignment_id = parse_id(query.data if query else None, SNOOZE_CALLBACK)
    duty = await app.db.run(lambda s: schedule.duty(s, assignment_id)) if assignment_id else None
    if duty is None or not schedule.may_confirm(duty.assignment, person):
        await answer(update, _("This report is not yours to confirm. Nothing was changed."))
        return
    if duty.assignment.status not in schedule.OPEN_STATUSES:
        await answer(update, _("This report was already confirmed. Nothing was changed."))
        return
    calendar = OfficeCalendar.from_office(app.settings.office)
    now = app.clock()
    tomorrow = calendar.opening(calendar.next_working_day(now.astimezone(calendar.zone).date()))
    if tomorrow >= duty.period.due_at:
        await answer(
            update,
            _(
                "The due date comes before the next working day, so the reminder "
                "cannot be put off. Please send the report today."
            ),
        )
        return
    params = reminder_params(duty.obligation, duty.period, duty.assignment, kind="reminder")

    def snooze(session: Session) -> None:
        outbox.enqueue(
            session,
            [
                NewMessage(
                    f"assignment:{duty.assignment.id}:snooze-{tomorrow:%Y%m%d}:to-{person.id}",
                    person.staff.chat_id,
                    "duty",
                    params,
                    person.id,
                    duty.assignment.id,
                )
            ],
            now=now,
            not_before=tomorrow,
        )
        schedule.record_event(
            session,
            duty.assignment.id or 0,
            "assignment.snoozed",
            now=now,
            **audit.by_staff(person.id),
            details={"until": tomorrow.isoformat()},
        )

    await app.db.run(snooze)
    app.wake()
    await answer(
        update,
        _("I will remind you again on {when}.").format(
            when=format_datetime(tomorrow, person.language)
        ),
    )


MINE_AHEAD = timedelta(days=62)


@registered
async def mine(update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> None:
    """/mine: what the person owes, with due dates in B.E."""
    app, _ = services(context), translator(person.language)
    now, zone = app.clock(), app.settings.office.zone
    today = now.astimezone(zone).date()

    def owed(session: Session) -> tuple[list[schedule.Duty], Leave | None]:
        duties = schedule.open_duties(session, person, due_before=now + MINE_AHEAD)
        return duties, office.leave_on(session, person.id, today)

    duties, away = await app.db.run(owed)
    lines = [_("What you owe:") if duties else _("You owe nothing at the moment. Thank you.")]
    for duty in duties:
        due = format_datetime(duty.period.due_at.astimezone(zone), person.language)
        late = _(" (overdue)") if duty.period.due_at < now else ""
        lines.append(f"• {_duty_line(duty, person.language, context)}")
        lines.append("   " + _("due by {due}").format(due=due) + late)
    if away is not None:
        lines += [
            "",
            _("You are on leave until {date}: reminders wait until you are back.").format(
                date=format_date(away.ends_on, person.language)
            ),
        ]
    await answer(update, "\n".join(lines))
