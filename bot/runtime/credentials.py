"""The bot token: from the environment or a file outside git; refused when it is a placeholder.

No message raised here ever contains the token itself.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

ENV_VAR = "TELEGRAM_BOT_TOKEN"
_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{10,100}$")
_PLACEHOLDER_WORDS = ("your", "change", "xxxx", "example", "placeholder", "paste")


class TokenError(Exception):
    """No usable token; the message says how to give one."""


def _is_placeholder(token: str) -> bool:
    lowered = token.lower()
    return any(word in lowered for word in _PLACEHOLDER_WORDS)


def _validate(token: str, where: str) -> str:
    token = token.strip()
    if not token:
        raise TokenError(f"the bot token in {where} is empty")
    if _is_placeholder(token) or not _SHAPE.match(token):
        raise TokenError(
            f"the bot token in {where} looks like a placeholder, not a token from @BotFather "
            "(expected digits, a colon, then letters and digits)"
        )
    return token


def load_token(token_file: Path | None, environ: Mapping[str, str] | None = None) -> str:
    """Return the token from ``TELEGRAM_BOT_TOKEN``, else from ``token_file``."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR, "").strip():
        return _validate(environ[ENV_VAR], f"the environment variable {ENV_VAR}")
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8")
        except OSError as error:
            raise TokenError(f"cannot read the token file {token_file}: {error.strerror}") from None
        return _validate(text, f"the token file {token_file}")
    raise TokenError(
        f"no bot token: set the environment variable {ENV_VAR}, "
        "or name a file with token_file in the [telegram] section of the config"
    )
