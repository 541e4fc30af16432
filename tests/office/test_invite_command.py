"""``staff-report-bot invite``: a code and its deep link, from the command line."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import _parser, main
from bot.offline import FakeTelegram
from jobs.offsets import parse_duration
from storage import invites
from storage.db import Database
from storage.models import Invite, Role
from tests.harness import TOKEN
from tests.support import EXAMPLE_CONFIG


def _config(tmp_path: Path, extra_telegram: str = "") -> Path:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace(
        'url = "sqlite:///staff-report-bot.sqlite3"',
        f'url = "sqlite:///{tmp_path / "office.sqlite3"}"',
        1,
    )
    text = text.replace(
        'base_url = "https://api.telegram.org/bot"',
        f'base_url = "https://api.telegram.org/bot"\n{extra_telegram}',
        1,
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _stored(tmp_path: Path, code: str) -> Invite:
    database = Database.from_url(f"sqlite:///{tmp_path / 'office.sqlite3'}")
    with database.transaction() as session:
        found = session.get(Invite, 1)
    database.dispose()
    assert found is not None and found.code == code
    return found


def test_invite_prints_a_code_and_the_deep_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    config = _config(tmp_path, 'bot_username = "phichit_report_bot"')
    arguments = ["invite", "--config", str(config), "--group", "development"]
    assert main([*arguments, "--role", "group_head", "--uses", "3", "--expires", "14d"]) == 0
    out = capsys.readouterr().out
    code = re.search(r"^code: ([A-Z0-9]{10})$", out, re.MULTILINE)
    assert code is not None
    assert f"link: https://t.me/phichit_report_bot?start={code.group(1)}" in out
    invite = _stored(tmp_path, code.group(1))
    assert (invite.role, invite.max_uses) == (Role.GROUP_HEAD.value, 3)
    assert set(code.group(1)) <= set(invites.CODE_ALPHABET)


def test_invite_asks_telegram_for_the_username_when_the_config_has_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeTelegram(token=TOKEN, bot_username="office_bot") as fake:
        config = _config(tmp_path)
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                'base_url = "https://api.telegram.org/bot"', f'base_url = "{fake.base_url}"', 1
            ),
            encoding="utf-8",
        )
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
        assert main(["invite", "--config", str(config), "--role", "director"]) == 0
    assert "link: https://t.me/office_bot?start=" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--group", "nowhere"], "unknown group 'nowhere'"),
        (["--role", "staff"], "--group is needed for the role staff"),
        (["--group", "admin", "--expires", "soon"], "--expires: 'soon' is not a length of time"),
        (["--group", "admin", "--expires", "2wd"], "e.g. 2w, 7d, 12h, 30m"),
        (["--group", "admin", "--expires", "7"], "--expires: '7' is not a length of time"),
        (["--group", "admin", "--expires", "0d"], "--expires: '0d'"),
        (["--group", "admin", "--uses", "0"], "--uses"),
    ],
)
def test_invite_explains_bad_arguments_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], problem: str
) -> None:
    config = _config(tmp_path)
    assert main(["invite", "--config", str(config), *arguments]) == 2
    assert problem in capsys.readouterr().err


def _help_and_refusal_examples() -> list[str]:
    """The durations ``invite --help`` shows and those the refusal suggests."""
    shown = " ".join(_invite_parser_help().split())
    refusal = ""
    try:
        parse_duration("soon")
    except ValueError as error:
        refusal = str(error)
    found = re.findall(r"\b\d+[a-z]+\b", shown.rsplit("--expires EXPIRES", 1)[1])
    found += re.findall(r"\b\d+[a-z]+\b", refusal.split("e.g.", 1)[1])
    assert len(found) >= 8, (shown, refusal)
    return found


def _invite_parser_help() -> str:
    subparsers = next(
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    )
    return subparsers.choices["invite"].format_help()


@pytest.mark.parametrize(
    ("text", "valid_for"),
    [
        ("2w", timedelta(days=14)),
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("90s", timedelta(seconds=90)),
    ],
)
def test_expires_takes_weeks_days_hours_and_minutes(text: str, valid_for: timedelta) -> None:
    assert parse_duration(text) == valid_for


def test_every_duration_the_help_and_the_refusal_show_is_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    arguments = ["invite", "--config", str(config), "--group", "policy", "--expires"]
    for example in _help_and_refusal_examples():
        assert main([*arguments, example]) == 0, (example, capsys.readouterr().err)
    assert "valid until" in capsys.readouterr().out


def test_invite_names_the_group_by_key_and_name_apart_from_the_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example's group admin (กลุ่มอำนวยการ) is not the role admin: the output says which."""
    config = _config(tmp_path)
    assert main(["invite", "--config", str(config), "--group", "admin", "--expires", "2w"]) == 0
    out = capsys.readouterr().out
    assert "\ngroup: admin (กลุ่มอำนวยการ)\nrole: staff; uses: 1; valid until " in out
    assert main(["invite", "--config", str(config), "--role", "director"]) == 0
    assert "\ngroup: - (none)\nrole: director; " in capsys.readouterr().out
