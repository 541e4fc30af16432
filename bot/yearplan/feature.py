"""The reporting calendar, declared once (``bot.common.feature``): /calendar and the templates
of the year's calendar, of moved dates and of the change's summary."""

from __future__ import annotations

from bot.common.feature import Feature
from bot.yearplan.audit import AUDIT
from bot.yearplan.handlers import calendar
from bot.yearplan.texts import TEMPLATES

FEATURE = Feature("yearplan", commands={"calendar": calendar}, templates=TEMPLATES, audit=AUDIT)
