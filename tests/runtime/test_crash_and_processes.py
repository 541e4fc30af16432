"""Reliability across processes: SIGKILL during dispatch loses nothing and duplicates only
what was in flight; on PostgreSQL, claims skip each other's rows and a dead leader is
replaced."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.offline import FakeTelegram
from storage import leader, migrate, outbox
from storage.db import Database
from storage.models import OutboxMessage, OutboxState, Role
from storage.outbox import NewMessage
from tests.duties.test_tick import bkk
from tests.harness import TOKEN
from tests.runtime.test_dispatch import DUTY
from tests.runtime.test_webhook_health import free_port
from tests.support import ROOT, enrol
from tests.test_migrations import _write_config

TRIALS = 20
PER_TRIAL = 40


def _messages(start: int, count: int) -> list[NewMessage]:
    return [
        NewMessage(f"crash:{n}", 700_000 + n, "duty", {**DUTY, "assignment_id": n})
        for n in range(start, start + count)
    ]


def _received(fake: FakeTelegram) -> Counter[int]:
    """How many times each message (by its button's assignment id) reached Telegram."""
    counts: Counter[int] = Counter()
    for call in fake.calls_to("sendMessage"):
        if call.status == 200 or call.status == 0:  # 0: done, but the answer was lost
            markup = call.params.get("reply_markup") or {}
            data = markup["inline_keyboard"][0][0]["callback_data"]
            counts[int(data.split(":")[1])] += 1
    return counts


def _worker(database_url: str, fake: FakeTelegram) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "WORKER_DATABASE_URL": database_url,
        "WORKER_BASE_URL": fake.base_url,
        "WORKER_TOKEN": TOKEN,
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.workers.dispatch_worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _in_flight(db: Database, fake: FakeTelegram) -> set[int]:
    """Messages Telegram has, whose sending the outbox had not yet recorded."""
    with db.transaction() as session:
        unrecorded = {
            int(m.idempotency_key.split(":")[1])
            for m in session.exec(
                select(OutboxMessage).where(col(OutboxMessage.state) != OutboxState.SENT.value)
            )
        }
    return unrecorded & set(_received(fake))


def test_sigkill_during_dispatch_loses_nothing_and_duplicates_only_the_in_flight(
    db: Database, database_url: str
) -> None:
    rng = random.Random(20261125)
    in_flight: Counter[int] = Counter()
    previous: set[int] = set()
    with FakeTelegram(token=TOKEN) as fake:
        for trial in range(TRIALS):
            with db.transaction() as session:
                outbox.enqueue(session, _messages(trial * PER_TRIAL, PER_TRIAL), now=bkk(1, 1))
            process = _worker(database_url, fake)
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.25))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            flight = _in_flight(db, fake)
            assert len(flight - previous) <= 1  # one message in flight per dispatcher
            in_flight.update(flight)
            previous = flight
        finisher = _worker(database_url, fake)
        assert finisher.wait(timeout=60) == 0
    received = _received(fake)
    everything = set(range(TRIALS * PER_TRIAL))
    assert set(received) == everything  # no reminder lost
    duplicated = {n: c - 1 for n, c in received.items() if c > 1}
    assert all(duplicated[n] <= in_flight[n] for n in duplicated), (duplicated, in_flight)
    with db.transaction() as session:
        states = Counter(m.state for m in session.exec(select(OutboxMessage)))
    assert states == {OutboxState.SENT.value: TRIALS * PER_TRIAL}
    print(f"{TRIALS} kills; {sum(duplicated.values())} duplicates, all in flight at a kill")


@pytest.fixture
def postgres_db(postgres_schema_url: str) -> Iterator[Database]:
    database = Database.from_url(postgres_schema_url)
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


def test_claims_skip_rows_another_dispatcher_holds(postgres_db: Database) -> None:
    with postgres_db.transaction() as session:
        outbox.enqueue(session, _messages(0, 10), now=bkk(1, 1))
    with postgres_db.transaction() as first:
        mine = outbox.claim(first, now=bkk(1, 2), lease=timedelta(seconds=60), limit=6)
        with postgres_db.transaction() as second:
            theirs = outbox.claim(second, now=bkk(1, 2), lease=timedelta(seconds=60), limit=10)
    assert len(mine) == 6 and len(theirs) == 4
    assert not {m.id for m in mine} & {m.id for m in theirs}


def _holder(db: Database) -> str | None:
    with db.transaction() as session:
        beat = leader.last_beat(session)
    return beat.holder if beat else None


def _run_bot(config: Path, port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_WEBHOOK_SECRET": "multi-process-secret-0123456789",
        "STAFF_REPORT_BOT_COMPLAINT_KEY": "multi-process-complaint-key-0123456789abcdef",
    }
    text = re.sub(  # the table's header, not a comment that names it
        r"(?m)^\[webhook\]$",
        f"[webhook]\nport = {port}",
        config.read_text(encoding="utf-8"),
        count=1,
    )
    own = config.with_name(f"config-{port}.toml")
    own.write_text(text, encoding="utf-8")
    code = "import sys; from bot.cli import main; sys.exit(main())"
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", "--webhook", "--config", str(own)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait(condition: object, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.1)
    raise TimeoutError(f"not within {timeout} s")


def test_two_processes_one_leader_and_a_takeover_after_sigkill(
    tmp_path: Path, postgres_schema_url: str, postgres_db: Database
) -> None:
    enrol(postgres_db, 11, "สมชาย ใจดี", "admin", Role.STAFF)
    with FakeTelegram(token=TOKEN) as fake:
        config = _write_config(tmp_path, postgres_schema_url)
        text = config.read_text(encoding="utf-8").replace(
            'base_url = "https://api.telegram.org/bot"', f'base_url = "{fake.base_url}"'
        )
        text = text.replace(  # the example has both tables, their keys commented out
            "[engine]\n",
            "[engine]\nsafety_interval_seconds = 1\ntakeover_seconds = 1\nlease_seconds = 5\n",
            1,
        ).replace("[webhook]\n", '[webhook]\npublic_url = "https://bot.example/telegram"\n', 1)
        config.write_text(text, encoding="utf-8")
        first = _run_bot(config, free_port())
        second = None
        try:
            _wait(lambda: (_holder(postgres_db) or "").endswith(f":{first.pid}"), 30)
            second = _run_bot(config, free_port())
            _wait(lambda: len(fake.calls_to("setWebhook")) >= 2, 30)
            with postgres_db.transaction() as session:
                outbox.enqueue(session, _messages(0, 60), now=bkk(1, 1))
            _wait(lambda: len(_received(fake)) == 60, 30)
            assert max(_received(fake).values()) == 1  # two dispatchers, no row sent twice
            assert (_holder(postgres_db) or "").endswith(f":{first.pid}")  # still one leader
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            took = _wait(lambda: (_holder(postgres_db) or "").endswith(f":{second.pid}"), 60)
            print(f"the second process took over {took:.1f} s after the leader was killed")
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGKILL)
                    process.wait(timeout=10)
