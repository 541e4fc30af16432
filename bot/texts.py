"""Small renderers shared by the handlers: names in the reader's language, long-text splitting."""

from __future__ import annotations

from collections.abc import Iterable

from storage.models import WorkGroup

TELEGRAM_TEXT_LIMIT = 4096


def group_name(group: WorkGroup, language: str) -> str:
    return group.name_en if language == "en" else group.name_th


def group_names(groups: Iterable[WorkGroup], language: str) -> str:
    return ", ".join(group_name(group, language) for group in groups)


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Cut a long text into Telegram-sized parts at line breaks, never inside a line.

    A single line longer than the limit (which our texts never have) is cut at the limit
    rather than dropped: nothing is lost.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current.strip() or not parts:
        parts.append(current)
    return parts
