"""Delivery that outlives outages: Telegram unreachable for three simulated hours, then back.

The real engine (tick and dispatcher) runs over the fake Bot API with an injected clock, woken
once a simulated minute; nothing sleeps but the dispatcher keeping Telegram's real-time pace.
On PostgreSQL, two dispatchers on one database keep one message a second per chat together.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import col, select
from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot

from bot.features import render
from bot.offline import ApiCall, FakeTelegram
from bot.runtime.sender import TelegramSender
from jobs.dispatch import Dispatcher, DispatchReport, Outcome
from jobs.engine import Engine
from jobs.settings import Ladder, LadderStep, Obligation, OnceRecurrence, Owners, Settings
from storage import migrate, outbox
from storage.db import Database
from storage.leader import Leadership
from storage.models import DeliveryOutage, OutboxMessage, OutboxState, Role
from storage.outbox import NewMessage
from tests.duties.test_tick import (
    BANGKOK,
    COORDINATOR,
    DIRECTOR,
    HEAD,
    MALEE,
    SOMCHAI,
    bkk,
    build_office,
    join,
)
from tests.harness import TOKEN, Clock
from tests.runtime.test_dispatch import DUTY

DAY = (1, 14)  # Tuesday 14 January 2025, a working day
OUTAGE_FROM, OUTAGE_TO = bkk(*DAY, 11, 45), bkk(*DAY, 14, 45)
EXTRA_STAFF = range(1000, 1036)  # enough that the backlog meets Telegram's 30 a second
FAULTS = ["disconnect", "bad_gateway", "server_error"]


def _plan(settings: Settings) -> Settings:
    """One report due at 13.00 with a ladder in hours: reminder 09.00, last call 12.00,
    follow-ups 13.30 and 14.00, escalation 14.30 (all but the first inside the outage)."""
    ladder = Ladder(
        steps=[
            LadderStep(kind="reminder", offset="-4h"),
            LadderStep(kind="last_call", offset="-1h"),
            LadderStep(kind="followup", offset="+30m"),
            LadderStep(kind="followup", offset="+60m"),
            LadderStep(kind="escalation", offset="+90m"),
        ]
    )
    report = Obligation(
        key="outage-report",
        title_th="รายงานทดสอบระหว่างระบบขัดข้อง",
        title_en="Report during an outage",
        measure="1.1",
        ita_indicators=["011"],
        owners=Owners(each_member_of=["admin", "policy"]),
        recurrence=OnceRecurrence(kind="once", date=bkk(*DAY).date()),
        due_time=time(13, 0),
        ladder="hours",
    )
    changed = settings.model_copy(
        update={"obligations": [report], "ladders": {**settings.ladders, "hours": ladder}}
    )
    changed._source = settings.source
    return changed


def _sends(fake: FakeTelegram, since: int = 0) -> list[ApiCall]:
    return [c for c in fake.calls_to("sendMessage")[since:] if c.status == 200]


def _chat(call: ApiCall) -> int:
    return int(call.params["chat_id"])


def assert_within_telegram_limits(sends: list[ApiCall], per_chat: float = 1.0) -> None:
    """One a second per chat; overall, AIORateLimiter's 30 a second (a bucket of 30: in any
    span of t seconds at most 30 + 30 t messages, and the tolerance of one for jitter)."""
    by_chat: dict[int, list[float]] = {}
    for call in sends:
        by_chat.setdefault(_chat(call), []).append(call.at)
    for chat, times in by_chat.items():
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert all(gap >= per_chat for gap in gaps), (chat, gaps)
    times = sorted(call.at for call in sends)
    for i, j in itertools.combinations(range(len(times)), 2):
        assert j - i + 1 <= 30 + 30 * (times[j] - times[i]) + 1, (i, j, times[j] - times[i])


async def test_three_hours_without_telegram_lose_nothing_and_end_in_one_summary(
    db: Database, settings: Settings
) -> None:
    build_office(db)
    for user_id in EXTRA_STAFF:
        join(db, user_id, f"ครูทดสอบ {user_id}", "admin", Role.STAFF)
    owners = [SOMCHAI, MALEE, HEAD, COORDINATOR, *EXTRA_STAFF]
    plan = _plan(settings)
    clock = Clock(bkk(*DAY, 8, 55))
    probes: list[datetime] = []
    with FakeTelegram(token=TOKEN) as fake:
        bulk = ExtBot(TOKEN, base_url=fake.base_url, rate_limiter=AIORateLimiter(max_retries=0))
        async with bulk:
            engine = Engine(db, plan, TelegramSender(bulk, BANGKOK, render), clock)
            # a lock of its own: other runs on the same PostgreSQL server must not lead for it
            engine.leadership = Leadership(db.engine, key=uuid.uuid4().int >> 65)
            recovered_at = 0
            while clock() <= OUTAGE_TO + timedelta(minutes=20):
                if clock() == OUTAGE_FROM:
                    fake.set_fault_rate(1.0, FAULTS, seed=12)
                if clock() == OUTAGE_TO:
                    fake.clear_faults()
                    recovered_at = len(fake.calls_to("sendMessage"))
                before = len(fake.calls_to("sendMessage"))
                await engine.wake()
                if (
                    OUTAGE_FROM <= clock() < OUTAGE_TO
                    and len(fake.calls_to("sendMessage")) > before
                ):
                    probes.append(clock())
                clock.advance(minutes=1)

    with db.transaction() as session:
        rows = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())
        outages = list(session.exec(select(DeliveryOutage)).all())
    (outage,) = outages
    states = Counter(row.state for row in rows)
    assert set(states) == {OutboxState.SENT.value, OutboxState.SUPERSEDED.value}, states

    # each owner: the 09.00 reminder, then one message standing for the three steps missed
    for owner in owners:
        duties = [r for r in rows if r.chat_id == owner and r.template == "duty"]
        sent = [r for r in duties if r.state == OutboxState.SENT.value]
        assert [r.params["kind"] for r in sent] == ["reminder", "followup"], owner
        assert sent[1].params["collapsed"] == 3
        assert len(duties) == 4  # the last call and the first follow-up were superseded
    texts = fake.texts_to(MALEE)
    assert len(texts) == 2
    assert "(ข้อความนี้รวมการแจ้งเตือนที่ค้างส่ง 3 รายการไว้ด้วยกัน)" in texts[1]

    # the escalation reached the director, the coordinator and the group head, once each
    escalations = [r for r in rows if r.template == "escalation"]
    assert sorted(r.chat_id for r in escalations) == sorted([DIRECTOR, COORDINATOR, HEAD])
    assert all(r.state == OutboxState.SENT.value for r in escalations)
    memos = [t for t in fake.texts_to(DIRECTOR) if "\nเรียน  ศึกษาธิการจังหวัด" in t]
    assert len(memos) == 1 and "ติดตามแล้ว 2 ครั้ง" in memos[0]

    # every row sent reached Telegram exactly once (the faults did nothing on the server)
    sent_rows = Counter(r.chat_id for r in rows if r.state == OutboxState.SENT.value)
    assert sent_rows == Counter(_chat(call) for call in _sends(fake))

    # one summary, to the coordinator, after the coordinator's own backlog
    (summary,) = [r for r in rows if r.template == "outage"]
    assert summary.chat_id == COORDINATOR and summary.state == OutboxState.SENT.value
    received = sorted(
        (r for r in rows if r.chat_id == COORDINATOR and r.state == OutboxState.SENT.value),
        key=lambda r: r.telegram_message_id or 0,
    )
    # the memo to review comes after the escalation (its .docx, then its text)
    assert [r.template for r in received] == ["duty", "duty", "escalation", "memo", "outage"]
    coordinator = fake.texts_to(COORDINATOR)
    assert len(coordinator) == 6
    assert outage.started_at == bkk(*DAY, 12, 0)  # the first message that could not go
    assert OUTAGE_TO <= outage.ended_at <= OUTAGE_TO + timedelta(minutes=6)  # type: ignore[operator]
    minutes = int((outage.ended_at - outage.started_at).total_seconds() // 60)  # type: ignore[operator]
    end = outage.ended_at.astimezone(BANGKOK)  # type: ignore[union-attr]
    # delayed: each owner's follow-up, the three escalations and the memo
    assert (outage.delayed, outage.expired) == (len(owners) + 4, 2 * len(owners))
    assert coordinator[5] == "\n".join(
        [
            "ระบบไม่สามารถติดต่อ Telegram ได้ ตั้งแต่ 14 มกราคม 2568 เวลา 12.00 น. "
            f"ถึง 14 มกราคม 2568 เวลา {end:%H.%M} น. "
            f"(ประมาณ {minutes // 60} ชั่วโมง {minutes % 60} นาที)",
            f"ข้อความที่ส่งล่าช้าและกำลังทยอยส่งตามลำดับ: {len(owners) + 4} รายการ",
            "การแจ้งเตือนที่ไม่ได้ส่ง เนื่องจากมีการแจ้งเตือนครั้งถัดไปแทนแล้ว "
            f"หรือเลยกำหนดส่งรายงานมานานแล้ว: {2 * len(owners)} รายการ",
            "ไม่มีข้อความใดสูญหาย ไม่ต้องดำเนินการใด ๆ เพิ่มเติม",
        ]
    )

    # while Telegram was away it was probed at least every five minutes, one call at a time
    assert probes[0] == bkk(*DAY, 12, 0)
    gaps = [later - earlier for earlier, later in itertools.pairwise(probes)]
    assert max(gaps) <= timedelta(minutes=5, seconds=60)  # five minutes, looked at each minute
    during = [c for c in fake.calls_to("sendMessage")[:recovered_at] if c.status != 200]
    assert len(during) <= 2 * len(probes)  # not one failing call per waiting message

    # the backlog drained within Telegram's limits, in the order it was written
    drained = _sends(fake, recovered_at)
    assert len(drained) == len(owners) + 4 + 1  # the delayed ones (the memo too), the summary
    assert_within_telegram_limits(drained)


# -- several dispatchers, one database --------------------------------------------------


class _Recording:
    """The real sender, noting which dispatcher sent to which chat."""

    def __init__(self, inner: TelegramSender, name: str, log: list[tuple[str, int]]) -> None:
        self.inner, self.name, self.log = inner, name, log

    async def send(self, message: OutboxMessage, language: str) -> Outcome:
        outcome = await self.inner.send(message, language)
        self.log.append((self.name, message.chat_id))
        return outcome


@pytest.fixture
def postgres_db(postgres_schema_url: str) -> Iterator[Database]:
    database = Database.from_url(postgres_schema_url)
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


CHATS = [800_001, 800_002, 800_003]
PER_CHAT = 5
INTERVAL = 0.5


def _run_dispatcher(
    url: str, base_url: str, name: str, log: list[tuple[str, int]], reports: list[DispatchReport]
) -> None:
    """A dispatcher with its own connections and event loop, as another process has."""

    async def work() -> None:
        database = Database.from_url(url)
        try:
            async with Bot(TOKEN, base_url=base_url) as bot:
                sender = _Recording(TelegramSender(bot, BANGKOK, render), name, log)
                dispatcher = Dispatcher(
                    database, sender, lambda: datetime.now(UTC), per_chat_interval=INTERVAL
                )
                while True:
                    reports.append(await dispatcher.dispatch())
                    with database.transaction() as session:
                        if outbox.backlog(session) == 0:
                            return
                    await asyncio.sleep(0.05)  # a chat the other dispatcher holds
        finally:
            database.dispose()

    asyncio.run(work())


def test_two_dispatchers_on_one_postgresql_database_keep_each_chat_at_its_pace(
    postgres_db: Database, postgres_schema_url: str
) -> None:
    with postgres_db.transaction() as session:
        outbox.enqueue(
            session,
            [
                NewMessage(f"pace:{chat}:{n}", chat, "duty", {**DUTY, "assignment_id": n})
                for n in range(PER_CHAT)
                for chat in CHATS
            ],
            now=datetime.now(UTC),
        )
    log: list[tuple[str, int]] = []
    reports: list[DispatchReport] = []
    with FakeTelegram(token=TOKEN) as fake:
        threads = [
            threading.Thread(
                target=_run_dispatcher,
                args=(postgres_schema_url, fake.base_url, name, log, reports),
            )
            for name in ("first", "second")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    sends = _sends(fake)
    assert Counter(_chat(call) for call in sends) == dict.fromkeys(CHATS, PER_CHAT)
    for chat in CHATS:  # each chat's messages in the order written, once each
        buttons = [
            call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            for call in sends
            if _chat(call) == chat
        ]
        assert buttons == [f"done:{n}" for n in range(PER_CHAT)]
    assert_within_telegram_limits(sends, per_chat=INTERVAL)
    # both dispatchers took part, and both sent to the same chats
    by_chat = {chat: {name for name, to in log if to == chat} for chat in CHATS}
    assert any(names == {"first", "second"} for names in by_chat.values()), by_chat
    assert not any(report.failed for report in reports)
