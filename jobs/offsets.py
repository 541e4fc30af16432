"""Offsets of ladder steps and deadlines, written as the config writes them.

``-7d`` seven calendar days before, ``-1wd`` one working day before, ``+5wd`` five working
days after, ``0d`` the due day itself, ``30s``/``15m``/``2h`` plain durations (so that a demo
or an end-to-end test can run a whole ladder in seconds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

_OFFSET = re.compile(r"^\s*([+-]?)\s*(\d{1,5})\s*(wd|d|h|m|s)\s*$")


class OffsetUnit(StrEnum):
    WORKING_DAYS = "wd"
    DAYS = "d"
    HOURS = "h"
    MINUTES = "m"
    SECONDS = "s"


@dataclass(frozen=True, slots=True)
class Offset:
    amount: int  # signed: negative is before the due instant
    unit: OffsetUnit

    @property
    def is_day_based(self) -> bool:
        return self.unit in (OffsetUnit.WORKING_DAYS, OffsetUnit.DAYS)

    def as_timedelta(self) -> timedelta:
        """The plain duration of a calendar-day or clock offset (not working days)."""
        if self.unit is OffsetUnit.WORKING_DAYS:
            raise ValueError("working days have no fixed duration")
        seconds = {"d": 86400, "h": 3600, "m": 60, "s": 1}[self.unit.value]
        return timedelta(seconds=self.amount * seconds)

    def __str__(self) -> str:
        sign = "+" if self.amount > 0 else ("-" if self.amount < 0 else "")
        return f"{sign}{abs(self.amount)}{self.unit.value}"


def parse_offset(text: str) -> Offset:
    """Parse ``-7d``, ``+1wd``, ``30s`` …; raise ``ValueError`` with a readable reason."""
    match = _OFFSET.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not an offset: write a signed number and a unit, "
            "e.g. -7d, -1wd, +5wd, 0d, 30s, 15m, 2h"
        )
    sign, number, unit = match.groups()
    amount = -int(number) if sign == "-" else int(number)
    return Offset(amount, OffsetUnit(unit))


_SPAN = re.compile(r"^\s*\+?\s*(\d{1,5})\s*(wd|mo|d|h|m|s)\s*$")


@dataclass(frozen=True, slots=True)
class Span:
    """A length of time counted forward from an instant: ``7wd`` seven working days, ``3mo``
    three calendar months, ``90d``, or a plain duration (``30s``) for demos and tests."""

    amount: int  # never negative
    unit: str  # an OffsetUnit value, or "mo"

    @property
    def is_months(self) -> bool:
        return self.unit == "mo"

    def as_offset(self, sign: int = 1) -> Offset:
        """The same length as an :class:`Offset` (not for months)."""
        return Offset(sign * self.amount, OffsetUnit(self.unit))

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def parse_span(text: str) -> Span:
    """Parse ``7wd``, ``3mo``, ``90d``, ``2h``, ``30s``; raise ``ValueError`` with the reason."""
    match = _SPAN.match(text)
    if match is None:
        raise ValueError(
            f"{text!r} is not a length of time: write a number and a unit, e.g. 7wd (working "
            "days), 90d (days), 3mo (months), 2h, 15m, 30s"
        )
    number, unit = match.groups()
    return Span(int(number), unit)


_DURATION = re.compile(r"^\s*\+?\s*(\d{1,5})\s*(w|d|h|m|s)\s*$")
_DURATION_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
DURATION_EXAMPLES = ("2w", "7d", "12h", "30m")
DURATION_UNITS = "w weeks, d days, h hours, m minutes"


def parse_duration(text: str) -> timedelta:
    """A positive length of time as an option takes it: ``2w``, ``7d``, ``12h``, ``30m``
    (``s`` too); raise ``ValueError`` with the forms it accepts."""
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ValueError(
            f"{text!r} is not a length of time: write a number and a unit, e.g. "
            f"{', '.join(DURATION_EXAMPLES)} ({DURATION_UNITS})"
        )
    number, unit = match.groups()
    return timedelta(seconds=int(number) * _DURATION_SECONDS[unit])
