"""Role names and which commands each role may use (the one table /help and checks share)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.common.i18n import N_, Translate
from jobs.settings import Settings
from storage.models import Role

ROLE_NAMES = {
    Role.STAFF: N_("staff member"),
    Role.GROUP_HEAD: N_("group head"),
    Role.COORDINATOR: N_("reporting coordinator"),
    Role.PROCUREMENT: N_("procurement officer"),
    Role.DIRECTOR: N_("director"),
    Role.ADMIN: N_("system administrator"),
    Role.WEB_OFFICER: N_("web officer (website and social page)"),
}
# the group head of one group, as chat, the calendar, the preview and the memo's copy line name
# them: ผู้อำนวยการ{group}, the plan's ผู้อำนวยการกลุ่ม (never หัวหน้ากลุ่ม)
HEAD_OF_GROUP = N_("the director of {group}")
# the director's title where the config gives none (the config's [director] title_th/title_en
# name it, e.g. ศึกษาธิการจังหวัดพิจิตร)
DIRECTOR_TITLE = N_("Provincial Education Officer")
ROLE_ORDER = tuple(ROLE_NAMES)
EVERYONE = frozenset(Role)
OVERSEEING = frozenset({Role.COORDINATOR, Role.ADMIN, Role.DIRECTOR})
DIGEST = frozenset({Role.DIRECTOR, Role.COORDINATOR})
CALENDAR = frozenset({Role.COORDINATOR, Role.ADMIN})
PROCUREMENT = frozenset({Role.PROCUREMENT})
LOANS = frozenset({Role.PROCUREMENT, Role.DIRECTOR, Role.COORDINATOR, Role.ADMIN})
PUBLISHING = frozenset({Role.WEB_OFFICER, Role.DIRECTOR, Role.COORDINATOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    roles: frozenset[Role]
    complaint_handlers: bool = False  # also the complaint handlers the director named


COMMANDS = (
    Command("start", N_("register with the code you were given"), EVERYONE),
    Command("help", N_("what you can do here"), EVERYONE),
    Command("whoami", N_("your registration: name, groups, roles"), EVERYONE),
    Command("name", N_("change the name the office sees"), EVERYONE),
    Command("language", N_("change the language (ภาษาไทย / English)"), EVERYONE),
    Command("done", N_("confirm that you have sent a report"), EVERYONE),
    Command("mine", N_("what you owe, with due dates"), EVERYONE),
    Command("leave", N_("record your leave: reminders wait until you are back"), EVERYONE),
    Command("calendar", N_("the fiscal year's reporting calendar, by quarter"), EVERYONE),
    Command("status", N_("who has and has not reported, by group"), OVERSEEING),
    Command("history", N_("one person's record over the fiscal year"), OVERSEEING),
    Command("projects", N_("the action plan's projects, by group"), OVERSEEING),
    Command("digest", N_("the director's digest with a chart"), DIGEST),
    Command("export", N_("the ITA evidence workbook (Excel)"), DIGEST),
    Command("closeday", N_("close the office on a day (a late-announced holiday)"), CALENDAR),
    Command("meeting", N_("move this month's staff meeting"), CALENDAR),
    Command("oneoff", N_("add a one-off report"), CALENDAR),
    Command("acting", N_("name the acting officer while the director is away"), DIGEST),
    Command(
        "staff",
        N_("staff by work group, and who cannot be reached"),
        frozenset({Role.COORDINATOR, Role.ADMIN}),
    ),
    Command(
        "person",
        N_("change a person's group or roles, or deactivate them"),
        frozenset({Role.ADMIN}),
    ),
    # property loans (measure 1.4): the procurement officer records, overseers see all
    Command("loan", N_("record a loan of government property (hand-over)"), PROCUREMENT),
    Command("return", N_("record the return of borrowed property"), PROCUREMENT),
    Command(
        "cancel_loan",
        N_("withdraw a loan recorded in error (before the borrower confirms receipt)"),
        PROCUREMENT,
    ),
    Command("loans", N_("property loans not yet returned, and overdue"), LOANS),
    Command("myloans", N_("the government property you have borrowed"), EVERYONE),
    Command(
        "announce_maintenance",
        N_("announce the annual maintenance plan to all staff"),
        PROCUREMENT,
    ),
    # the complaint channel (measure 1.7): anyone may complain, even before registering;
    # only the director and the handlers the director names see complaints
    Command("complain", N_("complain about corruption, confidentially"), EVERYONE),
    Command("complaint", N_("a complaint's status, with its tracking code"), EVERYONE),
    Command(
        "complaints",
        N_("complaints received: acknowledge, follow up, record the outcome"),
        frozenset({Role.DIRECTOR}),
        complaint_handlers=True,
    ),
    Command("handlers", N_("name who follows up complaints"), frozenset({Role.DIRECTOR})),
    # the publication queue (measures 1.2, 1.3): anyone sends, the web officer publishes
    Command("publish", N_("send news or a document for the website or social page"), EVERYONE),
    Command("publications", N_("the publication queue: requests still waiting"), PUBLISHING),
    Command("pubreport", N_("the monthly E-Service and social reports, pre-filled"), EVERYONE),
    # the web board ([board] in the config; its roles key may narrow who may open it)
    Command("board", N_("a sign-in link to the reporting board (web page)"), EVERYONE),
)


def _allowed(command: Command, held: frozenset[Role], complaint_handler: bool) -> bool:
    return bool(command.roles & held) or (complaint_handler and command.complaint_handlers)


def may_use(roles: Iterable[Role], command: str, *, complaint_handler: bool = False) -> bool:
    held = frozenset(roles)
    return any(c.name == command and _allowed(c, held, complaint_handler) for c in COMMANDS)


COMPLAINT_COMMANDS = frozenset({"complain", "complaint", "complaints", "handlers"})


def switched_off(settings: Settings, roles: Iterable[Role]) -> frozenset[str]:
    """The commands the configuration leaves out for these roles: /board without ``[board]``
    or outside its ``roles``, the complaint channel's when it is closed."""
    off: set[str] = set()
    board = settings.board
    if board is None or not {role.value for role in roles} & set(board.roles):
        off.add("board")
    if not settings.complaints.enabled:
        off |= COMPLAINT_COMMANDS
    return frozenset(off)


def commands_for(
    roles: Iterable[Role], *, complaint_handler: bool = False, settings: Settings | None = None
) -> list[Command]:
    """The commands these roles may use; with ``settings``, only those the office has on."""
    held = frozenset(roles)
    off = switched_off(settings, held) if settings is not None else frozenset()
    return [
        command
        for command in COMMANDS
        if _allowed(command, held, complaint_handler) and command.name not in off
    ]


def role_name(role: Role, _: Translate) -> str:
    return _(ROLE_NAMES[role])


def head_of_group(group: str, _: Translate) -> str:
    """``ผู้อำนวยการกลุ่มอำนวยการ``, ``the director of Administration Group``."""
    return _(HEAD_OF_GROUP).format(group=group)


def role_list(roles: Iterable[Role], _: Translate) -> str:
    held = set(roles)
    shown = [role for role in ROLE_ORDER if role in held]
    if len(shown) > 1 and Role.STAFF in shown:
        shown.remove(Role.STAFF)  # every registered person is staff; say what else they are
    return ", ".join(role_name(role, _) for role in shown)
