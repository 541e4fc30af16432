"""Small renderers shared by the handlers: names in the reader's language, long-text splitting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from storage.models import WorkGroup

TELEGRAM_TEXT_LIMIT = 4096


def group_name(group: WorkGroup, language: str) -> str:
    return group.name_en if language == "en" else group.name_th


def group_names(groups: Iterable[WorkGroup], language: str) -> str:
    return ", ".join(group_name(group, language) for group in groups)


def telegram_length(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units (an emoji is two)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Cut a long text into Telegram-sized parts at line breaks, never inside a line.

    A single line longer than the limit (which our texts never have) is cut at the limit
    rather than dropped: nothing is lost.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while telegram_length(line) > limit:
            if current:
                parts.append(current)
                current = ""
            head = _fitting(line, limit)
            parts.append(head)
            line = line[len(head) :]
        candidate = f"{current}\n{line}" if current else line
        if telegram_length(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current.strip() or not parts:
        parts.append(current)
    return parts


def _fitting(line: str, limit: int) -> str:
    """The longest start of ``line`` within ``limit`` UTF-16 units."""
    end = min(len(line), limit)
    while telegram_length(line[:end]) > limit:
        end -= 1
    return line[:end]


_NUMBER = re.compile(r"#?([0-9]{1,9})")  # ASCII digits only: "²".isdigit() is true, int() is not


def parse_number(text: str | None) -> int | None:
    """A record number as people type it (``12``, ``#12``); anything else — other scripts'
    digits, signs, or numbers no table holds — is None."""
    match = _NUMBER.fullmatch((text or "").strip())
    return int(match.group(1)) if match else None


_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_text(text: str, limit: int) -> str:
    """Free text to keep (a name, a reason, a title): one line, no control or invisible
    characters (PostgreSQL refuses NUL), at most ``limit`` characters."""
    kept = "".join(ch if unicodedata.category(ch) not in _INVISIBLE else " " for ch in text)
    return " ".join(kept.split())[:limit]


def quoted(text: str, limit: int = 40) -> str:
    """Something the person typed, shortened before it is repeated back to them."""
    text = clean_text(text, 10_000)
    return text if len(text) <= limit else text[: limit - 1] + "…"
