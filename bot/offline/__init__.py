"""Telegram without Telegram: the fake Bot API server (tests, benchmarks, the demo) and the demo.

Only the demo, the command line's ``demo`` command, ``bench/`` and ``tests/`` import it
(``tests/test_layers.py`` checks).
"""

from bot.offline.server import FakeTelegram
from bot.offline.state import ApiCall, MessageEdit, SentMessage, StoredFile
from bot.offline.text import render_text
from bot.offline.wire import ApiError, UploadedFile, parse_request

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeTelegram",
    "MessageEdit",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
    "parse_request",
    "render_text",
]
