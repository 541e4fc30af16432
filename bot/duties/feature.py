"""The duties, declared once (``bot.common.feature``): /done and /mine, the buttons under
reminders, escalations and memos, the evidence file (a document or a photo), the reason typed
after "excuse" and the words of the director's order, the reminder, escalation and memo
templates, and the names of the duties' audit actions (for the evidence workbook)."""

from __future__ import annotations

from telegram.ext import MessageHandler, filters

from bot.common.feature import Feature
from bot.common.questions import EXCUSE_REASON
from bot.duties import handlers, memo_handlers
from bot.duties.audit import AUDIT
from bot.duties.buttons import DONE, ESCALATION, MEMO_ORDER, MEMO_PROPOSE, SNOOZE
from bot.duties.order_texts import ORDER_TEMPLATES
from bot.duties.texts import DUTY_TEMPLATES
from storage.questions import MEMO_ORDER as ORDER_WORDS

FILES = filters.ChatType.PRIVATE & (filters.Document.ALL | filters.PHOTO)

FEATURE = Feature(
    name="duties",
    commands={"done": handlers.done_command, "mine": handlers.mine},
    buttons=[
        (DONE, handlers.done_button),
        (ESCALATION, handlers.escalation_button),
        (SNOOZE, handlers.snooze_button),
        (MEMO_PROPOSE, memo_handlers.propose_button),
        (MEMO_ORDER, memo_handlers.order_button),
    ],
    handlers=[(MessageHandler(FILES, handlers.evidence), 0)],
    audit=AUDIT,
    templates={**DUTY_TEMPLATES, **ORDER_TEMPLATES},
    answers={EXCUSE_REASON: handlers.excuse_reason, ORDER_WORDS: memo_handlers.order_words},
)
