"""The audit actions of the publication queue (``publication.*``) by name, for the evidence
workbook's action log (``Feature.audit``)."""

from __future__ import annotations

from bot.common.i18n import N_

AUDIT = {
    "publication.requested": N_("request to publish sent to the web officer"),
    "publication.published": N_("published on the website or social page, with its links"),
    "publication.declined": N_("request to publish declined, with the reason"),
    "publication.report_evidence": N_("published links recorded as the monthly report's evidence"),
}
