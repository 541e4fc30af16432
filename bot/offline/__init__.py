"""Telegram without Telegram: the fake Bot API server (tests, benchmarks, the demo) and the demo.

Only the demo, the command line's ``demo`` command, ``bench/`` and ``tests/`` import it
(``tests/test_layers.py`` checks).
"""

from bot.offline.server import (
    ApiCall,
    ApiError,
    FakeTelegram,
    MessageEdit,
    SentMessage,
    StoredFile,
    UploadedFile,
    parse_request,
    render_text,
)

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
