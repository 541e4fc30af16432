"""The bot token: only from the environment or a token file, placeholders refused, never shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import main
from bot.runtime import logs
from bot.runtime.complaint_keys import ENV_VAR as COMPLAINT_KEY_VARIABLE
from bot.runtime.complaint_keys import load_complaint_keys
from bot.runtime.credentials import ENV_VAR, TokenError, load_token
from jobs.settings import ComplaintSettings
from tests.support import EXAMPLE_CONFIG

REAL_LOOKING = "7412589630:AAHk3jd93Jd-ks83JDKs93kd_k3jdKS93kd"


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("1111111:fromthefile-abcdefghij\n", encoding="utf-8")
    assert load_token(token_file, {ENV_VAR: REAL_LOOKING}) == REAL_LOOKING
    assert load_token(token_file, {}) == "1111111:fromthefile-abcdefghij"


@pytest.mark.parametrize(
    "value",
    ["", "   ", "123456:CHANGE-ME-CHANGE-ME", "your-bot-token-here", "123:short", "<token>"],
)
def test_missing_or_placeholder_tokens_are_refused_without_echoing_them(value: str) -> None:
    environ = {ENV_VAR: value} if value else {}
    with pytest.raises(TokenError) as raised:
        load_token(None, environ)
    message = str(raised.value)
    assert ENV_VAR in message
    if value.strip():
        assert value.strip() not in message


def test_an_unreadable_token_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(TokenError, match="cannot read the token file"):
        load_token(tmp_path / "missing", {})


def test_run_without_a_token_exits_2_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert main(["run", "--config", str(EXAMPLE_CONFIG)]) == 2
    assert f"set the environment variable {ENV_VAR}" in capsys.readouterr().err


def test_protected_secrets_never_reach_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    logs.protect([REAL_LOOKING])
    log = logging.getLogger("test.redaction")
    with caplog.at_level(logging.DEBUG):
        log.info("calling https://api.telegram.org/bot%s/getMe", REAL_LOOKING)
        try:
            raise RuntimeError(f"failed for {REAL_LOOKING}")
        except RuntimeError:
            log.exception("boom")
    secret_half = REAL_LOOKING.split(":", 1)[1]
    assert secret_half not in caplog.text
    assert "[redacted]" in caplog.text and "boom" in caplog.text


def test_the_complaint_key_is_redacted_once_loaded(caplog: pytest.LogCaptureFixture) -> None:
    key = "complaint-key:" + "k" * 20 + "-redaction-test"
    load_complaint_keys(ComplaintSettings(), {COMPLAINT_KEY_VARIABLE: key})
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test.redaction").warning("the key is %s", key)
        logging.getLogger("test.redaction").warning("a colon: short")  # no short word lost
    assert key not in caplog.text and "k" * 20 not in caplog.text
    assert "the key is [redacted]" in caplog.text and "a colon: short" in caplog.text
