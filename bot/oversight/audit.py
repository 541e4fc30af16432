"""The audit actions of oversight (``board.*``: the web board's sign-ins) by name, for the
evidence workbook's action log: ``Feature.audit``, merged into ``Catalog.audit``."""

from __future__ import annotations

from bot.common.i18n import N_

AUDIT = {
    "board.link_issued": N_("sign-in link to the board issued"),
    "board.signed_in": N_("signed in to the board"),
    "board.signed_out": N_("signed out of the board"),
}
