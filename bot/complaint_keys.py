"""The complaint channel's secret, and what is derived from it.

One secret from the environment (``STAFF_REPORT_BOT_COMPLAINT_KEY``) or a file outside git
(``[complaints] key_file``) gives three keys, each for one purpose:

- a keyed hash (HMAC-SHA256) of a writer's Telegram id, under which a conversation in progress
  and the anti-abuse counts are kept: without the secret it cannot be turned back into an id;
- a keyed hash of each tracking code: the database never holds a code itself;
- a Fernet key that encrypts the chat of a complainant who asked to be told of progress.

Losing or changing the secret makes every tracking code useless: keep it with the backups.
No message raised here contains the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot import logs
from jobs.settings import ComplaintSettings

ENV_VAR = "STAFF_REPORT_BOT_COMPLAINT_KEY"
MIN_LENGTH = 32
_PLACEHOLDER_WORDS = ("your", "change", "xxxx", "example", "placeholder", "paste", "secret-here")
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
CODE_LENGTH = 8
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
HOW_TO_MAKE = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class ComplaintKeyError(Exception):
    """No usable complaint key; the message says how to give one."""


@dataclass(frozen=True)
class ComplaintKeys:
    tag_key: bytes
    code_key: bytes
    contact: Fernet

    @classmethod
    def from_secret(cls, secret: str) -> ComplaintKeys:
        master = secret.strip().encode("utf-8")

        def derive(label: str) -> bytes:
            return hmac.new(
                master, f"staff-report-bot/complaints/{label}".encode(), "sha256"
            ).digest()

        return cls(
            tag_key=derive("writer"),
            code_key=derive("tracking-code"),
            contact=Fernet(base64.urlsafe_b64encode(derive("contact"))),
        )

    def owner_tag(self, telegram_user_id: int) -> str:
        """The keyed hash a conversation and the limits are kept under."""
        return hmac.new(self.tag_key, str(telegram_user_id).encode(), hashlib.sha256).hexdigest()

    def code_hash(self, code: str) -> str:
        """The keyed hash of a normalised tracking code (see :func:`normalise_code`)."""
        return hmac.new(self.code_key, code.encode(), hashlib.sha256).hexdigest()

    def seal(self, chat_id: int, language: str) -> str:
        """The complainant's chat (and language), encrypted, for the opt-in notices."""
        plain = json.dumps({"chat": chat_id, "language": language}).encode()
        return self.contact.encrypt(plain).decode("ascii")

    def unseal(self, token: str) -> tuple[int, str] | None:
        try:
            data = json.loads(self.contact.decrypt(token.encode("ascii")))
            return int(data["chat"]), str(data["language"])
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None


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


def _validate(secret: str, where: str) -> str:
    secret = secret.strip()
    lowered = secret.lower()
    if len(secret) < MIN_LENGTH or any(word in lowered for word in _PLACEHOLDER_WORDS):
        raise ComplaintKeyError(
            f"the complaint key in {where} is too short or looks like a placeholder: it must be "
            f"at least {MIN_LENGTH} random characters; make one with {HOW_TO_MAKE}"
        )
    logs.protect([secret])  # like the token: redacted from any log line that would hold it
    return secret


def load_complaint_keys(
    settings: ComplaintSettings, environ: Mapping[str, str] | None = None
) -> ComplaintKeys:
    """The keys from ``$STAFF_REPORT_BOT_COMPLAINT_KEY``, else from ``[complaints] key_file``."""
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR, "").strip():
        return ComplaintKeys.from_secret(
            _validate(environ[ENV_VAR], f"the environment variable {ENV_VAR}")
        )
    if settings.key_file is not None:
        path = Path(settings.key_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ComplaintKeyError(
                f"cannot read the complaint key file {path}: {error.strerror}"
            ) from None
        return ComplaintKeys.from_secret(_validate(text, f"the key file {path}"))
    raise ComplaintKeyError(
        "the complaint channel (measure 1.7) is switched on ([complaints] enabled = true) but "
        f"has no key. Make one with {HOW_TO_MAKE}, then either set the environment variable "
        f"{ENV_VAR} to it, or save it alone in a file readable only by the bot (chmod 600) and "
        "name that file with key_file in the [complaints] section. Keep a copy with your "
        "backups: without the same key, complainants' tracking codes stop working. To run "
        "without the complaint channel, set enabled = false in [complaints]."
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
