"""A Telegram Mini App's ``initData``: Telegram signs it with a key derived from the bot's
token (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).

The data-check string is every field but ``hash``, sorted by name, as ``name=value`` lines;
the key is HMAC-SHA256 of the token under the word "WebAppData"; the hash is HMAC-SHA256 of
the string under that key, in hex. ``auth_date`` (Unix seconds) bounds its age.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

MAX_LENGTH = 8192  # Telegram's initData is a few hundred bytes; refuse anything far larger


def _signature(fields: dict[str, str], token: str) -> str:
    check = "\n".join(f"{name}={fields[name]}" for name in sorted(fields) if name != "hash")
    key = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return hmac.new(key, check.encode(), hashlib.sha256).hexdigest()


def sign(fields: dict[str, str], token: str) -> str:
    """``fields`` as Telegram would send them, signed (the tests' and the demo's Telegram)."""
    from urllib.parse import urlencode

    return urlencode({**fields, "hash": _signature(fields, token)})


def telegram_user_id(
    init_data: str, token: str, *, now: datetime, max_age: timedelta
) -> int | None:
    """The Telegram user id ``init_data`` vouches for, or None: a wrong or missing hash, a
    repeated field, an ``auth_date`` older than ``max_age`` (or in the future), no user."""
    if not init_data or len(init_data) > MAX_LENGTH:
        return None
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    if len(fields) != len(pairs) or "hash" not in fields:
        return None
    if not hmac.compare_digest(_signature(fields, token), fields["hash"]):
        return None
    try:
        signed_at = datetime.fromtimestamp(int(fields.get("auth_date", "")), UTC)
        user = json.loads(fields.get("user", ""))
    except (ValueError, OverflowError, OSError):
        return None
    if not now - max_age <= signed_at <= now + timedelta(minutes=1):
        return None
    user_id = user.get("id") if isinstance(user, dict) else None
    return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None
