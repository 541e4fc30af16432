"""The configuration file: one TOML file describes the office, its groups and its plan.

Validated by pydantic at start. Every problem is reported as ``FILE: key.path: what is wrong``
so that an IT admin can find it; the command line turns :class:`ConfigError` into exit code 2.

A composition root of the config's schema: :class:`Settings` gathers every section, and a
feature whose section lives in its own package (``jobs/<feature>/settings.py``: ``[memo]``,
``[projects]``, ``[publishing]``, ``[yearplan]``) is imported from there. So this module, like
``jobs/tick.py`` and ``jobs/features.py``, may import the features' packages; those settings
modules import nothing of ``jobs/`` but the pure helpers (``jobs.offsets``), never this module,
so that loading the config never goes round in a circle (``tests/test_layers.py``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from jobs.duties.settings import MemoSettings
from jobs.offsets import Offset, Span, parse_offset, parse_span
from jobs.projects.settings import ProjectSettings
from jobs.publishing.settings import PublishingSettings
from jobs.yearplan.settings import YearPlanSettings
from storage.models import Role

KEY_PATTERN = r"^[a-z][a-z0-9_-]{0,39}$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ORDINALS = ("first", "second", "third", "fourth", "last")
_MEETING_RULE = re.compile(rf"^({'|'.join(ORDINALS)}) ({'|'.join(WEEKDAYS)})$")
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
BUDDHIST_ERA_OFFSET = 543
DATABASE_SCHEMES = ("sqlite", "postgresql")
DATABASE_EXAMPLES = "sqlite:///staff-report-bot.sqlite3 or postgresql://user@host/dbname"
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class ConfigError(Exception):
    """The configuration cannot be used; ``problems`` are ``(key, message)`` pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = [
            f"{source}: {key}: {message}" if key else f"{source}: {message}"
            for key, message in problems
        ]
        super().__init__("\n".join(lines))


def _christian_era(year: int, month: int, day: int) -> str:
    """The date as the config wants it, ``2025-12-29``, from a year in either era."""
    if year > 2400:  # as people type B.E.: 2568 is 2025
        year -= BUDDHIST_ERA_OFFSET
    return f"{year:04d}-{month:02d}-{day:02d}"


def _date_as_written(value: Any) -> Any:
    """Dates are ISO dates in the Christian Era; ``"29/12/2568"`` is refused with the form
    to write instead, and so is a B.E. year, which TOML reads as a date 543 years ahead."""
    if isinstance(value, str):
        if match := _DAY_MONTH_YEAR.match(value):
            day, month, year = (int(part) for part in match.groups())
            raise ValueError(
                f"{value!r} is not a date the config reads: write "
                f"{_christian_era(year, month, day)} (year-month-day, Christian Era, no quotes)"
            )
        if match := _ISO_DATE.match(value):
            year, month, day = (int(part) for part in match.groups())
            if year > 2400:
                raise ValueError(_buddhist_era_hint(year, month, day))
    return value


def _not_buddhist_era(value: date) -> date:
    if value.year > 2400:
        raise ValueError(_buddhist_era_hint(value.year, value.month, value.day))
    return value


def _buddhist_era_hint(year: int, month: int, day: int) -> str:
    return (
        f"{year:04d}-{month:02d}-{day:02d} looks like a Buddhist-Era year; write "
        f"{_christian_era(year, month, day)} (dates in the config are Christian Era)"
    )


CeDate = Annotated[date, BeforeValidator(_date_as_written), AfterValidator(_not_buddhist_era)]
"""A date in the config: ISO, Christian Era (the bot shows it in B.E.)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OfficeHours(_Strict):
    start: time = time(8, 30)
    end: time = time(16, 30)


class Office(_Strict):
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    timezone: str = "Asia/Bangkok"
    office_hours: OfficeHours = OfficeHours()
    working_days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"],  # type: ignore[arg-type]
        min_length=1,
    )
    public_holidays: str | None = "TH"
    closed_days: list[CeDate] = Field(default_factory=list)

    @field_validator("public_holidays")
    @classmethod
    def _holiday_country(cls, value: str | None) -> str | None:
        """TOML has no null: "none" turns public holidays off (a demo, a 24/7 service)."""
        if value is None or value.strip().lower() in ("", "none"):
            return None
        country = value.strip().upper()
        if country not in holidays.list_supported_countries():
            raise ValueError(f"{value!r} is not a country the holidays package knows (e.g. TH)")
        return country

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Bangkok)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Group(_Strict):
    key: str = Field(pattern=KEY_PATTERN)
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    coordinator: bool = False


class Director(_Strict):
    title_th: str = "ศึกษาธิการจังหวัด"
    title_en: str = "Provincial Education Officer"
    # an acting officer (/acting) starts at most this many days ahead and lasts at most this long
    acting_max_days: int = Field(default=60, ge=1, le=366)
    # a change of power an admin or the coordinator proposes waits this long for the director
    proposal_hours: int = Field(default=48, ge=1, le=720)


class Meeting(_Strict):
    """The monthly staff meeting: a rule such as "second tue", or a list of dates."""

    rule: str | None = None
    dates: list[CeDate] = Field(default_factory=list)
    at: time = time(9, 0)

    @field_validator("rule")
    @classmethod
    def _rule_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        normalised = " ".join(value.lower().split())
        if not _MEETING_RULE.match(normalised):
            raise ValueError(
                f"{value!r} is not a meeting rule: write e.g. 'second tue' "
                f"(one of {', '.join(ORDINALS)}, then one of {', '.join(WEEKDAYS)})"
            )
        return normalised


def _offset(value: str) -> str:
    parse_offset(value)
    return value


OffsetText = Annotated[str, Field(description="e.g. -7d, -1wd, +5wd, 30s")]


class BaseStep(_Strict):
    """A step of any ladder (a report's, a loan's): what, and when from its due date."""

    kind: Literal["reminder", "last_call", "followup", "escalation"]
    offset: OffsetText
    at: time | None = None  # clock time on the day, for day-based offsets
    immediate: bool = False  # ignore office hours (escalations may go at once)

    _check_offset = field_validator("offset")(_offset)

    @property
    def parsed_offset(self) -> Offset:
        return parse_offset(self.offset)


class LadderStep(BaseStep):
    """A step of a report's ladder; ``from`` (``anchor`` in code) names what its offset counts
    from: the due date (the default), the onward deadline or the meeting.

    A step counted from the onward deadline or the meeting gives ``otherwise``: its offset
    from the due date for an obligation that has no such deadline (a one-off added from chat
    follows the default ladder and has none). In code: ``LadderStep.model_validate({...,
    "from": "onward"})``.
    """

    anchor: Literal["due", "onward", "meeting"] = Field(default="due", alias="from")
    otherwise: OffsetText | None = None  # from the due date, when the anchor is missing

    @field_validator("otherwise")
    @classmethod
    def _otherwise(cls, value: str | None) -> str | None:
        return None if value is None else _offset(value)

    @model_validator(mode="after")
    def _otherwise_needs_an_anchor(self) -> LadderStep:
        if self.otherwise is not None and self.anchor == "due":
            raise ValueError(
                "otherwise is the offset from the due date for a step counted from the "
                'onward deadline or the meeting: give from = "onward" or "meeting", or remove it'
            )
        return self

    @property
    def parsed_otherwise(self) -> Offset | None:
        return None if self.otherwise is None else parse_offset(self.otherwise)

    def describe(self) -> str:
        """``escalation -1wd from onward``: the step as the config writes it, for messages."""
        where = "" if self.anchor == "due" else f" from {self.anchor}"
        return f"{self.kind} {self.offset}{where}"


class Ladder(_Strict):
    """Steps in the order they happen (a loan's ladder too: ``jobs.loans.ladder``)."""

    steps: Sequence[BaseStep] = Field(min_length=1)


class ReportLadder(Ladder):
    """A report's ladder as the config writes it (``[ladders.<name>]``)."""

    steps: list[LadderStep] = Field(min_length=1)


PLAN_LADDER = ReportLadder(
    steps=[
        LadderStep(kind="reminder", offset="-7d"),
        LadderStep(kind="reminder", offset="-1wd"),
        LadderStep(kind="last_call", offset="0d", at=time(8, 30)),
        LadderStep(kind="followup", offset="+1wd"),
        LadderStep(kind="followup", offset="+3wd"),
        LadderStep(kind="escalation", offset="+5wd"),
    ]
)
"""The plan's measure 1.1: remind, follow up a first and a second time, then the director."""


class QuarterlyRecurrence(_Strict):
    kind: Literal["quarterly"]
    day: int = Field(ge=1, le=31)
    months: list[int] = Field(default_factory=lambda: [1, 4, 7, 10], min_length=1)

    @field_validator("months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= month <= 12 for month in value):
            raise ValueError("months are numbers from 1 to 12")
        return sorted(set(value))


class MonthlyRecurrence(_Strict):
    kind: Literal["monthly"]
    day: int = Field(ge=1, le=31)


class MeetingRecurrence(_Strict):
    """Due at (or some working days before) each monthly staff meeting."""

    kind: Literal["meeting"]
    days_before: int = Field(default=0, ge=0, le=20)


class YearlyRecurrence(_Strict):
    kind: Literal["yearly"]
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)


class OnceRecurrence(_Strict):
    kind: Literal["once"]
    date: CeDate


Recurrence = Annotated[
    QuarterlyRecurrence | MonthlyRecurrence | MeetingRecurrence | YearlyRecurrence | OnceRecurrence,
    Field(discriminator="kind"),
]


class Owners(_Strict):
    """Who owes it: each member of some groups, each holder of some roles, whole groups, the
    head of some groups (``head_of``: each holder of the group-head role in the group, the
    ผอ.กลุ่ม), or ``per_project``: one assignment per open project of the fiscal year in the
    register, owed by the project's responsible person (alone: it names no one else)."""

    each_member_of: list[str] = Field(default_factory=list)
    each_with_role: list[Role] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    head_of: list[str] = Field(default_factory=list)
    per_project: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.each_member_of
            or self.each_with_role
            or self.groups
            or self.head_of
            or self.per_project
        )

    @model_validator(mode="after")
    def _per_project_alone(self) -> Owners:
        others = [
            name
            for name in ("each_member_of", "each_with_role", "groups", "head_of")
            if getattr(self, name)
        ]
        if self.per_project and others:
            raise ValueError(
                f"per_project = true makes each project's responsible person owe the report, "
                f"so it cannot be combined with {', '.join(others)}: write a second obligation "
                f"for them"
            )
        return self


class Onward(_Strict):
    """The office's own deadline to pass the reports on (the 15th, to สป.)."""

    to_th: str = Field(min_length=1)
    to_en: str = Field(min_length=1)
    day: int | None = Field(default=None, ge=1, le=31)  # day of the due month
    offset: OffsetText | None = None  # or an offset from the due date

    @field_validator("offset")
    @classmethod
    def _offset(cls, value: str | None) -> str | None:
        return None if value is None else _offset(value)


_QUARTER_KEY = re.compile(r"^\s*(\d{4})-[Qq]([1-4])(?:-(\d{2}))?\s*$")
_MONTH_KEY = re.compile(r"^\s*(?:meeting-)?(\d{4})-(\d{1,2})\s*$")
_YEAR_KEY = re.compile(r"^\s*(\d{4})\s*$")
PERIOD_KEY_EXAMPLES = {
    "quarterly": '"2569-Q2" (the fiscal year in B.E. and the quarter reported on)',
    "monthly": '"2026-04" (the month the report is due in)',
    "meeting": '"2026-04" (the month of the staff meeting)',
    "yearly": '"2026" (the year it is due in)',
}


def period_key(kind: str, text: str) -> str:
    """The period key (as the database stores it) that a ``due_overrides`` key names.

    Quarterly: ``2569-Q2``, the fiscal year in B.E. as the bot shows it. Monthly, meeting and
    yearly: ``2026-04``, ``2026``; a B.E. year (``2569-04``) is read as people type it.
    Raise ``ValueError`` with the form to write.
    """
    if kind == "once":
        raise ValueError("a one-off report has one period: change its recurrence.date instead")
    example = PERIOD_KEY_EXAMPLES[kind]
    if kind == "quarterly":
        if (found := _QUARTER_KEY.match(text)) is None:
            raise ValueError(f"{text!r} is not a quarter: write e.g. {example}")
        year, quarter, month = found.groups()
        if int(year) < 2400:
            raise ValueError(
                f"{text!r}: write the fiscal year in B.E., as the bot shows it "
                f'("{int(year) + BUDDHIST_ERA_OFFSET}-Q{quarter}")'
            )
        return f"{year}-Q{quarter}" + (f"-{month}" if month else "")
    if kind in ("monthly", "meeting"):
        found = _MONTH_KEY.match(text)
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise ValueError(f"{text!r} is not a month: write e.g. {example}")
        year = int(found.group(1))
        year -= BUDDHIST_ERA_OFFSET if year > 2400 else 0
        key = f"{year:04d}-{int(found.group(2)):02d}"
        return f"meeting-{key}" if kind == "meeting" else key
    if (found := _YEAR_KEY.match(text)) is None:
        raise ValueError(f"{text!r} is not a year: write e.g. {example}")
    year = int(found.group(1))
    return f"{year - BUDDHIST_ERA_OFFSET if year > 2400 else year:04d}"


def override_key(key: str) -> str:
    """How a ``due_overrides`` key for the period ``key`` is written (``meeting-`` left out)."""
    return key.removeprefix("meeting-")


class Obligation(_Strict):
    key: str = Field(pattern=KEY_PATTERN)
    title_th: str = Field(min_length=1, max_length=500)
    title_en: str = Field(min_length=1, max_length=500)
    measure: str = Field(pattern=r"^1\.[1-7]$")
    ita_indicators: list[str] = Field(default_factory=list)
    owners: Owners
    recurrence: Recurrence
    due_time: time | None = None  # default: the end of the office day
    on_closed_day: Literal["keep", "previous", "next"] = "keep"
    onward: Onward | None = None
    ladder: str = "default"
    # the staff due date of some periods set by the office, e.g. { "2569-Q2" = 2026-04-08 }
    # (Songkran): keyed as period_key() reads, stored under the database's period keys
    due_overrides: dict[str, CeDate] = Field(default_factory=dict)

    @field_validator("due_overrides")
    @classmethod
    def _period_keys(cls, value: dict[str, date], info: ValidationInfo) -> dict[str, date]:
        recurrence = info.data.get("recurrence")
        if recurrence is None:  # its own error is reported
            return value
        return {period_key(recurrence.kind, key): day for key, day in value.items()}


class TelegramSettings(_Strict):
    base_url: str = DEFAULT_BASE_URL
    base_file_url: str | None = None
    token_file: Path | None = None
    bot_username: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


class DatabaseSettings(_Strict):
    url: str = "sqlite:///staff-report-bot.sqlite3"

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        """SQLite or PostgreSQL (``postgresql+psycopg://`` names the driver; ``postgres://``
        as Heroku-style URLs write it): anything else is refused here, not at first use."""
        scheme, sep, _rest = value.partition("://")
        family = scheme.split("+", 1)[0].lower()
        if not sep or family not in (*DATABASE_SCHEMES, "postgres"):
            shown = f"{scheme}://" if sep else repr(value)
            raise ValueError(
                f"{shown} is not a database this bot uses (SQLite or PostgreSQL): "
                f"write {DATABASE_EXAMPLES}"
            )
        return value


class EngineSettings(_Strict):
    """The loop's timing; the defaults suit one office, tests and demos shorten them."""

    safety_interval_seconds: float = Field(default=180.0, gt=0)
    takeover_seconds: float = Field(default=20.0, gt=0)  # how often a follower tries to lead
    lease_seconds: float = Field(default=60.0, gt=0)  # a claimed message's lease
    dispatch: bool = True  # also send the outbox from this process (any number may)


class WebhookSettings(_Strict):
    """``run --webhook``: Telegram posts updates here (behind a reverse proxy with TLS)."""

    listen: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    url_path: str = "telegram"
    public_url: str | None = None  # e.g. https://bot.example.go.th/telegram


def _span(value: str) -> str:
    parse_span(value)
    return value


SpanText = Annotated[str, Field(description="e.g. 7wd, 90d, 3mo, 2h, 30s")]


class ComplaintThrottle(_Strict):
    """Anti-abuse limits per writer (counted under a keyed hash, never their Telegram id)."""

    complaints_per_day: int = Field(default=3, ge=1, le=100)
    wrong_codes_per_hour: int = Field(default=5, ge=1, le=100)


class ComplaintSettings(_Strict):
    """The complaint channel (measure 1.7): its deadlines, retention and limits.

    Off unless the config turns it on, so that an upgrade never stops a running bot for want
    of the key; ``run`` refuses to start with it on and no key.
    """

    enabled: bool = False
    key_file: Path | None = None  # or $STAFF_REPORT_BOT_COMPLAINT_KEY
    acknowledge_within: SpanText = "7wd"
    result_within: SpanText = "3mo"
    remind_before: SpanText = "1wd"  # the handlers hear this long before each deadline
    retention: SpanText = "60mo"  # after closing; then the content is erased, counts remain
    conversation_timeout: SpanText = "2h"  # an unfinished complaint is forgotten after this
    throttle: ComplaintThrottle = ComplaintThrottle()

    _check_spans = field_validator(
        "acknowledge_within",
        "result_within",
        "remind_before",
        "retention",
        "conversation_timeout",
    )(_span)

    def span(self, name: str) -> Span:
        return parse_span(str(getattr(self, name)))


class EvidenceSettings(_Strict):
    local_copy_dir: Path | None = None


class LoanStep(BaseStep):
    """A step of the property-loan ladder (from the due-back date), and who hears of it."""

    to: Literal["borrower", "procurement", "director"] = "borrower"


LOAN_LADDER = [
    LoanStep(kind="reminder", offset="-3wd"),
    LoanStep(kind="reminder", offset="-1wd"),
    LoanStep(kind="last_call", offset="0d", at=time(8, 30)),
    LoanStep(kind="followup", offset="+1wd"),
    LoanStep(kind="escalation", offset="+3wd", to="procurement"),
    LoanStep(kind="escalation", offset="+5wd", to="director"),
]
"""Measure 1.4: remind the borrower before the due-back date; overdue, the borrower, then the
procurement officer, then the director."""


class LoanSettings(_Strict):
    """Property loans (measure 1.4): the office's loan period and the follow-up ladder."""

    default_days: int = Field(default=7, ge=1, le=365)  # due back after this many days
    max_days: int = Field(default=365, ge=1, le=3650)  # the latest due-back date allowed
    ladder: list[LoanStep] = Field(default_factory=lambda: list(LOAN_LADDER), min_length=1)
    maintenance_obligation: str = "maintenance-plan"  # confirmed by the announcement


class BackupSettings(_Strict):
    """The nightly backup (``staff-report-bot backup`` on a timer, by the scheduler's leader).

    Off while ``dir`` is unset; ``keep`` is how many of the newest copies stay in ``dir``.
    """

    dir: Path | None = None
    at: time = time(2, 0)  # office time, outside office hours
    keep: int = Field(default=14, ge=1, le=3650)


class BoardSettings(_Strict):
    """The board: a web page the bot serves (``run`` and ``run --webhook`` alike), signed into
    from Telegram. Absent from the config: no board."""

    listen: str = "127.0.0.1:8081"  # host:port (another port than [webhook]'s 8080)
    public_url: str  # the address people open, e.g. https://board.example.go.th
    link_minutes: int = Field(default=5, ge=1, le=60)  # a /board link is valid this long
    session_hours: int = Field(default=12, ge=1, le=24 * 30)  # a signed-in browser, this long
    init_data_minutes: int = Field(default=60, ge=1, le=24 * 60)  # the Mini App's initData
    roles: list[str] = Field(
        default_factory=lambda: ["staff", "group_head", "coordinator", "director", "admin"]
    )  # who may open it (staff see their own items; see the README)

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not (port.isascii() and port.isdigit()) or not 1 <= int(port) <= 65535:
            raise ValueError(f"{value!r}: write host:port, e.g. 127.0.0.1:8080")
        return value

    @field_validator("public_url")
    @classmethod
    def _address(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r}: write the address with https:// (or http://)")
        return value.rstrip("/")

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        known = {"staff", "group_head", "coordinator", "procurement", "director", "admin"}
        wrong = [role for role in value if role not in known]
        if wrong:
            raise ValueError(f"unknown roles {wrong}: choose from {sorted(known)}")
        return value

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0]

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])

    @property
    def secure(self) -> bool:
        return self.public_url.startswith("https://")


class Settings(_Strict):
    office: Office
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    evidence: EvidenceSettings = EvidenceSettings()
    engine: EngineSettings = EngineSettings()
    webhook: WebhookSettings = WebhookSettings()
    director: Director = Director()
    groups: list[Group] = Field(min_length=1)
    meeting: Meeting = Meeting(rule="second tue")
    ladders: dict[str, ReportLadder] = Field(default_factory=dict)
    obligations: list[Obligation] = Field(default_factory=list)
    loans: LoanSettings = LoanSettings()
    complaints: ComplaintSettings = ComplaintSettings()
    backup: BackupSettings = BackupSettings()
    memo: MemoSettings = MemoSettings()
    publishing: PublishingSettings = PublishingSettings()
    projects: ProjectSettings = ProjectSettings()
    yearplan: YearPlanSettings = YearPlanSettings()
    board: BoardSettings | None = None  # the web board; absent: none

    _source: str = PrivateAttr(default="<config>")

    @property
    def source(self) -> str:
        """The file this configuration was read from, for messages."""
        return self._source

    def ladder(self, key: str) -> ReportLadder:
        return self.ladders.get(key) or PLAN_LADDER

    def group(self, key: str) -> Group:
        return next(group for group in self.groups if group.key == key)

    @property
    def coordinating_group(self) -> Group:
        return next(group for group in self.groups if group.coordinator)


def _key_of(loc: tuple[int | str, ...], data: Any = None) -> str:
    """``obligations[quarterly-progress].recurrence.day``: an item of a list that has a key
    (an obligation, a group) is named by it, not by its place in the file."""
    key, node = "", data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            name = item.get("key") if isinstance(item, dict) else None
            key += f"[{name}]" if isinstance(name, str) and name else f"[{part}]"
            node = item
        else:
            key += f".{part}" if key else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return key


def _pydantic_problems(error: ValidationError, data: Any = None) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors():
        loc = _without_union_tags(item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (check its spelling, or remove it)"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append((_key_of(loc, data), message))
    return problems


_UNION_TAGS = {"quarterly", "monthly", "meeting", "yearly", "once"}


def _without_union_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop the discriminator pydantic puts after ``recurrence`` (``recurrence.quarterly.day``)."""
    kept: list[int | str] = []
    for part in loc:
        if not (kept and kept[-1] == "recurrence" and part in _UNION_TAGS):
            kept.append(part)
    return tuple(kept)


def _cross_checks(settings: Settings) -> list[tuple[str, str]]:
    """What pydantic cannot see field by field: references between sections."""
    problems: list[tuple[str, str]] = []
    keys = [group.key for group in settings.groups]
    for index, key in enumerate(keys):
        if keys.index(key) != index:
            problems.append((f"groups[{key}].key", f"group {key!r} is defined twice"))
    coordinators = [group.key for group in settings.groups if group.coordinator]
    if len(coordinators) != 1:
        problems.append(
            (
                "groups",
                f"exactly one group must have coordinator = true (found {len(coordinators)})",
            )
        )
    if settings.meeting.rule is None and not settings.meeting.dates:
        problems.append(("meeting", "give either rule (e.g. 'second tue') or dates"))
    ladders = set(settings.ladders) | {"default"}  # the plan's ladder needs no section
    seen: set[str] = set()
    for obligation in settings.obligations:
        where = f"obligations[{obligation.key}]"
        if obligation.key in seen:
            problems.append((f"{where}.key", f"obligation {obligation.key!r} is defined twice"))
        seen.add(obligation.key)
        if obligation.ladder not in ladders:
            problems.append((f"{where}.ladder", f"no ladder {obligation.ladder!r} in [ladders]"))
        if obligation.owners.is_empty:
            problems.append((f"{where}.owners", "name at least one owner"))
        for field in ("each_member_of", "groups", "head_of"):
            for group_key in getattr(obligation.owners, field):
                if group_key not in keys:
                    problems.append(
                        (
                            f"{where}.owners.{field}",
                            f"unknown group {group_key!r} (known: {', '.join(keys)})",
                        )
                    )
        onward = obligation.onward
        if onward is not None and (onward.day is None) == (onward.offset is None):
            problems.append((f"{where}.onward", "give exactly one of day or offset"))
        problems += _anchors_of(settings, obligation, where)
    for name, ladder in settings.ladders.items():
        problems += _ladder_order(ladder, f"ladders.{name}.steps")
    default = settings.ladders.get("default")
    for index, step in enumerate(default.steps if default else []):
        if step.anchor != "due" and step.otherwise is None:
            problems.append(
                (
                    f"ladders.default.steps[{index}]",
                    f"the default ladder also follows up the one-off reports added from chat, "
                    f"which have no {step.anchor} date: give this step otherwise, its offset "
                    'from the due date for them (e.g. otherwise = "+3wd")',
                )
            )
    return problems


def _anchors_of(settings: Settings, obligation: Obligation, where: str) -> list[tuple[str, str]]:
    """A step counted from a date the obligation does not have, with no ``otherwise``."""
    has = {"due": True, "onward": obligation.onward is not None}
    has["meeting"] = obligation.recurrence.kind == "meeting"
    for step in settings.ladder(obligation.ladder).steps:
        if not has[step.anchor] and step.otherwise is None:
            missing = "onward deadline" if step.anchor == "onward" else "staff meeting"
            return [
                (
                    f"{where}.ladder",
                    f"ladder {obligation.ladder!r} counts the step {step.describe()!r} from "
                    f"the {missing}, which this obligation does not have: choose another "
                    f"ladder, or give the step otherwise (its offset from the due date)",
                )
            ]
    return []


_LATER = {"reminder": 0, "last_call": 0, "followup": 1, "escalation": 2}


def _ladder_order(ladder: ReportLadder, where: str) -> list[tuple[str, str]]:
    """Steps are listed in the order they happen: nothing staff-facing after the escalation,
    and steps counted from the same date in the same unit never go backwards."""
    problems: list[tuple[str, str]] = []
    for index, (before, step) in enumerate(zip(ladder.steps, ladder.steps[1:], strict=False)):
        if _LATER[step.kind] < _LATER[before.kind]:
            problems.append(
                (
                    f"{where}[{index + 1}]",
                    f"{step.kind!r} cannot come after {before.kind!r}: list the steps in the "
                    "order they happen",
                )
            )
    for index, step in enumerate(ladder.steps):
        earlier = [
            other
            for other in ladder.steps[:index]
            if other.anchor == step.anchor
            and other.parsed_offset.unit is step.parsed_offset.unit
            and other.parsed_offset.amount > step.parsed_offset.amount
        ]
        if earlier:
            problems.append(
                (
                    f"{where}[{index}]",
                    f"{step.describe()!r} is listed after {earlier[0].describe()!r}, which "
                    "comes later: list the steps in the order they happen",
                )
            )
    return problems


def parse_settings(data: dict[str, Any], *, source: str) -> Settings:
    """Validate already-parsed TOML data."""
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(source, _pydantic_problems(error, data)) from None
    problems = _cross_checks(settings)
    if problems:
        raise ConfigError(source, problems)
    settings._source = source
    return settings


def load_settings(path: str | Path) -> Settings:
    """Read and validate the configuration file; raise :class:`ConfigError` on any problem."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, [("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(source, [("", f"cannot be read ({error})")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, [("", f"not valid TOML: {error}")]) from None
    return parse_settings(data, source=source)
