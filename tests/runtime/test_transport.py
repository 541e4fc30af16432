"""The aiohttp transport under python-telegram-bot: what the library expects of a request class.

A real ``Bot`` over ``AiohttpRequest`` against the fake Bot API server: answers, Bot API
errors, dropped connections, answers too late, and files, each as python-telegram-bot's own
HTTP client would report them.
"""

from __future__ import annotations

import datetime as dtm
from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.offline import FakeTelegram
from bot.runtime.transport import AiohttpRequest

TOKEN = "123456:TRANSPORT-TEST"
USER = 42


@pytest.fixture
def server() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as fake:
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    request = AiohttpRequest(pool_size=2, read_timeout=0.5)
    async with Bot(
        TOKEN,
        base_url=server.base_url,
        base_file_url=server.base_file_url,
        request=request,
        get_updates_request=AiohttpRequest(),
    ) as b:
        yield b


async def test_calls_and_answers(bot: Bot, server: FakeTelegram) -> None:
    me = await bot.get_me()
    assert me.is_bot
    message = await bot.send_message(USER, "สวัสดีครับ ท่านผู้อำนวยการ")
    assert message.text == "สวัสดีครับ ท่านผู้อำนวยการ"
    assert server.texts_to(USER) == ["สวัสดีครับ ท่านผู้อำนวยการ"]
    assert server.calls_to("sendMessage")[0].params["chat_id"] == USER


async def test_bot_api_errors_keep_their_classes(
    bot: Bot, server: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    server.inject(
        "sendMessage", status=429, description="Too Many Requests: retry after 3", retry_after=3
    )
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(USER, "one")
    assert flood.value.retry_after == dtm.timedelta(seconds=3)
    server.inject("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "two")
    with pytest.raises(BadRequest):
        await bot.send_message(USER, "")  # Telegram refuses an empty text
    server.inject("sendMessage", status=502, description="Bad Gateway")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "three")
    assert server.texts_to(USER) == []


async def test_lost_connections_and_late_answers(bot: Bot, server: FakeTelegram) -> None:
    server.set_fault_rate(1.0, ["disconnect"], methods=["sendMessage"])
    with pytest.raises(NetworkError) as dropped:
        await bot.send_message(USER, "lost")
    assert TOKEN not in str(dropped.value)
    server.slow_seconds = 2.0
    server.set_fault_rate(1.0, ["timeout"], methods=["sendMessage"])
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "late")  # done, but answered after the read timeout
    server.set_fault_rate(0.0)
    assert server.texts_to(USER) == ["late"]
    await bot.send_message(USER, "again")  # the session survives both
    assert server.texts_to(USER) == ["late", "again"]


async def test_files_go_up_intact_with_their_names(bot: Bot, server: FakeTelegram) -> None:
    content = b"PK\x03\x04 xlsx-like \r\n--not-a-boundary\x00\xff"
    sent = await bot.send_document(
        USER, content, filename="ทะเบียนยืมพัสดุ 2569.xlsx", caption="ทะเบียนคุมการยืม"
    )
    got = server.last_message(USER)
    assert (got.kind, got.file_bytes) == ("document", content)
    assert got.filename == "ทะเบียนยืมพัสดุ 2569.xlsx" and got.text == "ทะเบียนคุมการยืม"
    assert sent.document is not None and sent.document.file_name == got.filename
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_a_request_before_initialising_is_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/bot/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is harmless
