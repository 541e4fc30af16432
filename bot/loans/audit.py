"""The audit actions of property loans (``loan.*``) and of the maintenance plan
(``maintenance.*``) by name, for the evidence workbook's action log: ``Feature.audit``, merged
into ``Catalog.audit``. The names are English message ids (``N_``), translated in the
document's language."""

from __future__ import annotations

from bot.common.i18n import N_

AUDIT = {
    "loan.recorded": N_("property loan recorded (hand-over)"),
    "loan.received": N_("borrower confirmed receipt of the property"),
    "loan.escalated": N_("property loan past its return date reported"),
    "loan.returned": N_("return of property recorded"),
    "loan.withdrawn": N_("property loan recorded in error withdrawn"),
    "maintenance.announced": N_("annual maintenance plan for equipment announced"),
}
