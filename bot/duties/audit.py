"""The audit actions of the duties (``assignment.*``, ``memo.*``) by name, for the evidence
workbook's action log: ``Feature.audit``, merged into ``Catalog.audit``. The names are English
message ids (``N_``), translated in the document's language."""

from __future__ import annotations

from bot.common.i18n import N_
from bot.common.words import ESCALATION

AUDIT = {
    "assignment.confirmed": N_("confirmation that a report was sent"),
    "assignment.evidence_attached": N_("evidence file attached"),
    "assignment.excused": N_("exemption from sending a report"),
    "assignment.escalated": ESCALATION,
    "assignment.reminded_again": N_("further reminder ordered"),
    "assignment.director_will_order": N_("the director will consider and order"),
    "assignment.snoozed": N_("asked to be reminded again on the next working day"),
    "assignment.escalation_answer_refused": N_(
        "order on a report refused: the person had no authority"
    ),
    "assignment.withdrawn": N_(
        "report withdrawn before any reminder: its project was closed in the register"
    ),
    "assignment.handed_over": N_(
        "report passed to the project's new person before any reminder (the register changed)"
    ),
    "memo.written": N_("memo to the director written, for the coordinator to review"),
    "memo.proposed": N_("memo proposed to the director"),
    "memo.ordered": N_("the director's order written into the memo"),
    "memo.order_refused": N_("order on a memo refused: the person had no authority"),
    "memo.closed": N_("outcome of the director's order recorded"),
}
