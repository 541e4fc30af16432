"""The handlers stay short: the kit carries what every handler repeated (issue 14)."""

from __future__ import annotations

from pathlib import Path

from bench import handler_size


def test_handlers_are_short() -> None:
    found = handler_size.handlers()
    assert len(found) > 50  # the measure sees the handlers (kit-decorated ones included)
    assert handler_size.main(["--max", "40", "--median", "15"]) == 0


def test_the_measure_counts_a_kit_handler(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    package.mkdir()
    (package / "sample.py").write_text(
        "@command(Role.ADMIN)\nasync def x(turn):\n    a = 1\n    return a\n\n"
        "async def helper(turn, value):\n    return value\n",
        encoding="utf-8",
    )
    (found,) = handler_size.handlers(package)
    assert found.lines == 3 and found.where.endswith(" x")
