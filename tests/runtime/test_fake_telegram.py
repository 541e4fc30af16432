"""The fake Bot API server, driven by a real python-telegram-bot Bot and Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
import hashlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.offline import FakeTelegram, parse_request, render_text
from tests import netguard

TOKEN = "123456:TEST-TOKEN"
USER = 42


@pytest.fixture(autouse=True)
def _guard() -> Iterator[None]:
    installed_here = not netguard.is_installed()
    netguard.install()
    yield
    if installed_here:
        netguard.uninstall()


@pytest.fixture
def server() -> Iterator[FakeTelegram]:
    with FakeTelegram(TOKEN) as fake:
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url) as b:
        yield b


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in pairs])


# ----------------------------------------------------------------------------- Bot methods


@pytest.mark.asyncio
async def test_get_me(bot: Bot, server: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "staff_report_test_bot", True)
    assert server.calls_to("getMe")


@pytest.mark.asyncio
async def test_wrong_token_is_unauthorized(server: FakeTelegram) -> None:
    other = Bot("999:WRONG", base_url=server.base_url)
    with pytest.raises(InvalidToken, match="rejected by the server"):
        await other.initialize()
    await other.shutdown()
    assert server.calls == []


@pytest.mark.asyncio
async def test_send_message_records_decoded_keyboard(bot: Bot, server: FakeTelegram) -> None:
    first = await bot.send_message(USER, "เลือกรายงาน", reply_markup=keyboard(("ส่งแล้ว", "done:1")))
    second = await bot.send_message(USER, "อีกข้อความ")
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == USER and first.from_user is not None and first.from_user.is_bot
    assert isinstance(first.date, dtm.datetime)
    sent = server.messages_to(USER)[0]
    assert sent.reply_markup == {
        "inline_keyboard": [[{"text": "ส่งแล้ว", "callback_data": "done:1"}]]
    }
    assert sent.callback_data == ["done:1"] and sent.button_data("ส่ง") == "done:1"
    assert server.texts_to(USER) == ["เลือกรายงาน", "อีกข้อความ"]
    assert server.calls_to("sendMessage")[0].params["chat_id"] == USER


@pytest.mark.asyncio
async def test_edits_are_recorded(bot: Bot, server: FakeTelegram) -> None:
    message = await bot.send_message(USER, "ก่อน", reply_markup=keyboard(("ok", "a")))
    edited = await bot.edit_message_text("หลัง", USER, message.message_id)
    assert isinstance(edited, type(message)) and edited.text == "หลัง"
    sent = server.last_message(USER)
    assert server.texts_to(USER) == ["หลัง"]
    assert sent.reply_markup is None  # editMessageText without a keyboard removes it
    assert [e.text for e in sent.edits] == ["หลัง"]
    await bot.edit_message_reply_markup(USER, message.message_id, reply_markup=keyboard(("x", "b")))
    assert sent.callback_data == ["b"] and len(sent.edits) == 2
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            USER, message.message_id, reply_markup=keyboard(("x", "b"))
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 999)


@pytest.mark.asyncio
async def test_text_validation(bot: Bot, server: FakeTelegram) -> None:
    await bot.send_message(USER, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "")
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "t", reply_markup=keyboard(("ก", "ก" * 22)))  # 66 bytes
    await bot.send_message(USER, "t", reply_markup=keyboard(("ก", "ก" * 21)))  # 63 bytes
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(USER, "a < b", parse_mode=ParseMode.HTML)
    html = await bot.send_message(USER, "<b>ok</b> &amp; &lt;", parse_mode=ParseMode.HTML)
    assert html.text == "ok & <"
    assert server.texts_to(USER)[-1] == "<b>ok</b> &amp; &lt;"
    assert server.plain_texts_to(USER)[-1] == "ok & <"
    assert len(server.messages_to(USER)) == 3


@pytest.mark.asyncio
async def test_blocked_chat_is_forbidden(bot: Bot, server: FakeTelegram) -> None:
    server.block_chat(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello")
    assert server.sent == []
    server.user_sends_text(USER, "/start")  # writing to the bot again unblocks it
    await bot.send_message(USER, "hello")


@pytest.mark.asyncio
async def test_strict_chats_reject_unknown_chat() -> None:
    with FakeTelegram(TOKEN, strict_chats=True) as strict:
        async with Bot(TOKEN, base_url=strict.base_url) as b:
            with pytest.raises(BadRequest, match="Chat not found"):
                await b.send_message(77, "hi")
            with pytest.raises(BadRequest, match="Chat not found"):
                await b.get_chat(77)
            strict.user_sends_text(77, "สวัสดี", username="somchai")
            await b.send_message(77, "hi")
            chat = await b.get_chat("@somchai")
            assert (chat.id, chat.type, chat.first_name) == (77, "private", "สมชาย")


@pytest.mark.asyncio
async def test_injected_retry_after(
    bot: Bot, server: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB 22 warns on int retry_after otherwise
    flood = "Too Many Requests: retry after 7"
    server.inject("sendMessage", status=429, description=flood, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "first")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(USER, "second")  # times=1: the next call succeeds
    assert server.texts_to(USER) == ["second"]
    assert [c.status for c in server.calls_to("sendMessage")] == [429, 200]


@pytest.mark.asyncio
async def test_random_faults_drop_connections(bot: Bot, server: FakeTelegram) -> None:
    server.set_fault_rate(1.0, ["disconnect"], methods=["sendMessage"])
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost")
    assert server.sent == []
    server.set_fault_rate(1.0, ["lost_response"], methods=["sendMessage"])
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "delivered")
    assert server.texts_to(USER) == ["delivered"]  # done, but the answer never arrived
    server.set_fault_rate(0.0)
    await bot.get_me()


@pytest.mark.asyncio
async def test_uploaded_document_is_recorded(bot: Bot, server: FakeTelegram) -> None:
    content = b"%PDF-1.4\r\n\x00\xff binary \r\n--boundary-like"
    message = await bot.send_document(USER, content, filename='รายงาน "ก".pdf', caption="ไฟล์")
    sent = server.last_message(USER)
    assert (sent.kind, sent.file_bytes, sent.filename) == ("document", content, 'รายงาน "ก".pdf')
    assert sent.mime_type == "application/pdf" and sent.text == "ไฟล์"
    assert message.document is not None and message.document.file_name == 'รายงาน "ก".pdf'
    assert message.caption == "ไฟล์"
    again = await bot.send_document(USER, message.document.file_id)  # resend by file_id
    assert again.document is not None and server.last_message(USER).file_bytes == content
    photo = await bot.send_photo(USER, b"\xff\xd8\xff fake jpeg")
    assert photo.photo and server.last_message(USER).kind == "photo"
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


@pytest.mark.asyncio
async def test_other_methods(bot: Bot, server: FakeTelegram) -> None:
    server.user_sends_text(USER, "hi", first_name="Ann", last_name="")
    chat = await bot.get_chat(USER)
    assert (chat.first_name, chat.last_name) == ("Ann", None)
    assert await bot.send_chat_action(USER, ChatAction.TYPING)
    message = await bot.send_message(USER, "to delete")
    assert await bot.delete_message(USER, message.message_id)
    assert server.texts_to(USER) == [] and server.messages_to(USER)[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, message.message_id)
    await bot.set_my_commands([BotCommand("start", "เริ่ม"), BotCommand("help", "ช่วยเหลือ")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert server.my_commands()[1] == {"command": "help", "description": "ช่วยเหลือ"}
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    assert await bot.delete_webhook()
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


@pytest.mark.asyncio
async def test_get_updates_long_poll(bot: Bot, server: FakeTelegram) -> None:
    first = server.user_sends_text(USER, "one")
    server.user_sends_text(USER, "two")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["one", "two"]
    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert server.pending_updates == []

    loop = asyncio.get_running_loop()
    loop.call_later(0.1, server.user_sends_text, USER, "three")
    started = loop.time()
    late = await bot.get_updates(offset=first["update_id"] + 2, timeout=3)
    assert [u.message.text for u in late if u.message] == ["three"]
    assert loop.time() - started < 2.5  # woken well before the 3 s timeout


@pytest.mark.asyncio
async def test_second_long_poll_terminates_the_first(server: FakeTelegram) -> None:
    request = HTTPXRequest(connection_pool_size=2)
    async with Bot(TOKEN, base_url=server.base_url, get_updates_request=request) as b:
        older = asyncio.create_task(b.get_updates(timeout=3))
        await server.wait_until(lambda: len(server.calls_to("getUpdates")) == 1)
        newer = asyncio.create_task(b.get_updates(timeout=3))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await older
        server.user_sends_text(USER, "x")
        assert len(await newer) == 1


def test_raw_http_contract(server: FakeTelegram) -> None:
    with httpx.Client(base_url=f"{server.base_url}{TOKEN}") as client:
        missing = client.post("/fooBar")
        assert missing.status_code == 404
        assert missing.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        sent = client.post("/sendMessage", json={"chat_id": 5, "text": "json body"})
        assert sent.json()["result"]["text"] == "json body"
        lowered = client.get("/getme")  # Telegram method names are case-insensitive
        assert lowered.json()["result"]["username"] == "staff_report_test_bot"
    unauthorized = httpx.post(f"{server.base_url}1:BAD/getMe")
    assert unauthorized.status_code == 401
    assert unauthorized.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_internal_error_answers_500_and_server_survives(
    server: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(params: dict[str, Any], files: dict[str, Any]) -> Any:
        raise ValueError("kaput")

    monkeypatch.setitem(server._handlers, "getme", boom)
    url = f"{server.base_url}{TOKEN}/getMe"
    response = httpx.post(url)
    assert response.status_code == 500 and "kaput" in response.json()["description"]
    assert len(server.internal_errors) == 1
    monkeypatch.undo()
    assert httpx.post(url).json()["ok"] is True
    server.internal_errors.clear()


def test_parse_request_decodes_ptb_encoding() -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]})
    body = httpx.Request(
        "POST", "http://x", data={"chat_id": "-1001", "text": "12", "reply_markup": markup}
    ).read()
    params, files = parse_request("application/x-www-form-urlencoded", body)
    assert params == {"chat_id": -1001, "text": "12", "reply_markup": json.loads(markup)}
    assert files == {}
    params, _ = parse_request("application/json", b'{"chat_id": "7", "show_alert": "true"}')
    assert params == {"chat_id": 7, "show_alert": True}
    with pytest.raises(Exception, match="Can't find end tag"):
        render_text("<b>open", "HTML")


# ----------------------------------------------------------------------------- Application


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "start:" + " ".join(context.args or []),
        reply_markup=keyboard(("รับทราบ", "ack:1")),
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("รับทราบแล้ว")
    await query.edit_message_text(f"pressed {query.data}")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    data = bytes(await file.download_as_bytearray())
    digest = hashlib.sha256(data).hexdigest()[:12]
    await message.reply_text(f"{message.document.file_name} {len(data)} {digest}")


@pytest.fixture
async def app(server: FakeTelegram) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start_command))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.Document.ALL, on_document))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


@pytest.mark.asyncio
async def test_application_answers_start_with_args(server: FakeTelegram, app: Any) -> None:
    update = server.user_sends_text(USER, "/start abc")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    [reply] = await server.wait_for_messages(USER, 1)
    assert reply.text == "start:abc"
    assert reply.params.get("reply_parameters", {}).get("message_id") is None  # not a reply


@pytest.mark.asyncio
async def test_button_press_reaches_handler_and_answer_is_recorded(
    server: FakeTelegram, app: Any
) -> None:
    server.user_sends_text(USER, "/start")
    [menu] = await server.wait_for_messages(USER, 1)
    press = server.user_presses_button(USER, menu, menu.button_data("รับทราบ"))
    await server.wait_until(lambda: bool(menu.edits) and server.callback_answer(press) is not None)
    answer = server.callback_answer(press)
    assert answer is not None and answer["text"] == "รับทราบแล้ว"
    assert server.texts_to(USER) == ["pressed ack:1"]


@pytest.mark.asyncio
async def test_user_document_is_downloadable_by_the_bot(server: FakeTelegram, app: Any) -> None:
    content = bytes(range(256)) * 40
    server.user_sends_document(USER, "แบบฟอร์ม.xlsx", content, "application/vnd.ms-excel")
    [reply] = await server.wait_for_messages(USER, 1)
    digest = hashlib.sha256(content).hexdigest()[:12]
    assert reply.text == f"แบบฟอร์ม.xlsx {len(content)} {digest}"
    assert server.calls_to("getFile")
