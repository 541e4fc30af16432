"""The config's ``[yearplan]``: when the fiscal year's reporting calendar goes out by itself.

A section of :class:`jobs.settings.Settings` (``yearplan: YearPlanSettings = YearPlanSettings()``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class YearPlanSettings(BaseModel):
    """The start-of-year announcement (plan measure 1.1 step 1); /calendar is always there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    announce: bool = True  # send each person their year at the start of each fiscal year
    # on the fiscal year's n-th working day (1: 1 October, or the first day the office opens)
    working_day: int = Field(default=1, ge=1, le=20)
