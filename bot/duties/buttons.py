"""The duty buttons under reminders, escalations and memos (the data messages in chats carry)."""

from __future__ import annotations

from bot.common.callbacks import ChoiceNumbered, Numbered, choices

DONE = Numbered("done:")  # "Report sent": done:<assignment>
SNOOZE = Numbered("sz:")  # "Remind me again tomorrow": sz:<assignment>
# an escalation's answers: remind again (r), excuse (x), the director orders it (o)
ESCALATION = ChoiceNumbered("esc:", choices("r", "x", "o"))
MEMO_PROPOSE = Numbered("mp:")  # the coordinator's "เสนอ" under a memo: mp:<memo>
# the director's order on a memo: d (submit by the new deadline), x (exempt), o (the director
# orders it in person), n (the deadline order without further words)
MEMO_ORDER = ChoiceNumbered("mo:", choices("d", "x", "o", "n"))
