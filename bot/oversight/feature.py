"""Oversight, declared once (``bot.common.feature``): /status and /history with their
buttons, the date typed after "received on paper", /digest and /export, and the digest's
template."""

from __future__ import annotations

from bot.common.feature import Feature
from bot.common.questions import PAPER_DATE
from bot.oversight import handlers, reports
from bot.oversight.audit import AUDIT
from bot.oversight.board import command as board
from bot.oversight.digest_texts import DIGEST_TEMPLATES

FEATURE = Feature(
    name="oversight",
    commands={
        "status": handlers.status,
        "history": handlers.history,
        "digest": reports.digest,
        "export": reports.export,
        "board": board.board_link,
    },
    buttons=[
        (handlers.STATUS, handlers.status_button),
        (handlers.PAPER, handlers.paper_button),
    ],
    templates=DIGEST_TEMPLATES,
    answers={PAPER_DATE: handlers.paper_date},
    audit=AUDIT,
)
