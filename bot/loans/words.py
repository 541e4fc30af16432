"""The condition of borrowed property, named once: for the buttons of /return, the chat's
messages, the loan register and the evidence workbook's audit log.

The names are English message ids (``N_``) keyed by the stored ``ReturnCondition`` codes;
``condition_name("damaged", _)`` is ``ชำรุด`` in Thai.
"""

from __future__ import annotations

from bot.common.i18n import N_, Translate
from storage.models import ReturnCondition

CONDITION_NAMES = {
    ReturnCondition.GOOD.value: N_("in good condition"),
    ReturnCondition.DAMAGED.value: N_("damaged"),
    ReturnCondition.MISSING_PART.value: N_("missing a part"),
}


def condition_name(condition: str | None, _: Translate) -> str:
    """A return condition in words; none (not returned yet) or an unknown code is ``-``."""
    return _(CONDITION_NAMES[condition]) if condition in CONDITION_NAMES else "-"
