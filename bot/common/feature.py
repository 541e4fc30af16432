"""What a feature adds to the bot, declared in one place: ``FEATURE = Feature(...)`` in the
feature's package, listed once in ``bot/features.py``.

The composition root (``bot/app.py``) wires every feature's commands, buttons and other
handlers; the ``Catalog`` built from the list gives the sender its templates, the export its
audit vocabulary, ``/help`` and the menus their commands, and plain text its owner.
The tick's side of a feature is declared the same way in ``jobs/`` (``jobs.steps.Step``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from telegram.ext import BaseHandler

from bot.common.callbacks import Callback
from bot.common.render import Rendered

if TYPE_CHECKING:  # the kit needs the services, which hold the catalog
    from bot.common.access import Handler
    from bot.common.kit import Turn

Template = Callable[[dict[str, Any], str, ZoneInfo], Rendered]
DigestSection = Callable[[dict[str, Any], str, ZoneInfo], list[str]]
TextAnswer = Callable[["Turn", str], Awaitable[None]]


@dataclass(frozen=True)
class Feature:
    """One feature's contributions; everything but the name may be left out."""

    name: str
    commands: Mapping[str, Handler] = field(default_factory=dict)
    buttons: Sequence[tuple[Callback[Any], Handler]] = ()
    handlers: Sequence[tuple[BaseHandler[Any, Any, Any], int]] = ()  # (handler, group)
    templates: Mapping[str, Template] = field(default_factory=dict)
    audit: Mapping[str, str] = field(default_factory=dict)  # action → its name (N_)
    # the answer to a question asked in chat, by topic (storage.questions); None: a plain
    # text when no question is awaited
    answers: Mapping[str | None, TextAnswer] = field(default_factory=dict)
    digest_section: DigestSection | None = None  # lines the feature adds to the digest
    # what ``/start <payload>`` opens, by payload (a link t.me/<bot>?start=<payload>: the
    # complaint channel's ``complain``), before the payload could be taken for an invite code
    start_payloads: Mapping[str, Handler] = field(default_factory=dict)


class Catalog:
    """Every feature's declarations, merged; a name declared twice is a mistake."""

    def __init__(self, features: Iterable[Feature] = ()) -> None:
        self.features = tuple(features)
        self.templates: dict[str, Template] = _merged(f.templates for f in self.features)
        self.audit: dict[str, str] = _merged(f.audit for f in self.features)
        self.answers: dict[str | None, TextAnswer] = _merged(f.answers for f in self.features)
        self.sections = [f.digest_section for f in self.features if f.digest_section]
        self.start_payloads: dict[str, Handler] = _merged(f.start_payloads for f in self.features)
        _merged(f.commands for f in self.features)  # each command once
        _merged({kind.prefix: kind for kind, _ in f.buttons} for f in self.features)

    def render(
        self, template: str, params: dict[str, Any], language: str, zone: ZoneInfo
    ) -> Rendered:
        """The text and buttons of one outbox message, in the reader's language."""
        rendered = self.templates[template](params, language, zone)
        if template != "digest":
            return rendered
        lines = [line for section in self.sections for line in section(params, language, zone)]
        if not lines:
            return rendered
        return Rendered("\n".join([rendered.text, *lines]), rendered.keyboard, rendered.photo)


K = TypeVar("K")
V = TypeVar("V")


def _merged(parts: Iterable[Mapping[K, V]]) -> dict[K, V]:
    merged: dict[K, V] = {}
    for part in parts:
        for key, value in part.items():
            if key in merged:
                raise ValueError(f"{key!r} is declared by two features")
            merged[key] = value
    return merged
