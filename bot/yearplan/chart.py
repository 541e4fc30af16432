"""The year's reporting calendar on one printable page (A4 landscape PNG): a row per report, a
column per quarter of the fiscal year, the due dates in each cell.

The digest chart's stack (``bot/oversight/chart.py``): matplotlib's object API on an Agg
canvas (never pyplot, never the global rcParams), the bundled Sarabun font (SIL OFL 1.1,
``bot/fonts/``) registered once, Thai shaped by libraqm (matplotlib >= 3.11), every text
horizontal. Pure: the caller passes the words, this returns PNG bytes.
"""

from __future__ import annotations

import io
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.patches import Rectangle

PAGE_PX: Final = (1754, 1240)  # A4 landscape at 150 dpi
_DPI: Final = 150.0
FONT_DIR: Final = Path(__file__).parents[1] / "fonts"
FONT_FAMILY: Final = "Sarabun"
FONT_FILES: Final = (FONT_DIR / "Sarabun-Regular.ttf", FONT_DIR / "Sarabun-Bold.ttf")

_TEXT: Final = "#1f2933"
_MUTED: Final = "#52606d"
_RULE: Final = "#9aa5b1"
_HEAD_FACE: Final = "#0b3d6b"
_BAND: Final = "#eef3f8"
_QUARTER_FACES: Final = ("#a6cee3", "#5fa2ce", "#2b6fa8", "#0b3d6b")

_lock = threading.RLock()  # matplotlib's font caches are shared: one page at a time
_registered = False


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


def register_fonts() -> str:
    global _registered
    with _lock:
        if not _registered:
            for path in FONT_FILES:
                fontManager.addfont(path)
            _registered = True
    return FONT_FAMILY


def _font(size: float, *, bold: bool = False) -> FontProperties:
    return FontProperties(family=FONT_FAMILY, size=size, weight="bold" if bold else "normal")


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most about ``width`` characters, broken at spaces only (a Thai word, with
    its vowels and tone marks, is never cut)."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def render_calendar_page(page: CalendarPage) -> bytes:
    """The page as PNG bytes, exactly ``PAGE_PX``."""
    register_fonts()
    with _lock:
        figure = calendar_figure(page)
        buffer = io.BytesIO()
        FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def calendar_figure(page: CalendarPage) -> Figure:
    register_fonts()
    width, height = PAGE_PX
    figure = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.text(0.03, 0.955, page.title, fontproperties=_font(17, bold=True), color=_TEXT)
    figure.text(0.03, 0.918, page.subtitle, fontproperties=_font(11), color=_MUTED)
    if page.footer:
        figure.text(0.03, 0.02, page.footer, fontproperties=_font(8.5), color=_MUTED)
    _table(figure, page)
    return figure


def _table(figure: Figure, page: CalendarPage) -> None:
    left, right, top, bottom = 0.03, 0.97, 0.88, 0.06
    first = 0.34  # the report column's share of the width
    quarter_width = (right - left - first) / 4
    header = 0.05
    lines = [_row_lines(row) for row in page.rows]
    total = sum(count for count, _ in lines) or 1
    size = min(10.5, max(6.0, 10.5 * 34 / total))  # shrink the type when the year is full
    line = size / 72 * _DPI * 1.45 / PAGE_PX[1]  # one line's height, in figure fraction
    _cell(figure, left, top - header, first, header, _HEAD_FACE)
    figure.text(
        left + 0.008,
        top - header / 2,
        page.report_heading,
        fontproperties=_font(11, bold=True),
        color="white",
        va="center",
    )
    for index, heading in enumerate(page.quarters):
        x = left + first + index * quarter_width
        _cell(figure, x, top - header, quarter_width, header, _QUARTER_FACES[index])
        figure.text(
            x + quarter_width / 2,
            top - header / 2,
            heading,
            fontproperties=_font(10.5, bold=True),
            color="white" if index >= 2 else _TEXT,
            ha="center",
            va="center",
            multialignment="center",
            linespacing=1.15,
        )
    y = top - header
    if not page.rows:
        figure.text(left + 0.008, y - 0.04, page.empty, fontproperties=_font(11), color=_MUTED)
        return
    for number, (row, (count, title_lines)) in enumerate(zip(page.rows, lines, strict=True)):
        row_height = min(count * line + 0.012, y - bottom)
        y -= row_height
        if number % 2:
            _cell(figure, left, y, right - left, row_height, _BAND)
        figure.add_artist(
            Rectangle((left, y), right - left, 0, transform=figure.transFigure, color=_RULE, lw=0.6)
        )
        text_top = y + row_height - 0.006
        figure.text(
            left + 0.008,
            text_top,
            "\n".join(title_lines),
            fontproperties=_font(size, bold=True),
            color=_TEXT,
            va="top",
            linespacing=1.3,
        )
        if row.owners:
            owner_lines = _wrap(row.owners, 58)
            figure.text(
                left + 0.008,
                text_top - len(title_lines) * line,
                "\n".join(owner_lines),
                fontproperties=_font(size - 1),
                color=_MUTED,
                va="top",
                linespacing=1.3,
            )
        for index, dates in enumerate(row.dates):
            figure.text(
                left + first + index * quarter_width + 0.008,
                text_top,
                "\n".join(dates) if dates else "–",
                fontproperties=_font(size),
                color=_TEXT if dates else _MUTED,
                va="top",
                linespacing=1.3,
            )
        if y <= bottom:
            break


def _row_lines(row: Row) -> tuple[int, list[str]]:
    title_lines = _wrap(row.title, 52)
    owners = len(_wrap(row.owners, 58)) if row.owners else 0
    return max(len(title_lines) + owners, *(len(dates) for dates in row.dates), 1), title_lines


def _cell(figure: Figure, x: float, y: float, width: float, height: float, face: str) -> None:
    figure.add_artist(
        Rectangle(
            (x, y), width, height, transform=figure.transFigure, facecolor=face, edgecolor="none"
        )
    )
