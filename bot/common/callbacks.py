"""Button data, built and read in one place: ``done:12``, ``esc:x:5``, ``cp:12:outcome:nf``.

Telegram hands back whatever a button carried, and anyone can send a press with any data,
so every kind of button declares its shape here and a press whose data does not fit —
forged, truncated, from another kind — is refused by the kit (``bot.common.kit.button``)
before any handler runs. The shapes are the ones messages already in people's chats carry.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
MAX_DATA = 64  # Telegram's limit on callback data, in bytes
_WORD = re.compile(r"[A-Za-z0-9_-]{1,40}")  # a group key is at most 40 characters
_NUMBER = re.compile(r"[1-9][0-9]{0,8}")  # the tables' ids are 32-bit integers


def number(part: str) -> int | None:
    """A database id as buttons carry it: a positive whole number, nothing else."""
    return int(part) if _NUMBER.fullmatch(part) else None


def word(part: str) -> str | None:
    """A code as buttons carry it: letters, digits, ``_`` and ``-`` (a group key at most)."""
    return part if _WORD.fullmatch(part) else None


@dataclass(frozen=True)
class Callback(ABC, Generic[T]):
    """One kind of button: its prefix (``"done:"``) and the shape of what follows."""

    prefix: str

    def parse(self, data: str | None) -> T | None:
        """The press's value, or None for data of another kind or a shape that does not fit."""
        if not data or not data.startswith(self.prefix) or len(data.encode()) > MAX_DATA:
            return None
        return self._read(data.removeprefix(self.prefix).split(":"))

    @abstractmethod
    def _read(self, parts: list[str]) -> T | None: ...

    def _join(self, *parts: object) -> str:
        """The data, as built; what does not fit is refused when pressed (``parse``), so a
        message is never lost to a badly built button."""
        return self.prefix + ":".join(str(part) for part in parts)


@dataclass(frozen=True)
class Numbered(Callback[int]):
    """``done:12``: one id."""

    def __call__(self, value: int) -> str:
        return self._join(value)

    def _read(self, parts: list[str]) -> int | None:
        return number(parts[0]) if len(parts) == 1 else None


@dataclass(frozen=True)
class Choice(Callback[str]):
    """``cf:yes``: one of a fixed set of words."""

    choices: frozenset[str] = frozenset()

    def __call__(self, value: str) -> str:
        return self._join(value)

    def _read(self, parts: list[str]) -> str | None:
        return parts[0] if len(parts) == 1 and parts[0] in self.choices else None


@dataclass(frozen=True)
class ChoiceNumbered(Callback[tuple[str, int]]):
    """``esc:x:5``: one of a fixed set of words, then an id."""

    choices: frozenset[str] = frozenset()

    def __call__(self, choice: str, value: int) -> str:
        return self._join(choice, value)

    def _read(self, parts: list[str]) -> tuple[str, int] | None:
        if len(parts) != 2 or parts[0] not in self.choices:
            return None
        found = number(parts[1])
        return None if found is None else (parts[0], found)


@dataclass(frozen=True)
class Words(Callback[tuple[str, ...]]):
    """Anything of ``least``…``most`` parts, each a number or a word (``p:5:role:admin``);
    the handler reads the parts with ``number``/``word`` and the kit has already refused
    empty, overlong or odd-character data."""

    least: int = 1
    most: int = 4

    def __call__(self, *parts: object) -> str:
        return self._join(*parts)

    def _read(self, parts: list[str]) -> tuple[str, ...] | None:
        if not self.least <= len(parts) <= self.most:
            return None
        if any(word(part) is None for part in parts):
            return None
        return tuple(parts)


def choices(*values: str) -> frozenset[str]:
    return frozenset(values)


def prefixes(kinds: Iterable[Callback[object]]) -> list[str]:
    return [kind.prefix for kind in kinds]
