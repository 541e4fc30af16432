"""Constants and small helpers shared by the tests (imported, unlike conftest's fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobs.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "config.example.toml"
NOW = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)  # Monday 6 January 2568 B.E., 09.00 in Bangkok


def with_changes(settings: Settings, **sections: dict[str, Any]) -> Settings:
    """A copy of ``settings`` with some keys of some sections replaced."""
    updates = {
        name: getattr(settings, name).model_copy(update=values) for name, values in sections.items()
    }
    copy = settings.model_copy(update=updates)
    copy._source = settings.source
    return copy
