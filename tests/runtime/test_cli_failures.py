"""Failures an operator meets, each in one line with an exit code, never a traceback (unless
``--log-level DEBUG``), never the token."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.offline import FakeTelegram
from storage import migrate
from storage.db import Database
from tests.harness import TOKEN
from tests.runtime.test_webhook_health import free_port
from tests.support import ROOT
from tests.test_migrations import _write_config

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


def _run_config(tmp_path: Path, base_url: str) -> Path:
    """A config for ``run`` against ``base_url``, the complaint channel off (it needs a key)."""
    config = _write_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    text = config.read_text(encoding="utf-8")
    text = text.replace('base_url = "https://api.telegram.org/bot"', f'base_url = "{base_url}"', 1)
    config.write_text(text.replace("[complaints]\nenabled = true", "[complaints]\nenabled = false"))
    return config


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert "Traceback" not in err
    return lines[0]


def _ready_sqlite(tmp_path: Path) -> tuple[Path, Path]:
    """A config and its SQLite database, migrated."""
    path = tmp_path / "office.sqlite3"
    config = _write_config(tmp_path, f"sqlite:///{path}")
    database = Database.from_url(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    database.dispose()
    return config, path


def _cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("staff-report-bot")), *args],
        cwd=ROOT,
        env=environment,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.parametrize("command", ["migrate", "invite", "export", "backup", "restore"])
def test_an_unreachable_database_is_one_line_and_exit_3(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write_config(tmp_path, UNREACHABLE)
    extra = {
        "invite": ["--group", "admin"],
        "export": ["--fy", "2568", "--out", str(tmp_path / "x.xlsx")],
    }.get(command, [])
    if command == "restore":
        extra = [str(_a_backup(tmp_path))]
        capsys.readouterr()
    assert main([command, "--config", str(config), *extra]) == 3
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("error: cannot reach the database postgresql://nobody@127.0.0.1:1/none")
    assert "is the server running" in line


def _a_backup(tmp_path: Path) -> Path:
    (tmp_path / "source").mkdir()
    config, _ = _ready_sqlite(tmp_path / "source")
    out = tmp_path / "copy.sqlite3"
    assert main(["backup", "--config", str(config), "--out", str(out)]) == 0
    return out


def test_debug_shows_the_traceback_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _write_config(tmp_path, UNREACHABLE)
    assert main(["--log-level", "DEBUG", "migrate", "--config", str(config)]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "error: cannot reach the database" in err


def test_a_locked_database_is_one_line_and_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, path = _ready_sqlite(tmp_path)
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another program writes and does not let go
    try:
        assert main(["invite", "--group", "admin", "--config", str(config)]) == 3
    finally:
        holder.rollback()
        holder.close()
    line = _one_line(capsys.readouterr().err)
    assert "is locked by another program" in line and "try again" in line


def test_a_token_telegram_rejects_is_one_line_exit_2_and_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = "987654321:AAThisTokenWasRevokedLongAgo_xyz123"
    with FakeTelegram(token=TOKEN) as fake:
        config = _run_config(tmp_path, fake.base_url)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", wrong)
        assert main(["run", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    line = _one_line(captured.err)
    assert line.startswith("error: Telegram rejected the bot token")
    assert "AAThisTokenWasRevoked" not in captured.err + captured.out
    assert "987654321" not in captured.err + captured.out


def test_run_keeps_trying_while_telegram_is_unreachable_then_starts(tmp_path: Path) -> None:
    """One line per attempt, each wait longer than the last; when Telegram answers, the bot
    starts; Ctrl+C stops it without a traceback."""
    port = free_port()
    config = _run_config(tmp_path, f"http://127.0.0.1:{port}/bot")
    process = _cli("run", "--config", str(config), stderr=subprocess.PIPE)
    assert process.stderr is not None
    try:
        attempts: list[str] = []
        while len(attempts) < 2:
            line = process.stderr.readline()
            assert line, "run ended before trying twice"
            if "Telegram cannot be reached" in line:
                attempts.append(line)
        assert "attempt 1 failed, trying again in 1 s" in attempts[0]
        assert "attempt 2 failed, trying again in 2 s" in attempts[1]
        assert TOKEN not in "".join(attempts)
        with FakeTelegram(token=TOKEN, port=port) as fake:
            fake.wait_for(lambda: bool(fake.calls_to("getUpdates")), timeout=30)
            process.send_signal(signal.SIGINT)
            rest = process.communicate(timeout=30)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "Traceback" not in rest and TOKEN not in rest


def test_a_reader_that_closes_the_pipe_ends_preview_quietly(tmp_path: Path) -> None:
    """``preview | head``: the reader is gone before the first line is written."""
    config = _write_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    read_end, write_end = os.pipe()
    os.close(read_end)
    process = _cli(
        "preview", "--config", str(config), "--fy", "2569", stdout=write_end, stderr=subprocess.PIPE
    )
    os.close(write_end)
    err = process.communicate(timeout=60)[1]
    assert (process.returncode, err) == (0, "")


def test_a_full_disk_is_one_line_and_exit_4(tmp_path: Path) -> None:
    config = _write_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with open("/dev/full", "w") as full:  # noqa: PTH123 (a device, not a path we own)
        process = _cli(
            "preview", "--config", str(config), "--fy", "2569", stdout=full, stderr=subprocess.PIPE
        )
        err = process.communicate(timeout=60)[1]
    assert process.returncode == 4
    assert "no space left on the disk" in _one_line(err)


def test_permission_denied_is_one_line_and_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = _ready_sqlite(tmp_path)
    # /sys refuses new files even to root (the tests may run as root, for whom chmod is moot)
    assert main(["backup", "--config", str(config), "--out", "/sys/staff.sqlite3"]) == 4
    line = _one_line(capsys.readouterr().err)
    assert line == (
        "error: /sys/staff.sqlite3.part: permission denied: run as the user the bot runs as, "
        "or let it write there (chown/chmod)"
    )


def test_health_on_a_mistyped_path_creates_nothing_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "ofice.sqlite3"
    config = _write_config(tmp_path, f"sqlite:///{typo}")
    assert main(["health", "--config", str(config)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"] is False and report["database"] == "missing"
    assert str(typo) in report["reason"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_health_on_an_unreachable_database_gives_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write_config(tmp_path, UNREACHABLE)
    assert main(["health", "--config", str(config)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["healthy"] is False and report["database"] == "unreachable"
    assert report["reason"].startswith("cannot reach the database")


def test_health_opens_the_database_read_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database behind the schema is reported, not upgraded (nor written at all)."""
    path = tmp_path / "old.sqlite3"
    config = _write_config(tmp_path, f"sqlite:///{path}")
    database = Database.from_url(f"sqlite:///{path}")
    migrate.upgrade(database.engine, "0001")
    database.dispose()
    before = path.read_bytes()
    assert main(["health", "--config", str(config)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "behind" and "staff-report-bot migrate" in report["reason"]
    assert path.read_bytes() == before


def test_migrate_shows_no_alembic_lines_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write_config(tmp_path, f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert main(["migrate", "--config", str(config)]) == 0
    captured = capsys.readouterr()
    assert "alembic" not in captured.err.lower() and "Running upgrade" not in captured.err
    assert "schema none →" in captured.out
