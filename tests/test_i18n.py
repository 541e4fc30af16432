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

from bot.common.i18n import (
    catalog_path,
    format_date,
    format_datetime,
    format_month,
    format_time,
    translator,
)
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
