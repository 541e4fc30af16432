"""The director's digest chart: on-time reporting rate by work group and fiscal quarter, as PNG.

Pure rendering: the caller passes the numbers, this module returns PNG bytes. It uses
matplotlib's object API with the Agg canvas only (never pyplot, never the global rcParams), so
it is safe in the long-running bot process.

Thai text is set in Sarabun (SIL Open Font License 1.1, ``bot/fonts/OFL.txt``), which ships
inside the package, so no system font is needed. Thai vowels and tone marks stack correctly
with matplotlib >= 3.11, which shapes text with libraqm. All Thai text here is horizontal on
purpose: matplotlib 3.11 misplaces the shaped marks of rotated text (the mark offsets are not
rotated with the line), so the y-axis title sits above the axis, and crowded group names are
shrunk, broken at word boundaries and staggered over two rows instead of slanted.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, FuncFormatter

from bot.common.drawing import DRAWING, FONT_FAMILY, register_fonts
from bot.common.i18n import N_, translator

CHART_SIZE: Final = (1200, 675)


# the chart's words: message ids, drawn in Thai for every reader (the digest sends one chart)
CHART_LANGUAGE: Final = "th"
NO_REPORT_LABEL: Final = N_("no report")
_NO_REPORT_BAR_LABEL: Final = N_("no\nreport")  # two short lines fit over a narrow bar
Y_LABEL: Final = N_("percent sent on time")

_BASE_DPI: Final = 150.0  # the dpi at CHART_SIZE; other sizes scale it, keeping proportions
_MIN_SIDE_PX: Final = 200
_MAX_SIDE_PX: Final = 6000

# The quarters are ordered, so a sequential palette: later quarters are darker.
_QUARTER_COLOURS: Final = ("#a6cee3", "#5fa2ce", "#2b6fa8", "#0b3d6b")
_EXTRA_COLOURS: Final = ("#8cc084", "#3d8b3d", "#d9b44a", "#a15c1c")
_TEXT_COLOUR: Final = "#1f2933"
_MUTED_TEXT_COLOUR: Final = "#52606d"
_GRID_COLOUR: Final = "#d9dee3"
_AXIS_COLOUR: Final = "#9aa5b1"
_NONE_FACE: Final = "#f4f5f7"
_X_LABEL_PAD: Final = 6.0  # points between the axis and the group names
_NONE_STUB: Final = 3.0  # height, in percent, of the hatched stub drawn where nothing was due


@dataclass(frozen=True)
class ComplianceChart:
    """What the chart shows.

    ``rates`` maps (group, quarter) to the share of reports sent on time, 0.0 to 1.0, or to
    ``None`` when nothing was due; a pair missing from ``rates`` counts as ``None``.
    """

    title: str
    groups: list[str]
    quarters: list[str]
    rates: dict[tuple[str, str], float | None] = field(default_factory=dict)
    y_label: str = field(default_factory=lambda: translator(CHART_LANGUAGE)(Y_LABEL))

    def __post_init__(self) -> None:
        if not self.groups:
            raise ValueError("a compliance chart needs at least one group")
        if not self.quarters:
            raise ValueError("a compliance chart needs at least one quarter")
        for kind, names in (("group", self.groups), ("quarter", self.quarters)):
            if len(set(names)) != len(names):
                raise ValueError(f"duplicate {kind} names: {names}")
        groups, quarters = set(self.groups), set(self.quarters)
        for (group, quarter), rate in self.rates.items():
            if group not in groups or quarter not in quarters:
                raise ValueError(f"a rate for an unknown group or quarter: {(group, quarter)}")
            if rate is not None and not (math.isfinite(rate) and 0.0 <= rate <= 1.0):
                raise ValueError(f"the rate for {(group, quarter)} is not in 0..1: {rate!r}")

    def rate(self, group: str, quarter: str) -> float | None:
        return self.rates.get((group, quarter))


def percent_label(rate: float) -> str:
    """0.875 → "88%"; never "100%" for less than all, nor "0%" for more than none."""
    shown = math.floor(rate * 100.0 + 0.5)
    if shown >= 100 and rate < 1.0:
        shown = 99
    elif shown <= 0 and rate > 0.0:
        shown = 1
    return f"{shown}%"


def render_compliance_chart(
    chart: ComplianceChart, *, width_px: int = CHART_SIZE[0], height_px: int = CHART_SIZE[1]
) -> bytes:
    """Draw ``chart`` as a grouped bar chart; return a PNG of exactly width × height pixels."""
    with DRAWING:
        figure = compliance_figure(chart, width_px=width_px, height_px=height_px)
        buffer = io.BytesIO()
        FigureCanvasAgg(figure).print_png(buffer, metadata={"Software": None})
    return buffer.getvalue()


def compliance_figure(
    chart: ComplianceChart, *, width_px: int = CHART_SIZE[0], height_px: int = CHART_SIZE[1]
) -> Figure:
    """The laid-out figure behind :func:`render_compliance_chart`, on an Agg canvas."""
    for name, value in (("width_px", width_px), ("height_px", height_px)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {value!r}")
        if not _MIN_SIDE_PX <= value <= _MAX_SIDE_PX:
            raise ValueError(f"{name} must be in {_MIN_SIDE_PX}..{_MAX_SIDE_PX}: {value}")
    register_fonts()
    with DRAWING:
        parts = _build_figure(chart, width_px, height_px)
        FigureCanvasAgg(parts.figure)
        _fit_bar_labels(parts)
        _fit_group_labels(parts.figure, parts.axes, chart.groups)
    return parts.figure


def _font(size: float, *, bold: bool = False) -> FontProperties:
    return FontProperties(family=FONT_FAMILY, size=size, weight="bold" if bold else "normal")


def _colours(count: int) -> list[str]:
    palette = _QUARTER_COLOURS + _EXTRA_COLOURS
    return [palette[index % len(palette)] for index in range(count)]


@dataclass
class _Parts:
    figure: Figure
    axes: Axes
    bar_width: float  # in data units: one group's slot is 1.0
    value_labels: list[Text] = field(default_factory=list)
    nothing_due_labels: list[Text] = field(default_factory=list)


def _build_figure(chart: ComplianceChart, width_px: int, height_px: int) -> _Parts:
    dpi = _BASE_DPI * min(width_px / CHART_SIZE[0], height_px / CHART_SIZE[1])
    figure = Figure(
        figsize=(width_px / dpi, height_px / dpi),
        dpi=dpi,
        facecolor="white",
        layout=ConstrainedLayoutEngine(w_pad=14 / 72, h_pad=6 / 72),  # pads in inches
    )
    axes = figure.add_subplot()
    axes.set_facecolor("white")

    n_quarters = len(chart.quarters)
    bar_width = 0.82 / n_quarters  # the bars take 82% of each group's slot
    value_size = 8.5 if n_quarters <= 4 else 7.5
    colours = _colours(n_quarters)
    parts = _Parts(figure, axes, bar_width)
    for q_index, (quarter, colour) in enumerate(zip(chart.quarters, colours, strict=True)):
        offset = (q_index - (n_quarters - 1) / 2) * bar_width
        for g_index, group in enumerate(chart.groups):
            x = g_index + offset
            rate = chart.rate(group, quarter)
            if rate is None:
                parts.nothing_due_labels.append(_draw_nothing_due(axes, x, bar_width, value_size))
            else:
                parts.value_labels.append(_draw_rate(axes, x, bar_width, rate, colour, value_size))

    _style_axes(axes, chart)
    _add_legend(figure, chart.quarters, colours, bool(parts.nothing_due_labels))
    figure.suptitle(chart.title, fontproperties=_font(15, bold=True), color=_TEXT_COLOUR)
    return parts


def _draw_rate(
    axes: Axes, x: float, bar_width: float, rate: float, colour: str, size: float
) -> Text:
    height = rate * 100.0
    axes.bar(x, height, width=bar_width * 0.92, color=colour, linewidth=0, zorder=3)
    return axes.annotate(
        percent_label(rate),
        xy=(x, height),
        xytext=(0, 2.5),
        textcoords="offset points",
        ha="center",
        va="bottom",
        color=_TEXT_COLOUR,
        fontproperties=_font(size),
        zorder=4,
    )


def _draw_nothing_due(axes: Axes, x: float, bar_width: float, size: float) -> Text:
    """A low hatched stub, which cannot be mistaken for a value, and the words over it."""
    axes.bar(
        x,
        _NONE_STUB,
        width=bar_width * 0.92,
        color=_NONE_FACE,
        edgecolor=_AXIS_COLOUR,
        hatch="////",
        linewidth=0.6,
        zorder=3,
    )
    return axes.annotate(
        translator(CHART_LANGUAGE)(_NO_REPORT_BAR_LABEL),
        xy=(x, _NONE_STUB),
        xytext=(0, 2.5),
        textcoords="offset points",
        ha="center",
        va="bottom",
        multialignment="center",
        linespacing=1.1,
        color=_MUTED_TEXT_COLOUR,
        fontproperties=_font(size - 0.5),
        zorder=4,
    )


def _style_axes(axes: Axes, chart: ComplianceChart) -> None:
    axes.set_xlim(-0.5, len(chart.groups) - 0.5)
    axes.set_ylim(0, 108)
    axes.yaxis.set_major_locator(FixedLocator([0, 20, 40, 60, 80, 100]))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}%"))
    axes.set_xticks(range(len(chart.groups)), chart.groups)
    axes.tick_params(
        axis="x",
        labelfontfamily=FONT_FAMILY,
        labelsize=10.5,
        labelcolor=_TEXT_COLOUR,
        length=0,
        pad=_X_LABEL_PAD,
    )
    axes.tick_params(
        axis="y", labelfontfamily=FONT_FAMILY, labelsize=9.5, labelcolor=_TEXT_COLOUR, length=0
    )
    # The axis title stays horizontal, above the axis, so its Thai marks are placed right.
    axes.set_title(
        chart.y_label,
        loc="left",
        fontproperties=_font(10),
        color=_MUTED_TEXT_COLOUR,
        pad=6,
    )
    axes.grid(axis="y", color=_GRID_COLOUR, linewidth=0.8, zorder=0)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(_AXIS_COLOUR)


def _add_legend(
    figure: Figure, quarters: Sequence[str], colours: Sequence[str], nothing_due: bool
) -> None:
    handles = [
        Patch(facecolor=colour, label=quarter)
        for quarter, colour in zip(quarters, colours, strict=True)
    ]
    if nothing_due:
        handles.append(
            Patch(
                facecolor=_NONE_FACE,
                edgecolor=_AXIS_COLOUR,
                hatch="////",
                linewidth=0.6,
                label=translator(CHART_LANGUAGE)(NO_REPORT_LABEL),
            )
        )
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 6),
        frameon=False,
        prop=_font(10),
        handlelength=1.4,
        handleheight=1.0,
        columnspacing=1.8,
        labelcolor=_TEXT_COLOUR,
    )


def _fit_bar_labels(parts: _Parts) -> None:
    """Where the bars are too narrow for their labels: turn the percentages (digits only, so
    rotating them is safe) upright, and shorten the no-report words to a dash."""
    figure, axes = parts.figure, parts.axes
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    left, _ = axes.transData.transform((0.0, 0.0))
    right, _ = axes.transData.transform((parts.bar_width, 0.0))
    pitch = right - left  # pixels from one bar's centre to the next
    if any(label.get_window_extent(renderer).width > pitch for label in parts.value_labels):
        for label in parts.value_labels:
            label.set_rotation(90)
        axes.set_ylim(0, 118)
    if any(
        label.get_window_extent(renderer).width > pitch * 1.1 for label in parts.nothing_due_labels
    ):
        for label in parts.nothing_due_labels:
            label.set_text("–")


def wrap_group_name(name: str) -> str:
    """Break a long group name into lines where Thai allows it without a dictionary: at its
    spaces, or else before its first "และ" ("and", which always starts a word)."""
    if " " in name.strip():
        return "\n".join(name.split())
    head, joint, tail = name.partition("และ")
    return f"{head}\n{joint}{tail}" if head and tail else name


def _fit_group_labels(figure: Figure, axes: Axes, groups: Sequence[str]) -> None:
    """Keep the group names horizontal: shrink them, break them at their spaces, then stagger
    them, until none touch (names too long for even that should be shortened by the caller)."""
    ticks = axes.xaxis.get_major_ticks()[: len(groups)]
    steps = ((10.5, False, False), (9.5, False, False), (9.5, True, False), (9.5, True, True))
    for size, wrapped, staggered in (*steps, (8.5, True, True)):
        axes.tick_params(axis="x", labelsize=size)
        if wrapped:
            axes.set_xticks(range(len(groups)), [wrap_group_name(name) for name in groups])
        line = 0.0
        if staggered:  # every other name lower by the tallest name's height
            renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
            tallest = max(tick.label1.get_window_extent(renderer).height for tick in ticks)
            line = tallest * 72 / figure.dpi + 1.0  # pixels → points, plus a little air
        for index, tick in enumerate(ticks):
            tick.set_pad(_X_LABEL_PAD + (line if index % 2 else 0.0))
        figure.draw_without_rendering()
        if not _labels_touch(figure, axes.get_xticklabels()):
            return


def _labels_touch(figure: Figure, labels: Sequence[Text]) -> bool:
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [label.get_window_extent(renderer) for label in labels if label.get_text()]
    gap = 0.08 * figure.dpi
    return any(
        a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 and b.y0 < a.y1
        for index, a in enumerate(boxes)
        for b in boxes[index + 1 :]
    )


def sample_chart() -> ComplianceChart:
    """Realistic numbers, for the README image and for trying the chart out: the example
    config's groups, and the digest's words."""
    _ = translator(CHART_LANGUAGE)
    groups = ["กลุ่มนโยบายและแผน", "กลุ่มอำนวยการ", "กลุ่มบริหารงานบุคคล", "กลุ่มพัฒนาการศึกษา"]
    quarters = [_("Q{quarter}").format(quarter=number) for number in range(1, 5)]
    table: dict[str, tuple[float | None, ...]] = {
        groups[0]: (0.92, 1.0, 0.875, 0.95),
        groups[1]: (0.78, 0.85, 0.9, 0.83),
        groups[2]: (0.64, 0.71, None, 0.8),
        groups[3]: (0.55, 0.6, 0.69, 0.75),
    }
    return ComplianceChart(
        title=_("On-time reporting rate, fiscal year {fiscal_year}").format(fiscal_year=2568),
        groups=groups,
        quarters=quarters,
        rates={
            (group, quarter): rate
            for group, row in table.items()
            for quarter, rate in zip(quarters, row, strict=True)
        },
    )
