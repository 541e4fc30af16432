"""Backups an office can restore: a copy taken while the bot writes holds a consistent state;
a restore brings back everything the copy held, never sends again what it shows as sent (or
what was due when it was taken), and tells the coordinator what may have been lost."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, text, update
from sqlmodel import col, select

from bot.app import ENGINE_WANTED, start_services
from bot.cli import main
from bot.common.services import services_of
from jobs.nightly_backup import NightlyBackup
from jobs.settings import Settings
from storage import backup, leader, outbox
from storage.db import Database
from storage.models import Invite, OutboxMessage, OutboxState, Role, Staff, StaffRole
from storage.outbox import NewMessage
from tests.harness import running_bot
from tests.support import enrol, with_changes
from tests.test_migrations import _write_config

SENT_CHAT, DUE_CHAT, LATER_CHAT, WRITER_CHAT, COORDINATOR = 9001, 9002, 9003, 9100, 7001


class Writer(threading.Thread):
    """Another connection writing all along: one committed outbox row after another."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.database = Database.from_url(url)
        self.committed: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            key = f"writer:{len(self.committed)}"
            with self.database.transaction() as session:
                message = NewMessage(key, WRITER_CHAT, "restored", _params())
                outbox.enqueue(session, [message], now=datetime.now(UTC))
                session.execute(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.idempotency_key) == key)
                    .values(state=OutboxState.SENT.value)
                )
            self.committed.append(key)

    def wait_for(self, count: int) -> None:
        while len(self.committed) < count:
            self.stop.wait(0.01)

    def finish(self) -> None:
        self.stop.set()
        self.join()
        self.database.dispose()


def _params() -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {"backup_at": now, "restored_at": now}


def _seed(db: Database, now: datetime) -> None:
    """A coordinator; a message sent, one due now and one due later; a fresh tick."""
    enrol(db, COORDINATOR, "วิภา ประสานงาน", "policy", Role.COORDINATOR, now=now)
    with db.transaction() as session:
        for key, chat, at in (
            ("seed:sent", SENT_CHAT, now - timedelta(minutes=5)),
            ("seed:due", DUE_CHAT, now - timedelta(minutes=1)),
            ("seed:later", LATER_CHAT, now + timedelta(minutes=3)),
        ):
            message = NewMessage(key, chat, "restored", _params())
            outbox.enqueue(session, [message], now=now, not_before=at)
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.idempotency_key) == "seed:sent")
            .values(state=OutboxState.SENT.value, sent_at=now)
        )
        leader.beat(session, holder="office-server:1", at=now)


def _rows(db: Database) -> dict[str, str]:
    with db.transaction() as session:
        return {m.idempotency_key: m.state for m in session.exec(select(OutboxMessage)).all()}


async def test_backup_while_writing_then_restore_and_restart_loses_and_repeats_nothing(
    tmp_path: Path, database_url: str, db: Database, settings: Settings
) -> None:
    config = _write_config(tmp_path, database_url)
    now = datetime.now(UTC)
    _seed(db, now)
    writer = Writer(database_url)
    writer.start()
    writer.wait_for(20)
    before_backup = list(writer.committed)
    out = tmp_path / "backups" / ("copy.sqlite3" if "sqlite" in database_url else "copy.dump")
    try:
        assert main(["backup", "--config", str(config), "--out", str(out)]) == 0
        writer.wait_for(len(writer.committed) + 20)  # still writing after the copy
    finally:
        writer.finish()
    info = json.loads(backup.sidecar(out).read_text(encoding="utf-8"))
    assert info["bot_running"] is True and info["counts"]["staff"] == 1
    held = info["counts"]["outbox_message"]
    assert 3 + len(before_backup) <= held < 3 + len(writer.committed)

    # after the copy the running bot sent the due message; then the server died
    with db.transaction() as session:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.idempotency_key) == "seed:due")
            .values(state=OutboxState.SENT.value)
        )
    assert main(["restore", "--config", str(config), str(out)]) == 3  # the bot "runs"
    with db.transaction() as session:
        leader.beat(session, holder="office-server:1", at=now - timedelta(hours=1))
    restore = ["restore", "--config", str(config), str(out)]
    if "postgresql" in database_url:  # the test server's other suites may hold the lock
        restore.append("--force")
    assert main(restore) == 0

    restored = Database.from_url(database_url)
    rows = _rows(restored)
    notices = {key for key in rows if key.startswith("restore:")}
    assert len(notices) == 1 and len(rows) == held + 1
    assert set(before_backup) <= set(rows)  # nothing the copy held is lost
    assert rows["seed:sent"] == OutboxState.SENT.value
    assert rows["seed:due"] == "superseded"  # due when the copy was taken: not sent again
    assert rows["seed:later"] == OutboxState.PENDING.value
    with restored.transaction() as session:
        counts = {
            table: session.exec(select(func.count()).select_from(model)).one()
            for table, model in (("staff", Staff), ("staff_role", StaffRole), ("invite", Invite))
        }
    assert counts == {t: info["counts"][t] for t in counts}

    # restart: the bot sends what is still to go, and nothing else
    clock = _Later(now + timedelta(minutes=10))
    quiet = with_changes(settings, engine={"safety_interval_seconds": 3600.0})
    async with running_bot(restored, quiet, clock) as bot:
        for chat in (COORDINATOR, SENT_CHAT, DUE_CHAT, LATER_CHAT, WRITER_CHAT):
            bot.fake.register_user(chat, first_name=f"user {chat}")
        bot.app.bot_data[ENGINE_WANTED] = True  # now start the engine, as `run` does
        await start_services(bot.app)
        engine = services_of(bot.app).engine
        assert engine is not None
        await engine.wake()  # the clock is ten minutes ahead: wake now, not by the scheduler
        await bot.fake.wait_for_messages(LATER_CHAT, 1)
        # one wake-up sends everything due (the notice; the coordinator's own reminders,
        # if any, wait for office hours)
        coordinator = bot.fake.texts_to(COORDINATOR)
        assert sum("was restored from a backup" in t or "กู้คืนข้อมูล" in t for t in coordinator) == 1
        assert bot.fake.messages_to(SENT_CHAT) == [] and bot.fake.messages_to(DUE_CHAT) == []
        assert bot.fake.messages_to(WRITER_CHAT) == []
    restored.dispose()


class _Later:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_a_damaged_backup_is_refused_and_the_database_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "office.sqlite3"
    config = _write_config(tmp_path, f"sqlite:///{path}")
    assert main(["migrate", "--config", str(config)]) == 0
    out = tmp_path / "copy.sqlite3"
    assert main(["backup", "--config", str(config), "--out", str(out)]) == 0
    capsys.readouterr()
    data = bytearray(out.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)  # pages of tables overwritten
    out.write_bytes(bytes(data))
    before = path.read_bytes()
    assert main(["restore", "--config", str(config), str(out)]) == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(out) in err[0], err
    assert path.read_bytes() == before


def test_backup_prints_the_checked_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "office.sqlite3"
    config = _write_config(tmp_path, f"sqlite:///{path}")
    assert main(["invite", "--group", "admin", "--config", str(config)]) == 0
    capsys.readouterr()
    out = tmp_path / "b.sqlite3"
    assert main(["backup", "--config", str(config), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"{out}: checked, schema ")
    assert "invite 1" in printed and "work_group 4" in printed
    assert backup.check_sqlite_file(out)[0]["invite"] == 1


def test_sqlite_commits_are_on_the_disk_before_they_return(db: Database) -> None:
    if db.engine.dialect.name != "sqlite":
        assert db.engine.dialect.name == "postgresql"  # synchronous_commit stays on there
        with db.engine.connect() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL


def test_the_nightly_backup_keeps_the_newest_copies(
    tmp_path: Path, database_url: str, db: Database, settings: Settings
) -> None:
    folder = tmp_path / "nightly"
    configured = with_changes(settings, backup={"dir": folder, "keep": 2, "at": time(2, 0)})
    moments = [datetime(2025, 1, day, 19, 0, tzinfo=UTC) for day in (10, 11, 12)]
    taken = []
    for moment in moments:
        nightly = NightlyBackup(db, configured, _Later(moment), lambda: True)
        taken.append(nightly.take())
    assert all(taken)
    kept = sorted(p.name for p in folder.iterdir())
    suffix = "sqlite3" if db.engine.dialect.name == "sqlite" else "dump"
    assert kept == [
        f"staff-report-bot-20250111T190000Z.{suffix}",
        f"staff-report-bot-20250111T190000Z.{suffix}.json",
        f"staff-report-bot-20250112T190000Z.{suffix}",
        f"staff-report-bot-20250112T190000Z.{suffix}.json",
    ]


async def test_the_engine_schedules_the_nightly_backup_only_when_a_folder_is_set(
    tmp_path: Path, settings: Settings
) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    database = Database.from_url(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    scheduler = AsyncIOScheduler(timezone=settings.office.zone)
    off = NightlyBackup(database, settings, lambda: datetime.now(UTC), lambda: True)
    assert off.schedule(scheduler) is False and scheduler.get_jobs() == []
    on_settings = with_changes(settings, backup={"dir": tmp_path})
    on = NightlyBackup(database, on_settings, lambda: datetime.now(UTC), lambda: True)
    assert on.schedule(scheduler) is True
    (job,) = scheduler.get_jobs()
    assert str(job.trigger) == "cron[hour='2', minute='0']"
    database.dispose()
