"""The import direction bot → jobs → storage, no query built outside storage/, and the fake
Telegram (bot/offline/) reached only by the demo, the ``demo`` command, bench/ and tests/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

FORBIDDEN = {
    "storage": {"telegram", "bot", "jobs", "apscheduler"},
    "jobs": {"telegram", "bot"},
}


def _names(node: ast.AST) -> set[str]:
    """What one import statement imports (``from a import b``: both ``a`` and ``a.b``)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return set()


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names |= _names(node)
    return names


def _imports_on_loading(path: Path) -> set[str]:
    """The imports run when the module is loaded: all but those inside a function."""
    names: set[str] = set()
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:
        for child in ast.iter_child_nodes(pending.pop()):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                names |= _names(child)
                pending.append(child)
    return names


def _offline(name: str) -> bool:
    return name == "bot.offline" or name.startswith("bot.offline.")


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_do_not_import_upper_ones(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in FORBIDDEN[package]
    ]
    assert not offenders


def test_handlers_build_no_query() -> None:
    query_builders = {
        "sqlmodel.select",
        "sqlalchemy.select",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.insert",
        "sqlalchemy.text",
    }
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for name in _imports(path)
        if name in query_builders
    ]
    assert not offenders


def test_only_the_demo_and_tests_import_the_fake_telegram() -> None:
    """bot/offline/ (the fake Bot API server and the demo) is imported by itself, the CLI's
    ``demo`` command, bench/ and tests/ — never by the rest of bot/, by jobs/ or storage/."""
    offline, cli = ROOT / "bot" / "offline", ROOT / "bot" / "cli.py"
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("bot", "jobs", "storage")
        for path in sorted((ROOT / package).rglob("*.py"))
        if not path.is_relative_to(offline) and path != cli
        for name in _imports(path)
        if _offline(name)
    ]
    assert not offenders
    # the CLI only inside its demo command: `run`, `invite`… never load the fake server
    assert not [name for name in _imports_on_loading(cli) if _offline(name)]
    assert any(_offline(name) for name in _imports(cli))


def test_the_guard_itself_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from telegram import Bot\nimport bot.app\n", encoding="utf-8")
    assert {"telegram", "bot.app"} <= _imports(sample)


def test_the_guard_itself_tells_a_lazy_import_from_a_loaded_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import bot.app\n"
        "if True:\n    from bot import offline\n"
        "def demo():\n    from bot.offline.demo import main\n",
        encoding="utf-8",
    )
    assert {name for name in _imports_on_loading(sample) if _offline(name)} == {"bot.offline"}
    assert "bot.offline.demo.main" in _imports(sample)


SHARED = {"common", "runtime"}  # what every feature may use, in bot/
ROOTS = {"app", "cli", "features"}  # the composition roots: they may import everything
# jobs/'s top level: the shared machinery every feature's package may use, and its roots
JOBS_SHARED = {
    "calendar",  # the office's days and hours (pure)
    "offsets",  # "+2d", "-1h": the config's offsets (pure)
    "recurrence",  # an obligation's periods (pure)
    "ladder",  # a ladder's instants and progress (pure)
    "params",  # what a message about an assignment carries
    "steps",  # the Step interface and its TickContext
    "engine",  # the two APScheduler jobs and the leader's lock
    "power",  # the director's proposals of power, and their step
    "questions",  # the forgotten questions' step
    "nightly_backup",
}
# the roots of jobs/, which may import the features' packages: the tick orchestrates their
# steps, features lists them, the dispatcher applies their rules before sending, and settings
# composes the config's schema from their sections (jobs/<feature>/settings.py)
JOBS_ROOTS = {"tick", "features", "dispatch", "settings"}


def _features(layer: str) -> set[str]:
    """The feature packages of ``bot/`` or ``jobs/``: the folders with an ``__init__.py``."""
    skipped = SHARED | {"offline"}
    return {p.parent.name for p in (ROOT / layer).glob("*/__init__.py")} - skipped


def _feature_offenders(layer: str) -> list[str]:
    """Imports of another feature's package, from a feature's package; a feature of bot/ may
    use its namesake in jobs/ (bot.loans → jobs.loans), never another one."""
    features = _features("bot") | _features("jobs")
    offenders = []
    for owner in sorted(_features(layer)):
        for path in sorted((ROOT / layer / owner).rglob("*.py")):
            for name in _imports(path):
                parts = name.split(".")
                if len(parts) > 1 and parts[0] in ("bot", "jobs"):
                    reached = parts[1]
                    if reached in features and reached != owner:
                        offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    return offenders


def test_every_feature_has_a_package_in_bot() -> None:
    assert {"office", "duties", "oversight", "loans", "complaints"} <= _features("bot")
    assert {"loans", "complaints", "oversight"} <= _features("jobs")
    loose = {p.stem for p in (ROOT / "bot").glob("*.py")} - ROOTS - {"__init__"}
    assert not loose, "every module of bot/ lives in a package, beside the composition roots"


def test_every_feature_has_a_package_in_jobs() -> None:
    """jobs/'s top level is the shared machinery and the roots, nothing else: a feature's
    modules (its pure ladder, its step, its config section) live in its package, named as in
    bot/ (bot/duties → jobs/duties)."""
    named = {"duties", "oversight", "loans", "complaints", "projects", "publishing", "yearplan"}
    assert named <= _features("jobs")
    assert _features("jobs") <= _features("bot"), "a package of jobs/ is named after a feature"
    top = {p.stem for p in (ROOT / "jobs").glob("*.py")} - {"__init__"}
    assert top == JOBS_SHARED | JOBS_ROOTS


def test_a_features_config_section_does_not_import_the_config() -> None:
    """jobs/settings.py imports every jobs/<feature>/settings.py: those may import only the
    pure helpers of jobs/, never jobs.settings (or anything that loads it): no circle."""
    pure = {"jobs.offsets", "jobs.calendar"}
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "jobs").glob("*/settings.py"))
        for name in _imports(path)
        if name.split(".")[0] == "jobs"
        and not any(name == p or name.startswith(f"{p}.") for p in pure)
    ]
    assert not offenders


@pytest.mark.parametrize("layer", ["bot", "jobs"])
def test_a_feature_never_imports_another_features_internals(layer: str) -> None:
    assert not _feature_offenders(layer)


def test_shared_code_imports_no_feature() -> None:
    """bot/common and bot/runtime are below the features; jobs/ outside its feature packages
    (the calendar, the ladder, the engine) reaches features only from its roots: the tick,
    the list of steps, the dispatcher, and the config's schema (``JOBS_ROOTS``)."""
    features = _features("bot") | _features("jobs")
    roots = {ROOT / "jobs" / f"{name}.py" for name in JOBS_ROOTS}
    below = [ROOT / "bot" / name for name in SHARED] + [
        p for p in (ROOT / "jobs").glob("*.py") if p not in roots
    ]
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for place in below
        for path in (sorted(place.rglob("*.py")) if place.is_dir() else [place])
        for name in _imports(path)
        if len(name.split(".")) > 1
        and name.split(".")[0] in ("bot", "jobs")
        and name.split(".")[1] in features
    ]
    assert not offenders


def test_the_feature_guard_sees_a_cross_feature_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.runtime.complaint_keys import ComplaintKeys\n", encoding="utf-8")
    assert "bot.runtime.complaint_keys" in _imports(sample)
    assert "complaints" in _features("bot")
