"""The config's ``[publishing]``: the publication queue (measures 1.2 and 1.3).

A section of :class:`jobs.settings.Settings` (``publishing: PublishingSettings``); kept in its
own module, beside the queue's code. Who keeps the website and the social page is a role,
``web_officer``, given as every role is (the admin's /person, or an invite with
``--role web_officer``); here are the web officer's reminder ladder and the two monthly
reports the queue pre-fills.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jobs.offsets import parse_offset


class PublishStep(BaseModel):
    """A step of the web officer's ladder, counted from the moment the item was sent:
    ``+1wd`` is the next working day at opening (or ``at``); ``2h`` two hours later."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["reminder", "followup", "escalation"] = "reminder"
    offset: str
    at: time | None = None
    to: Literal["web_officer", "coordinator"] = "web_officer"

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        if parse_offset(value).amount <= 0:
            raise ValueError(f"{value!r}: a step comes after the item was sent (+1wd, 2h)")
        return value


PUBLISH_LADDER = [
    PublishStep(kind="reminder", offset="+1wd"),
    PublishStep(kind="followup", offset="+2wd"),
    PublishStep(kind="escalation", offset="+3wd", to="coordinator"),
]
"""The web officer reminded the next working day and the one after; on the third, the
coordinator is told the item is still waiting."""


class PublishingSettings(BaseModel):
    """The web officer's ladder; the monthly reports pre-filled from the queue (their keys
    in ``[[obligations]]``: the website's, measure 1.2, and the social page's, 1.3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ladder: list[PublishStep] = Field(default_factory=lambda: list(PUBLISH_LADDER), min_length=1)
    website_report: str = "eservice-update"
    social_report: str = "social-update"
