"""The configuration file: the example is valid, and every mistake names file, key and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from jobs.settings import ConfigError, load_settings
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
    assert measures == {"1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"}
    assert settings.loans.default_days == 7
    assert [(s.offset, s.to) for s in settings.loans.ladder][-2:] == [
        ("+3wd", "procurement"),
        ("+5wd", "director"),
    ]
    quarterly = next(o for o in settings.obligations if o.key == "quarterly-progress")
    assert quarterly.recurrence.kind == "quarterly"
    assert (quarterly.recurrence.day, quarterly.recurrence.months) == (10, [1, 4, 7, 10])
    assert quarterly.onward is not None and quarterly.onward.day == 15
    assert [s.offset for s in settings.ladder("default").steps] == [
        "-7d",
        "-1wd",
        "0d",
        "+1wd",
        "+3wd",
        "+5wd",
    ]


def test_check_config_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE_CONFIG)]) == 0
    assert "OK" in capsys.readouterr().out


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
            "obligations[0].recurrence.day",
            "less than or equal to 31",
        ),
        (
            'owners = { groups = ["development"] }',
            'owners = { groups = ["develop"] }',
            "obligations[1].owners.groups",
            "unknown group 'develop'",
        ),
        ('ladder = "meeting"', 'ladder = "monthly"', "obligations[1].ladder", "no ladder"),
        ('measure = "1.1"', 'measure = "2.1"', "obligations[0].measure", "should match"),
        ("coordinator = true", "coordinator = false", "groups", "exactly one group"),
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
