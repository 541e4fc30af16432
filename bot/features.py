"""The bot's features, listed once: ``bot/app.py`` wires what each declares, the sender
renders their templates, the export names their audit events (``bot.common.feature``).

Adding a feature: its package with a ``FEATURE = Feature(...)``, and one line here.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.common.feature import Catalog, Feature
from bot.common.power import POWER_TEMPLATES
from bot.common.render import Rendered
from bot.complaints.texts import COMPLAINT_TEMPLATES, digest_section
from bot.duties.texts import DUTY_TEMPLATES
from bot.loans.texts import LOAN_TEMPLATES
from bot.office.backup_texts import RESTORE_TEMPLATES
from bot.oversight.digest_texts import DIGEST_TEMPLATES
from bot.runtime.delivery_texts import DELIVERY_TEMPLATES


def _complaint_section(params: dict[str, Any], language: str, zone: ZoneInfo) -> list[str]:
    found = params.get("complaints")  # the director's copy only (jobs.tick)
    return digest_section(found, language, zone) if found else []


FEATURES: tuple[Feature, ...] = (
    Feature("core", templates={**DELIVERY_TEMPLATES, **POWER_TEMPLATES}),
    Feature("office", templates=RESTORE_TEMPLATES),
    Feature("duties", templates=DUTY_TEMPLATES),
    Feature("oversight", templates=DIGEST_TEMPLATES),
    Feature("loans", templates=LOAN_TEMPLATES),
    Feature("complaints", templates=COMPLAINT_TEMPLATES, digest_section=_complaint_section),
)
CATALOG = Catalog(FEATURES)


def render(template: str, params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The text and buttons of one outbox message (any feature's template)."""
    return CATALOG.render(template, params, language, zone)
