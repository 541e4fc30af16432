"""The complaint channel (measure 1.7), as ``bot/app.py`` wires it.

``/complain`` and ``/complaint`` are for anyone, registered or not (``/start complain``, from
the link on the office's website, starts ``/complain``); ``/complaints``, ``/handlers`` and
their buttons for the director and the named handlers, checked at every use. A conversation in
progress (a complaint, an addition, a handler's note or outcome) takes the writer's private
messages, and ``/cancel``, before every other handler (group -1).
"""

from __future__ import annotations

from telegram.ext import CommandHandler, MessageHandler, filters

from bot.common.feature import Feature
from bot.complaints import complainant, handling
from bot.complaints.texts import COMPLAINT_TEMPLATES, director_digest

CONVERSATION = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE

FEATURE = Feature(
    name="complaints",
    commands={
        "complain": complainant.complain,
        "complaint": complainant.status,
        "complaints": handling.list_complaints,
        "handlers": handling.handlers_command,
    },
    buttons=[
        (complainant.CONVERSATION, complainant.on_button),
        (handling.COMPLAINT, handling.on_button),
        (handling.HANDLER, handling.remove_handler_button),
    ],
    handlers=[
        (MessageHandler(CONVERSATION & ~filters.COMMAND, complainant.on_message), -1),
        (CommandHandler("cancel", complainant.on_cancel, filters=CONVERSATION), -1),
    ],
    templates=COMPLAINT_TEMPLATES,
    digest_section=director_digest,
    start_payloads={complainant.START_PAYLOAD: complainant.complain},
)
