"""The complaint channel's key on the server: the first start with it, a change of key, and
the files that hold secrets.

- ``prepare`` (each ``run``): the tracking codes' key is kept, and complaints written in clear
  before revision 0009 are encrypted, in one transaction (then, on SQLite, the file is
  rewritten so that the clear text does not stay in free pages).
- ``rotate_key`` (``staff-report-bot rotate-complaint-key``): every encrypted value, and the
  keys kept in the database, encrypted again with the first key given, in one transaction;
  if any value cannot be read with the keys given, nothing changes.
- ``loose_secret_files``: the token and key files that other accounts on the computer can read.

Nothing here prints or logs a key.
"""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from bot.runtime.complaint_keys import (
    CODE_KEY,
    ComplaintKeyError,
    ComplaintKeys,
    load_complaint_keys,
)
from jobs.settings import Settings
from storage import complaints
from storage.db import Database

log = logging.getLogger(__name__)


def prepare(database: Database, keys: ComplaintKeys) -> int:
    """Keep the tracking codes' key, encrypt what was written in clear; how many rows."""
    with database.transaction() as session:
        keys.code_key(session)
        sealed = complaints.seal_plain(session, keys)
    if sealed:
        complaints.compact(database.engine)
        log.info("complaint channel: %d rows written before encryption are now encrypted", sealed)
    return sealed


def rotate_key(database: Database, settings: Settings) -> str:
    """Encrypt everything again with the first key given; a line saying what was done."""
    keys = load_complaint_keys(settings.complaints)
    try:
        with database.transaction() as session:
            if complaints.secret(session, CODE_KEY) is None:
                keys.code_key(session)  # kept the first time, from the oldest key given
            done = complaints.rotate(session, keys)
    except complaints.UnreadableContent as error:
        raise ComplaintKeyError(
            f"{error.count} encrypted values of the complaint channel cannot be read with the "
            "key(s) given, so nothing was changed. Give the new key first and the old key "
            "after it (separated by a space or a new line), in the environment variable or "
            "the key file, and run the command again."
        ) from None
    if done.sealed_now:
        complaints.compact(database.engine)
    older = keys.count - 1
    return (
        f"complaint channel: {done.complaints} complaints, {done.entries} entries and "
        f"{done.keys} stored keys are now encrypted with the first key given"
        + (f" ({done.sealed_now} rows were in clear until now)" if done.sealed_now else "")
        + (
            f"; the {older} older key(s) can now be removed from the configuration"
            if older
            else "; only one key was given"
        )
    )


def loose_secret_files(settings: Settings) -> list[str]:
    """One warning line for each token or key file that other accounts may read or change."""
    named = [("token file", settings.telegram.token_file)]
    if settings.complaints.enabled:
        named.append(("complaint key file", settings.complaints.key_file))
    lines = []
    for label, name in named:
        if name is None:
            continue
        path = Path(name)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue  # a missing file is reported where it is read
        if mode & 0o077:
            lines.append(
                f"  WARNING: the {label} {path} can be read by other accounts on this computer "
                f"(mode {mode:04o}): make it readable by the bot alone with chmod 600 {path}"
            )
    return lines
