"""Logging for the whole process, with every secret redacted before any handler sees it."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"
_secrets: set[str] = set()
_base_factory = logging.getLogRecordFactory()


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Build the record, then rewrite its message and traceback without the secrets.

    Done at record creation so that every handler (files, stderr, pytest's capture) gets the
    redacted text; the traceback is pre-rendered into ``exc_text`` for the same reason.
    """
    record = _base_factory(*args, **kwargs)
    if not _secrets:
        return record
    record.msg, record.args = redact(record.getMessage()), None
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def protect(secrets: Iterable[str]) -> None:
    """Never log these strings (the token, and its secret half on its own)."""
    for secret in secrets:
        if secret:
            _secrets.add(secret)
            after_colon = secret.split(":", 1)[1] if ":" in secret else ""
            if len(after_colon) >= 16:  # a token's secret half (never a short common word)
                _secrets.add(after_colon)
    logging.setLogRecordFactory(_redacting_factory)


def configure(level: str = "INFO") -> None:
    """Plain lines on stderr; the libraries kept quiet (see ``keep_libraries_quiet``)."""
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    keep_libraries_quiet()


def keep_libraries_quiet() -> None:
    """httpx would log every request URL, token included, at INFO; python-telegram-bot's DEBUG
    lines carry whole updates and request parameters (user ids, names, texts), so it stays at
    INFO even under ``--log-level DEBUG``, or the complaint channel would not be anonymous.
    DEBUG is for our own loggers (bot, jobs, storage)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # Alembic's INFO lines ("Context impl SQLiteImpl", "Running upgrade …") are for DEBUG
    debugging = logging.getLogger().level <= logging.DEBUG
    logging.getLogger("alembic").setLevel(logging.INFO if debugging else logging.WARNING)
    for library in ("telegram", "httpcore"):
        logging.getLogger(library).setLevel(max(logging.INFO, logging.getLogger().level))
