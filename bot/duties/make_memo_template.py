"""Build the default memo template, ``bot/duties/memo_template.docx``.

``python -m bot.duties.make_memo_template`` writes it again (``--out`` elsewhere; ``--font`` for
another font). The layout is the บันทึกข้อความ of the ระเบียบสำนักนายกรัฐมนตรีว่าด้วยงานสารบรรณ:
A4, margins 3 cm left, 2 cm right, 1.5 cm top (the ครุฑ, 1.5 cm high, at the top left), the
heading bold 29 pt, the labels ส่วนราชการ / ที่ / วันที่ / เรื่อง bold 20 pt, the body 16 pt with
its paragraphs indented 2.5 cm, the signature block right of the middle — and below it a
bordered box for the director's opinion and order, with dotted lines to write on until the
order is written into it.

The font named in the document is TH Sarabun New, the font of Thai government documents,
present on every office's computers: the sizes above are in its metrics, and an officer who
checks the memo against the rules reads 16, 20 and 29 in Word's font box. The bundled Sarabun
(``bot/fonts``, a redesign of it) draws the same letters larger — its Thai letters stand about
16/11 as tall at the same size — so ``--font Sarabun`` scales every size by 11/16 (16 pt
becomes 11 pt) and the page keeps its look where TH Sarabun New is not installed.

Every word on the page is a template variable (``{{ labels.memorandum }}`` …) filled in from the
message catalogs by ``bot.duties.memo``; the README ("The memo's template") lists them, for an
office that writes its own template in Word.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

OUT = Path(__file__).with_name("memo_template.docx")
FONT = "TH Sarabun New"
SCALES = {"TH Sarabun New": 1.0, "TH SarabunPSK": 1.0, "Sarabun": 11 / 16}
BODY, LABEL, HEADING = 16.0, 20.0, 29.0  # points, in TH Sarabun New's metrics
INDENT = Cm(2.5)  # a paragraph's first line
TEXT_WIDTH = Cm(16)  # A4's 21 cm less the margins
SIGNATURE = Cm(7.5)  # the signature block: centred on the rest of the line from here
DOTS = "." * 40  # a line to sign on, in the order box


class _Page:
    """The document being built, in one font, its sizes scaled to it."""

    def __init__(self, font: str) -> None:
        self.font, self.scale = font, SCALES.get(font, 1.0)
        self.document: WordDocument = Document()
        self._defaults()
        self._margins()

    def size(self, points: float) -> Pt:
        return Pt(round(points * self.scale * 2) / 2)  # Word keeps half points

    def _defaults(self) -> None:
        """Every run in the font, Thai (a complex script in Word) as well as Latin, 16 pt,
        single-spaced with no space after a paragraph."""
        defaults = self.document.styles.element.find(qn("w:docDefaults"))
        assert defaults is not None
        run = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        for old in list(run):
            run.remove(old)
        fonts = _element(run, "w:rFonts")
        for script in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{script}"), self.font)
        half_points = str(int(self.size(BODY).pt * 2))
        _element(run, "w:sz").set(qn("w:val"), half_points)
        _element(run, "w:szCs").set(qn("w:val"), half_points)
        language = _element(run, "w:lang")
        language.set(qn("w:val"), "th-TH")
        language.set(qn("w:bidi"), "th-TH")
        spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")

    def _margins(self) -> None:
        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(1.5), Cm(2)
        section.left_margin, section.right_margin = Cm(3), Cm(2)

    def paragraph(self, where: _Cell | None = None, *, first: bool = False) -> Paragraph:
        """A new paragraph of the page (or of a cell; ``first``: the cell's own)."""
        if where is None:
            return self.document.add_paragraph()
        return where.paragraphs[0] if first else where.add_paragraph()

    def write(self, paragraph: Paragraph, text: str, *, bold: bool = False, points: float = BODY):
        """A run in Latin and Thai alike: Word sizes and emboldens Thai by the complex-script
        properties (``szCs``, ``bCs``), which python-docx leaves alone."""
        run = paragraph.add_run(text)
        size = self.size(points)
        run.font.size = size
        run.font.bold = bold or None
        run.font.cs_bold = bold or None
        properties = run._r.get_or_add_rPr()
        _element(properties, "w:szCs").set(qn("w:val"), str(int(size.pt * 2)))
        return run

    def tag(self, where: _Cell | None, statement: str) -> None:
        """A ``{%p … %}`` paragraph: docxtpl replaces the whole paragraph."""
        self.write(self.paragraph(where), "{%p " + statement + " %}")


def _element(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.append(found)
    return found


def _labelled(page: _Page, label: str, value: str, *, hang: float = 0) -> Paragraph:
    paragraph = page.paragraph()
    page.write(paragraph, "{{ labels." + label + " }}", bold=True, points=LABEL)
    page.write(paragraph, ("\t" if hang else "  ") + "{{ " + value + " }}")
    if hang:  # a long เรื่อง wraps under its first word, not under the label
        paragraph.paragraph_format.left_indent = Cm(hang)
        paragraph.paragraph_format.first_line_indent = Cm(-hang)
        paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(hang))
    return paragraph


def _head(page: _Page) -> None:
    """The ครุฑ and บันทึกข้อความ on one line, then ส่วนราชการ, ที่ … วันที่, เรื่อง, เรียน."""
    heading = page.paragraph()
    heading.paragraph_format.tab_stops.add_tab_stop(Cm(8), WD_TAB_ALIGNMENT.CENTER)
    page.write(heading, "{{ emblem }}")
    page.write(heading, "\t{{ labels.memorandum }}", bold=True, points=HEADING)
    _labelled(page, "section", "section")
    number = _labelled(page, "number", "number")
    number.paragraph_format.tab_stops.add_tab_stop(Cm(8))
    page.write(number, "\t")
    page.write(number, "{{ labels.date }}", bold=True, points=LABEL)
    page.write(number, "  {{ date }}")
    _labelled(page, "subject", "subject", hang=1.25)
    salutation = page.paragraph()
    salutation.paragraph_format.space_before = Pt(6)
    page.write(salutation, "{{ labels.to }}  {{ to }}")


def _body(page: _Page, value: str, *, space: bool = True) -> None:
    paragraph = page.paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.THAI_JUSTIFY
    paragraph.paragraph_format.first_line_indent = INDENT
    if space:
        paragraph.paragraph_format.space_before = Pt(6)
    page.write(paragraph, "{{ " + value + " }}")


def _facts(page: _Page) -> None:
    """The facts, one paragraph each; who is missing, one line each; the measure; the
    request (จึงเรียนมาเพื่อโปรดพิจารณาสั่งการ)."""
    page.tag(None, "for line in facts")
    _body(page, "line")
    page.tag(None, "endfor")
    page.tag(None, "for p in missing")
    _body(page, "p.line", space=False)
    page.tag(None, "endfor")
    _body(page, "grounds")
    _body(page, "request")


def _centred(page: _Page, where: _Cell | None, text: str) -> None:
    """A line of a signature block: centred on the right of the page (or of the box)."""
    paragraph = page.paragraph(where)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.left_indent = SIGNATURE
    page.write(paragraph, text)


def _signer(page: _Page) -> None:
    """Room to sign, the name in parentheses, the position's lines."""
    for _ in range(3):
        page.paragraph()
    _centred(page, None, "({{ signer.name }})")
    page.tag(None, "for line in signer.position")
    _centred(page, None, "{{ line }}")
    page.tag(None, "endfor")


def _order_box(page: _Page) -> None:
    """A bordered box for the director: the order once written, else lines to write on."""
    page.paragraph()
    table = page.document.add_table(rows=1, cols=1)
    table.style = page.document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cell = table.cell(0, 0)
    cell.width = TEXT_WIDTH
    title = page.paragraph(cell, first=True)
    title.paragraph_format.space_before = Pt(6)
    page.write(title, "{{ labels.order_box }}", bold=True)
    page.tag(cell, "if order")
    for value in ("order.kind", "order.text", "order.new_due"):
        page.tag(cell, f"if {value}")
        paragraph = page.paragraph(cell)
        paragraph.paragraph_format.first_line_indent = INDENT
        page.write(paragraph, "{{ " + value + " }}")
        page.tag(cell, "endif")
    page.paragraph(cell)
    page.paragraph(cell)
    for text in ("({{ order.director }})", "{{ order.title }}", "{{ order.date }}"):
        _centred(page, cell, text)
    page.tag(cell, "else")
    for _ in range(4):
        line = page.paragraph(cell)
        line.paragraph_format.tab_stops.add_tab_stop(
            Cm(15.5), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        page.write(line, "\t")
    page.paragraph(cell)
    for text in (f"({DOTS})", "{{ to }}", f"{DOTS[:12]}/{DOTS[:12]}/{DOTS[:12]}"):
        _centred(page, cell, text)
    page.tag(cell, "endif")
    page.paragraph(cell)


def build(font: str = FONT) -> WordDocument:
    """The default template as a python-docx document."""
    page = _Page(font)
    body = page.document.element.body
    for paragraph in list(page.document.paragraphs):  # python-docx's blank page has one
        body.remove(paragraph._p)
    properties = page.document.core_properties
    properties.author = properties.last_modified_by = "staff-report-bot"
    properties.title = "{{ labels.memorandum }} {{ labels.number }} {{ number }}"
    _head(page)
    _facts(page)
    _signer(page)
    _order_box(page)
    return page.document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the default memo template (.docx).")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write it ({OUT.name})")
    parser.add_argument(
        "--font", default=FONT, help=f"the font named in it ({', '.join(SCALES)}; {FONT})"
    )
    arguments = parser.parse_args(argv)
    build(arguments.font).save(str(arguments.out))
    print(f"wrote {arguments.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
