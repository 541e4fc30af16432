"""What the monthly E-Service and social reports cover, and what they list: pure, from the
rows the handler loads and ``now``.

A report due in a month covers the month before it (the staff meeting of December hears of
November): what was asked in it, what was published in it with the links, and — whenever it
was asked — what is still waiting, and since when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from jobs.publish_settings import PublishingSettings
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
