"""The command line and the complaint channel's key: explained, never printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.complaint_keys import ENV_VAR
from tests.support import EXAMPLE_CONFIG

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
