"""The configuration file: the example is valid, and every mistake names file, key and problem."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import pytest
from pydantic import BaseModel

from bot.cli import main
from jobs.settings import ConfigError, Settings, load_settings
from tests.support import EXAMPLE_CONFIG

EXAMPLE = EXAMPLE_CONFIG.read_text(encoding="utf-8")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in EXAMPLE, f"the example no longer contains {old!r}"
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_example_config_describes_the_plan() -> None:
    settings = load_settings(EXAMPLE_CONFIG)
    assert settings.office.timezone == "Asia/Bangkok"
    assert [g.key for g in settings.groups] == ["policy", "admin", "personnel", "development"]
    assert settings.coordinating_group.name_th == "กลุ่มนโยบายและแผน"
    measures = {o.measure for o in settings.obligations}
    # 1.7 owes no report: the plan asks for the complaint channel, which is on
    assert measures == {"1.1", "1.2", "1.3", "1.4", "1.5", "1.6"}
    assert settings.complaints.enabled
    # 1.5 as the plan names it: the procurement plan published, the monthly summary, ITA-016
    # and ITA-017 apart; the owners as it says (the Administration group, its procurement work)
    procurement = {o.key: o for o in settings.obligations if o.measure == "1.5"}
    assert list(procurement) == ["procurement-plan", "procurement-summary", "ita-016", "ita-017"]
    assert procurement["procurement-plan"].owners.groups == ["admin"]
    monthly = procurement["procurement-summary"]
    assert monthly.recurrence.kind == "monthly" and "ITA-017" not in monthly.title_th
    assert "ITA-017" in procurement["ita-017"].title_th
    assert procurement["ita-017"].recurrence.kind == "yearly"
    assert settings.loans.default_days == 7
    assert [(s.offset, s.to) for s in settings.loans.ladder][-2:] == [
        ("+3wd", "procurement"),
        ("+5wd", "director"),
    ]
    quarterly = next(o for o in settings.obligations if o.key == "quarterly-progress")
    assert quarterly.recurrence.kind == "quarterly"
    assert (quarterly.recurrence.day, quarterly.recurrence.months) == (10, [1, 4, 7, 10])
    assert quarterly.onward is not None and quarterly.onward.day == 15
    assert [(s.offset, s.anchor) for s in settings.ladder("default").steps] == [
        ("-7d", "due"),
        ("-1wd", "due"),
        ("0d", "due"),
        ("+1wd", "due"),
        ("+2wd", "due"),
        ("-1wd", "onward"),  # the memo a working day before the 15th
    ]
    assert settings.ladder("default").steps[-1].otherwise == "+3wd"
    assert [s.anchor for s in settings.ladder("meeting").steps][-2:] == ["meeting", "meeting"]
    assert quarterly.due_overrides == {"2569-Q2": date(2026, 4, 8), "2570-Q2": date(2027, 4, 8)}


def test_check_config_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "publishing." not in out


def test_check_config_warns_of_a_publication_report_that_names_no_obligation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _variant(
        tmp_path,
        'website_report = "eservice-update"',
        'website_report = "eservice-updates"',
    )
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "WARNING: publishing.website_report = 'eservice-updates' names no obligation" in out
    assert "social_report" not in out


def test_a_misspelt_key_exits_2_and_names_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _variant(tmp_path, 'timezone = "Asia/Bangkok"', 'time_zone = "Asia/Bangkok"')
    assert main(["check-config", str(path)]) == 2
    error = capsys.readouterr().err
    assert f"{path}: office.time_zone: unknown key" in error


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (
            'timezone = "Asia/Bangkok"',
            'timezone = "Asia/Bangkokk"',
            "office.timezone",
            "unknown time zone",
        ),
        (
            'public_holidays = "TH"',
            'public_holidays = "Thailand"',
            "office.public_holidays",
            "not a country",
        ),
        ('rule = "second tue"', 'rule = "every tuesday"', "meeting.rule", "is not a meeting rule"),
        (
            '{ kind = "reminder", offset = "-7d" }',
            '{ kind = "reminder", offset = "-7 weeks" }',
            "ladders.default.steps[0].offset",
            "is not an offset",
        ),
        (
            'recurrence = { kind = "quarterly", day = 10,',
            'recurrence = { kind = "quarterly", day = 32,',
            "obligations[quarterly-progress].recurrence.day",
            "less than or equal to 31",
        ),
        (
            'owners = { groups = ["development"] }',
            'owners = { groups = ["develop"] }',
            "obligations[eservice-update].owners.groups",
            "unknown group 'develop'",
        ),
        (
            'ladder = "meeting"',
            'ladder = "monthly"',
            "obligations[eservice-update].ladder",
            "no ladder",
        ),
        (
            'measure = "1.1"',
            'measure = "2.1"',
            "obligations[quarterly-progress].measure",
            "should match",
        ),
        ("coordinator = true", "coordinator = false", "groups", "exactly one group"),
        ('key = "personnel"', 'key = "admin"', "groups[admin].key", "defined twice"),
        ('name_en = "Phichit Provincial Education Office"\n', "", "office.name_en", "missing"),
    ],
)
def test_each_mistake_is_reported_with_its_key(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert any(k == key and problem in message for k, message in raised.value.problems), (
        raised.value.problems
    )
    assert str(path) in str(raised.value)


def test_broken_toml_and_a_missing_file_are_config_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = _variant(tmp_path, "[office]", "[office")
    assert main(["check-config", str(broken)]) == 2
    assert "not valid TOML" in capsys.readouterr().err
    assert main(["check-config", str(tmp_path / "nowhere.toml")]) == 2
    assert "file not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("old", "new", "key", "fix"),
    [
        (
            "closed_days = []",
            "closed_days = [2568-12-29]",
            "office.closed_days[0]",
            "2568-12-29 looks like a Buddhist-Era year; write 2025-12-29",
        ),
        (
            "closed_days = []",
            'closed_days = ["2568-12-29"]',
            "office.closed_days[0]",
            "2568-12-29 looks like a Buddhist-Era year; write 2025-12-29",
        ),
        (
            "closed_days = []",
            'closed_days = ["29/12/2568"]',
            "office.closed_days[0]",
            "'29/12/2568' is not a date the config reads: write 2025-12-29",
        ),
        (
            "closed_days = []",
            'closed_days = ["1/2/2026"]',
            "office.closed_days[0]",
            "'1/2/2026' is not a date the config reads: write 2026-02-01",
        ),
        (
            'rule = "second tue"',
            "dates = [2568-01-14]",
            "meeting.dates[0]",
            "2568-01-14 looks like a Buddhist-Era year; write 2025-01-14",
        ),
        (
            'recurrence = { kind = "yearly", month = 4, day = 10 }',
            'recurrence = { kind = "once", date = "10/4/2569" }',
            "obligations[ita-016].recurrence.date",
            "write 2026-04-10",
        ),
        (
            'url = "sqlite:///staff-report-bot.sqlite3"',
            'url = "mysql://bot@db.example/reports"',
            "database.url",
            "mysql:// is not a database this bot uses (SQLite or PostgreSQL): write "
            "sqlite:///staff-report-bot.sqlite3 or postgresql://user@host/dbname",
        ),
        (
            'url = "sqlite:///staff-report-bot.sqlite3"',
            'url = "staff-report-bot.sqlite3"',
            "database.url",
            "write sqlite:///",
        ),
        (
            'recurrence = { kind = "monthly", day = 10 }',
            'recurrence = { kind = "monthly", day = 10, time = 16:30:00 }',
            "obligations[procurement-summary].recurrence.time",
            "unknown key",
        ),
        (
            'owners = { each_with_role = ["procurement"] }\nrecurrence = { kind = "monthly"',
            'owners = { each_with_role = ["buyer"] }\nrecurrence = { kind = "monthly"',
            "obligations[procurement-summary].owners.each_with_role[0]",
            "Input should be",
        ),
    ],
)
def test_a_config_mistake_exits_2_naming_the_key_and_writing_out_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str, fix: str
) -> None:
    path = _variant(tmp_path, old, new)
    assert main(["check-config", str(path)]) == 2
    error = capsys.readouterr().err
    assert f"{path}: {key}: " in error, error
    line = next(line for line in error.splitlines() if f": {key}: " in line)
    assert fix in line, line


def test_an_obligation_without_a_key_is_named_by_its_place(tmp_path: Path) -> None:
    path = _variant(tmp_path, 'key = "quarterly-progress"\n', "")
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    assert ("obligations[0].key", "required key is missing") in raised.value.problems


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///office.sqlite3",
        "sqlite+pysqlite:////var/lib/bot/office.sqlite3",
        "postgresql://bot@db.example/reports",
        "postgresql+psycopg://bot:secret@127.0.0.1:5432/test",
        "postgres://bot@db.example/reports",
    ],
)
def test_the_database_urls_the_bot_uses_are_accepted(tmp_path: Path, url: str) -> None:
    path = _variant(tmp_path, 'url = "sqlite:///staff-report-bot.sqlite3"', f'url = "{url}"')
    assert load_settings(path).database.url == url


def test_a_christian_era_date_and_public_holidays_off_are_accepted(tmp_path: Path) -> None:
    path = _variant(tmp_path, "closed_days = []", "closed_days = [2025-12-29]")
    path.write_text(
        path.read_text(encoding="utf-8").replace('public_holidays = "TH"', 'public_holidays = ""'),
        encoding="utf-8",
    )
    office = load_settings(path).office
    assert [day.isoformat() for day in office.closed_days] == ["2025-12-29"]
    assert office.public_holidays is None


def _model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key the config model accepts, dotted: ``office.office_hours.start``,
    ``ladders.*.steps.kind`` (``*`` a name of the admin's choosing; list items unnumbered);
    a field the file names otherwise (``from``, a Python keyword) by that name."""
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{field.alias or name}"
        keys.add(path)
        for inner, wildcard in _models_in(field.annotation):
            if wildcard:
                keys.add(f"{path}.*")
            keys |= _model_keys(inner, f"{path}.*." if wildcard else f"{path}.")
    return keys


def _models_in(annotation: Any, wildcard: bool = False) -> Iterator[tuple[type[BaseModel], bool]]:
    """The models a field holds, through lists, dicts (``*``), unions and ``Annotated``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, wildcard
        return
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    if origin is dict:
        yield from _models_in(arguments[1], True)
    elif origin is Annotated:
        yield from _models_in(arguments[0], wildcard)
    else:
        for argument in arguments:
            yield from _models_in(argument, wildcard)


_SECTION = re.compile(r"^\s*#?\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*#?\s*([a-z_]+)\s*=\s*(.*)$")


def _documented_keys(text: str) -> set[str]:
    """The keys config.example.toml shows, commented out or not: ``key = value`` lines under
    their section, and the keys of inline tables (``{ kind = …, offset = … }``), also those
    on the lines of a multi-line array."""
    keys: set[str] = set()
    section, array = "", ""
    for line in text.splitlines():
        if array and line.strip().lstrip("#").strip().startswith("{"):
            item = line.strip().lstrip("#").strip().split(" #")[0].strip().rstrip(",")
            keys |= _inline_keys(item, f"{section}{array}.")
            continue
        if array and line.strip() == "]":
            array = ""
            continue
        if (match := _SECTION.match(line)) and not _KEY.match(line):
            section, array = match.group(1) + ".", ""
            parts = match.group(1).split(".")
            keys |= {".".join(parts[: length + 1]) for length in range(len(parts))}
            continue
        if match := _KEY.match(line):
            name, value = match.groups()
            keys.add(f"{section}{name}")
            keys |= _inline_keys(value.split(" #")[0].strip(), f"{section}{name}.")
            if value.strip() == "[":
                array = name
    return keys


def _inline_keys(value: str, prefix: str) -> set[str]:
    try:
        parsed = tomllib.loads(f"x = {value}")["x"]
    except tomllib.TOMLDecodeError:
        return set()
    keys: set[str] = set()
    for item in parsed if isinstance(parsed, list) else [parsed]:
        keys |= _table_keys(item, prefix)
    return keys


def _table_keys(table: Any, prefix: str) -> set[str]:
    if not isinstance(table, dict):
        return set()
    keys = {f"{prefix}{name}" for name in table}
    for name, inner in table.items():
        keys |= _table_keys(inner, f"{prefix}{name}.")
    return keys


def _matches(pattern: str, documented: set[str]) -> bool:
    regex = re.compile("^" + re.escape(pattern).replace(r"\*", "[a-z0-9_-]+") + "$")
    return any(regex.match(key) for key in documented)


def test_every_key_of_the_config_is_documented_in_the_example() -> None:
    """A key the model accepts and config.example.toml never shows (commented out counts) is
    a key an admin has to guess: add it to the example with a comment."""
    documented = _documented_keys(EXAMPLE)
    assert "office.office_hours.start" in documented  # the scanner reads inline tables
    assert "ladders.default.steps.offset" in documented  # and multi-line arrays of them
    undocumented = sorted(key for key in _model_keys(Settings) if not _matches(key, documented))
    assert not undocumented, f"document these keys in config.example.toml: {undocumented}"
    unknown = sorted(
        key
        for key in documented
        if not any(_matches(pattern, {key}) for pattern in _model_keys(Settings))
    )
    assert not unknown, f"config.example.toml shows keys the config does not have: {unknown}"
