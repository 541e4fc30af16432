"""What the monthly E-Service and social reports cover, and what they list: pure, from the
rows the handler loads and ``now``.

A report due in a month covers the month before it (the staff meeting of December hears of
November): what was asked in it, what was published in it with the links, and — whenever it
was asked — what is still waiting, and since when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from jobs.publishing.settings import PublishingSettings
from jobs.recurrence import covers_previous_month
from storage.models import Obligation, Period
from storage.publications import SOCIAL, WEB, PublicationView, channels


def covered_month(due_at: datetime, zone: ZoneInfo) -> date:
    """The first day of the month a report due at ``due_at`` covers: the month before."""
    due = due_at.astimezone(zone).date()
    return date(due.year - 1, 12, 1) if due.month == 1 else date(due.year, due.month - 1, 1)


def month_window(first: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``[first day, first day of the next month)`` in the office's zone, as UTC instants."""
    following = (
        date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)
    )
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(following, time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def channel_of(obligation_key: str, settings: PublishingSettings) -> str | None:
    """The channel a report is about (the website's, the social page's), or None."""
    return {settings.website_report: WEB, settings.social_report: SOCIAL}.get(obligation_key)


@dataclass(frozen=True, slots=True)
class ReportContent:
    """A monthly report, pre-filled: the month, and the items of its channel."""

    month: date
    asked: tuple[PublicationView, ...]
    published: tuple[PublicationView, ...]
    waiting: tuple[PublicationView, ...]

    @property
    def links(self) -> list[str]:
        return [link for item in self.published for link in item.publication.links]


def report_content(
    channel: str,
    month: date,
    asked: list[PublicationView],
    published: list[PublicationView],
    waiting: list[PublicationView],
) -> ReportContent:
    """The items of ``channel`` (an item for both channels counts in each report)."""

    def mine(items: list[PublicationView]) -> tuple[PublicationView, ...]:
        return tuple(i for i in items if channel in channels(i.publication.destination))

    return ReportContent(month, mine(asked), mine(published), mine(waiting))


def _summary(item: PublicationView) -> str:
    first = (item.text.splitlines() or [""])[0]
    return first if len(first) <= 80 else first[:79] + "…"


def item_params(item: PublicationView) -> dict[str, Any]:
    """One item as a report lists it: plain data, worded when shown."""
    row = item.publication
    return {
        "number": item.id,
        "summary": _summary(item),
        "sender": item.sender.full_name,
        "status": row.status,
        "reason": row.reason,
        "requested_at": (row.requested_at or row.created_at).isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "links": list(row.links),
    }


def report_params(
    obligation: Obligation, period: Period, content: ReportContent, now: datetime
) -> dict[str, Any]:
    """A monthly report pre-filled, as a message's parameters (the chat's /pubreport and the
    message the tick sends when the report's first reminder goes out)."""
    return {
        "assignment_id": None,
        "title_th": obligation.title_th,
        "title_en": obligation.title_en,
        "period_key": period.key,
        "fiscal_year": period.fiscal_year,
        "quarter": period.quarter,
        "month": period.month,
        "covers_previous_month": covers_previous_month(obligation.recurrence),
        "due_at": period.due_at.isoformat(),
        "covered": content.month.isoformat(),
        "as_of": now.isoformat(),
        "asked": [item_params(item) for item in content.asked],
        "published": [item_params(item) for item in content.published],
        "waiting": [item_params(item) for item in content.waiting],
    }
