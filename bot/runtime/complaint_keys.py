"""The complaint channel's keys: the long-term one from the office, and one made for each day.

**The channel's key** comes from the environment (``STAFF_REPORT_BOT_COMPLAINT_KEY``) or a file
outside git (``[complaints] key_file``). It may hold several keys, separated by spaces or line
breaks: the first is the current one (it encrypts), the others are older ones, used only to
read (``MultiFernet``), until ``staff-report-bot rotate-complaint-key`` has re-encrypted every
row with the first. It encrypts:

- the content of every complaint (what, who, when, where, the contact left, the office's
  answer, the files' ids and names, the handlers' notes) — ``seal`` / ``open``;
- the chat of a complainant who asked to be told of progress — ``seal_contact``;
- the keys kept in the database (``complaint_secret``): the tracking codes' hash key, and the
  day's key.

**The day's key** is random, made at the first use of an office day, kept in the database
(encrypted) so that every bot process shares it, and deleted early the next morning
(``DAY_KEY_GRACE`` after midnight). The writer's tag (an HMAC of the Telegram id) that the
day's conversations and limits are kept under, and the key that encrypts a conversation in
progress, are made from it — nothing is made from the long-term key. Once the day's key is
gone, nothing stored can be tied to a person's id any more, even with the database and the
channel's key (README: the complaint channel's threat model).

No message raised here contains a key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlmodel import Session

from bot.runtime import logs
from jobs.settings import ComplaintSettings
from storage import complaints

ENV_VAR = "STAFF_REPORT_BOT_COMPLAINT_KEY"
MIN_LENGTH = 32
_PLACEHOLDER_WORDS = ("your", "change", "xxxx", "example", "placeholder", "paste", "secret-here")
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
CODE_LENGTH = 8
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
HOW_TO_MAKE = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
CODE_KEY = "tracking-code"
DAY_PREFIX = "day:"
DAY_KEY_GRACE = timedelta(hours=1)
"""How long after midnight a day's key still finds a conversation begun before it. Short, and
over before the nightly backup (``[backup] at``, 02:00 by default), so that a backup holds a
day's key only if someone used the channel between midnight and the backup."""


class ComplaintKeyError(Exception):
    """No usable complaint key; the message says how to give one."""


def _derive(master: bytes, label: str) -> bytes:
    return hmac.new(master, f"staff-report-bot/complaints/{label}".encode(), "sha256").digest()


def _fernet(raw: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(raw))


class TextCipher:
    """Implements ``storage.complaints.Cipher`` with one Fernet or several (the first writes)."""

    def __init__(self, fernet: Fernet | MultiFernet) -> None:
        self.fernet = fernet

    def seal(self, text: str) -> str:
        return self.fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str | None:
        try:
            return self.fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            return None

    def rotate(self, token: str) -> str | None:
        if not isinstance(self.fernet, MultiFernet):
            return token if self.open(token) is not None else None
        try:
            return self.fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class WriterKey:
    """A writer under one day's key: the tag their conversation and limits are kept under,
    and the cipher of their conversation in progress."""

    tag: str
    cipher: TextCipher


class ComplaintKeys(TextCipher):
    """The channel's key (and older ones, to read), and what is kept with it."""

    def __init__(self, masters: Sequence[str]) -> None:
        if not masters:
            raise ComplaintKeyError("no complaint key given")
        raw = [master.strip().encode("utf-8") for master in masters]
        # "contact": the name the first version gave the content key; chats sealed then open
        super().__init__(MultiFernet([_fernet(_derive(one, "contact")) for one in raw]))
        self.count = len(raw)
        # the oldest key given (the last) made the codes of a database from before revision
        # 0009, when there was one key and no rotation: the stored key starts from it
        self._first_code_key = _derive(raw[-1], CODE_KEY)
        self._code_key: bytes | None = None

    @classmethod
    def from_secret(cls, secret: str) -> ComplaintKeys:
        return cls([secret])

    # -- the complainant's chat, for the notices they asked for ------------------------

    def seal_contact(self, chat_id: int, language: str) -> str:
        """The complainant's chat (and language), encrypted, for the opt-in notices."""
        return self.seal(json.dumps({"chat": chat_id, "language": language}))

    def open_contact(self, token: str) -> tuple[int, str] | None:
        plain = self.open(token)
        try:
            data = json.loads(plain) if plain is not None else None
            return (int(data["chat"]), str(data["language"])) if data else None
        except (ValueError, KeyError, TypeError):
            return None

    # -- keys kept in the database -------------------------------------------------------

    def _kept(self, session: Session, name: str, make: bytes | None = None) -> bytes | None:
        """A key kept (encrypted) in the database; made from ``make`` when there is none yet."""
        row = complaints.secret(session, name)
        if row is None and make is not None:
            sealed = self.seal(base64.urlsafe_b64encode(make).decode("ascii"))
            row = complaints.keep_secret(session, name, sealed)
        if row is None:
            return None
        plain = self.open(row.value)
        if plain is None:
            raise ComplaintKeyError(
                f"the complaint channel's stored key {name!r} cannot be read with the key(s) "
                "given: give the key the complaints were filed under (first or among the "
                "older ones)"
            )
        return base64.urlsafe_b64decode(plain)

    def code_hash(self, session: Session, code: str) -> str:
        """The keyed hash of a normalised tracking code (see :func:`normalise_code`).

        Its key is kept in the database, encrypted with the channel's key, so that it outlives
        a change of that key; the first one is the key the first version derived (so that
        codes given before still work).
        """
        return hmac.new(self.code_key(session), code.encode(), hashlib.sha256).hexdigest()

    def code_key(self, session: Session) -> bytes:
        """The tracking codes' hash key, kept (made the first time) in the database."""
        if self._code_key is None:
            self._code_key = self._kept(session, CODE_KEY, self._first_code_key)
        assert self._code_key is not None
        return self._code_key

    def writer(
        self,
        session: Session,
        telegram_user_id: int,
        *,
        now: datetime,
        day_start: datetime,
        day_end: datetime,
        create: bool,
    ) -> list[WriterKey]:
        """The writer under each live day's key, today's first (made, with ``create``, when
        none is kept yet); an empty list when there is no key to look under."""
        rows = list(complaints.day_secrets(session))
        if any(row.expires_at is not None and row.expires_at <= now for row in rows):
            complaints.forget_days(session, now=now)
            rows = [row for row in rows if row.expires_at is None or row.expires_at > now]
        today = f"{DAY_PREFIX}{day_start.date().isoformat()}"
        if create and not any(row.name == today for row in rows):
            sealed = self.seal(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"))
            kept = complaints.keep_secret(
                session,
                today,
                sealed,
                use_until=day_end,
                expires_at=day_end + DAY_KEY_GRACE,
            )
            rows.append(kept)
        rows.sort(key=lambda row: (row.name != today, row.name), reverse=False)
        found = []
        for row in rows:
            if row.name != today and (row.use_until is None or row.use_until > now):
                continue  # a day's key from the future (the clock went back): not used
            plain = self.open(row.value)
            if plain is None:
                continue
            day_key = base64.urlsafe_b64decode(plain)
            tag = hmac.new(
                _derive(day_key, "writer"), str(telegram_user_id).encode(), hashlib.sha256
            ).hexdigest()
            found.append(WriterKey(tag, TextCipher(_fernet(_derive(day_key, "draft")))))
        return found


def new_code() -> str:
    """A fresh tracking code: 8 characters (40 bits) from an alphabet easy to read aloud and
    type on a phone, in two groups: ``7K3M-9QXA``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str | None:
    """A code as typed: any case, with or without the dash or spaces, O for 0 and I or L for
    1, Thai digits; None unless it can be a code."""
    kept = "".join(ch for ch in text.upper() if ch.isalnum())
    kept = kept.translate(_CODE_LOOKALIKES).translate(_THAI_DIGITS)
    if len(kept) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in kept):
        return None
    return kept


def _validate(text: str, where: str) -> list[str]:
    """The keys in ``text`` (separated by spaces or line breaks), each checked."""
    found = [one for one in re.split(r"\s+", text.strip()) if one]
    if not found:
        found = [""]
    for secret in found:
        lowered = secret.lower()
        if len(secret) < MIN_LENGTH or any(word in lowered for word in _PLACEHOLDER_WORDS):
            raise ComplaintKeyError(
                f"the complaint key in {where} is too short or looks like a placeholder: it "
                f"must be at least {MIN_LENGTH} random characters; make one with {HOW_TO_MAKE}"
            )
    logs.protect(found)  # like the token: redacted from any log line that would hold them
    return found


def load_complaint_keys(
    settings: ComplaintSettings, environ: Mapping[str, str] | None = None
) -> ComplaintKeys:
    """The keys from ``$STAFF_REPORT_BOT_COMPLAINT_KEY``, else from ``[complaints] key_file``:
    the first is the current key, any after it older ones (read only)."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR, "").strip():
        return ComplaintKeys(_validate(environ[ENV_VAR], f"the environment variable {ENV_VAR}"))
    if settings.key_file is not None:
        path = Path(settings.key_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ComplaintKeyError(
                f"cannot read the complaint key file {path}: {error.strerror}"
            ) from None
        return ComplaintKeys(_validate(text, f"the key file {path}"))
    raise ComplaintKeyError(
        "the complaint channel (measure 1.7) is switched on ([complaints] enabled = true) but "
        f"has no key. Make one with {HOW_TO_MAKE}, then either set the environment variable "
        f"{ENV_VAR} to it, or save it alone in a file readable only by the bot (chmod 600) and "
        "name that file with key_file in the [complaints] section. Keep a copy apart from the "
        "backups (printed and sealed, say): without the same key complaints cannot be read, "
        "and with a backup it reads them all. To run without the complaint channel, set "
        "enabled = false in [complaints]."
    )


def keys_or_none(settings: ComplaintSettings) -> ComplaintKeys | None:
    """The keys when the channel is on and a key is given; None otherwise (``run`` has already
    refused to start in that case; the demo and tests of other things run without)."""
    if not settings.enabled:
        return None
    try:
        return load_complaint_keys(settings)
    except ComplaintKeyError:
        return None
