"""The office's words for what a report can be, named once for the chat and the documents.

Each name is an English message id (``N_``), translated where it is shown with the reader's
or the document's translator: ``status_name("late", _)`` is ``ส่งล่าช้า`` in Thai. Roles are
named in ``bot.common.roles`` (``ROLE_NAMES``), a loan's conditions in ``bot.loans.words``.
"""

from __future__ import annotations

from bot.common.i18n import N_, Translate
from storage.models import AssignmentStatus

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


def status_name(status: str, _: Translate) -> str:
    """An assignment's status in words; an unknown status stays as its code."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status
