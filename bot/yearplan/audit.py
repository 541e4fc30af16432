"""The reporting calendar's audit actions by name, for the evidence workbook's action log
(``Feature.audit``, merged into ``Catalog.audit``)."""

from __future__ import annotations

from bot.common.i18n import N_

AUDIT = {
    "yearplan.announced": N_("the fiscal year's reporting calendar sent to each person"),
    "yearplan.moves_announced": N_("changed due dates told to the people concerned"),
}
