"""The bot's features, listed once: ``bot/app.py`` wires what each declares, the sender
renders their templates, the export names their audit events (``bot.common.feature``).

Adding a feature: its package with a ``FEATURE = Feature(...)``, and one line here (and, if
it has a share of the tick, one line in ``jobs/features.py``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.common.audit import AUDIT as POWER_AUDIT
from bot.common.feature import Catalog, Feature
from bot.common.power import DECIDE, POWER_TEMPLATES, decide_button
from bot.common.render import Rendered
from bot.complaints.feature import FEATURE as COMPLAINTS
from bot.duties.feature import FEATURE as DUTIES
from bot.loans.feature import FEATURE as LOANS
from bot.office.feature import FEATURE as OFFICE
from bot.oversight.feature import FEATURE as OVERSIGHT
from bot.projects.feature import FEATURE as PROJECTS
from bot.publishing.feature import FEATURE as PUBLISHING
from bot.runtime.delivery_texts import DELIVERY_TEMPLATES
from bot.yearplan.feature import FEATURE as YEARPLAN

# what belongs to no single feature: changes of power (the director decides) and delivery
CORE = Feature(
    "core",
    buttons=[(DECIDE, decide_button)],
    templates={**DELIVERY_TEMPLATES, **POWER_TEMPLATES},
    audit=POWER_AUDIT,
)

FEATURES: tuple[Feature, ...] = (
    CORE,
    OFFICE,
    DUTIES,
    OVERSIGHT,
    LOANS,
    COMPLAINTS,
    PROJECTS,
    YEARPLAN,
    PUBLISHING,
)
CATALOG = Catalog(FEATURES)


def render(template: str, params: dict[str, Any], language: str, zone: ZoneInfo) -> Rendered:
    """The text and buttons of one outbox message (any feature's template)."""
    return CATALOG.render(template, params, language, zone)
