"""The memo to the director as a Word file (issue 15): the standard form of งานสารบรรณ from the
bot's template or the office's own, opened again with python-docx and read as the director
would — number, Thai date (Arabic or Thai digits), เรื่อง before เรียน, who is missing with
their group, position and follow-up days, the measure, the closing formula, the order box."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from pydantic import ValidationError

from bot.duties import make_memo_template
from bot.duties.memo import (
    DEFAULT_TEMPLATE,
    MemoData,
    MemoFacts,
    MemoOrder,
    MemoTemplateError,
    MissingFacts,
    check_template,
    render_memo,
    write_memo,
    write_order,
)
from jobs.calendar import OfficeCalendar
from jobs.duties.settings import MemoSettings
from jobs.settings import Settings
from jobs.tick import Planner
from storage import memos
from storage.db import Database
from storage.memos import NewMemoLine
from storage.models import MemoDocumentKind, Role
from tests.duties.test_tick import SOMCHAI, bkk, join, only, q1_assignment
from tests.support import ROOT
from tests.test_i18n import _THAI, _string_literals

ARABIC = MemoSettings(prefix="ศธ 0262/", thai_digits=False)
THAI = MemoSettings(prefix="ศธ 0262/", thai_digits=True)
TITLE = "รายงานผลการดำเนินงานโครงการ และผลการเบิกจ่ายงบประมาณ (แบบ สงป.301/302) รายไตรมาส"


def _facts(number: int = 12) -> MemoFacts:
    return MemoFacts(
        number=number,
        dated=date(2026, 1, 14),
        title=TITLE,
        period="ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2569",
        measure="1.1",
        due=date(2026, 1, 10),
        missing=[
            MissingFacts(
                "นายสมชาย ใจดี",
                "กลุ่มอำนวยการ",
                "นักจัดการงานทั่วไปชำนาญการ",
                date(2026, 1, 10),
                [date(2026, 1, 12), date(2026, 1, 13)],
            ),
            MissingFacts(
                "นางมาลี ศรีสุข",
                "กลุ่มส่งเสริมการศึกษาทางไกลฯ",
                "",
                date(2026, 1, 10),
                [date(2026, 1, 13)],
            ),
        ],
        office="สำนักงานศึกษาธิการจังหวัดพิจิตร",
        group="กลุ่มนโยบายและแผน",
        director_title="ศึกษาธิการจังหวัด",
        signer_name="วิภา ประสานงาน",
    )


def _order(settings: MemoSettings = ARABIC) -> MemoOrder:
    return write_order(
        kind="ให้ผู้รับผิดชอบจัดส่งรายงานโดยด่วน",
        text="ให้กลุ่มบริหารงานบุคคลนำไปประกอบการพิจารณาเลื่อนเงินเดือน & <ติดตามผล>\nรายงานให้ทราบ",
        new_due=date(2026, 1, 20),
        director="นายวิชัย รักดี",
        title="ศึกษาธิการจังหวัดพิจิตร",
        ordered_on=date(2026, 1, 15),
        settings=settings,
    )


def _open(file: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(file))


def _lines(document: docx.document.Document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs if paragraph.text.strip()]


def _box(document: docx.document.Document) -> str:
    (table,) = document.tables
    return str(table.cell(0, 0).text)


def _index(lines: list[str], start: str) -> int:
    return next(number for number, line in enumerate(lines) if line.startswith(start))


def test_the_memo_writes_its_number_date_subject_then_salutation_and_everyone_missing() -> None:
    memo = _open(
        render_memo(
            write_memo(_facts(), ARABIC.model_copy(update={"director_title": "ศึกษาธิการจังหวัดพิจิตร"}))
        )
    )
    lines = _lines(memo)
    assert lines[0].strip() == "บันทึกข้อความ"
    assert lines[1] == "ส่วนราชการ  กลุ่มนโยบายและแผน สำนักงานศึกษาธิการจังหวัดพิจิตร"
    assert lines[2] == "ที่  ศธ 0262/12\tวันที่  14 มกราคม 2569"
    assert lines[3] == f"เรื่อง\tขอรายงานผู้ยังไม่ส่ง{TITLE} ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2569"
    assert lines[4] == "เรียน  ศึกษาธิการจังหวัดพิจิตร"  # [memo] director_title before [director]
    assert _index(lines, "เรื่อง") < _index(lines, "เรียน")
    assert lines[5].startswith("ตามที่กลุ่มนโยบายและแผนได้แจ้งให้ผู้รับผิดชอบจัดส่งรายงานผล")
    assert lines[5].endswith("ภายในวันที่ 10 มกราคม 2569 นั้น")
    assert "จำนวน 2 ราย ดังนี้" in lines[6]
    assert lines[7] == (
        "1. นายสมชาย ใจดี ตำแหน่งนักจัดการงานทั่วไปชำนาญการ กลุ่มอำนวยการ กำหนดส่ง 10 มกราคม 2569 "
        "ติดตามแล้วเมื่อวันที่ 12 มกราคม 2569 และ 13 มกราคม 2569"
    )
    assert lines[8] == (
        "2. นางมาลี ศรีสุข กลุ่มส่งเสริมการศึกษาทางไกลฯ กำหนดส่ง 10 มกราคม 2569 "
        "ติดตามแล้วเมื่อวันที่ 13 มกราคม 2569"
    )
    assert "มาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ข้อ 1.1 กำหนดให้" in lines[9]
    assert lines[10] == "จึงเรียนมาเพื่อโปรดพิจารณาสั่งการ"
    assert lines[11:13] == ["(วิภา ประสานงาน)", "ผู้ประสานงานติดตามการรายงาน"]
    box = _box(memo)
    assert box.startswith("ความเห็น/ข้อสั่งการของศึกษาธิการจังหวัดพิจิตร\n")
    assert "นายวิชัย" not in box and "....." in box  # lines to write the order on


def test_thai_digits_throughout_when_the_office_chooses_them() -> None:
    memo = _open(render_memo(write_memo(_facts(), THAI)))
    text = "\n".join(_lines(memo))
    assert "ที่  ศธ ๐๒๖๒/๑๒\tวันที่  ๑๔ มกราคม ๒๕๖๙" in text
    assert "(แบบ สงป.๓๐๑/๓๐๒)" in text
    assert "ติดตามแล้วเมื่อวันที่ ๑๒ มกราคม ๒๕๖๙ และ ๑๓ มกราคม ๒๕๖๙" in text
    assert "ข้อ ๑.๑ กำหนดให้" in text
    assert "เรียน  ศึกษาธิการจังหวัด\n" in text  # the config's [director] title, given
    assert not re.search("[0-9]", text + _box(memo))


def test_the_page_is_the_standard_form_in_th_sarabun_new() -> None:
    memo = _open(render_memo(write_memo(_facts(), THAI)))
    section = memo.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin, section.right_margin)
    assert [round(size.cm, 1) if size else None for size in sizes] == [21.0, 29.7, 3.0, 2.0]
    defaults = memo.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    fonts = defaults.find(f".//{qn('w:rFonts')}")
    assert (
        fonts is not None and fonts.get(qn("w:cs")) == fonts.get(qn("w:ascii")) == "TH Sarabun New"
    )
    assert defaults.find(f".//{qn('w:szCs')}").get(qn("w:val")) == "32"  # 16 pt, Thai too
    heading = next(run for run in memo.paragraphs[0].runs if run.text.strip())
    assert heading.bold and heading.font.size == Pt(29) and heading.font.cs_bold
    label = memo.paragraphs[2].runs[0]
    assert label.text == "ที่" and label.bold and label.font.size == Pt(20)
    value = memo.paragraphs[2].runs[1]
    assert not value.bold and value.font.size == Pt(16)
    body = next(p for p in memo.paragraphs if p.text.startswith("ตามที่"))
    assert round(body.paragraph_format.first_line_indent.cm, 2) == 2.5  # twips: 2.4994
    assert body.alignment == WD_ALIGN_PARAGRAPH.THAI_JUSTIFY
    (table,) = memo.tables
    assert table.style is not None and table.style.name == "Table Grid"  # the box has borders


def test_the_directors_order_is_written_into_the_box() -> None:
    data = write_memo(_facts(), ARABIC).with_order(_order())
    box = _box(_open(render_memo(data)))
    assert box.split("\n")[1:5] == [  # the director's line break kept
        "ให้ผู้รับผิดชอบจัดส่งรายงานโดยด่วน",
        "ให้กลุ่มบริหารงานบุคคลนำไปประกอบการพิจารณาเลื่อนเงินเดือน & <ติดตามผล>",
        "รายงานให้ทราบ",
        "ให้จัดส่งภายในวันที่ 20 มกราคม 2569",
    ]
    assert "(นายวิชัย รักดี)\nศึกษาธิการจังหวัดพิจิตร\n15 มกราคม 2569" in box
    assert "....." not in box


def test_the_words_kept_render_the_version_of_record_again() -> None:
    proposed = write_memo(_facts(), THAI)
    kept = json.loads(json.dumps(proposed.to_json(), ensure_ascii=False))  # as storage keeps it
    assert MemoData.from_json(kept) == proposed
    ordered = MemoData.from_json(kept).with_order(_order(THAI))
    assert MemoData.from_json(ordered.to_json()) == ordered
    assert "๒๐ มกราคม ๒๕๖๙" in _box(_open(render_memo(ordered)))


def _office_template(path: Path, *lines: str) -> Path:
    template = docx.Document()
    for line in lines:
        template.add_paragraph(line)
    template.save(str(path))
    return path


def test_an_office_writes_the_memo_from_its_own_template(tmp_path: Path) -> None:
    template = _office_template(
        tmp_path / "office.docx",
        "{{ emblem }}{{ labels.memorandum }} ({{ section }})",
        "ที่ {{ number }} ลงวันที่ {{ date }}",
        "{{ labels.subject }} {{ subject }}",
        "{% for p in missing %}{{ p.number }}) {{ p.name }} [{{ p.group }}] "
        "ติดตาม {{ p.followups | join(' / ') }}{% if not loop.last %}; {% endif %}{% endfor %}",
        "{% if order %}{{ order.kind }}{% else %}รอข้อสั่งการ{% endif %}",
        "{{ request }} — {{ signer.name }}",
    )
    lines = _lines(_open(render_memo(write_memo(_facts(7), THAI), template)))
    assert lines == [
        "บันทึกข้อความ (กลุ่มนโยบายและแผน สำนักงานศึกษาธิการจังหวัดพิจิตร)",
        "ที่ ศธ ๐๒๖๒/๗ ลงวันที่ ๑๔ มกราคม ๒๕๖๙",
        "เรื่อง ขอรายงานผู้ยังไม่ส่งรายงานผลการดำเนินงานโครงการ และผลการเบิกจ่ายงบประมาณ "
        "(แบบ สงป.๓๐๑/๓๐๒) รายไตรมาส ไตรมาสที่ ๑ ปีงบประมาณ พ.ศ. ๒๕๖๙",
        "๑) นายสมชาย ใจดี [กลุ่มอำนวยการ] ติดตาม ๑๒ มกราคม ๒๕๖๙ / ๑๓ มกราคม ๒๕๖๙; "
        "๒) นางมาลี ศรีสุข [กลุ่มส่งเสริมการศึกษาทางไกลฯ] ติดตาม ๑๓ มกราคม ๒๕๖๙",
        "รอข้อสั่งการ",
        "จึงเรียนมาเพื่อโปรดพิจารณาสั่งการ — วิภา ประสานงาน",
    ]
    check_template(template)


def _png(width: int = 14, height: int = 16) -> bytes:
    """A small red picture: the office's ครุฑ stands in."""
    rows = b"".join(b"\x00" + b"\xc0\x10\x10" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + (chunk(b"IEND", b""))
    )


def test_the_emblem_is_placed_at_the_top_one_and_a_half_centimetres_high(tmp_path: Path) -> None:
    emblem = tmp_path / "garuda.png"
    emblem.write_bytes(_png())
    memo = _open(render_memo(write_memo(_facts(), THAI), emblem=emblem))
    (shape,) = memo.inline_shapes
    assert round(shape.height.cm, 2) == 1.5
    assert memo.paragraphs[0]._p.xpath(".//w:drawing")  # on the heading's line
    settings = MemoSettings(emblem=emblem, template=None)
    assert settings.emblem == emblem


@pytest.mark.parametrize(
    ("lines", "content", "reason"),
    [
        ((), None, "does not exist."),
        ((), b"not a zip, only a name ending in .docx", "is not a Word document (.docx)"),
        (("ที่ {{ numbr }}",), None, "uses a name the bot does not provide ("),
        (("{% for p in missing %}{{ p.name }}",), None, "has a mistake in its"),
        (("{{ number | nosuchfilter }}",), None, "has a mistake in its"),
    ],
)
def test_a_missing_or_broken_template_is_refused_in_one_sentence(
    tmp_path: Path, lines: tuple[str, ...], content: bytes | None, reason: str
) -> None:
    path = tmp_path / "office.docx"
    if lines:
        _office_template(path, *lines)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(MemoTemplateError) as refused:
        render_memo(write_memo(_facts(), THAI), path)
    message = str(refused.value)
    assert message.startswith(f"The memo template {path} ") and reason in message
    assert message.endswith(".") and "\n" not in message
    with pytest.raises(MemoTemplateError):
        check_template(path)


def test_a_missing_emblem_is_refused_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(MemoTemplateError, match=r"The emblem image .*garuda\.png does not exist"):
        render_memo(write_memo(_facts(), THAI), emblem=tmp_path / "garuda.png")


def test_the_config_refuses_a_template_or_emblem_it_cannot_use(tmp_path: Path) -> None:
    assert MemoSettings().review == "coordinator" and MemoSettings().thai_digits
    with pytest.raises(ValidationError, match="no such file"):
        MemoSettings(template=tmp_path / "office.docx")
    with pytest.raises(ValidationError, match="not a Word file"):
        MemoSettings(template=tmp_path / "office.doc")
    with pytest.raises(ValidationError, match="not an image"):
        MemoSettings(emblem=tmp_path / "garuda.svg")
    with pytest.raises(ValidationError):
        MemoSettings(review="group_head")  # type: ignore[arg-type]


def test_the_memo_reads_in_english_for_an_english_reader() -> None:
    memo = _open(render_memo(write_memo(_facts(), ARABIC, "en")))
    lines = _lines(memo)
    assert lines[0].strip() == "Memorandum"
    assert lines[10] == "For your consideration and order."


@pytest.mark.parametrize("module", ["bot/duties/memo.py", "bot/duties/make_memo_template.py"])
def test_the_memo_takes_every_word_from_the_catalogs(module: str) -> None:
    literals = _string_literals(ROOT / module)
    assert literals
    assert [(line, text) for line, text in literals if _THAI.search(text)] == []


def test_the_committed_template_is_what_the_script_builds(tmp_path: Path) -> None:
    """``python -m bot.duties.make_memo_template`` rebuilds the committed file."""
    rebuilt = tmp_path / "memo_template.docx"
    assert make_memo_template.main(["--out", str(rebuilt)]) == 0
    for part in ("word/document.xml", "word/styles.xml"):
        assert _part(rebuilt, part) == _part(DEFAULT_TEMPLATE, part), part
    check_template(None)


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_sarabun_keeps_the_look_at_its_own_sizes(tmp_path: Path) -> None:
    """Where TH Sarabun New is missing, the bundled Sarabun at 11/16 of each size."""
    out = tmp_path / "sarabun.docx"
    make_memo_template.main(["--out", str(out), "--font", "Sarabun"])
    memo = _open(render_memo(write_memo(_facts(), THAI), out))
    heading = next(run for run in memo.paragraphs[0].runs if run.text.strip())
    assert heading.font.size == Pt(20) and memo.paragraphs[2].runs[1].font.size == Pt(11)


def test_a_memo_is_kept_in_the_database_and_its_ordered_version_beside_it(
    db: Database, settings: Settings
) -> None:
    """The next step's path: number in storage, render, keep; the order from the kept words."""
    plan = only(settings, "quarterly-progress", each_member_of=["admin"])

    join(db, SOMCHAI, "สมชาย ใจดี", "admin", Role.STAFF)
    Planner(plan, OfficeCalendar.from_office(plan.office)).materialise(db, bkk(1, 2))
    owed = q1_assignment(db, SOMCHAI)
    with db.transaction() as session:
        created = memos.create_memo(
            session,
            fiscal_year=2568,
            period_id=owed.period_id,
            obligation_id=1,
            dated=date(2025, 1, 14),
            lines=[
                NewMemoLine(owed.id or 0, "นายสมชาย ใจดี", "กลุ่มอำนวยการ", "", bkk(1, 10, 16, 30), [])
            ],
            review="coordinator",
            now=bkk(1, 14),
        )
        data = write_memo(MemoFacts(**{**_facts().__dict__, "number": created.memo.number}), THAI)
        assert created.memo.id is not None
        memo_id = created.memo.id
        memos.store_document(
            session,
            memo_id,
            MemoDocumentKind.MEMO,
            render_memo(data),
            content=data.to_json(),
            now=bkk(1, 14),
        )
    with db.transaction() as session:
        kept = memos.document(session, memo_id, MemoDocumentKind.MEMO)
        assert kept is not None
        ordered = MemoData.from_json(kept.content).with_order(_order(THAI))
        memos.store_document(
            session,
            memo_id,
            MemoDocumentKind.ORDERED,
            render_memo(ordered),
            content=ordered.to_json(),
            now=bkk(1, 15),
        )
    with db.transaction() as session:
        record = memos.document(session, memo_id, MemoDocumentKind.ORDERED)
    assert record is not None
    opened = _open(record.file)
    assert "ที่  ศธ ๐๒๖๒/๑\t" in _lines(opened)[2]
    assert "ให้ผู้รับผิดชอบจัดส่งรายงานโดยด่วน" in _box(opened)


def test_an_emblem_that_is_no_picture_is_refused_with_its_path(tmp_path: Path) -> None:
    emblem = tmp_path / "garuda.png"
    emblem.write_bytes(b"not a picture")
    with pytest.raises(MemoTemplateError) as refused:
        render_memo(write_memo(_facts(), THAI), emblem=emblem)
    assert str(refused.value) == f"The emblem image {emblem} is not a picture Word can show."
