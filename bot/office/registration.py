"""Registering by invite link, and what a person can ask about themselves."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.ext import ContextTypes

from bot.common import menus
from bot.common.access import answer, how_to_register, load_person, registered
from bot.common.i18n import LANGUAGES, Translate, format_date, translator
from bot.common.roles import commands_for, role_list, role_name
from bot.common.services import services
from bot.common.texts import clean_text, group_names
from storage import complaints, invites, people
from storage.models import Language

MAX_NAME_LENGTH = 120
LANGUAGE_CALLBACK = "lang:"


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
    """/start [code]: register with an invite code, or explain how to."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    code = context.args[0] if context.args else ""
    if not code:
        await _greet(update, context)
        return
    app = services(context)
    newcomer, now = _newcomer(user, chat.id), app.clock()
    result = await app.db.run(lambda s: invites.redeem(s, code=code, newcomer=newcomer, now=now))
    known = await load_person(update, context)
    await answer(update, _redemption_text(result, known.language if known else "th", context))
    if result.person is not None and result.outcome in _CHANGED:
        app.wake(materialise=True)  # the newcomer owes what is still open
        await menus.set_for(context.bot, result.person)


_CHANGED = (invites.RedeemOutcome.REGISTERED, invites.RedeemOutcome.GRANTED)


async def _greet(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    person = await load_person(update, context)
    if person is None or not person.staff.active:
        await answer(update, how_to_register(context))
        return
    _ = translator(person.language)
    await answer(
        update,
        _("Hello, {name}. You are already registered. Type /help to see what you can do.").format(
            name=person.name
        ),
    )


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
    office_name = office.name_en if person.language == "en" else office.name_th
    if not person.groups:  # the director belongs to no work group
        return _(
            "Welcome, {name}. You are registered with {office} as {roles}.\n\n"
            "You will be told when a report is still missing after two follow-ups, with who is "
            "missing and what the plan suggests. Type /help to see what you can do."
        ).format(name=person.name, office=office_name, roles=roles)
    return _(
        "Welcome, {name}. You are registered with {office}: {groups}, as {roles}.\n\n"
        "From now on I will remind you of the reports you owe before each due date, and you "
        "can confirm that you have sent one with a single tap. If your name should be written "
        "differently, type /name followed by your full name. Type /help to see what you can do."
    ).format(
        name=person.name,
        office=office_name,
        groups=where,
        roles=roles,
    )


@registered
async def help_command(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/help: the commands this person's roles allow, and nothing else."""
    _ = translator(person.language)
    # the complaint handlers are named by the director
    handler = await services(context).db.run(lambda s: complaints.is_handler(s, person.id))
    lines = [_("What you can do here:"), ""]
    chosen = commands_for(person.roles, complaint_handler=handler)
    lines += [f"/{c.name} — {_(c.description)}" for c in chosen]
    await answer(update, "\n".join(lines))


@registered
async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> None:
    """/whoami: the person's registration as the office sees it."""
    _ = translator(person.language)
    text = _(
        "Name: {name}\nWork group: {groups}\nRoles: {roles}\nLanguage: {language}\n"
        "Registered on: {date}\nTelegram user id: {user_id}"
    ).format(
        name=person.name,
        groups=group_names(person.groups, person.language) or "-",
        roles=role_list(person.roles, _),
        language=_LANGUAGE_NAMES[person.language],
        date=format_date(person.staff.registered_at.astimezone(_zone(context)), person.language),
        user_id=person.staff.telegram_user_id,
    )
    await answer(update, text)


def _zone(context: ContextTypes.DEFAULT_TYPE) -> ZoneInfo:
    return services(context).settings.office.zone


_LANGUAGE_NAMES = {"th": "ภาษาไทย", "en": "English"}


@registered
async def language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """/language [th|en]: switch directly, or choose with buttons."""
    choice = (context.args[0].lower() if context.args else "").strip()
    if choice:
        await _set_language(update, context, person, choice)
        return
    _ = translator(person.language)
    buttons = [
        InlineKeyboardButton(_LANGUAGE_NAMES[code], callback_data=f"{LANGUAGE_CALLBACK}{code}")
        for code in LANGUAGES
    ]
    await answer(update, _("Choose your language:"), reply_markup=InlineKeyboardMarkup([buttons]))


@registered
async def language_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person
) -> None:
    """A press on one of the /language buttons."""
    data = update.callback_query.data if update.callback_query else None
    await _set_language(update, context, person, (data or "").removeprefix(LANGUAGE_CALLBACK))


async def _set_language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person, choice: str
) -> None:
    if choice not in LANGUAGES:
        _ = translator(person.language)
        await answer(update, _("Please choose th (ภาษาไทย) or en (English), e.g. /language en"))
        return

    def change(session: Session) -> tuple[people.Person | None, bool]:
        people.set_language(session, person.id, Language(choice))
        return people.by_id(session, person.id), complaints.is_handler(session, person.id)

    updated, handler = await services(context).db.run(change)
    _ = translator(choice)
    await answer(update, _("From now on I will write to you in English."))
    if updated is not None:
        await menus.set_for(context.bot, updated, complaint_handler=handler)


@registered
async def rename(update: Update, context: ContextTypes.DEFAULT_TYPE, person: people.Person) -> None:
    """/name <full name>: the name the office sees in lists and escalations."""
    _ = translator(person.language)
    typed = " ".join(context.args or [])
    new_name = clean_text(typed, MAX_NAME_LENGTH + 1)
    if not new_name or len(new_name) > MAX_NAME_LENGTH:
        await answer(
            update,
            _(
                "Please type /name followed by your full name as the office knows it, e.g. "
                "/name Somchai Jaidee (at most {limit} characters)."
            ).format(limit=MAX_NAME_LENGTH),
        )
        return
    app = services(context)
    now = app.clock()
    await app.db.run(lambda s: people.set_full_name(s, person.id, new_name, now=now))
    await answer(update, _("Your name is now recorded as {name}.").format(name=new_name))
