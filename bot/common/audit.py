"""The audit actions that belong to no single feature by name, for the evidence workbook's
action log: the changes of authority (``power.*``, ``bot.common.power``). Declared by the core
feature (``Feature.audit``, merged into ``Catalog.audit``); the names are English message ids
(``N_``), translated in the document's language."""

from __future__ import annotations

from bot.common.i18n import N_

AUDIT = {
    "power.proposed": N_("change of authority proposed (awaiting the director's confirmation)"),
    "power.confirmed": N_("change of authority confirmed by the director"),
    "power.declined": N_("change of authority not approved by the director"),
    "power.expired": N_("proposed change of authority expired"),
    "power.refused": N_("change of authority refused: the person had no authority"),
    "power.told": N_("those concerned told of the change of authority"),
}
