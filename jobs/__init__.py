"""Jobs: the office's calendar, the follow-up ladder, the planner, the tick and the dispatcher.

Imports only ``storage`` (never ``bot`` or ``telegram``). The pure modules take ``now``.
"""
