"""``staff-report-bot invite``: a code and its deep link, from the command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.fake_telegram import FakeTelegram
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
        (["--group", "admin", "--expires", "soon"], "--expires"),
        (["--group", "admin", "--expires", "2wd"], "positive duration"),
        (["--group", "admin", "--uses", "0"], "--uses"),
    ],
)
def test_invite_explains_bad_arguments_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], problem: str
) -> None:
    config = _config(tmp_path)
    assert main(["invite", "--config", str(config), *arguments]) == 2
    assert problem in capsys.readouterr().err
