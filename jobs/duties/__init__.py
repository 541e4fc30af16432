"""The reports' duties on the tick's side: each assignment's ladder (reminders, follow-ups,
the escalation, the onward deadline: ``step``), the memo to the director and the short
ladder of the director's order (``memos``), and the config's ``[memo]`` (``settings``)."""
