"""The year's reporting calendar on one printable page (A4 landscape PNG): a row per report, a
column per quarter of the fiscal year, the due dates in each cell.

The digest chart's stack (``bot/oversight/chart.py``): matplotlib's object API on an Agg
canvas (never pyplot, never the global rcParams), the bundled Sarabun font (SIL OFL 1.1,
``bot/fonts/``) registered once, Thai shaped by libraqm (matplotlib >= 3.11), every text
horizontal. Pure: the caller passes the words, this returns PNG bytes.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Final

from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from bot.common.drawing import DRAWING, FONT_FAMILY, register_fonts

PAGE_PX: Final = (1754, 1240)  # A4 landscape at 150 dpi
_DPI: Final = 150.0

_TEXT: Final = "#1f2933"
_MUTED: Final = "#52606d"
_RULE: Final = "#9aa5b1"
_HEAD_FACE: Final = "#0b3d6b"
_BAND: Final = "#eef3f8"
_QUARTER_FACES: Final = ("#a6cee3", "#5fa2ce", "#2b6fa8", "#0b3d6b")


@dataclass(frozen=True)
class Row:
    """One report: its name, who owes it (the office's page), and its dates by quarter."""

    title: str
    dates: tuple[list[str], list[str], list[str], list[str]]
    owners: str = ""


@dataclass(frozen=True)
class CalendarPage:
    title: str
    subtitle: str
    quarters: tuple[str, str, str, str]  # column headings
    report_heading: str
    rows: list[Row] = field(default_factory=list)
    footer: str = ""
    empty: str = ""  # said in the table when there is no row


def _font(size: float, *, bold: bool = False) -> FontProperties:
    return FontProperties(family=FONT_FAMILY, size=size, weight="bold" if bold else "normal")


# where a long Thai run may break without a dictionary: before these words, which start one
_BREAK_BEFORE: Final = ("ของ", "ต่อ", "ประจำ", "เสนอ", "และ", "ให้", "สร้าง", "ตาม", "เพื่อ")
_NO_BREAK_AFTER: Final = "เแโใไ"  # leading vowels belong to the letter after them


def _width(text: str) -> int:
    """Characters that take room on the line (Thai vowels above or below and tone marks
    do not)."""
    return sum(1 for char in text if not unicodedata.combining(char) and char != "\u0e31")


def _occurrences(text: str, part: str) -> list[int]:
    found, index = [], text.find(part)
    while index >= 0:
        found.append(index)
        index = text.find(part, index + 1)
    return found


def _pieces(word: str) -> list[str]:
    """A run without spaces, cut before the words of ``_BREAK_BEFORE``."""
    cuts = sorted(
        {
            index
            for start in _BREAK_BEFORE
            for index in _occurrences(word, start)
            if index > 0 and word[index - 1] not in _NO_BREAK_AFTER
        }
    )
    bounds = [0, *cuts, len(word)]
    return [word[a:b] for a, b in pairwise(bounds) if word[a:b]]


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most about ``width`` characters of room, broken at spaces or before a word
    that starts a Thai phrase; a syllable, with its vowels and tone marks, is never cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        for number, piece in enumerate(_pieces(word)):
            joined = piece if not line else line + ("" if number else " ") + piece
            if line and _width(joined) > width:
                lines.append(line)
                line = piece
            else:
                line = joined
    return [*lines, line] if line or not lines else lines


def render_calendar_page(page: CalendarPage) -> bytes:
    """The page as PNG bytes, exactly ``PAGE_PX``."""
    register_fonts()
    with DRAWING:
        figure = calendar_figure(page)
        buffer = io.BytesIO()
        FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def calendar_figure(page: CalendarPage) -> Figure:
    register_fonts()
    width, height = PAGE_PX
    with DRAWING:
        figure = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, facecolor="white")
        FigureCanvasAgg(figure)
        figure.text(0.03, 0.955, page.title, fontproperties=_font(17, bold=True), color=_TEXT)
        figure.text(0.03, 0.918, page.subtitle, fontproperties=_font(11), color=_MUTED)
        if page.footer:
            figure.text(0.03, 0.02, page.footer, fontproperties=_font(8.5), color=_MUTED)
        _table(figure, page)
    return figure


def _table(figure: Figure, page: CalendarPage) -> None:
    """The table, in the largest type (10.5 pt down to 6) with which the year fits the page."""
    for size in (10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0):
        drawn = _draw_table(figure, page, size)
        if drawn.fits or size == 6.0:
            return
        for artist in drawn.artists:
            artist.remove()


@dataclass
class _Drawn:
    fits: bool
    artists: list[Artist]


_LEFT, _RIGHT, _TOP, _BOTTOM = 0.03, 0.97, 0.88, 0.055
_FIRST = 0.36  # the report column's share of the width
_HEADER = 0.075
_PAD = 0.006  # above and below a row's text


def _draw_table(figure: Figure, page: CalendarPage, size: float) -> _Drawn:
    quarter_width = (_RIGHT - _LEFT - _FIRST) / 4
    artists: list[Artist] = []

    def text(x: float, y: float, words: str, **style: Any) -> Text:
        settings: dict[str, Any] = {"va": "top", "linespacing": 1.25, **style}
        made = figure.text(x, y, words, **settings)
        artists.append(made)
        return made

    top = _TOP - _HEADER
    artists.append(_cell(figure, _LEFT, top, _FIRST, _HEADER, _HEAD_FACE))
    text(
        _LEFT + 0.008,
        _TOP - _HEADER / 2,
        page.report_heading,
        va="center",
        fontproperties=_font(11, bold=True),
        color="white",
    )
    for index, heading in enumerate(page.quarters):
        x = _LEFT + _FIRST + index * quarter_width
        artists.append(_cell(figure, x, top, quarter_width, _HEADER, _QUARTER_FACES[index]))
        text(
            x + quarter_width / 2,
            _TOP - _HEADER / 2,
            heading,
            va="center",
            fontproperties=_font(10.5, bold=True),
            color="white" if index >= 2 else _TEXT,
            ha="center",
            multialignment="center",
        )
    if not page.rows:
        text(_LEFT + 0.008, top - 0.02, page.empty, fontproperties=_font(11), color=_MUTED)
        return _Drawn(True, artists)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    room = int(_FIRST * PAGE_PX[0] / (size * _DPI / 72 * 0.6))  # letters a title line holds

    def height(made: Text) -> float:
        return float(made.get_window_extent(renderer).height) / PAGE_PX[1]

    y = top
    for number, row in enumerate(page.rows):
        y -= _PAD
        title = text(
            _LEFT + 0.008,
            y,
            "\n".join(wrap(row.title, room)),
            fontproperties=_font(size, bold=True),
            color=_TEXT,
        )
        used = height(title)
        if row.owners:
            owners = text(
                _LEFT + 0.008,
                y - used - 0.003,
                "\n".join(wrap(row.owners, int(room * 1.1))),
                fontproperties=_font(size - 1),
                color=_MUTED,
            )
            used += height(owners) + 0.003
        for index, dates in enumerate(row.dates):
            shown = text(
                _LEFT + _FIRST + index * quarter_width + 0.008,
                y,
                "\n".join(dates) if dates else "–",
                fontproperties=_font(size),
                color=_TEXT if dates else _MUTED,
            )
            used = max(used, height(shown))
        bottom = y - used - _PAD
        if number % 2:
            band = _cell(figure, _LEFT, bottom, _RIGHT - _LEFT, y + _PAD - bottom, _BAND)
            band.set_zorder(-1)
            artists.append(band)
        rule = Rectangle(
            (_LEFT, bottom), _RIGHT - _LEFT, 0, transform=figure.transFigure, edgecolor=_RULE
        )
        rule.set_linewidth(0.6)
        figure.add_artist(rule)
        artists.append(rule)
        y = bottom
    return _Drawn(y >= _BOTTOM, artists)


def _cell(figure: Figure, x: float, y: float, width: float, height: float, face: str) -> Rectangle:
    cell = Rectangle(
        (x, y), width, height, transform=figure.transFigure, facecolor=face, edgecolor="none"
    )
    figure.add_artist(cell)
    return cell
