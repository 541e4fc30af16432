"""The office: registering and what a person asks about themselves (/start, /help, /whoami,
/language, /name), the roster and an admin's changes (/staff, /person), and the calendar,
leave and acting officers (/closeday, /meeting, /oneoff, /leave, /acting), declared once
(``bot.common.feature``); the restore notice is its outbox template, and its audit actions
(users, registration codes, the calendar) are named for the evidence workbook.

``/start`` is for anyone (it is how one registers); every other command and button is for a
registered, active person, with roles checked at every use.
"""

from __future__ import annotations

from bot.common.feature import Feature
from bot.office import calendar, registration, staff
from bot.office.audit import AUDIT
from bot.office.backup_texts import RESTORE_TEMPLATES

FEATURE = Feature(
    name="office",
    commands={
        "start": registration.start,
        "help": registration.help_command,
        "whoami": registration.whoami,
        "language": registration.language,
        "name": registration.rename,
        "staff": staff.staff_list,
        "person": staff.person_command,
        "closeday": calendar.close_day,
        "meeting": calendar.move_meeting,
        "oneoff": calendar.one_off,
        "leave": calendar.leave,
        "acting": calendar.acting,
    },
    buttons=[
        (registration.LANGUAGE, registration.language_button),
        (staff.PERSON, staff.person_button),
        (calendar.CONFIRM, calendar.confirm_change),
    ],
    audit=AUDIT,
    templates=RESTORE_TEMPLATES,
)
