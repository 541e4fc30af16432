"""A handler that fails is logged without the token, and the person gets an apology."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from tests.harness import TOKEN, Harness
from tests.office.test_registration_bot import SOMCHAI, register


async def test_a_failing_handler_apologises_and_never_logs_the_token(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="aiohttp")  # the transport, at its most talkative
    await register(bot, SOMCHAI)
    with bot.db.engine.begin() as connection:  # the database breaks under the running bot
        connection.execute(text("DROP TABLE staff_role"))
    (apology,) = await bot.say(SOMCHAI, "/whoami")
    assert apology.startswith("ขออภัย ระบบขัดข้อง ยังไม่มีการบันทึกหรือเปลี่ยนแปลงข้อมูลใด")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and "error while handling an update" in errors[0].getMessage()
    assert "staff_role" in caplog.text  # the real cause is in the log …
    secret = TOKEN.split(":", 1)[1]
    assert secret not in caplog.text  # … and the token is not
