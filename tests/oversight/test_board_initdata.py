"""The Mini App's initData check: Telegram's documented HMAC over the sorted fields, with the
bot's token, and its age."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.oversight.board.initdata import sign, telegram_user_id

TOKEN = "123456:TEST-TOKEN-abcdefghij"
NOW = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def fields(user_id: int = 21, at: datetime = NOW) -> dict[str, str]:
    return {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": user_id, "first_name": "วิภา", "language_code": "th"}),
        "auth_date": str(int(at.timestamp())),
    }


def test_data_signed_with_the_token_names_its_user() -> None:
    assert telegram_user_id(sign(fields(), TOKEN), TOKEN, now=NOW, max_age=HOUR) == 21


def test_a_known_vector_from_telegrams_algorithm() -> None:
    """Computed by hand from the documentation: key = HMAC("WebAppData", token), hash =
    HMAC(key, "auth_date=…\\nquery_id=…\\nuser=…")."""
    import hashlib
    import hmac

    data = fields()
    check = "\n".join(f"{k}={data[k]}" for k in sorted(data))
    key = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    assert sign(data, TOKEN).endswith(f"hash={expected}")


def test_another_bots_token_a_changed_field_or_no_hash_are_refused() -> None:
    signed = sign(fields(), TOKEN)
    assert telegram_user_id(signed, "654321:OTHER-token", now=NOW, max_age=HOUR) is None
    forged = signed.replace("%22id%22%3A+21", "%22id%22%3A+31")
    assert forged != signed
    assert telegram_user_id(forged, TOKEN, now=NOW, max_age=HOUR) is None
    unsigned = "&".join(p for p in signed.split("&") if not p.startswith("hash="))
    assert telegram_user_id(unsigned, TOKEN, now=NOW, max_age=HOUR) is None
    assert telegram_user_id(signed + "&hash=00", TOKEN, now=NOW, max_age=HOUR) is None
    assert telegram_user_id("", TOKEN, now=NOW, max_age=HOUR) is None
    assert telegram_user_id("%%%", TOKEN, now=NOW, max_age=HOUR) is None


def test_old_or_future_data_is_refused() -> None:
    old = sign(fields(at=NOW - 2 * HOUR), TOKEN)
    assert telegram_user_id(old, TOKEN, now=NOW, max_age=HOUR) is None
    assert telegram_user_id(old, TOKEN, now=NOW, max_age=3 * HOUR) == 21
    future = sign(fields(at=NOW + HOUR), TOKEN)
    assert telegram_user_id(future, TOKEN, now=NOW, max_age=HOUR) is None


def test_signed_data_without_a_user_id_is_refused() -> None:
    data = fields()
    data["user"] = json.dumps({"first_name": "ไม่มีเลข"})
    assert telegram_user_id(sign(data, TOKEN), TOKEN, now=NOW, max_age=HOUR) is None
    data["user"] = "not json"
    assert telegram_user_id(sign(data, TOKEN), TOKEN, now=NOW, max_age=HOUR) is None
