"""The reporting calendar, declared once (``bot.common.feature``): /calendar and the templates
of the year's calendar, of moved dates and of the change's summary."""

from __future__ import annotations

from bot.common.feature import Feature
from bot.common.i18n import N_
from bot.yearplan.handlers import calendar
from bot.yearplan.texts import TEMPLATES

AUDIT = {
    "yearplan.announced": N_("the fiscal year's reporting calendar sent to each person"),
    "yearplan.moves_announced": N_("changed due dates told to the people concerned"),
}

FEATURE = Feature("yearplan", commands={"calendar": calendar}, templates=TEMPLATES, audit=AUDIT)
