"""The audit actions of the office (registration codes, users, the reports to be sent and the
calendar) by name, for the evidence workbook's action log: ``Feature.audit``, merged into
``Catalog.audit``. The names are English message ids (``N_``), translated in the document's
language."""

from __future__ import annotations

from bot.common.i18n import N_

AUDIT = {
    "invite.created": N_("registration code made"),
    "staff.registered": N_("user registered"),
    "staff.granted": N_("work group or role added from a registration code"),
    "staff.renamed": N_("user's name changed"),
    "staff.moved": N_("moved to another work group"),
    "staff.role_granted": N_("role given"),
    "staff.role_revoked": N_("role withdrawn"),
    "staff.deactivated": N_("account deactivated"),
    "staff.reactivated": N_("account reactivated"),
    "staff.leave_recorded": N_("leave recorded"),
    "obligation.added": N_("report to be sent added"),
    "calendar.closed_day_added": N_("closed day added"),
    "calendar.meeting_moved": N_("monthly staff meeting moved"),
}
