"""`run` and `run --webhook` both serve the board: the command line in a process of its own,
against the fake Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.error import URLError

import pytest

from bot.offline import FakeTelegram
from tests.harness import TOKEN
from tests.oversight.board_browser import free_port
from tests.support import EXAMPLE_CONFIG, ROOT


def _config(tmp_path: Path, fake: FakeTelegram, board_port: int, hook_port: int) -> Path:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace(
        'base_url = "https://api.telegram.org/bot"', f'base_url = "{fake.base_url}"'
    )
    text = text.replace(
        'url = "sqlite:///staff-report-bot.sqlite3"',
        f'url = "sqlite:///{tmp_path / "bot.sqlite3"}"',
    )
    text = text.replace(
        "[webhook]\n",
        f'[webhook]\nport = {hook_port}\npublic_url = "https://bot.example.go.th/telegram"\n',
        1,
    )
    text += f'\n[board]\nlisten = "127.0.0.1:{board_port}"\npublic_url = "http://127.0.0.1:{board_port}"\n'
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def _board_answers(url: str, timeout: float) -> str:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return str(response.read().decode())
        except (URLError, ConnectionError):
            time.sleep(0.2)
    raise TimeoutError(f"the board did not answer at {url} within {timeout} s")


@pytest.mark.parametrize("webhook", [False, True], ids=["run", "run --webhook"])
def test_the_command_line_serves_the_board(tmp_path: Path, webhook: bool) -> None:
    board_port, hook_port = free_port(), free_port()
    with FakeTelegram(token=TOKEN) as fake:
        config = _config(tmp_path, fake, board_port, hook_port)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_WEBHOOK_SECRET": "board-run-secret-0123456789",
            "STAFF_REPORT_BOT_COMPLAINT_KEY": "board-run-complaint-key-0123456789abcdefgh",
        }
        code = "import sys; from bot.cli import main; sys.exit(main())"
        arguments = ["run", "--webhook"] if webhook else ["run"]
        process = subprocess.Popen(
            [sys.executable, "-c", code, *arguments, "--config", str(config)],
            cwd=tmp_path,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        try:
            page = _board_answers(f"http://127.0.0.1:{board_port}/signin?t=x", 60)
            assert 'action="/signin"' in page and "เข้าสู่ระบบ" in page
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        assert bool(fake.calls_to("setWebhook")) is webhook
