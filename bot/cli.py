"""The ``staff-report-bot`` command: run, migrate, check-config, invite.

Exit codes: 0 done; 2 the configuration, the token or the arguments are wrong; 3 the
database is not ready (the message says which command fixes it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot
from telegram.error import TelegramError

from bot import complaint_admin, logs
from bot.complaint_keys import ComplaintKeyError, ComplaintKeys, load_complaint_keys
from bot.credentials import TokenError, load_token
from bot.i18n import format_datetime
from bot.services import Services, system_clock
from jobs.offsets import OffsetUnit, parse_offset
from jobs.settings import ConfigError, Settings, load_settings
from storage import groups, invites, leader, migrate, outbox
from storage.db import Database, describe, normalise_url
from storage.groups import GroupSpec
from storage.invites import GROUPLESS_ROLES
from storage.models import Role

log = logging.getLogger("staff-report-bot")
CONFIG_ENV = "STAFF_REPORT_BOT_CONFIG"
WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"  # noqa: S105 (the variable's name, not a secret)
EXIT_CONFIG = 2
EXIT_DATABASE = 3


class CommandError(Exception):
    """A problem the person running the command can fix; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.code = code


def _default_config() -> str:
    return os.environ.get(CONFIG_ENV, "config.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staff-report-bot",
        description="Follows up an office's reporting deadlines on Telegram.",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        one = sub.add_parser(name, help=text, description=text)
        one.add_argument(
            "--config",
            default=_default_config(),
            help=f"the TOML configuration (default: ${CONFIG_ENV} or config.toml)",
        )
        return one

    sub.add_parser(
        "demo",
        help="a simulated office runs a whole ladder in seconds, offline",
        description="No token and no internet needed: a local fake Telegram server, "
        "a temporary database, a report due in seconds.",
    )
    run = command("run", "run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on [webhook] listen:port (secret from "
        f"${WEBHOOK_SECRET_ENV}) instead of long polling",
    )
    command("health", "database reachable? last tick? outbox backlog? (exit 0 when healthy)")
    command("migrate", "bring the database to the schema this version needs")
    check = command("check-config", "validate a configuration file and summarise it")
    check.add_argument("path", nargs="?", help="the file to check (default: --config)")
    preview = command(
        "preview", "print every period and ladder step of a fiscal year; send nothing"
    )
    preview.add_argument("--fy", type=int, help="the fiscal year in B.E., e.g. 2569 (default: now)")
    export = command(
        "export", "the ITA evidence of a fiscal year (Excel or CSV); --loans: the loan register"
    )
    export.add_argument(
        "--fy",
        "--fiscal-year",
        dest="fy",
        type=int,
        help="the fiscal year in B.E., e.g. 2568 (required; with --loans, this year by default)",
    )
    export.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    export.add_argument(
        "--out",
        "--output",
        dest="out",
        type=Path,
        help="the file to write (required; with --loans, loans-<fy>.xlsx by default)",
    )
    export.add_argument(
        "--loans", action="store_true", help="the property loan register (measure 1.4) instead"
    )
    command(
        "rotate-complaint-key",
        "encrypt the complaint channel again with the first key given (the new one first, "
        "the old one after it)",
    )
    invite = command("invite", "make a registration code and its link")
    invite.add_argument("--group", help="the work group's key (the director needs none)")
    invite.add_argument("--role", default=Role.STAFF.value, choices=[r.value for r in Role])
    invite.add_argument("--uses", type=int, default=1, help="how many people may use it")
    invite.add_argument("--expires", default="7d", help="how long it is valid: 7d, 12h, 30m")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    os.umask(0o077)  # every file the bot makes (database, WAL, copies, exports): owner only
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # python-telegram-bot 22: no deprecation noise
    logs.configure(arguments.log_level)
    handlers = {
        "demo": _demo,
        "run": _run,
        "health": _health,
        "migrate": _migrate,
        "check-config": _check_config,
        "preview": _preview,
        "export": _export,
        "invite": _invite,
        "rotate-complaint-key": _rotate_complaint_key,
    }
    try:
        return handlers[arguments.command](arguments)
    except (ConfigError, TokenError, ComplaintKeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code


def _settings(arguments: argparse.Namespace) -> Settings:
    return load_settings(Path(arguments.config))


def open_database(settings: Settings, *, create_if_empty: bool) -> Database:
    """Connect, check the schema, mirror the config's groups.

    A new, empty database is created (there is nothing to lose); one that is behind is
    refused, because upgrading is the admin's decision (and backup) to make.
    """
    database = Database.from_url(settings.database.url)
    state = migrate.schema_state(database.engine)
    if state is migrate.SchemaState.EMPTY and create_if_empty:
        log.info("creating a new database at %s", describe(database.engine))
        migrate.upgrade(database.engine)
    elif state is not migrate.SchemaState.CURRENT:
        database.dispose()
        raise CommandError(_schema_problem(state, settings), EXIT_DATABASE)
    with database.transaction() as session:
        groups.sync_groups(
            session,
            (GroupSpec(g.key, g.name_th, g.name_en, g.coordinator) for g in settings.groups),
        )
    return database


def _schema_problem(state: migrate.SchemaState, settings: Settings) -> str:
    fix = f"staff-report-bot migrate --config {settings.source}"
    if state is migrate.SchemaState.UNKNOWN:
        return (
            "the database was written by a newer version of staff-report-bot; "
            "install that version (or restore a backup)"
        )
    return f"the database schema is behind this version of staff-report-bot: run `{fix}`"


def _run(arguments: argparse.Namespace) -> int:
    from bot.app import build_application

    settings = _settings(arguments)
    token = load_token(settings.telegram.token_file)
    secret = _webhook_secret(settings) if arguments.webhook else None
    database = open_database(settings, create_if_empty=True)
    try:
        keys = _complaint_keys(settings)
        if keys is not None:
            complaint_admin.prepare(database, keys)
    except ComplaintKeyError:
        database.dispose()
        raise
    application = build_application(Services(settings, database, complaint_keys=keys), token)
    log.info("staff-report-bot for %s is running (Ctrl+C stops it)", settings.office.name_en)
    updates = ["message", "callback_query"]
    try:
        if secret is None:
            application.run_polling(allowed_updates=updates)
        else:
            hook = settings.webhook
            application.run_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=hook.url_path,
                webhook_url=hook.public_url,
                secret_token=secret,
                allowed_updates=updates,
            )
    finally:
        database.dispose()
    return 0


def _complaint_keys(settings: Settings) -> ComplaintKeys | None:
    """The complaint channel's keys; with the channel on and no key, ``run`` stops and says
    how to make one (exit 2), rather than run a channel that would not work."""
    if not settings.complaints.enabled:
        return None
    return load_complaint_keys(settings.complaints)


def _webhook_secret(settings: Settings) -> str:
    """Telegram sends this back in a header with every update; anything without it is refused."""
    secret = os.environ.get(WEBHOOK_SECRET_ENV, "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
        raise CommandError(
            f"--webhook needs ${WEBHOOK_SECRET_ENV}: 16 to 256 letters, digits, "
            "_ or - (e.g. from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`)"
        )
    if not settings.webhook.public_url:
        raise CommandError(
            f"{settings.source}: webhook.public_url: required for --webhook "
            "(the https address Telegram posts to)"
        )
    logs.protect([secret])
    return secret


def _health(arguments: argparse.Namespace) -> int:
    """One line of JSON for a load balancer or a monitor; exit 1 when something is wrong."""
    settings = _settings(arguments)
    report: dict[str, object] = {"database": "unreachable"}
    healthy = False
    try:
        database = Database.from_url(settings.database.url)
        try:
            report, healthy = _health_report(database, settings)
        finally:
            database.dispose()
    except SQLAlchemyError as error:
        report["error"] = error.__class__.__name__
    print(json.dumps(report, ensure_ascii=False))
    return 0 if healthy else 1


def _health_report(database: Database, settings: Settings) -> tuple[dict[str, object], bool]:
    state = migrate.schema_state(database.engine)
    report: dict[str, object] = {"database": "ok", "schema": state.value}
    if state is not migrate.SchemaState.CURRENT:
        return report, False
    with database.transaction() as session:
        beat = leader.last_beat(session)
        report["outbox_backlog"] = outbox.backlog(session)
    now = system_clock()
    age = (now - beat.at).total_seconds() if beat else None
    report.update(
        {
            "last_tick": beat.at.isoformat() if beat else None,
            "tick_holder": beat.holder if beat else None,
            "tick_age_seconds": round(age, 1) if age is not None else None,
        }
    )
    limit = 3 * settings.engine.safety_interval_seconds
    return report, age is not None and age <= limit


def _demo(arguments: argparse.Namespace) -> int:
    from bot.demo import main as demo

    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the output
    return demo()


def _migrate(arguments: argparse.Namespace) -> int:
    settings = _settings(arguments)
    database = Database.from_url(settings.database.url)
    try:
        before = migrate.current_revision(database.engine)
        migrate.upgrade(database.engine)
        after = migrate.current_revision(database.engine)
    finally:
        database.dispose()
    where = describe(database.engine)
    print(
        f"{where}: schema {before or 'none'} → {after}"
        if before != after
        else f"{where}: schema already at {after}"
    )
    return 0


def _check_config(arguments: argparse.Namespace) -> int:
    settings = load_settings(Path(arguments.path or arguments.config))
    print(f"{settings.source}: OK")
    print(f"  office: {settings.office.name_th} ({settings.office.timezone})")
    print(
        f"  groups: {', '.join(g.key for g in settings.groups)} "
        f"(coordinator: {settings.coordinating_group.key})"
    )
    print(f"  obligations: {len(settings.obligations)}")
    for obligation in settings.obligations:
        print(
            f"    {obligation.measure} {obligation.key}: {obligation.recurrence.kind}, "
            f"ladder {obligation.ladder}"
        )
    _print_complaints(settings)
    for line in complaint_admin.loose_secret_files(settings):  # never the secret itself
        print(line)
    return 0


def _print_complaints(settings: Settings) -> None:
    """The complaint channel's summary, and a warning when ``run`` would refuse to start."""
    complaints = settings.complaints
    if not complaints.enabled:
        print("  complaint channel (1.7): off")
        return
    print(
        f"  complaint channel (1.7): on; acknowledge within {complaints.acknowledge_within}, "
        f"outcome within {complaints.result_within}, content kept {complaints.retention} "
        "after closing"
    )
    try:
        load_complaint_keys(complaints)
        print("    key: found")
    except ComplaintKeyError as error:
        print(f"  WARNING: `run` will refuse to start until this is fixed: {error}")


def _rotate_complaint_key(arguments: argparse.Namespace) -> int:
    """``rotate-complaint-key``: every complaint encrypted again with the first key given."""
    settings = _settings(arguments)
    if not settings.complaints.enabled:
        raise CommandError("the complaint channel is off ([complaints] enabled = false)")
    database = _existing_database(settings)
    if database is None:
        raise CommandError(
            "no database to re-encrypt: start the bot (or run migrate) first", EXIT_DATABASE
        )
    try:
        print(complaint_admin.rotate_key(database, settings))
    finally:
        database.dispose()
    return 0


def _existing_database(settings: Settings) -> Database | None:
    """The configured database if it exists and is current; never creates one."""
    url = make_url(normalise_url(settings.database.url))
    if url.drivername.startswith("sqlite") and not (url.database and Path(url.database).exists()):
        return None
    database = Database.from_url(settings.database.url)
    try:
        if migrate.schema_state(database.engine) is migrate.SchemaState.CURRENT:
            return database
    except SQLAlchemyError as error:
        log.warning("preview without the database (%s)", error.__class__.__name__)
    database.dispose()
    return None


def _preview(arguments: argparse.Namespace) -> int:
    from bot.preview import current_fiscal_year, preview

    settings = _settings(arguments)
    fiscal_year = arguments.fy or current_fiscal_year(system_clock(), settings)
    if not 2500 <= fiscal_year <= 2700:
        raise CommandError(f"--fy: {fiscal_year} is not a fiscal year in B.E. (e.g. 2569)")
    database = _existing_database(settings)
    try:
        print(preview(settings, fiscal_year, database))
    finally:
        if database is not None:
            database.dispose()
    return 0


def _export(arguments: argparse.Namespace) -> int:
    from bot.export import export_fiscal_year

    settings = _settings(arguments)
    if arguments.loans:
        return _export_loans(arguments, settings)
    for flag, value in (("--fy", arguments.fy), ("--out", arguments.out)):
        if value is None:
            raise CommandError(f"{flag} is required, e.g. export --fy 2568 --out ita-2568.xlsx")
    if not 2500 <= arguments.fy <= 2700:
        raise CommandError(f"--fy: {arguments.fy} is not a fiscal year in B.E. (e.g. 2568)")
    database = _existing_database(settings)
    if database is None:
        raise CommandError(
            "no database to export: start the bot (or run migrate) first", EXIT_DATABASE
        )
    try:
        summary = export_fiscal_year(
            database, settings, arguments.fy, arguments.format, arguments.out, as_of=system_clock()
        )
    finally:
        database.dispose()
    files = ", ".join(str(path) for path in summary.files) or str(arguments.out)
    print(f"fiscal year {arguments.fy}: {summary.total_rows} rows written to {files}")
    return 0


def _export_loans(arguments: argparse.Namespace, settings: Settings) -> int:
    """``export --loans``: the loan register of a fiscal year (this one by default)."""
    from bot.loan_register import export_loans
    from jobs.calendar import fiscal_year_of

    now = system_clock()
    fiscal_year = arguments.fy or fiscal_year_of(now.astimezone(settings.office.zone).date())
    if not 2500 <= fiscal_year <= 2700:
        raise CommandError(f"--fy: {fiscal_year} is not a fiscal year in B.E. (e.g. 2569)")
    out = arguments.out or Path(f"loans-{fiscal_year}.{arguments.format}")
    database = _existing_database(settings)
    if database is None:
        raise CommandError(
            "no database to export: start the bot (or run migrate) first", EXIT_DATABASE
        )
    try:
        register = export_loans(database, settings, fiscal_year, arguments.format, out, as_of=now)
    finally:
        database.dispose()
    counts = f"{register.loans} loans, {register.items} items"
    print(f"fiscal year {fiscal_year}: {counts} written to {out}")
    return 0


def _valid_for(text: str) -> timedelta:
    try:
        offset = parse_offset(text)
    except ValueError as error:
        raise CommandError(f"--expires: {error}") from None
    if offset.unit is OffsetUnit.WORKING_DAYS or offset.amount <= 0:
        raise CommandError("--expires: give a positive duration such as 7d, 12h or 30m")
    return offset.as_timedelta()


def _invite(arguments: argparse.Namespace) -> int:
    settings = _settings(arguments)
    role, valid_for = Role(arguments.role), _valid_for(arguments.expires)
    if arguments.uses < 1:
        raise CommandError("--uses: give a whole number of 1 or more")
    if arguments.group is None and role not in GROUPLESS_ROLES:
        raise CommandError(
            f"--group is needed for the role {role.value} "
            f"(groups: {', '.join(g.key for g in settings.groups)})"
        )
    database = open_database(settings, create_if_empty=True)
    now = system_clock()
    try:
        # the director role is the director's to hand over: a second one is refused (audited)
        with database.transaction() as session:
            refused = role is Role.DIRECTOR and invites.refuse_second_director(
                session, created_by="cli:invite", now=now
            )
        if refused:
            raise CommandError(
                "an active director is registered already: the director role is handed over in "
                "chat (the admin proposes it with /person <number>, then the current director "
                "confirms it with a button); nothing was made"
            )
        with database.transaction() as session:
            group = groups.group_by_key(session, arguments.group) if arguments.group else None
            if arguments.group and (group is None or not group.active):
                raise CommandError(
                    f"--group: unknown group {arguments.group!r} "
                    f"(groups: {', '.join(g.key for g in settings.groups)})"
                )
            invite = invites.create_invite(
                session,
                group=group,
                role=role,
                uses=arguments.uses,
                valid_for=valid_for,
                created_by="cli:invite",
                now=now,
            )
    finally:
        database.dispose()
    expires = format_datetime(invite.expires_at.astimezone(settings.office.zone), "th")
    print(f"code: {invite.code}")
    print(
        f"role: {role.value}; group: {arguments.group or '-'}; uses: {arguments.uses}; "
        f"valid until {expires}"
    )
    username = settings.telegram.bot_username or _ask_username(settings)
    if username:
        print(f"link: https://t.me/{username}?start={invite.code}")
    else:
        print(
            "link: set [telegram] bot_username in the config (or the token) to print the link; "
            f"meanwhile the person can type /start {invite.code} to the bot"
        )
    return 0


def _ask_username(settings: Settings) -> str | None:
    """The bot's @username from Telegram (getMe), when a token is at hand."""
    try:
        token = load_token(settings.telegram.token_file)
    except TokenError:
        return None
    logs.protect([token])

    async def get_me() -> str | None:
        async with Bot(token, base_url=settings.telegram.base_url) as bot:
            return bot.username

    try:
        return asyncio.run(get_me())
    except TelegramError as error:
        log.warning("could not ask Telegram for the bot's username: %s", error)
        return None
