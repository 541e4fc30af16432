"""Words and dates in the reader's language.

Every user-facing text is an English msgid translated through a Babel message catalog
(``bot/common/locale/<lang>/LC_MESSAGES/messages.po``, Thai first). The catalogs are compiled in
memory when first used, so no compiled file is ever committed. Dates follow the Thai civil
service: Buddhist Era years and Thai month names (``10 มกราคม 2568``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Literal

from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"
BUDDHIST_ERA_OFFSET = 543
_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_ARABIC_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")

Translate = Callable[[str], str]


def N_(message: str) -> str:  # the gettext convention for "translate later"
    """Mark a text for the catalog without translating it yet."""
    return message


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def _translations(language: str) -> NullTranslations:
    """Compile one language's catalog in memory (once per process)."""
    path = catalog_path(language)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


def normalise_language(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def translator(language: str | None) -> Translate:
    """``_`` for one reader: ``_ = translator("th"); _("Registered.")``."""
    return _translations(normalise_language(language)).gettext


def thai_digits(text: str) -> str:
    """Arabic digits to Thai digits, for formal documents."""
    return text.translate(_THAI_DIGITS)


def arabic_digits(text: str) -> str:
    """Thai digits as people may type them (``๒๕๖๙``) read as Arabic ones (``2569``)."""
    return text.translate(_ARABIC_DIGITS)


def buddhist_year(year: int) -> int:
    return year + BUDDHIST_ERA_OFFSET


DateStyle = Literal["long", "short", "formal", "weekday", "weekday_short"]
_PATTERNS = {
    "long": "d MMMM",
    "short": "d MMM",
    "formal": "d MMMM",
    "weekday": "EEEE'ที่' d MMMM",
    "weekday_short": "EEEE'ที่' d MMM",
}
_ENGLISH_PATTERNS = {
    "short": "d MMM y",
    "weekday": "EEEE d MMMM y",
    "weekday_short": "EEEE d MMM y",
}


def format_date(day: date, language: str | None, style: DateStyle = "long") -> str:
    """``10 มกราคม 2568`` (long), ``10 ม.ค. 2568`` (short), ``๑๐ มกราคม พ.ศ. ๒๕๖๘`` (formal),
    ``วันศุกร์ที่ 10 มกราคม 2568`` (weekday), ``วันศุกร์ที่ 10 ม.ค. 2568`` (weekday_short).

    Babel has no Buddhist calendar, so the day and month come from Babel and the year is
    added here, the one place that knows B.E. = C.E. + 543. English keeps the C.E. year.
    """
    language = normalise_language(language)
    if isinstance(day, datetime):
        day = day.date()
    if language != "th":
        pattern = _ENGLISH_PATTERNS.get(style, "d MMMM y")
        return babel_format_date(day, pattern, locale=language)
    head = babel_format_date(day, _PATTERNS[style], locale="th")
    if style == "formal":
        return thai_digits(f"{head} พ.ศ. {buddhist_year(day.year)}")
    return f"{head} {buddhist_year(day.year)}"


def format_month(day: date, language: str | None) -> str:
    """The month of ``day`` with its year: ``มกราคม 2570`` (B.E.), ``January 2027``."""
    language = normalise_language(language)
    month = babel_format_date(day, "MMMM", locale=language)
    return f"{month} {buddhist_year(day.year) if language == 'th' else day.year}"


def weekday_name(day: date, language: str | None) -> str:
    """``วันเสาร์``, ``Saturday``."""
    return babel_format_date(day, "EEEE", locale=normalise_language(language))


def format_time(moment: time | datetime, language: str | None, *, seconds: bool = False) -> str:
    """``08.30 น.`` in Thai, ``08:30`` in English; with ``seconds``, ``08.30.05 น.``."""
    thai = normalise_language(language) == "th"
    separator = "." if thai else ":"
    text = f"{moment.hour:02d}{separator}{moment.minute:02d}"
    if seconds:
        text += f"{separator}{moment.second:02d}"
    return f"{text} น." if thai else text


def format_datetime(moment: datetime, language: str | None, *, seconds: bool = False) -> str:
    """A local instant: ``10 มกราคม 2568 เวลา 16.30 น.`` (``16.30.05 น.`` with ``seconds``)."""
    clock = format_time(moment, language, seconds=seconds)
    date_and_time = translator(language)("{date}, {time}")
    return date_and_time.format(date=format_date(moment, language), time=clock)


def fiscal_year_label(fiscal_year: int, language: str | None) -> str:
    """``ปีงบประมาณ พ.ศ. 2568`` / ``fiscal year 2568 B.E.`` (``fiscal_year`` is already B.E.)."""
    return translator(language)("fiscal year {fiscal_year} B.E.").format(fiscal_year=fiscal_year)


_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


def warm_up() -> None:
    """Load both catalogs and Babel's calendar data now, at start: their first use costs a
    tenth of a second, which the first person to press a button would otherwise wait."""
    moment = datetime(2025, 1, 10, 8, 30)
    for language in LANGUAGES:
        translator(language)("Back")
        for style in ("long", "short", "formal", "weekday"):
            format_date(moment.date(), language, style)
        format_month(moment.date(), language)
        format_datetime(moment, language)


def parse_date(text: str) -> date | None:
    """A date as people type it: ``31/12/2569`` (B.E.), ``31/12/2026``, ``2026-12-31``.

    A year above 2400 is Buddhist Era. Anything else, or an impossible date, is None.
    """
    text = text.strip()
    if match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None
    if year > 2400:
        year -= BUDDHIST_ERA_OFFSET
    try:
        return date(year, month, day)
    except ValueError:
        return None
