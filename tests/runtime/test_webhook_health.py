"""Webhook mode (python-telegram-bot's webhook server, the secret token checked) and health."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.app import build_application
from bot.cli import main
from bot.common.services import Services
from bot.offline import FakeTelegram
from jobs.settings import Settings
from storage import leader, migrate
from storage.db import Database
from storage.models import Role
from tests.harness import TOKEN, Clock
from tests.support import invite_code, with_changes
from tests.test_migrations import _write_config

SECRET = "s3cret-token-for-the-webhook-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "สมชาย", "last_name": "ใจดี"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1736000000,
            "text": text,
            "from": user,
            "chat": {"id": user_id, "type": "private", "first_name": "สมชาย"},
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_updates_posted_with_the_secret_are_handled_and_others_refused(
    db: Database, settings: Settings
) -> None:
    port = free_port()
    with FakeTelegram(token=TOKEN) as fake:
        configured = with_changes(settings, telegram={"base_url": fake.base_url})
        app = build_application(Services(configured, db, Clock()), TOKEN, with_engine=False)
        code = invite_code(db, "admin", Role.STAFF)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="telegram",
                secret_token=SECRET,
                webhook_url=f"http://127.0.0.1:{port}/telegram",
            )
            url = f"http://127.0.0.1:{port}/telegram"
            async with httpx.AsyncClient() as client:
                forged = await client.post(url, json=_update(1, 501, f"/start {code}"))
                wrong = await client.post(
                    url,
                    json=_update(2, 501, f"/start {code}"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": "nope"},
                )
                good = await client.post(
                    url,
                    json=_update(3, 501, f"/start {code}"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
            assert (forged.status_code, wrong.status_code, good.status_code) == (403, 403, 200)
            (welcome,) = await fake.wait_for_messages(501, 1)
            assert (welcome.text or "").startswith("ยินดีต้อนรับ คุณสมชาย ใจดี")
            (hook,) = fake.calls_to("setWebhook")
            assert hook.params["secret_token"] == SECRET
            await app.updater.stop()
            await app.stop()


def test_run_webhook_refuses_without_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    assert main(["run", "--webhook", "--config", str(config)]) == 2
    assert "--webhook needs $TELEGRAM_WEBHOOK_SECRET" in capsys.readouterr().err
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    assert main(["run", "--webhook", "--config", str(config)]) == 2
    assert "webhook.public_url: required" in capsys.readouterr().err


def test_health_reports_the_database_the_last_tick_and_the_backlog(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write_config(tmp_path, database_url)
    database = Database.from_url(database_url)
    migrate.upgrade(database.engine)
    assert main(["health", "--config", str(config)]) == 1  # no tick has run yet
    first = json.loads(capsys.readouterr().out)
    assert first["database"] == "ok" and first["last_tick"] is None
    assert first["healthy"] is False and first["reason"].startswith("no tick yet")
    with database.transaction() as session:
        leader.beat(session, holder="host:123", at=datetime.now(UTC))
    assert main(["health", "--config", str(config)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tick_holder"] == "host:123" and report["outbox_backlog"] == 0
    assert report["healthy"] is True and report["reason"] == "ok"
    database.dispose()


def test_health_says_unreachable_for_a_dead_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write_config(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    assert main(["health", "--config", str(config)]) == 1
    assert json.loads(capsys.readouterr().out)["database"] == "unreachable"
