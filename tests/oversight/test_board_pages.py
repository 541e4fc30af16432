"""The board's pages without a browser: every word of the templates in the Thai catalog, and
the [board] section's checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pydantic import ValidationError

from bot.common.i18n import catalog_path
from jobs.settings import BoardSettings
from tests.support import ROOT

TEMPLATES = ROOT / "bot" / "oversight" / "board" / "templates"
_MESSAGE = re.compile(r'_\("((?:[^"\\]|\\.)*)"\)')


def _template_messages() -> set[str]:
    return {m for path in TEMPLATES.glob("*.html") for m in _MESSAGE.findall(path.read_text())}


def test_every_word_of_the_templates_has_a_thai_translation() -> None:
    with catalog_path("th").open("rb") as handle:
        catalog = read_po(handle, locale="th")
    messages = _template_messages()
    assert "Reporting board" in messages and len(messages) > 30
    missing = sorted(m for m in messages if not getattr(catalog.get(m), "string", None))
    assert not missing, f"add these to messages.po: {missing}"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"listen": "8080"}, "listen"),
        ({"listen": "127.0.0.1:99999"}, "listen"),
        ({"listen": "127.0.0.1:²⁵"}, "listen"),
        ({"public_url": "board.example.go.th"}, "public_url"),
        ({"roles": ["boss"]}, "roles"),
    ],
)
def test_a_wrong_board_setting_is_refused_naming_its_key(
    changes: dict[str, object], key: str
) -> None:
    values = {"public_url": "https://board.example.go.th", **changes}
    with pytest.raises(ValidationError) as caught:
        BoardSettings.model_validate(values)
    assert caught.value.errors()[0]["loc"] == (key,)


def test_the_board_settings_read_host_port_and_https() -> None:
    board = BoardSettings(listen="10.1.2.3:8081", public_url="https://board.example.go.th/")
    assert (board.host, board.port, board.secure) == ("10.1.2.3", 8081, True)
    assert board.public_url == "https://board.example.go.th"
    assert not BoardSettings(public_url="http://10.0.0.5:8081").secure
    assert Path(TEMPLATES).is_dir()


def test_without_chromium_ci_fails_and_a_desk_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.oversight.board_browser import chromium_path

    monkeypatch.setenv("STAFF_REPORT_BOT_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("STAFF_REPORT_BOT_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="CI requires"):
        chromium_path()
    monkeypatch.delenv("STAFF_REPORT_BOT_REQUIRE_BROWSER")
    monkeypatch.delenv("STAFF_REPORT_BOT_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        chromium_path()


def test_the_board_may_not_take_the_webhooks_port() -> None:
    from bot.cli import board_clash
    from jobs.settings import load_settings
    from tests.support import EXAMPLE_CONFIG

    settings = load_settings(EXAMPLE_CONFIG)
    assert not board_clash(settings)  # no board
    for listen, clash in (("127.0.0.1:8080", True), ("127.0.0.1:8081", False)):
        board = BoardSettings(listen=listen, public_url="https://board.example.go.th")
        assert board_clash(settings.model_copy(update={"board": board})) is clash
