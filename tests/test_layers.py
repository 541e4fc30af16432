"""The import direction bot → jobs → storage, and no query built outside storage/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

FORBIDDEN = {
    "storage": {"telegram", "bot", "jobs", "apscheduler"},
    "jobs": {"telegram", "bot"},
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_upper_ones(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert not offenders


def test_handlers_build_no_query() -> None:
    query_builders = {
        "sqlmodel.select",
        "sqlalchemy.select",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.insert",
        "sqlalchemy.text",
    }
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for name in _imports(path)
        if name in query_builders
    ]
    assert not offenders


def test_the_guard_itself_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from telegram import Bot\nimport bot.app\n", encoding="utf-8")
    assert {"telegram", "bot.app"} <= _imports(sample)
