"""The publication queue (measures 1.2 and 1.3), declared once: /publish, the web officer's
buttons and /publications, the pre-filled monthly reports (/pubreport), a photo or file sent
while a request is put together (group -2: before the complaint channel's conversation and
the duties' evidence), the answers typed (the content, the link or the reason), the
templates and the audit names."""

from __future__ import annotations

from telegram.ext import MessageHandler, filters

from bot.common.feature import Feature
from bot.publishing import queue, report, request
from bot.publishing.audit import AUDIT
from bot.publishing.texts import PUBLISH, PUBLISHING_TEMPLATES, QUEUE, REPORT
from storage.questions import PUBLISH as CONTENT
from storage.questions import PUBLISH_ANSWER

FILES = filters.ChatType.PRIVATE & (filters.Document.ALL | filters.PHOTO)

FEATURE = Feature(
    name="publishing",
    commands={
        "publish": request.publish_command,
        "publications": queue.publications_command,
        "pubreport": report.report_command,
    },
    buttons=[
        (PUBLISH, request.publish_button),
        (QUEUE, queue.queue_button),
        (REPORT, report.report_button),
    ],
    handlers=[(MessageHandler(FILES, request.content_file), -2)],
    templates=PUBLISHING_TEMPLATES,
    audit=AUDIT,
    answers={CONTENT: request.content_text, PUBLISH_ANSWER: queue.on_answer},
)
