"""The duties, declared once (``bot.common.feature``): /done and /mine, the buttons under
reminders and escalations, the evidence file (a document or a photo), the reason typed after
"excuse", the reminder and escalation templates, and the names of the duties' audit actions
(for the evidence workbook)."""

from __future__ import annotations

from telegram.ext import MessageHandler, filters

from bot.common.feature import Feature
from bot.common.questions import EXCUSE_REASON
from bot.duties import handlers
from bot.duties.audit import AUDIT
from bot.duties.buttons import DONE, ESCALATION, SNOOZE
from bot.duties.texts import DUTY_TEMPLATES

FILES = filters.ChatType.PRIVATE & (filters.Document.ALL | filters.PHOTO)

FEATURE = Feature(
    name="duties",
    commands={"done": handlers.done_command, "mine": handlers.mine},
    buttons=[
        (DONE, handlers.done_button),
        (ESCALATION, handlers.escalation_button),
        (SNOOZE, handlers.snooze_button),
    ],
    handlers=[(MessageHandler(FILES, handlers.evidence), 0)],
    audit=AUDIT,
    templates=DUTY_TEMPLATES,
    answers={EXCUSE_REASON: handlers.excuse_reason},
)
