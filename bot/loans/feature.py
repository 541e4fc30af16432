"""Property loans (measure 1.4), declared once: the commands, the buttons, the answer to a
text typed during an entry, the outbox templates and the names of its audit actions
(``bot.common.feature``)."""

from __future__ import annotations

from bot.common.feature import Feature
from bot.loans import drafts, handover, maintenance, returns
from bot.loans.audit import AUDIT
from bot.loans.texts import LOAN, LOAN_TEMPLATES, MAINTENANCE, RECEIVED, RETURN, WITHDRAW
from storage.questions import ENTRY

FEATURE = Feature(
    name="loans",
    commands={
        "loan": handover.loan_command,
        "return": returns.return_command,
        "loans": handover.loans_command,
        "cancel_loan": handover.cancel_loan_command,
        "myloans": handover.my_loans,
        "announce_maintenance": maintenance.announce_command,
    },
    buttons=[
        (LOAN, handover.loan_button),
        (RECEIVED, handover.received_button),
        (WITHDRAW, handover.withdraw_button),
        (RETURN, returns.return_button),
        (MAINTENANCE, maintenance.announce_button),
    ],
    templates=LOAN_TEMPLATES,
    audit=AUDIT,
    # a loan, return, withdrawal or announcement being entered; and a plain text with no
    # question awaited, which may still be meant for an entry forgotten meanwhile
    answers={ENTRY: drafts.on_entry, None: drafts.on_entry},
)
