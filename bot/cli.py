"""The ``staff-report-bot`` command: run, migrate, check-config, invite, projects import.

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
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.common.i18n import DEFAULT_LANGUAGE, LANGUAGES, format_datetime
from bot.common.services import Services, system_clock
from bot.complaints import admin as complaint_admin
from bot.runtime import failures, logs
from bot.runtime.complaint_keys import ComplaintKeyError, ComplaintKeys, load_complaint_keys
from bot.runtime.credentials import TokenError, load_token
from jobs.offsets import DURATION_EXAMPLES, DURATION_UNITS, parse_duration
from jobs.settings import ConfigError, Settings, load_settings
from jobs.yearplan.load import Office, load_office
from jobs.yearplan.notices import write_office_change
from jobs.yearplan.plan import Change
from storage import backup, groups, invites, leader, migrate, outbox, people
from storage.db import Database, DatabaseMissing, describe, normalise_url, sqlite_path
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

    demo = sub.add_parser(
        "demo",
        help="a simulated office runs a whole ladder in seconds, offline",
        description="No token and no internet needed: a local fake Telegram server, "
        "a temporary database, a report due in seconds.",
    )
    _language_option(demo, "the language the simulated staff read the bot in")
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
    _language_option(preview, "the language of the preview")
    export = command(
        "export",
        "the ITA evidence of a fiscal year (Excel or CSV); --loans: the loan register; "
        "--memos: the memos to the director",
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
    export.add_argument(
        "--memos",
        action="store_true",
        help="every memo to the director of --fy (.docx, with the ordered versions) in one zip "
        "instead (--out: memos-<fy>.zip by default)",
    )
    backup = command("backup", "a checked copy of the database, safe while the bot runs")
    backup.add_argument(
        "--out",
        type=Path,
        help="the file to write (default: [backup] dir, else here, named by the time)",
    )
    restore = command(
        "restore", "put a backup back (the bot stopped); the coordinators are told what it lost"
    )
    restore.add_argument("file", type=Path, help="the backup file (its .json beside it)")
    restore.add_argument(
        "--force",
        action="store_true",
        help="restore even though the database shows a recent tick (only if the bot is stopped)",
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
    invite.add_argument(
        "--expires",
        default="7d",
        help=f"how long it is valid: {', '.join(DURATION_EXAMPLES)} ({DURATION_UNITS})",
    )
    projects = sub.add_parser(
        "projects",
        help="the project register of the action plan (import: from the office's sheet)",
        description="The project register of the office's action plan (README: "
        '"The project register").',
    )
    project_commands = projects.add_subparsers(dest="projects_command", required=True)
    imports = project_commands.add_parser(
        "import",
        help="read the action-plan sheet (.xlsx) into the register of a fiscal year",
        description="Adds new projects, updates changed ones, closes those no longer in the "
        "sheet; lists the rows whose responsible person matched no one.",
    )
    imports.add_argument("file", type=Path, help="the action-plan sheet (.xlsx)")
    imports.add_argument(
        "--fy",
        "--fiscal-year",
        dest="fy",
        type=int,
        required=True,
        help="the fiscal year in B.E., e.g. 2569",
    )
    imports.add_argument(
        "--config",
        default=_default_config(),
        help=f"the TOML configuration (default: ${CONFIG_ENV} or config.toml)",
    )
    return parser


def _language_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help=f"{what}: th (Thai, the default) or en (English)",
    )


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
        "backup": _backup,
        "restore": _restore,
        "projects": _projects,
    }
    try:
        code = handlers[arguments.command](arguments)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
        return code
    except (ConfigError, TokenError, ComplaintKeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.code
    except (Exception, KeyboardInterrupt) as error:  # the world failed us: one line, no traceback
        debug = arguments.log_level.upper() == "DEBUG"
        return failures.report(error, debug=debug, database=_database_name(arguments))


def _database_name(arguments: argparse.Namespace) -> str:
    """The configured database for a failure's line (password hidden), if the config reads."""
    try:
        url = make_url(_settings(arguments).database.url)
    except Exception:  # the config itself may be what is wrong
        return "the database"
    return f"the database {url.render_as_string(hide_password=True)}"


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
    if secret is not None and board_clash(settings):
        raise CommandError(
            f"{settings.source}: board.listen: {settings.board.listen if settings.board else ''} "
            "is where --webhook listens too ([webhook] listen:port): give the board another port"
        )
    logs.protect([token])
    database = open_database(settings, create_if_empty=True)
    try:
        keys = _complaint_keys(settings)
        if keys is not None:
            complaint_admin.prepare(database, keys)
    except ComplaintKeyError:
        database.dispose()
        raise
    try:
        asyncio.run(reach_telegram(settings, token))
    except BaseException:
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


FIRST_WAIT, LONGEST_WAIT = 1.0, 300.0


async def reach_telegram(settings: Settings, token: str) -> None:
    """Ask Telegram who we are until it answers: a server that boots before its network
    keeps trying, one line per attempt, waiting 1, 2, 4 … and at most 300 seconds between
    tries. A token Telegram rejects is final (``InvalidToken``: exit 2, the token unshown)."""
    wait, attempt = FIRST_WAIT, 1
    while True:
        try:
            async with Bot(token, base_url=settings.telegram.base_url) as bot:
                log.info("Telegram answers: this is @%s", bot.username)
                return
        except InvalidToken:
            raise
        except (NetworkError, RetryAfter) as error:
            reason = logs.redact(str(error).splitlines()[0] if str(error) else type(error).__name__)
            print(
                f"Telegram cannot be reached ({reason}): attempt {attempt} failed, trying "
                f"again in {wait:.0f} s (Ctrl+C stops)",
                file=sys.stderr,
                flush=True,
            )
        await asyncio.sleep(wait)
        wait, attempt = min(wait * 2, LONGEST_WAIT), attempt + 1


def _complaint_keys(settings: Settings) -> ComplaintKeys | None:
    """The complaint channel's keys; with the channel on and no key, ``run`` stops and says
    how to make one (exit 2), rather than run a channel that would not work."""
    if not settings.complaints.enabled:
        return None
    return load_complaint_keys(settings.complaints)


def board_clash(settings: Settings) -> bool:
    """The board and ``run --webhook`` cannot share one port: they are two servers."""
    board, hook = settings.board, settings.webhook
    everywhere = ("0.0.0.0", "::")  # noqa: S104 (names the wildcard, binds nothing)
    same_host = board is not None and (board.host == hook.listen or board.host in everywhere)
    return board is not None and same_host and board.port == hook.port


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
    """One line of JSON for a load balancer or a monitor; exit 1 when something is wrong.

    The database is opened read-only and nothing is created: a SQLite path with a typo is
    reported, not made into an empty database.
    """
    settings = _settings(arguments)
    report: dict[str, object] = {"healthy": False, "database": "unreachable"}
    try:
        database = Database.from_url(settings.database.url, read_only=True)
        try:
            report = _health_report(database, settings)
        finally:
            database.dispose()
    except DatabaseMissing as error:
        report.update(database="missing", reason=f"{error}: start the bot (or migrate) first")
    except SQLAlchemyError as error:
        report.update(error=error.__class__.__name__, reason=failures.explain(error).message)
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["healthy"] else 1


def _health_report(database: Database, settings: Settings) -> dict[str, object]:
    state = migrate.schema_state(database.engine)
    report: dict[str, object] = {"healthy": False, "database": "ok", "schema": state.value}
    if state is not migrate.SchemaState.CURRENT:
        report["reason"] = _schema_problem(state, settings)
        return report
    with database.transaction() as session:
        beat = leader.last_beat(session)
        report["outbox_backlog"] = outbox.backlog(session)
    now = system_clock()
    age = (now - beat.at).total_seconds() if beat else None
    limit = 3 * settings.engine.safety_interval_seconds
    report.update(
        {
            "last_tick": beat.at.isoformat() if beat else None,
            "tick_holder": beat.holder if beat else None,
            "tick_age_seconds": round(age, 1) if age is not None else None,
            "healthy": age is not None and age <= limit,
        }
    )
    if age is None:
        report["reason"] = "no tick yet: is `staff-report-bot run` started?"
    elif age > limit:
        report["reason"] = f"no tick for {round(age)} s (over {round(limit)}): is the bot running?"
    else:
        report["reason"] = "ok"
    return report


def _demo(arguments: argparse.Namespace) -> int:
    from bot.offline.demo import main as demo

    for logger in ("", "telegram", "alembic"):  # the transcript is the output
        logging.getLogger(logger).setLevel(logging.WARNING)
    return demo(arguments.lang)


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
        owners = obligation.owners
        whose = (
            ", one per project of the register"
            if owners.per_project
            else (f", owed by the head of {', '.join(owners.head_of)}" if owners.head_of else "")
        )
        print(
            f"    {obligation.measure} {obligation.key}: {obligation.recurrence.kind}, "
            f"ladder {obligation.ladder}{whose}"
        )
    _print_complaints(settings)
    for line in complaint_admin.loose_secret_files(settings):  # never the secret itself
        print(line)
    _print_ladder_fit(settings)
    _print_publishing(settings)
    return 0


def _print_publishing(settings: Settings) -> None:
    """A warning for a report of the publication queue that names no obligation: its links
    would never be pre-filled nor recorded as its evidence."""
    keys = {obligation.key for obligation in settings.obligations}
    publishing = settings.publishing
    for name, key in (
        ("website_report", publishing.website_report),
        ("social_report", publishing.social_report),
    ):
        if key not in keys:
            print(
                f"  WARNING: publishing.{name} = {key!r} names no obligation "
                f"(known: {', '.join(sorted(keys))}); its links will not be pre-filled"
            )


def _print_ladder_fit(settings: Settings) -> None:
    """A warning for each period of this fiscal year and the next whose follow-ups or
    escalation miss the onward deadline or the meeting its report feeds, with the fix."""
    from bot.duties.preview import current_fiscal_year, fit_warnings

    this_year = current_fiscal_year(system_clock(), settings)
    for line in fit_warnings(settings, (this_year, this_year + 1)):
        print(f"  WARNING: {line}")


def _print_complaints(settings: Settings) -> None:
    """The complaint channel's summary, the link for the office's website, and a warning when
    ``run`` would refuse to start."""
    from bot.complaints.complainant import website_link

    complaints = settings.complaints
    if not complaints.enabled:
        print("  complaint channel (1.7): off")
        return
    print(
        f"  complaint channel (1.7): on; acknowledge within {complaints.acknowledge_within}, "
        f"outcome within {complaints.result_within}, content kept {complaints.retention} "
        "after closing"
    )
    username = settings.telegram.bot_username
    print(
        f"    link for the office website: {website_link(username)}"
        if username
        else "    link for the office website: set [telegram] bot_username to print it here "
        "(the director's /complaints shows it too)"
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


def _existing_database(settings: Settings, *, must_reach: bool = False) -> Database | None:
    """The configured database if it exists and is current; never creates one.

    ``must_reach``: a database that exists but cannot be reached is an error (exit 3), not
    a reason to go on without it (as preview does)."""
    url = make_url(normalise_url(settings.database.url))
    if url.drivername.startswith("sqlite") and not (url.database and Path(url.database).exists()):
        return None
    database = Database.from_url(settings.database.url)
    try:
        if migrate.schema_state(database.engine) is migrate.SchemaState.CURRENT:
            return database
    except SQLAlchemyError as error:
        database.dispose()
        if must_reach:
            raise
        log.warning("preview without the database (%s)", error.__class__.__name__)
        return None
    database.dispose()
    return None


def _preview(arguments: argparse.Namespace) -> int:
    from bot.duties.preview import current_fiscal_year, preview

    settings = _settings(arguments)
    fiscal_year = arguments.fy or current_fiscal_year(system_clock(), settings)
    if not 2500 <= fiscal_year <= 2700:
        raise CommandError(f"--fy: {fiscal_year} is not a fiscal year in B.E. (e.g. 2569)")
    database = _existing_database(settings)
    try:
        print(preview(settings, fiscal_year, database, arguments.lang))
    finally:
        if database is not None:
            database.dispose()
    return 0


def _export(arguments: argparse.Namespace) -> int:
    from bot.features import CATALOG
    from bot.oversight.export import export_fiscal_year

    settings = _settings(arguments)
    if arguments.loans:
        return _export_loans(arguments, settings)
    if arguments.memos:
        return _export_memos(arguments, settings)
    for flag, value in (("--fy", arguments.fy), ("--out", arguments.out)):
        if value is None:
            raise CommandError(f"{flag} is required, e.g. export --fy 2568 --out ita-2568.xlsx")
    if not 2500 <= arguments.fy <= 2700:
        raise CommandError(f"--fy: {arguments.fy} is not a fiscal year in B.E. (e.g. 2568)")
    database = _existing_database(settings, must_reach=True)
    if database is None:
        raise CommandError(
            "no database to export: start the bot (or run migrate) first", EXIT_DATABASE
        )
    try:
        summary = export_fiscal_year(
            database,
            settings,
            arguments.fy,
            arguments.format,
            arguments.out,
            actions=CATALOG.audit,  # every feature's audit actions, by name
            as_of=system_clock(),
        )
    finally:
        database.dispose()
    files = ", ".join(str(path) for path in summary.files) or str(arguments.out)
    print(f"fiscal year {arguments.fy}: {summary.total_rows} rows written to {files}")
    return 0


def _export_loans(arguments: argparse.Namespace, settings: Settings) -> int:
    """``export --loans``: the loan register of a fiscal year (this one by default)."""
    from bot.loans.register import export_loans
    from jobs.calendar import fiscal_year_of

    now = system_clock()
    fiscal_year = arguments.fy or fiscal_year_of(now.astimezone(settings.office.zone).date())
    if not 2500 <= fiscal_year <= 2700:
        raise CommandError(f"--fy: {fiscal_year} is not a fiscal year in B.E. (e.g. 2569)")
    out = arguments.out or Path(f"loans-{fiscal_year}.{arguments.format}")
    database = _existing_database(settings, must_reach=True)
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


def _export_memos(arguments: argparse.Namespace, settings: Settings) -> int:
    """``export --memos``: every memo to the director of a fiscal year, in one zip."""
    from bot.duties.memo_loop import memo_archive

    if arguments.fy is None:
        raise CommandError("--fy is required, e.g. export --memos --fy 2568")
    if not 2500 <= arguments.fy <= 2700:
        raise CommandError(f"--fy: {arguments.fy} is not a fiscal year in B.E. (e.g. 2568)")
    out = arguments.out or Path(f"memos-{arguments.fy}.zip")
    database = _existing_database(settings, must_reach=True)
    if database is None:
        raise CommandError(
            "no database to export: start the bot (or run migrate) first", EXIT_DATABASE
        )
    try:
        archive = memo_archive(database, arguments.fy, settings.office.zone, out)
    finally:
        database.dispose()
    print(
        f"fiscal year {arguments.fy}: {archive.memos} memos, "
        f"{len(archive.files)} .docx files written to {out}"
    )
    return 0


def _running_within(settings: Settings) -> timedelta:
    """A tick this recent means the bot is running (the health check's limit)."""
    return timedelta(seconds=3 * settings.engine.safety_interval_seconds)


def _backup(arguments: argparse.Namespace) -> int:
    """``backup``: a consistent, checked copy, the rows of every table printed."""
    settings = _settings(arguments)
    database = _existing_database_or_fail(settings)
    now = system_clock()
    try:
        out = arguments.out or (settings.backup.dir or Path()) / backup.default_name(
            database.engine, now
        )
        info = backup.take(database, out, now=now, running_within=_running_within(settings))
    finally:
        database.dispose()
    rows = ", ".join(f"{table} {count}" for table, count in info.counts.items() if count)
    print(f"{out}: checked, schema {info.revision}, {sum(info.counts.values())} rows")
    print(f"  {rows or 'no rows'}")
    print(f"  described in {backup.sidecar(out)} (keep the two together)")
    return 0


def _existing_database_or_fail(settings: Settings) -> Database:
    path = sqlite_path(settings.database.url)
    if path is not None and not path.is_file():
        raise CommandError(
            f"no database at {path}: check [database] url in {settings.source}", EXIT_DATABASE
        )
    return Database.from_url(settings.database.url)


def _restore(arguments: argparse.Namespace) -> int:
    """``restore FILE``: refuses while a bot runs on the database; then see storage.backup."""
    settings = _settings(arguments)
    info = backup.read_info(arguments.file)  # a missing or broken file: say so, touch nothing
    database = Database.from_url(settings.database.url)
    now = system_clock()
    try:
        running = backup.bot_running(database, now=now, within=_running_within(settings))
        if running and not arguments.force:
            raise CommandError(
                f"the bot looks to be running on this database ({running}): stop it first "
                "(or, if it is stopped, wait a few minutes or add --force)",
                EXIT_DATABASE,
            )
        restored = backup.restore(database, arguments.file, now=now)
    finally:
        database.dispose()
    zone = settings.office.zone
    taken = format_datetime(info.taken_at.astimezone(zone), "en")
    print(f"{describe(database.engine)}: restored from {arguments.file} (taken {taken})")
    if restored.safety_copy is not None:
        print(f"  the database as it was is kept in {restored.safety_copy}")
    if restored.upgraded_from is not None:
        print(f"  schema brought from {restored.upgraded_from} to {migrate.head_revision()}")
    print(
        f"  {restored.superseded} messages that were due at the backup will not be sent again; "
        f"{restored.told} coordinators will be told that what was recorded since {taken} "
        "may be lost"
    )
    return 0


def _valid_for(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as error:
        raise CommandError(f"--expires: {error}") from None


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
            group_name = group.name_th if group is not None else ""
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
    named = f"{group_key} ({group_name})" if (group_key := arguments.group) else "- (none)"
    print(f"group: {named}")
    print(f"role: {role.value}; uses: {arguments.uses}; valid until {expires}")
    username = settings.telegram.bot_username or _ask_username(settings)
    if username:
        print(f"link: https://t.me/{username}?start={invite.code}")
    else:
        print(
            "link: set [telegram] bot_username in the config (or the token) to print the link; "
            f"meanwhile the person can type /start {invite.code} to the bot"
        )
    return 0


PROBLEM_TEXTS = {
    "no_code": "no project code; left out (name: {written!r})",
    "duplicate_code": "code {written!r} given again; left out",
    "bad_budget": "budget {written!r} is not a number; left out",
    "unknown_group": "group {written!r} is no group's Thai name or key; imported without a group",
    "unmatched_person": "responsible {written!r} matches no registered name or staff number; "
    "imported without a person",
}


def _projects(arguments: argparse.Namespace) -> int:
    """``projects import FILE --fy 2569``: the sheet into the register (jobs.projects.sheet)."""
    from jobs.projects.sheet import GroupRef, PersonRef, SheetError, read_sheet
    from storage import projects

    settings = _settings(arguments)
    if not 2500 <= arguments.fy <= 2700:
        raise CommandError(f"--fy: {arguments.fy} is not a fiscal year in B.E. (e.g. 2569)")
    if not arguments.file.is_file():
        raise CommandError(f"{arguments.file}: no such file", failures.EXIT_FILE)
    _existing_database_or_fail(settings).dispose()  # a missing file is not made here
    database = open_database(settings, create_if_empty=False)  # behind: says how to migrate
    try:
        with database.transaction() as session:
            group_refs = [
                GroupRef(g.id, g.key, g.name_th)
                for g in groups.active_groups(session)
                if g.id is not None
            ]
            persons = [PersonRef(i, name) for i, name in projects.registered_names(session)]
            try:
                sheet = read_sheet(arguments.file, settings.projects.columns, group_refs, persons)
            except SheetError as error:
                raise CommandError(str(error), failures.EXIT_FILE) from error
            now = system_clock()
            before = _year_of(session, settings, now, arguments.fy)
            report = projects.sync_projects(session, arguments.fy, sheet.rows, now=now)
            told = _dates_moved_by_import(session, settings, before, now, arguments.fy)
        created = _owed_per_project(settings, database)
    finally:
        database.dispose()
    print(
        f"fiscal year {arguments.fy}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.closed)} closed, {report.unchanged} unchanged"
    )
    if created:
        print(f"{created} new assignments of per-project reports (the bot reminds them)")
    if told:
        print(
            f"{told} messages about moved due dates queued (to each person whose dates "
            "moved, and the coordinator's summary)"
        )
    for problem in sheet.problems:
        text = PROBLEM_TEXTS[problem.problem.value].format(written=problem.written)
        print(f"row {problem.row}: {text}")
    return 0


def _year_of(session: Session, settings: Settings, now: datetime, fiscal_year: int) -> Office:
    """The office's reporting calendar as the register of ``fiscal_year`` makes it."""
    today = now.astimezone(settings.office.zone).date()
    return load_office(session, settings, today, fiscal_year)


def _dates_moved_by_import(
    session: Session, settings: Settings, before: Office, now: datetime, fiscal_year: int
) -> int:
    """After an import, each person whose due dates it moved (a project given or taken away)
    is told, once (``jobs.yearplan``); the coordinators receive the summary."""
    after = _year_of(session, settings, now, fiscal_year)
    change = Change("projects", reason=str(fiscal_year))
    tell = next((s for s in people.holders_of(session, Role.COORDINATOR) if s.active), None)
    return write_office_change(
        session,
        settings,
        before,
        after,
        key=f"projects-{fiscal_year}-{now:%Y%m%dT%H%M%S%f}",
        tell=people.by_id(session, tell.id) if tell is not None and tell.id else None,
        now=now,
        change=change,
    )


def _owed_per_project(settings: Settings, database: Database) -> int:
    """After an import, the per-project reports owed at once (what the engine does each day):
    an added project's assignments, a closed one's withdrawn (``jobs.tick.Planner``)."""
    from jobs.calendar import OfficeCalendar
    from jobs.tick import Planner

    if not any(o.owners.per_project for o in settings.obligations):
        return 0
    planner = Planner(settings, OfficeCalendar.from_office(settings.office))
    return planner.materialise(database, system_clock())


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
