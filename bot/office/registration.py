"""Registering by invite link, and what a person can ask about themselves."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update, User
from telegram.ext import ContextTypes

from bot.common import menus
from bot.common.access import answer, how_to_register, load_person
from bot.common.callbacks import Choice, choices
from bot.common.i18n import LANGUAGES, Translate, format_date, translator
from bot.common.kit import Turn, button, command, turn_of
from bot.common.roles import commands_for, role_list, role_name
from bot.common.services import services
from bot.common.texts import clean_text, group_names
from bot.runtime.sender import markup
from storage import complaints, invites, people
from storage.models import Language

MAX_NAME_LENGTH = 120
LANGUAGE = Choice("lang:", choices(*LANGUAGES))  # the /language buttons: lang:th, lang:en


def _newcomer(user: User, chat_id: int) -> invites.Newcomer:
    return invites.Newcomer(
        telegram_user_id=user.id,
        chat_id=chat_id,
        # Telegram lets a name hold anything, a direction override (U+202E) included
        full_name=clean_text(user.full_name, MAX_NAME_LENGTH) or str(user.id),
        username=user.username,
        language=Language.TH,
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [code]: register with an invite code, or explain how to. A payload a feature
    declared (``/start complain``, from the complaint channel's link on the office website)
    opens what that feature says instead, for anyone: it is never tried as an invite code."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    code = context.args[0] if context.args else ""
    if not code:
        await _greet(update, context)
        return
    app = services(context)
    opened = app.catalog.start_payloads.get(code.lower())
    if opened is not None:
        await opened(update, context)
        return
    newcomer, now = _newcomer(user, chat.id), app.clock()
    result = await app.db.run(lambda s: invites.redeem(s, code=code, newcomer=newcomer, now=now))
    known = await load_person(update, context)
    await answer(update, _redemption_text(result, known.language if known else "th", context))
    if result.person is not None and result.outcome in _CHANGED:
        app.wake(materialise=True)  # the newcomer owes what is still open
        await menus.set_for(context.bot, result.person, app.settings)


_CHANGED = (invites.RedeemOutcome.REGISTERED, invites.RedeemOutcome.GRANTED)


async def _greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await load_person(update, context)
    if person is None or not person.staff.active:
        await answer(update, how_to_register(context))
        return
    turn = turn_of(update, context, person)
    hello = turn._("Hello, {name}. You are already registered. Type /help to see what you can do.")
    await turn.answer(hello.format(name=person.name))


def _redemption_text(
    result: invites.Redemption, language: str, context: ContextTypes.DEFAULT_TYPE
) -> str:
    outcome, person = result.outcome, result.person
    _ = translator(person.language if person else language)
    if outcome is invites.RedeemOutcome.UNKNOWN:
        return _(
            "This registration code is not valid. Please check the link or the code, or ask "
            "the system administrator for a new one. Nothing has been registered."
        )
    if outcome is invites.RedeemOutcome.EXPIRED:
        return _(
            "This registration code has expired. Please ask the system administrator for a "
            "new one. Nothing has been registered."
        )
    if outcome is invites.RedeemOutcome.USED_UP:
        return _(
            "This registration code has already been used. Each code works only for the "
            "people it was made for; please ask the system administrator for your own code."
        )
    assert person is not None
    if outcome is invites.RedeemOutcome.INACTIVE:
        return _(
            "Your registration has been deactivated. Please contact the system "
            "administrator if this is a mistake."
        )
    return _registered_text(result, person, _, context)


def _registered_text(
    result: invites.Redemption,
    person: people.Person,
    _: Translate,
    context: ContextTypes.DEFAULT_TYPE,
) -> str:
    where = group_names(person.groups, person.language) or "-"
    roles = role_list(person.roles, _)
    if result.outcome is invites.RedeemOutcome.ALREADY:
        return _(
            "{name}, you are already registered in {groups} as {roles}. "
            "There is no need to register again."
        ).format(name=person.name, groups=where, roles=roles)
    if result.outcome is invites.RedeemOutcome.GRANTED:
        return _("{name}, your registration now includes {group} as {role}.").format(
            name=person.name,
            group=group_names([result.group], person.language) if result.group else "-",
            role=role_name(result.role, _) if result.role else "-",
        )
    office = services(context).settings.office
    return _welcome(person, _, office.name_en if person.language == "en" else office.name_th)


def _welcome(person: people.Person, _: Translate, office: str) -> str:
    roles = role_list(person.roles, _)
    if not person.groups:  # the director belongs to no work group
        return _(
            "Welcome, {name}. You are registered with {office} as {roles}.\n\n"
            "You will be told when a report is still missing after two follow-ups, with who is "
            "missing and what the plan suggests. Type /help to see what you can do."
        ).format(name=person.name, office=office, roles=roles)
    return _(
        "Welcome, {name}. You are registered with {office}: {groups}, as {roles}.\n\n"
        "From now on I will remind you of the reports you owe before each due date, and you "
        "can confirm that you have sent one with a single tap. If your name should be written "
        "differently, type /name followed by your full name. Type /help to see what you can do."
    ).format(
        name=person.name,
        office=office,
        groups=group_names(person.groups, person.language) or "-",
        roles=roles,
    )


@command()
async def help_command(turn: Turn) -> None:
    """/help: the commands this person's roles allow, and nothing else."""
    person, _ = turn.person, turn._
    # the complaint handlers are named by the director
    handler = await turn.run(lambda s: complaints.is_handler(s, person.id))
    chosen = commands_for(person.roles, complaint_handler=handler, settings=turn.settings)
    lines = [_("What you can do here:"), "", *(f"/{c.name} — {_(c.description)}" for c in chosen)]
    await turn.answer("\n".join(lines))


@command()
async def whoami(turn: Turn) -> None:
    """/whoami: the person's registration as the office sees it."""
    person, _ = turn.person, turn._
    text = _(
        "Name: {name}\nWork group: {groups}\nRoles: {roles}\nLanguage: {language}\n"
        "Registered on: {date}\nTelegram user id: {user_id}"
    ).format(
        name=person.name,
        groups=group_names(person.groups, person.language) or "-",
        roles=role_list(person.roles, _),
        language=_LANGUAGE_NAMES[person.language],
        date=format_date(person.staff.registered_at.astimezone(turn.zone), person.language),
        user_id=person.staff.telegram_user_id,
    )
    await turn.answer(text)


_LANGUAGE_NAMES = {"th": "ภาษาไทย", "en": "English"}


@command()
async def language(turn: Turn) -> None:
    """/language [th|en]: switch directly, or choose with buttons."""
    choice = (turn.context.args[0].lower() if turn.context.args else "").strip()
    if choice:
        await _set_language(turn, choice)
        return
    buttons = [(_LANGUAGE_NAMES[code], LANGUAGE(code)) for code in LANGUAGES]
    await turn.answer(turn._("Choose your language:"), reply_markup=markup([buttons]))


@button(LANGUAGE)
async def language_button(turn: Turn, choice: str) -> None:
    """A press on one of the /language buttons."""
    await _set_language(turn, choice)


async def _set_language(turn: Turn, choice: str) -> None:
    if choice not in LANGUAGES:
        await turn.answer(turn._("Please choose th (ภาษาไทย) or en (English), e.g. /language en"))
        return
    staff_id = turn.person.id

    def change(session: Session) -> tuple[people.Person | None, bool]:
        people.set_language(session, staff_id, Language(choice))
        return people.by_id(session, staff_id), complaints.is_handler(session, staff_id)

    updated, handler = await turn.run(change)
    _ = translator(choice)  # the answer in the language just chosen
    await turn.answer(_("From now on I will write to you in English."))
    if updated is not None:
        await menus.set_for(turn.context.bot, updated, turn.settings, complaint_handler=handler)


@command()
async def rename(turn: Turn) -> None:
    """/name <full name>: the name the office sees in lists and escalations."""
    new_name = clean_text(" ".join(turn.context.args or []), MAX_NAME_LENGTH + 1)
    if not new_name or len(new_name) > MAX_NAME_LENGTH:
        await turn.answer(
            turn._(
                "Please type /name followed by your full name as the office knows it, e.g. "
                "/name Somchai Jaidee (at most {limit} characters)."
            ).format(limit=MAX_NAME_LENGTH)
        )
        return
    staff_id, now = turn.person.id, turn.now()
    await turn.run(lambda s: people.set_full_name(s, staff_id, new_name, now=now))
    await turn.answer(turn._("Your name is now recorded as {name}.").format(name=new_name))
