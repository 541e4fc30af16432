"""The duty buttons under reminders and escalations (the data messages in chats carry)."""

from __future__ import annotations

from bot.common.callbacks import ChoiceNumbered, Numbered, choices

DONE = Numbered("done:")  # "Report sent": done:<assignment>
SNOOZE = Numbered("sz:")  # "Remind me again tomorrow": sz:<assignment>
# an escalation's answers: remind again (r), excuse (x), the director orders it (o)
ESCALATION = ChoiceNumbered("esc:", choices("r", "x", "o"))
