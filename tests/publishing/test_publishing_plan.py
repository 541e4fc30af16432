"""The publication queue's pure parts: the web officer's ladder (from the moment an item was
sent, in office hours, collapsed after downtime), the links a web officer may record, and the
month a monthly report covers."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from sqlmodel import select

from bot.publishing.queue import links_in
from jobs.calendar import OfficeCalendar
from jobs.ladder import StepMessage
from jobs.publishing.ladder import first_wake, instants, plan_item
from jobs.publishing.report import channel_of, covered_month, month_window
from jobs.publishing.settings import PUBLISH_LADDER, PublishingSettings, PublishStep
from jobs.publishing.step import DRAFT_KEPT, PublishingStep
from jobs.settings import Settings
from jobs.tick import Planner
from storage import publications
from storage.db import Database
from storage.models import Publication, PublicationPart, Role
from tests.duties.test_tick import bkk, join
from tests.support import NOW as START


@pytest.fixture
def calendar(settings: Settings) -> OfficeCalendar:
    return OfficeCalendar.from_office(settings.office)


def test_the_ladder_counts_working_days_from_the_moment_the_item_was_sent(
    calendar: OfficeCalendar,
) -> None:
    sent = bkk(11, 14, 15)  # Friday 14 November 2568, 15.00
    assert instants(PUBLISH_LADDER, sent, calendar) == [
        bkk(11, 17, 8, 30).astimezone(UTC),  # Monday
        bkk(11, 18, 8, 30).astimezone(UTC),
        bkk(11, 19, 8, 30).astimezone(UTC),  # the coordinator
    ]
    assert first_wake(PUBLISH_LADDER, sent, calendar) == bkk(11, 17, 8, 30).astimezone(UTC)


def test_after_downtime_each_recipient_hears_once_of_the_latest_step(
    calendar: OfficeCalendar,
) -> None:
    sent = bkk(11, 14, 15)
    nothing = plan_item(0, PUBLISH_LADDER, sent, calendar, bkk(11, 17, 8, 29))
    assert nothing.messages == () and nothing.next_step == 0
    late = plan_item(0, PUBLISH_LADDER, sent, calendar, bkk(11, 20, 9))
    assert late.messages == (
        StepMessage(step=1, kind="followup", to="web_officer", collapsed=2),
        StepMessage(step=2, kind="escalation", to="coordinator", collapsed=1),
    )
    assert (late.next_step, late.next_action_at) == (3, None)
    again = plan_item(late.next_step, PUBLISH_LADDER, sent, calendar, bkk(11, 21, 9))
    assert again.messages == ()


def test_a_step_comes_after_the_item_was_sent() -> None:
    with pytest.raises(ValueError, match="comes after"):
        PublishStep(offset="-1wd")
    with pytest.raises(ValueError):
        PublishStep(offset="soon")
    assert PublishingSettings().ladder == PUBLISH_LADDER


@pytest.mark.parametrize(
    ("typed", "links"),
    [
        ("https://www.phichit.moe.go.th/news/1", ["https://www.phichit.moe.go.th/news/1"]),
        (
            "http://a.go.th/x\n  https://www.facebook.com/p/1 ",
            ["http://a.go.th/x", "https://www.facebook.com/p/1"],
        ),
        ("https://a.go.th/x https://a.go.th/x", ["https://a.go.th/x"]),  # once
        ("", None),
        ("เผยแพร่แล้ว", None),
        ("www.phichit.moe.go.th", None),  # no scheme
        ("ftp://files.go.th/a", None),
        ("javascript:alert(1)", None),
        ("https://", None),
        ("https://localhost/x", None),  # no host name with a domain
        ("https://[::1/", None),  # not even parsable
        ("https://a.go.th/" + "x" * 500, None),
        (" ".join(f"https://a.go.th/{n}" for n in range(6)), None),  # too many
        ("https://a.go.th/x ดูที่นี่", None),  # words besides the links
    ],
)
def test_the_links_a_web_officer_may_record(typed: str, links: list[str] | None) -> None:
    assert links_in(typed) == links


def test_a_report_covers_the_month_before_it_is_due(settings: Settings) -> None:
    zone = settings.office.zone
    assert covered_month(bkk(12, 8, 16, 30), zone) == date(2025, 11, 1)
    assert covered_month(bkk(1, 12, 16, 30, year=2026), zone) == date(2025, 12, 1)
    start, end = month_window(date(2025, 12, 1), zone)
    assert (start, end) == (
        bkk(12, 1, 0).astimezone(UTC),
        bkk(1, 1, 0, year=2026).astimezone(UTC),
    )
    publishing = settings.publishing
    assert channel_of("eservice-update", publishing) == "web"
    assert channel_of("social-update", publishing) == "social"
    assert channel_of("quarterly-progress", publishing) is None


def test_a_draft_left_alone_is_deleted_by_the_tick_a_day_later(
    db: Database, settings: Settings
) -> None:
    sender = join(db, 91, "สมชาย ใจดี", "admin", Role.STAFF, START)
    with db.transaction() as session:
        draft = publications.start_draft(session, sender.id, now=START)
        assert draft.id is not None
        publications.add_part(session, draft.id, "text", now=START, text="ข่าว")
    planner = Planner(settings, OfficeCalendar.from_office(settings.office))
    with db.transaction() as session:
        assert PublishingStep(settings).next_wake(session, START) == START + DRAFT_KEPT
    planner.tick(db, START + timedelta(hours=23))
    with db.transaction() as session:
        assert len(session.exec(select(PublicationPart)).all()) == 1
    planner.tick(db, START + DRAFT_KEPT + timedelta(minutes=1))
    with db.transaction() as session:
        assert session.exec(select(Publication)).all() == []
        assert session.exec(select(PublicationPart)).all() == []
