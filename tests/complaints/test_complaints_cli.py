"""The command line and the complaint channel's key: explained, never printed."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.common.services import services_of
from bot.complaints.admin import prepare
from bot.runtime.complaint_keys import ENV_VAR, ComplaintKeyError, load_complaint_keys
from jobs.settings import Settings, load_settings
from storage import complaints, migrate
from storage.db import Database
from storage.models import Role
from tests.complaints.test_complaints_bot import COMPLAINANT, DIRECTOR, WHAT, file_complaint, press
from tests.duties.test_tick import bkk, only
from tests.harness import Clock, running_bot
from tests.support import EXAMPLE_CONFIG, enrol

KEY = "k3y-for-the-complaint-tests-0123456789-abcdefghij"


def _config(tmp_path: Path) -> Path:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///staff-report-bot.sqlite3"',
        f'url = "sqlite:///{tmp_path / "bot.sqlite3"}"',
        1,
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_run_refuses_a_channel_without_a_key_and_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:abcdefghijklmnopqrstuvwxyz")
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert main(["run", "--config", str(_config(tmp_path))]) == 2
    error = capsys.readouterr().err
    assert f"set the environment variable {ENV_VAR}" in error
    assert "secrets.token_urlsafe(32)" in error and "enabled = false" in error
    monkeypatch.setenv(ENV_VAR, "changeme")
    assert main(["run", "--config", str(_config(tmp_path))]) == 2
    error = capsys.readouterr().err
    assert "at least 32 random characters" in error and "changeme" not in error


def test_check_config_warns_without_a_key_and_never_prints_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "complaint channel (1.7): on; acknowledge within 7wd, outcome within 3mo" in out
    assert "WARNING: `run` will refuse to start" in out
    monkeypatch.setenv(ENV_VAR, KEY)
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "key: found" in out and KEY not in out


def test_check_config_prints_the_link_for_the_office_website(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The admin's way to the link the office puts on its website (the director's is
    /complaints): from the bot's username in the config, nothing asked of Telegram."""
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    assert "link for the office website: set [telegram] bot_username" in capsys.readouterr().out
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        '# bot_username = "phichit_report_bot"', 'bot_username = "phichit_report_bot"', 1
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "link for the office website: https://t.me/phichit_report_bot?start=complain" in out


# -- a change of key ------------------------------------------------------------------------

NEW_KEY = "n3w-key-for-the-complaint-tests-9876543210-zyxwvuts"


def _office_config(tmp_path: Path, database_url: str) -> Path:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'url = "sqlite:///staff-report-bot.sqlite3"', f'url = "{database_url}"', 1
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def _director_reads_every_complaint(
    db: Database, settings: Settings, count: int, codes: list[str]
) -> None:
    async with running_bot(db, only(settings), Clock(bkk(1, 7, 9))) as bot:
        await bot.say(DIRECTOR, "/complaints")
        for number in range(1, count + 1):
            (card,) = await press(bot, DIRECTOR, f"cp:{number}:open")
            assert WHAT in card and "โทร 081-234-5678" in card, number
            assert "ไม่สามารถเปิดอ่านได้" not in card
        (added,) = await press(bot, DIRECTOR, "cp:1:open")
        assert "มีพยานเพิ่มเติม" in added
        keys = services_of(bot.app).complaint_keys
        assert keys is not None
        with db.transaction() as session:  # the files' ids and names open too
            files = [complaints.entry_content(e, keys) for e in complaints.entries(session, 1)]
        assert [(f.file_name, bool(f.file_id)) for f in files if f.file_id] == [
            ("สลิปโอนเงิน.pdf", True)
        ]
        for code in codes:  # the tracking codes keep working
            (status,) = await bot.say(COMPLAINANT, f"/complaint {code}")
            assert status.startswith("เรื่องร้องเรียนของท่าน"), code


async def test_rotating_the_key_keeps_every_complaint_readable(
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = _office_config(tmp_path, database_url)
    settings = load_settings(config)
    db = Database.from_url(database_url)
    migrate.upgrade(db.engine)
    enrol(db, DIRECTOR, "วิชัย รักดี", None, Role.DIRECTOR, now=bkk(1, 2))
    monkeypatch.setenv(ENV_VAR, KEY)  # key A
    codes = []
    async with running_bot(db, only(settings), Clock(bkk(1, 6, 9))) as bot:
        for _ in range(2):
            codes.append(await file_complaint(bot, notify=True, contact="โทร 081-234-5678"))
        await bot.say(COMPLAINANT, f"/complaint {codes[0]}")
        await press(bot, COMPLAINANT, f"cm:add:{codes[0].replace('-', '')}")
        await bot.say(COMPLAINANT, "มีพยานเพิ่มเติม 2 คน")
        await press(bot, COMPLAINANT, "cm:end")

    # B alone cannot read A's rows: the command refuses, and nothing changes
    monkeypatch.setenv(ENV_VAR, NEW_KEY)
    assert main(["rotate-complaint-key", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    assert "cannot be read with the key(s) given, so nothing was changed" in captured.err
    monkeypatch.setenv(ENV_VAR, KEY)
    await _director_reads_every_complaint(db, settings, 2, codes)

    # B first, A after it: the bot reads both meanwhile; the command moves everything to B
    monkeypatch.setenv(ENV_VAR, f"{NEW_KEY}\n{KEY}")
    await _director_reads_every_complaint(db, settings, 2, codes)
    assert main(["rotate-complaint-key", "--config", str(config)]) == 0
    captured = capsys.readouterr()
    assert "2 complaints, 3 entries and 2 stored keys are now encrypted" in captured.out
    assert "the 1 older key(s) can now be removed" in captured.out
    assert KEY not in captured.out + captured.err and NEW_KEY not in captured.out + captured.err

    # B alone: every complaint, file, contact and code still opens
    monkeypatch.setenv(ENV_VAR, NEW_KEY)
    await _director_reads_every_complaint(db, settings, 2, codes)
    keys = load_complaint_keys(settings.complaints)
    with db.transaction() as session:
        for number in (1, 2):
            row = complaints.by_id(session, number)
            assert row is not None and row.notify_token is not None
            assert keys.open_contact(row.notify_token) == (COMPLAINANT, "th")
    # A alone no longer reads them: the director is told what to do, not shown nonsense
    monkeypatch.setenv(ENV_VAR, KEY)
    with pytest.raises(ComplaintKeyError):
        prepare(db, load_complaint_keys(settings.complaints))
    db.dispose()


# -- files the bot makes, and files that hold secrets ----------------------------------------


@pytest.fixture
def restore_umask() -> Iterator[None]:
    before = os.umask(0o022)  # the usual umask, as a shell gives it
    yield
    os.umask(before)


def test_the_database_and_an_export_are_made_readable_by_the_owner_alone(
    tmp_path: Path, restore_umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    assert main(["migrate", "--config", str(config)]) == 0
    database = tmp_path / "bot.sqlite3"
    made = [database, *(Path(f"{database}{s}") for s in ("-wal", "-shm"))]
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in made if path.exists()}
    assert database.name in modes and set(modes.values()) == {0o600}, modes
    out = tmp_path / "ita-2568.xlsx"
    assert main(["export", "--fy", "2568", "--out", str(out), "--config", str(config)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert os.umask(0o022) == 0o077  # what main set for everything after it


def test_check_config_warns_of_a_key_file_others_can_read_never_printing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    key_file = tmp_path / "complaint.key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    config = _config(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "[complaints]\n", f'[complaints]\nkey_file = "{key_file}"\n', 1
    )
    config.write_text(text, encoding="utf-8")
    key_file.chmod(0o644)
    assert main(["check-config", str(config)]) == 0
    out = capsys.readouterr().out
    warnings = [line for line in out.splitlines() if "WARNING" in line]
    assert warnings == [
        f"  WARNING: the complaint key file {key_file} can be read by other accounts on this "
        f"computer (mode 0644): make it readable by the bot alone with chmod 600 {key_file}"
    ]
    assert KEY not in out
    key_file.chmod(0o600)
    assert main(["check-config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "WARNING" not in out and "key: found" in out and KEY not in out
