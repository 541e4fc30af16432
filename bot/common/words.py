"""The office's words, named once for the chat and the documents: what a report can be, the
condition of borrowed property, and the details both documents write.

Each name is an English message id (``N_``), translated where it is shown with the reader's
or the document's translator: ``status_name("late", _)`` is ``ส่งล่าช้า`` in Thai,
``condition_name("damaged", _)`` is ``ชำรุด``. Roles are named in ``bot.common.roles``
(``ROLE_NAMES``); each feature names its own audit actions (``AUDIT`` in its ``audit``
module, merged into ``Catalog.audit``).
"""

from __future__ import annotations

from bot.common.i18n import N_, Translate
from storage.models import AssignmentStatus, ReturnCondition

STATUS_NAMES = {
    AssignmentStatus.ON_TIME.value: N_("sent on time"),
    AssignmentStatus.LATE.value: N_("sent late"),
    AssignmentStatus.PENDING.value: N_("not yet sent"),
    AssignmentStatus.ESCALATED.value: N_("reported to the director"),
    AssignmentStatus.EXCUSED.value: N_("excused"),
}
NOT_YET_DUE = N_("not yet due")  # pending, and its due date is still ahead
UNTRACKED = N_("nobody responsible in the system")  # a period past before the bot first saw it
ESCALATION = N_("escalation to the director")  # the act; ``reported to the director`` the state

# the condition of borrowed property, keyed by the stored ``ReturnCondition`` codes: for the
# buttons of /return, the chat's messages, the loan register and the evidence workbook's audit
# log
CONDITION_NAMES = {
    ReturnCondition.GOOD.value: N_("in good condition"),
    ReturnCondition.DAMAGED.value: N_("damaged"),
    ReturnCondition.MISSING_PART.value: N_("missing a part"),
}
# the same conditions in the /return buttons' own short words ("good", not "in good
# condition"; the Thai is the same)
CONDITION_BUTTONS = {
    ReturnCondition.GOOD.value: N_("good"),
    ReturnCondition.DAMAGED.value: N_("damaged"),
    ReturnCondition.MISSING_PART.value: N_("missing part"),
}
# the condition of property at hand-over, as /loan's button names it and as the loan register
# then writes it (a hand-over condition is otherwise typed by the procurement officer)
GOOD_AT_HANDOVER_BUTTON = N_("Good, complete")
GOOD_AT_HANDOVER = N_("in good condition, fully working")

# what both documents name: a detail of the evidence workbook's audit log, keyed as the audit
# log stores it, and a column of the loan register (the borrower's work group, the loan's
# items, purpose, due day and condition at hand-over)
DETAIL_NAMES = {
    "group": N_("work group"),
    "items": N_("items"),
    "purpose": N_("purpose"),
    "due_on": N_("due back"),
    "condition": N_("condition at hand-over"),
}


def status_name(status: str, _: Translate) -> str:
    """An assignment's status in words; an unknown status stays as its code."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def condition_name(condition: str | None, _: Translate) -> str:
    """A return condition in words; none (not returned yet) or an unknown code is ``-``."""
    return _(CONDITION_NAMES[condition]) if condition in CONDITION_NAMES else "-"
