"""Words: every message has a Thai translation; dates are written as Thai civil servants do."""

from __future__ import annotations

import ast
import re
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.common import roles, words
from bot.common.i18n import (
    catalog_path,
    format_date,
    format_datetime,
    format_month,
    format_time,
    translator,
)
from bot.common.roles import head_of_group, role_name
from storage.models import Role
from tests.support import ROOT

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_THAI = re.compile("[\u0e00-\u0e7f]")
_MSGID = re.compile(r'^msgid ((?:".*"\n)+)', re.MULTILINE)
# the documents, their layout and the vocabularies they share (the office's words, each
# feature's audit actions): every word they write is in the catalogs
DOCUMENT_MODULES = (
    "bot/oversight/export.py",
    "bot/loans/register.py",
    "bot/common/workbook.py",
    "bot/common/words.py",
    "bot/common/audit.py",
    "bot/duties/audit.py",
    "bot/office/audit.py",
    "bot/loans/audit.py",
    "bot/oversight/audit.py",
)


def _source_messages() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "jobs"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"_": None, "N_": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_the_code_has_a_thai_translation() -> None:
    with catalog_path("th").open("rb") as handle:
        catalog = read_po(handle, locale="th")
    missing = []
    for message in sorted(_source_messages()):
        entry = catalog.get(message)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message)
    assert not missing, "untranslated (run pybabel extract/update, then translate): " + repr(
        missing
    )


def test_translations_keep_every_placeholder() -> None:
    with catalog_path("th").open("rb") as handle:
        catalog = read_po(handle, locale="th")
    for entry in catalog:
        if entry.id and isinstance(entry.id, str) and isinstance(entry.string, str):
            assert set(_PLACEHOLDER.findall(entry.id)) == set(_PLACEHOLDER.findall(entry.string)), (
                entry.id
            )


def test_thai_is_the_default_and_english_falls_back_to_the_source() -> None:
    assert translator("th")("Back") == "ย้อนกลับ"
    assert translator(None)("Back") == "ย้อนกลับ"
    assert translator("en")("Back") == "Back"


def test_dates_are_written_in_buddhist_era_with_thai_month_names() -> None:
    assert format_date(date(2025, 1, 10), "th") == "10 มกราคม 2568"
    assert format_date(date(2025, 1, 10), "th", "short") == "10 ม.ค. 2568"
    assert format_date(date(2025, 1, 10), "th", "formal") == "๑๐ มกราคม พ.ศ. ๒๕๖๘"
    assert format_date(date(2024, 10, 1), "th", "weekday") == "วันอังคารที่ 1 ตุลาคม 2567"
    assert format_date(date(2026, 1, 10), "th", "weekday_short") == "วันเสาร์ที่ 10 ม.ค. 2569"
    assert format_month(date(2027, 1, 20), "th") == "มกราคม 2570"  # never strftime's 01/2027
    assert format_month(date(2027, 1, 20), "en") == "January 2027"
    assert format_date(date(2025, 1, 10), "en") == "10 January 2025"


def test_times_are_written_with_a_dot_and_na() -> None:
    assert format_time(time(8, 30), "th") == "08.30 น."
    assert format_datetime(datetime(2025, 1, 10, 16, 30), "th") == "10 มกราคม 2568 เวลา 16.30 น."


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string a module's code holds (f-string parts too), its docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documented = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, documented) and node.body and isinstance(node.body[0], ast.Expr)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", DOCUMENT_MODULES)
def test_the_documents_take_every_word_from_the_catalogs(module: str) -> None:
    """No Thai written in the code of the evidence workbook or the loan register: their words
    are message ids, so that one catalog entry names each thing everywhere."""
    literals = _string_literals(ROOT / module)
    assert literals  # the scan sees the code
    assert [(line, text) for line, text in literals if _THAI.search(text)] == []


@pytest.mark.parametrize("language", ["th", "en"])
def test_each_catalog_names_a_message_once(language: str) -> None:
    """Engineers append to the catalogs; a message appended twice would have two translations."""
    text = catalog_path(language).read_text(encoding="utf-8")
    ids = ["".join(re.findall(r'"(.*)"', found)) for found in _MSGID.findall(text)]
    assert [message for message, count in Counter(ids).items() if count > 1] == []


# -- one vocabulary: no Thai words outside the catalogs (issues 14 and 15) ---------------------

SCANNED = ("bot", "jobs", "storage")
# the fake Telegram and the demo's simulated people typing: they play the office's people,
# whose Thai is their own, not the bot's
NOT_SCANNED = ("bot/offline",)
# Thai in the code that is not a text for a reader, each keyed by its module: a new Thai
# literal anywhere else fails. Keep this short; a text goes to the catalog instead (CONTRIBUTING,
# "Add a message").
THAI_DATA = {
    # Thai digits: translation tables (to them for formal documents, from them for input)
    ("bot/common/i18n.py", "๐๑๒๓๔๕๖๗๘๙"),
    ("bot/runtime/complaint_keys.py", "๐๑๒๓๔๕๖๗๘๙"),
    # the Thai date style around Babel's words: the weekday patterns, the formal date's era
    # and the clock's น. (English dates have another shape, not a translation of these)
    ("bot/common/i18n.py", "EEEE'ที่' d MMMM"),
    ("bot/common/i18n.py", "EEEE'ที่' d MMM"),
    ("bot/common/i18n.py", " พ.ศ. "),
    ("bot/common/i18n.py", " น."),
    # the languages' own names in their own script, the same for every reader (a button and
    # two messages that name both languages)
    ("bot/office/registration.py", "ภาษาไทย"),
    ("bot/office/registration.py", "Please choose th (ภาษาไทย) or en (English), e.g. /language en"),
    ("bot/common/roles.py", "change the language (ภาษาไทย / English)"),
    # a Thai word the bot accepts as input ("today")
    ("bot/oversight/handlers.py", "วันนี้"),
    ("bot/oversight/board/web.py", "วันนี้"),
    # where Thai lines may break without a dictionary: the charts' heuristics
    ("bot/oversight/chart.py", "และ"),
    *(
        ("bot/yearplan/chart.py", word)
        for word in ("ของ", "ต่อ", "ประจำ", "เสนอ", "และ", "ให้", "สร้าง", "ตาม", "เพื่อ")
    ),
    ("bot/yearplan/chart.py", "เแโใไ"),  # leading vowels
    ("bot/yearplan/chart.py", "\u0e31"),  # mai han-akat
    # the sample chart (README image, tests): the example config's group names, data
    *(
        ("bot/oversight/chart.py", group)
        for group in ("กลุ่มนโยบายและแผน", "กลุ่มอำนวยการ", "กลุ่มบริหารงานบุคคล", "กลุ่มพัฒนาการศึกษา")
    ),
    # the config's defaults for what the office configures: the headers of its own project
    # spreadsheet (read, not written) and the director's title (paired with title_en)
    *(
        ("jobs/projects/settings.py", header)
        for header in ("รหัสโครงการ", "ชื่อโครงการ", "งบประมาณ", "กลุ่ม", "ผู้รับผิดชอบ")
    ),
    ("jobs/settings.py", "ศึกษาธิการจังหวัด"),
}


def thai_literals(source: str) -> list[tuple[int, str]]:
    """The string constants of a module's code that hold Thai (f-string parts too), its
    docstrings and the bare strings that document an attribute left out."""
    tree = ast.parse(source)
    documentation = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in documentation
        and _THAI.search(node.value)
    ]


def _scanned_modules() -> list[Path]:
    return [
        path
        for package in SCANNED
        for path in sorted((ROOT / package).rglob("*.py"))
        if not path.relative_to(ROOT).as_posix().startswith(NOT_SCANNED)
    ]


def _thai_in_the_code() -> list[tuple[str, int, str]]:
    return [
        (path.relative_to(ROOT).as_posix(), line, text)
        for path in _scanned_modules()
        for line, text in thai_literals(path.read_text(encoding="utf-8"))
    ]


def test_no_thai_text_is_written_in_the_code() -> None:
    """Every word a reader sees, in chat and in every document, is an English message id with
    its Thai in the catalog: Thai in the code is only the data THAI_DATA names."""
    assert len(_scanned_modules()) > 100  # the scan sees the code
    found = _thai_in_the_code()
    assert [
        (module, line, text) for module, line, text in found if (module, text) not in THAI_DATA
    ] == []


def test_the_allowed_thai_data_is_still_there() -> None:
    """An entry of THAI_DATA whose string has gone is removed, so the list stays true."""
    found = {(module, text) for module, _line, text in _thai_in_the_code()}
    assert sorted(THAI_DATA - found) == []


def test_the_thai_scan_finds_a_thai_literal() -> None:
    """The guard can fail: a literal, an f-string's part and a default are found; docstrings,
    an attribute's documentation and comments are not."""
    sample = '''"""โมดูล: a docstring."""
LABEL = "ไม่มีรายงาน"  # ความเห็น
"""เอกสารของ LABEL."""


def title(year: int, label: str = "ร้อยละ") -> str:
    """ชื่อ."""
    return f"ปีงบประมาณ {year}" + _("no report")
'''
    assert thai_literals(sample) == [(2, "ไม่มีรายงาน"), (6, "ร้อยละ"), (8, "ปีงบประมาณ ")]


def _shared_words() -> dict[str, str]:
    """The office's shared words (statuses, conditions, roles and the group head), by message
    id, each with the module that names it."""
    named = {
        "bot/common/words.py": [
            *words.STATUS_NAMES.values(),
            words.NOT_YET_DUE,
            words.UNTRACKED,
            words.ESCALATION,
            *words.CONDITION_NAMES.values(),
            *words.CONDITION_BUTTONS.values(),
            words.GOOD_AT_HANDOVER,
            words.GOOD_AT_HANDOVER_BUTTON,
        ],
        "bot/common/roles.py": [
            *roles.ROLE_NAMES.values(),
            roles.HEAD_OF_GROUP,
            roles.DIRECTOR_TITLE,
        ],
    }
    return {message: module for module, messages in named.items() for message in messages}


def test_each_shared_word_is_named_in_one_place() -> None:
    """A status, a loan's condition or a role is named in bot/common/words.py or
    bot/common/roles.py only: no other module writes a message that reads the same in Thai
    (the loan conditions were once in three copies, the group head had two names)."""
    _ = translator("th")
    thai = {_(message): module for message, module in _shared_words().items()}
    assert len(thai) == len(set(thai))
    elsewhere = [
        (f"{package}/{file}", message)
        for package in ("bot", "jobs")
        for file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"_": None, "N_": None}
        )
        if isinstance(message, str)
        and _(message) in thai
        and f"{package}/{file}" != thai[_(message)]
    ]
    assert elsewhere == []


def test_the_group_head_has_one_name_the_plans() -> None:
    """ผู้อำนวยการกลุ่ม, in chat, the documents, the board and the memo; never หัวหน้า."""
    _ = translator("th")
    assert role_name(Role.GROUP_HEAD, _) == "ผู้อำนวยการกลุ่ม"
    assert head_of_group("กลุ่มอำนวยการ", _) == "ผู้อำนวยการกลุ่มอำนวยการ"
    with catalog_path("th").open("rb") as handle:
        catalog = read_po(handle, locale="th")
    strings = [entry.string for entry in catalog if isinstance(entry.string, str)]
    assert [string for string in strings if "หัวหน้า" in string] == []


def test_the_boards_pages_write_no_thai_but_the_languages_name() -> None:
    """The board's templates and scripts take their words from the catalogs too (``_()`` in
    the templates); the one Thai they hold is the language switch's ภาษาไทย."""
    board = ROOT / "bot" / "oversight" / "board"
    pages = sorted([*board.glob("templates/*.html"), *board.glob("static/*")])
    assert pages
    found = [
        (page.name, line)
        for page in pages
        for line in page.read_text(encoding="utf-8").splitlines()
        if _THAI.search(line.replace("ภาษาไทย", ""))
    ]
    assert found == []
