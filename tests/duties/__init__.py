"""The reports' ladder: recurrence, reminders, follow-ups, the escalation, the memo and
the director's order."""
