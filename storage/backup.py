"""Backups an office can restore.

``take``: a consistent copy while the bot runs — SQLite's online backup API (one read
transaction: the copy is the database as of one instant, the ``-wal`` file included), or
``pg_dump`` on an exported snapshot for PostgreSQL — then checked (SQLite's integrity check;
the dump's table of contents) and the rows of every table counted. What the copy is (when,
from where, whether the bot was running, the counts) goes in a sidecar ``<file>.json``; the
schema is never changed for it.

``restore``: the bot must be stopped. The copy replaces the database, and then one rule keeps
the restored bot from sending again what it most likely sent already (see
:func:`supersede_due_at_backup`), and the coordinators are told which period the restore may
have lost.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, or_, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, col, select

from storage import leader, migrate, outbox, people
from storage.db import Database, execute_bulk, normalise_url, sqlite_path
from storage.models import AuditEvent, Heartbeat, OutboxMessage, OutboxState, Role
from storage.outbox import NewMessage

SIDECAR_SUFFIX = ".json"
RESTORE_TEMPLATE = "restored"
# the outbox's state for "replaced, never to be sent" (the dispatcher's, for a reminder a
# later step replaced); spelled here so that this module needs nothing more of the outbox
SUPERSEDED_STATE = "superseded"
SUPERSEDED = "superseded by the restore of the backup taken at {at}: it was due then, and the "
SUPERSEDED += "bot that was running most likely sent it just after"


class BackupError(Exception):
    """A problem the operator can fix, in one sentence; ``code`` is the CLI's exit code."""

    def __init__(self, message: str, code: int = 4) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds; written beside it as ``<file>.json``."""

    file: str
    taken_at: datetime  # the instant of the copy: nothing after it is in the file
    dialect: str  # "sqlite" or "postgresql"
    revision: str | None  # the schema's Alembic revision
    counts: dict[str, int] = field(default_factory=dict)
    bot_running: bool = False  # the copy's heartbeat was fresh when it was taken
    last_tick: datetime | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["taken_at"] = self.taken_at.isoformat()
        data["last_tick"] = self.last_tick.isoformat() if self.last_tick else None
        return json.dumps(data, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text_: str) -> BackupInfo:
        data = json.loads(text_)
        data["taken_at"] = datetime.fromisoformat(data["taken_at"])
        tick = data.get("last_tick")
        data["last_tick"] = datetime.fromisoformat(tick) if tick else None
        return cls(**data)


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def default_name(engine: Engine, now: datetime) -> str:
    """``staff-report-bot-20250110T190000Z.sqlite3`` (``.dump`` for PostgreSQL)."""
    suffix = "sqlite3" if engine.dialect.name == "sqlite" else "dump"
    return f"staff-report-bot-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.{suffix}"


# -- taking a backup ---------------------------------------------------------------------


def take(database: Database, out: Path, *, now: datetime, running_within: timedelta) -> BackupInfo:
    """Copy the database to ``out`` while the bot may be writing, check the copy, and write
    its sidecar. ``running_within``: a heartbeat this recent means the bot was running."""
    if out.exists() and out.is_dir():
        raise BackupError(f"{out} is a folder: name the backup file, e.g. {out}/backup.sqlite3")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.open("wb").close()  # permission denied or no space: the plain OSError, here
    try:
        if database.engine.dialect.name == "sqlite":
            info = _take_sqlite(database.engine, partial, now, running_within)
        else:
            info = _take_postgres(database.engine, partial, now, running_within)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    info = BackupInfo(**{**asdict(info), "file": out.name})
    sidecar(out).write_text(info.to_json() + "\n", encoding="utf-8")
    return info


def _take_sqlite(engine: Engine, out: Path, now: datetime, within: timedelta) -> BackupInfo:
    out.unlink(missing_ok=True)
    source = engine.raw_connection()
    try:
        target = sqlite3.connect(out)
        try:
            # pages=-1 (the default): the whole database in one step, under one read
            # transaction, so a writer meanwhile cannot make the copy inconsistent
            source.driver_connection.backup(target)  # type: ignore[union-attr]
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    finally:
        source.close()
    counts, revision, beat = check_sqlite_file(out)
    return BackupInfo(
        file=out.name,
        taken_at=now,
        dialect="sqlite",
        revision=revision,
        counts=counts,
        bot_running=beat is not None and beat >= now - within,
        last_tick=beat,
    )


def check_sqlite_file(path: Path) -> tuple[dict[str, int], str | None, datetime | None]:
    """SQLite's integrity check, then the rows of every table, the schema revision and the
    last tick. Raises :class:`BackupError` for a file that is not a sound database."""
    try:
        connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise BackupError(f"{path}: cannot be opened as a SQLite database ({error})") from None
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            raise BackupError(f"{path}: the integrity check failed ({result[0][0]})", code=4)
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        if "alembic_version" not in tables:
            raise BackupError(f"{path}: not a staff-report-bot database (no schema revision)")
        counts = {t: _count(connection, f'"{t}"') for t in tables}
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        beat = _sqlite_last_tick(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: not a sound SQLite database ({error})") from None
    finally:
        connection.close()
    return counts, revision[0] if revision else None, beat


def _count(connection: sqlite3.Connection, table: str) -> int:
    """Rows of ``table`` (a name read from the file's own catalogue, quoted)."""
    return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def _sqlite_last_tick(connection: sqlite3.Connection) -> datetime | None:
    try:
        row = connection.execute("SELECT at FROM heartbeat WHERE name = ?", (leader.TICK,))
        found = row.fetchone()
    except sqlite3.OperationalError:
        return None
    return _as_utc(datetime.fromisoformat(str(found[0]))) if found else None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _take_postgres(engine: Engine, out: Path, now: datetime, within: timedelta) -> BackupInfo:
    """``pg_dump --format=custom`` of the bot's schema, on a snapshot exported by a
    transaction that also counts the rows: the counts are exactly what the dump holds."""
    pg_dump = _tool("pg_dump")
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = str(connection.execute(text("SELECT current_schema()")).scalar_one())
            counts = _postgres_counts(connection, schema)
            revision = migrate.current_revision_on(connection)
            beat = _last_tick(connection)
            _run(
                [
                    *(pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}"),
                    *(f"--schema={schema}", "--file", str(out), "--dbname", _libpq_url(engine)),
                ],
                engine,
            )
    listing = _run([_tool("pg_restore"), "--list", str(out)], engine)
    missing = [t for t in counts if f"TABLE DATA {schema} {t} " not in listing]
    if missing:
        raise BackupError(f"{out}: the dump lacks the data of {', '.join(missing)}")
    return BackupInfo(
        file=out.name,
        taken_at=now,
        dialect="postgresql",
        revision=revision,
        counts=counts,
        bot_running=beat is not None and beat >= now - within,
        last_tick=beat,
    )


def _postgres_counts(connection: Connection, schema: str) -> dict[str, int]:
    tables = sorted(inspect(connection).get_table_names(schema=schema))
    counts = {}
    for table in tables:
        count = text(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608 (catalogue names)
        counts[table] = int(connection.execute(count).scalar_one())
    return counts


def _last_tick(connection: Connection) -> datetime | None:
    with Session(bind=connection) as session:
        beat = session.get(Heartbeat, leader.TICK)
        return _as_utc(beat.at) if beat else None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(apt-get install postgresql-client), or see the README's Deployment section",
            code=4,
        )
    return found


def _libpq_url(engine: Engine) -> str:
    """The URL for pg_dump and pg_restore: the driver name dropped, the password kept out of
    the command line (it goes in ``PGPASSWORD``)."""
    url = make_url(normalise_url(engine.url.render_as_string(hide_password=False)))
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: Sequence[str], engine: Engine) -> str:
    environment = dict(os.environ)
    if engine.url.password:
        environment["PGPASSWORD"] = str(engine.url.password)
    done = subprocess.run(
        list(command), capture_output=True, text=True, env=environment, check=False
    )
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise BackupError(f"{Path(command[0]).name} failed: {first}")
    return done.stdout


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest backups in ``folder`` (and their sidecars)."""
    backups = sorted(
        (p for p in folder.glob("staff-report-bot-*") if not p.name.endswith(SIDECAR_SUFFIX)),
        key=lambda p: p.name,
    )
    removed = backups[: max(len(backups) - keep, 0)]
    for path in removed:
        path.unlink(missing_ok=True)
        sidecar(path).unlink(missing_ok=True)
    return removed


# -- restoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    info: BackupInfo
    restored_at: datetime
    superseded: int  # outbox rows not to be sent again
    told: int  # coordinators told of the period the restore may have lost
    safety_copy: Path | None  # the database as it was before the restore (SQLite)
    upgraded_from: str | None = None


def read_info(file: Path) -> BackupInfo:
    """The sidecar of ``file``; without one (the file was copied alone), what the file itself
    shows: for SQLite, its latest recorded activity stands in for the time of the copy."""
    if not file.is_file():
        raise BackupError(f"{file}: no such backup file")
    if sidecar(file).is_file():
        try:
            return BackupInfo.from_json(sidecar(file).read_text(encoding="utf-8"))
        except (ValueError, TypeError, KeyError) as error:
            raise BackupError(f"{sidecar(file)}: unreadable ({error})") from None
    if _is_sqlite(file):
        counts, revision, beat = check_sqlite_file(file)
        taken_at = _latest_activity(file) or datetime.fromtimestamp(file.stat().st_mtime, UTC)
        return BackupInfo(file.name, taken_at, "sqlite", revision, counts, beat is not None, beat)
    raise BackupError(f"{file}: no {sidecar(file).name} beside it to say when it was taken")


def _is_sqlite(file: Path) -> bool:
    with file.open("rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def _latest_activity(file: Path) -> datetime | None:
    """The last instant the copy records anything happening (a tick, a send, an event)."""
    engine = Database.from_url(f"sqlite:///{file}", read_only=True).engine
    try:
        with Session(engine) as session:
            found = [
                session.exec(select(func.max(col(Heartbeat.at)))).one(),
                session.exec(select(func.max(col(OutboxMessage.sent_at)))).one(),
                session.exec(select(func.max(col(OutboxMessage.created_at)))).one(),
                session.exec(select(func.max(col(AuditEvent.at)))).one(),
            ]
    finally:
        engine.dispose()
    moments = [_as_utc(m) for m in found if isinstance(m, datetime)]
    return max(moments) if moments else None


def bot_running(database: Database, *, now: datetime, within: timedelta) -> str | None:
    """Why we believe a bot uses this database (None when none seems to): a heartbeat younger
    than ``within``, or (PostgreSQL) the scheduler lock held by a process."""
    engine = database.engine
    if migrate.schema_state(engine) is migrate.SchemaState.EMPTY:
        return None
    with database.transaction() as session:
        beat = leader.last_beat(session)
    if beat is not None and _as_utc(beat.at) >= now - within:
        age = int((now - _as_utc(beat.at)).total_seconds())
        return f"{beat.holder} ticked {age} s ago"
    if engine.dialect.name == "postgresql":
        probe = leader.Leadership(engine)
        if not probe.is_leader():
            return "another process holds the scheduler lock"
        probe.release()
    return None


def restore(database: Database, file: Path, *, now: datetime) -> Restored:
    """Replace the database with the backup ``file``, then apply the restore rule and tell
    the coordinators. The caller has made sure the bot is stopped."""
    info = read_info(file)
    dialect = database.engine.dialect.name
    if info.dialect != dialect:
        raise BackupError(
            f"{file} is a {info.dialect} backup; the configured database is {dialect}"
        )
    if info.revision is not None and not migrate.is_known(info.revision):
        raise BackupError(
            f"{file} was written by a newer version of staff-report-bot: install that version"
        )
    safety = None
    if dialect == "sqlite":
        safety = _restore_sqlite(database, file, now)
    else:
        _restore_postgres(database.engine, file)
    upgraded_from = None
    if migrate.schema_state(database.engine) is migrate.SchemaState.BEHIND:
        upgraded_from = migrate.current_revision(database.engine)
        migrate.upgrade(database.engine)
    with database.transaction() as session:
        superseded = supersede_due_at_backup(session, info) if info.bot_running else 0
        told = tell_coordinators(session, info, now)
    return Restored(info, now, superseded, told, safety, upgraded_from)


def _restore_sqlite(database: Database, file: Path, now: datetime) -> Path | None:
    """Keep the current database beside it, then copy the backup in through SQLite (so the
    live file's ``-wal`` is handled), and check the result."""
    check_sqlite_file(file)
    path = sqlite_path(str(database.engine.url))
    safety = None
    if path is not None and path.exists() and path.stat().st_size > 0:
        safety = path.with_name(f"{path.name}.before-restore-{now:%Y%m%dT%H%M%SZ}")
        take(database, safety, now=now, running_within=timedelta(0))
    source = sqlite3.connect(f"file:{file.resolve()}?mode=ro", uri=True)
    target = database.engine.raw_connection()
    try:
        source.backup(target.driver_connection)  # type: ignore[arg-type]
    finally:
        target.close()
        source.close()
    database.engine.dispose()
    return safety


def _restore_postgres(engine: Engine, file: Path) -> None:
    """``pg_restore --clean --if-exists`` in one transaction, into the schema the dump was
    taken from; the schema itself is left alone (only its tables are replaced)."""
    pg_restore = _tool("pg_restore")
    listing = _run([pg_restore, "--list", str(file)], engine)
    kept = [line for line in listing.splitlines() if " SCHEMA - " not in line]
    list_file = file.with_name(file.name + ".list")
    list_file.write_text("\n".join(kept) + "\n", encoding="utf-8")
    try:
        _run(
            [
                *(pg_restore, "--clean", "--if-exists", "--single-transaction", "--no-owner"),
                *("--use-list", str(list_file), "--dbname", _libpq_url(engine), str(file)),
            ],
            engine,
        )
    finally:
        list_file.unlink(missing_ok=True)
    engine.dispose()


def supersede_due_at_backup(session: Session, info: BackupInfo) -> int:
    """The restore rule: a message the copy shows waiting (pending, or claimed and being
    sent) whose time had come by the instant of the copy is not sent again.

    The copy was taken from a running bot (``info.bot_running``; otherwise nothing here
    applies: a stopped bot sent nothing after its copy), and that bot sends a due message
    within seconds. By the time anyone restores, such a message has gone out; sending it
    again is the duplicate people would see. A message not yet due at the copy (held for
    office hours, snoozed, waiting out a retry) stays pending: it may not have gone out, and
    a lost escalation is worse than a repeated reminder.
    """
    # a row being sent at the copy is claimed: its lease (not_before) may run past the copy
    statement = (
        update(OutboxMessage)
        .where(
            or_(
                col(OutboxMessage.state) == OutboxState.SENDING.value,
                (col(OutboxMessage.state) == OutboxState.PENDING.value)
                & (col(OutboxMessage.not_before) <= info.taken_at),
            )
        )
        .values(
            state=SUPERSEDED_STATE,
            last_error=SUPERSEDED.format(at=info.taken_at.isoformat(timespec="seconds")),
        )
    )
    return int(execute_bulk(session, statement).rowcount or 0)


def tell_coordinators(session: Session, info: BackupInfo, now: datetime) -> int:
    """One message to each coordinator: what was recorded from the copy's time to now may be
    lost (confirmations, registrations …), and a reminder sent meanwhile may come again."""
    params: dict[str, Any] = {
        "backup_at": info.taken_at.isoformat(),
        "restored_at": now.isoformat(),
    }
    notices = [
        NewMessage(
            idempotency_key=f"restore:{now.isoformat()}:to-{staff.id}",
            chat_id=staff.chat_id,
            staff_id=staff.id,
            template=RESTORE_TEMPLATE,
            params=params,
        )
        for staff in people.holders_of(session, Role.COORDINATOR)
        if staff.reachable
    ]
    return outbox.enqueue(session, notices, now=now)
