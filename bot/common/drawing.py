"""What every picture the bot draws shares: the bundled Thai font (Sarabun, SIL OFL 1.1,
``bot/fonts/``), made known to matplotlib once per process, and one lock around drawing —
matplotlib's font and text caches are module state, so the digest's chart and the year's
calendar page are drawn one at a time, whichever feature asks."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Final

from matplotlib.font_manager import fontManager

FONT_DIR: Final = Path(__file__).parents[1] / "fonts"
FONT_FAMILY: Final = "Sarabun"
FONT_FILES: Final = (FONT_DIR / "Sarabun-Regular.ttf", FONT_DIR / "Sarabun-Bold.ttf")

DRAWING: Final = threading.RLock()  # held while a picture is drawn (re-entrant: fonts inside)
_registered = False


def register_fonts() -> str:
    """Make the bundled Thai font known to matplotlib, once per process; return its family."""
    global _registered
    with DRAWING:
        if not _registered:
            for path in FONT_FILES:
                fontManager.addfont(path)
            _registered = True
    return FONT_FAMILY
