"""The project register's contributions to the bot (``bot/features.py`` lists it)."""

from __future__ import annotations

from bot.common.feature import Feature
from bot.projects.handlers import projects_command

FEATURE = Feature("projects", commands={"projects": projects_command})
