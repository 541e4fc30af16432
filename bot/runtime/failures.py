"""What a CLI command says when the world fails it: one line that says what to do.

The failures a real operator meets — the database unreachable, locked or full, a file that
cannot be written, Telegram rejecting the token or out of reach, a reader that closed the
pipe — each get one sentence and an exit code; a traceback only under ``--log-level DEBUG``.
Every line passes through :func:`bot.runtime.logs.redact`, so the token never shows.
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.runtime import logs
from storage.backup import BackupError
from storage.db import DatabaseMissing

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_DATABASE = 3
EXIT_FILE = 4
EXIT_TELEGRAM = 5
EXIT_INTERRUPTED = 130
REFUSED_AT_LOGIN = (
    "Telegram rejected the bot token (from $TELEGRAM_BOT_TOKEN or [telegram] token_file): "
    "copy it again from @BotFather, or ask it for a new one if it was revoked"
)


@dataclass(frozen=True)
class Failure:
    code: int
    message: str  # one line; empty for a failure that needs no word (a closed pipe)


def explain(error: BaseException, *, database: str = "the database") -> Failure:
    """The exit code and the one line for ``error``; ``database`` names it (no password)."""
    if isinstance(error, BrokenPipeError):
        return Failure(0, "")  # `preview | head`: the reader had enough; nothing to say
    if isinstance(error, KeyboardInterrupt):
        return Failure(EXIT_INTERRUPTED, "interrupted")
    if isinstance(error, BackupError):
        return Failure(error.code, str(error))
    if isinstance(error, DatabaseMissing):
        return Failure(
            EXIT_DATABASE, f"{error}: check [database] url, or start the bot to create one"
        )
    if isinstance(error, SQLAlchemyError):
        return Failure(EXIT_DATABASE, _database_problem(error, database))
    if isinstance(error, InvalidToken):
        return Failure(EXIT_CONFIG, REFUSED_AT_LOGIN)
    if isinstance(error, NetworkError):
        return Failure(
            EXIT_TELEGRAM,
            f"Telegram could not be reached ({_first_line(error)}): check the network and "
            "[telegram] base_url, then start again",
        )
    if isinstance(error, TelegramError):
        return Failure(EXIT_TELEGRAM, f"Telegram refused: {_first_line(error)}")
    if isinstance(error, OSError):
        return Failure(EXIT_FILE, _file_problem(error))
    return Failure(
        EXIT_FAILED,
        f"unexpected error ({type(error).__name__}: {_first_line(error)}); run again with "
        "--log-level DEBUG for the details, and report them",
    )


def _database_problem(error: SQLAlchemyError, database: str) -> str:
    cause = _first_line((error.orig if isinstance(error, DBAPIError) else None) or error)
    text = cause.lower()
    if "locked" in text or "lock timeout" in text:
        return (
            f"{database} is locked by another program ({cause}): try again when it "
            "finishes (a backup, another staff-report-bot command)"
        )
    if "disk is full" in text or "no space left" in text:
        return f"no space left for {database} ({cause}): free some disk space and try again"
    if "unable to open database file" in text or "readonly database" in text:
        return (
            f"{database} cannot be opened for writing ({cause}): check that its folder "
            "exists and that this user may write there"
        )
    if (isinstance(error, DBAPIError) and error.connection_invalidated) or _unreachable(text):
        return (
            f"cannot reach {database} ({cause}): is the server running, and is [database] "
            "url right?"
        )
    return f"database error on {database} ({cause}); run again with --log-level DEBUG"


def _unreachable(text: str) -> bool:
    return any(
        words in text
        for words in (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "could not translate host",
            "name or service not known",
            "no route to host",
            "server closed the connection",
            "password authentication failed",
            'role "',
            'database "',
        )
    )


def _file_problem(error: OSError) -> str:
    where = f"{error.filename}: " if error.filename else ""
    if isinstance(error, PermissionError):
        return (
            f"{where}permission denied: run as the user the bot runs as, or let it write "
            "there (chown/chmod)"
        )
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"{where}no space left on the disk: free some space (old backups, logs) and try again"
        )
    if isinstance(error, FileNotFoundError):
        return f"{where}no such file or folder: check the path"
    return f"{where}{error.strerror or _first_line(error)}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return logs.redact(text.splitlines()[0].strip())


def report(error: BaseException, *, debug: bool, database: str = "the database") -> int:
    """Print the one line on stderr (and the traceback under DEBUG); return the exit code."""
    failure = explain(error, database=database)
    if isinstance(error, BrokenPipeError):
        _silence_stdout()
    elif debug:
        trace = "".join(traceback.format_exception(error)).rstrip()
        print(logs.redact(trace), file=sys.stderr)
    if failure.message:
        print(f"error: {logs.redact(failure.message)}", file=sys.stderr)
    return failure.code


def _silence_stdout() -> None:
    """After a broken pipe, Python would complain again when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (a test)
        pass
