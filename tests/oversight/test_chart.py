"""The digest chart: a PNG of the asked size, Thai set in the bundled font, edge values drawn."""

from __future__ import annotations

import io
import logging
import math
import os
import struct
import subprocess
import sys
import warnings
import zlib
from pathlib import Path

import matplotlib
import pytest
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from PIL import Image

import bot
from bot.common.drawing import FONT_DIR, FONT_FAMILY, FONT_FILES, register_fonts
from bot.oversight.chart import (
    CHART_SIZE,
    ComplianceChart,
    compliance_figure,
    percent_label,
    render_compliance_chart,
    sample_chart,
    wrap_group_name,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QUARTERS = [f"ไตรมาสที่ {number}" for number in range(1, 5)]
GROUPS = ["กลุ่มนโยบายและแผน", "กลุ่มอำนวยการ", "กลุ่มบริหารงานบุคคล", "กลุ่มพัฒนาการศึกษา"]
# Every Thai letter, vowel, tone mark, sign and digit Unicode assigns (U+0E01..U+0E5B).
ALL_THAI = "".join(chr(code) for code in range(0x0E01, 0x0E5C) if code not in range(0x0E3B, 0x0E3F))


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks as (type, body), checking the signature and every CRC on the way."""
    assert data[:8] == PNG_SIGNATURE
    chunks: list[tuple[bytes, bytes]] = []
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1][0] == b"IEND"
    return chunks


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", _chunks(data)[0][1][:8])
    return width, height


def assert_valid_png(data: bytes, size: tuple[int, int]) -> None:
    assert png_size(data) == size
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        assert image.size == size
        image.load()  # decodes every pixel: the image data is complete


def _has_thai(text: str) -> bool:
    return any("\u0e01" <= char <= "\u0e5b" for char in text)


def _chart(
    rates: dict[tuple[str, str], float | None] | None = None,
    *,
    title: str = "อัตราการส่งรายงานตามกำหนด ปีงบประมาณ พ.ศ. 2568",
    groups: list[str] | None = None,
) -> ComplianceChart:
    return ComplianceChart(
        title=title,
        groups=groups or GROUPS,
        quarters=QUARTERS,
        rates=rates if rates is not None else {},
    )


def test_the_default_render_is_a_png_of_the_chart_size() -> None:
    data = render_compliance_chart(sample_chart())
    assert CHART_SIZE == (1200, 675)
    assert_valid_png(data, CHART_SIZE)


@pytest.mark.parametrize(
    "size", [(800, 600), (640, 360), (1080, 1080), (1333, 777), (2400, 1350), (401, 999)]
)
def test_another_size_gives_exactly_that_size(size: tuple[int, int]) -> None:
    data = render_compliance_chart(sample_chart(), width_px=size[0], height_px=size[1])
    assert_valid_png(data, size)


@pytest.mark.parametrize(
    ("width", "height", "error"),
    [(0, 675, ValueError), (1200, 10_000, ValueError), (1200.0, 675, TypeError)],
)
def test_an_impossible_size_is_refused(width: object, height: object, error: type) -> None:
    with pytest.raises(error):
        render_compliance_chart(sample_chart(), width_px=width, height_px=height)  # type: ignore[arg-type]


def test_thai_text_draws_with_no_missing_glyph(caplog: pytest.LogCaptureFixture) -> None:
    everything = _chart(
        {(group, quarter): 0.5 for group in GROUPS for quarter in QUARTERS[:3]},
        title=f"{ALL_THAI} ผู้ปู่ที่นี่ กำหนด ฤๅษี",
    )
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG):
        warnings.simplefilter("always")
        assert_valid_png(render_compliance_chart(everything), CHART_SIZE)
    messages = [str(warning.message) for warning in caught]
    assert not [message for message in messages if "missing from font" in message]
    assert not [message for message in messages if "findfont" in message]
    assert not [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING and record.name.startswith("matplotlib")
    ]


def test_the_bundled_font_covers_every_thai_character() -> None:
    for path in FONT_FILES:
        font = FT2Font(str(path))
        missing = [
            hex(ord(char))
            for char in ALL_THAI + "0123456789%."
            if not font.get_char_index(ord(char))
        ]
        assert not missing, f"{path.name} lacks {missing}"


def test_the_family_resolves_to_the_bundled_files_not_a_system_font() -> None:
    assert register_fonts() == FONT_FAMILY
    regular = fontManager.findfont(FontProperties(family=FONT_FAMILY), fallback_to_default=False)
    bold = fontManager.findfont(
        FontProperties(family=FONT_FAMILY, weight="bold"), fallback_to_default=False
    )
    assert Path(regular) == FONT_DIR / "Sarabun-Regular.ttf"
    assert Path(bold) == FONT_DIR / "Sarabun-Bold.ttf"


def test_the_font_ships_in_the_package_with_its_licence() -> None:
    assert Path(bot.__file__).parent / "fonts" == FONT_DIR  # bot/fonts, shared
    total = sum(path.stat().st_size for path in FONT_FILES)
    assert total < 1_000_000
    licence = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "The Sarabun Project Authors" in licence


def test_registering_twice_adds_the_font_once() -> None:
    register_fonts()
    before = len(fontManager.ttflist)
    register_fonts()
    assert len(fontManager.ttflist) == before


def test_thai_needs_matplotlib_text_shaping() -> None:
    """Tone marks over upper vowels (ที่) only stack right with libraqm: matplotlib >= 3.11."""
    major, minor = (int(part) for part in matplotlib.__version__.split(".")[:2])
    assert (major, minor) >= (3, 11)


def test_no_report_zero_and_full_rates_render() -> None:
    rates: dict[tuple[str, str], float | None] = {
        (GROUPS[0], QUARTERS[0]): 0.0,
        (GROUPS[0], QUARTERS[1]): 1.0,
        (GROUPS[0], QUARTERS[2]): None,
        (GROUPS[1], QUARTERS[0]): 1.0,
        (GROUPS[1], QUARTERS[1]): 0.0,
        (GROUPS[2], QUARTERS[3]): 0.999,
        (GROUPS[3], QUARTERS[3]): 0.001,
    }
    assert_valid_png(render_compliance_chart(_chart(rates)), CHART_SIZE)


def test_a_chart_with_nothing_due_at_all_renders() -> None:
    assert_valid_png(render_compliance_chart(_chart({})), CHART_SIZE)


def test_one_group_one_quarter_renders() -> None:
    single = ComplianceChart(
        title="ทดสอบ", groups=["กลุ่มอำนวยการ"], quarters=["ไตรมาสที่ 1"], rates={}
    )
    assert_valid_png(render_compliance_chart(single, width_px=600, height_px=400), (600, 400))


def test_the_values_and_the_no_report_marker_are_written_on_the_chart() -> None:
    chart = sample_chart()
    texts = [text.get_text() for text in compliance_figure(chart).findobj(Text)]
    assert "100%" in texts
    assert "88%" in texts  # 0.875, rounded half up
    assert "ไม่มี\nรายงาน" in texts
    assert "ไม่มีรายงาน" in texts  # the legend entry
    assert chart.title in texts
    assert chart.y_label in texts
    assert all(quarter in texts for quarter in chart.quarters)


def test_no_thai_text_is_rotated_and_crowded_group_names_do_not_touch() -> None:
    """Rotated text loses its Thai mark positions in matplotlib 3.11, so nothing is rotated."""
    groups = [
        "กลุ่มนโยบายและแผน",
        "กลุ่มอำนวยการ",
        "กลุ่มบริหารงานบุคคล",
        "กลุ่มพัฒนาการศึกษา",
        "กลุ่มส่งเสริมการจัดการศึกษา",
        "หน่วยตรวจสอบภายใน",
        "กลุ่มนิเทศ ติดตามและประเมินผล",
        "กลุ่มกฎหมายและคดี",
    ]
    crowded = _chart(
        {(group, quarter): 0.5 for group in groups for quarter in QUARTERS[1:]}, groups=groups
    )
    figure = compliance_figure(crowded)
    figure.draw_without_rendering()
    thai = [text for text in figure.findobj(Text) if _has_thai(text.get_text())]
    assert len(thai) > len(groups)
    assert all(text.get_rotation() == 0 for text in thai)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = [label for label in figure.axes[0].get_xticklabels() if label.get_text()]
    assert {label.get_text().replace("\n", "") for label in labels} == {
        group.replace(" ", "") for group in groups
    }
    boxes = [label.get_window_extent(renderer) for label in labels]
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            assert not first.overlaps(second)
    for box in boxes:
        assert box.x0 >= 0
        assert box.x1 <= figure.bbox.width


def test_rendering_is_deterministic_and_names_no_software() -> None:
    first = render_compliance_chart(sample_chart())
    assert first == render_compliance_chart(sample_chart())
    text_chunks = [body for kind, body in _chunks(first) if kind in {b"tEXt", b"iTXt", b"zTXt"}]
    assert not [body for body in text_chunks if body.startswith(b"Software")]


@pytest.mark.parametrize(
    ("name", "wrapped"),
    [
        ("กลุ่มอำนวยการ", "กลุ่มอำนวยการ"),
        ("กลุ่มนิเทศ ติดตามและประเมินผล", "กลุ่มนิเทศ\nติดตามและประเมินผล"),
        ("กลุ่มพัฒนาครูและบุคลากรทางการศึกษา", "กลุ่มพัฒนาครู\nและบุคลากรทางการศึกษา"),
        ("และ", "และ"),
    ],
)
def test_group_names_break_only_where_thai_allows(name: str, wrapped: str) -> None:
    assert wrap_group_name(name) == wrapped


@pytest.mark.parametrize(
    ("rate", "label"),
    [
        (0.0, "0%"),
        (0.001, "1%"),
        (0.004, "1%"),
        (0.5, "50%"),
        (0.875, "88%"),
        (0.994, "99%"),
        (0.999, "99%"),
        (1.0, "100%"),
    ],
)
def test_percent_labels(rate: float, label: str) -> None:
    assert percent_label(rate) == label


@pytest.mark.parametrize(
    "change",
    [
        {"rates": {(GROUPS[0], QUARTERS[0]): 1.2}},
        {"rates": {(GROUPS[0], QUARTERS[0]): -0.1}},
        {"rates": {(GROUPS[0], QUARTERS[0]): math.nan}},
        {"rates": {("กลุ่มที่ไม่มีอยู่", QUARTERS[0]): 0.5}},
        {"rates": {(GROUPS[0], "ไตรมาสที่ 9"): 0.5}},
        {"groups": []},
        {"quarters": []},
        {"groups": [GROUPS[0], GROUPS[0]]},
    ],
)
def test_bad_chart_data_is_refused(change: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "title": "ทดสอบ",
        "groups": GROUPS,
        "quarters": QUARTERS,
        "rates": {},
    }
    fields.update(change)
    with pytest.raises(ValueError):
        ComplianceChart(**fields)  # type: ignore[arg-type]


def test_a_fresh_process_with_an_empty_font_cache_renders_without_pyplot(tmp_path: Path) -> None:
    """As on a new machine after ``pip install``: no matplotlib font cache, no system Thai font."""
    script = (
        "import sys, warnings, logging\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "warnings.simplefilter('error')\n"
        "from bot.oversight.chart import render_compliance_chart, sample_chart\n"
        "data = render_compliance_chart(sample_chart())\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "sys.stdout.buffer.write(data)\n"
    )
    root = Path(bot.__file__).resolve().parents[1]  # the checkout
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path), "MPLBACKEND": ""}
    env.pop("MPLBACKEND")
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    stderr = result.stderr.decode(errors="replace")
    assert "missing from font" not in stderr
    assert "findfont" not in stderr
    assert_valid_png(result.stdout, CHART_SIZE)
